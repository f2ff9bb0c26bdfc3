"""The one module that writes statistics: the raw store (observations and its dimension tables).

The build, the CBS refresh, the StatLine import and the re-application of staged batches all write through
these functions, inside the caller's transaction. Observations are stored with integer keys
(:mod:`loaders.schema`); callers pass and get text keys (area code, variable code, age group, source key),
this module maps them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import schema
from .codes import gemeente_of, level_of, parent_of

OBS_COLS = ["area_code", "year", "variable_code", "age_group", "value", "status", "source_key"]
_INT_COLS = ["variable_id", "age_id", "year", "area_id", "source_id", "value", "status"]


# ---------------------------------------------------------------------------------------------- tables

def recreate_stat_tables(conn: sa.Connection) -> None:
    """Drop and create the statistics tables (DDL is transactional on both databases)."""
    conn.exec_driver_sql("DROP VIEW IF EXISTS observation_rows")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {schema.NATIONAL_TABLE}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {schema.NATIONAL_SECRETS_TABLE}")
    schema.metadata.drop_all(conn, tables=schema.STORE_TABLES + schema.STAT_TABLES, checkfirst=True)
    schema.metadata.create_all(conn, tables=schema.STAT_TABLES + schema.STORE_TABLES)
    conn.exec_driver_sql(schema.OBSERVATION_ROWS_VIEW)
    conn.execute(schema.age_groups.insert(), [{"age_id": i, "code": c} for c, i in schema.AGE_GROUP_IDS.items()])


def _ids(conn: sa.Connection, table: sa.Table, key: str, idcol: str) -> dict[str, int]:
    return {k: int(i) for k, i in conn.execute(sa.select(table.c[key], table.c[idcol]))}


def _next_id(conn: sa.Connection, col: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(col), -1))).scalar_one()) + 1


# ---------------------------------------------------------------------------------------------- dimensions

def insert_sources(conn: sa.Connection, rows: list[dict]) -> None:
    """Add sources (replacing none); each gets the next integer id."""
    nxt = _next_id(conn, schema.sources.c.source_id)
    conn.execute(schema.sources.insert(), [{**r, "source_id": nxt + i} for i, r in enumerate(rows)])


def replace_source(conn: sa.Connection, row: dict) -> None:
    """Remove every row of a source (observations, versions) and add it anew with the same id if it existed."""
    key = row["source_key"]
    old = conn.execute(sa.select(schema.sources.c.source_id).where(schema.sources.c.source_key == key)).scalar()
    delete_source(conn, key)
    sid = old if old is not None else _next_id(conn, schema.sources.c.source_id)
    conn.execute(schema.sources.insert(), [{**row, "source_id": sid}])


def delete_source(conn: sa.Connection, source_key: str) -> None:
    s = schema.sources
    sid = conn.execute(sa.select(s.c.source_id).where(s.c.source_key == source_key)).scalar()
    if sid is not None:
        conn.execute(schema.observations.delete().where(schema.observations.c.source_id == sid))
    conn.execute(schema.area_versions.delete().where(schema.area_versions.c.source_key == source_key))
    conn.execute(s.delete().where(s.c.source_key == source_key))


def insert_variables(conn: sa.Connection, variables: dict[str, dict]) -> None:
    """Add variables that are not in the table yet (code -> {title, unit, description})."""
    have = _ids(conn, schema.variables, "code", "variable_id")
    nxt = _next_id(conn, schema.variables.c.variable_id)
    new = [{"code": c, "variable_id": nxt + i, **meta}
           for i, (c, meta) in enumerate(sorted((c, m) for c, m in variables.items() if c not in have))]
    if new:
        conn.execute(schema.variables.insert(), new)


def insert_areas(conn: sa.Connection, rows: list[dict]) -> None:
    """Add new areas ({code, name, level, parent_code, gemeente_code, indeling_year}); ids follow the code order."""
    nxt = _next_id(conn, schema.areas.c.area_id)
    rows = sorted(rows, key=lambda r: r["code"])
    if rows:
        insert_records(conn, schema.areas, [{**r, "area_id": nxt + i} for i, r in enumerate(rows)])


def upsert_areas(conn: sa.Connection, rows: list[dict]) -> int:
    """Add unknown areas and update names/indeling years of known ones ({code, name, indeling_year})."""
    a = schema.areas
    codes = [r["code"] for r in rows]
    existing = {}
    for i in range(0, len(codes), 400):
        for r in conn.execute(sa.select(a.c.code, a.c.name, a.c.indeling_year).where(a.c.code.in_(codes[i:i + 400]))):
            existing[r.code] = (r.name, r.indeling_year)
    new = []
    for r in rows:
        cur = existing.get(r["code"])
        if cur is None:
            new.append({"code": r["code"], "name": r["name"], "level": level_of(r["code"]),
                        "parent_code": parent_of(r["code"]), "gemeente_code": gemeente_of(r["code"]),
                        "indeling_year": r["indeling_year"]})
            existing[r["code"]] = (r["name"], r["indeling_year"])
            continue
        name, year = cur
        upd = {}
        if r["name"] and (name is None or r["indeling_year"] >= year) and r["name"] != name:
            upd["name"] = r["name"]
        if r["indeling_year"] > year:
            upd["indeling_year"] = r["indeling_year"]
        if upd:
            conn.execute(a.update().where(a.c.code == r["code"]).values(**upd))
            existing[r["code"]] = (upd.get("name", name), upd.get("indeling_year", year))
    insert_areas(conn, new)
    return len(new)


def _age_ids(conn: sa.Connection, needed) -> dict[str, int]:
    ids = _ids(conn, schema.age_groups, "code", "age_id")
    new = sorted(set(needed) - set(ids))
    if new:
        nxt = _next_id(conn, schema.age_groups.c.age_id)
        conn.execute(schema.age_groups.insert(), [{"age_id": nxt + i, "code": c} for i, c in enumerate(new)])
        ids.update({c: nxt + i for i, c in enumerate(new)})
    return ids


# ---------------------------------------------------------------------------------------------- observations

def _lookup(keys: pd.Series, mapping: dict[str, int]) -> np.ndarray:
    """``keys.map(mapping)`` as an array, one dictionary lookup per distinct key: integers, or floats with NaN
    where a key is not in the mapping."""
    codes, uniques = pd.factorize(keys)
    ids = [mapping.get(u) for u in uniques]
    if (codes < 0).any() or any(i is None for i in ids):
        table = np.array([np.nan if i is None else i for i in ids] + [np.nan], dtype=float)
        return table[codes]  # code -1 (a missing key) takes the last entry, NaN
    return np.asarray(ids, dtype=np.int64)[codes]


def _encode(conn: sa.Connection, obs: pd.DataFrame) -> pd.DataFrame:
    """Text keys -> integer keys. Every area, variable and source must already be in its table."""
    maps = {
        "area_code": _ids(conn, schema.areas, "code", "area_id"),
        "variable_code": _ids(conn, schema.variables, "code", "variable_id"),
        "source_key": _ids(conn, schema.sources, "source_key", "source_id"),
        "age_group": _age_ids(conn, obs["age_group"].unique()),
    }
    out = pd.DataFrame({"year": obs["year"].astype(int).to_numpy(), "value": obs["value"].to_numpy(dtype=float),
                        "status": _lookup(obs["status"], schema.STATUS_IDS)})
    for col, target in (("area_code", "area_id"), ("variable_code", "variable_id"), ("source_key", "source_id"),
                        ("age_group", "age_id")):
        ids = _lookup(obs[col], maps[col])
        if ids.dtype.kind == "f" and np.isnan(ids).any():  # a programming error: the caller registers dimensions first
            raise KeyError(f"{col} {obs[col][np.isnan(ids)].iloc[0]!r} is not registered")
        out[target] = ids.astype(int)
    if out["status"].isna().any():
        raise KeyError(f"unknown status {obs['status'][out['status'].isna().to_numpy()].iloc[0]!r}")
    return out[_INT_COLS]


def insert_observations(conn: sa.Connection, obs: pd.DataFrame) -> int:
    """Insert long-form observations (columns :data:`OBS_COLS`) in one statement stream."""
    if obs.empty:
        return 0
    enc = _encode(conn, obs[OBS_COLS]).sort_values(_INT_COLS[:5], kind="stable")
    value = enc["value"].astype(object).where(enc["value"].notna(), None)
    rows = list(zip(*(enc[c].astype(int).tolist() for c in _INT_COLS[:5]), value.tolist(),
                    enc["status"].astype(int).tolist()))
    return bulk_insert(conn, "observations", _INT_COLS, rows)


def bulk_insert(conn: sa.Connection, table: str, cols: list[str], rows: list[tuple]) -> int:
    """Rows into a table in one statement stream: COPY on PostgreSQL, executemany on SQLite. ``table`` and
    ``cols`` are this module's own identifiers (schema names and catalog variable codes), never user input."""
    names = ", ".join(f'"{c}"' for c in cols)
    if conn.dialect.name == "postgresql":
        cur = conn.connection.driver_connection.cursor()
        with cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})", rows)
    return len(rows)


def insert_records(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> int:
    """Rows given as dicts (the keys of the first row; the values as they are) through :func:`bulk_insert`,
    in the given order."""
    if not rows:
        return 0
    cols = [c.name for c in table.columns if c.name in rows[0]]
    return bulk_insert(conn, table.name, cols, [tuple(r[c] for c in cols) for r in rows])


# ---------------------------------------------------------------------------------------------- national table

def write_national(conn: sa.Connection, wide: pd.DataFrame, source_key: str) -> int:
    """Write the wide national health rows (regio_code, jaar, leeftijd, one column per variable, geheim: the
    suppressed variables of the row, comma separated) as the national table, in one statement stream; each
    distinct ``geheim`` list becomes one row of the secrets table (numbered in sorted order), referred to by id."""
    variables = [c for c in wide.columns if c not in ("regio_code", "jaar", "leeftijd", "geheim")]
    schema.national_table(variables).create(conn)
    schema.national_secrets.create(conn)
    areas = _ids(conn, schema.areas, "code", "area_id")
    ages = _age_ids(conn, wide["leeftijd"].unique())
    area_id = wide["regio_code"].map(areas)
    if area_id.isna().any():
        raise KeyError(f"area {wide['regio_code'][area_id.isna()].iloc[0]!r} is not registered")
    keys = [area_id.astype(int).to_numpy(), wide["jaar"].astype(int).to_numpy(),
            wide["leeftijd"].map(ages).astype(int).to_numpy()]
    order = np.lexsort((keys[0], keys[2], keys[1]))  # primary-key order (year, age, area): B-tree appends
    geheim = wide["geheim"].astype(object).where(wide["geheim"].notna(), None).to_numpy()[order].tolist()
    secret_ids = {s: i for i, s in enumerate(sorted({g for g in geheim if g is not None}))}
    if secret_ids:
        conn.execute(schema.national_secrets.insert(),
                     [{"secret_id": i, "variables": s} for s, i in secret_ids.items()])
    columns = [k[order].tolist() for k in keys]
    columns += [_nullable(wide[v].to_numpy(dtype=float)[order]) for v in variables]
    columns.append([None if g is None else secret_ids[g] for g in geheim])
    return bulk_insert(conn, schema.NATIONAL_TABLE, ["area_id", "year", "age_id", *variables, "secret_id"],
                        list(zip(*columns)))


def _nullable(values: np.ndarray) -> list:
    """Floats as a list of Python floats, NaN as None (SQL NULL; PostgreSQL would otherwise store NaN)."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def delete_cells(conn: sa.Connection, source_key: str, cells: pd.DataFrame) -> int:
    """Delete the given cells (area_code, year, variable_code, age_group) of one source."""
    if cells.empty:
        return 0
    enc = _encode(conn, cells.assign(value=float("nan"), status="ok", source_key=source_key))
    o = schema.observations
    stmt = o.delete().where(o.c.source_id == sa.bindparam("s"), o.c.variable_id == sa.bindparam("v"),
                            o.c.age_id == sa.bindparam("g"), o.c.year == sa.bindparam("y"),
                            o.c.area_id == sa.bindparam("a"))
    conn.execute(stmt, [{"s": int(r.source_id), "v": int(r.variable_id), "g": int(r.age_id), "y": int(r.year),
                         "a": int(r.area_id)} for r in enc.itertuples(index=False)])
    return len(enc)


def delete_scope(conn: sa.Connection, source_key: str, years: list[int], variables: list[str],
                 area_prefixes: list[str]) -> int:
    """Delete a source's rows for the given years and variables in areas whose code starts with a prefix."""
    s, v, a, o = schema.sources, schema.variables, schema.areas, schema.observations
    sid = conn.execute(sa.select(s.c.source_id).where(s.c.source_key == source_key)).scalar()
    if sid is None or not years or not variables:
        return 0
    vids = sa.select(v.c.variable_id).where(v.c.code.in_(variables))
    aids = sa.select(a.c.area_id).where(sa.or_(*[a.c.code.like(p + "%") for p in area_prefixes]))
    res = conn.execute(o.delete().where(o.c.source_id == sid, o.c.year.in_(years), o.c.variable_id.in_(vids),
                                        o.c.area_id.in_(aids)))
    return res.rowcount or 0


def set_info(conn: sa.Connection, key: str, value: str) -> None:
    bi = schema.build_info
    conn.execute(bi.delete().where(bi.c.key == key))
    conn.execute(bi.insert().values(key=key, value=value))
