"""Overzicht: the wethouder's one-page briefing for Nazareth and Pottenberg."""
from __future__ import annotations

import streamlit as st

from metrics import fmt
from metrics.briefing import FOCUS_AREAS, PILLAR_ORDER, briefing
from ui import components, state

eng = state.engine()
cat = state.catalog()

st.title("Veerkrachtige Wijken: Nazareth en Pottenberg")
st.markdown(
    "Hoe staan de twee buurten ervoor op de drie pijlers van het programma? Per indicator het meest recente "
    "cijfer, de verandering sinds de eerste meting en de vergelijking met Maastricht en Nederland. "
    "**Eerst wat goed gaat, daarna de aandachtspunten.** Een verandering binnen de marge telt niet als vooruitgang."
)

inw = {a: eng.latest("inwoners", a) for a in FOCUS_AREAS}
cols = st.columns(len(FOCUS_AREAS) + 1)
for col, a in zip(cols, FOCUS_AREAS):
    r = inw[a]
    col.metric(f"Inwoners {eng.name(a)}", fmt.value(r.value if r else None, "aantal"),
               help=f"CBS {', '.join(r.sources) if r else ''}, peiljaar {r.year if r else '-'}")
info = state.build_info()
cols[-1].metric("Gegevens bijgewerkt", info.get("built_at", "")[:10] and
                fmt.date(__import__("datetime").date.fromisoformat(info["built_at"][:10])))

data = briefing(eng)
tabs = st.tabs([cat.pillars[p]["label"] for p in PILLAR_ORDER[:3]])
for tab, pillar in zip(tabs, PILLAR_ORDER[:3]):
    with tab:
        st.caption(cat.pillars[pillar]["description"])
        cols = st.columns(len(FOCUS_AREAS))
        for col, area in zip(cols, FOCUS_AREAS):
            with col:
                st.subheader(eng.name(area))
                for c in data[area][pillar]:
                    components.card(c)
        missing = [m for m in cat.by_pillar(pillar) if not m.available]
        if missing:
            st.info("Nog geen data voor: " + ", ".join(m.label.lower() for m in missing) +
                    ". Zie Data en methode voor de bron en hoe deze cijfers worden toegevoegd.")

st.divider()
st.subheader("Doelen en deelname")
import datetime as _dt  # noqa: E402

from metrics.participation import SUPPRESS_BELOW, summarise  # noqa: E402
from metrics.proposals import LABEL, RULE_LABEL, RULES, overview_table, programme, rule_text  # noqa: E402
from metrics.targets import Target, status  # noqa: E402

targets = state.targets_frame()
part = state.participation_frame()
c1, c2 = st.columns(2)
with c1:
    props = state.open_proposals(eng, _dt.date.today(), targets) if targets.empty else []
    if targets.empty and not props:
        st.markdown("Er zijn nog **geen doelen** vastgesteld. Zie [Doelen](doelen) voor hoe een doel wordt vastgelegd en "
                    "wanneer nieuwe cijfers te verwachten zijn.")
    elif targets.empty:
        st.markdown(f"Er zijn nog **geen doelen** vastgesteld. Het dashboard rekent **{len(props)} voorstellen** uit "
                    f"volgens vaste regels ({', '.join(RULE_LABEL[r] for r in RULES)}); elk voorstel is "
                    f"*{LABEL}*. Overnemen of afwijzen op [Doelen](doelen).")
    else:
        counts: dict[str, int] = {}
        for rec in targets.to_dict("records"):
            s_ = status(eng, Target.from_row(rec), _dt.date.today()).status
            counts[s_] = counts.get(s_, 0) + 1
        st.markdown(f"**{len(targets)} doelen**: " + ", ".join(f"{n} {k}" for k, n in counts.items()) +
                    ". Details op [Doelen](doelen).")
with c2:
    if part.empty:
        st.markdown("Er zijn nog **geen deelnamecijfers** ingevoerd. Zie [Wie doen er mee?](participatie).")
    else:
        tot = summarise(part[part["leeftijdsgroep"] == "totaal"], {}, ["buurt_code"])
        lines = []
        for code in FOCUS_AREAS:
            row = tot[tot["buurt_code"] == code]
            n = int(row["bewoners_bereikt"].iloc[0]) if not row.empty else 0
            lines.append(f"{eng.name(code)}: {'<10' if n < SUPPRESS_BELOW else fmt.number(n, 0)} bewoners bereikt")
        st.markdown("**Deelname volgens het participatieregister** — " + "; ".join(lines) +
                    ". Details op [Wie doen er mee?](participatie).")
if props:
    st.table(overview_table(props).set_index("Buurt"))
    st.caption(f"Per buurt en indicator 'sterkte vasthouden' of anders het voorstel voor {programme().halving_year}; "
               f"alle voorstellen (ook 'gat dichten' in {programme().end_year}) staan op Doelen. Regels: "
               + " ".join(rule_text(r) for r in RULES))

srcs = {s for area in data.values() for cards in area.values() for c in cards for s in (c.latest.sources if c.latest else ())}
components.source_line(srcs, "modelschattingen RIVM (50090NED) hebben een marge; zie Data en methode")
