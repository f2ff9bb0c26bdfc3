"""Trends: one metric over all measurement years for the focus buurten and chosen comparison areas, and small
charts of every metric of the pillar."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.codes import member_prefix
from loaders.config import FOCUS_AREAS, HEERLEN, MAASTRICHT, NEDERLAND
from metrics.catalog import Catalog, Metric
from metrics.compute import Engine
from metrics.series import table_for_people, trend_frame

GROUP_OPTIONS = (MAASTRICHT, NEDERLAND, "MAASTRICHT_REST", HEERLEN, "HEERLEN_NOORD", "FOCUS")
DEFAULT_COMPARE = (MAASTRICHT, NEDERLAND)


@dataclass(frozen=True)
class SmallChart:
    label: str
    unit: str
    frame: pd.DataFrame
    table: pd.DataFrame


@dataclass(frozen=True)
class TrendsModel:
    metric: Metric
    frame: pd.DataFrame
    baseline: int | None
    summary: str  # text alternative of the chart ("" when there is nothing to draw)
    empty_text: str
    table: pd.DataFrame
    sources: frozenset[str]
    small: tuple[SmallChart, ...]
    missing_text: str


def comparison_options(eng: Engine) -> list[str]:
    """The comparison areas: Maastricht, Nederland, the groups, Heerlen, then every other Maastricht buurt."""
    rest = sorted((c for c, lv in eng.level.items() if lv == "buurt" and c.startswith(member_prefix(MAASTRICHT, "buurt"))
                   and c not in FOCUS_AREAS), key=eng.name)
    return [*GROUP_OPTIONS, *rest]


def trend_areas(compare: list[str]) -> list[str]:
    return [*FOCUS_AREAS, *compare]


def default_pillar(cat: Catalog, wanted_metric: str | None) -> str:
    """A shared link may name only the indicator: its pillar is then the default pillar."""
    return next((m.pillar for m in cat.available() if m.id == wanted_metric), list(cat.pillars)[0])


def _summary(metric: Metric, df: pd.DataFrame, years: list[int]) -> str:
    present = df[df["value"].notna()]
    missing = df[df["value"].isna()]
    s = (f"{metric.label}: {len(present)} metingen voor {present['area_name'].nunique()} gebieden in de jaren "
         f"{', '.join(str(y) for y in years)}.")
    if not missing.empty:
        s += " Geen gegevens voor: " + "; ".join(f"{n} ({y})" for n, y in zip(missing["area_name"], missing["year"])) + "."
    if df["break_before"].any():
        s += (" Let op: bij een stippellijn veranderde de grens of code van een buurt; de lijn loopt daar niet "
              "door (zie Data en methode).")
    return s


def trends_model(eng: Engine, cat: Catalog, pillar: str, metric: Metric, compare: list[str],
                 breaks: dict[str, list[int]]) -> TrendsModel:
    df = trend_frame(eng, metric, trend_areas(compare), breaks=breaks)
    years = eng.years(metric)
    has = bool(df["value"].notna().any())
    small = []
    for m in cat.by_pillar(pillar, available_only=True):
        f = trend_frame(eng, m, [*FOCUS_AREAS, MAASTRICHT])
        if f["value"].notna().any():
            small.append(SmallChart(m.label, m.unit, f, table_for_people(f, m)))
    missing = [m for m in cat.by_pillar(pillar) if not m.available]
    return TrendsModel(
        metric, df, years[0] if years else None, _summary(metric, df, years) if has else "",
        f"Voor {metric.label.lower()} zijn er geen gegevens voor deze gebieden.",
        table_for_people(df, metric), frozenset(s for v in df["source"] for s in v.split(", ") if s), tuple(small),
        ("Nog geen data: " + ", ".join(m.label.lower() for m in missing) + ".") if missing else "")
