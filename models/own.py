"""The programme's own measurements (eigen metingen) as the pages show them: cards per pillar, a trend per
indicator with its 95% intervals, the export rows and the list for editors.

Everything here reads the stored figures (loaders.schema.own_figures, computed by metrics.own.store_rows at
upload time and at every build) and the definitions; nothing is computed from the raw values on a page load.
An ``intern`` indicator is only passed on when the caller says the visitor is a signed-in editor.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import pandas as pd

from metrics import fmt
from metrics.own import SUPPRESSED, period_sort_key
from metrics.participation import SECONDARY, SECONDARY_NOTE

PILLAR_LABEL = {"bestaanszekerheid": "Bestaanszekerheid", "positieve_gezondheid": "Positieve gezondheid",
                "gelijke_kansen": "Gelijke kansen", "context": "Context"}
UNIT_TEXT = {"percentage": "%", "per_1000": "per 1.000", "aantal": "aantal", "score": "score (0–10)"}
BASE_WORD = {"register": "noemer", "steekproef": "respondenten", "score": "deelnemers", "aantal": "aantal"}
SOORT_WORD = {"register": "register", "steekproef": "steekproef", "score": "gemiddelde score", "aantal": "aantal"}
FREQUENCY_WORD = {"jaar": "per jaar", "kwartaal": "per kwartaal"}
PROVENANCE_WORD = "eigen meting"
EXPORT_SOURCE = "eigen meting: {bron}"


@dataclass(frozen=True)
class OwnIndicator:
    id: str
    version: int
    label: str
    pijler: str
    dimensie: str | None
    soort: str
    eenheid: str
    richting: str
    definitie: str
    bron: str
    zichtbaarheid: str
    frequentie: str

    @property
    def unit_text(self) -> str:
        return UNIT_TEXT[self.eenheid]


def indicators(defs: pd.DataFrame, include_intern: bool = False) -> list[OwnIndicator]:
    """The current definitions, public ones only unless ``include_intern`` (a signed-in editor)."""
    out = []
    for r in defs.to_dict("records"):
        if r.get("zichtbaarheid") == "intern" and not include_intern:
            continue
        dim = r.get("dimensie")
        out.append(OwnIndicator(r["indicator_id"], int(r["version"]), r["label"], r["pijler"],
                                None if dim is None or dim != dim else dim, r["soort"], r["eenheid"], r["richting"],
                                r["definitie"], r["bron"], r["zichtbaarheid"], r["frequentie"]))
    return out


def visible(defs: pd.DataFrame, figs: pd.DataFrame, include_intern: bool = False
            ) -> tuple[list[OwnIndicator], pd.DataFrame]:
    """The indicators a visitor may see and only their figures (an ``intern`` indicator's figures never reach
    an anonymous page or export)."""
    inds = indicators(defs, include_intern)
    keep = {(i.id, i.version) for i in inds}
    if not figs.empty:
        figs = figs[[(a, int(v)) in keep for a, v in zip(figs["indicator_id"], figs["version"])]].reset_index(drop=True)
    return inds, figs


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def value_text(v, eenheid: str) -> str:
    if _missing(v):
        return fmt.MISSING_TEXT
    if eenheid == "percentage":
        return f"{fmt.number(v, 1)}%"
    if eenheid == "per_1000":
        return f"{fmt.number(v, 1)} per 1.000"
    if eenheid == "aantal":
        return fmt.number(v, 0)
    return fmt.number(v, 1)


def shown_text(row: dict, eenheid: str) -> str:
    """The value as shown: '<10' or 'x' when withheld."""
    return row["shown"] if row.get("shown") else value_text(row["value"], eenheid)


def interval_text(row: dict, eenheid: str) -> str:
    if _missing(row.get("lower")) or _missing(row.get("upper")):
        return ""
    lo = fmt.number(row["lower"], 0 if eenheid == "aantal" else 1)  # the unit once, after the upper bound
    return f"95%-interval {lo} tot {value_text(row['upper'], eenheid)}"


def delta_text(diff: float, eenheid: str) -> str:
    s = fmt.signed(diff, 0 if eenheid == "aantal" else 1)
    return {"percentage": f"{s} procentpunt", "per_1000": f"{s} per 1.000"}.get(eenheid, s)


def provenance(ind: OwnIndicator, row: dict) -> str:
    """'Eigen meting — bron: …, periode 2025-K3, 250 respondenten' (no n when the figure is withheld)."""
    parts = [f"bron: {ind.bron}", f"periode {row['periode']}"]
    if not _missing(row.get("base")) and ind.soort != "aantal":
        n = fmt.number(row["base"], 0)
        parts.append(f"noemer {n}" if ind.soort == "register" else f"{n} {BASE_WORD[ind.soort]}")
    return f"{PROVENANCE_WORD.capitalize()} — " + ", ".join(parts)


def change_text(row: dict, eenheid: str) -> str:
    if _missing(row.get("diff")) or not row.get("ref_periode"):
        return ""
    d = delta_text(row["diff"], eenheid)
    marge = "" if _missing(row.get("threshold")) else f"; marge ± {value_text(row['threshold'], eenheid).rstrip('%')}"
    return f"{row['label']} sinds {row['ref_periode']} ({d}{marge})"


@dataclass(frozen=True)
class OwnCard:
    indicator: OwnIndicator
    area_code: str
    area_name: str
    periode: str
    value: str  # as shown ('<10' / 'x' when withheld)
    interval: str
    provenance: str
    change: str
    favourable: bool | None
    withheld: bool


def _rows(figs: pd.DataFrame, ind: OwnIndicator, area: str | None = None) -> list[dict]:
    if figs.empty:
        return []
    sel = (figs["indicator_id"] == ind.id) & (figs["version"].astype(int) == ind.version)
    if area is not None:
        sel &= figs["area_code"] == area
    return sorted(figs[sel].to_dict("records"), key=lambda r: int(r["sort_key"]))


def card(ind: OwnIndicator, figs: pd.DataFrame, area: str, name: Callable[[str], str]) -> OwnCard | None:
    """The card of an indicator for one area: its newest period, shown or withheld."""
    rows = _rows(figs, ind, area)
    if not rows:
        return None
    r = rows[-1]
    fav = r.get("favourable")
    return OwnCard(ind, area, name(area), r["periode"], shown_text(r, ind.eenheid), interval_text(r, ind.eenheid),
                   provenance(ind, r), change_text(r, ind.eenheid), None if _missing(fav) else bool(fav),
                   bool(r.get("shown")))


def cards_by_pillar(inds: Iterable[OwnIndicator], figs: pd.DataFrame, areas: Iterable[str],
                    name: Callable[[str], str]) -> dict[str, list[OwnCard]]:
    out: dict[str, list[OwnCard]] = {}
    areas = list(areas)
    for ind in inds:
        for a in areas:
            c = card(ind, figs, a, name)
            if c is not None:
                out.setdefault(ind.pijler, []).append(c)
    return out


@dataclass(frozen=True)
class OwnTrend:
    indicator: OwnIndicator
    frame: pd.DataFrame  # area_code, area_name, periode, value, lower, upper, label (chart input)
    periods: tuple[str, ...]  # in time order (quarters before their year)
    table: pd.DataFrame  # the same figures for people (Dutch columns, '<10' where withheld)
    summary: str


def trend(ind: OwnIndicator, figs: pd.DataFrame, areas: Iterable[str], name: Callable[[str], str]) -> OwnTrend:
    recs = []
    for a in areas:
        for r in _rows(figs, ind, a):
            recs.append({"area_code": a, "area_name": name(a), "periode": r["periode"],
                         "value": None if r.get("shown") else r["value"],
                         "lower": None if r.get("shown") else r["lower"],
                         "upper": None if r.get("shown") else r["upper"],
                         "label": shown_text(r, ind.eenheid), "interval": interval_text(r, ind.eenheid),
                         "base": r.get("base")})
    frame = pd.DataFrame(recs, columns=["area_code", "area_name", "periode", "value", "lower", "upper", "label",
                                        "interval", "base"])
    periods = tuple(sorted(set(frame["periode"]), key=period_sort_key))
    table = pd.DataFrame({
        "Gebied": frame["area_name"], "Periode": frame["periode"], "Waarde": frame["label"],
        "95%-interval": frame["interval"],
        BASE_WORD[ind.soort].capitalize(): [("" if _missing(b) or ind.soort == "aantal" else fmt.number(b, 0))
                                            for b in frame["base"]]})
    shown = frame[frame["value"].notna()]
    summary = ""
    if not frame.empty:
        summary = (f"{ind.label}: {len(shown)} getoonde metingen voor {frame['area_name'].nunique()} gebieden in de "
                   f"perioden {', '.join(periods)}; elke meting met haar 95%-interval (verticale streep).")
        withheld = frame[frame["value"].isna()]
        if not withheld.empty:
            summary += " Niet getoond (kleine aantallen): " + "; ".join(
                f"{n} ({p})" for n, p in zip(withheld["area_name"], withheld["periode"])) + "."
    return OwnTrend(ind, frame, periods, table, summary)


def has_secondary(figs: pd.DataFrame) -> bool:
    return bool(not figs.empty and (figs["shown"] == SECONDARY).any())


SUPPRESSION_NOTE = (f"{SUPPRESSED}: minder dan {SUPPRESSED[1:]} (niet getoond, ook niet als percentage). "
                    + SECONDARY_NOTE)


# ------------------------------------------------------------------------------------------------ export

EXPORT_COLUMNS = ["area_code", "area_name", "area_level", "year", "period", "metric_id", "metric_label", "pillar",
                  "value", "lower", "upper", "unit", "base_population", "coverage", "source", "note"]


def export_rows(inds: Iterable[OwnIndicator], figs: pd.DataFrame, name: Callable[[str], str],
                level: Callable[[str], str]) -> pd.DataFrame:
    """One export row per own figure, in the columns of the metric export (metrics.export) plus period, lower and
    upper: withheld figures have no value and say '<10' or 'x' in the note."""
    out = []
    for ind in inds:
        for r in _rows(figs, ind):
            withheld = bool(r.get("shown"))
            note = [f"{PROVENANCE_WORD} ({SOORT_WORD[ind.soort]}, {FREQUENCY_WORD[ind.frequentie]}), versie {ind.version}"]
            if withheld:
                note.append(f"niet getoond: {r['shown']}")
            elif r.get("method"):
                note.append(f"95%-interval: {r['method']}")
            if not withheld and not _missing(r.get("base")) and ind.soort != "aantal":
                note.append(f"{BASE_WORD[ind.soort]} {int(r['base'])}")
            out.append({"area_code": r["area_code"], "area_name": name(r["area_code"]),
                        "area_level": level(r["area_code"]), "year": period_sort_key(r["periode"])[0],
                        "period": r["periode"], "metric_id": f"eigen:{ind.id}", "metric_label": ind.label,
                        "pillar": ind.pijler, "value": None if withheld else r["value"],
                        "lower": None if withheld else r["lower"], "upper": None if withheld else r["upper"],
                        "unit": ind.unit_text, "base_population": None, "coverage": None,
                        "source": EXPORT_SOURCE.format(bron=ind.bron), "note": "; ".join(note)})
    df = pd.DataFrame(out, columns=EXPORT_COLUMNS)
    for c in ("value", "lower", "upper"):
        df[c] = df[c].astype(float)
    return df


# ------------------------------------------------------------------------------------------------ the map

MIN_MAP_AREAS = 3  # an own indicator is drawn on the Maastricht map from this many buurten with a row


@dataclass(frozen=True)
class OwnMap:
    indicator: OwnIndicator
    periode: str
    rows: tuple  # metrics.mapdata.AreaValue per buurt on the map ('<10' / 'x' withheld, drawn as no data)
    values: tuple  # the shown values (None where withheld or not uploaded), in the order of ``rows``
    classing: object  # metrics.mapdata.Classing of the shown values (five classes, as the CBS map)
    entries: tuple  # metrics.mapdata.LegendEntry per class and 'geen gegevens'
    legend_title: str
    summary: str
    table: pd.DataFrame


def map_periods(ind: OwnIndicator, figs: pd.DataFrame, codes: Iterable[str]) -> list[str]:
    """The periods in which at least MIN_MAP_AREAS of the map's buurten have a row, newest last."""
    codes = set(codes)
    rows = [r for r in _rows(figs, ind) if r["area_code"] in codes]
    count: dict[str, int] = {}
    for r in rows:
        count[r["periode"]] = count.get(r["periode"], 0) + 1
    return sorted((p for p, n in count.items() if n >= MIN_MAP_AREAS), key=period_sort_key)


def mappable(inds: Iterable[OwnIndicator], figs: pd.DataFrame, codes: Iterable[str]) -> list[OwnIndicator]:
    codes = list(codes)
    return [i for i in inds if map_periods(i, figs, codes)]


def own_map(ind: OwnIndicator, figs: pd.DataFrame, periode: str, codes: Iterable[str],
            name: Callable[[str], str], ref: str) -> OwnMap:
    """The buurten's figures of one period for the Maastricht choropleth, with the gemeente's figure (when
    uploaded) as the reference in the text; a withheld figure is drawn as no data and listed as '<10' / 'x'."""
    from metrics.mapdata import AreaValue, area_table, classing, legend_entries

    by = {r["area_code"]: r for r in _rows(figs, ind) if r["periode"] == periode}
    rows, values = [], []
    for c in codes:
        r = by.get(c)
        if r is None:
            rows.append(AreaValue(c, name(c), 0, None, "ontbreekt", "niet aangeleverd", "", ()))
            values.append(None)
            continue
        v = None if r.get("shown") else r["value"]
        rows.append(AreaValue(c, name(c), 0, v, "ok" if v is not None else "geheim", shown_text(r, ind.eenheid),
                              interval_text(r, ind.eenheid), (f"{PROVENANCE_WORD}: {ind.bron}",)))
        values.append(v)
    shown = [v for v in values if v is not None]
    ref_row = by.get(ref)
    text = (f"{ind.label} ({periode}, {PROVENANCE_WORD}, bron: {ind.bron}): {len(shown)} van {len(rows)} buurten "
            "met een getoond cijfer")
    if shown:
        text += f", van {value_text(min(shown), ind.eenheid)} tot {value_text(max(shown), ind.eenheid)}"
    if ref_row is not None:
        text += f"; {name(ref)}: {shown_text(ref_row, ind.eenheid)}"
    withheld = sum(1 for r in rows if r.status == "geheim")
    if withheld:
        text += f"; {withheld} niet getoond (kleine aantallen)"
    table = area_table(rows, name(ref)).drop(columns=["Jaar", "Status"]).rename(
        columns={f"Vergelijking met {name(ref)}": "95%-interval"})
    table.insert(3, "Periode", periode)
    cl = classing(values)
    return OwnMap(ind, periode, tuple(rows), tuple(values), cl, tuple(legend_entries(values, cl, ind.unit_text)),
                  f"{ind.label} ({periode}), {ind.unit_text}", text + ".", table)
