"""Doelen: SMART targets with a status computed from the data, and when we can expect to see progress."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from loaders import programme
from loaders.auth import PermissionDenied
from metrics import fmt, proposals, similar
from metrics.briefing import FOCUS_AREAS
from metrics.targets import Target, status
from metrics.series import trend_frame
from ui import auth, charts, components, state
from wording import releases as release_words

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
areas = ["BU09350403", "BU09350203", "FOCUS", *[c for c in state.maastricht_buurten(eng)
                                                 if c not in ("BU09350403", "BU09350203")], "GM0935"]
metrics = cat.available()
STATUS_ICON = {"gehaald": ":material/flag:", "op koers": ":material/trending_up:",
               "achter op schema": ":material/schedule:", "te vroeg om te zeggen": ":material/hourglass_empty:",
               "geen nieuwe gegevens": ":material/help:"}

if rows.empty:
    st.info("Er zijn nog geen doelen vastgesteld. Hieronder staan **voorstellen** die volgens vaste regels uit de "
            "data zijn berekend; een redacteur kan een voorstel overnemen of afwijzen, of zelf een doel toevoegen. "
            "De basiswaarde komt altijd uit de data.")
groups = state.comparison_groups() if not rows.empty else {}
for rec in rows.to_dict("records"):
    t = Target.from_row(rec)
    m = cat.get(t.metric_id)
    s = status(eng, t, today)
    with st.container(border=True):
        st.subheader(f"{m.label} — {eng.name(t.area_code)}")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(f"Basis {t.baseline_year}", fmt.value(t.baseline_value, m.unit))
        c2.metric(f"Laatste meting {s.latest.year if s.latest else ''}".strip(),
                  fmt.value(s.latest.value if s.latest else None, m.unit))
        c3.metric(f"Doel {t.target_year}", fmt.value(t.target_value, m.unit))
        c4.markdown(f"**Status**  \n{STATUS_ICON[s.status]} **{s.status}**")
        st.write(s.explanation)
        st.caption(f"Eigenaar: {t.owner} · Waarom dit doel: {t.rationale}"
                   + (f" · Uitvoeringsplan: {t.action_link}" if t.action_link else "")
                   + (f" · Eerstvolgende meting: {release_words.expected(s.earliest_change, today)} "
                      f"({release_words.ESTIMATE})" if s.earliest_change else ""))
        df = trend_frame(eng, m, [t.area_code, "GM0935"])
        path = pd.DataFrame([{"year": y, "value": v} for y, v in t.path_points()])
        years = sorted(set(df["year"]).union(path["year"]))
        df = df.set_index(["area_code", "year"]).reindex(
            pd.MultiIndex.from_product([df["area_code"].unique(), years], names=["area_code", "year"])).reset_index()
        df["area_name"] = df["area_code"].map(eng.name)
        df["label"] = df["label"].fillna("geen meting")
        df[["source", "note"]] = df[["source", "note"]].fillna("")
        components.chart(charts.trend_chart(df, f"{m.label}: metingen en doelpad", m.unit,
                                            baseline_year=t.baseline_year, trajectory=path))
        components.table_alternative(pd.DataFrame({
            "Jaar": path["year"], "Doelpad": [fmt.value(v, m.unit) for v in path["value"]]}), "Tabel: doelpad")
        components.source_line(m.sources, "doelpad: rechte lijn van basiswaarde naar streefwaarde via tussendoelen")
        grp = groups.get(int(t.id)) if t.id is not None else None
        if grp:
            st.markdown(f"**Programma of trend?** Vergelijking met de {len(grp['codes'])} vergelijkbare buurten die bij "
                        f"het vaststellen zijn gekozen (profieljaar {grp['profile_year']}, bevroren: er wordt niet "
                        "opnieuw gezocht).")
            national = (state.guarded(lambda: state.buurt_series(m.variable, m.age_group, tuple(grp["codes"])))
                        if similar.nationally_available(m) else None)
            for head, gc in proposals.target_comparisons(eng, m, t.area_code, t.baseline_year, grp, national):
                st.write(f"{head}: {gc.sentence}")
            st.caption("Mediaan: de middelste verandering van de groep. Spreiding: van de kleinste tot de grootste "
                       "verandering in de groep. Een verandering binnen de spreiding is niet meer dan de gewone trend "
                       "van vergelijkbare buurten. De groep is gekozen op het profiel van het profieljaar; voor de "
                       "periode vóór het basisjaar is dat profiel deels het eindpunt, dus die vergelijking is alleen "
                       "ter oriëntatie. Buurten: " + ", ".join(
                           similar.display_name(c, n) for c, n in zip(grp["codes"], grp.get("names") or grp["codes"])))
        if editor:
            with st.expander("Doel bewerken"):
                with st.form(f"edit_{t.id}"):
                    tv = st.number_input("Streefwaarde", value=float(t.target_value), key=f"tv_{t.id}")
                    ty = st.number_input("Doeljaar", value=int(t.target_year), step=1, key=f"ty_{t.id}")
                    ow = st.text_input("Eigenaar", value=t.owner, key=f"ow_{t.id}")
                    ra = st.text_area("Onderbouwing", value=t.rationale, key=f"ra_{t.id}")
                    save = st.form_submit_button("Opslaan")
                if save:
                    try:
                        programme.update_target(state.programme_url(), editor, t.id, t.version, {
                            **{k: rec[k] for k in programme.TARGET_FIELDS}, "target_value": tv, "target_year": ty,
                            "owner": ow, "rationale": ra}, {m.id for m in metrics}, set(areas))
                        st.session_state["doelen_msg"] = "Wijziging opgeslagen."
                        st.rerun()
                    except (programme.ConflictError, ValueError, PermissionDenied) as exc:
                        st.error(str(exc))

# ------------------------------------------------------------------------------------------ proposals
st.divider()
st.header("Voorstellen voor doelen")
PROG = proposals.programme()
st.markdown(
    f"Het dashboard stelt geen doelen vast; dat doet het programma. Wel rekent het **voorstellen** uit volgens vaste "
    f"regels, voor de kernindicatoren van het Overzicht in beide focusbuurten. Elk voorstel is "
    f"**{proposals.LABEL}** tot een redacteur het overneemt.\n\n"
    + "\n".join(f"- {proposals.rule_text(r)}" for r in proposals.RULES) +
    f"\n\nBasis: het meest recente jaar tot en met {PROG.start_year} waarin de buurt én Maastricht een cijfer hebben. "
    "Tussendoelen vallen op de jaren waarin nieuwe cijfers verwacht worden. **Meetbaar** betekent: de verandering "
    "die het voorstel vraagt is groter dan de marge van de indicator (zie Data en methode).")
open_props = state.open_proposals(eng, today, rows)
if none := proposals.pillars_without_proposals(eng):
    st.caption("Geen voorstellen voor " + ", ".join(cat.pillars[p]["label"] for p in none) + ": de kernindicatoren "
               "van het Overzicht hebben daar geen richting (hoger of lager is niet vanzelf beter).")
if not open_props:
    st.write("Er staan geen open voorstellen meer: elk voorstel is overgenomen of afgewezen, of er is al een doel "
             "voor die indicator en buurt.")
OWNER = "Programmateam Veerkrachtige Wijken"


def decide(action: str, p: proposals.Proposal, owner: str = OWNER, target_value: float | None = None,
           target_year: int | None = None, reason: str = "") -> None:
    """Adopt (with the frozen comparison group) or reject a proposal; loaders.programme logs it."""
    kv = {m_.id for m_ in metrics}
    name = f"{p.metric.label} — {p.area_name}"
    try:
        if action == "reject":
            programme.reject_proposal(state.programme_url(), editor, p.decision_values(), reason, kv, set(areas))
            st.session_state["doelen_msg"] = f"Voorstel afgewezen: {name}."
            st.rerun()
        values = p.target_values(owner, target_value, target_year)
        pvars = similar.profile_variables(cat)
        pyear = proposals.profile_year(p.baseline_year, eng.years(cat.get(similar.PROFILE_METRICS[0])))
        group, why = None, ""
        if pyear is not None:
            try:
                prof = state.guarded(lambda: state.buurt_profile(tuple(v.code for v in pvars),
                                                                 similar.profile_age_group(cat), pyear))
                group = proposals.frozen_group(prof, p.area, [v.code for v in pvars], pyear)
            except similar.ProfileUnavailable as exc:
                why = f" Geen vergelijkingsgroep: {exc}."
        programme.adopt_proposal(state.programme_url(), editor, p.decision_values(), values, group, kv, set(areas))
        st.session_state["doelen_msg"] = f"Voorstel overgenomen als doel: {name}.{why}"
        st.rerun()
    except (programme.ConflictError, ValueError, PermissionDenied) as exc:
        st.error(str(exc))

for area in FOCUS_AREAS:
    mine = [p for p in open_props if p.area == area]
    if not mine:
        continue
    st.subheader(f"Voorstellen voor {eng.name(area)}")
    for mid in dict.fromkeys(p.metric.id for p in mine):
        ps = [p for p in mine if p.metric.id == mid]
        m = ps[0].metric
        with st.container(border=True):
            st.markdown(f"**{m.label} — {eng.name(area)}** &nbsp; :orange-badge[{proposals.LABEL}]")
            st.caption(f"Basis {ps[0].baseline_year}: {fmt.value(ps[0].baseline_value, m.unit)} · "
                       f"{ps[0].ref_name} {ps[0].baseline_year}: {fmt.value(ps[0].ref_value, m.unit)} · "
                       f"marge bij deze buurt: {proposals.amount(ps[0].baseline_threshold, m.unit)} · "
                       f"bron {', '.join(ps[0].sources)}")
            for col, p in zip(st.columns(len(ps)), ps):
                with col:
                    st.markdown(f"**Voorstel: {p.rule_label}**")
                    st.caption(p.rule_text)
                    st.markdown(f"Voorstel: **{p.target_sentence()}**")
                    if p.milestones:
                        st.markdown("Tussendoelen (verwachte edities): " + " · ".join(
                            f"{c.year}: {fmt.value(c.value, m.unit)}" for c in p.milestones))
                    icon = ":material/visibility:" if p.measurable else ":material/visibility_off:"
                    st.markdown(f"{icon} {p.measurable_text(today)[0].upper()}{p.measurable_text(today)[1:]}.")
                    if editor:
                        b1, b2 = st.columns(2)
                        if b1.button("Voorstel overnemen", key=f"adopt_{p.key}", type="primary",
                                     icon=":material/check:"):
                            decide("adopt", p)
                        if b2.button("Voorstel afwijzen", key=f"reject_{p.key}", icon=":material/close:"):
                            decide("reject", p)
        components.source_line(ps[0].sources, f"{proposals.LABEL}; rekenregel hierboven")

if editor and open_props:
    st.subheader("Voorstel aanpassen, dan overnemen of afwijzen")
    by_key = {p.key: p for p in open_props}
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

st.divider()
st.header("Wanneer zien we vooruitgang?")
st.markdown("Per bron hoe vaak er gemeten wordt en wanneer de volgende cijfers te verwachten zijn. De datums zijn "
            "een **schatting van de datum** op basis van de laatste periode, de meetfrequentie en de gebruikelijke "
            "vertraging.")
from metrics import releases  # noqa: E402

cal = releases.calendar(metrics, state.latest_period_by_source(), today)
st.dataframe(pd.DataFrame([{
    "Bron": r.label, "Hoe vaak": release_words.frequency(r),
    "Laatste periode in de data": str(r.latest_period or ""),
    "Volgende cijfers (schatting van de datum)": release_words.release_phrase(r, today) if r.next_release else "",
} for r in cal]), hide_index=True, width="stretch")
from metrics.briefing import FOCUS_AREAS  # noqa: E402

st.markdown("**Hoe actueel zijn de cijfers per pijler?** (nieuwste cijfer voor Nazareth of Pottenberg)")
for pillar, items in releases.freshness(eng, cat.metrics, FOCUS_AREAS, today, state.latest_period_by_source()).items():
    if pillar in cat.pillars:
        st.markdown(f"*{cat.pillars[pillar]['label']}*\n" + "\n".join(f"- {f.sentence}" for f in items))
with st.expander("Toelichting per bron"):
    for r in cal:
        st.markdown(f"**{r.label}** — gemeten: {r.measured_in}. {r.note}")

if editor:
    st.divider()
    st.header("Nieuw doel")
    c1, c2 = st.columns(2)
    mid = c1.selectbox("Indicator", [m.id for m in metrics], format_func=lambda i: cat.get(i).label, key="new_metric")
    area = c2.selectbox("Gebied", areas, format_func=eng.name, key="new_area")
    m = cat.get(mid)
    series = [r for r in eng.series(m, area) if r.present]
    if not series:
        st.warning("Voor deze indicator en dit gebied zijn er geen cijfers; kies een andere combinatie.")
    else:
        base_year = st.selectbox("Basisjaar (uit de data)", [r.year for r in series], index=len(series) - 1,
                                 key="new_base_year")
        base = next(r for r in series if r.year == base_year)
        st.write(f"Basiswaarde {base_year}: **{fmt.value(base.value, m.unit)}** ({', '.join(base.sources)})")
        with st.form("new_target"):
            tv = st.number_input(f"Streefwaarde ({m.unit})", value=float(round(base.value, 1)), key="new_tv")
            ty = st.number_input("Doeljaar", min_value=base_year + 1, max_value=2045, value=min(2030, 2045), step=1,
                                 key="new_ty")
            owner = st.text_input("Eigenaar (partner of team)", key="new_owner")
            rationale = st.text_area("Onderbouwing", key="new_rationale")
            link = st.text_input("Actie in het uitvoeringsplan (optioneel)", key="new_link")
            ok = st.form_submit_button("Doel opslaan")
        if ok:
            try:
                programme.create_target(state.programme_url(), editor, {
                    "metric_id": mid, "area_code": area, "baseline_year": base_year, "baseline_value": base.value,
                    "target_value": tv, "target_year": ty, "owner": owner, "rationale": rationale,
                    "action_link": link}, {m.id for m in metrics}, set(areas))
                st.session_state["doelen_msg"] = "Doel opgeslagen."
                st.rerun()
            except (ValueError, PermissionDenied) as exc:
                st.error(str(exc))
