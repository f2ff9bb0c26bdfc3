"""Doelen: SMART targets with a status computed from the data, and when we can expect to see progress."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from loaders.auth import PermissionDenied
from loaders.config import MAASTRICHT
from metrics import fmt, proposals
from models.doelen import (
    OWNER,
    calendar_model,
    proposal_blocks,
    proposal_decision,
    target_card,
)
from charts import charts, own_targets as own_charts
from models import doelen_own, own as own_model
from ui import auth, components, state
from ui import cards as card_ui
from wijkmonitor import programme

eng = state.engine()
cat = state.catalog()
today = dt.date.today()

st.title("Doelen: wanneer is het programma geslaagd?")
st.markdown("Elk doel is SMART: één indicator, één gebied, een basiswaarde uit de data, een streefwaarde en een "
            "jaartal (bij een eigen meting: een jaar of kwartaal). De status volgt uit de cijfers: **gehaald**, **op koers**, **achter op schema**, "
            "**te vroeg om te zeggen** of **geen nieuwe gegevens**. Een verandering binnen de marge telt nooit als "
            "vooruitgang.")

editor = auth.login_box("doelen")
if msg := st.session_state.pop("doelen_msg", None):
    st.success(msg)
rows = state.targets_frame()
areas = programme.target_area_codes(eng)
metrics = programme.target_metrics(eng)
# The programme's own indicators (eigen metingen): intern ones and their targets for signed-in editors only.
own_inds, own_figs = state.own_measurements(include_intern=editor is not None)
own_rows = state.own_targets_frame()


def edit_form(rec: dict, t) -> None:
    """An editor changes a target's value, year, owner or rationale (optimistic locking by version)."""
    with st.expander("Doel bewerken"):
        with st.form(f"edit_{t.id}"):
            tv = st.number_input("Streefwaarde", value=float(t.target_value), key=f"tv_{t.id}")
            ty = st.number_input("Doeljaar", value=int(t.target_year), step=1, key=f"ty_{t.id}")
            ow = st.text_input("Eigenaar", value=t.owner, key=f"ow_{t.id}")
            ra = st.text_area("Onderbouwing", value=t.rationale, key=f"ra_{t.id}")
            save = st.form_submit_button("Opslaan")
        if save:
            try:
                programme.update_target(state.programme_url(), editor, eng, t.id, t.version, {
                    **{k: rec[k] for k in programme.TARGET_FIELDS}, "target_value": tv, "target_year": ty,
                    "owner": ow, "rationale": ra})
                st.session_state["doelen_msg"] = "Wijziging opgeslagen."
                st.rerun()
            except (programme.ConflictError, ValueError, PermissionDenied) as exc:
                st.error(str(exc))


def new_target_form() -> None:
    """An editor adds a target; the baseline value always comes from the data."""
    st.header("Nieuw doel")
    c1, c2 = st.columns(2)
    mid = c1.selectbox("Indicator", [m.id for m in metrics], format_func=lambda i: cat.get(i).label,
                       key="new_metric")
    area = c2.selectbox("Gebied", areas, format_func=eng.name, key="new_area")
    m = cat.get(mid)
    series = [r for r in eng.series(m, area) if r.present]
    if not series:
        st.warning("Voor deze indicator en dit gebied zijn er geen cijfers; kies een andere combinatie.")
        return
    base_year = st.selectbox("Basisjaar (uit de data)", [r.year for r in series], index=len(series) - 1,
                             key="new_base_year")
    base = next(r for r in series if r.year == base_year)
    st.write(f"Basiswaarde {base_year}: **{fmt.value(base.value, m.unit)}** ({', '.join(base.sources)})")
    end_year = proposals.programme().end_year
    with st.form("new_target"):
        tv = st.number_input(f"Streefwaarde ({m.unit})", value=float(round(base.value, 1)), key="new_tv")
        ty = st.number_input("Doeljaar", min_value=base_year + 1, max_value=end_year,
                             value=max(base_year + 1, min(2030, end_year)), step=1, key="new_ty")
        owner = st.text_input("Eigenaar (partner of team)", key="new_owner")
        rationale = st.text_area("Onderbouwing", key="new_rationale")
        link = st.text_input("Actie in het uitvoeringsplan (optioneel)", key="new_link")
        ok = st.form_submit_button("Doel opslaan")
    if ok:
        try:
            programme.create_target(state.programme_url(), editor, eng, {
                "metric_id": mid, "area_code": area, "baseline_year": base_year, "baseline_value": base.value,
                "target_value": tv, "target_year": ty, "owner": owner, "rationale": rationale,
                "action_link": link})
            st.session_state["doelen_msg"] = "Doel opgeslagen."
            st.rerun()
        except (ValueError, PermissionDenied) as exc:
            st.error(str(exc))


def own_edit_form(card: doelen_own.OwnTargetCard) -> None:
    """An editor changes a target on an own indicator: value, period, owner or rationale (optimistic locking)."""
    t, ind = card.target, card.indicator
    with st.expander("Doel bewerken"):
        periods = doelen_own.target_periods(ind, t.baseline_period)
        with st.form(f"own_edit_{t.id}"):
            tv = st.number_input(f"Streefwaarde ({ind.unit_text})", value=float(t.target_value), key=f"otv_{t.id}")
            tp = st.selectbox("Doelperiode", periods, key=f"otp_{t.id}",
                              index=periods.index(t.target_period) if t.target_period in periods else 0)
            ow = st.text_input("Eigenaar", value=t.owner, key=f"oow_{t.id}")
            ra = st.text_area("Onderbouwing", value=t.rationale, key=f"ora_{t.id}")
            save = st.form_submit_button("Opslaan")
        if save:
            try:
                rec = next(r for r in own_rows.to_dict("records") if int(r["id"]) == t.id)
                programme.update_own_target(state.programme_url(), editor, eng, t.id, t.version, {
                    **{k: rec[k] for k in programme.OWN_TARGET_FIELDS}, "target_value": tv, "target_period": tp,
                    "owner": ow, "rationale": ra})
                st.session_state["doelen_msg"] = "Wijziging opgeslagen."
                st.rerun()
            except (programme.ConflictError, ValueError, PermissionDenied) as exc:
                st.error(str(exc))


def new_own_target_form() -> None:
    """An editor sets a target on an own indicator for a focus buurt; the baseline is a stored figure."""
    st.header("Nieuw doel op een eigen meting")
    by_id = {i.id: i for i in own_inds}
    c1, c2 = st.columns(2)
    iid = c1.selectbox("Eigen meting", list(by_id), format_func=lambda i: by_id[i].label, key="own_new_ind")
    area = c2.selectbox("Gebied", list(doelen_own.TARGET_AREAS), format_func=eng.name, key="own_new_area")
    ind = by_id[iid]
    options = doelen_own.baseline_options(ind, own_figs, area)
    if not options:
        st.warning("Voor deze eigen meting en dit gebied is er geen getoond cijfer; kies een andere combinatie.")
        return
    by_period = {o.periode: o for o in options}
    bp = st.selectbox("Basisperiode (uit de data)", list(by_period), index=len(options) - 1, key="own_new_base")
    base = by_period[bp]
    st.markdown(base.text)
    periods = doelen_own.target_periods(ind, bp)
    with st.form("own_new_target"):
        tv = st.number_input(f"Streefwaarde ({ind.unit_text})", value=float(round(base.value, 1)), key="own_new_tv")
        tp = st.selectbox("Doelperiode", periods, index=periods.index(doelen_own.default_target_period(ind, bp)),
                          key="own_new_tp")
        owner = st.text_input("Eigenaar (partner of team)", key="own_new_owner")
        rationale = st.text_area("Onderbouwing", key="own_new_rationale")
        link = st.text_input("Actie in het uitvoeringsplan (optioneel)", key="own_new_link")
        ok = st.form_submit_button("Doel opslaan")
    if ok:
        try:
            programme.create_own_target(state.programme_url(), editor, eng, {
                "indicator_id": ind.id, "indicator_version": ind.version, "area_code": area, "baseline_period": bp,
                "baseline_value": base.value, "target_value": tv, "target_period": tp, "owner": owner,
                "rationale": rationale, "action_link": link})
            st.session_state["doelen_msg"] = "Doel opgeslagen."
            st.rerun()
        except (ValueError, PermissionDenied) as exc:
            st.error(str(exc))


def own_targets_part(cards: list[doelen_own.OwnTargetCard]) -> None:
    """The targets on own indicators: status from the stored figures, measurability, chart with the path."""
    st.header("Doelen op eigen metingen")
    st.markdown("Doelen op de eigen metingen van het programma, per periode (jaar of kwartaal, zoals de meting). De "
                "status volgt uit de opgeslagen cijfers en hun 95%-interval; een verandering binnen de marge telt "
                "nooit als vooruitgang.")
    for card in cards:
        t, ind = card.target, card.indicator
        with st.container(border=True):
            st.subheader(card.title)
            card_ui.figures_row(card.figures)
            st.markdown(f"**Status:** {card.icon} **{card.status}**")
            st.write(" ".join(x for x in (card.explanation, card.change, card.measurable) if x))
            st.caption(card.caption)
            if not card.chart.empty:
                components.chart(own_charts.own_target_chart, card.chart, card.path,
                                 f"{ind.label}: metingen en doelpad", ind.unit_text,
                                 baseline_period=t.baseline_period)
                components.table_alternative(card.table, "Tabel: metingen", key=f"own_metingen_{t.id}")
            components.table_alternative(card.path_table, "Tabel: doelpad", key=f"own_doelpad_{t.id}")
            st.caption(f"{card.provenance} · doelpad: rechte lijn van basiswaarde naar streefwaarde via tussendoelen")
            if card.withheld:
                st.caption(own_model.SUPPRESSION_NOTE)
            if editor:
                own_edit_form(card)


def targets_part() -> None:
    """The adopted targets, each with its status, path and comparison group; editors add new ones."""
    own_cards = doelen_own.own_target_cards(own_inds, own_rows, own_figs, eng.name, today)
    if rows.empty and not own_cards:
        st.info("Er zijn nog geen doelen vastgesteld. Onder **Voorstellen** staan voorstellen die volgens vaste regels "
                "uit de data zijn berekend; een redacteur kan een voorstel overnemen of afwijzen, of zelf een doel "
                "toevoegen. De basiswaarde komt altijd uit de data.")
    groups = state.comparison_groups() if not rows.empty else {}
    for rec in rows.to_dict("records"):
        card = target_card(eng, cat, rec, groups.get(int(rec["id"])) if rec.get("id") is not None else None, today,
                           lambda codes, mm=cat.get(rec["metric_id"]): state.guarded(
                               lambda: state.buurt_series(mm.variable, mm.age_group, codes)))
        t, m = card.target, card.metric
        with st.container(border=True):
            st.subheader(card.title)
            card_ui.figures_row(card.figures)
            st.markdown(f"**Status:** {card.icon} **{card.status}**")
            st.write(card.explanation)
            st.caption(card.caption)
            components.chart(charts.trend_chart, card.chart, f"{m.label}: metingen en doelpad", m.unit,
                             baseline_year=t.baseline_year, trajectory=card.path)
            components.table_alternative(card.path_table, "Tabel: doelpad", key=f"doelpad_{t.id}")
            components.source_line(m.sources, "doelpad: rechte lijn van basiswaarde naar streefwaarde via tussendoelen")
            if card.group_intro:
                st.markdown(card.group_intro)
                for line in card.group_lines:
                    st.write(line)
                st.caption(card.group_note)
            if editor:
                edit_form(rec, t)
    if own_cards:
        own_targets_part(own_cards)
    if editor:
        new_target_form()
        if own_inds:
            new_own_target_form()


def decide(action: str, p: proposals.Proposal, owner: str = OWNER, target_value: float | None = None,
           target_year: int | None = None, reason: str = "") -> None:
    """Write the editor's decision on a proposal (models.doelen.proposal_decision, wijkmonitor.programme)."""
    try:
        d = proposal_decision(action, p, eng, cat, lambda codes, age, year: state.guarded(
                                  lambda: state.buurt_profile(codes, age, year)),
                              owner, target_value, target_year, reason)
        programme.decide_proposal(state.programme_url(), editor, eng, d)
        st.session_state["doelen_msg"] = d.message
        st.rerun()
    except (programme.ConflictError, ValueError, PermissionDenied) as exc:
        st.error(str(exc))


def proposals_part() -> None:
    """Proposals computed by fixed rules, to adopt (as a target) or reject."""
    st.header("Voorstellen voor doelen")
    prog = proposals.programme()
    st.markdown(
        "Het dashboard stelt geen doelen vast; dat doet het programma. Wel rekent het **voorstellen** uit volgens "
        "vaste regels, voor de kernindicatoren van het Overzicht in beide focusbuurten. Elk voorstel is "
        f"**{proposals.LABEL}** tot een redacteur het overneemt.\n\n"
        + "\n".join(f"- {proposals.rule_text(r)}" for r in proposals.RULES) +
        f"\n\nBasis: het meest recente jaar tot en met {prog.start_year} waarin de buurt én Maastricht een cijfer "
        "hebben. Tussendoelen vallen op de jaren waarin nieuwe cijfers verwacht worden. **Meetbaar** betekent: de "
        "verandering die het voorstel vraagt is groter dan de marge van de indicator (zie Data en methode).")
    open_props = state.open_proposals(eng, today, rows)
    if none := proposals.pillars_without_proposals(eng):
        st.caption("Geen voorstellen voor " + ", ".join(cat.pillars[p]["label"] for p in none) + ": de kernindicatoren "
                   "van het Overzicht hebben daar geen richting (hoger of lager is niet vanzelf beter).")
    if not open_props:
        st.write("Er staan geen open voorstellen meer: elk voorstel is overgenomen of afgewezen, of er is al een doel "
                 "voor die indicator en buurt.")

    by_key = {p.key: p for p in open_props}
    shown_area = None
    for block in proposal_blocks(eng, open_props, today):
        if block.area_name != shown_area:
            st.subheader(f"Voorstellen voor {block.area_name}")
            shown_area = block.area_name
        card_ui.proposal_block(f"{block.metric.label} — {block.area_name}", block.caption, proposals.LABEL, block.items,
                             editor, lambda action, key: decide(action, by_key[key]))
        components.source_line(block.sources, f"{proposals.LABEL}; rekenregel hierboven")

    if editor and open_props:
        st.subheader("Voorstel aanpassen, dan overnemen of afwijzen")
        pk = st.selectbox("Voorstel", list(by_key), key="adjust_key",
                          format_func=lambda k: f"{by_key[k].metric.label} — {by_key[k].area_name}: voorstel "
                                                f"{by_key[k].rule_label}")
        sel = by_key[pk]
        with st.form("adjust_proposal"):
            c1, c2, c3 = st.columns(3)
            tv = c1.number_input(f"Streefwaarde voorstel ({sel.metric.unit})", value=float(round(sel.target_value, 1)),
                                 key=f"ptv_{pk}")
            ty = c2.number_input("Doeljaar voorstel", min_value=sel.baseline_year + 1, max_value=2100,
                                 value=sel.target_year, step=1, key=f"pty_{pk}")
            ow = c3.text_input("Eigenaar van het doel", value=OWNER, key=f"pow_{pk}")
            reason = st.text_input("Reden van afwijzen (optioneel)", key=f"prs_{pk}")
            a1, a2 = st.columns(2)
            adj = a1.form_submit_button("Aangepast overnemen", type="primary")
            rej = a2.form_submit_button("Afwijzen met deze reden")
        if adj:
            decide("adopt", sel, ow, tv, int(ty))
        if rej:
            decide("reject", sel, reason=reason)
    if own_inds:
        own_proposals_part()


def decide_own(action: str, p, owner: str = OWNER, target_value: float | None = None,
               target_period: str | None = None, reason: str = "") -> None:
    """Write the editor's decision on a proposal on an own indicator (models.doelen_own, wijkmonitor.programme)."""
    try:
        ind = next(i for i in own_inds if i.id == p.indicator_id)
        d = doelen_own.own_proposal_decision(action, p, ind, eng.name(p.area), owner, target_value, target_period,
                                             reason)
        programme.decide_own_proposal(state.programme_url(), editor, eng, d)
        st.session_state["doelen_msg"] = d.message
        st.rerun()
    except (programme.ConflictError, ValueError, PermissionDenied) as exc:
        st.error(str(exc))


def own_proposals_part() -> None:
    """Proposals on the programme's own indicators, by the same rules, against the stored Maastricht figure."""
    st.header("Voorstellen op eigen metingen")
    st.markdown("Dezelfde drie regels voor de eigen metingen van het programma, op de opgeslagen cijfers en tegen het "
                f"cijfer van Maastricht ({MAASTRICHT}) zodra dat is geüpload. Een periode is een jaar (2025) of een kwartaal "
                "(2025-K3), zoals de meting; bij een kwartaalmeting is het doel het vierde kwartaal van het doeljaar. "
                "**Meetbaar**: de gevraagde verandering is minstens (1,96 + 0,84) × de standaardfout van de "
                "verandering, uit het 95%-interval van de basismeting (een volgende meting even groot).")
    props = doelen_own.open_own_proposals(own_inds, own_figs, state.own_proposal_decisions_frame(), own_rows)
    if note := doelen_own.without_reference_text(own_inds, own_figs):
        st.caption(note)
    if not props:
        st.write("Er staan geen open voorstellen op eigen metingen.")
        return
    by_key = {p.key: p for p in props}
    for block in doelen_own.own_proposal_blocks(own_inds, props, eng.name):
        card_ui.proposal_block(block.title, block.caption, proposals.LABEL, block.items, editor,
                             lambda action, key: decide_own(action, by_key[key]), key_prefix="own_")
        st.caption(f"{block.source} · {proposals.LABEL}; rekenregel hierboven")
    if editor:
        st.subheader("Voorstel op een eigen meting aanpassen, dan overnemen of afwijzen")
        labels = {i.id: i.label for i in own_inds}
        pk = st.selectbox("Voorstel", list(by_key), key="own_adjust_key",
                          format_func=lambda k: f"{labels[by_key[k].indicator_id]} — {eng.name(by_key[k].area)}: "
                                                f"voorstel {by_key[k].rule_label}")
        sel = by_key[pk]
        ind = next(i for i in own_inds if i.id == sel.indicator_id)
        periods = doelen_own.target_periods(ind, sel.baseline_period)
        with st.form("own_adjust_proposal"):
            c1, c2, c3 = st.columns(3)
            tv = c1.number_input(f"Streefwaarde voorstel ({ind.unit_text})", value=float(round(sel.target_value, 1)),
                                 key=f"optv_{pk}")
            tp = c2.selectbox("Doelperiode voorstel", periods, key=f"optp_{pk}",
                              index=periods.index(sel.target_period) if sel.target_period in periods else 0)
            ow = c3.text_input("Eigenaar van het doel", value=OWNER, key=f"opow_{pk}")
            reason = st.text_input("Reden van afwijzen (optioneel)", key=f"oprs_{pk}")
            a1, a2 = st.columns(2)
            adj = a1.form_submit_button("Aangepast overnemen", type="primary")
            rej = a2.form_submit_button("Afwijzen met deze reden")
        if adj:
            decide_own("adopt", sel, ow, tv, tp)
        if rej:
            decide_own("reject", sel, reason=reason)


def calendar_part() -> None:
    """When new figures are expected, per source, and how recent each pillar's figures are."""
    st.header("Wanneer zien we vooruitgang?")
    st.markdown("Per bron hoe vaak er gemeten wordt en wanneer de volgende cijfers te verwachten zijn. De datums zijn "
                "een **schatting van de datum** op basis van de laatste periode, de meetfrequentie en de gebruikelijke "
                "vertraging.")
    cal = doelen_own.with_own(calendar_model(eng, cat, state.latest_period_by_source(), today), own_inds, own_figs,
                              today)
    st.table(cal.table.set_index(cal.table.columns[0]))
    if own_inds:
        st.caption("Eigen meting: de volgende periode na de nieuwste periode in de data, volgens de meetfrequentie "
                   "van de definitie; geen vaste publicatiedatum (telt mee zodra geüpload).")
    st.markdown("**Hoe actueel zijn de cijfers per pijler?** (nieuwste cijfer voor Nazareth of Pottenberg)\n\n"
                + "\n\n".join(f"*{label}*\n" + "\n".join(f"- {x}" for x in sentences)
                              for label, sentences in cal.freshness))
    notes = components.on_request("Toelichting per bron", key="toelichting_bronnen")
    if notes.open:
        with notes:
            st.markdown("\n\n".join(cal.notes))


# One part at a time (the tab is in the URL, e.g. /doelen?onderdeel=Voorstellen): only the open one is built.
PARTS = {"Doelen": targets_part, "Voorstellen": proposals_part, "Wanneer zien we vooruitgang?": calendar_part}
for tab, part in zip(components.on_request_tabs(list(PARTS), key="onderdeel"), PARTS.values()):
    if tab.open is not False:
        with tab:
            part()
