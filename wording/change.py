"""One sentence engine for change, with the city beside it.

Every place that says *verbeterd* or *verslechterd* (Overzicht cards, Successen en tegenvallers, slides, the
one-page briefing, PDF/PPTX) calls :func:`change_phrase`, so it always states Maastricht's change over the
same years. The words follow the test (metrics/margins.py): when the difference of the two changes lies within
1,96 × its combined standard error the buurt's change is "niet aantoonbaar anders dan Maastricht" — never "beweegt
mee met Maastricht: verslechterd" when Maastricht's own change is inside its margin. A change inside the margin is
never called an improvement; a metric without a good/bad direction is never judged ("gestegen", "gedaald").
"""
from __future__ import annotations

from metrics import fmt
from metrics.briefing import Card, CityChange
from metrics.catalog import Metric
from metrics.compute import Comparison
from metrics.progress import Movement

CITY = "Maastricht"
TONE_LABEL = {"kracht": "Wat goed gaat", "aandacht": "Aandachtspunt", "neutraal": "Ter informatie"}
TONE_SHORT = {"kracht": "gaat goed", "aandacht": "aandachtspunt", "neutraal": "ter informatie"}
POPULATION_WORD = {
    "persons_18plus": "van de volwassenen", "persons_18_64": "van de 18- tot 65-jarigen",
    "persons_65plus": "van de 65-plussers", "households": "van de huishoudens", "inhabitants": "van de inwoners",
    "dwellings": "van de woningen",
}


def _numbers(m: Metric, ch: Comparison, city: CityChange, city_name: str = CITY) -> str:
    own = fmt.delta(ch.diff, m.unit)
    if city.change is not None and city.change.diff is not None:
        return f"{own}; {city_name} {fmt.delta(city.change.diff, m.unit)}"
    return own


NOT_DIFFERENT = "niet aantoonbaar anders dan"


def change_phrase(m: Metric, area_name: str, first_year: int, ch: Comparison, city: CityChange,
                  numbers: bool = False, name: bool = False, city_name: str = CITY) -> str:
    """The change of one buurt since `first_year`, with the city beside it.

    numbers=False gives words only (slides: the big numbers are the only statistics there); numbers=True adds
    the changes in brackets. name=True starts with the buurt's name ("Nazareth: verslechterd sinds 2012, niet
    aantoonbaar anders dan Maastricht").
    """
    tail = f" ({_numbers(m, ch, city, city_name)})" if numbers and ch.diff is not None else ""
    if ch.diff is None:
        return f"{area_name}: geen eerdere meting" if name else "geen eerdere meting"
    if not ch.meaningful:
        s = f"sinds {first_year} {ch.label}"
        return (f"{area_name}: {s}" if name else s) + tail
    city_label = city.change.label if city.change is not None else None
    if city.with_city:
        s = f"{ch.label} sinds {first_year}, {NOT_DIFFERENT} {city_name}"
        return (f"{area_name}: {s}" if name or numbers else s) + tail
    s = f"{ch.label} sinds {first_year}"
    if city.with_city is False and city.change is not None:
        if city_label == ch.label:
            stronger = abs(ch.diff) > abs(city.change.diff or 0.0)
            s += f", {'sterker' if stronger else 'minder sterk'} dan {city_name}"
        else:
            s += f"; {city_name} {city_label}"
    return (f"{area_name}: {s}" if name else s) + tail


def card_change(c: Card, numbers: bool = False, name: bool = False) -> str:
    """The change words of a briefing card ('nog geen cijfer', 'één meting' or :func:`change_phrase`)."""
    prefix = f"{c.area_name}: " if name else ""
    if c.latest is None:
        return prefix + "nog geen cijfer"
    if c.baseline is None or c.baseline.year == c.latest.year:
        return prefix + "één meting"
    return change_phrase(c.metric, c.area_name, c.baseline.year, c.change, c.city, numbers, name)


def position(c: Card) -> str:
    """'gunstiger dan Maastricht', 'vergelijkbaar met Nederland', … (empty for counts)."""
    if c.metric.kind == "count":
        return ""
    bits = [x.label for x in (c.vs_maastricht, c.vs_nederland) if x.diff is not None and x.label]
    return ", ".join(bits)


def card_sentence(c: Card) -> str:
    """The plain-Dutch sentence of an Overzicht card (with the figures)."""
    m = c.metric
    if c.latest is None:
        return f"Voor {c.area_name} is er nog geen cijfer over {m.label.lower()}."
    v = fmt.value(c.latest.value, m.unit)
    pop = f" {POPULATION_WORD.get(m.base, '')}" if m.unit == "%" and m.base in POPULATION_WORD else ""
    s = f"In {c.area_name}: {m.label.lower()} {v}{pop} ({c.latest.year})"
    if c.baseline is not None and c.baseline.year != c.latest.year:
        s += f"; in {c.baseline.year} was dat {fmt.value(c.baseline.value, m.unit)}. "
        ch = card_change(c, numbers=True, name=True)
        s += ch[:1].upper() + ch[1:]
    s += "."
    refs = []
    if c.ref_maastricht is not None:
        refs.append(f"Maastricht: {fmt.value(c.ref_maastricht.value, m.unit)}")
    if c.ref_nederland is not None:
        refs.append(f"Nederland: {fmt.value(c.ref_nederland.value, m.unit)}")
    if refs:
        s += " " + ", ".join(refs) + f" ({c.latest.year})."
    return s


def period_words(first_year: int, latest_year: int, start_year: int | None = None) -> str:
    """'2012–2020, vóór de start van het programma (2025)' / 'na de start' / 'deels vóór de start'."""
    from loaders.config import PROGRAMME

    start = PROGRAMME.start_year if start_year is None else start_year
    if latest_year <= start:
        when = f"vóór de start van het programma in {start}"
    elif first_year >= start:
        when = f"na de start van het programma in {start}"
    else:
        when = f"deels vóór de start van het programma in {start}"
    return f"periode {first_year}–{latest_year}, {when}"


def is_model_estimate(m: Metric) -> bool:
    return (m.margin or {}).get("type") == "model_share"


def movement_text(mv: Movement, area_name: str) -> str:
    """One line on Successen en tegenvallers: from, to, the change, Maastricht over the same years, whether the
    difference of the changes is demonstrable, the period against the programme start and 'modelschatting'."""
    m = mv.metric
    fromto = (f"van {fmt.value(mv.first.value, m.unit)} ({mv.first.year}) naar "
              f"{fmt.value(mv.latest.value, m.unit)} ({mv.latest.year}), {fmt.delta(mv.change.diff, m.unit)}")
    city = ""
    if mv.city.change is not None and mv.city.change.diff is not None:
        city = f"; {CITY} in dezelfde periode {fmt.delta(mv.city.change.diff, m.unit)}"
        if mv.city.change.diff is not None and not mv.city.change.meaningful:
            city += " (binnen de marge)"
    if mv.city.with_city and mv.change.meaningful:
        city += f"; {NOT_DIFFERENT} {CITY}"
    tail = f". {period_words(mv.first.year, mv.latest.year).capitalize()}"
    tail += "; modelschatting RIVM" if is_model_estimate(m) else ""
    return f"{m.label}: {fromto}{city}{tail}"
