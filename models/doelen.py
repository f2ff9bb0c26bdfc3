"""Doelen: adopted targets with their status, the target proposals, and when new figures are expected."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from loaders.config import FOCUS_AREAS, MAASTRICHT
from metrics import fmt, proposals, releases, similar
from metrics.catalog import Catalog, Metric
from metrics.compute import Engine
from metrics.series import trend_frame
from metrics.targets import Target, status
from wording import releases as release_words

STATUS_ICON = {"gehaald": ":material/flag:", "op koers": ":material/trending_up:",
               "achter op schema": ":material/schedule:", "te vroeg om te zeggen": ":material/hourglass_empty:",
               "geen nieuwe gegevens": ":material/help:"}
OWNER = "Programmateam Veerkrachtige Wijken"  # owner of an adopted proposal unless the editor names another
GROUP_NOTE = ("Mediaan: de middelste verandering van de groep. Spreiding: van de kleinste tot de grootste "
              "verandering in de groep. Een verandering binnen de spreiding is niet meer dan de gewone trend "
              "van vergelijkbare buurten. De groep is gekozen op het profiel van het profieljaar; voor de "
              "periode vóór het basisjaar is dat profiel deels het eindpunt, dus die vergelijking is alleen "
              "ter oriëntatie. Buurten: ")


@dataclass(frozen=True)
class TargetCard:
    target: Target
    metric: Metric
    title: str
    figures: tuple[tuple[str, str], ...]  # (label, value): basis, laatste meting, doel
    status: str
    icon: str
    explanation: str
    caption: str
    chart: pd.DataFrame
    path: pd.DataFrame
    path_table: pd.DataFrame
    group_intro: str  # "" when no frozen group
    group_lines: tuple[str, ...]
    group_note: str


@dataclass(frozen=True)
class ProposalView:
    key: str
    rule_label: str
    rule_text: str
    target: str
    milestones: str
    measurable: bool
    measurable_text: str


@dataclass(frozen=True)
class ProposalBlock:
    area_name: str
    metric: Metric
    caption: str
    items: tuple[ProposalView, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CalendarModel:
    table: pd.DataFrame
    freshness: tuple[tuple[str, tuple[str, ...]], ...]  # (pillar label, sentences)
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ProposalDecision:
    """What the Doelen page writes when an editor adopts or rejects a proposal (loaders.programme), and what it
    says afterwards."""
    action: Literal["adopt", "reject"]
    decision: dict[str, Any]  # Proposal.decision_values(): the decision record
    values: dict[str, Any] | None  # the target to create (adopt only)
    group: dict[str, Any] | None  # the comparison group frozen with the target (adopt only, when there is one)
    reason: str  # reason of a rejection ("" when none)
    message: str  # Dutch, shown after the write


# (variable codes, age group, profile year) → the national buurt profile (ui.state.buurt_profile)
ProfileLoader = Callable[[tuple[str, ...], str, int], pd.DataFrame]


def proposal_decision(action: Literal["adopt", "reject"], p: proposals.Proposal, eng: Engine, cat: Catalog,
                      load_profile: ProfileLoader, owner: str = OWNER, target_value: float | None = None,
                      target_year: int | None = None, reason: str = "") -> ProposalDecision:
    """Adopt (with the possibly adjusted target value and year) or reject a proposal.

    Adopting freezes the comparison group: today's profile match in the latest profile year at or before the
    baseline year. Without a complete profile the target is adopted without a group and the message says why.
    Raises ValueError (Dutch) for an invalid target."""
    name = f"{p.metric.label} — {p.area_name}"
    if action == "reject":
        return ProposalDecision("reject", p.decision_values(), None, None, reason, f"Voorstel afgewezen: {name}.")
    values = p.target_values(owner, target_value, target_year)
    pvars = [v.code for v in similar.profile_variables(cat)]
    pyear = proposals.profile_year(p.baseline_year, eng.years(cat.get(similar.PROFILE_METRICS[0])))
    group, why = None, ""
    if pyear is not None:
        try:
            prof = load_profile(tuple(pvars), similar.profile_age_group(cat), pyear)
            group = proposals.frozen_group(prof, p.area, pvars, pyear)
        except similar.ProfileUnavailable as exc:
            why = f" Geen vergelijkingsgroep: {exc}."
    return ProposalDecision("adopt", p.decision_values(), values, group, reason,
                            f"Voorstel overgenomen als doel: {name}.{why}")


def target_areas(eng: Engine, maastricht_buurten) -> list[str]:
    """The areas a target can be set for: the focus buurten, their group, the other Maastricht buurten, Maastricht."""
    return [*FOCUS_AREAS, "FOCUS", *[c for c in maastricht_buurten if c not in FOCUS_AREAS], MAASTRICHT]


def _chart(eng: Engine, m: Metric, t: Target) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = trend_frame(eng, m, [t.area_code, MAASTRICHT])
    path = pd.DataFrame([{"year": y, "value": v} for y, v in t.path_points()])
    years = sorted(set(df["year"]).union(path["year"]))
    df = df.set_index(["area_code", "year"]).reindex(
        pd.MultiIndex.from_product([df["area_code"].unique(), years], names=["area_code", "year"])).reset_index()
    df["area_name"] = df["area_code"].map(eng.name)
    df["label"] = df["label"].fillna("geen meting")
    df[["source", "note"]] = df[["source", "note"]].fillna("")
    return df, path


def target_card(eng: Engine, cat: Catalog, rec: dict, group: dict | None, today: dt.date,
                national_series=None) -> TargetCard:
    """One adopted target: figures, computed status, chart with the target path, and the frozen-group comparison.
    ``national_series(codes)`` gives the published series of the metric for the group's buurten."""
    t = Target.from_row(rec)
    m = cat.get(t.metric_id)
    s = status(eng, t, today)
    series = [r for r in eng.series(m, t.area_code) if r.present]
    nxt = releases.release(releases.metric_source(m), max((r.year for r in series), default=t.baseline_year), today)
    when = (release_words.release_phrase(nxt, today).removeprefix("meting ") if nxt.published else
            f"{release_words.expected(s.earliest_change, today)} ({release_words.ESTIMATE})" if s.earliest_change
            else "")
    caption = (f"Eigenaar: {t.owner} · Waarom dit doel: {t.rationale}"
               + (f" · Uitvoeringsplan: {t.action_link}" if t.action_link else "")
               + (f" · Eerstvolgende meting: {when}" if when else ""))
    chart, path = _chart(eng, m, t)
    intro, lines, note = "", (), ""
    if group:
        intro = (f"**Programma of trend?** Vergelijking met de {len(group['codes'])} vergelijkbare buurten die bij "
                 f"het vaststellen zijn gekozen (profieljaar {group['profile_year']}, bevroren: er wordt niet "
                 "opnieuw gezocht).")
        national = national_series(tuple(group["codes"])) if (national_series and similar.nationally_available(m)) \
            else None
        lines = tuple(f"{head}: {gc.sentence}" for head, gc in
                      proposals.target_comparisons(eng, m, t.area_code, t.baseline_year, group, national))
        note = GROUP_NOTE + ", ".join(similar.display_name(c, n) for c, n in
                                      zip(group["codes"], group.get("names") or group["codes"]))
    latest = s.latest
    if latest is None:  # no measurement after the baseline: the latest one is the baseline itself (or before it)
        latest = next((r for r in reversed(eng.series(m, t.area_code)) if r.present and r.year <= t.baseline_year),
                      None)
    is_base = latest is not None and latest.year == t.baseline_year and s.latest is None
    return TargetCard(
        t, m, f"{m.label} — {eng.name(t.area_code)}",
        ((f"Basis {t.baseline_year}", fmt.value(t.baseline_value, m.unit)),
         (f"Laatste meting {latest.year if latest else ''}".strip() + (" (de basis)" if is_base else ""),
          fmt.value(latest.value if latest else None, m.unit)),
         (f"Doel {t.target_year}", fmt.value(t.target_value, m.unit))),
        s.status, STATUS_ICON[s.status], s.explanation, caption, chart, path,
        pd.DataFrame({"Jaar": path["year"], "Doelpad": [fmt.value(v, m.unit) for v in path["value"]]}),
        intro, lines, note)


def proposal_blocks(eng: Engine, open_props: list, today: dt.date) -> list[ProposalBlock]:
    """The open proposals per focus buurt and metric, each with its rule, target, milestones and measurability."""
    out = []
    for area in FOCUS_AREAS:
        mine = [p for p in open_props if p.area == area]
        for mid in dict.fromkeys(p.metric.id for p in mine):
            ps = [p for p in mine if p.metric.id == mid]
            m, p0 = ps[0].metric, ps[0]
            caption = (f"Basis {p0.baseline_year}: {fmt.value(p0.baseline_value, m.unit)} · "
                       f"{p0.ref_name} {p0.baseline_year}: {fmt.value(p0.ref_value, m.unit)} · "
                       + (f"met 80% kans zichtbare verandering bij deze buurt: "
                          f"{proposals.amount(p0.baseline_threshold, m.unit)} · " if p0.baseline_threshold is not None
                          else "onzekerheid onbekend · ")
                       + f"bron {', '.join(p0.sources)}")
            items = []
            for p in ps:
                txt = p.measurable_text(today)
                items.append(ProposalView(
                    p.key, p.rule_label, p.rule_text, p.target_sentence(),
                    ("Tussendoelen (verwachte edities): " + " · ".join(
                        f"{c.year}: {fmt.value(c.value, m.unit)}" for c in p.milestones)) if p.milestones else "",
                    p.measurable, txt[0].upper() + txt[1:] + "."))
            out.append(ProposalBlock(eng.name(area), m, caption, tuple(items), tuple(p0.sources)))
    return out


def calendar_model(eng: Engine, cat: Catalog, latest_by_source: dict[str, int], today: dt.date) -> CalendarModel:
    cal = releases.calendar(cat.available(), latest_by_source, today)
    table = pd.DataFrame([{
        "Bron": r.label, "Hoe vaak": release_words.frequency(r),
        "Laatste periode in de data": str(r.latest_period or ""),
        "Gepubliceerd, nog niet geladen": ", ".join(
            f"{s.edition.period} ({s.edition.table})" for s in releases.unloaded(r.source, latest_by_source, today)),
        "Volgende cijfers (schatting van de datum)": release_words.release_phrase(r, today) if r.next_release else "",
    } for r in cal])
    fresh = releases.freshness(eng, cat.metrics, FOCUS_AREAS, today, latest_by_source)
    return CalendarModel(
        table, tuple((cat.pillars[p]["label"], tuple(release_words.freshness_sentence(f, today) for f in items))
                     for p, items in fresh.items() if p in cat.pillars),
        tuple(f"**{r.label}** — gemeten: {r.measured_in}. {r.note}" for r in cal))
