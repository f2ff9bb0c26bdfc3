"""Typed programme configuration (config/programme.toml): focus buurten, gemeente, pillar order, years, privacy.

The one place for these facts; every layer imports them from here.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from .settings import ROOT

CONFIG_FILE = ROOT / "config" / "programme.toml"


@dataclass(frozen=True)
class Programme:
    name: str
    start_year: int
    end_year: int
    halfway_year: int
    milestone_min_interval_years: int
    comparison_group_size: int
    gemeente: str
    nederland: str
    focus: tuple[str, ...]
    detail_gemeenten: tuple[str, ...]
    comparison_gemeente: str
    pillar_order: tuple[str, ...]
    suppress_below: int


@lru_cache(maxsize=1)
def programme() -> Programme:
    with open(CONFIG_FILE, "rb") as fh:
        c = tomllib.load(fh)
    p, a = c["programme"], c["areas"]
    prog = Programme(
        name=p["name"], start_year=int(p["start_year"]), end_year=int(p["end_year"]),
        halfway_year=int(p["halfway_year"]), milestone_min_interval_years=int(p["milestone_min_interval_years"]),
        comparison_group_size=int(p["comparison_group_size"]), gemeente=a["gemeente"], nederland=a["nederland"],
        focus=tuple(a["focus"]), detail_gemeenten=tuple(a["detail_gemeenten"]),
        comparison_gemeente=a["comparison_gemeente"], pillar_order=tuple(c["pillars"]["order"]),
        suppress_below=int(c["privacy"]["suppress_below"]),
    )
    if not prog.start_year < prog.halfway_year < prog.end_year:
        raise ValueError(f"{CONFIG_FILE}: verwacht start_year < halfway_year < end_year")
    return prog


@dataclass(frozen=True)
class NplvArea:
    """One focus area of the Nationaal Programma Leefbaarheid en Veiligheid (config [nplv.gebieden])."""
    name: str
    inwoners: int  # the source document's count
    wijken: dict[str, str]  # CBS wijk code (of the indeling in [nplv] indeling) -> its CBS name there
    wider: str | None = None  # why the area is deliberately larger than the document's count


@lru_cache(maxsize=1)
def nplv_areas() -> tuple[NplvArea, ...]:
    """The NPLV focus areas of config [nplv], in config order (excluded from the donor pool of similar buurten)."""
    with open(CONFIG_FILE, "rb") as fh:
        c = tomllib.load(fh)
    return tuple(NplvArea(name, int(g["inwoners"]), dict(g["wijken"]), g.get("wider"))
                 for name, g in c.get("nplv", {}).get("gebieden", {}).items())


@lru_cache(maxsize=1)
def nplv_indeling() -> int | None:
    """The CBS indeling (year) of the wijk codes in config [nplv]: it must be that of the donor pool's buurt codes."""
    with open(CONFIG_FILE, "rb") as fh:
        c = tomllib.load(fh)
    year = c.get("nplv", {}).get("indeling")
    return int(year) if year is not None else None


@lru_cache(maxsize=1)
def nplv_missing() -> tuple[str, ...]:
    """Focus areas of the source whose CBS wijk codes could not be determined from data (config [nplv] missing)."""
    with open(CONFIG_FILE, "rb") as fh:
        c = tomllib.load(fh)
    return tuple(c.get("nplv", {}).get("missing", ()))


@lru_cache(maxsize=1)
def nplv_wijken() -> tuple[str, ...]:
    """CBS wijk codes of the other national area programmes (config [nplv]; excluded from the donor pool)."""
    return tuple(code for area in nplv_areas() for code in area.wijken)


PROGRAMME = programme()
FOCUS_AREAS: tuple[str, ...] = PROGRAMME.focus
MAASTRICHT: str = PROGRAMME.gemeente
NEDERLAND: str = PROGRAMME.nederland
HEERLEN: str = PROGRAMME.comparison_gemeente
DETAIL_GEMEENTEN: tuple[str, ...] = PROGRAMME.detail_gemeenten
PILLAR_ORDER: tuple[str, ...] = PROGRAMME.pillar_order
SUPPRESS_BELOW: int = PROGRAMME.suppress_below
