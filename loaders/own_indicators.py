"""The programme's own indicators (eigen metingen): definitions and uploaded values.

A definition (TOML, one ``[[indicator]]`` table each, Dutch keys) says what is measured, by whom and how often;
values come per soort from a ``;``-separated CSV or an Excel file with Dutch headers (see :data:`TEMPLATES`).
Validation is as strict as the StatLine import: every error names file, row and column, and nothing is written
unless the whole file is good. Writes are programme data (never dropped by a rebuild), each one in one
transaction with its change-log entries.

Redefining an indicator that already has values makes a new *version*: the old values stay with the definition
they were measured under, new uploads go to the new version (a trend never runs across versions).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd
import sqlalchemy as sa

from .auth import Editor, require_editor
from .db import select, transaction
from .errors import LoadError
from .migrations import change_log, own_indicators, own_values, uploads
from .readers import read_upload

PIJLERS = ("bestaanszekerheid", "positieve_gezondheid", "gelijke_kansen", "context")
# The six dimensions of Positieve Gezondheid (Huber, Institute for Positive Health)
DIMENSIES = ("lichaamsfuncties", "mentaal_welbevinden", "zingeving", "kwaliteit_van_leven", "meedoen",
             "dagelijks_functioneren")
SOORTEN = ("register", "steekproef", "score", "aantal")
EENHEDEN = {"register": ("percentage", "per_1000"), "steekproef": ("percentage",), "score": ("score",),
            "aantal": ("aantal",)}
RICHTINGEN = ("hoger_beter", "lager_beter", "neutraal")
ZICHTBAARHEID = ("openbaar", "intern")
FREQUENTIES = ("jaar", "kwartaal")
REQUIRED = ("id", "label", "pijler", "soort", "eenheid", "richting", "definitie", "bron", "frequentie")
OPTIONAL = ("dimensie", "zichtbaarheid")
# what identifies a definition's meaning; a change of any of these (or of the label) is a new version
DEFINITION_FIELDS = ("label", "pijler", "dimensie", "soort", "eenheid", "richting", "definitie", "bron",
                     "zichtbaarheid", "frequentie")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "register": ("gebiedscode", "periode", "teller", "noemer"),
    "steekproef": ("gebiedscode", "periode", "aandeel", "n"),
    "score": ("gebiedscode", "periode", "gemiddelde", "sd", "n"),
    "aantal": ("gebiedscode", "periode", "aantal"),
}
VALUE_COLUMNS = ("teller", "noemer", "aandeel", "n", "gemiddelde", "sd", "aantal")
SCORE_RANGE = (0.0, 10.0)  # Positieve Gezondheid scores and other 0–10 scales
ID_RE = re.compile(r"^[a-z][a-z0-9_]{2,59}$")
PERIOD_RE = re.compile(r"^(\d{4})(?:-K([1-4]))?$")
MAX_ROWS = 100_000
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Definition:
    id: str
    label: str
    pijler: str
    soort: str
    eenheid: str
    richting: str
    definitie: str
    bron: str
    frequentie: str
    dimensie: str | None = None
    zichtbaarheid: str = "openbaar"

    def fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in DEFINITION_FIELDS}


# ------------------------------------------------------------------------------------------ definitions

def _text(file: str, row: int, key: str, value: Any, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LoadError(file, f"'{key}' moet een niet-lege tekst zijn", row=row, column=key)
    value = value.strip()
    if len(value) > max_len:
        raise LoadError(file, f"'{key}' is langer dan {max_len} tekens", row=row, column=key)
    return value


def _choice(file: str, row: int, key: str, value: Any, options: Iterable[str]) -> str:
    options = tuple(options)
    if value not in options:
        shown = str(value)[:40] if value is not None else "(leeg)"
        raise LoadError(file, f"'{shown}' is geen geldige waarde voor '{key}' (kies uit {', '.join(options)})",
                        row=row, column=key)
    return value


def validate_definition(raw: Any, file: str = "definitie", row: int = 1) -> Definition:
    """One definition (a mapping with the Dutch keys) checked field by field; ``row`` is its position in the
    file (1 = the first ``[[indicator]]``)."""
    if not isinstance(raw, dict):
        raise LoadError(file, "een indicator moet een tabel met velden zijn", row=row)
    unknown = sorted(k for k in raw if k not in REQUIRED + OPTIONAL)
    if unknown:
        raise LoadError(file, f"onbekend veld: {', '.join(unknown)}", row=row, column=unknown[0])
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise LoadError(file, f"verplicht veld ontbreekt: {', '.join(missing)}", row=row, column=missing[0])
    ident = raw["id"]
    if not isinstance(ident, str) or not ID_RE.match(ident):
        raise LoadError(file, "'id' bestaat uit 3 tot 60 kleine letters, cijfers en '_' en begint met een letter",
                        row=row, column="id")
    soort = _choice(file, row, "soort", raw["soort"], SOORTEN)
    eenheid = _choice(file, row, "eenheid", raw["eenheid"], EENHEDEN[soort])
    pijler = _choice(file, row, "pijler", raw["pijler"], PIJLERS)
    dimensie = raw.get("dimensie")
    if dimensie is not None:
        dimensie = _choice(file, row, "dimensie", dimensie, DIMENSIES)
        if pijler != "positieve_gezondheid":
            raise LoadError(file, "een dimensie van Positieve Gezondheid hoort bij pijler 'positieve_gezondheid'",
                            row=row, column="dimensie")
    return Definition(
        id=ident, label=_text(file, row, "label", raw["label"], 120), pijler=pijler, soort=soort, eenheid=eenheid,
        richting=_choice(file, row, "richting", raw["richting"], RICHTINGEN),
        definitie=_text(file, row, "definitie", raw["definitie"], 4000),
        bron=_text(file, row, "bron", raw["bron"], 300),
        frequentie=_choice(file, row, "frequentie", raw["frequentie"], FREQUENTIES), dimensie=dimensie,
        zichtbaarheid=_choice(file, row, "zichtbaarheid", raw.get("zichtbaarheid", "openbaar"), ZICHTBAARHEID))


def parse_definitions(data: bytes, file_name: str) -> list[Definition]:
    """A definition file: ``[[indicator]]`` tables (TOML, UTF-8)."""
    if not data.strip():
        raise LoadError(file_name, "het bestand is leeg")
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LoadError(file_name, "het bestand is geen UTF-8-tekst") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(file_name, f"geen geldige TOML ({exc})") from exc
    extra = sorted(k for k in doc if k != "indicator")
    if extra:
        raise LoadError(file_name, f"onbekend onderdeel '{extra[0]}'; verwacht alleen [[indicator]]-tabellen",
                        column=extra[0])
    items = doc.get("indicator")
    if not isinstance(items, list) or not items:
        raise LoadError(file_name, "het bestand bevat geen [[indicator]]")
    defs = [validate_definition(item, file_name, i) for i, item in enumerate(items, start=1)]
    ids = [d.id for d in defs]
    for i, ident in enumerate(ids, start=1):
        if ids.index(ident) != i - 1:
            raise LoadError(file_name, f"indicator '{ident}' staat twee keer in het bestand", row=i, column="id")
    return defs


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _log(conn, editor: Editor, table: str, action: str, old, new) -> None:
    conn.execute(change_log.insert().values(
        at=_now(), user_name=editor.name, table_name=table, record_id=None, action=action,
        old_value=json.dumps(old, default=str, ensure_ascii=False) if old is not None else None,
        new_value=json.dumps(new, default=str, ensure_ascii=False) if new is not None else None))


def _current(conn, ident: str) -> dict | None:
    row = conn.execute(sa.select(own_indicators).where(own_indicators.c.indicator_id == ident,
                                                       own_indicators.c.current.is_(True))).mappings().first()
    return dict(row) if row else None


def define(url: str | None, editor: Editor, definitions: list[Definition], after_write=None) -> list[dict[str, Any]]:
    """Store definitions in one transaction. New → version 1; unchanged → nothing; changed without values →
    updated in place; changed with values → a new version. ``after_write(conn, ids)`` runs in the same
    transaction with the changed indicators (the metric-store step of the composition root). Returns what
    happened per indicator."""
    editor = require_editor(editor)
    now = _now()
    done = []
    with transaction(url) as conn:
        for d in definitions:
            cur = _current(conn, d.id)
            new = d.fields()
            if cur is None:
                conn.execute(own_indicators.insert().values(indicator_id=d.id, version=1, current=True,
                                                            created_by=editor.name, created_at=now, **new))
                _log(conn, editor, "own_indicators", "create", None, {"id": d.id, "versie": 1, **new})
                done.append({"id": d.id, "versie": 1, "actie": "nieuw"})
                continue
            old = {k: cur[k] for k in DEFINITION_FIELDS}
            if old == new:
                done.append({"id": d.id, "versie": cur["version"], "actie": "ongewijzigd"})
                continue
            has_values = conn.execute(sa.select(sa.func.count()).select_from(own_values).where(
                own_values.c.indicator_id == d.id, own_values.c.version == cur["version"])).scalar_one() > 0
            key = (own_indicators.c.indicator_id == d.id) & (own_indicators.c.version == cur["version"])
            if has_values:
                version = cur["version"] + 1
                conn.execute(own_indicators.update().where(key).values(current=False))
                conn.execute(own_indicators.insert().values(indicator_id=d.id, version=version, current=True,
                                                            created_by=editor.name, created_at=now, **new))
                action = "nieuwe versie"
            else:
                version = cur["version"]
                conn.execute(own_indicators.update().where(key).values(created_by=editor.name, created_at=now,
                                                                        **new))
                action = "bijgewerkt"
            _log(conn, editor, "own_indicators", "update", {"id": d.id, "versie": cur["version"], **old},
                 {"id": d.id, "versie": version, **new})
            done.append({"id": d.id, "versie": version, "actie": action})
        if after_write is not None and any(x["actie"] != "ongewijzigd" for x in done):
            after_write(conn, [x["id"] for x in done if x["actie"] != "ongewijzigd"])
    return done


def list_indicators(url: str | None = None, include_intern: bool = False, all_versions: bool = False) -> pd.DataFrame:
    stmt = sa.select(own_indicators).order_by(own_indicators.c.indicator_id, own_indicators.c.version)
    if not all_versions:
        stmt = stmt.where(own_indicators.c.current.is_(True))
    if not include_intern:
        stmt = stmt.where(own_indicators.c.zichtbaarheid == "openbaar")
    return select(stmt, url=url)


def get_definition(url: str | None, ident: str) -> Definition | None:
    df = select(sa.select(own_indicators).where(own_indicators.c.indicator_id == ident,
                                                own_indicators.c.current.is_(True)), url=url)
    if df.empty:
        return None
    r = df.iloc[0]
    return Definition(id=ident, **{k: (None if k == "dimensie" and (r[k] is None or r[k] != r[k]) else r[k])
                                   for k in DEFINITION_FIELDS})


# ----------------------------------------------------------------------------------------------- values

def template_csv(soort: str) -> bytes:
    """The empty upload template for one soort (header only, ``;``-separated, UTF-8)."""
    return (";".join(TEMPLATES[soort]) + "\n").encode("utf-8")


def _read(data: bytes, file_name: str) -> pd.DataFrame:
    df = read_upload(data, file_name)
    if df.empty:  # an Excel sheet with headers only (a CSV without rows is refused by the reader)
        raise LoadError(file_name, "het bestand bevat geen rijen")
    return df


def _number(file: str, row: int, col: str, raw: Any, integer: bool) -> float:
    text = str(raw).strip()
    if integer and text.endswith(".0") and text[:-2].isdigit():  # Excel stores whole numbers as floats
        text = text[:-2]
    if not text:
        raise LoadError(file, "leeg; verwacht een getal", row=row, column=col)
    if integer:
        if not re.fullmatch(r"-?\d{1,10}", text):
            raise LoadError(file, f"'{text[:40]}' is geen geheel getal", row=row, column=col)
        return int(text)
    if not re.fullmatch(r"-?\d{1,10}([.,]\d{1,10})?", text):
        raise LoadError(file, f"'{text[:40]}' is geen getal (gebruik een decimale komma, bijvoorbeeld 12,5)",
                        row=row, column=col)
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise LoadError(file, f"'{text[:40]}' is geen eindig getal", row=row, column=col)
    return value


def _period(file: str, row: int, raw: Any, frequentie: str, today: dt.date) -> str:
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    m = PERIOD_RE.match(text)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise LoadError(file, f"periode '{text[:40]}' is geen jaar (2025) of kwartaal (2025-K3)", row=row,
                        column="periode")
    year, quarter = int(m.group(1)), m.group(2)
    if frequentie == "kwartaal" and quarter is None:
        raise LoadError(file, f"periode '{text}': deze indicator wordt per kwartaal gemeten (bijvoorbeeld {year}-K1)",
                        row=row, column="periode")
    if frequentie == "jaar" and quarter is not None:
        raise LoadError(file, f"periode '{text}': deze indicator wordt per jaar gemeten (bijvoorbeeld {year})",
                        row=row, column="periode")
    start = dt.date(year, 1 + 3 * (int(quarter) - 1), 1) if quarter else dt.date(year, 1, 1)
    if start > today:
        raise LoadError(file, f"periode {text} is nog niet begonnen", row=row, column="periode")
    return text


def _check_row(file: str, r: int, soort: str, rec: dict[str, Any]) -> None:
    for col in ("teller", "noemer", "n", "aantal"):
        if col in rec:
            if rec[col] < 0:
                raise LoadError(file, f"{rec[col]} is negatief; verwacht 0 of meer", row=r, column=col)
            if rec[col] > MAX_COUNT:
                raise LoadError(file, f"{rec[col]} is onwaarschijnlijk groot", row=r, column=col)
    if soort == "register":
        if rec["noemer"] < 1:
            raise LoadError(file, "de noemer moet minstens 1 zijn", row=r, column="noemer")
        if rec["teller"] > rec["noemer"]:
            raise LoadError(file, f"teller {rec['teller']} is groter dan noemer {rec['noemer']}", row=r,
                            column="teller")
    if soort in ("steekproef", "score") and rec["n"] < 1:
        raise LoadError(file, "n (aantal respondenten) moet minstens 1 zijn", row=r, column="n")
    if soort == "steekproef" and not 0 <= rec["aandeel"] <= 100:
        raise LoadError(file, f"aandeel {rec['aandeel']:g} ligt niet tussen 0 en 100", row=r, column="aandeel")
    if soort == "score":
        lo, hi = SCORE_RANGE
        if not lo <= rec["gemiddelde"] <= hi:
            raise LoadError(file, f"gemiddelde {rec['gemiddelde']:g} ligt niet tussen {lo:g} en {hi:g}", row=r,
                            column="gemiddelde")
        if not 0 <= rec["sd"] <= hi - lo:
            raise LoadError(file, f"sd {rec['sd']:g} ligt niet tussen 0 en {hi - lo:g}", row=r, column="sd")


def parse_values(data: bytes, file_name: str, definition: Definition, known_areas: set[str],
                 today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate an upload for one indicator; rejects the whole file on the first error."""
    today = today or dt.date.today()
    df = _read(data, file_name)
    cols = TEMPLATES[definition.soort]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise LoadError(file_name, f"verplichte kolom ontbreekt: {', '.join(missing)} (sjabloon voor soort "
                        f"'{definition.soort}': {';'.join(cols)})", row=1, column=missing[0])
    extra = [c for c in df.columns if c not in cols]
    if extra:
        raise LoadError(file_name, f"onbekende kolom: {', '.join(extra)} (sjabloon voor soort "
                        f"'{definition.soort}': {';'.join(cols)})", row=1, column=extra[0])
    if len(df) > MAX_ROWS:
        raise LoadError(file_name, f"meer dan {MAX_ROWS} rijen; splits het bestand")
    out = []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(df.to_dict("records")):
        r = i + 2
        code = str(row["gebiedscode"]).strip()
        if code not in known_areas:
            raise LoadError(file_name, f"onbekende gebiedscode '{code[:40]}' (verwacht een CBS-code van een buurt "
                            "of wijk van de gemeente, of de gemeente zelf)", row=r, column="gebiedscode")
        periode = _period(file_name, r, row["periode"], definition.frequentie, today)
        key = (code, periode)
        if key in seen:
            raise LoadError(file_name, f"{code} {periode} staat al in rij {seen[key]} van dit bestand", row=r,
                            column="periode")
        seen[key] = r
        rec: dict[str, Any] = {"area_code": code, "periode": periode}
        for c in cols[2:]:
            rec[c] = _number(file_name, r, c, row[c], integer=c in ("teller", "noemer", "n", "aantal"))
        _check_row(file_name, r, definition.soort, rec)
        out.append(rec)
    res = pd.DataFrame(out)
    for c in VALUE_COLUMNS:
        if c not in res:
            res[c] = None
    return res[["area_code", "periode", *VALUE_COLUMNS]]


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in rec.items():
        if v is None or (isinstance(v, float) and v != v):
            out[k] = None
        elif k in ("teller", "noemer", "n", "aantal"):
            out[k] = int(v)
        elif k in ("aandeel", "gemiddelde", "sd"):
            out[k] = float(v)
        else:
            out[k] = v
    return out


def load_values(url: str | None, editor: Editor, indicator_id: str, data: bytes, file_name: str,
                known_areas: set[str], today: dt.date | None = None, after_write=None) -> dict[str, Any]:
    """Validate an upload and store it in one transaction. A period already present is replaced as a whole
    (old and new values in the change log). ``after_write(conn, [indicator_id])`` runs in the same transaction
    (the metric-store step of the composition root). Returns counts."""
    editor = require_editor(editor)
    definition = get_definition(url, indicator_id)
    if definition is None:
        raise LoadError(file_name, f"indicator '{indicator_id[:60]}' bestaat niet; definieer hem eerst")
    df = parse_values(data, file_name, definition, known_areas, today)
    now = _now()
    with transaction(url) as conn:
        version = _current(conn, indicator_id)["version"]
        periods = sorted(set(df["periode"]))
        sel = sa.select(own_values).where(own_values.c.indicator_id == indicator_id,
                                          own_values.c.version == version, own_values.c.periode.in_(periods))
        old = [dict(r) for r in conn.execute(sel.order_by(own_values.c.periode, own_values.c.area_code)).mappings()]
        if old:
            conn.execute(own_values.delete().where(own_values.c.id.in_([r["id"] for r in old])))
        uid = conn.execute(uploads.insert().values(
            file_name=file_name[:300], file_sha256=hashlib.sha256(data).hexdigest(), n_rows=len(df),
            uploaded_by=editor.name, uploaded_at=now).returning(uploads.c.id)).scalar_one()
        recs = [dict(_clean(r), indicator_id=indicator_id, version=version, upload_id=uid, created_by=editor.name,
                     created_at=now) for r in df.to_dict("records")]
        conn.execute(own_values.insert(), recs)

        def _shown(rows):
            return [{k: v for k, v in _clean({c: r.get(c) for c in ("area_code", "periode", *VALUE_COLUMNS)}).items()
                     if v is not None} for r in rows]

        _log(conn, editor, "own_values", "upload", {"indicator": indicator_id, "versie": version, "waarden": _shown(old)}
             if old else None, {"indicator": indicator_id, "versie": version, "bestand": file_name,
                                "waarden": _shown(recs)})
        if after_write is not None:
            after_write(conn, [indicator_id])
    return {"rijen": len(df), "perioden": periods, "vervangen": len(old), "versie": version}


def list_values(url: str | None = None, indicator_id: str | None = None) -> pd.DataFrame:
    stmt = sa.select(own_values).order_by(own_values.c.indicator_id, own_values.c.version, own_values.c.periode,
                                          own_values.c.area_code)
    if indicator_id is not None:
        stmt = stmt.where(own_values.c.indicator_id == indicator_id)
    return select(stmt, url=url)
