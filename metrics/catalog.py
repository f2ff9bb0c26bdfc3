"""Load and check the metric catalog (metrics/catalog.yaml)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
KINDS = {"share", "mean", "ratio", "count", "median"}
DIRECTIONS = {"higher_better", "lower_better", "neutral"}
BASES = {"inhabitants", "persons_18plus", "persons_18_64", "persons_65plus", "households", "dwellings"}
BASE_LABEL = {
    "inhabitants": "inwoners", "persons_18plus": "volwassenen (18+)", "persons_18_64": "18- tot 65-jarigen",
    "persons_65plus": "65-plussers", "households": "huishoudens", "dwellings": "woningen",
}


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    explanation: str
    pillar: str
    unit: str
    direction: str
    kind: str
    base: str
    sources: tuple[str, ...]
    years: tuple[int, ...]
    sdg: tuple[int, ...] = ()
    caveats: tuple[str, ...] = ()
    dimension: str | None = None
    variable: str | None = None
    numerator: str | None = None
    denominator: tuple[str, ...] = ()
    factor: float = 1.0
    age_group: str = "totaal"
    margin: dict = field(default_factory=dict)
    status: str = "available"
    headline: bool = False
    strength: bool = False

    @property
    def available(self) -> bool:
        return self.status == "available"

    @property
    def variables(self) -> tuple[str, ...]:
        if self.kind == "ratio":
            return (self.numerator, *self.denominator)  # type: ignore[return-value]
        return (self.variable,) if self.variable else ()


@dataclass(frozen=True)
class Catalog:
    metrics: tuple[Metric, ...]
    pillars: dict
    dimensions: dict

    def get(self, metric_id: str) -> Metric:
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(f"onbekende indicator: {metric_id}")

    def available(self) -> list[Metric]:
        return [m for m in self.metrics if m.available]

    def by_pillar(self, pillar: str, available_only: bool = False) -> list[Metric]:
        return [m for m in self.metrics if m.pillar == pillar and (m.available or not available_only)]


class CatalogError(ValueError):
    pass


def parse(data: dict) -> Catalog:
    metrics = []
    seen = set()
    for i, raw in enumerate(data.get("metrics") or []):
        mid = raw.get("id", f"#{i}")
        if mid in seen:
            raise CatalogError(f"indicator {mid} staat dubbel in de catalogus")
        seen.add(mid)
        for key in ("label", "explanation", "pillar", "unit", "direction", "kind", "base"):
            if not raw.get(key):
                raise CatalogError(f"indicator {mid}: veld '{key}' ontbreekt")
        if raw["pillar"] not in data["pillars"]:
            raise CatalogError(f"indicator {mid}: onbekende pijler {raw['pillar']}")
        if raw["kind"] not in KINDS or raw["direction"] not in DIRECTIONS or raw["base"] not in BASES:
            raise CatalogError(f"indicator {mid}: ongeldige kind/direction/base")
        if raw.get("dimension") and raw["dimension"] not in data["dimensions"]:
            raise CatalogError(f"indicator {mid}: onbekende dimensie {raw['dimension']}")
        status = raw.get("status", "available")
        if status == "available":
            if raw["kind"] == "ratio" and not (raw.get("numerator") and raw.get("denominator")):
                raise CatalogError(f"indicator {mid}: ratio zonder teller/noemer")
            if raw["kind"] != "ratio" and not raw.get("variable"):
                raise CatalogError(f"indicator {mid}: variabele ontbreekt")
            if not raw.get("margin"):
                raise CatalogError(f"indicator {mid}: margeregel ontbreekt")
        den = raw.get("denominator") or ()
        metrics.append(Metric(
            id=mid, label=raw["label"], explanation=raw["explanation"], pillar=raw["pillar"], unit=raw["unit"],
            direction=raw["direction"], kind=raw["kind"], base=raw["base"],
            sources=tuple(raw.get("sources") or ()), years=tuple(raw.get("years") or ()),
            sdg=tuple(raw.get("sdg") or ()), caveats=tuple(raw.get("caveats") or ()),
            dimension=raw.get("dimension"), variable=raw.get("variable"), numerator=raw.get("numerator"),
            denominator=tuple(den) if isinstance(den, list) else ((den,) if den else ()),
            factor=float(raw.get("factor", 1.0)), age_group=str(raw.get("age_group", "totaal")),
            margin=dict(raw.get("margin") or {}), status=status, headline=bool(raw.get("headline")),
            strength=bool(raw.get("strength")),
        ))
    return Catalog(metrics=tuple(metrics), pillars=data["pillars"], dimensions=data["dimensions"])


@functools.lru_cache(maxsize=1)
def load(path: Path = CATALOG_FILE) -> Catalog:
    with open(path, encoding="utf-8") as fh:  # libyaml's safe loader when built in: ten times faster
        return parse(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
