"""Use cases for the programme's own indicators (eigen metingen): define from a TOML file, upload values
from a CSV/Excel file, list them with their figures (value, 95% interval, suppression)."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pandas as pd

import sqlalchemy as sa

from loaders import own_indicators as own, repository, schema, store
from loaders.auth import Editor
from loaders.config import MAASTRICHT
from metrics.own import SUPPRESSED, figure, period_sort_key
from metrics.store import compute_own_into


def known_areas(url: str | None = None) -> set[str]:
    """Where own values may be given: the gemeente and its wijken and buurten (CBS codes)."""
    return repository.gemeente_area_codes(MAASTRICHT, url=url)


def recompute(conn, indicator_ids) -> None:
    """The metric-store step of every write of own measurements, in its transaction: the changed indicators'
    figures are computed again from the stored values (``None`` in the list: all of them, as after a restore),
    and a new build id makes every app process drop its cached figures."""
    for ident in indicator_ids:
        compute_own_into(conn, ident)
    if sa.inspect(conn).has_table(schema.build_info.name):
        store.set_info(conn, "build_id", uuid.uuid4().hex)


def define_file(url: str | None, editor: Editor, data: bytes, file_name: str) -> list[dict]:
    return define(url, editor, own.parse_definitions(data, file_name))


def define(url: str | None, editor: Editor, definitions: list) -> list[dict]:
    return own.define(url, editor, definitions, after_write=recompute)


def upload(url: str | None, editor: Editor, indicator_id: str, data: bytes, file_name: str,
           today: dt.date | None = None) -> dict:
    return own.load_values(url, editor, indicator_id, data, file_name, known_areas(url), today=today,
                           after_write=recompute)


def figures(url: str | None = None, include_intern: bool = False) -> pd.DataFrame:
    """Every stored value of the current definitions as a figure (value, interval, suppressed), sorted by
    indicator, area and period (quarters before their year)."""
    defs = own.list_indicators(url, include_intern=include_intern)
    vals = own.list_values(url)
    rows = []
    for d in defs.to_dict("records"):
        mine = vals[(vals["indicator_id"] == d["indicator_id"]) & (vals["version"] == d["version"])]
        for r in mine.to_dict("records"):
            f = figure(d["soort"], d["eenheid"], r)
            rows.append({"indicator_id": f.indicator_id, "versie": f.version, "label": d["label"],
                         "eenheid": d["eenheid"], "gebiedscode": f.area_code, "periode": f.periode,
                         "waarde": f.value, "ondergrens": f.lower, "bovengrens": f.upper,
                         "weergave": SUPPRESSED if f.suppressed else None, "basis": f.base,
                         "interval": f.method, "bron": d["bron"]})
    out = pd.DataFrame(rows, columns=["indicator_id", "versie", "label", "eenheid", "gebiedscode", "periode",
                                      "waarde", "ondergrens", "bovengrens", "weergave", "basis", "interval", "bron"])
    if out.empty:
        return out
    out["_k"] = out["periode"].map(period_sort_key)
    return out.sort_values(["indicator_id", "gebiedscode", "_k"]).drop(columns="_k").reset_index(drop=True)


def template(soort: str) -> bytes:
    return own.template_csv(soort)


def read(path: str | Path) -> tuple[bytes, str]:
    p = Path(path)
    return p.read_bytes(), p.name


def stored(url: str | None = None, include_intern: bool = False):
    """The current definitions (as models.own.OwnIndicator, public only unless ``include_intern``) and the
    stored figures of the metric store, for pages, exports and documents."""
    from models import own as own_model

    return own_model.visible(own.list_indicators(url, include_intern=True), repository.own_figures(url),
                             include_intern)


def export_rows(engine, url: str | None = None, include_intern: bool = False) -> pd.DataFrame:
    """The own measurements' export rows (metric export columns, with period and the 95% interval)."""
    from models import own as own_model

    inds, figs = stored(url, include_intern)
    return own_model.export_rows(inds, figs, engine.name, lambda c: engine.level.get(c, "gebied"))
