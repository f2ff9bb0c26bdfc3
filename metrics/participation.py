"""Participation register figures: totals per buurt/period, contacts per 100 inhabitants, small-count suppression.

The register's ``bewoners_bereikt`` is entered per month and activity: a resident who comes twice is counted twice,
so a sum over months counts *contacts*, not distinct persons. It is therefore never shown as a share of the
inhabitants ("% bereikt" could pass 100%), but as contacts per 100 inhabitants of the same population: the whole
buurt for totals, the age group's own population for an age group (only where CBS publishes that exact age band:
65+; the register's 0-17 and 18-64 do not match CBS's 0-15 / 15-65, so no rate is shown for them)."""
from __future__ import annotations

import pandas as pd

from loaders.config import SUPPRESS_BELOW

SUPPRESSED = "<10"
COUNTS = ["dialoogsessies", "bewoners_bereikt", "meemakers", "activiteiten"]


RATE = "contacten_per_100"


def summarise(df: pd.DataFrame, population: dict, by: list[str]) -> pd.DataFrame:
    """Sum the counts by `by` (e.g. ['buurt_code'] or ['buurt_code', 'maand']), with the contacts per 100
    inhabitants. `population` maps a buurt code to its inhabitants, and (buurt code, age group) to that age
    group's population where CBS publishes it; an age group without its own population gets no rate (never the
    whole buurt's). Raw numbers — call :func:`suppress` before showing or exporting."""
    if df.empty:
        return pd.DataFrame(columns=[*by, *COUNTS, RATE])
    g = df.groupby(by, as_index=False)[COUNTS].sum()
    if "buurt_code" in by:
        if "leeftijdsgroep" in by:
            keys = zip(g["buurt_code"], g["leeftijdsgroep"])
            pop = pd.Series([population.get(b) if a == "totaal" else population.get((b, a)) for b, a in keys],
                            index=g.index, dtype=float)
        else:
            pop = g["buurt_code"].map(population).astype(float)
        g[RATE] = (g["bewoners_bereikt"] / pop * 100).where(pop > 0)
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
    """Totals per buurt (all months) for the given buurten, with the contacts per 100 inhabitants (raw)."""
    tot = register_totals(df[df["buurt_code"].isin(list(buurten))]) if not df.empty else df
    return summarise(tot, population, ["buurt_code"])


def suppress(df: pd.DataFrame) -> pd.DataFrame:
    """Counts under 10 become '<10' and the rate derived from them is withheld (on screen and in exports).
    Primary suppression only: a table shown next to a total goes through :func:`protect`."""
    out = df.copy().astype(object)
    for c in COUNTS:
        if c in out:
            small = df[c] < SUPPRESS_BELOW
            out.loc[small, c] = SUPPRESSED
            if c == "bewoners_bereikt" and RATE in out:
                out.loc[small, RATE] = None
    return out


SECONDARY = "x"
SECONDARY_NOTE = ("x: afgeschermd, zodat een aantal onder de 10 niet uit het totaal kan worden teruggerekend "
                  "(secundaire geheimhouding, zoals CBS die toepast).")


def _hide(df: pd.DataFrame, masks: dict[str, pd.Series], secondary: dict[str, pd.Series]) -> pd.DataFrame:
    out = df.copy().astype(object)
    for c in COUNTS:
        if c not in out:
            continue
        out.loc[masks[c], c] = SUPPRESSED
        out.loc[secondary[c], c] = SECONDARY
        if c == "bewoners_bereikt" and RATE in out:
            out.loc[masks[c] | secondary[c], RATE] = None  # a rate next to a known population reveals the count
    return out


def protect(totals: pd.DataFrame, breakdowns: dict[str, pd.DataFrame], group: str = "buurt_code"
            ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Primary and secondary suppression for a table of totals per ``group`` and breakdowns of those totals
    (per month, per age group) that are shown beside it, on screen and in downloads.

    Primary: every count under ``suppress_below`` is '<10'. Secondary: where a group's total is shown and exactly
    one cell of a breakdown of it is hidden, that cell could be recovered by subtraction (47 − 38 = 9), so the
    smallest other cell of the group is hidden too ('x'); when there is no other cell, the group's total is
    hidden ('x'). Rates built on a hidden count are withheld. Returns the shown totals and breakdowns (objects,
    raw column names)."""
    t_primary = {c: totals[c] < SUPPRESS_BELOW for c in COUNTS if c in totals}
    t_secondary = {c: pd.Series(False, index=totals.index) for c in t_primary}
    shown_total = {c: {g: bool(not t_primary[c].loc[i]) for i, g in totals[group].items()} for c in t_primary}
    out = {}
    for name, df in breakdowns.items():
        primary = {c: df[c] < SUPPRESS_BELOW for c in COUNTS if c in df}
        secondary = {c: pd.Series(False, index=df.index) for c in primary}
        for c in primary:
            for g, idx in df.groupby(group).groups.items():
                hidden = primary[c].loc[idx]
                if int(hidden.sum()) != 1 or not shown_total.get(c, {}).get(g, False):
                    continue
                others = df.loc[idx][~hidden.to_numpy()]
                if len(others):
                    secondary[c].loc[others[c].astype(float).idxmin()] = True
                else:  # the only cell is the total itself: hide the total
                    t_secondary[c].loc[totals.index[totals[group] == g]] = True
                    shown_total[c][g] = False
        out[name] = _hide(df, primary, secondary)
    return _hide(totals, t_primary, t_secondary), out


def protected(register: pd.DataFrame, pop: dict) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The totals per buurt and their breakdowns per month and per age group, with primary and secondary
    suppression over all of them together: the one computation behind the page, its download, Overzicht, the
    slides and the briefing."""
    per_month = register_totals(register)
    parts = {"monthly": summarise(per_month, pop, ["buurt_code", "maand"])}
    ages = register[register["leeftijdsgroep"] != "totaal"]
    if not ages.empty:
        parts["by_age"] = summarise(ages, pop, ["buurt_code", "leeftijdsgroep"])
    return protect(summarise(per_month, pop, ["buurt_code"]), parts)
