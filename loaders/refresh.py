"""Keep the data current: fetch the tables the catalog needs from CBS open data (OData v3).

``python -m loaders refresh`` (and the editors' button on the Data page, via :func:`run`) fetches, for a
configured set of gemeenten (default Maastricht and Heerlen, plus every gemeente and Nederland):

- Kerncijfers wijken en buurten for every year 2013 up to the newest (one table per year, see
  :data:`KWB_TABLES`; later years are found in the CBS catalog with ``--ontdek``);
- Gezondheid per wijk en buurt (50090NED and its successor 50120NED, RIVM catalog on dataderden.cbs.nl),
  with the 95% margins where the table publishes them;
- Geregistreerde misdrijven per wijk en buurt (47018NED), the total of all crimes.

How it works (three phases, so a failure never leaves the database half-written):

1. **Fetch** with the ``cbsodata`` client (its real HTTP code path; ``requests`` underneath). Every table
   is downloaded into a cache directory and only renamed to its final name when complete, keyed by the
   table's ``Modified`` date and the request. A run that fails half-way (network drop) is *resumed* by the
   next run: tables already complete in the cache are not downloaded again. Without network the first
   request fails within seconds and nothing changes.
2. **Parse and validate** each table into a :class:`Batch`: columns are mapped by the key in the table's own
   DataProperties *without the numeric suffix* (``GemiddeldInkomenPerInwoner_66`` in 2017 and ``_72`` in
   2020 are the same variable), falling back to the title when CBS renamed the key. Codes, ranges and
   duplicates are checked like the shipped files (:class:`~loaders.errors.LoadError` names table, row and
   column).
3. **Write** all batches in ONE transaction into the same ``sources``/``areas``/``area_versions``/
   ``variables``/``observations`` tables the build fills. Each batch replaces earlier rows of its own
   ``source_key`` and supersedes cells of the same CBS table that came from an older copy (e.g. the shipped
   extract of 85984NED), so one cell never has two competing values from one table.

Policy for ``python -m loaders build``: the build recreates the statistics tables from ``data/`` only.
Every applied batch is therefore also kept in ``staged_batches`` (a table the build never drops) and
re-applied after each build by :func:`reapply_staged` (see the build hook in the README); :func:`pending`
lists staged batches that are not in the database, so a dropped refresh is never silent.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import inspect
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests
import sqlalchemy as sa

from . import schema
from .build import (CODE_RE, SOORT_TO_LEVEL, TOTAL_AGE, _check_range, _insert_observations, clean_name,
                    gemeente_of, level_of, parent_of)
from .errors import LoadError
from .readers import MISSING, to_numeric_statline
from .settings import ROOT
from .sources import CBS, HEALTH_NATIONAL, KWB, LICENCE, RIVM, statline_key
from .variables import registry

# ---------------------------------------------------------------------------------------------- tables

ENDPOINTS = {"CBS": "https://opendata.cbs.nl", "RIVM": "https://dataderden.cbs.nl"}
PUBLISHER = {"CBS": CBS, "RIVM": RIVM}
DEFAULT_GEMEENTEN = ("GM0935", "GM0917")  # Maastricht, Heerlen
DEFAULT_TIMEOUT = (5.0, 120.0)  # (connect, read) seconds: no network → fails within seconds

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


def needed_variables() -> set[str]:
    """Variables the catalog, the weighting bases and the shipped sources use (plus CBS's boundary flag)."""
    from metrics.catalog import load
    from metrics.compute import BASE_FORMULA

    out: set[str] = {"IndelingswijzigingGemeenteWijkBuurt"}
    for m in load().metrics:
        out.update(v for v in m.variables if v)
    for plus, minus in BASE_FORMULA.values():
        out.update(plus)
        out.update(minus)
    for src in [*KWB, HEALTH_NATIONAL]:
        out.update(src.columns.values())
    return out


REGION_TOPICS = {"Gemeentenaam", "SoortRegio", "Codering"}
AGE_TITLES = {"18 jaar of ouder": "18+", "18 tot 65 jaar": "18-64", "65 jaar of ouder": "65+",
              "totaal": TOTAL_AGE}

# ---------------------------------------------------------------------------------------------- errors


class RefreshError(RuntimeError):
    """The refresh stopped; the message (Dutch) is safe to show. The database is unchanged."""


class OfflineError(RefreshError):
    """No connection to CBS at all."""


# ---------------------------------------------------------------------------------------------- staging tables

staging_metadata = sa.MetaData()

# Every applied refresh/import batch, kept outside the statistics tables so a rebuild cannot lose it.
staged_batches = sa.Table(
    "staged_batches",
    staging_metadata,
    sa.Column("source_key", sa.String(80), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),  # refresh | import
    sa.Column("table_id", sa.String(20), nullable=False),
    sa.Column("modified", sa.Text, nullable=True),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("n_observations", sa.Integer, nullable=False),
    sa.Column("coverage", sa.Text, nullable=False),  # JSON list of code prefixes the batch lists completely
    sa.Column("payload", sa.LargeBinary, nullable=False),  # gzip JSON of the Batch
)

# Published 95% interval of an observation (50090NED/50120NED 'Marges'), keyed like observations.
observation_margins = sa.Table(
    "observation_margins",
    staging_metadata,
    sa.Column("area_code", sa.String(12), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("variable_code", sa.String(80), nullable=False),
    sa.Column("age_group", sa.String(10), nullable=False),
    sa.Column("source_key", sa.String(80), nullable=False),
    sa.Column("lower", sa.Float, nullable=True),
    sa.Column("upper", sa.Float, nullable=True),
    sa.PrimaryKeyConstraint("variable_code", "age_group", "year", "area_code", "source_key"),
)

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

def _norm_title(t: str | None) -> str:
    return re.sub(r"\s+", " ", (t or "").replace("\xa0", " ")).strip().lower()


def _norm_unit(u: str | None) -> str:
    return re.sub(r"\s+", " ", (u or "").replace("\xa0", " ")).strip().lower().replace(".", " ").replace("  ", " ")


def units_match(a: str | None, b: str | None) -> bool:
    na, nb = _norm_unit(a), _norm_unit(b)
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
        if not cands and var in reg:  # CBS renamed the key: a topic with the same title and unit
            title = _norm_title(reg[var]["title"])
            cands = [p for p in topics if _norm_title(p.get("Title")) == title
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


# ---------------------------------------------------------------------------------------------- client

_CBSODATA_LOCK = threading.Lock()


def _typed_flag(want_typed: bool) -> bool:
    """The ``typed`` argument that makes ``cbsodata.download_data`` fetch the wanted data set.

    cbsodata 1.3.x removes the *named* set from its download list (``typed=True`` fetches the
    UntypedDataSet). Read that from its source so a fixed release keeps working; the parser accepts both.
    """
    import cbsodata

    try:
        src = inspect.getsource(cbsodata.download_data)
    except (OSError, TypeError):  # pragma: no cover - source not available
        return not want_typed
    inverted = "metadata_table_names.remove(typed_or_not_str)" in src and \
        '"TypedDataSet" if typed else "UntypedDataSet"' in src
    return (not want_typed) if inverted else want_typed


class CbsClient:
    """Thin wrapper around the ``cbsodata`` client: endpoint per catalog, time limits, proxies from the
    environment. Tests point the endpoints at a local server with recorded CBS responses."""

    def __init__(self, endpoints: dict[str, str] | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        self.endpoints = {**ENDPOINTS, **(endpoints or {})}
        self.timeout = timeout

    def base(self, catalog: str) -> str:
        return self.endpoints[catalog].rstrip("/")

    def _call(self, catalog: str, fn, *args, **kwargs):
        import cbsodata

        base = self.base(catalog)
        parts = urlsplit(base)
        catalog_url = parts.netloc + parts.path.rstrip("/")
        with _CBSODATA_LOCK:  # cbsodata keeps the http/https choice in a module-global option
            old = cbsodata.options.use_https
            cbsodata.options.use_https = parts.scheme == "https"
            try:
                return fn(*args, catalog_url=catalog_url, timeout=self.timeout,
                          proxies=requests.utils.get_environ_proxies(base), **kwargs)
            finally:
                cbsodata.options.use_https = old

    def info(self, spec: TableSpec) -> dict:
        import cbsodata

        return self._call(spec.catalog, cbsodata.get_info, spec.table_id) or {}

    def meta(self, spec: TableSpec, name: str) -> list[dict]:
        import cbsodata

        return self._call(spec.catalog, cbsodata.get_meta, spec.table_id, name)

    def download(self, spec: TableSpec, directory: Path, filters: str, select: list[str]) -> dict:
        import cbsodata

        return self._call(spec.catalog, cbsodata.download_data, spec.table_id, dir=str(directory),
                          typed=_typed_flag(spec.typed), filters=filters, select=select)

    def discover_kwb(self) -> dict[int, str]:
        """Year → table id of every 'Kerncijfers wijken en buurten <jaar>' table in the CBS catalog."""
        import cbsodata

        rows = self._call("CBS", cbsodata.get_table_list,
                          filters="substringof('Kerncijfers wijken en buurten',Title)")
        out = {}
        for r in rows:
            m = KWB_TITLE.match((r.get("Title") or "").strip())
            if m and re.fullmatch(r"\d{5}NED", (r.get("Identifier") or "").strip()):
                out[int(m.group(1))] = r["Identifier"].strip()
        return out


# ---------------------------------------------------------------------------------------------- cache

def default_cache_dir() -> Path:
    return Path(os.environ.get("WIJKMONITOR_REFRESH_CACHE") or (ROOT / ".cache" / "cbs-refresh"))


@dataclass
class Fetched:
    spec: TableSpec
    directory: Path
    meta: dict  # _complete.json
    from_cache: bool
    seconds: float


def _safe(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", s or "onbekend")


def _request_key(spec: TableSpec, prefixes: list[str], wanted: set[str]) -> str:
    raw = json.dumps([spec.table_id, spec.typed, list(spec.fixed), prefixes, sorted(wanted)])
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------- progress

@dataclass
class Progress:
    step: int
    total: int
    table_id: str
    stage: str  # start | cached | downloaded | parsed | writing | done
    message: str
    elapsed: float = 0.0
    eta: float | None = None


@dataclass
class RefreshSummary:
    tables: list[dict]
    observations: int
    superseded: int
    areas_new: int
    changes: int
    seconds: float
    warnings: list[str]

    @property
    def from_cache(self) -> list[str]:
        return [t["table_id"] for t in self.tables if t.get("from_cache")]

    def message(self) -> str:
        n = len(self.tables)
        txt = (f"{n} tabel{'len' if n != 1 else ''} bijgewerkt in {self.seconds:.1f} s: "
               f"{self.observations:,} waarnemingen".replace(",", "."))
        if self.from_cache:
            txt += f" ({len(self.from_cache)} uit de tussenopslag van een eerdere, onderbroken run)"
        if self.superseded:
            txt += f"; {self.superseded:,} oudere cellen van dezelfde tabellen vervangen".replace(",", ".")
        if self.changes:
            txt += f"; {self.changes} indelingswijzigingen gemarkeerd"
        return txt + "."


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


def _norm_code(code: str) -> str:
    code = (code or "").strip()
    return "NL01" if code in ("NL00", "NL01") else code


def _period_year(key: str, file: str, row: int, column: str) -> int:
    m = re.fullmatch(r"(\d{4})JJ00", (key or "").strip())
    if not m:
        raise LoadError(file, f"periode '{key}' is geen jaar (verwacht bijv. 2020JJ00)", row=row, column=column)
    return int(m.group(1))


def _margin_role(key: str, title: str) -> str | None:
    k, t = (key or "").strip().upper(), _norm_title(title)
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
    obs_parts, mar_parts = [], []
    for key, var in mapping.items():
        pres = present[key]
        col = pd.DataFrame({key: df[key].astype(object)})
        col.index = range(len(col))
        try:
            values, status = to_numeric_statline(col, key, file, row_offset=0)
        except LoadError as exc:  # the row position → the row number in the file/response
            raise LoadError(file, exc.message, row=int(df["_row"].iloc[exc.row]), column=key) from None
        values.index, status.index = df.index, df.index
        unit = reg.get(var, {}).get("unit") or units.get(key, "")
        try:
            _check_range(values[pres], unit, file, key, row_offset=0)
        except LoadError as exc:
            idx = np.flatnonzero(pres)[exc.row]
            raise LoadError(file, exc.message, row=int(df["_row"].iloc[idx]), column=key) from None
        frame = pd.DataFrame({"area_code": df["code"].to_numpy(), "year": df["year"].to_numpy(dtype=int),
                              "variable_code": var, "age_group": df["age_group"].to_numpy(),
                              "value": values.to_numpy(dtype=float), "status": status.to_numpy(),
                              "role": df["role"].to_numpy()})[pres]
        val = frame[frame["role"] == "value"].drop(columns="role")
        if not val.empty:  # a variable without any value in a year/age group is not published there: no rows
            has = val["status"].ne(MISSING)
            measured = has.groupby([val["year"], val["age_group"]]).transform("any")
            obs_parts.append(val[measured.to_numpy(dtype=bool)])
        bounds = frame[frame["role"] != "value"]
        if not bounds.empty:
            wide = bounds.pivot_table(index=["area_code", "year", "variable_code", "age_group"], columns="role",
                                      values="value", aggfunc="first", dropna=False).reset_index()
            for c in ("lower", "upper"):
                if c not in wide.columns:
                    wide[c] = np.nan
            mar_parts.append(wide[MARGIN_COLS])
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


NATIONAL_MIN_GEMEENTEN = 300


def _coverage(requested: list[str], codes: set[str]) -> list[str]:
    """The requested scope the answer actually lists completely: a prefix without rows is not claimed, and
    'all gemeenten' only when (nearly) all of them came back; otherwise the gemeenten that did."""
    out = []
    gms = sorted(c for c in codes if c.startswith("GM"))
    for p in requested:
        if p == "GM":
            out += ["GM"] if len(gms) >= NATIONAL_MIN_GEMEENTEN else gms
        elif p == "NL":
            if "NL01" in codes:
                out.append("NL")
        elif any(c.startswith(p) for c in codes):
            out.append(p)
    return out


def parse_fetched(f: Fetched, reg: dict[str, dict] | None = None, wanted: set[str] | None = None) -> Batch:
    """Turn a complete cache directory (cbsodata's saved entity sets) into a validated Batch."""
    reg = reg or registry()
    wanted = wanted if wanted is not None else needed_variables()
    spec, d = f.spec, f.directory
    props = _read_feed(d, "DataProperties")
    infos = _read_feed(d, "TableInfos")
    info = infos[0] if infos else {}
    dataset = "TypedDataSet" if (d / "TypedDataSet.json").exists() else "UntypedDataSet"
    rows = _read_feed(d, dataset)
    file = f"{spec.table_id}/{dataset}"
    mapping, warnings = map_columns(props, wanted, reg)
    units = {p["Key"]: (p.get("Unit") or "").strip() for p in props if p.get("Type") == "Topic" and p.get("Key")}
    dims = _dimensions(props)
    geo = next(k for k, r in dims.items() if r == "geo")
    region = _region_keys(props)
    dim_titles = {k: {str(e.get("Key", "")).strip(): e.get("Title") for e in _read_feed(d, k)}
                  for k, r in dims.items() if r in ("geo", "age", "margin", "other")}
    if not rows:
        raise LoadError(file, "de tabel gaf geen rijen terug voor de gekozen gemeenten")
    n = len(rows)
    code_key = region.get("Codering")
    raw_codes = [(r.get(code_key) or "").strip() if code_key else "" for r in rows]
    codes = [_norm_code(c or r.get(geo, "")) for c, r in zip(raw_codes, rows)]
    rown = np.arange(1, n + 1)
    df = pd.DataFrame({"code": codes, "_row": rown})
    if region.get("SoortRegio"):
        df["soort"] = [(r.get(region["SoortRegio"]) or "").strip() or None for r in rows]
    time_key = next((k for k, r in dims.items() if r == "time"), None)
    if time_key:
        df["year"] = [_period_year(r.get(time_key), file, i + 1, time_key) for i, r in enumerate(rows)]
    elif spec.year is not None:
        df["year"] = spec.year
    else:
        raise LoadError(file, "de tabel heeft geen perioden en er is geen jaar ingesteld")
    age_key = next((k for k, r in dims.items() if r == "age"), None)
    keep = np.ones(n, dtype=bool)
    if age_key:
        titles = dim_titles[age_key]
        ages = [AGE_TITLES.get(_norm_title(titles.get(str(r.get(age_key, "")).strip()))) for r in rows]
        unknown = sorted({titles.get(str(r.get(age_key, "")).strip()) or str(r.get(age_key))
                          for r, a in zip(rows, ages) if a is None})
        if unknown:
            warnings.append(f"leeftijdsgroepen niet geladen: {', '.join(map(str, unknown))}")
        keep &= np.array([a is not None for a in ages])
        df["age_group"] = [a or "" for a in ages]
    else:
        df["age_group"] = TOTAL_AGE
    marg_key = next((k for k, r in dims.items() if r == "margin"), None)
    if marg_key:
        titles = dim_titles[marg_key]
        roles = [_margin_role(str(r.get(marg_key, "")), titles.get(str(r.get(marg_key, "")).strip()) or "")
                 for r in rows]
        keep &= np.array([x is not None for x in roles])
        df["role"] = [x or "" for x in roles]
    else:
        df["role"] = "value"
    present = {}
    for key in mapping:
        present[key] = np.array([key in r for r in rows])[keep]
        df[key] = [r.get(key) for r in rows]
    df = df[keep].reset_index(drop=True)
    names: dict[str, str] = {}
    geo_titles = dim_titles[geo]
    gm_key = region.get("Gemeentenaam")
    for r, code in zip(rows, codes):
        t = geo_titles.get(str(r.get(geo, "")).strip())
        if code.startswith("GM") and gm_key and (r.get(gm_key) or "").strip():
            t = t or r[gm_key].strip()
        if t:
            names[code] = str(t).strip()
    fetched_at = dt.datetime.fromisoformat(f.meta["fetched_at"])
    modified = info.get("Modified") or f.meta.get("modified")
    covered = _coverage(f.meta.get("prefixes", []), set(df["code"]))
    data_bytes = (d / f"{dataset}.json").read_bytes()
    host = urlsplit(f.meta.get("base", ENDPOINTS[spec.catalog])).netloc
    source = {
        "source_key": f"{spec.table_id}-odata", "publisher": PUBLISHER[spec.catalog], "table_id": spec.table_id,
        "title": (info.get("Title") or spec.title or spec.table_id).strip(),
        "period": str(info.get("Period") or (spec.year or "")).strip(), "licence": LICENCE,
        "file_name": f"https://{ENDPOINTS[spec.catalog].split('://')[1]}/ODataFeed/odata/{spec.table_id}",
        "file_sha256": hashlib.sha256(data_bytes).hexdigest(), "loaded_at": fetched_at,
        "notes": (f"Opgehaald via de OData-feed van CBS ({host}) op {fetched_at:%Y-%m-%d %H:%M} UTC; "
                  f"tabelversie (Modified) {modified or 'onbekend'}; {n} rijen ({dataset}); gebieden: "
                  f"Nederland, alle gemeenten en de wijken en buurten van "
                  f"{', '.join(p[2:] for p in f.meta.get('prefixes', []) if p.startswith('BU'))}."),
    }
    batch = frame_to_batch(df, present, file=file, spec=spec, mapping=mapping, units=units, reg=reg, names=names,
                           source=source, kind="refresh", modified=modified, fetched_at=fetched_at,
                           coverage=covered, warnings=warnings,
                           code_column=code_key or geo, soort_column=region.get("SoortRegio"))
    batch.n_rows = len(df)
    return batch


# ---------------------------------------------------------------------------------------------- fetching

def fetch(client: CbsClient, spec: TableSpec, prefixes: list[str], wanted: set[str], reg: dict[str, dict],
          cache_dir: Path) -> Fetched:
    """Fetch one table into the cache (or reuse a complete earlier download of the same version)."""
    t0 = time.perf_counter()
    info = client.info(spec)
    if not info:
        raise RefreshError(f"Tabel {spec.table_id} gaf geen tabelinformatie terug.")
    modified = str(info.get("Modified") or "onbekend")
    final = cache_dir / spec.table_id / _safe(modified) / _request_key(spec, prefixes, wanted)
    done = final / "_complete.json"
    if done.exists():
        return Fetched(spec, final, json.loads(done.read_text(encoding="utf-8")), True, time.perf_counter() - t0)
    props = client.meta(spec, "DataProperties")
    mapping, _ = map_columns(props, wanted, reg)
    fixed_keys = {}
    for dim, key, title in spec.fixed:
        members = client.meta(spec, dim)
        match = [m for m in members if str(m.get("Key", "")).strip() == key or
                 _norm_title(m.get("Title")) == _norm_title(title)]
        if not match:
            raise RefreshError(f"Tabel {spec.table_id}: '{title}' ({key}) niet gevonden in dimensie {dim}.")
        fixed_keys[dim] = match[0]["Key"]
    filt, select = build_request(spec, props, prefixes, mapping, fixed_keys)
    tmp = cache_dir / spec.table_id / f".tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        client.download(spec, tmp, filt, select)
        meta = {"table_id": spec.table_id, "modified": modified, "fetched_at":
                dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), "filter": filt,
                "select": select, "prefixes": prefixes, "base": client.base(spec.catalog)}
        (tmp / "_complete.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)  # atomic: a directory with _complete.json is always whole
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Fetched(spec, final, meta, False, time.perf_counter() - t0)


def _prune(cache: Path, fetched: list[Fetched]) -> None:
    """After a successful write: drop cached downloads of older versions of the tables just applied."""
    for f in fetched:
        keep = f.directory.parent  # <cache>/<table>/<modified>
        for d in (cache / f.spec.table_id).iterdir():
            if d.is_dir() and d != keep and not d.name.startswith(".tmp-"):
                shutil.rmtree(d, ignore_errors=True)


def _network_message(exc: Exception, spec: TableSpec, client: CbsClient, step: int, total: int, done: int) -> str:
    host = urlsplit(client.base(spec.catalog)).netloc
    if done == 0:
        return (f"Geen verbinding met het open-dataportaal van CBS ({host}): {type(exc).__name__}. "
                "Controleer de internetverbinding (of de proxy-instellingen) en probeer het later opnieuw. "
                "Er is niets gewijzigd; het dashboard werkt door met de huidige gegevens.")
    return (f"De verbinding met CBS ({host}) viel weg bij tabel {spec.table_id} ({step} van {total}): "
            f"{type(exc).__name__}. Er is niets gewijzigd in de database. De {done} al opgehaalde "
            f"tabel{'len' if done != 1 else ''} staan in de tussenopslag: start de verversing opnieuw om verder "
            "te gaan waar hij stopte.")


def run(url: str | None = None, tables: Sequence[str | TableSpec] | None = None,
        gemeenten: Sequence[str] = DEFAULT_GEMEENTEN, progress: Callable[[Progress], None] | None = None,
        endpoints: dict[str, str] | None = None, cache_dir: Path | str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT, discover: bool = False,
        fail_after: str | None = None) -> RefreshSummary:
    """Fetch, validate and write the given tables (default: all). Raises RefreshError/LoadError with a Dutch
    message; in that case the database is unchanged. ``fail_after='write'`` is a test hook."""
    from . import settings
    from .db import get_engine

    t0 = time.perf_counter()
    engine = get_engine(url or settings.database_url())
    _require_built(engine)
    prefixes = scope_prefixes(gemeenten)
    client = CbsClient(endpoints, timeout)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    specs = resolve_tables(tables)
    if discover:
        try:
            found = client.discover_kwb()
        except requests.RequestException as exc:
            raise OfflineError(_network_message(exc, kwb_spec(2024), client, 0, 0, 0)) from exc
        have = {s.table_id for s in specs}
        specs += [kwb_spec(y, t) for y, t in sorted(found.items()) if t not in have]
    reg = registry()
    wanted = needed_variables()
    total = len(specs)

    def report(step, spec, stage, msg):
        if progress:
            el = time.perf_counter() - t0
            eta = el / step * (total - step) if stage in ("cached", "downloaded") and step else None
            progress(Progress(step, total, spec.table_id, stage, msg, el, eta))

    fetched: list[Fetched] = []
    for i, spec in enumerate(specs, start=1):
        report(i - 1, spec, "start", f"[{i}/{total}] {spec.table_id} {spec.title}: ophalen…")
        try:
            f = fetch(client, spec, prefixes, wanted, reg, cache)
        except requests.HTTPError as exc:
            raise RefreshError(f"CBS gaf een fout voor tabel {spec.table_id} ({spec.title}): {exc}. "
                               "Er is niets gewijzigd in de database.") from exc
        except (ValueError, KeyError) as exc:  # not JSON / not an OData answer (e.g. a proxy's HTML page)
            raise RefreshError(f"Onverwacht antwoord van CBS voor tabel {spec.table_id}: {type(exc).__name__}. "
                               "Er is niets gewijzigd in de database.") from exc
        except (requests.RequestException, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, requests.RequestException):
                raise RefreshError(f"De tussenopslag ({cache}) is niet te schrijven: {exc}. "
                                   "Er is niets gewijzigd.") from exc
            err = OfflineError if not fetched else RefreshError
            raise err(_network_message(exc, spec, client, i, total, len(fetched))) from exc
        fetched.append(f)
        how = "uit tussenopslag" if f.from_cache else f"opgehaald in {f.seconds:.1f} s"
        report(i, spec, "cached" if f.from_cache else "downloaded", f"[{i}/{total}] {spec.table_id}: {how}")
    batches = []
    for i, f in enumerate(fetched, start=1):
        b = parse_fetched(f, reg, wanted)
        batches.append(b)
        report(i, f.spec, "parsed", f"[{i}/{total}] {f.spec.table_id}: {len(b.observations):,} waarnemingen "
                                    "gecontroleerd".replace(",", "."))
    if progress:
        progress(Progress(total, total, "", "writing", "Schrijven naar de database (één transactie)…",
                          time.perf_counter() - t0))
    counts = apply(engine, batches, fail_after=fail_after)
    _prune(cache, fetched)
    tables_out = []
    for f, b in zip(fetched, batches):
        tables_out.append({"table_id": f.spec.table_id, "title": b.source["title"], "modified": b.modified,
                           "observations": len(b.observations), "margins": len(b.margins),
                           "from_cache": f.from_cache, "seconds": round(f.seconds, 2), "warnings": b.warnings,
                           "mapping": b.mapping})
    summary = RefreshSummary(tables=tables_out, observations=counts["observations"],
                             superseded=counts["superseded"], areas_new=counts["areas_new"],
                             changes=counts["changes"], seconds=time.perf_counter() - t0,
                             warnings=[f"{b.table_id}: {w}" for b in batches for w in b.warnings])
    if progress:
        progress(Progress(total, total, "", "done", summary.message(), summary.seconds))
    return summary


# ---------------------------------------------------------------------------------------------- writing

def _require_built(engine: sa.Engine) -> None:
    from .db import DatabaseUnavailable, redact

    try:
        with engine.connect() as conn:
            ok = sa.inspect(conn).has_table("observations")
    except sa.exc.OperationalError as exc:
        raise DatabaseUnavailable(f"De database is niet bereikbaar ({redact(str(engine.url))}).") from exc
    if not ok:
        raise RefreshError("De database is nog niet gebouwd: voer eerst `python -m loaders build` uit.")


def ensure_tables(conn: sa.Connection) -> None:
    staging_metadata.create_all(conn, checkfirst=True)


def _chunks(seq: list, n: int = 400):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _upsert_areas(conn: sa.Connection, rows: list[dict]) -> int:
    a = schema.areas
    codes = [r["code"] for r in rows]
    existing = {}
    for chunk in _chunks(codes):
        for r in conn.execute(sa.select(a.c.code, a.c.name, a.c.indeling_year).where(a.c.code.in_(chunk))):
            existing[r.code] = (r.name, r.indeling_year)
    new = []
    for r in rows:
        cur = existing.get(r["code"])
        if cur is None:
            new.append({"code": r["code"], "name": r["name"], "level": level_of(r["code"]),
                        "parent_code": parent_of(r["code"]), "gemeente_code": gemeente_of(r["code"]),
                        "indeling_year": r["indeling_year"]})
            existing[r["code"]] = (r["name"], r["indeling_year"])
        else:
            name, year = cur
            upd = {}
            if r["name"] and (name is None or r["indeling_year"] >= year) and r["name"] != name:
                upd["name"] = r["name"]
            if r["indeling_year"] > year:
                upd["indeling_year"] = r["indeling_year"]
            if upd:
                conn.execute(a.update().where(a.c.code == r["code"]).values(**upd))
                existing[r["code"]] = (upd.get("name", name), upd.get("indeling_year", year))
    if new:
        conn.execute(a.insert(), new)
    return len(new)


def _supersede(conn: sa.Connection, b: Batch) -> int:
    """Delete cells of older copies of the same table(s) that this batch publishes again."""
    s, o = schema.sources, schema.observations
    tids = [b.table_id, *b.replaces]
    others = [r.source_key for r in conn.execute(sa.select(s.c.source_key).where(s.c.table_id.in_(tids)))
              if r.source_key != b.source_key]
    if not others or b.observations.empty:
        return 0
    keys = ["area_code", "year", "variable_code", "age_group"]
    cells = b.observations[keys].drop_duplicates()
    variables = sorted(cells["variable_code"].unique())
    n = 0
    if b.coverage:
        # A refresh lists every area of its coverage: older copies of the table lose all their rows there
        # (for the same years and variables), also for codes that no longer exist.
        years = sorted(int(y) for y in cells["year"].unique())
        scope = sa.or_(*[o.c.area_code.like(p + "%") for p in b.coverage])
        for other in others:
            res = conn.execute(o.delete().where(o.c.source_key == other, o.c.year.in_(years),
                                                o.c.variable_code.in_(variables), scope))
            n += res.rowcount or 0
    for other in others:
        res = conn.execute(sa.select(o.c.area_code, o.c.year, o.c.variable_code, o.c.age_group)
                           .where(o.c.source_key == other, o.c.variable_code.in_(variables)))
        have = pd.DataFrame(res.fetchall(), columns=keys)
        if have.empty:
            continue
        have["year"] = have["year"].astype(int)
        hit = have.merge(cells.astype({"year": int}), on=keys)
        if hit.empty:
            continue
        stmt = o.delete().where(o.c.source_key == sa.bindparam("sk"), o.c.variable_code == sa.bindparam("v"),
                                o.c.age_group == sa.bindparam("g"), o.c.year == sa.bindparam("y"),
                                o.c.area_code == sa.bindparam("a"))
        conn.execute(stmt, [{"sk": other, "v": r.variable_code, "g": r.age_group, "y": int(r.year), "a": r.area_code}
                            for r in hit.itertuples(index=False)])
        n += len(hit)
    return n


def apply_batch(conn: sa.Connection, b: Batch) -> dict:
    """Write one batch inside the caller's transaction, replacing earlier rows with the same source_key."""
    key = b.source_key
    v = schema.variables
    have = {r.code for r in conn.execute(sa.select(v.c.code))}
    missing = [{"code": c, **meta} for c, meta in sorted(b.variables.items()) if c not in have]
    if missing:
        conn.execute(v.insert(), missing)
    conn.execute(schema.observations.delete().where(schema.observations.c.source_key == key))
    conn.execute(schema.area_versions.delete().where(schema.area_versions.c.source_key == key))
    conn.execute(observation_margins.delete().where(observation_margins.c.source_key == key))
    conn.execute(schema.sources.delete().where(schema.sources.c.source_key == key))
    conn.execute(schema.sources.insert(), [b.source])
    new_areas = _upsert_areas(conn, b.areas)
    versions = {(a["code"], a["indeling_year"]): a["name"] for a in b.areas}
    if versions:
        conn.execute(schema.area_versions.insert(), [{"code": c, "indeling_year": y, "name": nm, "source_key": key}
                                                     for (c, y), nm in versions.items()])
    superseded = _supersede(conn, b)
    obs = b.observations.assign(source_key=key)
    if not obs.empty:
        _insert_observations(conn, obs)
    if not b.margins.empty:
        m = b.margins.assign(source_key=key)
        rows = [{**r, "lower": None if pd.isna(r["lower"]) else float(r["lower"]),
                 "upper": None if pd.isna(r["upper"]) else float(r["upper"]), "year": int(r["year"])}
                for r in m.to_dict("records")]
        conn.execute(observation_margins.insert(), rows)
    return {"observations": len(obs), "superseded": superseded, "areas_new": new_areas}


def _stage(conn: sa.Connection, b: Batch, now: dt.datetime) -> None:
    conn.execute(staged_batches.delete().where(staged_batches.c.source_key == b.source_key))
    conn.execute(staged_batches.insert().values(
        source_key=b.source_key, kind=b.kind, table_id=b.table_id, modified=b.modified, fetched_at=b.fetched_at,
        applied_at=now, n_observations=len(b.observations), coverage=json.dumps(b.coverage),
        payload=b.to_payload()))


def _set_info(conn: sa.Connection, key: str, value: str) -> None:
    bi = schema.build_info
    conn.execute(bi.delete().where(bi.c.key == key))
    conn.execute(bi.insert().values(key=key, value=value))


def apply_in(conn: sa.Connection, batches: list[Batch], stage: bool = True) -> dict:
    """Apply batches inside an open transaction (also used by the build hook)."""
    from . import boundaries

    ensure_tables(conn)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    counts = {"observations": 0, "superseded": 0, "areas_new": 0}
    for b in batches:
        c = apply_batch(conn, b)
        for k in counts:
            counts[k] += c[k]
        if stage:
            _stage(conn, b, now)
    changes = boundaries.store(conn, boundaries.detect(conn))
    counts["changes"] = len(changes)
    if batches:
        _set_info(conn, "refreshed_at", now.isoformat())
    return counts


def apply(engine: sa.Engine, batches: list[Batch], fail_after: str | None = None) -> dict:
    """Write batches (and stage them for later builds) in ONE transaction."""
    with engine.begin() as conn:
        counts = apply_in(conn, batches)
        if fail_after == "write":
            raise RuntimeError("simulated failure during refresh write (test hook)")
    return counts


def staged(conn: sa.Connection) -> list[Batch]:
    ensure_tables(conn)
    rows = conn.execute(sa.select(staged_batches.c.payload).order_by(staged_batches.c.applied_at,
                                                                     staged_batches.c.fetched_at,
                                                                     staged_batches.c.source_key))
    return [Batch.from_payload(r.payload) for r in rows]


def reapply_staged(conn: sa.Connection) -> dict:
    """Re-apply every staged batch inside the caller's transaction (after a build recreated the tables)."""
    batches = staged(conn)
    return {**apply_in(conn, batches, stage=False), "batches": len(batches)}


def reapply(url: str | None = None) -> dict:
    """Re-apply the staged refreshes and imports in one transaction (e.g. after `python -m loaders build`)."""
    from . import settings
    from .db import get_engine

    engine = get_engine(url or settings.database_url())
    _require_built(engine)
    with engine.begin() as conn:
        return reapply_staged(conn)


def pending(url: str | None = None) -> list[dict]:
    """Staged batches whose source is not (any more) in the database, e.g. after a rebuild."""
    from . import settings
    from .db import get_engine

    engine = get_engine(url or settings.database_url())
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("staged_batches"):
            return []
        have = {r.source_key for r in conn.execute(sa.select(schema.sources.c.source_key))}
        rows = conn.execute(sa.select(staged_batches.c.source_key, staged_batches.c.kind, staged_batches.c.table_id,
                                      staged_batches.c.fetched_at, staged_batches.c.n_observations))
        return [dict(r._mapping) for r in rows if r.source_key not in have]


def status(url: str | None = None) -> pd.DataFrame:
    """Staged refreshes/imports with whether they are currently applied (for the Data page)."""
    from . import settings
    from .db import get_engine

    engine = get_engine(url or settings.database_url())
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("staged_batches"):
            return pd.DataFrame(columns=["source_key", "kind", "table_id", "modified", "fetched_at", "applied_at",
                                         "n_observations", "in_database"])
        have = {r.source_key for r in conn.execute(sa.select(schema.sources.c.source_key))}
        cols = [c for c in staged_batches.c if c.name not in ("payload", "coverage")]
        rows = conn.execute(sa.select(*cols).order_by(staged_batches.c.applied_at))
        df = pd.DataFrame([dict(r._mapping) for r in rows], columns=[c.name for c in cols])
    df["in_database"] = df["source_key"].isin(have)
    return df
