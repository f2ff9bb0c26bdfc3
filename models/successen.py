"""Successen en tegenvallers: what moved beyond the margin since the first measurement, both sides equal.

The programme's own measurements (eigen metingen) stand among the CBS lines, each from the stored figures of
the metric store (loaders.schema.own_figures): the change of an area's newest period against its first shown
period, judged by the stored rule (``meaningful``, ``favourable``: outside the combined 95% interval, in the
indicator's direction). A change inside the interval is listed as "binnen de marge", a neutral indicator's
change as "gestegen"/"gedaald" without judgement, and a withheld newest figure ('<10' / 'x') never as a change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT, PILLAR_ORDER
from metrics import fmt
from metrics.catalog import Catalog
from metrics.compute import Engine
from metrics.progress import movements
from wording import own_change
from wording.change import CITY, movement_text

from . import own as own_model

SUCCESS, SETBACK, WITHIN, DESCRIPTIVE, WITHHELD, ONE = (
    "succes", "tegenvaller", "binnen_marge", "beschrijvend", "niet_getoond", "een_meting")


@dataclass(frozen=True)
class OwnMovement:
    """One own indicator in one area: its newest period against its first shown one."""
    indicator: own_model.OwnIndicator
    area_code: str
    kind: str  # SUCCESS, SETBACK, WITHIN, DESCRIPTIVE, WITHHELD or ONE
    text: str  # from, to, change, margin, Maastricht's change over the same periods (or why there is no change)
    period: str  # '2025-K2 → 2025-K3' (the newest period alone for WITHHELD and ONE)
    when: str  # against the programme start ('in het startjaar van het programma (2025)'); '' without a span
    after_start: bool | None  # the whole span after the start year (None: touches or crosses it, or no span)
    provenance: str  # 'eigen meting — bron: …, noemer 1.250 (2025-K3), 1.250 (2025-K2)'
    pillar: str  # the pillar's label
    verdict: str = ""  # ': binnen de marge', ': gestegen (geen richting goed/slecht)' (after the period, as for CBS)

    @property
    def sentence(self) -> str:
        """The whole line as on the page (without the pillar): text, period against the start, verdict."""
        period = f". Periode {self.period}, {self.when}" if self.when else ""
        return f"{self.text}{period}{self.verdict}"

    @property
    def tag(self) -> str:
        return own_model.PROVENANCE_WORD + (" · intern" if self.indicator.zichtbaarheid == "intern" else "")


@dataclass(frozen=True)
class AreaMovements:
    name: str
    successes: tuple[str, ...]  # one line each: sentence — pillar
    setbacks: tuple[str, ...]
    within_margin: tuple[str, ...]
    descriptive: tuple[str, ...]
    sources: frozenset[str]
    own_successes: tuple[OwnMovement, ...] = ()
    own_setbacks: tuple[OwnMovement, ...] = ()
    own_within: tuple[OwnMovement, ...] = ()
    own_descriptive: tuple[OwnMovement, ...] = ()
    own_other: tuple[OwnMovement, ...] = ()  # withheld newest figure or a single measurement: no change
    own_note: str = ""  # what '<10' and 'x' mean, when a line shows one

    @property
    def n_successes(self) -> int:
        return len(self.successes) + len(self.own_successes)

    @property
    def n_setbacks(self) -> int:
        return len(self.setbacks) + len(self.own_setbacks)

    @property
    def rest_label(self) -> str:
        s = (f"Binnen de marge ({len(self.within_margin) + len(self.own_within)}) en beschrijvend "
             f"({len(self.descriptive) + len(self.own_descriptive)})")
        if self.own_other:
            s += f", eigen metingen zonder verandering ({len(self.own_other)})"
        return s


@dataclass(frozen=True)
class SuccessenModel:
    areas: tuple[AreaMovements, ...]
    own_text: str = ""  # how the own lines are made (shown when there are any)


OWN_TEXT = ("Regels met het label *eigen meting* komen uit de eigen metingen van het programma (registers, partners "
            "en bewonerspeilingen): de nieuwste periode tegen de eerste getoonde periode van dat gebied, met de bron "
            "en het aantal waarnemingen. Een verandering telt alleen als ze buiten het gecombineerde "
            "95%-interval valt; een indicator zonder richting goed/slecht is gestegen of gedaald, zonder oordeel. "
            "Een cijfer dat niet getoond wordt (kleine aantallen) geeft nooit een verandering.")


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _flag(v) -> bool | None:
    return None if _missing(v) else bool(v)


def _rows(figs: pd.DataFrame, ind: own_model.OwnIndicator, area: str) -> list[dict]:
    if figs.empty:
        return []
    sel = ((figs["indicator_id"] == ind.id) & (figs["version"].astype(int) == ind.version)
           & (figs["area_code"] == area))
    return sorted(figs[sel].to_dict("records"), key=lambda r: int(r["sort_key"]))


def _n(ind: own_model.OwnIndicator, r: dict) -> str:
    return "" if _missing(r.get("base")) or ind.soort == "aantal" else fmt.number(r["base"], 0)


def _provenance(ind: own_model.OwnIndicator, latest: dict, first: dict | None) -> str:
    """'eigen meting — bron: …, noemer 1.250 (2025-K3), 1.250 (2025-K2)': the n of both periods, none for a
    withheld figure (its n is not stored) or a count (the count is the figure)."""
    out = f"{own_model.PROVENANCE_WORD} — bron: {ind.bron}"
    ns = [f"{_n(ind, r)} ({r['periode']})" for r in (latest, first) if r is not None and _n(ind, r)]
    if ns:
        word = own_model.BASE_WORD[ind.soort]
        out += f", {word} " + ", ".join(ns)
    return out


def _city(ind: own_model.OwnIndicator, figs: pd.DataFrame, area: str, latest: dict) -> str:
    """Maastricht's stored change over exactly the same periods, when GM0935 was uploaded for both."""
    if area == MAASTRICHT:
        return ""
    same = [r for r in _rows(figs, ind, MAASTRICHT)
            if r["periode"] == latest["periode"] and r.get("ref_periode") == latest["ref_periode"]
            and not r.get("shown") and not _missing(r.get("diff"))]
    if not same:
        return ""
    r = same[0]
    s = f"; {CITY} in dezelfde periode {own_model.delta_text(r['diff'], ind.eenheid)}"
    return s + (" (binnen de marge)" if not r.get("meaningful") else "")


def own_movement(ind: own_model.OwnIndicator, figs: pd.DataFrame, area: str, pillar: str) -> OwnMovement | None:
    """The own indicator's movement in one area from its stored figures; None when the area has none."""
    rows = _rows(figs, ind, area)
    if not rows:
        return None
    latest = rows[-1]
    label = ind.label
    if latest.get("shown"):
        return OwnMovement(ind, area, WITHHELD,
                           f"{label}: nieuwste meting ({latest['periode']}) niet getoond ({latest['shown']}), "
                           "dus geen verandering", latest["periode"], "", None, _provenance(ind, latest, None),
                           pillar)
    if _missing(latest.get("diff")) or not latest.get("ref_periode"):
        return OwnMovement(ind, area, ONE,
                           f"{label}: één getoonde meting, {own_model.shown_text(latest, ind.eenheid)} "
                           f"({latest['periode']}); nog geen verandering", latest["periode"], "", None,
                           _provenance(ind, latest, None), pillar)
    first = next(r for r in rows if r["periode"] == latest["ref_periode"])
    v0, v1 = (own_model.value_text(r["value"], ind.eenheid) for r in (first, latest))
    marge = ("" if _missing(latest.get("threshold"))
             else f"; marge ± {own_model.value_text(latest['threshold'], ind.eenheid).rstrip('%')}")
    text = (f"{label}: van {v0} ({first['periode']}) naar {v1} ({latest['periode']}), "
            f"{own_model.delta_text(latest['diff'], ind.eenheid)}{marge}{_city(ind, figs, area, latest)}")
    meaningful, favourable = bool(latest.get("meaningful")), _flag(latest.get("favourable"))
    if not meaningful:
        kind, verdict = WITHIN, f": {latest['label']}"
    elif ind.richting == "neutraal" or favourable is None:
        kind, verdict = DESCRIPTIVE, f": {latest['label']} (geen richting goed/slecht)"
    else:
        kind, verdict = (SUCCESS if favourable else SETBACK), ""
    return OwnMovement(ind, area, kind, text, own_change.span(first["periode"], latest["periode"]),
                       own_change.when(first["periode"], latest["periode"]),
                       own_change.after_start(first["periode"], latest["periode"]),
                       _provenance(ind, latest, first), pillar, verdict)


def own_movements(inds, figs: pd.DataFrame, area: str, pillar_label: Callable[[str], str]) -> dict[str, list]:
    """{kind: [OwnMovement, …]} of one area, in pillar and label order."""
    out: dict[str, list] = {k: [] for k in (SUCCESS, SETBACK, WITHIN, DESCRIPTIVE, WITHHELD, ONE)}
    order = {p: i for i, p in enumerate(PILLAR_ORDER)}
    for ind in sorted(inds, key=lambda i: (order.get(i.pijler, len(order)), i.label)):
        mv = own_movement(ind, figs, area, pillar_label(ind.pijler))
        if mv is not None:
            out[mv.kind].append(mv)
    return out


def successen_model(eng: Engine, cat: Catalog, own_measurements=None) -> SuccessenModel:
    """``own_measurements``: (indicators, figures) as ui.state.own_measurements gives them (public ones only for
    an anonymous visitor)."""
    inds, figs = own_measurements if own_measurements else ([], pd.DataFrame())

    def pillar_label(p: str) -> str:
        return cat.pillars[p]["label"] if p in cat.pillars else own_model.PILLAR_LABEL.get(p, p)

    out = []
    for area in FOCUS_AREAS:
        mv = movements(eng, area)
        name = eng.name(area)
        pillar = {k: [f"{movement_text(x, name)} — *{cat.pillars[x.metric.pillar]['label']}*" for x in mv[k]]
                  for k in ("successen", "tegenvallers")}
        own = own_movements(inds, figs, area, pillar_label)
        withheld = bool(own[WITHHELD])
        out.append(AreaMovements(
            name, tuple(pillar["successen"]), tuple(pillar["tegenvallers"]),
            tuple(f"{movement_text(x, name)}: {x.change.label}" for x in mv["binnen_marge"]),
            tuple(f"{movement_text(x, name)}: {x.change.label} (geen richting goed/slecht)" for x in mv["beschrijvend"]),
            frozenset(s for k in mv.values() for x in k for s in x.latest.sources),
            tuple(own[SUCCESS]), tuple(own[SETBACK]), tuple(own[WITHIN]), tuple(own[DESCRIPTIVE]),
            tuple(own[WITHHELD] + own[ONE]), own_model.SUPPRESSION_NOTE if withheld else ""))
    any_own = any(a.own_successes or a.own_setbacks or a.own_within or a.own_descriptive or a.own_other
                  for a in out)
    return SuccessenModel(tuple(out), OWN_TEXT if any_own else "")
