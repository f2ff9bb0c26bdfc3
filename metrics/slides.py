"""The numbers behind the presentation, the one-page briefing and the PPTX/PDF export.

What a deck needs from the database (the engine, targets, participation, build info, the source list),
the data version and the participation totals. The Dutch slides themselves are made in wording/slides.py
from these objects and the briefing cards (metrics/briefing.py). Pure functions: no Streamlit, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .briefing import FOCUS_AREAS
from .compute import Engine
from .participation import protected, reached
from .targets import Target


@dataclass(frozen=True)
class SourceRow:
    table_id: str
    title: str
    publisher: str
    period: str
    licence: str
    loaded_at: dt.datetime | None


@dataclass(frozen=True)
class DataVersion:
    built_at: dt.datetime | None
    tables: tuple[SourceRow, ...]


@dataclass
class Context:
    """Everything a deck needs; built by the page or the export from the database."""

    engine: Engine
    today: dt.date
    targets: list[Target] = field(default_factory=list)
    participation: pd.DataFrame | None = None
    build_info: dict = field(default_factory=dict)
    sources: pd.DataFrame | None = None
    proposal_decisions: frozenset = frozenset()  # keys of adopted/rejected target proposals (metrics/proposals.py)
    # The own measurements a document may show (wording.own_documents.OwnMeasurements, already worded from the
    # stored figures by models/own_documents.with_own); None: none.
    own: object | None = None


def context(engine: Engine, today: dt.date, targets: pd.DataFrame | None = None,
            participation: pd.DataFrame | None = None, build_info: dict | None = None,
            sources: pd.DataFrame | None = None) -> Context:
    """A Context from the frames the loaders return (targets as rows of the `targets` table)."""
    ts = [Target.from_row(r) for r in targets.to_dict("records")] if targets is not None and not targets.empty else []
    return Context(engine, today, ts, participation, dict(build_info or {}), sources)


def is_statistic(table_id: str) -> bool:
    return table_id.endswith("NED")


def data_version(build_info: dict, sources: pd.DataFrame | None) -> DataVersion:
    built = build_info.get("built_at") if build_info else None
    built_at = dt.datetime.fromisoformat(built) if built else None
    return DataVersion(built_at, tuple(source_rows(sources)))


def source_rows(sources: pd.DataFrame | None) -> list[SourceRow]:
    """One row per table (all loaded files of a table together), statistics first, then map boundaries."""
    if sources is None or sources.empty:
        return []
    out = []
    for tid, g in sources.groupby("table_id", sort=True):
        g = g.sort_values("title", kind="stable")  # the same title on every backend (row order is not fixed)
        periods = sorted({p.strip() for v in g["period"].astype(str) for p in v.split(",") if p.strip()})
        loaded = pd.to_datetime(g["loaded_at"]).max()
        out.append(SourceRow(str(tid), str(g["title"].iloc[0]), str(g["publisher"].iloc[0]), ", ".join(periods),
                             ", ".join(sorted(set(g["licence"].astype(str)))),
                             None if pd.isna(loaded) else loaded.to_pydatetime()))
    return sorted(out, key=lambda r: (not is_statistic(r.table_id), r.table_id))


def participation_totals(ctx: Context, protect: bool = True) -> pd.DataFrame:
    """Totals per focus buurt as on the page Wie doen er mee?, protected the same way (counts under 10 '<10',
    cells that would reveal one 'x': metrics.participation.protected); numbers stay numbers."""
    df = ctx.participation
    if df is None or df.empty:
        return pd.DataFrame()
    df = df[df["buurt_code"].isin(FOCUS_AREAS)]
    if df.empty:
        return pd.DataFrame()
    pop = {}
    for b in FOCUS_AREAS:
        r = ctx.engine.latest("inwoners", b)
        if r:
            pop[b] = r.value
    return protected(df, pop)[0] if protect else reached(df, pop, FOCUS_AREAS)
