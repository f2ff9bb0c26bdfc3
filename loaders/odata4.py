"""CBS open data through the OData 4 interface (odata4.cbs.nl): Observations, MeasureCodes, region codes.

CBS serves its tables both through the OData v3 feed (opendata.cbs.nl, used by :mod:`loaders.refresh` via the
``cbsodata`` client) and through OData 4 (``https://odata4.cbs.nl/CBS/<TABLE>/…``). The v4 layout is long:
one observation per (region, [period,] measure) with ``Measure`` an identifier such as ``T001036``;
``MeasureCodes`` gives each identifier its Title, Unit and Description; ``<Dimension>Codes`` lists the region
codes (``NL00``, ``GM0935``, ``BU09350403``, unpadded) with their titles.

This module is a small ``requests`` client plus a converter to the same :class:`~loaders.refresh.Batch` the v3
path produces, so mapping, validation, staging and messages are shared:

- **Mapping.** v4 has no v3 ``Key``. CBS derives v3 keys from the topic title (``'0 tot 15 jaar'`` →
  ``k_0Tot15Jaar``, ``'Huish. onder of rond sociaal minimum'`` → ``HuishOnderOfRondSociaalMinimum``);
  :func:`title_key` does the same, and the measures are then mapped exactly like v3 DataProperties
  (:func:`loaders.refresh.map_columns`: key, case-insensitive key, title, unit check, ambiguity refused).
- **Missing values.** ``Value`` null with ``ValueAttribute`` ``None`` → 'ontbreekt'; null with any other
  attribute (CBS's '.', e.g. ``Impossible``/``Confidential``) → 'geheim'. Never 0.

Why not the ``cbsodata4`` package (PyPI 0.1.3): it downloads whole tables into pandas with its own caching and
no time limits or proxy settings per call; the refresh needs bounded requests with ``$filter`` on the region
prefixes, resumable caching and the exact error handling of the v3 path. The protocol part is ~60 lines here.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests

from .cbs import (Fetched, RefreshError, coverage_of, frame_to_batch, map_columns, norm_code, period_year,
                  refresh_source, request_key, safe_name)
from . import settings
from .codes import NL_CODE_STATLINE, TOTAL_AGE
from .errors import LoadError
from .readers import MISSING, OK, SUPPRESSED

ENDPOINT = "https://odata4.cbs.nl"
MAX_PAGES = 10_000  # a server that keeps sending nextLinks is stopped


def title_key(title: str | None) -> str:
    """The v3-style key CBS derives from a topic title (without the numeric suffix)."""
    t = unicodedata.normalize("NFKD", (title or "").replace("\xa0", " "))
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    words = [w for w in re.split(r"[^0-9A-Za-z]+", t) if w]
    key = "".join(w[0].upper() + w[1:] for w in words)
    return ("k_" + key) if key[:1].isdigit() else key


def measure_props(measures: list[dict]) -> list[dict]:
    """MeasureCodes → v3-like DataProperties topics (Key = title key, the Identifier kept aside)."""
    return [{"Type": "Topic", "Key": title_key(m.get("Title")), "Title": m.get("Title"), "Unit": m.get("Unit"),
             "Identifier": str(m.get("Identifier", "")).strip(), "Description": m.get("Description")}
            for m in measures if m.get("Identifier") is not None]


def map_measures(measures: list[dict], wanted: set[str], reg: dict[str, dict]) -> tuple[dict[str, str], list[str]]:
    """Measure identifier → variable code, with the same rules (and warnings) as the v3 DataProperties."""

    props = measure_props(measures)
    # map_columns keys by the (title) key; two measures with the same title key are ambiguous there.
    by_key: dict[str, list[dict]] = {}
    for p in props:
        by_key.setdefault(p["Key"], []).append(p)
    mapping, warnings = map_columns(props, wanted, reg)
    out = {}
    for key, var in mapping.items():
        out[by_key[key][0]["Identifier"]] = var
    return out, [w.replace(" gekoppeld aan", " (OData 4) gekoppeld aan") for w in warnings]


# ---------------------------------------------------------------------------------------------- client

class Odata4Client:
    """GET JSON from odata4.cbs.nl with time limits, environment proxies and ``@odata.nextLink`` paging."""

    def __init__(self, base: str | None = None, timeout: tuple[float, float] = (5.0, 120.0)):
        # default: the WIJKMONITOR_CBS_ODATA4_URL setting (a mirror or proxy), else the public odata4.cbs.nl
        self.base_url = (base or settings.get("WIJKMONITOR_CBS_ODATA4_URL").strip() or ENDPOINT).rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def url(self, table: str, entity: str = "") -> str:
        return f"{self.base_url}/CBS/{table}/{entity}".rstrip("/")

    def _get(self, url: str, params: dict | None = None) -> dict:
        r = self.session.get(url, params=params, timeout=self.timeout,
                             proxies=requests.utils.get_environ_proxies(url))
        r.raise_for_status()
        return r.json()

    def properties(self, table: str) -> dict:
        data = self._get(self.url(table, "Properties"))
        if not isinstance(data, dict):
            raise ValueError("Properties is geen object")
        return data

    def entity(self, table: str, name: str, params: dict | None = None) -> list[dict]:
        data = self._get(self.url(table, name), params)
        rows = list(data["value"])
        for _ in range(MAX_PAGES):
            nxt = data.get("@odata.nextLink")
            if not nxt:
                return rows
            data = self._get(nxt)
            rows += data["value"]
        raise ValueError("te veel pagina's")


def observation_filter(geo: str, prefixes: list[str], measures: list[str]) -> str:
    geo_f = " or ".join(f"startswith({geo},'{NL_CODE_STATLINE if p == 'NL' else p}')" for p in prefixes)
    meas = " or ".join(f"Measure eq '{m}'" for m in measures)
    return f"({geo_f}) and ({meas})"


def fetch(client: Odata4Client, spec, prefixes: list[str], wanted: set[str], reg: dict[str, dict],
          cache_dir: Path):
    """Fetch one table through OData 4 into the cache (same layout and resume rules as the v3 path)."""

    t0 = time.perf_counter()
    props = client.properties(spec.table_id)
    modified = str(props.get("Modified") or "onbekend")
    final = cache_dir / spec.table_id / ("v4-" + safe_name(modified)) / request_key(spec, prefixes, wanted)
    done = final / "_complete.json"
    if done.exists():
        return Fetched(spec, final, json.loads(done.read_text(encoding="utf-8")), True, time.perf_counter() - t0)
    measures = client.entity(spec.table_id, "MeasureCodes")
    dims = client.entity(spec.table_id, "Dimensions")
    geo = [d["Identifier"] for d in dims if d.get("Kind") in ("GeoDimension", "GeoDetail")]
    if len(geo) != 1:
        raise RefreshError(f"Tabel {spec.table_id} heeft geen (of meer dan één) regiodimensie; niet te verwerken.")
    others = [d["Identifier"] for d in dims if d.get("Kind") not in ("GeoDimension", "GeoDetail", "TimeDimension")]
    if others:
        raise RefreshError(f"Tabel {spec.table_id} heeft een dimensie die niet is ingesteld: {', '.join(others)}.")
    mapping, _ = map_measures(measures, wanted, reg)
    if not mapping:
        raise RefreshError(f"Tabel {spec.table_id} (OData 4) bevat geen onderwerpen van de wijkmonitor.")
    codes = client.entity(spec.table_id, f"{geo[0]}Codes")
    obs = client.entity(spec.table_id, "Observations",
                        {"$filter": observation_filter(geo[0], prefixes, sorted(mapping))})
    tmp = cache_dir / spec.table_id / f".tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for name, data in (("Properties", props), ("MeasureCodes", measures), ("Dimensions", dims),
                           ("RegionCodes", codes), ("Observations", obs)):
            (tmp / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        meta = {"table_id": spec.table_id, "modified": modified, "protocol": "odata4", "geo": geo[0],
                "fetched_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                "prefixes": prefixes, "base": client.base_url}
        (tmp / "_complete.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Fetched(spec, final, meta, False, time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------- parsing

def _read(d: Path, name: str):
    path = d / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LoadError(str(path), f"onderdeel '{name}' ontbreekt in de opgehaalde tabel") from exc
    except json.JSONDecodeError as exc:
        raise LoadError(str(path), f"ongeldige JSON ({exc.msg})", row=exc.lineno) from exc


def parse_fetched(f, reg: dict[str, dict], wanted: set[str]):
    """A complete v4 cache directory → a validated Batch (same checks as the v3 path)."""

    spec, d = f.spec, f.directory
    props = _read(d, "Properties")
    measures = _read(d, "MeasureCodes")
    dims = _read(d, "Dimensions")
    codes = _read(d, "RegionCodes")
    obs = _read(d, "Observations")
    file = f"{spec.table_id}/Observations"
    mapping, warnings = map_measures(measures, wanted, reg)
    units = {m["Identifier"]: (m.get("Unit") or "").strip() for m in measures}
    geo = f.meta.get("geo") or next(x["Identifier"] for x in dims if x.get("Kind") in ("GeoDimension", "GeoDetail"))
    time_key = next((x["Identifier"] for x in dims if x.get("Kind") == "TimeDimension"), None)
    if not obs:
        raise LoadError(file, "de tabel gaf geen waarnemingen terug voor de gekozen gemeenten")
    ob = pd.DataFrame(obs)
    for col in ("Measure", geo, "Value"):
        if col not in ob.columns:
            raise LoadError(file, f"kolom '{col}' ontbreekt in de waarnemingen", column=col)
    ob["_row"] = np.arange(1, len(ob) + 1)
    ob = ob[ob["Measure"].astype(str).str.strip().isin(mapping)]
    if ob.empty:
        raise LoadError(file, "geen enkele waarde voor de onderwerpen van de wijkmonitor gevonden")
    ob["Measure"] = ob["Measure"].astype(str).str.strip()
    ob["code"] = [norm_code(str(c)) for c in ob[geo]]
    if time_key:
        ob["year"] = [period_year(p, file, int(r), time_key) for p, r in zip(ob[time_key], ob["_row"])]
    elif spec.year is not None:
        ob["year"] = spec.year
    else:
        raise LoadError(file, "de tabel heeft geen perioden en er is geen jaar ingesteld")
    attr = ob["ValueAttribute"].astype(str).str.strip() if "ValueAttribute" in ob.columns else pd.Series(
        "None", index=ob.index)
    val = pd.to_numeric(ob["Value"], errors="coerce")
    bad = val.isna() & ob["Value"].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(file, f"waarde '{ob['Value'].iloc[pos]}' is geen getal", row=int(ob["_row"].iloc[pos]),
                        column="Value")
    # '.' for a suppressed cell, as the v3 UntypedDataSet writes it: frame_to_batch turns it into 'geheim'.
    cell = np.where(val.notna(), val.astype(object), np.where(attr.isin(["None", "", "nan"]), "", "."))
    ob["_cell"] = cell
    dup = ob.duplicated(["code", "year", "Measure"], keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise LoadError(file, f"dubbele waarneming (gebied {ob['code'].iloc[pos]}, onderwerp "
                        f"{ob['Measure'].iloc[pos]})", row=int(ob["_row"].iloc[pos]), column="Measure")
    wide = ob.pivot(index=["code", "year"], columns="Measure", values="_cell").reset_index()
    rows = ob.groupby(["code", "year"], as_index=False)["_row"].min()
    wide = wide.merge(rows, on=["code", "year"]).sort_values("_row").reset_index(drop=True)
    df = pd.DataFrame({"code": wide["code"], "_row": wide["_row"], "year": wide["year"].astype(int),
                       "age_group": TOTAL_AGE, "role": "value"})
    present = {}
    for m in mapping:
        col = wide[m] if m in wide.columns else pd.Series([np.nan] * len(wide))
        present[m] = col.notna().to_numpy()
        df[m] = [None if (isinstance(v, float) and np.isnan(v)) else v for v in col]
    names = {norm_code(str(c.get("Identifier", ""))): str(c.get("Title") or "").strip() for c in codes}
    fetched_at = dt.datetime.fromisoformat(f.meta["fetched_at"])
    modified = props.get("Modified") or f.meta.get("modified")
    covered = coverage_of(f.meta.get("prefixes", []), set(df["code"]))
    data_bytes = (d / "Observations.json").read_bytes()
    host = urlsplit(f.meta.get("base", ENDPOINT)).netloc
    source = refresh_source(
        spec, props.get("Title") or spec.title or spec.table_id, str(props.get("TemporalCoverage") or (spec.year or "")),
        f"{ENDPOINT}/CBS/{spec.table_id}/Observations", data_bytes, fetched_at, f"OData 4 van CBS ({host})",
        modified, f"{len(obs)} waarnemingen", f.meta.get("prefixes", []))
    batch = frame_to_batch(df, present, file=file, spec=spec, mapping=mapping, units=units, reg=reg, names=names,
                           source=source, kind="refresh", modified=modified, fetched_at=fetched_at,
                           coverage=covered, warnings=warnings, code_column=geo)
    batch.n_rows = len(df)
    return batch


__all__ = ["Odata4Client", "fetch", "map_measures", "measure_props", "parse_fetched", "title_key",
           "ENDPOINT", "MISSING", "OK", "SUPPRESSED"]
