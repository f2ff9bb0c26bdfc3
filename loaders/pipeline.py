"""The steps every write of statistics ends with, in the caller's transaction.

collect (build: shipped files; refresh: CBS OData; import: StatLine export) → store (:mod:`loaders.store`) →
re-apply staged batches (build only) → boundary events (:mod:`loaders.boundaries`) → the national map's TopoJSON
(:mod:`loaders.topology`) → metric store.

The metric store is computed by the metrics layer: every write takes ``derive(conn)`` as a required keyword
argument (the composition root :mod:`wijkmonitor.statistics` passes :func:`metrics.store.compute_into`), and
likewise the variables a refresh or import loads for the catalog (:func:`metrics.variables.needed_variables`), so
this package never imports ``metrics`` and no caller can forget the step. ``build_info.metric_store`` records
what ``derive`` returned: ``berekend`` when it wrote metric values, otherwise ``ontbreekt`` (e.g. a loader test
that passes :func:`no_metric_store` on purpose) — a page never shows figures that no longer match the raw store.
Every finish also sets a new ``build_id`` in ``build_info``.
"""
from __future__ import annotations

import uuid
from typing import Callable

import sqlalchemy as sa

from . import boundaries, schema, store, topology

Derive = Callable[[sa.Connection], dict]


def no_metric_store(conn: sa.Connection) -> dict:
    """An explicit ``derive`` that computes nothing: for loader tests that look at the raw store only. The
    metric store is then empty and ``build_info`` says ``ontbreekt``."""
    return {}


def finish(conn: sa.Connection, *, derive: Derive) -> dict:
    """Boundary events and the metric store, after the raw store changed."""
    changes = boundaries.store(conn, boundaries.detect(conn))
    # (a database built before a store table existed gets it here; the build itself recreates them all)
    schema.metadata.create_all(conn, tables=schema.STORE_TABLES, checkfirst=True)
    for t in reversed(schema.STORE_TABLES):
        conn.execute(t.delete())
    # The national map's shapes and names as one TopoJSON (the Kaart page serves it as a static file).
    map_bytes = topology.store_national(conn)
    counts = dict(derive(conn))
    store.set_info(conn, "metric_store", "berekend" if counts.get("metric_values") else "ontbreekt")
    # A new build id with every write of statistics (build, refresh, import, reapply), in the same transaction:
    # each app process compares it cheaply and drops its cached figures when it changed (ui/state.py).
    store.set_info(conn, "build_id", uuid.uuid4().hex)
    return {"changes": len(changes), "map_topology_bytes": map_bytes, **counts}
