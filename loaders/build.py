"""Build the statistics database from the files in data/.

Two phases, so a bad file never leaves a half-written database:
1. ``collect()`` reads and validates every source into tidy DataFrames (no database access);
2. ``write()`` replaces all statistics tables inside ONE transaction. Tables with user-entered data
   (targets, participation figures, change log) are never touched by a rebuild.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import shape

from . import schema
from . import pipeline, refresh, store
from .db import get_engine
from .migrations import migrate_user_tables
from .codes import (AGE_GROUPS, CODE_RE, LEVEL_BY_PREFIX, MAX_YEAR, MIN_YEAR, SOORT_TO_LEVEL, TOTAL_AGE,
                    HEERLEN_NOORD_WIJKEN, NL_CODE, NL_CODE_STATLINE, check_codes, check_duplicates, check_range, clean_name, gemeente_of,
                    level_of, parent_of)
from .config import DETAIL_GEMEENTEN, FOCUS_AREAS, HEERLEN, MAASTRICHT
from .errors import LoadError
from .readers import (MISSING, SUPPRESSED, read_geojson, read_parquet, read_text_table,
                      read_topojson, sha256, to_numeric_statline)
from .sources import GEO, HEALTH_NATIONAL, HEALTH_SUBSET, KWB, LICENCE, Source
from .variables import registry

@dataclass
class Bundle:
    sources: list[dict] = field(default_factory=list)
    areas: dict[str, dict] = field(default_factory=dict)
    area_versions: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    geometries: list[dict] = field(default_factory=list)
    variables: dict[str, dict] = field(default_factory=dict)
    observations: list[pd.DataFrame] = field(default_factory=list)
    national: pd.DataFrame | None = None  # wide national health rows: regio_code, jaar, leeftijd, <var>…, geheim
    national_source: str = ""

    def observation_frame(self) -> pd.DataFrame:
        return pd.concat(self.observations, ignore_index=True) if self.observations else pd.DataFrame()


def _source_row(src: Source, loaded_at: dt.datetime) -> dict:
    return {
        "source_key": src.key, "publisher": src.publisher, "table_id": src.table_id, "title": src.title,
        "period": src.period, "licence": LICENCE, "file_name": src.path, "file_sha256": sha256(src.file),
        "loaded_at": loaded_at, "notes": src.notes or None,
    }


def _add_area(b: Bundle, code: str, name, indeling_year: int, source_key: str) -> None:
    name = clean_name(name)
    cur = b.areas.get(code)
    if cur is None:
        b.areas[code] = {"code": code, "name": name, "level": level_of(code), "parent_code": parent_of(code),
                         "gemeente_code": gemeente_of(code), "indeling_year": indeling_year}
    else:
        if name and (cur["name"] is None or indeling_year >= cur["indeling_year"]):
            cur["name"] = name
        cur["indeling_year"] = max(cur["indeling_year"], indeling_year)
    b.area_versions.append({"code": code, "indeling_year": indeling_year, "name": name, "source_key": source_key})


def _long(codes: pd.Series, year, variable: str, age, values: pd.Series, status: pd.Series, source_key: str) -> pd.DataFrame:
    return pd.DataFrame({
        "area_code": codes.to_numpy(), "year": year, "variable_code": variable, "age_group": age,
        "value": values.to_numpy(dtype=float), "status": status.to_numpy(), "source_key": source_key,
    })


def _secret_lists(variables: list[str], suppressed: list[np.ndarray], n: int) -> list[str | None]:
    """Per row, the suppressed variables in column order, comma separated (None: none suppressed)."""
    mask = np.column_stack(suppressed) if suppressed else np.zeros((n, 0), dtype=bool)
    out: list[str | None] = [None] * n
    for i in np.flatnonzero(mask.any(axis=1)):
        out[i] = ",".join(v for v, sec in zip(variables, mask[i]) if sec)
    return out


def collect_health(b: Bundle, src: Source) -> None:
    file = src.path
    if src.file.suffix == ".parquet":
        df = read_parquet(src.file)
        required = ["jaar", "leeftijd", "regio_code", "soort_regio", "gemeentenaam", "regio_naam_2014"]
        missing = [c for c in required + list(src.columns) if c not in df.columns]
        if missing:
            raise LoadError(file, f"verplichte kolom ontbreekt: {', '.join(missing)}", row=1, column=missing[0])
    else:
        df = read_text_table(src.file, required=["jaar", "leeftijd", "regio_code", "soort_regio", "gemeentenaam",
                                                 "regio_naam_2014", *src.columns])
    df = df.reset_index(drop=True)
    codes = df["regio_code"].astype("string").str.strip()
    check_codes(codes, file, "regio_code")
    years = pd.to_numeric(df["jaar"].astype("string").str.strip(), errors="coerce")
    bad = years.isna() | (years < MIN_YEAR) | (years > MAX_YEAR)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(file, f"ongeldig jaar '{df['jaar'].iloc[pos]}'", row=pos + 2, column="jaar")
    ages = df["leeftijd"].astype("string").str.strip()
    bad = ~ages.isin(AGE_GROUPS)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(file, f"onbekende leeftijdsgroep '{ages.iloc[pos]}'", row=pos + 2, column="leeftijd")
    soort = df["soort_regio"].astype("string").str.strip().map(SOORT_TO_LEVEL)
    expected = codes.str[:2].map(LEVEL_BY_PREFIX)
    bad = soort.ne(expected).fillna(True)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise LoadError(file, f"soort_regio '{df['soort_regio'].iloc[pos]}' past niet bij code {codes.iloc[pos]}",
                        row=pos + 2, column="soort_regio")
    key = pd.DataFrame({"regio_code": codes, "jaar": years.astype(int), "leeftijd": ages})
    check_duplicates(key, ["regio_code", "jaar", "leeftijd"], file)

    # Areas: names from the file (2014 names for wijk/buurt; gemeente names; NL).
    first = key.assign(gm=df["gemeentenaam"], nm=df["regio_naam_2014"]).drop_duplicates("regio_code")
    for code, gm, nm in zip(first["regio_code"], first["gm"], first["nm"]):
        name = "Nederland" if code == NL_CODE else (gm if code.startswith("GM") else nm)
        _add_area(b, code, name, src.indeling_year, src.key)

    # The buurten and wijken outside the detail gemeenten stay wide (the national table, see loaders.schema);
    # Nederland, the gemeenten and the detail gemeenten's wijken and buurten become long-form observations.
    wide = codes.str[:2].isin(["BU", "WK"]).to_numpy() & ~("GM" + codes.str[2:6]).isin(DETAIL_GEMEENTEN).to_numpy()
    narrow = ~wide
    long_codes = codes.to_numpy(dtype=object)[narrow]
    long_years, long_ages = key["jaar"].to_numpy()[narrow], key["leeftijd"].to_numpy(dtype=object)[narrow]
    wide_values: dict[str, np.ndarray] = {}
    suppressed: list[np.ndarray] = []
    for col, var in src.columns.items():
        values, status = to_numeric_statline(df, col, file)
        check_range(values, "%", file, col)
        vals, st = values.to_numpy(dtype=float), status.to_numpy()
        wide_values[var] = vals[wide]
        suppressed.append(st[wide] == SUPPRESSED)
        frame = pd.DataFrame({"area_code": long_codes, "year": long_years, "variable_code": var,
                              "age_group": long_ages, "value": vals[narrow], "status": st[narrow],
                              "source_key": src.key})
        # An indicator that is empty for a whole year/age group was not measured: no rows at all.
        measured = frame["status"].ne(MISSING).groupby([frame["year"], frame["age_group"]]).transform("any")
        b.observations.append(frame[measured.to_numpy(dtype=bool)])
    if wide.any():
        national = pd.concat([key[wide].reset_index(drop=True), pd.DataFrame(wide_values)], axis=1)
        national["geheim"] = _secret_lists(list(src.columns.values()), suppressed, len(national))
        b.national = national
        b.national_source = src.key
    b.sources.append(_source_row(src, b.loaded_at))


NAME_COLUMNS = ["buurt_naam_85984NED", "buurt_naam_83765NED", "regio", "GM_NAAM", "region"]


def collect_kwb(b: Bundle, src: Source, variables: dict[str, dict]) -> None:
    file = src.path
    df = read_text_table(src.file, required=[src.code_column, *src.columns])
    codes = df[src.code_column].astype("string").str.strip()
    codes = codes.mask(codes.eq(NL_CODE_STATLINE), NL_CODE)  # StatLine's KWB tables code Nederland as NL00
    check_codes(codes, file, src.code_column)
    check_duplicates(pd.DataFrame({src.code_column: codes}), [src.code_column], file)
    if "GM_code" in df.columns:
        bad = df["GM_code"].str.strip().ne(codes.str[2:6].radd("GM"))
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise LoadError(file, f"GM_code {df['GM_code'].iloc[pos]} past niet bij {codes.iloc[pos]}",
                            row=pos + 2, column="GM_code")
    if "jaar" in df.columns or "jaar_kwb" in df.columns:
        ycol = "jaar" if "jaar" in df.columns else "jaar_kwb"
        bad = df[ycol].str.strip().ne(str(src.year))
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise LoadError(file, f"jaar {df[ycol].iloc[pos]} wijkt af van het verwachte jaar {src.year}",
                            row=pos + 2, column=ycol)
    # Every gemeente must be known (registry from the national health table and the gemeente files).
    known_gm = {c for c in b.areas if c.startswith("GM")}
    if not src.defines_codes:
        gms = codes.map(lambda c: c if c.startswith("GM") else gemeente_of(c))
        bad = ~gms.isin(known_gm) & ~codes.eq(NL_CODE)
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise LoadError(file, f"onbekende gebiedscode '{codes.iloc[pos]}' (gemeente niet bekend)",
                            row=pos + 2, column=src.code_column)
    name_col = next((c for c in NAME_COLUMNS if c in df.columns), None)
    if src.key.startswith("47018NED"):
        name_col = None  # names come with the 85984NED rows of the same file
    for i, code in enumerate(codes):
        _add_area(b, code, df[name_col].iloc[i] if name_col else None, src.indeling_year, src.key)
    for col, var in src.columns.items():
        values, status = to_numeric_statline(df, col, file, sentinels=src.sentinels)
        check_range(values, variables[var]["unit"], file, col)
        b.observations.append(_long(codes, src.year, var, TOTAL_AGE, values, status, src.key))
    b.sources.append(_source_row(src, b.loaded_at))


def _round_coords(obj, nd=5):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(x), nd) for x in obj[:2]]
        return [_round_coords(o, nd) for o in obj]
    return obj


def collect_geo(b: Bundle, src: Source, strict_known: bool) -> None:
    file = src.path
    feats = read_topojson(src.file) if src.path.endswith(".topojson") else read_geojson(src.file)
    seen = set()
    skipped = 0
    for i, f in enumerate(feats):
        props = f.get("properties") or {}
        code = str(props.get("statcode", "")).strip()
        if not CODE_RE.match(code):
            raise LoadError(file, f"ongeldige gebiedscode '{code}'", row=i + 1, column="statcode")
        if code in seen:
            raise LoadError(file, f"gebiedscode {code} komt dubbel voor", row=i + 1, column="statcode")
        seen.add(code)
        if strict_known and code not in b.areas:
            raise LoadError(file, f"onbekende gebiedscode '{code}'", row=i + 1, column="statcode")
        geom = f["geometry"]
        try:
            shp = shape(geom)
            pt = shp.representative_point()
        except Exception as exc:  # noqa: BLE001
            if strict_known:
                raise LoadError(file, f"ongeldige geometrie ({exc})", row=i + 1, column="geometry") from exc
            skipped += 1  # coarse national file: buurten smaller than its ~300 m grid collapse
            continue
        b.geometries.append({
            "area_code": code, "indeling_year": src.indeling_year,
            "geojson": json.dumps({"type": geom["type"], "coordinates": _round_coords(geom["coordinates"])},
                                  separators=(",", ":")),
            "label_lon": round(pt.x, 5), "label_lat": round(pt.y, 5), "source_key": src.key,
        })
        if code in b.areas and props.get("statnaam") and code.startswith("WK"):
            if b.areas[code]["name"] is None:
                b.areas[code]["name"] = clean_name(props["statnaam"])
    row = _source_row(src, b.loaded_at)
    if skipped:
        row["notes"] = (row["notes"] or "") + f" {skipped} gebieden vielen weg door de grove kwantisering."
    b.sources.append(row)


def collect_groups(b: Bundle) -> None:
    mst = sorted(c for c, a in b.areas.items() if a["level"] == "buurt" and a["gemeente_code"] == MAASTRICHT
                 and a["indeling_year"] >= 2020)
    hrl = sorted(c for c, a in b.areas.items() if a["level"] == "buurt" and a["gemeente_code"] == HEERLEN
                 and a["indeling_year"] >= 2020)
    focus = list(FOCUS_AREAS)
    for c in focus:
        if c not in b.areas:
            raise LoadError("(gebiedsregister)", f"focusbuurt {c} ontbreekt in de bronbestanden")
    groups = [
        ("FOCUS", "Focusbuurten (Nazareth en Pottenberg)",
         "De twee buurten waar het programma Veerkrachtige Wijken begint.", focus),
        ("MAASTRICHT_REST", "Rest van Maastricht",
         "Alle Maastrichtse buurten (indeling 2020) behalve Nazareth en Pottenberg.",
         [c for c in mst if c not in focus]),
        ("HEERLEN_BUURTEN", "Heerlen (alle buurten)", "Alle Heerlense buurten (indeling 2020).", hrl),
        ("HEERLEN_NOORD", "Heerlen-Noord (benadering)",
         "Buurten in de CBS-wijken van Hoensbroek (10-14), Heerlerheide (20-24), Schandelen-Grasbroek (31) en "
         "Meezenbroek-Schaesbergerveld (32): een benadering van het gebied van het Nationaal Programma "
         "Heerlen-Noord op CBS-wijkniveau, geen officiële begrenzing.",
         [c for c in hrl if c[6:8] in HEERLEN_NOORD_WIJKEN]),
    ]
    for code, name, desc, members in groups:
        b.groups.append({"group_code": code, "name": name, "description": desc})
        b.members.extend({"group_code": code, "area_code": m} for m in members)


@contextmanager
def _without_cyclic_gc():
    """Collecting and writing allocate millions of small containers (cells, points, rows) that live until the
    step ends; the cyclic garbage collector would scan them again and again. Reference counting still frees
    everything as usual; the collector is switched back on afterwards (and picks up any cycles then)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_without_cyclic_gc()
def collect(national: bool = True) -> Bundle:
    """Read and validate every source. Raises LoadError on the first bad file; touches no database."""
    b = Bundle()
    b.loaded_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # type: ignore[attr-defined]
    b.variables = registry()
    collect_health(b, HEALTH_NATIONAL if national else HEALTH_SUBSET)
    # Gemeente files first so their codes are known, then the buurt files.
    order = sorted(KWB, key=lambda s: 0 if s.defines_codes else 1)
    for src in order:
        collect_kwb(b, src, b.variables)
    for src in GEO:
        collect_geo(b, src, strict_known=src.indeling_year >= 2020)
    collect_groups(b)
    used = set()
    for f in b.observations:
        used.update(f["variable_code"].unique())
    b.variables = {k: v for k, v in b.variables.items() if k in used}
    return b


@_without_cyclic_gc()
def write(engine: sa.Engine, b: Bundle, fail_after: str | None = None, *, derive: pipeline.Derive) -> dict:
    """Replace every statistics table in one transaction. ``fail_after`` is a test hook.

    ``derive(conn)`` (given by the caller, e.g. :func:`metrics.store.compute_into`) fills the metric store inside
    the same transaction, after the staged refreshes and the boundary events (see :func:`loaders.pipeline.finish`).
    """
    obs = b.observation_frame()
    n_national = 0 if b.national is None else int(b.national.drop(columns=["regio_code", "jaar", "leeftijd", "geheim"])
                                                   .notna().to_numpy().sum())
    counts = {"observations": len(obs), "national_values": n_national, "areas": len(b.areas), "geometries": len(b.geometries),
              "variables": len(b.variables), "sources": len(b.sources)}
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")  # a national build takes minutes
        store.recreate_stat_tables(conn)  # user tables are migrated, never dropped
        migrate_user_tables(conn)
        store.insert_sources(conn, sorted(b.sources, key=lambda r: r["source_key"]))
        store.insert_variables(conn, b.variables)
        store.insert_areas(conn, list(b.areas.values()))
        # primary-key order: the b-trees of the two WITHOUT ROWID tables are appended to, not split at random
        versions = (pd.DataFrame(b.area_versions).drop_duplicates(["code", "indeling_year", "source_key"])
                    .sort_values(["code", "indeling_year", "source_key"], kind="stable"))
        # an area without a name is NULL (pandas holds it as NaN, which PostgreSQL would store as text)
        versions["name"] = versions["name"].astype(object).where(versions["name"].notna(), None)
        store.insert_records(conn, schema.area_versions, versions.to_dict("records"))
        conn.execute(schema.area_groups.insert(), b.groups)
        conn.execute(schema.area_group_members.insert(), b.members)
        if fail_after == "areas":
            raise RuntimeError("simulated failure during build (test hook)")
        store.insert_records(conn, schema.geometries,
                             sorted(b.geometries, key=lambda r: (r["area_code"], r["indeling_year"])))
        if b.national is not None:
            store.write_national(conn, b.national, b.national_source)
        store.insert_observations(conn, obs)
        info = {"built_at": b.loaded_at.isoformat(), **{f"n_{k}": str(v) for k, v in counts.items()}}  # type: ignore[attr-defined]
        conn.execute(schema.build_info.insert(), [{"key": k, "value": v} for k, v in info.items()])
        # Refreshed and imported tables are re-applied, boundary events detected, the metric store computed:
        # the same steps a refresh or an import ends with.
        refresh.reapply_staged(conn)
        pipeline.finish(conn, derive=derive)
        if fail_after == "observations":
            raise RuntimeError("simulated failure during build (test hook)")
    return counts


def build(url: str, national: bool = True, fail_after: str | None = None, *, derive: pipeline.Derive) -> dict:
    bundle = collect(national=national)
    return write(get_engine(url), bundle, fail_after=fail_after, derive=derive)
