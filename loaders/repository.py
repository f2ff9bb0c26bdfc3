"""Read-side queries used by the app and the metric-store computation. Bound parameters only.

Pages read the metric store (:func:`load_store`), published national buurt values (:func:`national_values`,
:func:`buurt_series`) and geometry; only the build reads the raw observations in bulk (:func:`load_inputs`).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from . import schema
from .config import DETAIL_GEMEENTEN
from .db import DatabaseNotMigrated, connect, query, select
from .topology import KIND as MAP_TOPOLOGY, unpack as unpack_topology

OBS = schema.observation_rows
STORE_RESULT_FIELDS = ("value", "status", "method", "base_population", "base_year", "coverage", "n_members",
                       "n_with_value", "numerator", "denominator", "note", "se")


@dataclass
class Inputs:
    """Everything the metrics engine needs, as plain DataFrames."""

    obs: pd.DataFrame  # area_code, year, variable_code, age_group, value, status, source_key
    areas: pd.DataFrame  # code, name, level, parent_code, gemeente_code, indeling_year
    members: pd.DataFrame  # group_code, area_code
    groups: pd.DataFrame  # group_code, name, description
    sources: pd.DataFrame  # source_key, table_id, title, period, publisher, ...
    margins: pd.DataFrame | None = None  # published 95% intervals (observation_margins), when a refresh loaded them


@dataclass
class StoreRows:
    """The metric store as read for the app (see metrics.store)."""

    values: list[tuple]  # metric_id, area_code, year, sources, *STORE_RESULT_FIELDS
    comparisons: list[tuple]  # metric_id, kind, area_code, year, ref_area, ref_year, diff, threshold, ...
    derived: list[tuple]  # kind, key, payload (JSON)
    inputs: Inputs  # areas, members, groups, sources (obs is empty)


@contextmanager
def _conn(conn: sa.Connection | None, url: str | None):
    if conn is not None:
        yield conn
    else:
        with connect(url) as c:
            yield c


def _frame(conn: sa.Connection, stmt) -> pd.DataFrame:
    res = conn.execute(stmt)
    # plain tuples: pandas probes each SQLAlchemy Row for array attributes, which is slow for many rows
    return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


def _area_scope(a, gemeenten):
    return sa.or_(a.c.gemeente_code.in_(gemeenten), a.c.level.in_(["land", "gemeente"]))


def load_inputs(url: str | None = None, gemeenten: tuple[str, ...] = DETAIL_GEMEENTEN,
                conn: sa.Connection | None = None):
    """Raw observations of the given gemeenten (all levels) plus every gemeente and Nederland (build time)."""
    a = schema.areas
    stmt = (sa.select(OBS.c.area_code, OBS.c.year, OBS.c.variable_code, OBS.c.age_group, OBS.c.value, OBS.c.status,
                      OBS.c.source_key)
            .select_from(OBS.join(a, a.c.code == OBS.c.area_code)).where(_area_scope(a, gemeenten))
            .order_by(OBS.c.variable_code, OBS.c.age_group, OBS.c.year, OBS.c.area_code, OBS.c.source_key))
    with _conn(conn, url) as c:
        obs = _frame(c, stmt)
        areas = _frame(c, sa.select(a).where(_area_scope(a, gemeenten)))
        members = _frame(c, sa.select(schema.area_group_members))
        groups = _frame(c, sa.select(schema.area_groups))
        sources = _frame(c, sa.select(schema.sources))
        om = schema.observation_margins
        margins = _frame(c, sa.select(om)) if sa.inspect(c).has_table(om.name) else None
    return Inputs(obs=obs, areas=areas, members=members, groups=groups, sources=sources, margins=margins)


def load_store(url: str | None = None, gemeenten: tuple[str, ...] = DETAIL_GEMEENTEN):
    """The metric store and the area register the app shows (a few thousand rows; read once per build)."""
    a = schema.areas
    mv, mc = schema.metric_values, schema.metric_comparisons
    with connect(url) as c:
        # A database built by an older version, or by loaders.build without the metric-store step: say so
        # instead of showing empty pages.
        missing = not sa.inspect(c).has_table(mv.name) or c.execute(
            sa.select(schema.build_info.c.value).where(schema.build_info.c.key == "metric_store")).scalar() != "berekend"
        if missing:
            raise DatabaseNotMigrated("De database bevat nog geen berekende cijfers; de beheerder moet de database "
                                      "opnieuw opbouwen.")
        # plain tuples (SQL NULL = None): 40,000 rows become Results without a DataFrame in between
        values = c.execute(sa.select(mv.c.metric_id, mv.c.area_code, mv.c.year, mv.c.sources,
                                     *[mv.c[f] for f in STORE_RESULT_FIELDS])).all()
        comparisons = c.execute(sa.select(mc.c.metric_id, mc.c.kind, mc.c.area_code, mc.c.year, mc.c.ref_area,
                                          mc.c.ref_year, mc.c.diff, mc.c.threshold, mc.c.meaningful, mc.c.label,
                                          mc.c.favourable)).all()
        derived = c.execute(sa.select(schema.derived.c.kind, schema.derived.c.key, schema.derived.c.payload)
                            .where(schema.derived.c.kind != MAP_TOPOLOGY)).all()  # the map: map_topology()
        areas = _frame(c, sa.select(a).where(_area_scope(a, gemeenten)))
        members = _frame(c, sa.select(schema.area_group_members))
        groups = _frame(c, sa.select(schema.area_groups))
        sources = _frame(c, sa.select(schema.sources))
    empty = pd.DataFrame(columns=["area_code", "year", "variable_code", "age_group", "value", "status", "source_key"])
    return StoreRows(values=values, comparisons=comparisons, derived=derived,
                 inputs=Inputs(obs=empty, areas=areas, members=members, groups=groups, sources=sources))


def map_topology(key: str, url: str | None = None) -> str | None:
    """The TopoJSON text of a map prepared at build time (loaders.topology), or None when the build has none."""
    d = schema.derived
    with connect(url) as c:
        payload = c.execute(sa.select(d.c.payload).where(d.c.kind == MAP_TOPOLOGY, d.c.key == key)).scalar()
    return None if payload is None else unpack_topology(payload)


def geometries(indeling_year: int, gemeente: str | None = None, level: str = "buurt", url: str | None = None) -> pd.DataFrame:
    g, a = schema.geometries, schema.areas
    stmt = (sa.select(g.c.area_code, g.c.geojson, g.c.label_lon, g.c.label_lat, g.c.source_key, a.c.name)
            .select_from(g.outerjoin(a, a.c.code == g.c.area_code))
            .where(g.c.indeling_year == indeling_year, g.c.area_code.like(("BU" if level == "buurt" else "WK") + "%")))
    if gemeente:
        stmt = stmt.where(g.c.area_code.like(gemeente.replace("GM", "BU" if level == "buurt" else "WK") + "%"))
    return select(stmt, url=url)


def _national(conn: sa.Connection) -> sa.Table | None:
    """The wide national health table of this build (None when the build had no national file)."""
    if not sa.inspect(conn).has_table(schema.NATIONAL_TABLE):
        return None
    return sa.Table(schema.NATIONAL_TABLE, sa.MetaData(), autoload_with=conn)


def published(variables: list[str], age_group: str, year: int | None = None, level: str | None = None,
              area_codes: list[str] | None = None, url: str | None = None,
              conn: sa.Connection | None = None) -> pd.DataFrame:
    """Published values of a few variables, long form, from the raw store and the wide national table:
    area_code, year, variable_code, value, status, source_key, name, gemeente_code (NaN = missing)."""
    a, cols = schema.areas, ["area_code", "year", "variable_code", "value", "status", "source_key", "name",
                             "gemeente_code"]
    long_stmt = (sa.select(OBS.c.area_code, OBS.c.year, OBS.c.variable_code, OBS.c.value, OBS.c.status,
                           OBS.c.source_key, a.c.name, a.c.gemeente_code)
                 .select_from(OBS.join(a, a.c.code == OBS.c.area_code))
                 .where(OBS.c.variable_code.in_(variables), OBS.c.age_group == age_group))
    if year is not None:
        long_stmt = long_stmt.where(OBS.c.year == year)
    if level is not None:
        long_stmt = long_stmt.where(a.c.level == level)
    if area_codes is not None:
        long_stmt = long_stmt.where(OBS.c.area_code.in_(list(area_codes)))
    with _conn(conn, url) as c:
        frames = [_frame(c, long_stmt)]
        nat = _national(c)
        have = [v for v in variables if nat is not None and v in nat.c]
        if have:
            g, s = schema.age_groups, schema.sources
            src = c.execute(sa.select(s.c.source_key).where(s.c.table_id == "50090NED").order_by(s.c.source_key)).scalar()
            if "secret_id" not in nat.c:  # the national table of an older build (suppressed lists as text)
                raise DatabaseNotMigrated("De landelijke gezondheidstabel is door een oudere versie opgebouwd; de "
                                          "beheerder moet de database opnieuw opbouwen.")
            sec = schema.national_secrets
            secret_sets = {int(i): frozenset(txt.split(",")) for i, txt in c.execute(
                sa.select(sec.c.secret_id, sec.c.variables))}
            stmt = (sa.select(a.c.code.label("area_code"), nat.c.year, a.c.name, a.c.gemeente_code, nat.c.secret_id,
                              *[nat.c[v] for v in have])
                    .select_from(nat.join(a, a.c.area_id == nat.c.area_id).join(g, g.c.age_id == nat.c.age_id))
                    .where(g.c.code == age_group))
            if year is not None:
                stmt = stmt.where(nat.c.year == year)
            if level is not None:
                stmt = stmt.where(a.c.level == level)
            if area_codes is not None:
                stmt = stmt.where(a.c.code.in_(list(area_codes)))
            wide = _frame(c, stmt)
            none: frozenset[str] = frozenset()
            secrets = [none if i is None or i != i else secret_sets[int(i)] for i in wide["secret_id"].tolist()]
            for v in have:
                value = pd.to_numeric(wide[v], errors="coerce")
                frames.append(pd.DataFrame({
                    "area_code": wide["area_code"], "year": wide["year"], "variable_code": v, "value": value,
                    "status": ["ok" if present else ("geheim" if v in sct else "ontbreekt")
                               for present, sct in zip(value.notna().tolist(), secrets)],
                    "source_key": src, "name": wide["name"], "gemeente_code": wide["gemeente_code"]}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    return out


def national_values(variable: str, age_group: str, year: int, level: str = "buurt", url: str | None = None) -> pd.DataFrame:
    """One published variable for every area of a level in the country (e.g. all 13,808 buurten)."""
    df = published([variable], age_group, year=year, level=level, url=url)
    return df[["area_code", "value", "status", "name", "gemeente_code"]].sort_values("area_code", ignore_index=True)


def gemeente_names(url: str | None = None) -> dict[str, str]:
    df = query("SELECT code, name FROM areas WHERE level = :lvl", {"lvl": "gemeente"}, url=url)
    return dict(zip(df["code"], df["name"]))


def build_info(url: str | None = None) -> dict[str, str]:
    df = select(sa.select(schema.build_info), url=url)
    return dict(zip(df["key"], df["value"]))


def build_id(url: str | None = None) -> str:
    """The id of the current statistics (changed by every build, refresh, import and reapply; a database made
    before build ids existed answers with its build time). One small indexed read: the app checks it often."""
    bi = schema.build_info
    df = select(sa.select(bi.c.key, bi.c.value).where(bi.c.key.in_(("build_id", "built_at"))), url=url)
    values = dict(zip(df["key"], df["value"]))
    return values.get("build_id") or values.get("built_at", "")


def sources(url: str | None = None) -> pd.DataFrame:
    return select(sa.select(schema.sources).order_by(schema.sources.c.table_id), url=url)


def buurt_profile(variables: list[str], age_group: str, year: int, url: str | None = None,
                  conn: sa.Connection | None = None) -> pd.DataFrame:
    """Wide table, one row per buurt of the country: area_code, name, gemeente_code, one column per variable.

    Missing or suppressed cells stay NaN. (A plain pivot on the buurt code: no cartesian product of names.)
    """
    df = published(list(variables), age_group, year=year, level="buurt", url=url, conn=conn)
    cols = ["area_code", "name", "gemeente_code", *variables]
    if df.empty:
        return pd.DataFrame(columns=cols)
    wide = (df.drop_duplicates(["area_code", "variable_code"])
              .pivot(index="area_code", columns="variable_code", values="value"))
    wide = wide.reindex(columns=list(variables))
    wide.columns.name = None
    names = df.drop_duplicates("area_code").set_index("area_code")[["name", "gemeente_code"]]
    return names.join(wide).reset_index()[cols].sort_values("area_code", ignore_index=True)


def buurt_series(variable: str, age_group: str, area_codes: list[str], url: str | None = None) -> pd.DataFrame:
    """All years of one published variable for a few given areas: area_code, year, value, status, source_key."""
    cols = ["area_code", "year", "value", "status", "source_key"]
    if not area_codes:
        return pd.DataFrame(columns=cols)
    df = published([variable], age_group, area_codes=list(area_codes), url=url)
    return df[cols].sort_values(["area_code", "year"], ignore_index=True)


# --- Keeping the data current (loaders.refresh, loaders.boundaries)

def series_breaks(code: str, url: str | None = None) -> list[dict]:
    """Years where the trend line of `code` must be broken: [{year, kind, note}]."""
    from .boundaries import series_breaks as _breaks

    return _breaks(url, code)


def gemeente_area_codes(gemeente: str, url: str | None = None) -> set[str]:
    """The codes an own measurement may be given for: the gemeente itself and its wijken and buurten."""
    a = schema.areas
    stmt = sa.select(a.c.code).where((a.c.code == gemeente) | (a.c.gemeente_code == gemeente))
    with _conn(None, url) as conn:
        return {r[0] for r in conn.execute(stmt)}


OWN_FIGURE_COLUMNS = [c.name for c in schema.own_figures.columns]


def own_figures(url: str | None = None) -> pd.DataFrame:
    """The stored figures of the own measurements (metric store table own_figures), by indicator, area and
    period order; empty for a database built before the table existed."""
    t = schema.own_figures
    with connect(url) as c:
        if not sa.inspect(c).has_table(t.name):
            return pd.DataFrame(columns=OWN_FIGURE_COLUMNS)
        return _frame(c, sa.select(t).order_by(t.c.indicator_id, t.c.area_code, t.c.sort_key))


def published_bounds(url: str | None = None) -> dict[tuple[str, str, int, str], tuple[float | None, float | None]]:
    """RIVM's published 95% intervals (observation_margins, loaded by a refresh of 50090NED/50120NED) by
    (variable, age group, year, area): the export's lower/upper for a published value. Empty before any refresh
    brought them."""
    om = schema.observation_margins
    with connect(url) as c:
        if not sa.inspect(c).has_table(om.name):
            return {}
        rows = c.execute(sa.select(om.c.variable_code, om.c.age_group, om.c.year, om.c.area_code, om.c.lower,
                                   om.c.upper)).all()
    return {(v, g, int(y), a): (lo, hi) for v, g, y, a, lo, hi in rows if lo is not None or hi is not None}
