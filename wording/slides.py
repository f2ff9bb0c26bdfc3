"""The Dutch slides of the presentation mode and the briefing export.

A deck is a list of slide keys. :func:`build` turns the keys into :class:`Slide` objects: a council
question, a title, at most three big numbers (each with label, year and source), one plain-Dutch sentence
and presenter notes. The presentation (ui/present.py), the PPTX and the PDF (reports/pptx.py, reports/pdf.py)
all render these objects, so the numbers cannot diverge. The numbers come from metrics/briefing.py (the cards)
and metrics/slides.py (context, data version, participation totals); this module only puts words around them.
Pure functions: no Streamlit, no database.

Slide keys:
  titel                   title slide with the map of the buurten
  doelen                  "Wat willen we bereiken?": one slide per target (or one honest "no targets yet")
  doel:<id>               one target
  pijler:<pillar>         "Waar staan we?": the pillar's lead metric for Nazareth, Pottenberg and Maastricht
  indicator:<metric_id>   "Waar staan we?" for any available metric
  goed / minder_goed      "Wat gaat goed?" / "Wat gaat minder goed?": changes beyond the margin
  kalender                "Wanneer zien we meer?": the release calendar (estimates)
  participatie            "Wie doen er mee?": the participation register (counts under 10 suppressed)
  eigen:<pillar>          "Eigen metingen: <pijler>": one slide per own indicator of the pillar (wording/
                          own_documents.py), offered only when there are own figures
  bronnen                 sources, periods, licence and the data version

Only the big numbers are statistics on a slide; sentences use words ("verbeterd sinds 2012"), and the
figures behind them are in the presenter notes.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from metrics import briefing, fmt, releases
from metrics.briefing import FOCUS_AREAS, MAASTRICHT, NEDERLAND, PILLAR_ORDER, Card, lead_metric
from metrics.catalog import Metric
from metrics.compute import Engine
from metrics.participation import SUPPRESS_BELOW, SUPPRESSED
from metrics.progress import Movement, movements
from metrics.slides import Context, DataVersion, data_version, is_statistic, participation_totals
from metrics.targets import Target, status

from . import own_documents
from . import releases as release_words
from .cards import note as card_note
from .change import TONE_SHORT, card_change, change_phrase, movement_text
from .numbers import count_word

from .slide_objects import MAX_NUMBERS, BigNumber, ChartRef, Slide  # noqa: E402,F401 (re-exported)
DEFAULT_DECK: tuple[str, ...] = ("doelen", "pijler:bestaanszekerheid", "pijler:positieve_gezondheid",
                                 "pijler:gelijke_kansen", "goed", "minder_goed", "kalender", "participatie")
QUESTIONS = {
    "titel": "Veerkrachtige Wijken",
    "doelen": "Wat willen we bereiken?",
    "pijler": "Waar staan we?",
    "goed": "Wat gaat goed?",
    "minder_goed": "Wat gaat minder goed?",
    "kalender": "Wanneer zien we meer?",
    "participatie": "Wie doen er mee?",
    "bronnen": "Waar komen de cijfers vandaan?",
}
REGISTER_SOURCE = "Participatieregister Veerkrachtige Wijken (eigen registratie)"
CALENDAR_SOURCE = "Releasekalender CBS en RIVM (schatting van de datum)"
LICENCE = "CC BY 4.0"
STATUS_SENTENCE = {
    "gehaald": "het doel is bereikt; de verandering is groter dan de marge",
    "op koers": "duidelijke vooruitgang, op of voor het doelpad",
    "achter op schema": "de cijfers blijven achter bij het doelpad",
    "te vroeg om te zeggen": "er is nog geen verandering die we kunnen beoordelen",
    "geen nieuwe gegevens": "er had een nieuwe meting moeten zijn, maar die is nog niet geladen",
}


# ---------------------------------------------------------------------------------------------- objects

def built_text(v: DataVersion) -> str:
    return fmt.date(v.built_at) if v.built_at else "onbekend"


def version_text(v: DataVersion) -> str:
    """'Database van 1 december 2026; tabellen en perioden: 50090NED (2012, 2016, 2020), …'."""
    tabs = ", ".join(f"{t.table_id} ({t.period})" for t in v.tables if is_statistic(t.table_id))
    return f"Database van {built_text(v)}; tabellen en perioden: {tabs}."


def loaded_text(d: dt.datetime | None) -> str:
    return fmt.date(d) if d else "onbekend"


@dataclass
class Deck:
    slides: list[Slide]
    skipped: list[str]
    date: dt.date
    version: DataVersion


# ---------------------------------------------------------------------------------------------- helpers

def _publisher_short(publisher: str) -> str:
    p = publisher or ""
    if "RIVM" in p:
        return "RIVM/CBS"
    if "Politie" in p:
        return "CBS/Politie"
    return "CBS"


def source_label(ctx: Context, tables) -> str:
    """'RIVM/CBS 50090NED' — publisher and table id, as on the dashboard's source lines."""
    pub: dict[str, str] = {}
    if ctx.sources is not None and not ctx.sources.empty:
        pub = dict(zip(ctx.sources["table_id"], ctx.sources["publisher"]))
    tabs = sorted({t for t in tables if t})
    if not tabs:
        return "CBS/RIVM"
    groups: dict[str, list[str]] = {}
    for t in tabs:
        groups.setdefault(_publisher_short(pub.get(t, "")), []).append(t)
    return "; ".join(f"{p} {', '.join(ts)}" for p, ts in groups.items())


LONG_UNIT = 20  # characters: a longer unit is not repeated next to the big number (the label says it)


def _metric_number(ctx: Context, m: Metric, area: str, res, label: str | None = None, note: str = "",
                   show_area: bool = True) -> BigNumber:
    """A measured value as a big number (or 'geen gegevens' when it is missing)."""
    eng = ctx.engine
    present = res is not None and res.present
    value = fmt.value(res.value if present else None, m.unit)
    label = label or m.label
    if present and len(m.unit) > LONG_UNIT:  # "115,9 per 1.000 inwoners van 15+" does not fit a tile; the unit is
        value = fmt.number(res.value, fmt.decimals_for(m.unit))  # in the metric's label (the title or the label)
    return BigNumber(
        value=value, label=label,
        year=str(res.year) if present else "", source=source_label(ctx, res.sources if present else m.sources),
        area=eng.name(area) if show_area else "", note=note, kind="meting",
        raw=float(res.value) if present else None, metric_id=m.id, area_code=area)


def _position_words(c: Card) -> str:
    if c.metric.kind == "count" or not c.vs_maastricht.label or c.vs_maastricht.diff is None:
        return ""
    return c.vs_maastricht.label


def _sentence_for_cards(cards: list[Card]) -> str:
    """One sentence per distinct phrase; buurten with the same change and position share it ("Nazareth en
    Pottenberg bewegen mee met Maastricht: verbeterd sinds 2012; minder gunstig dan Maastricht.")."""
    groups: dict[str, list[str]] = {}
    for c in cards:
        pos = _position_words(c)
        groups.setdefault(card_change(c) + (f"; {pos}" if pos else ""), []).append(c.area_name)
    parts = []
    for phrase, names in groups.items():
        who = " en ".join(names)
        if phrase.startswith("beweegt mee"):
            parts.append(f"{who} {'bewegen' if len(names) > 1 else 'beweegt'}{phrase[len('beweegt'):]}.")
        else:
            parts.append(f"{who}: {phrase}.")
    return " ".join(parts)


def trend_alt(ctx: Context, m: Metric, areas: tuple[str, ...]) -> str:
    eng = ctx.engine
    bits = []
    for a in areas:
        vals = [f"{r.year}: {fmt.value(r.value, m.unit)}" for r in eng.series(m, a) if r.present]
        bits.append(f"{eng.name(a)} " + (", ".join(vals) if vals else "geen gegevens"))
    return f"Lijngrafiek {m.label.lower()} ({m.unit}). " + "; ".join(bits) + "."


# ---------------------------------------------------------------------------------------------- slides

def _metric_slide(ctx: Context, key: str, m: Metric, heading: str) -> Slide:
    """Nazareth, Pottenberg and (for rates) Maastricht on one metric, with its trend."""
    eng = ctx.engine
    cards = [briefing.card(eng, m, a) for a in FOCUS_AREAS]
    nums = [_metric_number(ctx, m, c.area, c.latest, label=c.area_name, note=card_change(c), show_area=False)
            for c in cards]
    chart_areas = list(FOCUS_AREAS)
    ref = next((c.ref_maastricht for c in cards if c.ref_maastricht is not None), None)
    if m.kind != "count" and ref is not None:
        nums.append(_metric_number(ctx, m, MAASTRICHT, ref, label=eng.name(MAASTRICHT), note="ter vergelijking",
                                   show_area=False))
        chart_areas.append(MAASTRICHT)
    notes = [card_note(c) for c in cards] + [f"Wat het cijfer meet: {m.explanation}"]
    if m.caveats:
        notes.append("Let op: " + "; ".join(m.caveats) + ".")
    notes.append("Marge: een verandering of verschil binnen de marge telt niet als vooruitgang of achterstand.")
    pillar = ctx.engine.catalog.pillars[m.pillar]["label"]
    years = eng.years(m)
    chart = ChartRef("trend", m.id, tuple(chart_areas), years[0] if years else None,
                     alt=trend_alt(ctx, m, tuple(chart_areas)))
    srcs = {s for c in cards if c.latest for s in c.latest.sources} or set(m.sources)
    label = m.label[:1].lower() + m.label[1:] if "{pillar}" in heading else m.label
    return Slide(key, QUESTIONS["pijler"], heading.format(pillar=pillar, label=label), tuple(nums),
                 _sentence_for_cards(cards), "\n".join(notes),
                 (source_label(ctx, srcs) + f", {LICENCE}",), chart)


def _no_outcome_slide(ctx: Context, key: str, pillar: str) -> Slide | None:
    """A pillar without an outcome figure per buurt (catalog: `headline: []`, `no_outcome`): says so, and which
    refresh brings one; no numbers."""
    eng = ctx.engine
    info = eng.catalog.pillars[pillar]
    if not info.get("no_outcome"):
        return None
    states = releases.outcome_editions(eng, list(eng.catalog.metrics), tuple(info.get("outcome_metrics") or ()),
                                       FOCUS_AREAS, ctx.today)
    brings = release_words.outcome_sentence(states)
    tables = sorted({s.edition.table for s in states if s.edition.table})
    text = info["no_outcome"].split(": ", 1)[-1]  # the title already says 'nog geen uitkomstcijfer per buurt'
    return Slide(key, QUESTIONS["pijler"], f"{info['label']}: nog geen uitkomstcijfer per buurt",
                 (), text[:1].upper() + text[1:],
                 info["no_outcome"] + " " + (brings or "Nog geen editie bekend die deze cijfers per buurt levert."),
                 (source_label(ctx, tables) + f", {LICENCE}",) if tables else ())


def _pillar_slide(ctx: Context, key: str, pillar: str) -> Slide | None:
    m = lead_metric(ctx.engine, pillar)
    if m is None:
        return _no_outcome_slide(ctx, key, pillar)
    s = _metric_slide(ctx, key, m, "{pillar}: {label}")
    # The notes carry the whole overview of the pillar (every headline card of both buurten).
    extra = []
    for a in FOCUS_AREAS:
        for c in briefing.briefing(ctx.engine, (a,), (pillar,))[a][pillar]:
            if c.metric.id != m.id:
                extra.append(card_note(c))
    notes = s.notes + ("\n\nOok in deze pijler:\n" + "\n".join(extra) if extra else "")
    return Slide(s.key, s.question, s.title, s.numbers, s.text, notes, s.sources, s.chart)


def target_slide(ctx: Context, t: Target, key: str) -> Slide:
    eng = ctx.engine
    m = eng.catalog.get(t.metric_id)
    st = status(eng, t, ctx.today)
    base = BigNumber(fmt.value(t.baseline_value, m.unit), "Basis", str(t.baseline_year),
                     source_label(ctx, m.sources), kind="doel", raw=t.baseline_value, metric_id=m.id,
                     area_code=t.area_code)
    if st.latest is not None:
        latest = _metric_number(ctx, m, t.area_code, st.latest, label="Laatste meting", show_area=False)
    else:
        late = st.status == "geen nieuwe gegevens"
        latest = BigNumber("nog geen", "Meting na het basisjaar", "", source_label(ctx, m.sources),
                           note="nog niet geladen" if late else "volgt bij de volgende editie", kind="meting",
                           metric_id=m.id, area_code=t.area_code)
    goal = BigNumber(fmt.value(t.target_value, m.unit), "Doel", str(t.target_year), f"doel van {t.owner}",
                     note=st.status, kind="doel", raw=t.target_value, metric_id=m.id, area_code=t.area_code)
    text = f"Status: {st.status} — {STATUS_SENTENCE[st.status]}."
    notes = [st.explanation, f"Eigenaar: {t.owner}.", f"Waarom dit doel: {t.rationale}"]
    if t.action_link:
        notes.append(f"Uitvoeringsplan: {t.action_link}")
    if st.earliest_change:
        notes.append(f"Eerstvolgende meting: {release_words.expected(st.earliest_change, ctx.today)} "
                     f"({release_words.ESTIMATE}).")
    areas = (t.area_code, MAASTRICHT) if t.area_code != MAASTRICHT else (MAASTRICHT,)
    chart = ChartRef("trend", m.id, areas, t.baseline_year, tuple(t.path_points()),
                     alt=trend_alt(ctx, m, areas) + " Doelpad: " + ", ".join(
                         f"{y}: {fmt.value(v, m.unit)}" for y, v in t.path_points()) + ".")
    return Slide(key, QUESTIONS["doelen"], f"{m.label} — {eng.name(t.area_code)}", (base, latest, goal), text,
                 "\n".join(notes), (source_label(ctx, m.sources) + f", {LICENCE}", f"doel: {t.owner}"), chart)


MAX_PROPOSAL_BULLETS = 3  # lines on slide 1 (a projector slide: at most three numbers, one message)


def _targets_slides(ctx: Context) -> list[Slide]:
    """The adopted targets; when there are none, one slide with the open target proposals (metrics/proposals.py):
    per headline metric the proposal for 2035 (gat halveren) or 'sterkte vasthouden' for both buurten, each with
    'voorstel', its rule, baseline, target and first measurable edition; every proposal in the notes."""
    if ctx.targets:
        return [target_slide(ctx, t, f"doel:{t.id}") for t in ctx.targets]
    from metrics import proposals as pr

    props = pr.proposals(ctx.engine, ctx.today, decided=ctx.proposal_decisions)
    if not props:
        return [Slide("doelen", QUESTIONS["doelen"], "Nog geen doelen vastgesteld", (),
                      "Er zijn nog geen doelen vastgesteld. Zodra het programmateam een doel vastlegt, staat het hier "
                      "met basiswaarde, laatste meting, streefwaarde en status.",
                      "Doelen worden vastgelegd op de pagina Doelen (redacteuren). De basiswaarde komt uit de data; "
                      "de status wordt berekend, nooit met de hand ingevuld.")]
    # Slide 1 is read from the back of the room: one message, at most three short lines and three numbers (the
    # target years); every figure (baseline, target, first measurable edition) is in the notes and on Doelen.
    bullets = []
    top = pr.primary(props)  # per metric and buurt 'sterkte vasthouden' or the 2035 proposal; the rest in the notes
    for mid in dict.fromkeys(p.metric.id for p in top):
        first = [p for a in FOCUS_AREAS for p in top if p.metric.id == mid and p.area == a]
        rules: dict[str, list[str]] = {}
        for p in first:
            what = p.rule_label + ("" if p.rule == "vasthouden" else f" in {p.target_year}")
            rules.setdefault(what, []).append(p.area_name)
        both = len(rules) == 1 and len(first) == len(FOCUS_AREAS)
        bullets.append(f"{first[0].metric.label}: " + "; ".join(
            what if both else f"{what} ({' en '.join(names)})" for what, names in rules.items()))
    if len(bullets) > MAX_PROPOSAL_BULLETS:
        rest = len(bullets) - (MAX_PROPOSAL_BULLETS - 1)
        bullets = bullets[:MAX_PROPOSAL_BULLETS - 1] + [f"En {count_word(rest)} andere indicatoren: zie de pagina Doelen"]
    text = f"Nog geen doelen vastgesteld. Alles hierboven is een {pr.LABEL}."
    used = sorted(dict.fromkeys(p.rule for p in props), key=pr.RULES.index)
    notes = ["Voorstellen uit de data volgens vaste regels; het programma besluit."]
    notes += [pr.rule_text(r) for r in used] + [p.summary(ctx.today) for p in props]
    notes.append("Op de dia per indicator en buurt 'sterkte vasthouden' of anders het voorstel voor "
                 f"{pr.programme().halving_year} (gat halveren); alle voorstellen staan hierboven en op de pagina "
                 "Doelen, waar een redacteur ze overneemt of afwijst. Meetbaar: de gevraagde verandering is groter "
                 "dan de marge van de indicator.")
    srcs = {s for p in props for s in p.sources}
    return [Slide("doelen", QUESTIONS["doelen"], "Voorstellen voor doelen", (), text, "\n".join(notes),
                  (source_label(ctx, srcs) + f", {LICENCE}", pr.LABEL), bullets=tuple(bullets))]


def _movement_order(engine: Engine, mv: Movement) -> tuple:
    m = mv.metric
    ids = [x.id for x in engine.catalog.metrics]
    return (not (m.headline or m.strength), PILLAR_ORDER.index(m.pillar) if m.pillar in PILLAR_ORDER else 9,
            ids.index(m.id), FOCUS_AREAS.index(mv.area) if mv.area in FOCUS_AREAS else 9)


def _movements_slide(ctx: Context, key: str, which: str) -> Slide:
    """Successes or setbacks of both buurten; shown in catalogue order (headline metrics first), never ranked."""
    eng = ctx.engine
    per_area = {a: movements(eng, a)[which] for a in FOCUS_AREAS}
    pool = sorted((mv for a in FOCUS_AREAS for mv in per_area[a]), key=lambda mv: _movement_order(eng, mv))
    verb = "verbeterden" if which == "successen" else "verslechterden"
    word = "verbeterd" if which == "successen" else "verslechterd"
    nums = tuple(_metric_number(ctx, mv.metric, mv.area, mv.latest,
                                note=change_phrase(mv.metric, eng.name(mv.area), mv.first.year, mv.change, mv.city))
                 for mv in pool[:MAX_NUMBERS])
    counts = " en ".join(f"in {eng.name(a)} {count_word(len(per_area[a]))}" for a in FOCUS_AREAS)
    with_city = sum(1 for mv in pool if mv.city.with_city)
    if pool:
        text = (f"Sinds de eerste meting {verb} {counts} indicatoren meer dan de marge"
                + (f"; bij {count_word(with_city)} daarvan is de verandering niet aantoonbaar anders dan in Maastricht" if with_city else
                   "")
                + ("; de volledige lijst staat op de pagina Successen en tegenvallers." if len(pool) > MAX_NUMBERS
                   else "."))
    else:
        text = f"Sinds de eerste meting {verb} geen indicatoren meer dan de marge, in geen van beide buurten."
    notes = [f"{eng.name(mv.area)} — {movement_text(mv, eng.name(mv.area))} ({mv.change.label})." for mv in pool]
    notes.append("Volgorde: de kernindicatoren eerst, dan de volgorde van de catalogus; geen ranglijst. "
                 "Veranderingen binnen de marge tellen niet mee.")
    srcs = {s for mv in pool for s in mv.latest.sources}
    return Slide(key, QUESTIONS[key], f"{word.capitalize()} sinds de eerste meting", nums, text, "\n".join(notes),
                 (source_label(ctx, srcs) + f", {LICENCE}",) if srcs else ())


def _calendar_slide(ctx: Context, key: str) -> Slide:
    eng = ctx.engine
    cal = releases.calendar(eng.catalog.available(), releases.latest_period_by_source(eng), ctx.today)
    cal = [r for r in cal if r.next_release is not None]
    nums = [BigNumber(release_words.PUBLISHED_SHORT if r.published
                      else release_words.expected(r.next_release, ctx.today), r.label, f"meting {r.next_period}",
                      CALENDAR_SOURCE, note=("nog niet geladen; " if r.published else "") + release_words.frequency(r),
                      kind="kalender") for r in cal]
    notes = [release_words.explanation(r, ctx.today) for r in cal]
    text = ("Nieuwe cijfers komen per bron op een eigen ritme. Wanneer ze komen is een schatting van de datum: de "
            "laatste periode plus de meetfrequentie en de gebruikelijke vertraging.")
    return Slide(key, QUESTIONS["kalender"], "Volgende cijfers per bron", tuple(nums[:MAX_NUMBERS]), text,
                 "\n".join(notes), (CALENDAR_SOURCE,))


def _suppressed(n) -> str:
    """A register count as shown: '<10' / 'x' as metrics.participation.protected left it, else the number."""
    if isinstance(n, str):
        return n
    return SUPPRESSED if n < SUPPRESS_BELOW else fmt.number(float(n), 0)


def _period(df: pd.DataFrame) -> str:
    months = sorted(df["maand"].astype(str))
    def word(m: str) -> str:
        y, mm = m.split("-")
        return f"{fmt.MONTHS[int(mm) - 1]} {y}"
    return word(months[0]) if months[0] == months[-1] else f"{word(months[0])} – {word(months[-1])}"


def _participation_slide(ctx: Context, key: str) -> Slide:
    eng = ctx.engine
    tot = participation_totals(ctx)
    if tot.empty:
        return Slide(key, QUESTIONS["participatie"], "Nog geen deelnamecijfers", (),
                     "Er zijn nog geen deelnamecijfers ingevoerd voor Nazareth en Pottenberg.",
                     "Het programmateam voert dialoogsessies, bereikte bewoners, meemakers en activiteiten per maand "
                     "in op de pagina Wie doen er mee?. Aantallen onder de 10 tonen we als <10.",
                     (REGISTER_SOURCE,))
    period = _period(ctx.participation[ctx.participation["buurt_code"].isin(FOCUS_AREAS)])
    by = tot.set_index("buurt_code")
    nums, notes = [], []
    for b in FOCUS_AREAS:
        if b in by.index:
            n = by.loc[b, "bewoners_bereikt"]
            hidden = isinstance(n, str)
            nums.append(BigNumber(_suppressed(n), "Bewoners bereikt", period, REGISTER_SOURCE, area=eng.name(b),
                                  kind="register", raw=None if hidden else float(n), area_code=b))
            row = by.loc[b]
            share = row.get("contacten_per_100")
            notes.append(f"{eng.name(b)}: " + ", ".join(f"{c.replace('_', ' ')} {_suppressed(row[c])}"
                                                         for c in ("dialoogsessies", "bewoners_bereikt", "meemakers",
                                                                   "activiteiten"))
                         + (f"; {fmt.number(share, 1)} contacten per 100 inwoners (CBS; wie vaker meedoet telt vaker)"
                            if not hidden and share is not None and not math.isnan(share) else "") + ".")
    # Both buurten together: not shown when exactly one buurt's count is hidden (it would be the difference).
    parts = [v for v in tot["meemakers"]]
    if sum(isinstance(v, str) for v in parts) != 1:
        raw = participation_totals(ctx, protect=False)
        mm = float(raw["meemakers"].sum())
        nums.append(BigNumber(_suppressed(mm), "Meemakers", period, REGISTER_SOURCE, area="beide buurten",
                              kind="register", raw=None if mm < SUPPRESS_BELOW else mm))
    text = ("Bewoners die meedoen aan dialoogsessies en activiteiten, en meemakers die zelf iets organiseren, "
            "zoals het programmateam ze registreert.")
    notes.append("Dezelfde persoon kan in meerdere maanden meetellen. Aantallen onder de 10 tonen we als <10.")
    return Slide(key, QUESTIONS["participatie"], f"Deelname {period}", tuple(nums[:MAX_NUMBERS]), text,
                 "\n".join(notes), (REGISTER_SOURCE,))


def _title_slide(ctx: Context, key: str, version: DataVersion) -> Slide:
    eng = ctx.engine
    m = eng.catalog.get("inwoners")
    nums = tuple(_metric_number(ctx, m, a, eng.latest(m, a), label="Inwoners", show_area=True)
                 for a in FOCUS_AREAS)
    text = f"Stand van zaken op {fmt.date(ctx.today)}; database van {built_text(version)}."
    notes = ("Het programma Veerkrachtige Wijken (2025–2045) richt zich op bestaanszekerheid, positieve gezondheid "
             "en gelijke kansen in Nazareth en Pottenberg. " + version_text(version))
    chart = ChartRef("kaart", areas=FOCUS_AREAS,
                     alt="Kaart van de buurten van Maastricht (indeling 2020) met Nazareth en Pottenberg uitgelicht.")
    srcs = {s for a in FOCUS_AREAS if (r := eng.latest(m, a)) for s in r.sources} or set(m.sources)
    return Slide(key, QUESTIONS["titel"], "Nazareth en Pottenberg", nums, text, notes,
                 (source_label(ctx, srcs) + f", {LICENCE}", "kaart: CBS/Kadaster Wijk- en buurtkaart 2020"), chart)


def _sources_slide(ctx: Context, key: str, version: DataVersion) -> Slide:
    rows = [r for r in version.tables if is_statistic(r.table_id)]
    bullets = tuple(f"{r.table_id} — {r.title} ({r.period})" for r in rows)
    notes = "\n".join(f"{r.table_id}: {r.title}; {r.publisher}; periode {r.period}; licentie {r.licence}; "
                      f"geladen op {loaded_text(r.loaded_at)}." for r in version.tables)
    own = own_documents.source_rows(ctx)  # in the notes; the slide names their sources in its sentence
    notes += "".join(f"\n{r[0]}: {r[1]}; {r[2]}; periode {r[3]}." for r in own)
    own_text = own_documents.sources_sentence(ctx)
    return Slide(key, QUESTIONS["bronnen"], "Bronnen en dataversie", (),
                 (f"Cijfers van CBS en RIVM: licentie {LICENCE}. {own_text}" if own_text
                  else f"Alle cijfers: CBS en RIVM, licentie {LICENCE}.") + f" Database van {built_text(version)}.",
                 notes + "\nDeelnamecijfers: " + REGISTER_SOURCE + ".", ("CBS, RIVM — licentie CC BY 4.0",),
                 bullets=bullets)


# ---------------------------------------------------------------------------------------------- decks

def catalogue(ctx: Context) -> list[tuple[str, str]]:
    """Every slide key an editor can put in a deck, with a label for the picker."""
    eng = ctx.engine
    cat = eng.catalog
    out = [("titel", "Titelblad met kaart"), ("doelen", "Wat willen we bereiken? (alle doelen)")]
    for t in ctx.targets:
        out.append((f"doel:{t.id}", f"Doel: {cat.get(t.metric_id).label} — {eng.name(t.area_code)}"))
    for p in PILLAR_ORDER[:3]:
        m = lead_metric(eng, p)
        if m is not None:
            out.append((f"pijler:{p}", f"Waar staan we? {cat.pillars[p]['label']} ({m.label.lower()})"))
        elif cat.pillars[p].get("no_outcome"):  # the honest 'nog geen uitkomstcijfer per buurt' slide
            out.append((f"pijler:{p}", f"Waar staan we? {cat.pillars[p]['label']} (nog geen uitkomstcijfer per buurt)"))
    for m in cat.available():
        out.append((f"indicator:{m.id}", f"Waar staan we? {m.label} ({cat.pillars[m.pillar]['label'].lower()})"))
    out += own_documents.catalogue(ctx)  # "Eigen metingen: <pijler>", only for pillars with own figures
    out += [("goed", "Wat gaat goed?"), ("minder_goed", "Wat gaat minder goed?"),
            ("kalender", "Wanneer zien we meer?"), ("participatie", "Wie doen er mee?"),
            ("bronnen", "Bronnen en dataversie")]
    return out


def known_keys(ctx: Context) -> set[str]:
    return {k for k, _ in catalogue(ctx)}


def build(ctx: Context, keys=DEFAULT_DECK) -> Deck:
    """The slides for `keys`, in order. Keys that no longer exist (a deleted target) are skipped and listed."""
    eng = ctx.engine
    version = data_version(ctx.build_info, ctx.sources)
    targets = {str(t.id): t for t in ctx.targets}
    slides: list[Slide] = []
    skipped: list[str] = []
    for key in keys:
        kind, _, arg = key.partition(":")
        made: list[Slide] = []
        if key == "titel":
            made = [_title_slide(ctx, key, version)]
        elif key == "doelen":
            made = _targets_slides(ctx)
        elif kind == "doel" and arg in targets:
            made = [target_slide(ctx, targets[arg], key)]
        elif kind == "pijler" and arg in eng.catalog.pillars:
            s = _pillar_slide(ctx, key, arg)
            made = [s] if s else []
        elif kind == "indicator":
            try:
                m = eng.catalog.get(arg)
            except KeyError:
                m = None
            if m is not None and m.available:
                made = [_metric_slide(ctx, key, m, "{label}")]
        elif key in ("goed", "minder_goed"):
            made = [_movements_slide(ctx, key, "successen" if key == "goed" else "tegenvallers")]
        elif key == "kalender":
            made = [_calendar_slide(ctx, key)]
        elif kind == own_documents.KEY:
            made = own_documents.slides(ctx, key)
            if not made and arg in eng.catalog.pillars:
                continue  # nothing this visitor may see (no figure yet, or intern only): left out, not "skipped"
        elif key == "participatie":
            made = [_participation_slide(ctx, key)]
        elif key == "bronnen":
            made = [_sources_slide(ctx, key, version)]
        if made:
            slides.extend(made)
        else:
            skipped.append(key)
    return Deck(slides, skipped, ctx.today, version)


# ---------------------------------------------------------------------------------------------- briefing tables

@dataclass(frozen=True)
class OverviewRow:
    pillar: str
    metric_id: str
    label: str
    unit: str
    year: str
    values: tuple[tuple[str, str], ...]   # (area code, formatted value) for Nazareth, Pottenberg, Maastricht, NL
    tone: str                              # per focus buurt: "Nazareth: kracht, Pottenberg: aandacht"
    sources: str


def overview(ctx: Context) -> list[OverviewRow]:
    """The Overzicht page's cards as table rows: per pillar the headline metrics, both buurten side by side."""
    eng = ctx.engine
    data = briefing.briefing(eng)
    rows = []
    for p in PILLAR_ORDER[:3]:
        for m in briefing.headline_metrics(eng, p):
            cards = {a: next(c for c in data[a][p] if c.metric.id == m.id) for a in FOCUS_AREAS}
            first = cards[FOCUS_AREAS[0]]
            year = first.latest.year if first.latest else None
            vals = [(a, fmt.value(c.latest.value if c.latest else None, m.unit)
                     + (f" ({c.latest.year})" if c.latest and c.latest.year != year else "")) for a, c in cards.items()]
            vals.append((MAASTRICHT, fmt.value(first.ref_maastricht.value if first.ref_maastricht else None, m.unit)))
            vals.append((NEDERLAND, fmt.value(first.ref_nederland.value if first.ref_nederland else None, m.unit)))
            srcs = {s for c in cards.values() if c.latest for s in c.latest.sources} or set(m.sources)
            rows.append(OverviewRow(p, m.id, m.label, m.unit, str(year or ""), tuple(vals),
                                    ", ".join(f"{c.area_name}: {TONE_SHORT[c.tone]}" for c in cards.values()),
                                    source_label(ctx, srcs)))
    return rows


@dataclass(frozen=True)
class TargetCard:
    metric: str
    area: str
    baseline: str
    latest: str
    target: str
    status: str
    explanation: str
    owner: str


def target_cards(ctx: Context) -> list[TargetCard]:
    """The Doelen page's cards as table rows (same status computation)."""
    eng = ctx.engine
    out = []
    for t in ctx.targets:
        m = eng.catalog.get(t.metric_id)
        s = status(eng, t, ctx.today)
        base = next((r for r in reversed(eng.series(m, t.area_code)) if r.present and r.year == t.baseline_year),
                    None)
        out.append(TargetCard(
            m.label, eng.name(t.area_code), f"{fmt.value(t.baseline_value, m.unit)} ({t.baseline_year})",
            f"{fmt.value(s.latest.value, m.unit)} ({s.latest.year})" if s.latest
            else (f"{fmt.value(base.value, m.unit)} ({base.year}, de basis)" if base is not None
                  else "nog geen meting na het basisjaar"),
            f"{fmt.value(t.target_value, m.unit)} ({t.target_year})", s.status, s.explanation, t.owner))
    return out
