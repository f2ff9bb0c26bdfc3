"""Words for the change of an own measurement (eigen meting) between two periods, against the programme start.

Own periods are years ('2025') or quarters ('2025-K3') measured *during* the period, while the programme start
(config/programme.toml ``start_year``) is a year without a date. A period inside the start year can therefore
not be called "before" or "after" the start; it is "in het startjaar". (The CBS sentence,
wording.change.period_words, counts a peiljaar up to the start year as before: CBS figures mostly describe
1 January, and the programme's baseline is the latest CBS measurement up to the start year.)
"""
from __future__ import annotations

from metrics.own import period_sort_key

ARROW = "→"


def span(first: str, latest: str) -> str:
    """'2025-K2 → 2025-K3'."""
    return f"{first} {ARROW} {latest}"


def when(first: str, latest: str, start_year: int | None = None) -> str:
    """The span against the programme start: 'vóór de start van het programma in 2025', 'na de start …',
    'deels vóór de start …', 'in het startjaar van het programma (2025)', 'vanaf het startjaar …'."""
    from loaders.config import PROGRAMME

    start = PROGRAMME.start_year if start_year is None else start_year
    fy, ly = period_sort_key(first)[0], period_sort_key(latest)[0]
    if ly < start:
        return f"vóór de start van het programma in {start}"
    if fy > start:
        return f"na de start van het programma in {start}"
    if fy < start:
        return f"deels vóór de start van het programma in {start}"
    if ly == start:
        return f"in het startjaar van het programma ({start})"
    return f"vanaf het startjaar van het programma ({start})"


def after_start(first: str, latest: str, start_year: int | None = None) -> bool | None:
    """True when the whole span lies after the programme start year, False when it lies before it, None when
    it touches the start year or crosses it (neither before nor after can be said)."""
    from loaders.config import PROGRAMME

    start = PROGRAMME.start_year if start_year is None else start_year
    fy, ly = period_sort_key(first)[0], period_sort_key(latest)[0]
    if fy > start:
        return True
    if ly < start:
        return False
    return None


def period_sentence(first: str, latest: str, start_year: int | None = None) -> str:
    """'Periode 2025-K2 → 2025-K3, in het startjaar van het programma (2025)'."""
    return f"Periode {span(first, latest)}, {when(first, latest, start_year)}"
