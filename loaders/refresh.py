"""Keep the data current: fetch the tables the catalog needs from CBS open data (OData v3).

``python -m wijkmonitor refresh`` (and the editors' button on the Data page, via :func:`run`) fetches, for a
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

Policy for ``python -m wijkmonitor build``: the build recreates the statistics tables from ``data/`` only.
Every applied batch is therefore also kept in ``staged_batches`` (a table the build never drops) and
re-applied after each build by :func:`reapply_staged` (see the build hook in the README); :func:`pending`
lists staged batches that are not in the database, so a dropped refresh is never silent.
"""
from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests

from . import odata4, pipeline
from .codes import TOTAL_AGE
from .db import get_engine
from .errors import LoadError
from .sources import HEALTH_NATIONAL, LICENCE  # noqa: F401 (HEALTH_NATIONAL re-exported)
from .variables import registry
from .cbs import (AGE_TITLES, DEFAULT_GEMEENTEN, DEFAULT_TIMEOUT, ENDPOINTS, HEALTH_TABLES, KWB_TABLES, KWB_TITLE,  # noqa: F401 (re-exported)
                  PUBLISHER, Batch, Fetched, OfflineError, RefreshError, TableSpec, _dimensions, _read_feed,
                  _region_keys, build_request, configured_endpoints, coverage_of, default_cache_dir, default_tables, frame_to_batch, kwb_spec,
                  map_columns, margin_role, norm_code, norm_title, period_year, request_key,
                  refresh_source, resolve_tables, safe_name, scope_prefixes, variables_to_load)
from .staging import (apply, apply_batch, apply_in, ensure_tables, pending, reapply, reapply_staged,  # noqa: F401
                      require_built, staged, status)

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
        self.endpoints = {**configured_endpoints(), **(endpoints or {})}
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


def parse_fetched(f: Fetched, reg: dict[str, dict], wanted: set[str]) -> Batch:
    """Turn a complete cache directory (cbsodata's saved entity sets) into a validated Batch of the ``wanted``
    variables (see :func:`loaders.cbs.variables_to_load`)."""
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
    code_key = region.get("Codering")
    raw_codes = [(r.get(code_key) or "").strip() if code_key else "" for r in rows]
    codes = [norm_code(c or r.get(geo, "")) for c, r in zip(raw_codes, rows)]
    df = pd.DataFrame({"code": codes, "_row": np.arange(1, len(rows) + 1)})
    if region.get("SoortRegio"):
        df["soort"] = [(r.get(region["SoortRegio"]) or "").strip() or None for r in rows]
    keep = _add_dimension_columns(df, rows, dims, dim_titles, spec, file, warnings)
    present = {}
    for key in mapping:
        present[key] = np.array([key in r for r in rows])[keep]
        df[key] = [r.get(key) for r in rows]
    df = df[keep].reset_index(drop=True)
    names = _area_names(rows, codes, geo, dim_titles[geo], region.get("Gemeentenaam"))
    fetched_at = dt.datetime.fromisoformat(f.meta["fetched_at"])
    modified = info.get("Modified") or f.meta.get("modified")
    covered = coverage_of(f.meta.get("prefixes", []), set(df["code"]))
    source = _fetched_source(f, info, dataset, len(rows), fetched_at, modified)
    batch = frame_to_batch(df, present, file=file, spec=spec, mapping=mapping, units=units, reg=reg, names=names,
                           source=source, kind="refresh", modified=modified, fetched_at=fetched_at,
                           coverage=covered, warnings=warnings,
                           code_column=code_key or geo, soort_column=region.get("SoortRegio"))
    batch.n_rows = len(df)
    return batch


def _add_dimension_columns(df: pd.DataFrame, rows: list[dict], dims: dict[str, str],
                           dim_titles: dict[str, dict], spec: TableSpec, file: str, warnings: list[str]) -> np.ndarray:
    """Add the year, age_group and role (value/lower/upper) of every fetched row to ``df``; returns which rows
    to keep (age groups and margin members the wijkmonitor does not know are left out, with a warning for ages)."""
    time_key = next((k for k, r in dims.items() if r == "time"), None)
    if time_key:
        df["year"] = [period_year(r.get(time_key), file, i + 1, time_key) for i, r in enumerate(rows)]
    elif spec.year is not None:
        df["year"] = spec.year
    else:
        raise LoadError(file, "de tabel heeft geen perioden en er is geen jaar ingesteld")
    keep = np.ones(len(rows), dtype=bool)
    age_key = next((k for k, r in dims.items() if r == "age"), None)
    if age_key:
        titles = dim_titles[age_key]
        ages = [AGE_TITLES.get(norm_title(titles.get(str(r.get(age_key, "")).strip()))) for r in rows]
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
        roles = [margin_role(str(r.get(marg_key, "")), titles.get(str(r.get(marg_key, "")).strip()) or "")
                 for r in rows]
        keep &= np.array([x is not None for x in roles])
        df["role"] = [x or "" for x in roles]
    else:
        df["role"] = "value"
    return keep


def _area_names(rows: list[dict], codes: list[str], geo: str, geo_titles: dict[str, str],
                gm_key: str | None) -> dict[str, str]:
    """Area code → name: the title of the region dimension, for a gemeente else its Gemeentenaam column."""
    names: dict[str, str] = {}
    for r, code in zip(rows, codes):
        t = geo_titles.get(str(r.get(geo, "")).strip())
        if code.startswith("GM") and gm_key and (r.get(gm_key) or "").strip():
            t = t or r[gm_key].strip()
        if t:
            names[code] = str(t).strip()
    return names


def _fetched_source(f: Fetched, info: dict, dataset: str, n_rows: int, fetched_at: dt.datetime,
                    modified: str | None) -> dict:
    """The ``sources`` row of a table fetched through the OData v3 feed."""
    spec = f.spec
    data_bytes = (f.directory / f"{dataset}.json").read_bytes()
    host = urlsplit(f.meta.get("base", ENDPOINTS[spec.catalog])).netloc
    return refresh_source(
        spec, info.get("Title") or spec.title or spec.table_id, str(info.get("Period") or (spec.year or "")),
        f"https://{ENDPOINTS[spec.catalog].split('://')[1]}/ODataFeed/odata/{spec.table_id}", data_bytes, fetched_at,
        f"de OData-feed van CBS ({host})", modified, f"{n_rows} rijen ({dataset})", f.meta.get("prefixes", []))


# ---------------------------------------------------------------------------------------------- fetching

def fetch(client: CbsClient, spec: TableSpec, prefixes: list[str], wanted: set[str], reg: dict[str, dict],
          cache_dir: Path) -> Fetched:
    """Fetch one table into the cache (or reuse a complete earlier download of the same version)."""
    t0 = time.perf_counter()
    info = client.info(spec)
    if not info:
        raise RefreshError(f"Tabel {spec.table_id} gaf geen tabelinformatie terug.")
    modified = str(info.get("Modified") or "onbekend")
    final = cache_dir / spec.table_id / safe_name(modified) / request_key(spec, prefixes, wanted)
    done = final / "_complete.json"
    if done.exists():
        return Fetched(spec, final, json.loads(done.read_text(encoding="utf-8")), True, time.perf_counter() - t0)
    props = client.meta(spec, "DataProperties")
    mapping, _ = map_columns(props, wanted, reg)
    fixed_keys = {}
    for dim, key, title in spec.fixed:
        members = client.meta(spec, dim)
        match = [m for m in members if str(m.get("Key", "")).strip() == key or
                 norm_title(m.get("Title")) == norm_title(title)]
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


def _http_status(exc: BaseException) -> int | None:
    """HTTP status of an error; cbsodata re-raises ``HTTPError`` without the response (status in the text)."""
    seen = exc
    while seen is not None:
        resp = getattr(seen, "response", None)
        if resp is not None:
            return resp.status_code
        seen = seen.__cause__ or seen.__context__
    m = re.search(r"\b(\d{3}) (?:Client|Server) Error", str(exc))
    return int(m.group(1)) if m else None


def _fetch_any(client: CbsClient, spec: TableSpec, prefixes: list[str], wanted: set[str], reg: dict[str, dict],
               cache: Path, odata: int, timeout: tuple[float, float]) -> Fetched:
    """OData 4 by choice (CBS catalog), else v3 with OData 4 as fallback when v3 answers 404/410 for the table."""
    v4 = odata4.Odata4Client(client.endpoints["ODATA4"], timeout)
    if odata == 4 and spec.catalog == "CBS":
        return odata4.fetch(v4, spec, prefixes, wanted, reg, cache)
    try:
        return fetch(client, spec, prefixes, wanted, reg, cache)
    except requests.HTTPError as exc:
        code = _http_status(exc)
        if code not in (404, 410) or spec.catalog != "CBS":
            raise
        f = odata4.fetch(v4, spec, prefixes, wanted, reg, cache)
        f.meta.setdefault("fallback", f"OData v3 gaf {code}; opgehaald via OData 4")
        return f


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
        fail_after: str | None = None, odata: int = 3, *, derive: pipeline.Derive,
        wanted: Iterable[str]) -> RefreshSummary:
    """Fetch, validate and write the given tables (default: all). Raises RefreshError/LoadError with a Dutch
    message; in that case the database is unchanged. ``fail_after='write'`` is a test hook.

    ``wanted`` are the variables the caller's metrics read (the composition roots pass
    :func:`metrics.variables.needed_variables`); the loaders add their own (:func:`loaders.cbs.variables_to_load`).
    ``odata=4`` fetches the CBS-catalog tables through OData 4 (:mod:`loaders.odata4`); with the default 3 a
    table for which the v3 feed answers 404 or 410 (withdrawn from the v3 feed) is fetched through OData 4.
    ``derive`` recomputes the metric store in the same transaction (see loaders.pipeline)."""
    t0 = time.perf_counter()
    engine = get_engine(url)
    require_built(engine)
    prefixes = scope_prefixes(gemeenten)
    client = CbsClient(endpoints, timeout)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    specs = _tables_to_fetch(client, tables, discover)
    reg = registry()
    fetch_vars = variables_to_load(wanted)
    report = _Reporter(progress, len(specs), t0)
    fetched = _fetch_all(client, specs, prefixes, fetch_vars, reg, cache, odata, timeout, report)
    batches = _parse_all(fetched, reg, fetch_vars, odata, report)
    report.stage("writing", "Schrijven naar de database (één transactie)…")
    counts = apply(engine, batches, fail_after=fail_after, derive=derive)
    _prune(cache, fetched)
    summary = _summary(fetched, batches, counts, time.perf_counter() - t0)
    report.stage("done", summary.message(), summary.seconds)
    return summary


def _tables_to_fetch(client: CbsClient, tables: Sequence[str | TableSpec] | None, discover: bool) -> list[TableSpec]:
    """The given tables (default: all); with ``discover`` also the newer KWB tables in the CBS catalog."""
    specs = resolve_tables(tables)
    if discover:
        try:
            found = client.discover_kwb()
        except requests.RequestException as exc:
            raise OfflineError(_network_message(exc, kwb_spec(2024), client, 0, 0, 0)) from exc
        have = {s.table_id for s in specs}
        specs += [kwb_spec(y, t) for y, t in sorted(found.items()) if t not in have]
    return specs


class _Reporter:
    """Progress of one run for the caller's ``progress`` callback (if any), with an estimate of the time left."""

    def __init__(self, progress: Callable[[Progress], None] | None, total: int, t0: float):
        self.progress, self.total, self.t0 = progress, total, t0

    def table(self, step: int, spec: TableSpec, stage: str, msg: str) -> None:
        if self.progress:
            el = time.perf_counter() - self.t0
            eta = el / step * (self.total - step) if stage in ("cached", "downloaded") and step else None
            self.progress(Progress(step, self.total, spec.table_id, stage, msg, el, eta))

    def stage(self, stage: str, msg: str, elapsed: float | None = None) -> None:
        if self.progress:
            el = time.perf_counter() - self.t0 if elapsed is None else elapsed
            self.progress(Progress(self.total, self.total, "", stage, msg, el))


def _fetch_all(client: CbsClient, specs: list[TableSpec], prefixes: list[str], wanted: set[str],
               reg: dict[str, dict], cache: Path, odata: int, timeout: tuple[float, float],
               report: _Reporter) -> list[Fetched]:
    """Fetch every table into the cache; a failure becomes a RefreshError (OfflineError when nothing was
    fetched yet) with a Dutch message."""
    fetched: list[Fetched] = []
    total = len(specs)
    for i, spec in enumerate(specs, start=1):
        report.table(i - 1, spec, "start", f"[{i}/{total}] {spec.table_id} {spec.title}: ophalen…")
        try:
            f = _fetch_any(client, spec, prefixes, wanted, reg, cache, odata, timeout)
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
        report.table(i, spec, "cached" if f.from_cache else "downloaded", f"[{i}/{total}] {spec.table_id}: {how}")
    return fetched


def _parse_all(fetched: list[Fetched], reg: dict[str, dict], wanted: set[str], odata: int,
               report: _Reporter) -> list[Batch]:
    """Parse and validate every fetched table (OData v3 or 4) into a Batch."""
    batches = []
    total = len(fetched)
    for i, f in enumerate(fetched, start=1):
        if f.meta.get("protocol") == "odata4":
            b = odata4.parse_fetched(f, reg, wanted)
            if odata != 4:
                b.warnings.append("de OData-v3-feed kent deze tabel niet (meer) (404/410); opgehaald via OData 4")
        else:
            b = parse_fetched(f, reg, wanted)
        batches.append(b)
        report.table(i, f.spec, "parsed", f"[{i}/{total}] {f.spec.table_id}: {len(b.observations):,} waarnemingen "
                                          "gecontroleerd".replace(",", "."))
    return batches


def _summary(fetched: list[Fetched], batches: list[Batch], counts: dict, seconds: float) -> RefreshSummary:
    tables_out = []
    for f, b in zip(fetched, batches):
        tables_out.append({"table_id": f.spec.table_id, "title": b.source["title"], "modified": b.modified,
                           "observations": len(b.observations), "margins": len(b.margins),
                           "from_cache": f.from_cache, "seconds": round(f.seconds, 2), "warnings": b.warnings,
                           "mapping": b.mapping})
    return RefreshSummary(tables=tables_out, observations=counts["observations"],
                          superseded=counts["superseded"], areas_new=counts["areas_new"],
                          changes=counts["changes"], seconds=seconds,
                          warnings=[f"{b.table_id}: {w}" for b in batches for w in b.warnings])
