"""The words of a briefing card (Overzicht) and of a one-page briefing line: title, value with year, one
comparison sentence and the source — each unit said once.

A title that already names the unit ("Bijstandsuitkeringen per 1.000 inwoners") is followed by bare numbers
("79,4", "−3,1"); otherwise the value carries its unit ("25,3%", "€ 17.700"). The change words come from
:func:`wording.change.change_phrase` (Maastricht beside it, never "verbeterd" inside the margin).
"""
from __future__ import annotations

from dataclasses import dataclass

from metrics import fmt
from metrics.briefing import Card
from metrics.catalog import Metric

from .change import CITY, change_phrase


def unit_in_title(m: Metric, title: str | None = None) -> bool:
    """True when the title names the metric's unit in words (not '%', which is part of every value)."""
    t = (title if title is not None else m.label).lower()
    return m.unit not in ("%", "aantal", "x 1.000 euro") and m.unit.lower() in t


def value_text(m: Metric, x, title: str | None = None) -> str:
    """A value as it follows the title: without the unit when the title says it."""
    if x is None:
        return fmt.value(None, m.unit)
    return fmt.number(x, fmt.decimals_for(m.unit)) if unit_in_title(m, title) else fmt.value(x, m.unit)


def delta_text(m: Metric, x, title: str | None = None) -> str:
    if x is None:
        return fmt.delta(None, m.unit)
    return fmt.signed(x, fmt.decimals_for(m.unit)) if unit_in_title(m, title) else fmt.delta(x, m.unit)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def comparison_sentence(c: Card) -> str:
    """One sentence: the change since the first measurement with Maastricht's change beside it, and the position
    against Maastricht and Nederland with their values ('Beweegt mee met Maastricht: verbeterd sinds 2012
    (−10,6 procentpunt; Maastricht −10,1); minder gunstig dan Maastricht (15,9%) en Nederland (17,0%).')."""
    m = c.metric
    if c.latest is None:
        return f"Voor {c.area_name} is er nog geen cijfer."
    parts = []
    if c.baseline is not None and c.baseline.year != c.latest.year and c.change.diff is not None:
        words = change_phrase(m, c.area_name, c.baseline.year, c.change, c.city)
        nums = delta_text(m, c.change.diff)
        if c.city.change is not None and c.city.change.diff is not None:
            # the unit (or 'procentpunt') once, after the buurt's change; Maastricht's in the same unit
            nums += f"; {CITY} {fmt.signed(c.city.change.diff, fmt.decimals_for(m.unit))}"
        parts.append(f"{words} ({nums})")
    else:
        parts.append("nog maar één meting")
    if m.kind != "count":
        pos = []  # (words without the place, place, value)
        for cmp, ref, place in ((c.vs_maastricht, c.ref_maastricht, "Maastricht"),
                                (c.vs_nederland, c.ref_nederland, "Nederland")):
            if cmp.diff is not None and cmp.label and ref is not None:
                words = cmp.label[:-len(place)].rstrip() if cmp.label.endswith(place) else cmp.label
                pos.append((words, place, value_text(m, ref.value)))
        if len(pos) == 2 and pos[0][0] == pos[1][0]:  # 'minder gunstig dan Maastricht (31,4) en Nederland (24,2)'
            parts.append(f"{pos[0][0]} {pos[0][1]} ({pos[0][2]}) en {pos[1][1]} ({pos[1][2]})")
        elif pos:
            parts.append(", ".join(f"{w} {p} ({v})" for w, p, v in pos))
    return _cap("; ".join(parts)) + "."


@dataclass(frozen=True)
class CardText:
    title: str
    value: str       # "79,4" (the title names the unit) or "25,3%"
    year: str        # "2020" ('' without a figure)
    sentence: str    # one comparison sentence
    source: str      # "Bron: CBS 84799NED · caveats"


def card_text(c: Card) -> CardText:
    m = c.metric
    srcs = c.latest.sources if c.latest else m.sources
    caveats = "; ".join(m.caveats)
    return CardText(m.label, value_text(m, c.latest.value) if c.latest is not None else "geen gegevens",
                    str(c.latest.year) if c.latest is not None else "", comparison_sentence(c),
                    f"Bron: {', '.join(srcs)}" + (f" · {caveats}" if caveats else ""))


def line(c: Card, why: str) -> str:
    """A one-page briefing point: 'Bijstandsuitkeringen per 1.000 inwoners 79,4 (2020): <why>'."""
    m = c.metric
    return f"{m.label} {value_text(m, c.latest.value)} ({c.latest.year}): {why}"


def note(c: Card) -> str:
    """A presenter-notes line: 'Nazareth — Bijstandsuitkeringen per 1.000 inwoners: 79,4 (2020). <comparison>'."""
    t = card_text(c)
    if not t.year:
        return f"{c.area_name} — {t.title}: {t.sentence}"
    return f"{c.area_name} — {t.title}: {t.value} ({t.year}). {t.sentence}"
