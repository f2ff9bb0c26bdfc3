"""Participation register figures: totals per buurt/period, share of the population, small-count suppression."""
from __future__ import annotations

import pandas as pd

SUPPRESS_BELOW = 10
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
