"""Participation register figures: totals per buurt/period, share of the population, small-count suppression."""
from __future__ import annotations

import pandas as pd

from loaders.config import SUPPRESS_BELOW

SUPPRESSED = "<10"
COUNTS = ["dialoogsessies", "bewoners_bereikt", "meemakers", "activiteiten"]


def summarise(df: pd.DataFrame, population: dict[str, float], by: list[str]) -> pd.DataFrame:
    """Sum the counts by `by` (e.g. ['buurt_code'] or ['buurt_code', 'maand']), with the share of the
    buurt's inhabitants reached. Raw numbers — call :func:`suppress` before showing or exporting."""
    if df.empty:
        return pd.DataFrame(columns=[*by, *COUNTS, "aandeel_bereikt"])
    g = df.groupby(by, as_index=False)[COUNTS].sum()
    if "buurt_code" in by:
        pop = g["buurt_code"].map(population)
        g["aandeel_bereikt"] = (g["bewoners_bereikt"] / pop * 100).where(pop > 0)
    return g


def register_totals(df: pd.DataFrame) -> pd.DataFrame:
    """The register's totals per buurt and month, whatever the rows' age groups: a month's ``totaal`` row where
    the register has one, otherwise the sum of that month's age-group rows (never both, so nobody is counted
    twice). The one rule behind every total on screen, in the slides and in the briefing."""
    if df.empty:
        return df
    key = ["buurt_code", "maand"]
    has_total = df.assign(_t=df["leeftijdsgroep"] == "totaal").groupby(key)["_t"].transform("any")
    use = df[(df["leeftijdsgroep"] == "totaal") | ~has_total]
    out = use.groupby(key, as_index=False)[COUNTS].sum()
    out["leeftijdsgroep"] = "totaal"
    return out


def reached(df: pd.DataFrame, population: dict[str, float], buurten) -> pd.DataFrame:
    """Totals per buurt (all months) for the given buurten, with the share of inhabitants reached (raw)."""
    tot = register_totals(df[df["buurt_code"].isin(list(buurten))]) if not df.empty else df
    return summarise(tot, population, ["buurt_code"])


def suppress(df: pd.DataFrame) -> pd.DataFrame:
    """Counts under 10 become '<10' and the share derived from them is withheld (on screen and in exports)."""
    out = df.copy().astype(object)
    for c in COUNTS:
        if c in out:
            small = df[c] < SUPPRESS_BELOW
            out.loc[small, c] = SUPPRESSED
            if c == "bewoners_bereikt" and "aandeel_bereikt" in out:
                out.loc[small, "aandeel_bereikt"] = None
    return out
