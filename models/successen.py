"""Successen en tegenvallers: what moved beyond the margin since the first measurement, both sides equal."""
from __future__ import annotations

from dataclasses import dataclass

from loaders.config import FOCUS_AREAS
from metrics.catalog import Catalog
from metrics.compute import Engine
from metrics.progress import movements
from wording.change import movement_text


@dataclass(frozen=True)
class AreaMovements:
    name: str
    successes: tuple[str, ...]  # one line each: sentence — pillar
    setbacks: tuple[str, ...]
    within_margin: tuple[str, ...]
    descriptive: tuple[str, ...]
    sources: frozenset[str]


@dataclass(frozen=True)
class SuccessenModel:
    areas: tuple[AreaMovements, ...]


def successen_model(eng: Engine, cat: Catalog) -> SuccessenModel:
    out = []
    for area in FOCUS_AREAS:
        mv = movements(eng, area)
        name = eng.name(area)
        pillar = {k: [f"{movement_text(x, name)} — *{cat.pillars[x.metric.pillar]['label']}*" for x in mv[k]]
                  for k in ("successen", "tegenvallers")}
        out.append(AreaMovements(
            name, tuple(pillar["successen"]), tuple(pillar["tegenvallers"]),
            tuple(f"{movement_text(x, name)}: {x.change.label}" for x in mv["binnen_marge"]),
            tuple(f"{movement_text(x, name)}: {x.change.label} (geen richting goed/slecht)" for x in mv["beschrijvend"]),
            frozenset(s for k in mv.values() for x in k for s in x.latest.sources)))
    return SuccessenModel(tuple(out))
