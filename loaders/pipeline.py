"""The steps every write of statistics ends with, in the caller's transaction.

collect (build: shipped files; refresh: CBS OData; import: StatLine export) → store (:mod:`loaders.store`) →
re-apply staged batches (build only) → boundary events (:mod:`loaders.boundaries`) → the national map's TopoJSON
(:mod:`loaders.topology`) → metric store.

The metric store is computed by the metrics layer: the caller passes ``derive(conn)`` (the composition roots
``python -m loaders`` and the app pass :func:`metrics.store.compute_into`), and likewise the variables a
refresh or import loads for the catalog (:func:`metrics.variables.needed_variables`), so this package never
imports ``metrics``. Without it the metric store is emptied and ``build_info`` says so: a page never shows figures
that no longer match the raw store.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from . import boundaries, schema, store, topology

Derive = Callable[[sa.Connection], dict]


def finish(conn: sa.Connection, derive: Derive | None = None) -> dict:
    """Boundary events and the metric store, after the raw store changed."""
    changes = boundaries.store(conn, boundaries.detect(conn))
    for t in reversed(schema.STORE_TABLES):
        conn.execute(t.delete())
    # The national map's shapes and names as one TopoJSON (the Kaart page serves it as a static file).
    map_bytes = topology.store_national(conn)
    counts = derive(conn) if derive is not None else {}
    store.set_info(conn, "metric_store", "berekend" if derive is not None else "ontbreekt")
    return {"changes": len(changes), "map_topology_bytes": map_bytes, **counts}
