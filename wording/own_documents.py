"""The programme's own measurements (eigen metingen) in the council documents: the pickable slide "Eigen metingen:
<pijler>", the lines on the one-page briefing and the appendix tables and source rows of the full briefing.

The figures arrive already worded (:class:`OwnShown`, made by models/own_documents.py from the stored figures of
the metric store, ``own_figures``, with the text helpers of models/own.py — the Overzicht cards' words); this
module only arranges them, so a slide, the one-pager, the PPTX and the PDF show the numbers of the page and never
compute one. A withheld figure is '<10' or 'x' with nothing beside it that reveals it (no interval, no n, no
change). Every figure carries its provenance "Eigen meting — bron, periode, n", visibly apart from CBS/RIVM.
Pure functions: no Streamlit, no database.
"""
from __future__ import annotations

from dataclasses import dataclass

from metrics.briefing import FOCUS_AREAS, MAASTRICHT, PILLAR_ORDER
from metrics.slides import Context

from .slide_objects import BigNumber, ChartRef, Slide

KEY = "eigen"                   # slide key: eigen:<pijler>
QUESTION = "Eigen metingen: {pillar}"
SOURCE_WORD = "eigen meting"
INTERN_WORD = "intern: alleen voor de gemeente, niet voor publicatie"
MAX_ONEPAGE_LINES = 3           # per buurt on the one-page briefing; the rest is named, on the page Overzicht
MARGIN_SENTENCE = ("Een verandering binnen de marge (het gecombineerde 95%-interval) telt niet als vooruitgang of "
                   "achteruitgang.")
APPENDIX_HEAD = ["Eigen meting", "Gebied", "Periode", "Waarde", "95%-interval", "Verandering", "Aantal"]


@dataclass(frozen=True)
class OwnShown:
    """One own indicator's newest figure for one area, in the words of the Overzicht card (models/own.card)."""

    indicator_id: str
    label: str
    pillar: str
    pillar_label: str
    definitie: str
    bron: str
    intern: bool
    area_code: str
    area: str
    periode: str
    value: str            # as shown: "9,6 per 1.000", or "<10" / "x" when withheld
    interval: str         # "95%-interval 5,0 tot 16,8 per 1.000"; "" when withheld
    base: str             # "noemer 1.250", "240 respondenten"; "" when withheld or a count
    change: str           # "verbeterd sinds 2025-K2 (−22,4 per 1.000; marge ± 13,2)"; "" without a change
    change_label: str     # "verbeterd sinds 2025-K2"; "" without a change
    provenance: str       # "Eigen meting — bron: …, periode 2025-K3, noemer 1.250" (no n when withheld)
    withheld: bool
    raw: float | None     # the stored value (None when withheld)

    @property
    def metric_id(self) -> str:
        return f"{KEY}:{self.indicator_id}"


@dataclass(frozen=True)
class OwnSource:
    """One own indicator in the source lists: who delivers it and which periods are stored."""

    indicator_id: str
    label: str
    bron: str
    periods: str          # "2025-K2, 2025-K3"
    intern: bool


@dataclass(frozen=True)
class OwnSeries:
    """One own indicator's shown figures over time for the focus buurten and Maastricht (a slide's chart)."""

    indicator_id: str
    periods: tuple[str, ...]   # in time order, withheld periods included (the axis)
    points: tuple[tuple, ...]  # (area_code, area_name, periode, value, lower, upper, label, interval), shown only
    y_title: str               # "per 1.000", "%", …
    summary: str               # the text alternative, withheld figures named


@dataclass(frozen=True)
class OwnMeasurements:
    """What a document may show of the own measurements (public ones unless the caller asked for intern ones)."""

    figures: tuple[OwnShown, ...] = ()
    sources: tuple[OwnSource, ...] = ()
    note: str = ""        # the '<10' / 'x' explanation when a figure is withheld
    series: tuple[OwnSeries, ...] = ()  # indicators with shown figures in two or more periods

    def __bool__(self) -> bool:
        return bool(self.figures)


def of(ctx: Context) -> OwnMeasurements:
    own = getattr(ctx, "own", None)
    return own if isinstance(own, OwnMeasurements) else OwnMeasurements()


def _pillar_rank(p: str) -> int:
    return PILLAR_ORDER.index(p) if p in PILLAR_ORDER else len(PILLAR_ORDER)


def pillars(ctx: Context) -> list[str]:
    """The pillars with at least one own figure, in the programme's order."""
    return sorted({f.pillar for f in of(ctx).figures}, key=_pillar_rank)


def _indicators(ctx: Context, pillar: str) -> list[list[OwnShown]]:
    """Per indicator of the pillar (in definition order) its figures: Nazareth, Pottenberg, then Maastricht."""
    order = {a: i for i, a in enumerate((*FOCUS_AREAS, MAASTRICHT))}
    out: dict[str, list[OwnShown]] = {}
    for f in of(ctx).figures:
        if f.pillar == pillar and f.area_code in order:
            out.setdefault(f.indicator_id, []).append(f)
    return [sorted(fs, key=lambda f: order[f.area_code]) for fs in out.values()]


def pillar_label(ctx: Context, pillar: str) -> str:
    return next(f.pillar_label for f in of(ctx).figures if f.pillar == pillar)


# ---------------------------------------------------------------------------------------------- slides

def catalogue(ctx: Context) -> list[tuple[str, str]]:
    """The picker's entries: one per pillar that has own figures for the focus buurten or Maastricht (none
    without data)."""
    out = []
    for p in pillars(ctx):
        inds = _indicators(ctx, p)
        if inds:
            names = ", ".join(fs[0].label[:1].lower() + fs[0].label[1:] for fs in inds)
            out.append((f"{KEY}:{p}", QUESTION.format(pillar=pillar_label(ctx, p)) + f" ({names})"))
    return out


def tile_note(f: OwnShown) -> str:
    """What stands under the big number: interval, n and the change in words; for a withheld figure only what
    '<10' / 'x' means (never an interval, an n or a change)."""
    if f.withheld:
        return "minder dan 10, niet getoond" if f.value.startswith("<") else "afgeschermd (kleine aantallen)"
    return " · ".join(x for x in (f.interval, f.base, f.change_label) if x)


def _note_line(f: OwnShown) -> str:
    if f.withheld:
        return f"{f.area}: {f.value} (niet getoond). {f.provenance}."
    return "; ".join(x for x in (f"{f.area}: {f.value}", f.interval, f.change) if x) + f". {f.provenance}."


def slides(ctx: Context, key: str) -> list:
    """The slides of ``eigen:<pijler>``: one per indicator of the pillar, at most three numbers each (Nazareth,
    Pottenberg and, when it was given, Maastricht), with interval, n and change under each number; [] when the
    pillar has no figure a visitor may see."""
    pillar = key.partition(":")[2]
    own = of(ctx)
    out = []
    for fs in _indicators(ctx, pillar):
        first = fs[0]
        nums = tuple(BigNumber(value=f.value, label=f.area, year=f.periode, source=f"{SOURCE_WORD} — {f.bron}",
                               note=tile_note(f), kind="eigen", raw=f.raw, metric_id=f.metric_id,
                               area_code=f.area_code) for f in fs[:3])
        text = first.definitie.rstrip(".") + "."
        notes = [_note_line(f) for f in fs]
        notes += [f"Wat het cijfer meet: {first.definitie}", MARGIN_SENTENCE]
        if own.note and any(f.withheld for f in fs):
            notes.append(own.note)
        sources = [f"{SOURCE_WORD} — {first.bron}"]
        if first.intern:
            sources.append(INTERN_WORD)
        question = QUESTION.format(pillar=first.pillar_label) + (" · intern" if first.intern else "")
        series = next((s for s in own.series if s.indicator_id == first.indicator_id), None)
        chart = None if series is None else ChartRef(
            "eigen", first.indicator_id, tuple(dict.fromkeys(p[0] for p in series.points)), alt=series.summary,
            points=series.points, periods=series.periods, y_title=series.y_title)
        out.append(Slide(key, question, first.label, nums, text,
                         "\n".join(notes), tuple(sources), chart=chart))
    return out


# ---------------------------------------------------------------------------------------------- one page

def onepage_line(f: OwnShown) -> str:
    """'Bestaanszekerheid · Aanmeldingen schuldhulpverlening: 9,6 per 1.000 (95%-interval …), verbeterd sinds
    2025-K2. Eigen meting — bron: …, periode 2025-K3, noemer 1.250.'"""
    head = f"{f.pillar_label} · {f.label}: {f.value}"
    if f.withheld:
        return f"{head} (niet getoond). {f.provenance}."
    return head + (f" ({f.interval})" if f.interval else "") + (f", {f.change_label}" if f.change_label else "") \
        + f". {f.provenance}." + (" Intern." if f.intern else "")


def onepage_lines(ctx: Context, area: str) -> tuple[str, ...]:
    """The newest own figure per indicator for one focus buurt, pillar by pillar; at most
    :data:`MAX_ONEPAGE_LINES`, the rest named by count."""
    mine = sorted((f for f in of(ctx).figures if f.area_code == area), key=lambda f: _pillar_rank(f.pillar))
    lines = [onepage_line(f) for f in mine[:MAX_ONEPAGE_LINES]]
    if len(mine) > MAX_ONEPAGE_LINES:
        rest = len(mine) - MAX_ONEPAGE_LINES
        lines.append(f"En nog {rest} eigen meting{'en' if rest > 1 else ''}: zie de pagina Overzicht.")
    return tuple(lines)


def sources_sentence(ctx: Context) -> str:
    """'Eigen metingen: Gemeente Maastricht, schuldhulpverlening (geen CBS/RIVM).' or ''."""
    names = sorted({s.bron for s in of(ctx).sources})
    return f"Eigen metingen: {'; '.join(names)} (geen CBS/RIVM)." if names else ""


# ---------------------------------------------------------------------------------------------- full briefing

def appendix_rows(ctx: Context, pillar: str) -> list[list[str]]:
    """The pillar's own figures as a table (header first): one row per indicator and area."""
    rows = [list(APPENDIX_HEAD)]
    for fs in _indicators(ctx, pillar):
        for f in fs:
            rows.append([f.label + (" (intern)" if f.intern else ""), f.area, f.periode, f.value,
                         "" if f.withheld else f.interval.replace("95%-interval ", ""),
                         "niet getoond" if f.withheld else (f.change or "eerste meting"), f.base or "—"])
    return rows


def appendix_source(ctx: Context, pillar: str) -> str:
    names = sorted({fs[0].bron for fs in _indicators(ctx, pillar)})
    return "Bron: eigen meting — " + "; ".join(names)


def source_rows(ctx: Context) -> list[list[str]]:
    """Rows for the briefing's source table (Tabel, Titel, Uitgever, Periode, Licentie, Geladen)."""
    return [["Eigen meting", s.label + (" (intern)" if s.intern else ""), s.bron, s.periods, "eigen gegevens", "—"]
            for s in of(ctx).sources]
