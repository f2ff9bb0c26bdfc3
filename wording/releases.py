"""Release wording from one function, used by the Doelen page, the slides, the one-page briefing, PDF and PPTX.

A next-release date is an estimate (latest period + frequency + publication lag): the word is *schatting van de
datum*, never "the data are estimates". A date on or before `today` is "al verwacht, nog niet geladen".
"""
from __future__ import annotations

import datetime as dt

from metrics import fmt
from metrics.releases import Release

ESTIMATE = "schatting van de datum"
OVERDUE = "al verwacht, nog niet geladen"


def month_year(d: dt.date) -> str:
    return f"{fmt.MONTHS[d.month - 1]} {d.year}"


def expected(date: dt.date | None, today: dt.date) -> str:
    """'verwacht rond juni 2027' or 'al verwacht, nog niet geladen' (or 'geen datum bekend')."""
    if date is None:
        return "geen datum bekend"
    if date <= today:
        return OVERDUE
    return f"verwacht rond {month_year(date)}"


def release_phrase(r: Release, today: dt.date) -> str:
    """The next edition of a source: 'meting 2024: al verwacht, nog niet geladen' / 'meting 2026: verwacht rond
    juni 2027'."""
    what = f"meting {r.next_period}" if r.next_period else "volgende editie"
    return f"{what}: {expected(r.next_release, today)}"


def frequency(r: Release) -> str:
    from .numbers import count_word

    return "elk jaar" if r.frequency_years == 1 else f"elke {count_word(int(r.frequency_years))} jaar"


def explanation(r: Release, today: dt.date) -> str:
    """One line per source for notes and appendices."""
    return (f"{r.label}: laatste periode in de data {r.latest_period or 'onbekend'}; gemeten {frequency(r)} "
            f"({r.measured_in}); {release_phrase(r, today)} ({ESTIMATE}). {r.note}").strip()
