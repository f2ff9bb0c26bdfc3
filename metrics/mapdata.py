"""Data behind the choropleth maps: classes, legend entries, tooltip texts and the text alternative.

Pure functions (no Streamlit import), shared by the Kaart page, the map builders in charts/maps.py and the
tests. Missing values (suppressed or not published) stay missing: they get no class, never a 0.

Classing: quantile classes (about as many buurten per class), at most 5. Ties and empty classes are
merged, so a map can have fewer classes (one class when every buurt has the same value). The legend
shows the lowest and highest value that actually falls in each class.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from loaders.config import MAASTRICHT

from . import fmt
from .catalog import Catalog, Metric
from .compute import Engine, Result

HEALTH_TABLE = "50090NED"
MISSING_LABEL = fmt.MISSING_TEXT
STATUS_TEXT = {
    "ok": "gepubliceerd",
    "geheim": "geen gegevens (niet gepubliceerd door CBS/RIVM)",
    "ontbreekt": "geen gegevens",
}


def present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


# ---------------------------------------------------------------------- classing

def quantile_breaks(values: Iterable[float | None], k: int = 5) -> tuple[float, ...]:
    """Inner class bounds (at most k-1) at the quantiles j/k (linear interpolation) of the present values.

    Class i holds the values v with breaks[i-1] < v <= breaks[i]; values equal to a bound go to the lower
    class. Bounds that coincide, bounds at or above the maximum and bounds that would leave a class empty
    are dropped: every class that remains holds at least one value.
    """
    vals = sorted(float(v) for v in values if present(v))
    if not vals or k < 2:
        return ()
    arr = np.asarray(vals)
    cuts = [float(np.quantile(arr, j / k)) for j in range(1, k)]
    breaks: list[float] = []
    for c in cuts:
        if c < vals[-1] and (not breaks or c > breaks[-1]):
            breaks.append(c)
    # Drop a bound when no value falls in (previous bound, bound]: that class would be empty.
    changed = True
    while changed:
        changed = False
        lo = -math.inf
        for i, b in enumerate(breaks):
            lo_idx = bisect.bisect_right(vals, lo)
            hi_idx = bisect.bisect_right(vals, b)
            if hi_idx <= lo_idx:
                del breaks[i]
                changed = True
                break
            lo = b
    return tuple(breaks)


def classify(v: float | None, breaks: Sequence[float]) -> int | None:
    """Class index of a value (0 = lowest), None when the value is missing."""
    if not present(v):
        return None
    return bisect.bisect_left(list(breaks), float(v))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Classing:
    breaks: tuple[float, ...]
    classes: tuple[int | None, ...]  # one per input value, None = missing

    @property
    def n_classes(self) -> int:
        if all(c is None for c in self.classes):
            return 0
        return len(self.breaks) + 1


def classing(values: Sequence[float | None], k: int = 5) -> Classing:
    breaks = quantile_breaks(values, k)
    return Classing(breaks, tuple(classify(v, breaks) for v in values))


@dataclass(frozen=True)
class LegendEntry:
    cls: int | None  # None: the "geen gegevens" entry
    label: str
    count: int


def range_label(lo: float, hi: float, unit: str) -> str:
    """'4,9 – 8,6%' / '185,0 – 257,0' (the unit of other metrics is in the legend title, see unit_caption)."""
    d = fmt.decimals_for(unit)
    a, b = fmt.number(lo, d), fmt.number(hi, d)
    text = a if a == b else f"{a} – {b}"
    return text + "%" if unit == "%" else text


def unit_caption(unit: str) -> str:
    """The unit as said under a legend title: 'in %', 'in duizenden euro's', 'aantal', 'per 1.000 inwoners'."""
    return {"%": "in %", "x 1.000 euro": "in duizenden euro's", "aantal": "aantal"}.get(unit, unit)


def legend_entries(values: Sequence[float | None], cl: Classing, unit: str) -> list[LegendEntry]:
    """One entry per class (lowest to highest, with the range of the values in it) plus 'geen gegevens'.

    The 'geen gegevens' entry is always there, also when its count is 0, so the grey is always explained.
    """
    out = []
    for c in range(cl.n_classes):
        members = [float(v) for v, k in zip(values, cl.classes) if k == c]
        out.append(LegendEntry(c, range_label(min(members), max(members), unit), len(members)))
    out.append(LegendEntry(None, MISSING_LABEL, sum(1 for k in cl.classes if k is None)))
    return out


def colour_meaning(unit: str) -> str:
    """What the colour says, without a judgement (also for metrics where lower is better)."""
    what = {"%": "hoger percentage", "aantal": "hoger aantal"}.get(unit, "hogere waarde")
    return f"Donkerder = {what}. De kleur zegt hoe hoog het cijfer is, niet of dat goed of slecht is."


def status_text(status: str) -> str:
    return STATUS_TEXT.get(status, status)


# ---------------------------------------------------------------------- Maastricht buurten

@dataclass(frozen=True)
class AreaValue:
    code: str
    name: str
    year: int
    value: float | None
    status: str
    value_text: str  # value with unit, or 'geen gegevens'
    comparison: str  # position against the reference area (engine.compare), or 'geen vergelijking mogelijk'
    sources: tuple[str, ...]


def map_years(engine: Engine, metric: Metric, codes: Sequence[str]) -> list[int]:
    """Years of the metric in which at least one of the areas has a published (or computed) value."""
    return [y for y in engine.years(metric) if any(engine.value(metric, c, y).present for c in codes)]


def map_metrics(engine: Engine, catalog: Catalog, codes: Sequence[str]) -> list[Metric]:
    """Available metrics with a value for at least one of the areas in some year (catalog order)."""
    return [m for m in catalog.available() if map_years(engine, m, codes)]


def area_values(engine: Engine, metric: Metric, year: int, codes: Sequence[str],
                ref: str = MAASTRICHT) -> tuple[list[AreaValue], Result]:
    """Published value (or missing) of each area, and its position against the reference area."""
    ref_res = engine.value(metric, ref, year)
    ref_name = engine.name(ref)
    out = []
    for code in codes:
        r = engine.value(metric, code, year)
        comp = engine.compare(metric, r, ref_res, ref_name).label
        out.append(AreaValue(code=code, name=engine.name(code), year=year, value=r.value if r.present else None,
                             status=r.status if not r.present else "ok",
                             value_text=fmt.value(r.value if r.present else None, metric.unit),
                             comparison=comp, sources=tuple(r.sources)))
    return out, ref_res


def area_table(rows: Sequence[AreaValue], ref_name: str = "Maastricht") -> pd.DataFrame:
    """Text alternative of the map: one row per buurt, sorted by name (not by value: no league table)."""
    df = pd.DataFrame({
        "Buurt": [r.name for r in rows],
        "Code": [r.code for r in rows],
        "Waarde": [r.value_text for r in rows],
        "Jaar": [str(r.year) for r in rows],
        "Status": [status_text(r.status) for r in rows],
        f"Vergelijking met {ref_name}": [r.comparison for r in rows],
    })
    return df.sort_values(["Buurt", "Code"], key=lambda s: s.str.lower(), ignore_index=True)


def summary_sentence(values: Sequence[float | None], unit: str, year: int, label: str, what: str = "buurten",
                     ref_name: str | None = None, ref_value: float | None = None) -> str:
    """One sentence: how many areas have a value, the range, and the reference value."""
    vals = [float(v) for v in values if present(v)]
    n = len(values)
    if not vals:
        return f"{label} ({year}): voor geen van de {fmt.number(n, 0)} {what} zijn gegevens beschikbaar."
    s = (f"{label} ({year}): voor {fmt.number(len(vals), 0)} van de {fmt.number(n, 0)} {what} is er een cijfer; "
         f"de waarden lopen van {fmt.value(min(vals), unit)} tot {fmt.value(max(vals), unit)}")
    if ref_name and present(ref_value):
        s += f". {ref_name} als geheel: {fmt.value(ref_value, unit)}"
    return s + "."


# ---------------------------------------------------------------------- national view

def national_metrics(catalog: Catalog) -> list[Metric]:
    """Metrics that exist for every buurt of the country: the 50090NED shares."""
    return [m for m in catalog.available() if m.kind == "share" and m.variable and HEALTH_TABLE in m.sources]


@dataclass(frozen=True)
class JoinStats:
    n_values: int  # buurten with a row in the data (indeling of the data)
    n_present: int  # ... of which with a value
    n_shapes: int  # shapes in the map
    n_matched: int  # buurten with a row in the data and a shape with the same code
    n_matched_present: int  # ... of which with a value (coloured on the map)

    @property
    def n_without_shape(self) -> int:
        return self.n_values - self.n_matched

    @property
    def n_shapes_without_data(self) -> int:
        return self.n_shapes - self.n_matched


def join_stats(value_codes: Sequence[str], present_mask: Sequence[bool], shape_codes: Iterable[str]) -> JoinStats:
    shapes = set(shape_codes)
    matched = [c in shapes for c in value_codes]
    return JoinStats(
        n_values=len(value_codes), n_present=sum(bool(p) for p in present_mask), n_shapes=len(shapes),
        n_matched=sum(matched), n_matched_present=sum(1 for m, p in zip(matched, present_mask) if m and p),
    )


def join_sentence(js: JoinStats, data_year: int, shape_year: int) -> str:
    """The honest account of what the coarse national map can and cannot show."""
    return (
        f"De cijfers gebruiken de buurtindeling van {data_year}, de landelijke buurtkaart in de meegeleverde "
        f"gegevens is die van {shape_year} (grof). Van de {fmt.number(js.n_values, 0)} buurten met cijfers staan er "
        f"{fmt.number(js.n_matched, 0)} op de kaart; {fmt.number(js.n_without_shape, 0)} buurten hebben geen vlak "
        f"met dezelfde code (nieuwe of gewijzigde buurtcodes, of te klein voor de grove kaart). "
        f"{fmt.number(js.n_shapes_without_data, 0)} vlakken uit {shape_year} hebben geen cijfer voor hun code en zijn "
        f"lichtgrijs. "
        f"Een buurt met dezelfde code kan in {data_year} iets andere grenzen hebben dan in {shape_year}."
    )


def national_table(values: pd.DataFrame, unit: str, gemeente_names: dict[str, str], cl: Classing) -> pd.DataFrame:
    """One row per buurt of the national data (area_code, name, gemeente_code, value, status) with its class.

    Columns: code, Buurt, Gemeente, value, Waarde (Dutch text), Status, cls. Sorted by gemeente and buurt.
    """
    vals = [None if not present(v) else float(v) for v in values["value"].tolist()]
    df = pd.DataFrame({
        "code": values["area_code"].astype(str).tolist(),
        "Buurt": [n if isinstance(n, str) and n else c for n, c in zip(values["name"], values["area_code"])],
        "Gemeente": [gemeente_names.get(g, g or "") for g in values["gemeente_code"]],
        "value": vals,
        "Waarde": [fmt.value(v, unit) for v in vals],
        "Status": [status_text("ok" if present(v) else s) for v, s in zip(vals, values["status"])],
        "cls": list(cl.classes),
    })
    return df.sort_values(["Gemeente", "Buurt", "code"], ignore_index=True)


def legend_table(entries: Sequence[LegendEntry], count_header: str = "Aantal buurten") -> pd.DataFrame:
    """The legend as a table (text alternative of the colours): class 1 is the lightest."""
    n = sum(1 for e in entries if e.cls is not None)
    return pd.DataFrame({
        "Klasse": ["grijs" if e.cls is None else f"{e.cls + 1} van {n}" for e in entries],
        "Waarden": [e.label for e in entries],
        count_header: [e.count for e in entries],
    })


def source_text(sources: pd.DataFrame, source_key: str) -> str:
    """'CBS / Kadaster, Wijk- en buurtkaart 2020 (gegeneraliseerd)' for a geometry source key."""
    row = sources[sources["source_key"] == source_key]
    if row.empty:
        return source_key
    r = row.iloc[0]
    return f"{r['publisher']}, {r['table_id']}"


UNMATCHED_LABEL = "buurtcode uit 2014 zonder cijfer"


def focus_names(table: pd.DataFrame, codes: Sequence[str], shape_codes: Iterable[str]) -> list[str]:
    """Names of the focus buurten the national map marks (a row in the table and a shape), in the order given."""
    shapes = set(shape_codes)
    names = dict(zip(table["code"], table["Buurt"]))
    return [names[c] for c in codes if c in names and c in shapes]


def focus_note(names: Sequence[str]) -> str:
    """The legend's account of the focus markers: 'Zwarte ring met naam: Nazareth en Pottenberg.'"""
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    return f"Zwarte ring met naam: {listed}."


def focus_sentence(table: pd.DataFrame, codes: Sequence[str], shape_codes: Iterable[str]) -> str:
    """The figures of the marked focus buurten, for the text beside the map (and its text alternative):
    'Gemarkeerd op de kaart: Nazareth (Maastricht) 12,3%; Pottenberg (Maastricht) 9,8%.' A buurt without a figure
    gets its status text. Empty when none is marked."""
    shapes = set(shape_codes)
    rows = {r.code: r for r in table.itertuples(index=False)}
    parts = []
    for c in codes:
        r = rows.get(c)
        if r is None or c not in shapes:
            continue
        where = f" ({r.Gemeente})" if r.Gemeente else ""
        parts.append(f"{r.Buurt}{where} {r.Waarde if present(r.value) else r.Status}")
    return f"Gemarkeerd op de kaart: {'; '.join(parts)}." if parts else ""
NATIONAL_LEGEND_NOTE = ("Aantallen bij de kleuren: alle buurten met cijfers, ook de buurten die niet op deze grove "
                        "kaart staan.")
