"""Applying refreshed and imported tables: write a batch into the raw store (superseding older copies of the same
CBS table), keep it in ``staged_batches`` so every later build re-applies it, and finish with the pipeline
(boundary events, metric store). One transaction per call.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import sqlalchemy as sa

from . import pipeline, schema, store
from .db import DatabaseUnavailable, database_error, get_engine, redact
from .cbs import Batch, RefreshError
from .schema import observation_margins, staged_batches, staging_metadata

# ---------------------------------------------------------------------------------------------- writing

def require_built(engine: sa.Engine) -> None:
    try:
        with engine.connect() as conn:
            ok = sa.inspect(conn).has_table("observations")
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        raise database_error(exc, str(engine.url)) or DatabaseUnavailable(
            f"De database is niet bereikbaar ({redact(str(engine.url))}).") from exc
    if not ok:
        raise RefreshError("De database is nog niet gebouwd: voer eerst `python -m wijkmonitor build` uit.")


def ensure_tables(conn: sa.Connection) -> None:
    staging_metadata.create_all(conn, checkfirst=True)


def _supersede(conn: sa.Connection, b: Batch) -> int:
    """Delete cells of older copies of the same table(s) that this batch publishes again."""
    s, o = schema.sources, schema.observation_rows
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
        for other in others:
            n += store.delete_scope(conn, other, years, variables, list(b.coverage))
    for other in others:
        res = conn.execute(sa.select(o.c.area_code, o.c.year, o.c.variable_code, o.c.age_group)
                           .where(o.c.source_key == other, o.c.variable_code.in_(variables)))
        have = pd.DataFrame([tuple(r) for r in res.fetchall()], columns=keys)
        if have.empty:
            continue
        have["year"] = have["year"].astype(int)
        hit = have.merge(cells.astype({"year": int}), on=keys)
        n += store.delete_cells(conn, other, hit)
    return n


def apply_batch(conn: sa.Connection, b: Batch) -> dict:
    """Write one batch inside the caller's transaction, replacing earlier rows with the same source_key."""
    key = b.source_key
    store.insert_variables(conn, b.variables)
    conn.execute(observation_margins.delete().where(observation_margins.c.source_key == key))
    store.replace_source(conn, b.source)
    new_areas = store.upsert_areas(conn, b.areas)
    versions = {(a["code"], a["indeling_year"]): a["name"] for a in b.areas}
    if versions:
        conn.execute(schema.area_versions.insert(), [{"code": c, "indeling_year": y, "name": nm, "source_key": key}
                                                     for (c, y), nm in versions.items()])
    superseded = _supersede(conn, b)
    obs = b.observations.assign(source_key=key)
    store.insert_observations(conn, obs)
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


def apply_in(conn: sa.Connection, batches: list[Batch], stage: bool = True, *, derive: pipeline.Derive | None,
             finish: bool = True) -> dict:
    """Apply batches inside an open transaction; then (``finish``) boundary events and the metric store.
    ``derive`` is required (``None`` only with ``finish=False``, when the caller finishes later)."""
    if finish and derive is None:
        raise TypeError("apply_in(finish=True) needs derive (the metric-store step)")
    ensure_tables(conn)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    counts = {"observations": 0, "superseded": 0, "areas_new": 0}
    for b in batches:
        c = apply_batch(conn, b)
        for k in counts:
            counts[k] += c[k]
        if stage:
            _stage(conn, b, now)
    if batches:
        store.set_info(conn, "refreshed_at", now.isoformat())
    if finish:
        counts["changes"] = pipeline.finish(conn, derive=derive)["changes"]
    return counts


def apply(engine: sa.Engine, batches: list[Batch], fail_after: str | None = None, *,
          derive: pipeline.Derive) -> dict:
    """Write batches (and stage them for later builds) in ONE transaction."""
    with engine.begin() as conn:
        counts = apply_in(conn, batches, derive=derive)
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
    """Re-apply every staged batch inside the caller's transaction (the build finishes afterwards)."""
    batches = staged(conn)
    return {**apply_in(conn, batches, stage=False, derive=None, finish=False), "batches": len(batches)}


def reapply(url: str | None = None, *, derive: pipeline.Derive) -> dict:
    """Re-apply the staged refreshes and imports in one transaction (e.g. after `python -m wijkmonitor build`)."""
    engine = get_engine(url)
    require_built(engine)
    with engine.begin() as conn:
        counts = reapply_staged(conn)
        counts["changes"] = pipeline.finish(conn, derive=derive)["changes"]
        return counts


def pending(url: str | None = None) -> list[dict]:
    """Staged batches whose source is not (any more) in the database, e.g. after a rebuild."""
    engine = get_engine(url)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("staged_batches"):
            return []
        have = {r.source_key for r in conn.execute(sa.select(schema.sources.c.source_key))}
        rows = conn.execute(sa.select(staged_batches.c.source_key, staged_batches.c.kind, staged_batches.c.table_id,
                                      staged_batches.c.fetched_at, staged_batches.c.n_observations))
        return [dict(r._mapping) for r in rows if r.source_key not in have]


def status(url: str | None = None) -> pd.DataFrame:
    """Staged refreshes/imports with whether they are currently applied (for the Data page)."""
    engine = get_engine(url)
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
