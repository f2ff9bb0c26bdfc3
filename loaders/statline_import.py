"""Load a table a user downloaded from StatLine: "CSV met statistische symbolen" or an Excel export.

``python -m wijkmonitor import FILE`` and the editors' upload on the Data page (:func:`import_file`).

The export has one header row with the full topic path and unit, e.g.
``"Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)"``, dimension columns (``Wijken en buurten``,
``Perioden``, ``Leeftijd``, ``Marges``), ``;`` as separator and possibly comma decimals (``1,9``).
Cells: ``.`` = geheim/onbekend, ``x`` = geheim, empty = ontbreekt, ``-`` = nihil (a real zero).
Title lines above the header and source lines below the data (``Bron: CBS``) are skipped.

Mapping and validation are the refresh's: the header is matched to the table's DataProperties (the
85984NED metadata in data/, or a table fetched earlier into the refresh cache) by its path and title, the
variable is the key without its numeric suffix, and the rows go through the same checks and the same
single-transaction write (:func:`loaders.refresh.apply`), staged so a rebuild re-applies them.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import TOTAL_AGE
from .db import get_engine
from .errors import LoadError
from .readers import read_json
from .cbs import (AGE_TITLES, KWB_TABLES, PUBLISHER, Batch, TableSpec, default_cache_dir, default_tables,
                  frame_to_batch, kwb_spec, margin_role, norm_code, norm_title, norm_unit, units_match,
                  variables_to_load)
from .staging import apply, require_built
from .variables import registry
from .settings import DATA_DIR
from .sources import DATA_PROPERTIES_2024, LICENCE, statline_key
from .variables import HEALTH

DIMENSION_HEADERS = {"wijken en buurten": "name", "regio's": "name", "regios": "name", "perioden": "period",
                     "leeftijd": "age", "marges": "margin"}
REGION_TITLES = {"codering": "code", "soort regio": "soort", "gemeentenaam": "gemeente"}
HEADER = re.compile(r"^(?P<path>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
# The dataportal/OData CSV export has the OData keys as header ("ID";"WijkenEnBuurten";"Codering_3";…).
KEY_HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*_\d+$")
REGION_KEYS = {"Codering": "code", "SoortRegio": "soort", "Gemeentenaam": "gemeente"}
KEY_DIMENSIONS = {"ID", "WijkenEnBuurten", "RegioS", "Regios"}


@dataclass
class ImportSummary:
    source_key: str
    table_id: str
    rows: int
    observations: int
    superseded: int
    years: list[int]
    mapped: dict[str, str]
    warnings: list[str]

    def message(self) -> str:
        years = ", ".join(map(str, self.years))
        txt = (f"StatLine-export van {self.table_id} geladen: {self.rows} rijen, {self.observations} waarnemingen "
               f"({years}), {len(set(self.mapped.values()))} onderwerpen")
        if self.superseded:
            txt += f"; {self.superseded} oudere cellen van dezelfde tabel vervangen"
        return txt + "."


# ---------------------------------------------------------------------------------------------- reading

def _decode(raw: bytes, file: str, warnings: list[str]) -> str:
    if not raw.strip():
        raise LoadError(file, "het bestand is leeg")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise LoadError(file, "het bestand is geen tekst- of Excelbestand (binaire inhoud)",
                        row=raw[:nul].count(b"\n") + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append("het bestand is geen UTF-8; gelezen als Windows-1252")
        return raw.decode("cp1252", errors="replace")


def _csv_rows(raw: bytes, file: str, warnings: list[str]) -> list[list[str]]:
    text = _decode(raw, file, warnings)
    lines = text.splitlines()
    probe = next((ln for ln in lines if ln.count(";") + ln.count(",") + ln.count("\t") >= 2), lines[0])
    delim = max([";", ",", "\t"], key=probe.count)
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
    rows = []
    try:
        for r in reader:
            rows.append(r)
    except csv.Error as exc:
        raise LoadError(file, f"het bestand is geen geldige CSV ({exc}); verkeerd scheidingsteken of "
                        "aanhalingstekens?", row=reader.line_num) from exc
    return rows


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def _xlsx_rows(raw: bytes, file: str) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise LoadError(file, f"het Excel-bestand kan niet worden gelezen ({type(exc).__name__}); sla het opnieuw "
                        "op als .xlsx of gebruik de CSV-export") from exc
    try:
        best: list[list[str]] = []
        for ws in wb.worksheets:  # the data sheet is the one with the most rows
            rows = [[_cell(c) for c in r] for r in ws.iter_rows(values_only=True)]
            if len(rows) > len(best):
                best = rows
        return best
    finally:
        wb.close()


def _is_header(row: list[str]) -> bool:
    cells = [c.strip().lower() for c in row if c.strip()]
    if len(cells) < 2:
        return False
    return (any(c in DIMENSION_HEADERS for c in cells) or sum(bool(HEADER.match(c)) for c in cells) >= 2
            or sum(bool(KEY_HEADER.match(c.strip())) for c in row) >= 3)


def _table_rows(rows: list[list[str]], file: str) -> tuple[list[str], list[list[str]], int, list[str]]:
    """(header, data rows, line number of the header, title lines) with titles and footers removed."""
    titles = []
    start = None
    for i, r in enumerate(rows):
        if _is_header(r):
            start = i
            break
        if any(c.strip() for c in r):
            titles.append(" ".join(c.strip() for c in r if c.strip()))
    if start is None:
        raise LoadError(file, "geen kopregel van een StatLine-export gevonden (verwacht kolommen als 'Wijken en "
                        "buurten' en onderwerpen met eenheid, bijv. 'Bevolking/Aantal inwoners (aantal)')", row=1)
    header = [re.sub(r"\s+", " ", h).strip() for h in rows[start]]
    while header and not header[-1]:
        header.pop()
    data = rows[start + 1:]
    # drop trailing footer lines ('Bron: CBS', empty lines): rows with at most one filled cell at the end
    while data and sum(bool(c.strip()) for c in data[-1]) <= 1:
        data.pop()
    return header, data, start + 1, titles


# ---------------------------------------------------------------------------------------------- mapping

def _props_paths(props: list[dict]) -> dict[str, dict]:
    """Normalised 'path/title (unit)' and 'title (unit)' → topic entry."""
    by_id = {p.get("ID"): p for p in props}
    exact, short = {}, {}
    for p in props:
        if p.get("Type") != "Topic" or not p.get("Key"):
            continue
        parts = [norm_title(p.get("Title"))]
        parent = p.get("ParentID")
        while parent is not None and parent in by_id:
            parts.insert(0, norm_title(by_id[parent].get("Title")))
            parent = by_id[parent].get("ParentID")
        unit = norm_unit(p.get("Unit"))
        exact["/".join(parts) + f"|{unit}"] = p
        short.setdefault(parts[-1] + f"|{unit}", []).append(p)
    return {"exact": exact, "short": short}


def _local_props(table_id: str) -> list[dict] | None:
    """DataProperties of the table if we have them offline: data/ or an earlier refresh."""
    if table_id == "85984NED":
        return read_json(DATA_DIR / DATA_PROPERTIES_2024)  # type: ignore[return-value]
    for path in sorted(default_cache_dir().glob(f"{table_id}/*/*/DataProperties.json"), reverse=True):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data.get("value", data) if isinstance(data, dict) else data
        except (OSError, json.JSONDecodeError):
            continue
    return None


def _reference_props() -> list[dict]:
    """Topics we can match by title when the table's own metadata is not available: the 85984NED
    DataProperties (with their group paths) and the 50090NED health topics."""
    props = list(read_json(DATA_DIR / DATA_PROPERTIES_2024))  # type: ignore[arg-type]
    for i, (code, title) in enumerate(HEALTH.items()):
        props.append({"ID": f"h{i}", "ParentID": None, "Type": "Topic", "Key": code, "Title": title, "Unit": "%"})
    return props


def map_headers(header: list[str], table_id: str, reg: dict[str, dict],
                wanted: set[str]) -> tuple[dict[int, str], dict[int, str], list[str]]:
    """(column index → role for dimensions/region columns, column index → variable, warnings).

    ``wanted`` (see :func:`loaders.cbs.variables_to_load`) limits a header of OData keys to those variables."""
    if sum(bool(KEY_HEADER.match(h.strip())) for h in header) >= 3:
        return _map_key_headers(header, reg, wanted)
    props = _local_props(table_id)
    own = props is not None
    idx = _props_paths(props if own else _reference_props())
    roles: dict[int, str] = {}
    mapped: dict[int, str] = {}
    unmapped = []
    for i, h in enumerate(header):
        low = h.strip().lower()
        if low in DIMENSION_HEADERS:
            roles[i] = DIMENSION_HEADERS[low]
            continue
        m = HEADER.match(h)
        if not m:
            if h.strip():
                unmapped.append(h)
            continue
        path = [norm_title(x) for x in m.group("path").split("/")]
        unit = norm_unit(m.group("unit"))
        if path[-1] in REGION_TITLES and (len(path) == 1 or path[0] == "regioaanduiding"):
            roles[i] = REGION_TITLES[path[-1]]
            continue
        p = idx["exact"].get("/".join(path) + f"|{unit}")
        if p is None:
            cands = idx["short"].get(path[-1] + f"|{unit}", [])
            p = cands[0] if len(cands) == 1 else None
        var = statline_key(p["Key"]) if p else None
        if var and var in reg and units_match(reg[var]["unit"], p.get("Unit")):
            mapped[i] = var
        else:
            unmapped.append(h)
    warnings = []
    if unmapped:
        warnings.append("kolommen niet herkend en niet geladen: " + "; ".join(unmapped))
    if not own:
        warnings.append(f"geen metadata van {table_id} beschikbaar: kolommen herkend op titel en eenheid")
    return roles, mapped, warnings


def _map_key_headers(header: list[str], reg: dict[str, dict],
                     wanted: set[str]) -> tuple[dict[int, str], dict[int, str], list[str]]:
    """OData keys as header: the variable is the key without its numeric suffix (as in the refresh), also when
    CBS changed its capitals (``NettoArbeidsparticipatie_67``); only the ``wanted`` variables."""
    lower = {v.lower(): v for v in wanted}
    roles: dict[int, str] = {}
    mapped: dict[int, str] = {}
    unused = 0
    for i, h in enumerate(header):
        key = h.strip()
        base = statline_key(key)
        if key in KEY_DIMENSIONS:
            continue  # row number / padded region key: the code comes from Codering
        if KEY_HEADER.match(key) and base in REGION_KEYS:
            roles[i] = REGION_KEYS[base]
        elif KEY_HEADER.match(key) and lower.get(base.lower()) in reg:
            mapped[i] = lower[base.lower()]
        else:
            unused += 1
    warnings = [f"OData-sleutels als kopregel: kolommen gekoppeld op sleutel zonder volgnummer; {unused} kolommen "
                "worden niet gebruikt door de wijkmonitor"] if unused else []
    return roles, mapped, warnings


# ---------------------------------------------------------------------------------------------- table id

def detect_table(filename: str, titles: list[str], table_id: str | None) -> TableSpec:
    known = {s.table_id: s for s in default_tables()}
    tid = (table_id or "").strip().upper()
    if not tid:
        for text in [Path(filename).name, *titles]:
            m = re.search(r"(\d{5}NED)", text, re.I)
            if m:
                tid = m.group(1).upper()
                break
    if not tid:
        for text in [Path(filename).stem.replace("_", " "), *titles]:
            m = re.search(r"Kerncijfers wijken en buurten (\d{4})", text, re.I)
            if m and int(m.group(1)) in KWB_TABLES:
                tid = KWB_TABLES[int(m.group(1))]
                break
    if not tid:
        raise LoadError(filename, "kan niet bepalen uit welke CBS-tabel dit bestand komt; geef het tabelnummer op "
                        "(bijv. 85984NED) of laat het in de bestandsnaam staan")
    if tid in known:
        return known[tid]
    year = next((y for y, t in KWB_TABLES.items() if t == tid), None)
    return kwb_spec(year, tid) if year else TableSpec(tid, "other", "CBS", title=tid)


# ---------------------------------------------------------------------------------------------- parsing

def _clean_value(v: str) -> str:
    t = (v or "").strip().replace("\xa0", "").replace(" ", "")
    if t.lower() == "x":
        return "."
    if t == "-":
        return "0"
    if re.fullmatch(r"-?\d+,\d+", t):
        return t.replace(",", ".")
    return t


def parse_export(raw: bytes, filename: str, table_id: str | None = None, *, wanted: Iterable[str]) -> Batch:
    """Read and validate an export into a Batch (no database access). Raises LoadError naming row/column.

    ``wanted`` are the variables the caller's metrics read (see :func:`import_file`)."""
    file = Path(filename).name
    warnings: list[str] = []
    is_xlsx = raw[:4] == b"PK\x03\x04" or file.lower().endswith((".xlsx", ".xlsm"))
    rows = _xlsx_rows(raw, file) if is_xlsx else _csv_rows(raw, file, warnings)
    if not rows:
        raise LoadError(file, "het bestand is leeg")
    header, data, header_line, titles = _table_rows(rows, file)
    spec = detect_table(file, titles, table_id)
    reg = registry()
    roles, mapped, warns = map_headers(header, spec.table_id, reg, variables_to_load(wanted))
    warnings += warns
    if not mapped:
        raise LoadError(file, "geen enkele kolom herkend als onderwerp van de wijkmonitor; is dit een StatLine-"
                        f"export van {spec.table_id}?", row=header_line)
    col = {role: i for i, role in roles.items()}
    if "code" not in col:
        raise LoadError(file, "kolom 'Regioaanduiding/Codering (code)' ontbreekt: kies bij het downloaden in StatLine "
                        "ook het onderwerp Regioaanduiding > Codering", row=header_line)
    if not data:
        raise LoadError(file, "het bestand bevat alleen een kopregel, geen gegevens", row=header_line)
    data, rown = _data_lines(data, len(header), header_line, is_xlsx, file)
    codes = [norm_code(r[col["code"]]) for r in data]
    df = pd.DataFrame({"code": codes, "_row": rown})
    if "soort" in col:
        df["soort"] = [r[col["soort"]].strip() or None for r in data]
    keep = _add_dimension_columns(df, data, col, header, header_line, spec, file, warnings)
    keys = {}
    present = {}
    for i, var in mapped.items():
        key = header[i]
        keys[key] = var
        df[key] = [_clean_value(r[i]) for r in data]
        present[key] = np.ones(int(keep.sum()), dtype=bool)
    names = {}
    if "name" in col:
        for r, c in zip(data, codes):
            names.setdefault(c, r[col["name"]].strip())
    df = df[keep].reset_index(drop=True)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    source = _export_source(raw, file, spec, titles, sorted(set(int(y) for y in df["year"])), is_xlsx, len(df), now)
    batch = frame_to_batch(df, present, file=file, spec=spec, mapping=keys, units={}, reg=reg, names=names,
                           source=source, kind="import", modified=None, fetched_at=now, coverage=[],
                           warnings=warnings, code_column=header[col["code"]],
                           soort_column=header[col["soort"]] if "soort" in col else None)
    batch.n_rows = len(df)
    return batch


def _data_lines(data: list[list[str]], n: int, header_line: int, is_xlsx: bool,
                file: str) -> tuple[list[list[str]], np.ndarray]:
    """The non-empty data rows, each with ``n`` fields (empty trailing fields dropped, short Excel rows padded),
    and their line numbers in the file; a CSV row with another number of fields is a LoadError."""
    pairs = [(header_line + j + 1, r) for j, r in enumerate(data) if any(c.strip() for c in r)]
    for line, r in pairs:
        while len(r) > n and not r[-1].strip():
            r.pop()
        if len(r) != n and not (is_xlsx and len(r) < n):
            raise LoadError(file, f"{len(r)} velden in plaats van {n} (verkeerd scheidingsteken of afgebroken regel?)",
                            row=line)
    return [r + [""] * (n - len(r)) for _, r in pairs], np.array([line for line, _ in pairs])


def _add_dimension_columns(df: pd.DataFrame, data: list[list[str]], col: dict[str, int], header: list[str],
                           header_line: int, spec: TableSpec, file: str, warnings: list[str]) -> np.ndarray:
    """Add the year, age_group and role (value/lower/upper) of every data row to ``df``; returns which rows to
    keep (age groups and margin members the wijkmonitor does not know are left out, with a warning for ages)."""
    if "period" in col:
        years = []
        for j, r in enumerate(data):
            m = re.match(r"^\s*(\d{4})\s*\*{0,2}\s*$", r[col["period"]])
            if not m:
                raise LoadError(file, f"periode '{r[col['period']]}' is geen jaar", row=int(df["_row"].iloc[j]),
                                column=header[col["period"]])
            years.append(int(m.group(1)))
        df["year"] = years
    elif spec.year is not None:
        df["year"] = spec.year
    else:
        raise LoadError(file, "kolom 'Perioden' ontbreekt en de tabel heeft geen vast jaar", row=header_line)
    keep = np.ones(len(data), dtype=bool)
    if "age" in col:
        ages = [AGE_TITLES.get(norm_title(r[col["age"]])) for r in data]
        unknown = sorted({r[col["age"]] for r, a in zip(data, ages) if a is None})
        if unknown:
            warnings.append(f"leeftijdsgroepen niet geladen: {', '.join(unknown)}")
        keep &= np.array([a is not None for a in ages])
        df["age_group"] = [a or "" for a in ages]
    else:
        df["age_group"] = TOTAL_AGE
    if "margin" in col:
        roles_m = [margin_role("", r[col["margin"]]) for r in data]
        keep &= np.array([x is not None for x in roles_m])
        df["role"] = [x or "" for x in roles_m]
    else:
        df["role"] = "value"
    return keep


def _export_source(raw: bytes, file: str, spec: TableSpec, titles: list[str], years: list[int], is_xlsx: bool,
                   n_rows: int, now: dt.datetime) -> dict:
    """The ``sources`` row of an uploaded export: one per file content (its hash is in the key)."""
    sha = hashlib.sha256(raw).hexdigest()
    fmt = "Excel" if is_xlsx else "CSV met statistische symbolen"
    return {
        "source_key": f"{spec.table_id}-import-{sha[:10]}", "publisher": PUBLISHER.get(spec.catalog, PUBLISHER["CBS"]),
        "table_id": spec.table_id, "title": spec.title or (titles[0] if titles else spec.table_id),
        "period": ", ".join(map(str, years)), "licence": LICENCE, "file_name": file, "file_sha256": sha,
        "loaded_at": now,
        "notes": f"StatLine-export ({fmt}) geüpload op {now:%Y-%m-%d %H:%M} UTC; {n_rows} rijen.",
    }


def import_file(url: str | None, path_or_bytes: str | Path | bytes, filename: str | None = None,
                table_id: str | None = None, *, derive, wanted: Iterable[str]) -> ImportSummary:
    """Validate an export and write it in one transaction (staged, so a rebuild re-applies it).

    ``wanted`` are the variables the caller's metrics read (the composition roots pass
    :func:`metrics.variables.needed_variables`); ``derive`` recomputes the metric store (see loaders.pipeline).
    On a bad file raises LoadError (file, row, column in Dutch); the database is then unchanged.
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        raw = bytes(path_or_bytes)
        name = filename or "upload.csv"
    else:
        path = Path(path_or_bytes)
        if not path.exists():
            raise LoadError(str(path), "bestand niet gevonden")
        raw = path.read_bytes()
        name = filename or path.name
    batch = parse_export(raw, name, table_id, wanted=wanted)
    engine = get_engine(url)
    require_built(engine)
    counts = apply(engine, [batch], derive=derive)
    return ImportSummary(source_key=batch.source_key, table_id=batch.table_id, rows=batch.n_rows,
                         observations=counts["observations"], superseded=counts["superseded"],
                         years=sorted(set(int(y) for y in batch.observations["year"])), mapped=batch.mapping,
                         warnings=batch.warnings)
