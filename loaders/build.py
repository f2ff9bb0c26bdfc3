"""Build the statistics database from the files in data/.

Two phases, so a bad file never leaves a half-written database:
1. ``collect()`` reads and validates every source into tidy DataFrames (no database access);
2. ``write()`` replaces all statistics tables inside ONE transaction. Tables with user-entered data
   (targets, participation figures, change log) are never touched by a rebuild.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import shape

from . import schema
from .errors import LoadError
from .readers import (MISSING, OK, SUPPRESSED, read_geojson, read_parquet, read_text_table,
                      read_topojson, sha256, to_numeric_statline)
from .sources import GEO, HEALTH_NATIONAL, HEALTH_SUBSET, KWB, LICENCE, Source
from .variables import registry

CODE_RE = re.compile(r"^(NL01|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")  # Amsterdam uses letters
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
SOORT_TO_LEVEL = {"Land": "land", "Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
AGE_GROUPS = {"18+", "18-64", "65+"}
TOTAL_AGE = "totaal"
MIN_YEAR, MAX_YEAR = 1990, 2100

MAASTRICHT = "GM0935"
HEERLEN = "GM0917"
NAZARETH = "BU09350403"
POTTENBERG = "BU09350203"
# Heerlen-Noord (Nationaal Programma Heerlen-Noord) approximated by CBS wijken: Hoensbroek (10-14),
# Heerlerheide (20-24), Schandelen-Grasbroek (31) and Meezenbroek-Schaesbergerveld (32).
HEERLEN_NOORD_WIJKEN = {"10", "11", "12", "13", "14", "20", "21", "22", "23", "24", "31", "32"}


def level_of(code: str) -> str:
    return LEVEL_BY_PREFIX[code[:2]]


def parent_of(code: str) -> str | None:
    lvl = level_of(code)
    if lvl == "buurt":
        return "WK" + code[2:8]
    if lvl == "wijk":
        return "GM" + code[2:6]
    if lvl == "gemeente":
        return "NL01"
    return None


def gemeente_of(code: str) -> str | None:
    return None if code == "NL01" else "GM" + code[2:6]


def clean_name(name) -> str | None:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = re.sub(r"^Wijk \d+\s+", "", str(name).strip())
    return s or None


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

    def observation_frame(self) -> pd.DataFrame:
        return pd.concat(self.observations, ignore_index=True) if self.observations else pd.DataFrame()


def _source_row(src: Source, loaded_at: dt.datetime) -> dict:
    return {
        "source_key": src.key, "publisher": src.publisher, "table_id": src.table_id, "title": src.title,
        "period": src.period, "licence": LICENCE, "file_name": src.path, "file_sha256": sha256(src.file),
        "loaded_at": loaded_at, "notes": src.notes or None,
    }


def _check_codes(codes: pd.Series, file: str, column: str, row_offset: int = 2) -> None:
    ok = codes.str.match(CODE_RE.pattern).fillna(False)
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        raise LoadError(file, f"ongeldige gebiedscode '{codes.iloc[pos]}' (verwacht NL01, GMxxxx, WKxxxxxx of BUxxxxxxxx)",
                        row=pos + row_offset, column=column)


def _check_duplicates(df: pd.DataFrame, keys: list[str], file: str, row_offset: int = 2) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        desc = ", ".join(f"{k}={df[k].iloc[pos]}" for k in keys)
        raise LoadError(file, f"dubbele rij ({desc})", row=pos + row_offset, column=keys[0])


def _check_range(values: pd.Series, unit: str, file: str, column: str, row_offset: int = 2) -> None:
    v = values.to_numpy(dtype=float)
    if unit == "%":
        bad = (v < 0) | (v > 100)
        why = "percentage buiten 0-100"
    elif unit in {"aantal", "per 1 000 inwoners", "x 1 000 euro", "km", "ha", "aantal inwoners per km²"}:
        bad = v < 0
        why = "negatieve waarde"
    else:
        bad = np.zeros(len(v), dtype=bool)
        why = ""
    impossible = np.isinf(v) | (np.abs(np.nan_to_num(v, posinf=0, neginf=0)) > 1e12)
    bad = (bad & ~np.isnan(v)) | impossible
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        reason = "onmogelijke waarde" if impossible[pos] else why
        raise LoadError(file, f"{reason}: {values.iloc[pos]}", row=pos + row_offset, column=column)


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
    _check_codes(codes, file, "regio_code")
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
    _check_duplicates(key, ["regio_code", "jaar", "leeftijd"], file)

    # Areas: names from the file (2014 names for wijk/buurt; gemeente names; NL).
    first = key.assign(gm=df["gemeentenaam"], nm=df["regio_naam_2014"]).drop_duplicates("regio_code")
    for code, gm, nm in zip(first["regio_code"], first["gm"], first["nm"]):
        name = "Nederland" if code == "NL01" else (gm if code.startswith("GM") else nm)
        _add_area(b, code, name, src.indeling_year, src.key)

    for col, var in src.columns.items():
        values, status = to_numeric_statline(df, col, file)
        _check_range(values, "%", file, col)
        frame = _long(codes, key["jaar"].to_numpy(), var, key["leeftijd"].to_numpy(), values, status, src.key)
        # An indicator that is empty for a whole year/age group was not measured: no rows at all.
        measured = frame.groupby(["year", "age_group"])["status"].transform(lambda s: (s != MISSING).any())
        b.observations.append(frame[measured.to_numpy()])
    b.sources.append(_source_row(src, b.loaded_at))


NAME_COLUMNS = ["buurt_naam_85984NED", "buurt_naam_83765NED", "regio", "GM_NAAM", "region"]


def collect_kwb(b: Bundle, src: Source, variables: dict[str, dict]) -> None:
    file = src.path
    df = read_text_table(src.file, required=[src.code_column, *src.columns])
    codes = df[src.code_column].astype("string").str.strip()
    codes = codes.mask(codes.eq("NL00"), "NL01")  # StatLine's KWB tables code Nederland as NL00
    _check_codes(codes, file, src.code_column)
    _check_duplicates(pd.DataFrame({src.code_column: codes}), [src.code_column], file)
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
        bad = ~gms.isin(known_gm) & ~codes.eq("NL01")
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
        values, status = to_numeric_statline(df, col, file)
        _check_range(values, variables[var]["unit"], file, col)
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
    focus = [NAZARETH, POTTENBERG]
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


def _insert_observations(conn: sa.Connection, obs: pd.DataFrame) -> None:
    cols = ["area_code", "year", "variable_code", "age_group", "value", "status", "source_key"]
    obs = obs[cols]
    values = obs["value"].astype(object).where(obs["value"].notna(), None)
    rows = list(zip(obs["area_code"], obs["year"].astype(int).tolist(), obs["variable_code"], obs["age_group"],
                    values.tolist(), obs["status"], obs["source_key"]))
    if conn.dialect.name == "postgresql":
        cur = conn.connection.driver_connection.cursor()
        with cur.copy(f"COPY observations ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        placeholders = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO observations ({', '.join(cols)}) VALUES ({placeholders})"
        chunk = 200_000
        for i in range(0, len(rows), chunk):
            conn.exec_driver_sql(sql, rows[i:i + chunk])


def write(engine: sa.Engine, b: Bundle, fail_after: str | None = None) -> dict:
    """Replace every statistics table in one transaction. ``fail_after`` is a test hook."""
    from .migrations import migrate_user_tables

    obs = b.observation_frame()
    counts = {"observations": len(obs), "areas": len(b.areas), "geometries": len(b.geometries),
              "variables": len(b.variables), "sources": len(b.sources)}
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")  # a national build takes minutes
        # Drop and recreate the statistics tables (DDL is transactional on both databases), so the
        # bulk insert runs without secondary indexes; user tables are migrated, never dropped.
        schema.metadata.drop_all(conn, tables=schema.STAT_TABLES, checkfirst=True)
        schema.metadata.create_all(conn, tables=schema.STAT_TABLES)
        schema.OBS_AREA_INDEX.drop(conn)
        migrate_user_tables(conn)
        conn.execute(schema.sources.insert(), b.sources)
        conn.execute(schema.variables.insert(), [{"code": k, **v} for k, v in sorted(b.variables.items())])
        conn.execute(schema.areas.insert(), list(b.areas.values()))
        versions = pd.DataFrame(b.area_versions).drop_duplicates(["code", "indeling_year", "source_key"])
        conn.execute(schema.area_versions.insert(), versions.to_dict("records"))
        conn.execute(schema.area_groups.insert(), b.groups)
        conn.execute(schema.area_group_members.insert(), b.members)
        if fail_after == "areas":
            raise RuntimeError("simulated failure during build (test hook)")
        conn.execute(schema.geometries.insert(), b.geometries)
        _insert_observations(conn, obs)
        # Refreshed (CBS OData) and imported (StatLine export) tables are kept in a staging table and
        # re-applied here, inside the same transaction, so a rebuild never silently drops them.
        from .refresh import reapply_staged

        reapply_staged(conn)
        schema.OBS_AREA_INDEX.create(conn)
        info = {"built_at": b.loaded_at.isoformat(), **{f"n_{k}": str(v) for k, v in counts.items()}}  # type: ignore[attr-defined]
        conn.execute(schema.build_info.insert(), [{"key": k, "value": v} for k, v in info.items()])
        if fail_after == "observations":
            raise RuntimeError("simulated failure during build (test hook)")
    return counts


def build(url: str, national: bool = True, fail_after: str | None = None) -> dict:
    from .db import get_engine

    bundle = collect(national=national)
    return write(get_engine(url), bundle, fail_after=fail_after)
