"""Read-side queries used by the app and the metrics engine. Bound parameters only."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from . import schema
from .db import query, select

DEFAULT_GEMEENTEN = ("GM0935", "GM0917")


def load_inputs(url: str | None = None, gemeenten: tuple[str, ...] = DEFAULT_GEMEENTEN):
    """Observations for the given gemeenten (all levels) plus every gemeente and Nederland."""
    from metrics.compute import Inputs

    o, a = schema.observations, schema.areas
    stmt = (
        sa.select(o.c.area_code, o.c.year, o.c.variable_code, o.c.age_group, o.c.value, o.c.status, o.c.source_key)
        .select_from(o.join(a, a.c.code == o.c.area_code))
        .where(sa.or_(a.c.gemeente_code.in_(gemeenten), a.c.level.in_(["land", "gemeente"])))
    )
    obs = select(stmt, url=url)
    areas = select(sa.select(a).where(sa.or_(a.c.gemeente_code.in_(gemeenten), a.c.level.in_(["land", "gemeente"]))),
                   url=url)
    members = select(sa.select(schema.area_group_members), url=url)
    groups = select(sa.select(schema.area_groups), url=url)
    sources = select(sa.select(schema.sources), url=url)
    return Inputs(obs=obs, areas=areas, members=members, groups=groups, sources=sources)


def geometries(indeling_year: int, gemeente: str | None = None, level: str = "buurt", url: str | None = None) -> pd.DataFrame:
    g, a = schema.geometries, schema.areas
    stmt = (sa.select(g.c.area_code, g.c.geojson, g.c.label_lon, g.c.label_lat, g.c.source_key, a.c.name)
            .select_from(g.outerjoin(a, a.c.code == g.c.area_code))
            .where(g.c.indeling_year == indeling_year, g.c.area_code.like(("BU" if level == "buurt" else "WK") + "%")))
    if gemeente:
        stmt = stmt.where(g.c.area_code.like(gemeente.replace("GM", "BU" if level == "buurt" else "WK") + "%"))
    return select(stmt, url=url)


def national_values(variable: str, age_group: str, year: int, level: str = "buurt", url: str | None = None) -> pd.DataFrame:
    """One variable for every area of a level in the country (e.g. all 13,808 buurten)."""
    o, a = schema.observations, schema.areas
    stmt = (sa.select(o.c.area_code, o.c.value, o.c.status, a.c.name, a.c.gemeente_code)
            .select_from(o.join(a, a.c.code == o.c.area_code))
            .where(o.c.variable_code == variable, o.c.age_group == age_group, o.c.year == year, a.c.level == level))
    return select(stmt, url=url)


def gemeente_names(url: str | None = None) -> dict[str, str]:
    df = query("SELECT code, name FROM areas WHERE level = :lvl", {"lvl": "gemeente"}, url=url)
    return dict(zip(df["code"], df["name"]))


def build_info(url: str | None = None) -> dict[str, str]:
    df = select(sa.select(schema.build_info), url=url)
    return dict(zip(df["key"], df["value"]))


def sources(url: str | None = None) -> pd.DataFrame:
    return select(sa.select(schema.sources).order_by(schema.sources.c.table_id), url=url)


def buurt_profile(variables: list[str], age_group: str, year: int, url: str | None = None) -> pd.DataFrame:
    """Wide table, one row per buurt of the country: area_code, name, gemeente_code, one column per variable.

    Missing or suppressed cells stay NaN. (A plain pivot on the buurt code: no cartesian product of names.)
    """
    o, a = schema.observations, schema.areas
    stmt = (sa.select(o.c.area_code, o.c.variable_code, o.c.value, a.c.name, a.c.gemeente_code)
            .select_from(o.join(a, a.c.code == o.c.area_code))
            .where(o.c.variable_code.in_(variables), o.c.age_group == age_group, o.c.year == year,
                   a.c.level == "buurt"))
    df = select(stmt, url=url)
    cols = ["area_code", "name", "gemeente_code", *variables]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    wide = (df.drop_duplicates(["area_code", "variable_code"])
              .pivot(index="area_code", columns="variable_code", values="value"))
    wide = wide.reindex(columns=list(variables))
    wide.columns.name = None
    names = df.drop_duplicates("area_code").set_index("area_code")[["name", "gemeente_code"]]
    return names.join(wide).reset_index()[cols].sort_values("area_code", ignore_index=True)


def buurt_series(variable: str, age_group: str, area_codes: list[str], url: str | None = None) -> pd.DataFrame:
    """All years of one variable for a few given areas: area_code, year, value, status, source_key."""
    o = schema.observations
    if not area_codes:
        return pd.DataFrame(columns=["area_code", "year", "value", "status", "source_key"])
    stmt = (sa.select(o.c.area_code, o.c.year, o.c.value, o.c.status, o.c.source_key)
            .where(o.c.variable_code == variable, o.c.age_group == age_group, o.c.area_code.in_(list(area_codes)))
            .order_by(o.c.area_code, o.c.year))
    return select(stmt, url=url)


# --- Keeping the data current (loaders.refresh, loaders.statline_import, loaders.boundaries)

def series_breaks(code: str, url: str | None = None) -> list[dict]:
    """Years where the trend line of `code` must be broken: [{year, kind, note}]."""
    from .boundaries import series_breaks as _breaks

    return _breaks(url, code)


def margins(variable: str, age_group: str, year: int, url: str | None = None) -> pd.DataFrame:
    """Published 95% intervals (lower, upper) per area for one variable, where a refreshed table had them."""
    from .db import get_engine
    from .refresh import observation_margins as m

    with get_engine(url).connect() as conn:
        if not sa.inspect(conn).has_table("observation_margins"):  # no refresh yet
            return pd.DataFrame(columns=["area_code", "lower", "upper", "source_key"])
    return select(sa.select(m.c.area_code, m.c.lower, m.c.upper, m.c.source_key)
                  .where(m.c.variable_code == variable, m.c.age_group == age_group, m.c.year == year), url=url)
