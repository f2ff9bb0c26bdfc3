"""Doelen: SMART targets with a status computed from the data, and when we can expect to see progress."""
from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from loaders.auth import PermissionDenied
from metrics import fmt, proposals
from models.doelen import (
    OWNER,
    calendar_model,
    proposal_blocks,
    proposal_decision,
    target_card,
)
from charts import charts
from ui import auth, components, state
from wijkmonitor import programme

eng = state.engine()
cat = state.catalog()
today = dt.date.today()

st.title("Doelen: wanneer is het programma geslaagd?")
st.markdown("Elk doel is SMART: één indicator, één gebied, een basiswaarde uit de data, een streefwaarde en een "
            "jaartal. De status volgt uit de cijfers: **gehaald**, **op koers**, **achter op schema**, "
            "**te vroeg om te zeggen** of **geen nieuwe gegevens**. Een verandering binnen de marge telt nooit als "
            "vooruitgang.")

editor = auth.login_box("doelen")
if msg := st.session_state.pop("doelen_msg", None):
    st.success(msg)
rows = state.targets_frame()
areas = programme.target_area_codes(eng)
metrics = programme.target_metrics(eng)


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


def targets_part() -> None:
    """The adopted targets, each with its status, path and comparison group; editors add new ones."""
    if rows.empty:
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
            # The figures in one wrapping row (at 1280 px a long value or label goes to the next line instead of
            # running into the next column).
            st.markdown("<div class='wm-figures'>" + "".join(
                f"<div class='wm-figure'><div class='wm-meta'>{html.escape(label)}</div>"
                f"<div class='wm-value'>{html.escape(value)}</div></div>" for label, value in card.figures)
                + "</div>", unsafe_allow_html=True)
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
    if editor:
        new_target_form()


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
        with st.container(border=True):
            # One Markdown block per heading and per proposal (not one element per line): light for the browser.
            st.markdown(f"**{block.metric.label} — {block.area_name}** &nbsp; :orange-badge[{proposals.LABEL}]\n\n"
                        f"<div class='wm-meta'>{html.escape(block.caption)}</div>", unsafe_allow_html=True)
            for col, item in zip(st.columns(len(block.items)), block.items):
                with col:
                    icon = ":material/visibility:" if item.measurable else ":material/visibility_off:"
                    st.markdown("\n\n".join([f"**Voorstel: {item.rule_label}**",
                                              f"<div class='wm-meta'>{html.escape(item.rule_text)}</div>",
                                              f"Voorstel: **{item.target}**",
                                              *([item.milestones] if item.milestones else []),
                                              f"{icon} {item.measurable_text}"]), unsafe_allow_html=True)
                    if editor:
                        b1, b2 = st.columns(2)
                        if b1.button("Voorstel overnemen", key=f"adopt_{item.key}", type="primary",
                                     icon=":material/check:"):
                            decide("adopt", by_key[item.key])
                        if b2.button("Voorstel afwijzen", key=f"reject_{item.key}", icon=":material/close:"):
                            decide("reject", by_key[item.key])
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


def calendar_part() -> None:
    """When new figures are expected, per source, and how recent each pillar's figures are."""
    st.header("Wanneer zien we vooruitgang?")
    st.markdown("Per bron hoe vaak er gemeten wordt en wanneer de volgende cijfers te verwachten zijn. De datums zijn "
                "een **schatting van de datum** op basis van de laatste periode, de meetfrequentie en de gebruikelijke "
                "vertraging.")
    cal = calendar_model(eng, cat, state.latest_period_by_source(), today)
    st.table(cal.table.set_index(cal.table.columns[0]))
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
