"""CBS open data, shared by both clients (OData v3 in :mod:`loaders.refresh`, OData 4 in :mod:`loaders.odata4`)
and the StatLine export import (:mod:`loaders.statline_import`): which tables, the batch a table becomes, the
mapping of columns to variables by key without the numeric suffix (title as fallback), parsing and validation
of a fetched table, errors and the download cache.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import settings
from .codes import (CODE_RE, NATIONAL_MIN_GEMEENTEN, NL_CODE, NL_CODE_STATLINE, SOORT_TO_LEVEL, TOTAL_AGE,
                    check_range, clean_name)
from .config import DETAIL_GEMEENTEN
from .errors import LoadError
from .readers import MISSING, to_numeric_statline
from .settings import ROOT
from .sources import CBS, HEALTH_NATIONAL, KWB, LICENCE, RIVM, statline_key

# ---------------------------------------------------------------------------------------------- tables

ENDPOINTS = {"CBS": "https://opendata.cbs.nl", "RIVM": "https://dataderden.cbs.nl",
             "ODATA4": "https://odata4.cbs.nl"}  # OData 4 (loaders/odata4.py), CBS catalog only
# The settings that point each endpoint at a mirror or proxy (empty: the public CBS address above).
ENDPOINT_SETTINGS = {"CBS": "WIJKMONITOR_CBS_ODATA3_URL", "RIVM": "WIJKMONITOR_CBS_DATADERDEN_URL",
                     "ODATA4": "WIJKMONITOR_CBS_ODATA4_URL"}
PUBLISHER = {"CBS": CBS, "RIVM": RIVM}
DEFAULT_GEMEENTEN = DETAIL_GEMEENTEN  # the programme's gemeenten (config/programme.toml)
DEFAULT_TIMEOUT = (5.0, 120.0)  # (connect, read) seconds: no network → fails within seconds


def configured_endpoints() -> dict[str, str]:
    """The endpoints a refresh talks to: the public CBS addresses, each replaced by its setting when set.
    Sources keep the public address as provenance; only the transport goes through the mirror."""
    return {k: (settings.get(ENDPOINT_SETTINGS[k]).strip() or v) for k, v in ENDPOINTS.items()}

# Kerncijfers wijken en buurten: one table per year (peiljaar = indeling year).
KWB_TABLES = {
    2013: "82339NED", 2014: "82931NED", 2015: "83220NED", 2016: "83487NED", 2017: "83765NED",
    2018: "84286NED", 2019: "84583NED", 2020: "84799NED", 2021: "85039NED", 2022: "85318NED",
    2023: "85618NED", 2024: "85984NED", 2025: "86165NED",
}
KWB_TITLE = re.compile(r"^Kerncijfers wijken en buurten (\d{4})\s*$")


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    kind: str  # kwb | health | crime
    catalog: str = "CBS"  # CBS (opendata.cbs.nl) | RIVM (dataderden.cbs.nl)
    year: int | None = None  # observation year of a table without a Perioden dimension
    indeling_year: int | None = None  # None: the observation year
    typed: bool = True  # TypedDataSet (numbers) or UntypedDataSet (text with '.' for suppressed)
    fixed: tuple[tuple[str, str, str], ...] = ()  # (dimension, key, title) to keep, e.g. the crime total
    replaces: tuple[str, ...] = ()  # older tables whose overlapping cells this one supersedes
    title: str = ""


def kwb_spec(year: int, table_id: str | None = None) -> TableSpec:
    return TableSpec(table_id or KWB_TABLES[year], "kwb", "CBS", year=year, indeling_year=year,
                     title=f"Kerncijfers wijken en buurten {year}")


HEALTH_TABLES = [
    # UntypedDataSet keeps the difference between '.' (geheim) and empty (ontbreekt) of the model estimates.
    TableSpec("50090NED", "health", "RIVM", indeling_year=2020, typed=False,
              title="Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)"),
    TableSpec("50120NED", "health", "RIVM", indeling_year=2022, typed=False, replaces=("50090NED",),
              title="Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)"),
]
CRIME_TABLES = [
    TableSpec("47018NED", "crime", "RIVM", typed=True, fixed=(("SoortMisdrijf", "0.0.0", "Totaal misdrijven"),),
              title="Geregistreerde misdrijven; soort misdrijf, wijk en buurt"),
]


def default_tables() -> list[TableSpec]:
    return [kwb_spec(y) for y in sorted(KWB_TABLES)] + HEALTH_TABLES + CRIME_TABLES


def resolve_tables(tables: Sequence[str | TableSpec] | None) -> list[TableSpec]:
    """Table ids (``'84799NED'``) or specs → specs. Unknown ids are treated as a KWB table."""
    if not tables:
        return default_tables()
    known = {s.table_id: s for s in default_tables()}
    out = []
    for t in tables:
        if isinstance(t, TableSpec):
            out.append(t)
        elif t.upper() in known:
            out.append(known[t.upper()])
        else:
            raise RefreshError(f"Onbekende tabel '{t}'. Bekend zijn: {', '.join(sorted(known))} "
                               "(gebruik --ontdek om nieuwere jaargangen van Kerncijfers wijken en buurten te vinden).")
    return out


BOUNDARY_FLAG = "IndelingswijzigingGemeenteWijkBuurt"  # CBS's flag for changed boundaries (loaders.boundaries)


def variables_to_load(wanted: Iterable[str]) -> set[str]:
    """The variables a refresh or import loads: those the caller's metrics read (``wanted``, e.g.
    :func:`metrics.variables.needed_variables`), CBS's boundary flag and every column of the shipped sources."""
    out: set[str] = {BOUNDARY_FLAG, *wanted}
    for src in [*KWB, HEALTH_NATIONAL]:
        out.update(src.columns.values())
    return out


REGION_TOPICS = {"Gemeentenaam", "SoortRegio", "Codering"}
# Published values that can be below zero although their unit ('x 1 000 euro') usually is not: the median wealth
# of households is negative in some buurten (e.g. -0.2 in a 2019 buurt of 's-Gravenhage, 84583NED).
MAY_BE_NEGATIVE = {"MediaanVermogenVanParticuliereHuish"}
AGE_TITLES = {"18 jaar of ouder": "18+", "18 tot 65 jaar": "18-64", "65 jaar of ouder": "65+",
              "totaal": TOTAL_AGE}

# ---------------------------------------------------------------------------------------------- errors


class RefreshError(RuntimeError):
    """The refresh stopped; the message (Dutch) is safe to show. The database is unchanged."""


class OfflineError(RefreshError):
    """No connection to CBS at all."""


# ---------------------------------------------------------------------------------------------- batches

OBS_COLS = ["area_code", "year", "variable_code", "age_group", "value", "status"]
MARGIN_COLS = ["area_code", "year", "variable_code", "age_group", "lower", "upper"]


@dataclass
class Batch:
    """One table's worth of validated rows, ready to be written (refresh or import)."""

    source: dict
    kind: str
    table_id: str
    modified: str | None
    fetched_at: dt.datetime
    observations: pd.DataFrame
    margins: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MARGIN_COLS))
    areas: list[dict] = field(default_factory=list)  # code, name, indeling_year
    variables: dict[str, dict] = field(default_factory=dict)
    coverage: list[str] = field(default_factory=list)  # code prefixes listed completely (boundary checks)
    replaces: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)  # column key / header → variable
    warnings: list[str] = field(default_factory=list)
    n_rows: int = 0  # rows read (after dropping unknown age groups / margins)

    @property
    def source_key(self) -> str:
        return self.source["source_key"]

    def to_payload(self) -> bytes:
        src = {**self.source, "loaded_at": self.source["loaded_at"].isoformat()}
        obj = {
            "source": src, "kind": self.kind, "table_id": self.table_id, "modified": self.modified,
            "fetched_at": self.fetched_at.isoformat(), "areas": self.areas, "variables": self.variables,
            "coverage": self.coverage, "replaces": list(self.replaces), "mapping": self.mapping,
            "warnings": self.warnings,
            "observations": {c: _jsonable(self.observations[c]) for c in OBS_COLS},
            "margins": {c: _jsonable(self.margins[c]) for c in MARGIN_COLS},
        }
        return gzip.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)

    @classmethod
    def from_payload(cls, data: bytes) -> "Batch":
        obj = json.loads(gzip.decompress(data).decode("utf-8"))
        src = {**obj["source"], "loaded_at": dt.datetime.fromisoformat(obj["source"]["loaded_at"])}
        obs = pd.DataFrame(obj["observations"], columns=OBS_COLS)
        obs["value"] = pd.to_numeric(obs["value"], errors="coerce").astype(float)
        mar = pd.DataFrame(obj["margins"], columns=MARGIN_COLS)
        for c in ("lower", "upper"):
            mar[c] = pd.to_numeric(mar[c], errors="coerce").astype(float)
        return cls(source=src, kind=obj["kind"], table_id=obj["table_id"], modified=obj["modified"],
                   fetched_at=dt.datetime.fromisoformat(obj["fetched_at"]), observations=obs, margins=mar,
                   areas=obj["areas"], variables=obj["variables"], coverage=obj["coverage"],
                   replaces=tuple(obj["replaces"]), mapping=obj["mapping"], warnings=obj["warnings"])


def _jsonable(s: pd.Series) -> list:
    if s.dtype.kind == "f":
        return [None if np.isnan(v) else float(v) for v in s.to_numpy(dtype=float)]
    if s.dtype.kind in "iu":
        return [int(v) for v in s]
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in s.tolist()]


# ---------------------------------------------------------------------------------------------- mapping

def norm_title(t: str | None) -> str:
    return re.sub(r"\s+", " ", (t or "").replace("\xa0", " ")).strip().lower()


def norm_unit(u: str | None) -> str:
    return re.sub(r"\s+", " ", (u or "").replace("\xa0", " ")).strip().lower().replace(".", " ").replace("  ", " ")


def units_match(a: str | None, b: str | None) -> bool:
    na, nb = norm_unit(a), norm_unit(b)
    return not na or not nb or na == nb or na == "-" or nb == "-"


def map_columns(props: list[dict], wanted: set[str], reg: dict[str, dict]) -> tuple[dict[str, str], list[str]]:
    """Topic key → variable code, by the key without its numeric suffix, else by (unique) title.

    Returns (mapping, warnings). A column whose unit differs from the registry unit is not mapped (warning).
    """
    topics = [p for p in props if p.get("Type") == "Topic" and p.get("Key")]
    by_base: dict[str, list[dict]] = defaultdict(list)
    for p in topics:
        by_base[statline_key(p["Key"])].append(p)
    mapping: dict[str, str] = {}
    warnings: list[str] = []
    for var in sorted(wanted):
        cands = by_base.get(var, [])
        how = "sleutel"
        if not cands:  # same key in other capitals (NettoArbeidsparticipatie_67 in 2020, Nettoarbeids… in 2024)
            cands = [p for base, ps in by_base.items() if base.lower() == var.lower() for p in ps]
            how = "hoofdletters"
        if not cands and var in reg:  # CBS renamed the key: a topic with the same title and unit
            title = norm_title(reg[var]["title"])
            cands = [p for p in topics if norm_title(p.get("Title")) == title
                     and statline_key(p["Key"]) not in wanted and units_match(reg[var]["unit"], p.get("Unit"))]
            how = "titel"
        if not cands:
            continue
        if len(cands) > 1:
            warnings.append(f"{var}: meerdere kolommen ({', '.join(p['Key'] for p in cands)}); niet geladen")
            continue
        p = cands[0]
        unit = reg.get(var, {}).get("unit")
        if not units_match(unit, p.get("Unit")):
            warnings.append(f"{p['Key']}: eenheid '{(p.get('Unit') or '').strip()}' wijkt af van '{unit}' "
                            f"voor {var}; niet geladen")
            continue
        mapping[p["Key"]] = var
        if how == "titel":
            warnings.append(f"{p['Key']} gekoppeld aan {var} op titel ('{p.get('Title', '').strip()}')")
        elif how == "hoofdletters":
            warnings.append(f"{p['Key']} gekoppeld aan {var} (sleutel met andere hoofdletters)")
    return mapping, warnings


def _dimensions(props: list[dict]) -> dict[str, str]:
    """Dimension key → role: geo | time | age | margin | other."""
    out = {}
    for p in props:
        t, k = p.get("Type"), p.get("Key")
        if not k:
            continue
        if t in ("GeoDimension", "GeoDetail"):
            out[k] = "geo"
        elif t == "TimeDimension":
            out[k] = "time"
        elif t == "Dimension":
            out[k] = "age" if k == "Leeftijd" else ("margin" if k == "Marges" else "other")
    return out


def _region_keys(props: list[dict]) -> dict[str, str]:
    return {statline_key(p["Key"]): p["Key"] for p in props
            if p.get("Type") == "Topic" and statline_key(p.get("Key") or "") in REGION_TOPICS}


def scope_prefixes(gemeenten: Iterable[str]) -> list[str]:
    out = ["NL", "GM"]
    for g in gemeenten:
        if not re.fullmatch(r"GM\d{4}", g):
            raise RefreshError(f"Ongeldige gemeentecode '{g}' (verwacht GM gevolgd door vier cijfers).")
        out += [f"WK{g[2:]}", f"BU{g[2:]}"]
    return out


def build_request(spec: TableSpec, props: list[dict], prefixes: list[str], mapping: dict[str, str],
                  fixed_keys: dict[str, str]) -> tuple[str, list[str]]:
    """($filter, $select) for the data set: the geo scope, the fixed dimension members, mapped columns."""
    dims = _dimensions(props)
    geo = [k for k, r in dims.items() if r == "geo"]
    if len(geo) != 1:
        raise RefreshError(f"Tabel {spec.table_id} heeft geen (of meer dan één) regiodimensie; niet te verwerken.")
    others = [k for k, r in dims.items() if r == "other" and k not in fixed_keys]
    if others:
        raise RefreshError(f"Tabel {spec.table_id} heeft een dimensie die niet is ingesteld: {', '.join(others)}.")
    filt = "(" + " or ".join(f"startswith({geo[0]},'{p}')" for p in prefixes) + ")"
    for dim, key in fixed_keys.items():
        filt += f" and {dim} eq '{key}'"
    select = list(dims) + sorted(_region_keys(props).values()) + sorted(mapping)
    return filt, list(dict.fromkeys(select))


# ---------------------------------------------------------------------------------------------- cache

def default_cache_dir() -> Path:
    return Path(settings.get("WIJKMONITOR_REFRESH_CACHE") or (ROOT / ".cache" / "cbs-refresh"))


@dataclass
class Fetched:
    spec: TableSpec
    directory: Path
    meta: dict  # _complete.json
    from_cache: bool
    seconds: float


def safe_name(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", s or "onbekend")


def request_key(spec: TableSpec, prefixes: list[str], wanted: set[str]) -> str:
    raw = json.dumps([spec.table_id, spec.typed, list(spec.fixed), prefixes, sorted(wanted)])
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------- parsing

def _read_feed(directory: Path, name: str) -> list[dict]:
    path = directory / f"{name}.json"
    if not path.exists():
        raise LoadError(str(path), f"onderdeel '{name}' ontbreekt in de opgehaalde tabel")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LoadError(str(path), f"ongeldige JSON ({exc.msg})", row=exc.lineno) from exc
    if isinstance(data, dict):  # a raw OData response instead of cbsodata's saved list
        data = data.get("value", [])
    if not isinstance(data, list):
        raise LoadError(str(path), "geen lijst met rijen")
    return data


def norm_code(code: str) -> str:
    code = (code or "").strip()
    return NL_CODE if code in (NL_CODE_STATLINE, NL_CODE) else code


def period_year(key: str, file: str, row: int, column: str) -> int:
    m = re.fullmatch(r"(\d{4})JJ00", (key or "").strip())
    if not m:
        raise LoadError(file, f"periode '{key}' is geen jaar (verwacht bijv. 2020JJ00)", row=row, column=column)
    return int(m.group(1))


def margin_role(key: str, title: str) -> str | None:
    k, t = (key or "").strip().upper(), norm_title(title)
    if k.startswith("MW") or t == "waarde":
        return "value"
    if k.startswith("MOG") or t.startswith("ondergrens"):
        return "lower"
    if k.startswith("MBG") or t.startswith("bovengrens"):
        return "upper"
    return None


def frame_to_batch(df: pd.DataFrame, present: dict[str, np.ndarray], *, file: str, spec: TableSpec,
                   mapping: dict[str, str], units: dict[str, str], reg: dict[str, dict], names: dict[str, str],
                   source: dict, kind: str, modified: str | None, fetched_at: dt.datetime,
                   coverage: list[str], warnings: list[str], code_column: str | None = None,
                   soort_column: str | None = None) -> Batch:
    """Validate a normalised table and turn it into a Batch.

    ``df`` has columns code, _row (row number in the file), year, age_group, role (value/lower/upper),
    soort (optional) and one column per mapped key; ``present[key]`` says per row whether the cell was
    delivered at all (a key missing from a row gives no observation, an empty cell gives 'ontbreekt').
    """
    _check_rows(df, file, code_column, soort_column)
    obs_parts, mar_parts = [], []
    for key, var in mapping.items():
        val, wide = _column_rows(df, present[key], key, var, file, reg.get(var, {}).get("unit") or units.get(key, ""))
        if val is not None:
            obs_parts.append(val)
        if wide is not None:
            mar_parts.append(wide)
    obs = pd.concat(obs_parts, ignore_index=True) if obs_parts else pd.DataFrame(columns=OBS_COLS)
    mar = pd.concat(mar_parts, ignore_index=True) if mar_parts else pd.DataFrame(columns=MARGIN_COLS)
    if not mar.empty:
        mar = mar.dropna(subset=["lower", "upper"], how="all")
    if obs.empty:
        raise LoadError(file, "geen enkele waarde voor de onderwerpen van de wijkmonitor gevonden")
    indeling = df["year"].max() if spec.indeling_year is None else spec.indeling_year
    areas = []
    for code in pd.unique(df["code"]):
        areas.append({"code": code, "name": clean_name(names.get(code)), "indeling_year": int(indeling)})
    variables = {v: {"title": reg[v]["title"], "unit": reg[v]["unit"], "description": reg[v].get("description", "")}
                 for v in set(mapping.values()) if v in reg}
    for key, var in mapping.items():
        if var not in variables:
            variables[var] = {"title": var, "unit": units.get(key) or "-", "description": ""}
    source = {**source, "file_sha256": source.get("file_sha256") or ""}
    return Batch(source=source, kind=kind, table_id=spec.table_id, modified=modified, fetched_at=fetched_at,
                 observations=obs[OBS_COLS].reset_index(drop=True), margins=mar.reset_index(drop=True),
                 areas=areas, variables=variables, coverage=coverage, replaces=spec.replaces, mapping=mapping,
                 warnings=warnings)


def _check_rows(df: pd.DataFrame, file: str, code_column: str | None, soort_column: str | None) -> None:
    """Area codes valid, the soort regio (if given) matching the code, no row twice; else LoadError naming the row."""
    codes = df["code"].astype("string")
    ok = codes.str.match(CODE_RE.pattern).fillna(False).to_numpy()
    if not ok.all():
        pos = int(np.flatnonzero(~ok)[0])
        raise LoadError(file, f"ongeldige gebiedscode '{codes.iloc[pos]}'", row=int(df["_row"].iloc[pos]),
                        column=code_column)
    if "soort" in df.columns:
        lvl = df["soort"].astype("string").str.strip().map({**SOORT_TO_LEVEL, "Land": "land"})
        exp = codes.str[:2].map({"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"})
        bad = (lvl.notna() & lvl.ne(exp)).fillna(False).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise LoadError(file, f"soort regio '{df['soort'].iloc[pos]}' past niet bij code {codes.iloc[pos]}",
                            row=int(df["_row"].iloc[pos]), column=soort_column)
    dup = df.duplicated(["code", "year", "age_group", "role"], keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise LoadError(file, f"dubbele rij (gebied {codes.iloc[pos]}, jaar {df['year'].iloc[pos]}, "
                        f"leeftijd {df['age_group'].iloc[pos]})", row=int(df["_row"].iloc[pos]),
                        column=code_column)


def _column_rows(df: pd.DataFrame, pres: np.ndarray, key: str, var: str, file: str,
                 unit: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """One mapped column → (observations, margins) of variable ``var``, or None where there are none.

    Cells are read like the shipped files (StatLine symbols) and range-checked against ``unit``; a year/age
    group without any value is not published there and gives no observations."""
    col = pd.DataFrame({key: df[key].astype(object)})
    col.index = range(len(col))
    try:
        values, status = to_numeric_statline(col, key, file, row_offset=0)
    except LoadError as exc:  # the row position → the row number in the file/response
        raise LoadError(file, exc.message, row=int(df["_row"].iloc[exc.row]), column=key) from None
    values.index, status.index = df.index, df.index
    if var in MAY_BE_NEGATIVE:
        unit = "-"  # no sign check (still the check for impossible magnitudes)
    try:
        check_range(values[pres], unit, file, key, row_offset=0)
    except LoadError as exc:
        idx = np.flatnonzero(pres)[exc.row]
        raise LoadError(file, exc.message, row=int(df["_row"].iloc[idx]), column=key) from None
    frame = pd.DataFrame({"area_code": df["code"].to_numpy(), "year": df["year"].to_numpy(dtype=int),
                          "variable_code": var, "age_group": df["age_group"].to_numpy(),
                          "value": values.to_numpy(dtype=float), "status": status.to_numpy(),
                          "role": df["role"].to_numpy()})[pres]
    obs = wide = None
    val = frame[frame["role"] == "value"].drop(columns="role")
    if not val.empty:  # a variable without any value in a year/age group is not published there: no rows
        has = val["status"].ne(MISSING)
        measured = has.groupby([val["year"], val["age_group"]]).transform("any")
        obs = val[measured.to_numpy(dtype=bool)]
    bounds = frame[frame["role"] != "value"]
    if not bounds.empty:
        wide = bounds.pivot_table(index=["area_code", "year", "variable_code", "age_group"], columns="role",
                                  values="value", aggfunc="first", dropna=False).reset_index()
        for c in ("lower", "upper"):
            if c not in wide.columns:
                wide[c] = np.nan
        wide = wide[MARGIN_COLS]
    return obs, wide


def coverage_of(requested: list[str], codes: set[str]) -> list[str]:
    """The requested scope the answer actually lists completely: a prefix without rows is not claimed, and
    'all gemeenten' only when (nearly) all of them came back; otherwise the gemeenten that did."""
    out = []
    gms = sorted(c for c in codes if c.startswith("GM"))
    for p in requested:
        if p == "GM":
            out += ["GM"] if len(gms) >= NATIONAL_MIN_GEMEENTEN else gms
        elif p == "NL":
            if NL_CODE in codes:
                out.append("NL")
        elif any(c.startswith(p) for c in codes):
            out.append(p)
    return out




def refresh_source(spec: TableSpec, title: str, period: str, file_name: str, data: bytes, fetched_at: dt.datetime,
                   via: str, modified: str | None, size: str, prefixes: Sequence[str]) -> dict:
    """The ``sources`` row of a table fetched from CBS (either OData client): what, from where, when, which version."""
    buurten = ", ".join(p[2:] for p in prefixes if p.startswith("BU"))
    return {
        "source_key": f"{spec.table_id}-odata", "publisher": PUBLISHER[spec.catalog], "table_id": spec.table_id,
        "title": title.strip(), "period": period.strip(), "licence": LICENCE, "file_name": file_name,
        "file_sha256": hashlib.sha256(data).hexdigest(), "loaded_at": fetched_at,
        "notes": (f"Opgehaald via {via} op {fetched_at:%Y-%m-%d %H:%M} UTC; tabelversie (Modified) "
                  f"{modified or 'onbekend'}; {size}; gebieden: Nederland, alle gemeenten en de wijken en buurten "
                  f"van {buurten}."),
    }
