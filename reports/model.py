"""The briefing as a document model: the deck's slides, the overview per pillar, the target cards, the
trend charts and the map, rendered once and written by reports/pptx.py and reports/pdf.py.

Every number comes from the same slides and cards (wording/slides.py on metrics/briefing.py) as the
presentation and the Overzicht page.
"""
from __future__ import annotations

import concurrent.futures as cf
import time
from dataclasses import dataclass, field

import pandas as pd

from metrics import fmt
from metrics import slides as numbers
from metrics.briefing import FOCUS_AREAS, MAASTRICHT, NEDERLAND, PILLAR_ORDER, headline_metrics
from charts.slide_charts import map_spec, slide_spec, to_png, trend_spec
from wording import own_documents, slides
from wording.maps import map_description

TITLE = "Veerkrachtige Wijken: Nazareth en Pottenberg"
SUBTITLE = "Briefing voor de wethouder"
LICENCE_TEXT = ("Bron: CBS, RIVM — de cijfers zijn gepubliceerd onder licentie CC BY 4.0 (naamsvermelding "
                "'Bron: CBS/RIVM'). Kaartgrenzen: CBS/Kadaster Wijk- en buurtkaart.")
TREND_AREAS = (*FOCUS_AREAS, MAASTRICHT, NEDERLAND)
OWN_LICENCE = ("Eigen metingen: gegevens van het programma en zijn partners (bron per meting), geen CBS/RIVM-cijfers; "
               "de licentie van CBS/RIVM geldt er niet voor.")
OWN_INTRO = ("De eigen metingen van het programma: per buurt de nieuwste periode, met het 95%-interval, de "
             "verandering sinds de eerste meting (binnen de marge telt niet als vooruitgang) en de bron; dezelfde "
             "cijfers als op de pagina Overzicht.")


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")



@dataclass
class Figure:
    key: str
    title: str
    png: bytes
    alt: str
    source: str

    @property
    def size(self) -> tuple[int, int]:
        return _png_size(self.png)


@dataclass(frozen=True)
class OwnTable:
    """The own measurements of one pillar (wording/own_documents.py): rows with a header, and the source line."""

    pillar: str
    label: str
    rows: list[list[str]]
    source: str


@dataclass
class Briefing:
    title: str
    deck_name: str
    deck: slides.Deck
    overview: list[slides.OverviewRow]
    targets: list[slides.TargetCard]
    slide_figures: dict[int, Figure]          # slide index -> chart
    trend_figures: list[Figure]
    map_figure: Figure | None
    map_text: str
    pillar_labels: dict[str, str]
    area_names: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)
    own: list[OwnTable] = field(default_factory=list)   # per pillar with own figures: the appendix table
    own_note: str = ""                                   # what '<10' / 'x' mean, when a figure is withheld
    own_sources: list[list[str]] = field(default_factory=list)  # source-table rows of the own measurements

    @property
    def date_text(self) -> str:
        return fmt.date(self.deck.date)


@dataclass
class Inputs:
    ctx: numbers.Context
    keys: tuple[str, ...] = slides.DEFAULT_DECK
    geometries: pd.DataFrame | None = None
    deck_name: str = "Standaard: de vragen van de raad"


SLIDE_CHART = {"width": 700, "height": 380, "font": 26}     # PPTX/PDF: next to or under the numbers
TREND_CHART = {"width": 720, "height": 300, "font": 24}
MAP_CHART = {"width": 760, "height": 640, "font": 26}


def _render_all(jobs: list[tuple[str, dict]]) -> dict[str, bytes]:
    """Render PNGs; vl-convert releases the GIL, so two threads use both cores."""
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        futs = {k: ex.submit(to_png, spec) for k, spec in jobs}
        return {k: f.result() for k, f in futs.items()}


def assemble(inp: Inputs) -> Briefing:
    t0 = time.perf_counter()
    ctx = inp.ctx
    eng = ctx.engine
    deck = slides.build(ctx, inp.keys)
    ov = slides.overview(ctx)
    cards = slides.target_cards(ctx)
    t1 = time.perf_counter()
    jobs: list[tuple[str, dict]] = []
    meta: dict[str, tuple[str, str, str]] = {}
    for i, s in enumerate(deck.slides):
        if s.chart is None:
            continue
        spec = slide_spec(eng, s.chart, inp.geometries, SLIDE_CHART, {**MAP_CHART, "width": 620, "height": 520})
        if spec is not None:
            jobs.append((f"slide:{i}", spec))
            meta[f"slide:{i}"] = (s.title, s.chart.alt, s.source_line)
    trend_keys = []
    for p in PILLAR_ORDER[:3]:
        for m in headline_metrics(eng, p):
            ref = slides.ChartRef("trend", m.id, TREND_AREAS, (eng.years(m) or [None])[0])
            spec = trend_spec(eng, ref, **TREND_CHART)
            if spec is not None:
                k = f"trend:{m.id}"
                trend_keys.append(k)
                jobs.append((k, spec))
                srcs = {s for a in TREND_AREAS for r in eng.series(m, a) if r.present for s in r.sources}
                meta[k] = (f"{m.label} ({m.unit})", slides.trend_alt(ctx, m, TREND_AREAS),
                           "Bron: " + slides.source_label(ctx, srcs or m.sources) + ", CC BY 4.0")
    mspec = map_spec(inp.geometries, **MAP_CHART)
    map_text = map_description(inp.geometries)
    if mspec is not None:
        jobs.append(("map", mspec))
        meta["map"] = ("De buurten van Maastricht", map_text, "Kaart: CBS/Kadaster Wijk- en buurtkaart 2020, CC BY 4.0")
    pngs = _render_all(jobs)
    t2 = time.perf_counter()
    figs = {k: Figure(k, meta[k][0], png, meta[k][1], meta[k][2]) for k, png in pngs.items()}
    own = [OwnTable(p, own_documents.pillar_label(ctx, p), own_documents.appendix_rows(ctx, p),
                    own_documents.appendix_source(ctx, p)) for p in own_documents.pillars(ctx)]
    return Briefing(
        own=own, own_note=own_documents.of(ctx).note, own_sources=own_documents.source_rows(ctx),
        title=TITLE, deck_name=inp.deck_name, deck=deck, overview=ov, targets=cards,
        slide_figures={int(k.split(":")[1]): f for k, f in figs.items() if k.startswith("slide:")},
        trend_figures=[figs[k] for k in trend_keys], map_figure=figs.get("map"), map_text=map_text,
        pillar_labels={p: eng.catalog.pillars[p]["label"] for p in eng.catalog.pillars},
        area_names={a: eng.name(a) for a in TREND_AREAS},
        seconds={"cijfers": t1 - t0, "grafieken": t2 - t1})


def overview_table_rows(b: Briefing, pillar: str) -> list[list[str]]:
    head = ["Indicator", "Jaar", *[b.area_names[a] for a in TREND_AREAS], "Duiding"]
    rows = [head]
    for r in b.overview:
        if r.pillar == pillar:
            rows.append([r.label, r.year, *[v for _, v in r.values], r.tone])
    return rows


def target_table_rows(b: Briefing) -> list[list[str]]:
    rows = [["Indicator", "Gebied", "Basis", "Laatste meting", "Doel", "Status", "Eigenaar"]]
    for t in b.targets:
        rows.append([t.metric, t.area, t.baseline, t.latest, t.target, t.status, t.owner])
    return rows


def source_table_rows(b: Briefing) -> list[list[str]]:
    rows = [["Tabel", "Titel", "Uitgever", "Periode", "Licentie", "Geladen"]]
    for r in b.deck.version.tables:
        rows.append([r.table_id, r.title, r.publisher, r.period, r.licence, slides.loaded_text(r.loaded_at)])
    rows.append(["Register", slides.REGISTER_SOURCE, "Gemeente Maastricht", "per maand", "eigen registratie", "—"])
    return rows + b.own_sources


def licence_text(b: Briefing) -> str:
    """The licence line; with own measurements, that they are not CBS/RIVM figures."""
    return LICENCE_TEXT + (f" {OWN_LICENCE}" if b.own_sources else "")
