"""``python -m wijkmonitor eigen definieer FILE.toml | laad FILE --indicator ID | lijst | sjabloon SOORT``:
the gemeente's data team defines own indicators and loads their values from files."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from loaders import settings
from loaders.auth import command_line_editor
from loaders.errors import LoadError
from loaders.own_indicators import SOORTEN
from metrics import fmt

from . import own

_URL_HELP = "database URL (default: $DATABASE_URL or the embedded SQLite)"


def register(sub) -> None:
    e = sub.add_parser("eigen", help="own indicators (eigen metingen): define, load, list, templates")
    esub = e.add_subparsers(dest="eigen_cmd", required=True)
    d = esub.add_parser("definieer", help="define or redefine indicators from a TOML file ([[indicator]] tables)")
    d.add_argument("file", type=Path)
    d.add_argument("--url", default=None, help=_URL_HELP)
    d.add_argument("--door", default=None, help="name for the change log (default: the operating-system user)")
    d.set_defaults(func=_define)
    lo = esub.add_parser("laad", help="load values for one indicator from a ;-separated CSV or an Excel file")
    lo.add_argument("file", type=Path)
    lo.add_argument("--indicator", required=True, help="the indicator's id")
    lo.add_argument("--url", default=None, help=_URL_HELP)
    lo.add_argument("--door", default=None, help="name for the change log (default: the operating-system user)")
    lo.set_defaults(func=_load)
    li = esub.add_parser("lijst", help="list the indicators and their figures (value, 95%% interval)")
    li.add_argument("--url", default=None, help=_URL_HELP)
    li.add_argument("--intern", action="store_true", help="include internal indicators")
    li.set_defaults(func=_list)
    t = esub.add_parser("sjabloon", help="write the empty upload template of a soort")
    t.add_argument("soort", choices=SOORTEN)
    t.add_argument("--out", type=Path, required=True)
    t.set_defaults(func=_template)


def _editor(args):
    return command_line_editor(args.door or getpass.getuser())


def _fail(exc: Exception) -> int:
    print(f"FOUT: {exc}\nEr is niets gewijzigd in de database.", file=sys.stderr)
    return 2


def _define(args) -> int:
    url = args.url or settings.database_url()
    try:
        data, name = own.read(args.file)
        done = own.define_file(url, _editor(args), data, name)
    except (LoadError, OSError) as exc:
        return _fail(exc)
    for d in done:
        print(f"{d['id']}: {d['actie']} (versie {d['versie']})")
    return 0


def _load(args) -> int:
    url = args.url or settings.database_url()
    try:
        data, name = own.read(args.file)
        res = own.upload(url, _editor(args), args.indicator, data, name)
    except (LoadError, OSError) as exc:
        return _fail(exc)
    print(f"{res['rijen']} waarden geladen voor {args.indicator} (versie {res['versie']}), perioden "
          f"{', '.join(res['perioden'])}; {res['vervangen']} eerdere waarden vervangen.")
    return 0


def _list(args) -> int:
    df = own.figures(args.url or settings.database_url(), include_intern=args.intern)
    if df.empty:
        print("Geen eigen metingen.")
        return 0
    for r in df.to_dict("records"):
        if isinstance(r["weergave"], str):
            shown = r["weergave"]
        else:
            ci = ("" if r["ondergrens"] != r["ondergrens"] or r["ondergrens"] is None
                  else f" (95%: {fmt.number(r['ondergrens'], 1)}–{fmt.number(r['bovengrens'], 1)})")
            shown = f"{fmt.number(r['waarde'], 1)}{ci}"
        print(f"{r['indicator_id']:30} {r['gebiedscode']:12} {r['periode']:8} {shown}")
    return 0


def _template(args) -> int:
    args.out.write_bytes(own.template(args.soort))
    print(f"geschreven: {args.out}")
    return 0
