"""The wethouder's one-page briefing as a document model (words and formatted figures).

Per focus buurt the headline figure of each pillar (its lead metric, metrics/briefing.lead_metric) with year,
the change since the first measurement with Maastricht beside it (or "binnen de marge"), and the position
against Maastricht and Nederland; then what goes well and what needs attention (strengths first), the targets,
when the next figures are expected, and date, data version and sources. The programme's own measurements
(eigen metingen, wording/own_documents.py) follow each buurt's table with their interval, change and provenance. The PDF and PPTX writers in
reports/onepage.py lay this out on exactly one page. Every figure is read from the same cards as the Overzicht
page and the metrics export.
"""
from __future__ import annotations

from dataclasses import dataclass

from metrics import fmt, releases
from metrics.briefing import FOCUS_AREAS, PILLAR_ORDER, Card, briefing, card, lead_metric
from metrics.slides import Context, data_version, is_statistic

from . import own_documents
from . import releases as release_words
from .cards import line, value_text
from .change import card_change
from .slides import LICENCE, built_text, target_cards

TITLE = "Veerkrachtige Wijken: Nazareth en Pottenberg"
SUBTITLE = "Briefing voor de wethouder op één pagina"
MAX_POINTS = 3
MARGIN_NOTE = ("Een verandering of verschil binnen de marge telt niet als vooruitgang of achterstand. "
               "'Niet aantoonbaar anders dan Maastricht': het verschil tussen de verandering van de buurt en die van de "
               "stad is kleiner dan de gecombineerde marge (1,96 × de standaardfout).")


@dataclass(frozen=True)
class Headline:
    pillar: str
    metric_id: str
    label: str
    value: str          # "25,3%"
    year: str           # "2020"
    change: str         # words, with the city beside it
    maastricht: str
    nederland: str
    position: str       # "minder gunstig / vergelijkbaar" (against Maastricht / Nederland)
    raw: float | None
    area_code: str


@dataclass(frozen=True)
class Block:
    area_code: str
    name: str
    inhabitants: str    # "4.555 inwoners (2025)"
    headlines: tuple[Headline, ...]
    strengths: tuple[str, ...]
    attention: tuple[str, ...]
    own: tuple[str, ...] = ()   # "Eigen metingen": the programme's own figures (wording/own_documents.py)


@dataclass(frozen=True)
class OnePage:
    title: str
    subtitle: str
    date_text: str
    version_text: str
    blocks: tuple[Block, ...]
    targets: tuple[str, ...]
    next_data: tuple[str, ...]
    sources: str
    note: str


def _headline(c: Card, pillar_label: str) -> Headline:
    m = c.metric  # values follow the label: a unit the label names is not repeated (wording.cards)
    return Headline(pillar_label, m.id, m.label, value_text(m, c.latest.value if c.latest else None),
                    str(c.latest.year) if c.latest else "", card_change(c),
                    value_text(m, c.ref_maastricht.value if c.ref_maastricht else None),
                    value_text(m, c.ref_nederland.value if c.ref_nederland else None),
                    _position(c), c.latest.value if c.latest else None, c.area)


def _position(c: Card) -> str:
    """'minder gunstig / vergelijkbaar': the position against Maastricht and against Nederland, short."""
    if c.metric.kind == "count":
        return ""
    words = []
    for cmp, name in ((c.vs_maastricht, "Maastricht"), (c.vs_nederland, "Nederland")):
        words.append(cmp.label.replace(f" dan {name}", "").replace(f" met {name}", "")
                     if cmp.diff is not None else "—")
    return " / ".join(words)


def _point(c: Card) -> str:
    """'Vrijwilligerswerk 30,1% (2020): gunstiger dan Maastricht' — the reason a card is a strength/attention."""
    m = c.metric
    why = card_change(c) if (c.change.meaningful and c.city.with_city is not True) else c.vs_maastricht.label
    if c.tone == "kracht" and m.strength and not (c.change.meaningful or c.vs_maastricht.meaningful):
        why = "een kracht van de buurt"
    return line(c, why)


def _block(ctx: Context, area: str) -> Block:
    eng = ctx.engine
    pillars = eng.catalog.pillars
    heads = []
    for p in PILLAR_ORDER[:3]:
        m = lead_metric(eng, p)
        if m is not None:
            heads.append(_headline(card(eng, m, area), pillars[p]["label"]))
    cards = [c for cs in briefing(eng, (area,))[area].values() for c in cs if c.latest is not None]
    strengths = tuple(_point(c) for c in cards if c.tone == "kracht")[:MAX_POINTS]
    attention = tuple(_point(c) for c in cards if c.tone == "aandacht")[:MAX_POINTS]
    inw = eng.latest("inwoners", area)
    inh = f"{fmt.number(inw.value, 0)} inwoners ({inw.year})" if inw else "aantal inwoners onbekend"
    return Block(area, eng.name(area), inh, tuple(heads), strengths, attention, own_documents.onepage_lines(ctx, area))


def _targets(ctx: Context) -> tuple[str, ...]:
    cards = target_cards(ctx)
    if not cards:
        return ("Er zijn nog geen doelen vastgesteld; zodra het programmateam een doel vastlegt, staat het hier "
                "met basiswaarde, laatste meting, streefwaarde en status.",)
    return tuple(f"{t.metric} — {t.area}: basis {t.baseline}, laatste meting {t.latest}, doel {t.target}; "
                 f"status: {t.status}" for t in cards)


def _next_data(ctx: Context) -> tuple[str, ...]:
    eng = ctx.engine
    cal = releases.calendar(eng.catalog.available(), releases.latest_period_by_source(eng), ctx.today)
    return tuple(f"{r.label}: {release_words.release_phrase(r, ctx.today)}" for r in cal if r.next_release)


def build(ctx: Context) -> OnePage:
    v = data_version(ctx.build_info, ctx.sources)
    stats = [t for t in v.tables if is_statistic(t.table_id)]
    tables = ", ".join(f"{t.table_id} ({t.period})" for t in stats)
    own = own_documents.of(ctx)
    own_sources = own_documents.sources_sentence(ctx)
    return OnePage(
        TITLE, SUBTITLE, fmt.date(ctx.today), f"database van {built_text(v)}",
        tuple(_block(ctx, a) for a in FOCUS_AREAS), _targets(ctx), _next_data(ctx),
        f"Bron: CBS, RIVM — licentie {LICENCE}; tabellen {tables}. Deelname: eigen registratie."
        + (f" {own_sources}" if own_sources else ""),
        MARGIN_NOTE + f" Datums van nieuwe cijfers: {release_words.ESTIMATE}." + (f" {own.note}" if own.note else ""))
