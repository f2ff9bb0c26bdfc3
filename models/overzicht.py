"""Overzicht: per pillar and focus buurt the headline cards, the population, the data date, and the summary of
targets and participation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from loaders.config import FOCUS_AREAS, PILLAR_ORDER
from metrics import fmt, releases
from metrics.briefing import Card, briefing
from metrics.catalog import Catalog
from metrics.compute import Engine
from metrics import proposals as pr
from metrics.targets import Target, status
from wording import releases as release_words

from . import own as own_model
from .participation import reach_line


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    help: str


@dataclass(frozen=True)
class PillarBlock:
    pillar: str
    label: str
    description: str
    cards: tuple[tuple[str, tuple[Card, ...]], ...]  # (area name, cards strengths first)
    missing: str  # "Nog geen data voor: …" or ""
    freshness: tuple[str, ...]  # per release series: newest year and the next edition
    no_outcome: str = ""  # a pillar without an outcome figure per buurt: says so and which refresh brings one


@dataclass(frozen=True)
class OverzichtModel:
    headlines: tuple[Headline, ...]
    data_period: str  # per source the newest period in the data, and the build date as a detail
    pillars: tuple[PillarBlock, ...]
    targets_text: str
    participation_text: str
    sources: frozenset[str]
    proposals_table: pd.DataFrame | None = None  # open target proposals when no target is set (voorstel)
    proposals_caption: str = ""
    # pillar -> one row per own indicator: the focus areas' cards side by side (None: no figure there)
    own: dict = field(default_factory=dict)
    own_areas: tuple[str, ...] = ()  # the focus areas' names, the columns of those rows
    own_note: str = ""  # what '<10' and 'x' mean, when a card shows one


def _targets_text(eng: Engine, targets: pd.DataFrame, today: dt.date, props: list) -> str:
    if targets.empty and not props:
        return ("Er zijn nog **geen doelen** vastgesteld. Zie [Doelen](doelen) voor hoe een doel wordt vastgelegd en "
                "wanneer nieuwe cijfers te verwachten zijn.")
    if targets.empty:
        return (f"Er zijn nog **geen doelen** vastgesteld. Het dashboard rekent **{len(props)} voorstellen** uit "
                f"volgens vaste regels ({', '.join(pr.RULE_LABEL[r] for r in pr.RULES)}); elk voorstel is "
                f"*{pr.LABEL}*. Overnemen of afwijzen op [Doelen](doelen).")
    counts: dict[str, int] = {}
    for rec in targets.to_dict("records"):
        s = status(eng, Target.from_row(rec), today).status
        counts[s] = counts.get(s, 0) + 1
    return (f"**{len(targets)} doelen**: " + ", ".join(f"{n} {k}" for k, n in counts.items()) +
            ". Details op [Doelen](doelen).")


def _participation_text(eng: Engine, register: pd.DataFrame) -> str:
    line = reach_line(eng, register, FOCUS_AREAS)
    if line is None:
        return "Er zijn nog **geen deelnamecijfers** ingevoerd. Zie [Wie doen er mee?](participatie)."
    return f"**Deelname volgens het participatieregister** — {line}. Details op [Wie doen er mee?](participatie)."


def _own_blocks(eng: Engine, own_measurements) -> tuple[dict, str]:
    if not own_measurements:
        return {}, ""
    inds, figs = own_measurements
    by_pillar = own_model.cards_by_pillar(inds, figs, FOCUS_AREAS, eng.name)
    out = {}
    for p, cs in by_pillar.items():
        ids = list(dict.fromkeys(c.indicator.id for c in cs))
        out[p] = tuple(tuple(next((c for c in cs if c.indicator.id == i and c.area_code == a), None)
                             for a in FOCUS_AREAS) for i in ids)
    withheld = any(c.withheld for cs in by_pillar.values() for c in cs)
    return out, own_model.SUPPRESSION_NOTE if withheld else ""


def overzicht_model(eng: Engine, cat: Catalog, build_info: dict, targets: pd.DataFrame, register: pd.DataFrame,
                    today: dt.date, decided: frozenset = frozenset(), own_measurements=None) -> OverzichtModel:
    heads = []
    for a in FOCUS_AREAS:
        r = eng.latest("inwoners", a)
        heads.append(Headline(f"Inwoners {eng.name(a)}", fmt.value(r.value if r else None, "aantal"),
                              f"CBS {', '.join(r.sources) if r else ''}, peiljaar {r.year if r else '-'}"))
    built = build_info.get("built_at", "")[:10]
    latest = eng.latest_period_by_source()
    periods = releases.newest_by_series(cat.available(), latest)
    span = sorted({y for _, y in periods})
    heads.append(Headline(
        "Cijfers uit", (f"{span[0]}–{span[-1]}" if len(span) > 1 else str(span[0])) if span else "onbekend",
        "Het nieuwste jaar per bron in de database; de buurtcijfers per indicator kunnen ouder zijn (zie per pijler)."))
    detail = "; ".join(f"{short} {year}" for short, year in periods)
    data_period = ((f"Nieuwste cijfers per bron: {detail}. " if detail else "")
                   + f"Database opgebouwd op {fmt.date(dt.date.fromisoformat(built)) if built else 'onbekende datum'}.")
    data = briefing(eng)
    fresh = releases.freshness(eng, cat.metrics, FOCUS_AREAS, today, latest)
    blocks = []
    for pillar in PILLAR_ORDER[:3]:
        missing = [m for m in cat.by_pillar(pillar) if not m.available]
        info = cat.pillars[pillar]
        no_outcome = ""
        if info.get("headline") == [] and info.get("no_outcome"):
            brings = release_words.outcome_sentence(releases.outcome_editions(
                eng, cat.metrics, tuple(info.get("outcome_metrics") or ()), FOCUS_AREAS, today, latest))
            no_outcome = info["no_outcome"] + (f" {brings}" if brings else "")
        blocks.append(PillarBlock(
            pillar, info["label"], info["description"],
            tuple((eng.name(a), tuple(data[a][pillar])) for a in FOCUS_AREAS),
            ("Nog geen data voor: " + ", ".join(m.label.lower() for m in missing) +
             ". Op de pagina Data en methode staat welke bron deze cijfers later levert.") if missing else "",
            tuple("Actualiteit — " + release_words.freshness_sentence(f, today) for f in fresh.get(pillar, [])),
            no_outcome))
    sources = frozenset(s for area in data.values() for cards in area.values() for c in cards
                        for s in (c.latest.sources if c.latest else ()))
    props = pr.proposals(eng, today, decided=decided, targets=targets) if targets.empty else []
    caption = (f"Per buurt en indicator 'sterkte vasthouden' of anders het voorstel voor {pr.programme().halving_year}; "
               f"alle voorstellen (ook 'gat dichten' in {pr.programme().end_year}) staan op Doelen. Regels: "
               + " ".join(pr.rule_text(r) for r in pr.RULES)) if props else ""
    own_blocks, own_note = _own_blocks(eng, own_measurements)
    return OverzichtModel(tuple(heads), data_period, tuple(blocks), _targets_text(eng, targets, today, props),
                          _participation_text(eng, register), sources,
                          pr.overview_table(props) if props else None, caption, own_blocks,
                          tuple(eng.name(a) for a in FOCUS_AREAS), own_note)
