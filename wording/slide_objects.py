"""The objects a slide is made of (numbers, chart reference, slide), shared by wording.slides and
wording.own_documents without either importing the other."""
from __future__ import annotations

from dataclasses import dataclass

MAX_NUMBERS = 3


@dataclass(frozen=True)
class BigNumber:
    value: str                 # as shown: "25,3%", "<10", "juni 2030"
    label: str                 # what it is: "Moeite met rondkomen", "Doel 2030"
    year: str                  # "2020", "sep. 2025 – okt. 2025"
    source: str                # "RIVM/CBS 50090NED"
    area: str = ""             # "Nazareth"
    note: str = ""             # words only: "verbeterd sinds 2012"
    kind: str = "meting"       # meting (a statistic from the engine) | doel | register | kalender
    raw: float | None = None
    metric_id: str | None = None
    area_code: str | None = None


@dataclass(frozen=True)
class ChartRef:
    """What to draw next to the numbers; the renderers build it from the same engine."""

    kind: str                  # trend | kaart | eigen (an own indicator's stored figures, carried in `points`)
    metric_id: str = ""        # the CBS metric, or the own indicator's id
    areas: tuple[str, ...] = ()
    baseline_year: int | None = None
    trajectory: tuple[tuple[int, float], ...] = ()
    alt: str = ""              # text alternative (with the figures)
    # eigen: the shown figures as (area_code, area_name, periode, value, lower, upper, label, interval), the
    # periods in time order and the value axis' title; withheld figures are not among the points.
    points: tuple[tuple, ...] = ()
    periods: tuple[str, ...] = ()
    y_title: str = ""


@dataclass(frozen=True)
class Slide:
    key: str
    question: str
    title: str
    numbers: tuple[BigNumber, ...]
    text: str
    notes: str
    sources: tuple[str, ...] = ()
    chart: ChartRef | None = None
    bullets: tuple[str, ...] = ()

    def __post_init__(self):
        if len(self.numbers) > MAX_NUMBERS:
            raise ValueError(f"dia {self.key}: meer dan {MAX_NUMBERS} getallen")

    @property
    def source_line(self) -> str:
        return ("Bron: " + "; ".join(self.sources)) if self.sources else ""
