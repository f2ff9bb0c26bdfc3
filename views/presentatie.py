"""Presentatie: the council's questions as a slideshow fitted to the screen, saved decks, and the one-click
briefings (one page, and the full briefing with appendices)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import streamlit as st

from loaders import decks as deck_store
from loaders.auth import PermissionDenied
from metrics import fmt
from metrics import slides as numbers
from models.own_documents import with_own
from reports import briefing as report
from reports import onepage
from charts import slide_charts
from ui import auth, components, present, state
from wijkmonitor import programme
from wijkmonitor.programme import ConflictError
from wording import own_documents, slides

eng = state.engine()
today = dt.date.today()
DEFAULT = "standaard"
DEFAULT_NAME = "Standaard: de vragen van de raad"
MAP = (slide_charts.MAP_INDELING, slide_charts.MAP_GEMEENTE)

st.title("Presentatie")
# The slideshow sits right under the title and sizes itself to the window (ui/present.py), so it is fully
# visible without scrolling, with the "Volledig scherm (F)" button in view; the deck choice comes below it.
msg_slot, show_slot, choice_slot = st.container(), st.container(), st.container()
state.ensure_user_tables()
ctx = numbers.context(eng, today, state.targets_frame(), state.participation_frame(), state.build_info(),
                      state.sources())
ctx = dataclasses.replace(ctx, proposal_decisions=state.decided_proposal_keys())
signed_in = auth.current_editor()
saved = state.guarded(lambda: deck_store.list_decks(state.programme_url()))
names = {DEFAULT: DEFAULT_NAME, **{str(r.id): r.name for r in saved.itertuples()}}
rows = {str(r.id): r for r in saved.itertuples()}
with msg_slot:  # a message about a mistyped link shows above the slideshow, the choice itself below it
    choice = state.select("presentatie", "Welke presentatie?", list(names), format_func=names.get,
                          container=choice_slot)
# Own measurements marked 'intern' only when a signed-in editor asks for them (never by default: the slides and
# briefings are for the council).
intern = signed_in is not None and choice_slot.toggle(
    "Interne eigen metingen meenemen", value=False, key="own_intern",
    help="Alleen voor de gemeente: eigen metingen met zichtbaarheid 'intern' komen dan ook in de dia's en de "
         "briefings. Zet dit uit voor de raad en partners.")
ctx = with_own(ctx, state.own_measurements(include_intern=intern))
keys = tuple(slides.DEFAULT_DECK if choice == DEFAULT else rows[choice].slides)

deck = slides.build(ctx, keys)
if deck.skipped:
    msg_slot.warning("Niet meer beschikbaar en overgeslagen: " + ", ".join(deck.skipped) + " (bijvoorbeeld een doel "
               "dat is verwijderd).", icon=":material/warning:")
geoms = state.geometries(*MAP)
with show_slot:
    present.show(eng, deck, geoms, title=names[choice], store_key=f"wm-deck-{choice}")
st.markdown(
    "De cijfers van de Wijkmonitor als presentatie voor de raad: per dia één vraag, hoogstens drie getallen, elk "
    "met jaar en bron. Klik op de dia en blader met de pijltjestoetsen of met **Page Up / Page Down** (zoals een "
    "presenter). **F** of de knop *Volledig scherm* zet de presentatie op het hele scherm, **N** toont de "
    "notities voor de spreker, **B** maakt het scherm zwart."
)
own_sources = own_documents.sources_sentence(ctx)
st.caption(f"Stand van zaken op {fmt.date(today)} · {slides.version_text(deck.version)} · Bron: CBS, RIVM — "
           "licentie CC BY 4.0." + (f" {own_sources}" if own_sources else ""))

# ------------------------------------------------------------------------------------------ one-page briefing
st.header("Briefing op één pagina")
st.markdown("Per buurt het kerncijfer van elke pijler met jaar, de verandering met Maastricht ernaast, de positie "
            "ten opzichte van Maastricht en Nederland, wat goed gaat en de aandachtspunten, de doelen en wanneer "
            "nieuwe cijfers komen, en de eigen metingen van het programma met hun bron: één A4 (PDF) of één dia "
            "(PowerPoint).")
one_sig = hashlib.sha1(repr((today, ctx.targets, ctx.build_info, ctx.own)).encode()).hexdigest()
if st.button("Briefing op één pagina maken", type="primary", icon=":material/article:", key="make_onepage"):
    with st.spinner("Briefing op één pagina maken…"):
        _doc, one_pdf, one_pptx = onepage.make(ctx)
    st.session_state["onepage_export"] = {"sig": one_sig, "pdf": one_pdf, "pptx": one_pptx}
one = st.session_state.get("onepage_export")
if one and one["sig"] == one_sig:
    stem = onepage.file_stem(today)
    c1, c2 = st.columns(2)
    components.download(c1, "Download één pagina (PDF)", one["pdf"], file_name=f"{stem}.pdf",
                        mime="application/pdf", icon=":material/picture_as_pdf:", key="dl_onepage_pdf")
    components.download(c2, "Download één dia (PowerPoint)", one["pptx"], file_name=f"{stem}.pptx",
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        icon=":material/slideshow:", key="dl_onepage_pptx")

# ------------------------------------------------------------------------------------------ briefing export
st.header("Volledige briefing (bijlage)")
st.markdown("Eén klik maakt een **PowerPoint** (bewerkbaar, voor de staf van de wethouder) en een **PDF** (voor "
            "het raadsportaal) met deze presentatie, het overzicht per pijler, de doelen, de belangrijkste "
            "trends, een kaart van de buurten, de eigen metingen, de datum, de dataversie en de bronnenlijst. De "
            "cijfers zijn dezelfde als op het scherm.")
signature = hashlib.sha1(repr((choice, deck.slides, deck.version, ctx.own)).encode()).hexdigest()
if st.button("Briefing maken (PowerPoint en PDF)", icon=":material/description:",
             key="make_briefing"):
    with st.spinner("Briefing maken: grafieken en kaart tekenen…"):
        result = report.export(report.Inputs(ctx, keys, geoms, names[choice]))
    st.session_state["briefing_export"] = {"sig": signature, "pptx": result.pptx, "pdf": result.pdf,
                                           "seconds": result.seconds["totaal"]}
made = st.session_state.get("briefing_export")
if made and made["sig"] == signature:
    stem = report.file_stem(today)
    c1, c2 = st.columns(2)
    components.download(c1, "Download PowerPoint (.pptx)", made["pptx"], file_name=f"{stem}.pptx",
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        icon=":material/slideshow:", key="dl_pptx")
    components.download(c2, "Download PDF", made["pdf"], file_name=f"{stem}.pdf", mime="application/pdf",
                        icon=":material/picture_as_pdf:", key="dl_pdf")
    st.caption(f"Gemaakt in {fmt.number(made['seconds'], 1)} seconden.")
elif made:
    st.caption("De cijfers of de keuze van dia's zijn veranderd sinds de vorige briefing; maak hem opnieuw.")

# ------------------------------------------------------------------------------------------ composing decks
st.header("Presentatie samenstellen")
editor = auth.login_box("presentatie")
if not editor:
    st.caption("Redacteuren kunnen dia's kiezen, de volgorde aanpassen en de presentatie opslaan. Iedereen kan "
               "de standaardpresentatie en opgeslagen presentaties tonen.")
else:
    catalogue = dict(slides.catalogue(ctx))
    work_key = f"deck_work_{choice}"
    if work_key not in st.session_state:
        st.session_state[work_key] = [k for k in keys if k in catalogue]
    work: list[str] = st.session_state[work_key]
    st.markdown(f"**Dia's in deze presentatie ({len(work)})** — pas aan en sla op; de presentatie hierboven "
                "toont de opgeslagen versie.")
    for i, k in enumerate(list(work)):
        c1, c2, c3, c4 = st.columns([7, 1, 1, 1], vertical_alignment="center")
        c1.markdown(f"{i + 1}. {catalogue.get(k, k)}")
        if c2.button("Omhoog", key=f"up_{choice}_{i}", disabled=i == 0, width="stretch"):
            work[i - 1], work[i] = work[i], work[i - 1]
            st.rerun()
        if c3.button("Omlaag", key=f"down_{choice}_{i}", disabled=i == len(work) - 1, width="stretch"):
            work[i + 1], work[i] = work[i], work[i + 1]
            st.rerun()
        if c4.button("Weg", key=f"del_{choice}_{i}", width="stretch", help="Dia uit de presentatie halen"):
            work.pop(i)
            st.rerun()
    free = [k for k in catalogue if k not in work]
    if free:
        c1, c2 = st.columns([7, 3], vertical_alignment="bottom")
        add = c1.selectbox("Dia toevoegen", free, format_func=catalogue.get, key=f"add_{choice}")
        if c2.button("Toevoegen", key=f"add_btn_{choice}", width="stretch"):
            work.append(add)
            st.rerun()
    if st.button("Terug naar de opgeslagen volgorde", key=f"reset_{choice}"):
        del st.session_state[work_key]
        st.rerun()
    name = st.text_input("Naam van de presentatie", value="" if choice == DEFAULT else names[choice],
                         key=f"name_{choice}", max_chars=deck_store.MAX_NAME)
    c1, c2, c3 = st.columns(3)
    url = state.programme_url()
    try:
        if c1.button("Opslaan als nieuwe presentatie", key=f"save_new_{choice}", icon=":material/add:"):
            new_id = programme.create_deck(url, editor, ctx, name, work)
            st.query_params["presentatie"] = str(new_id)
            st.session_state.pop("sel_presentatie", None)
            st.rerun()
        if choice != DEFAULT:
            if c2.button("Wijzigingen opslaan", key=f"save_{choice}", icon=":material/save:"):
                programme.update_deck(url, editor, ctx, int(choice), int(rows[choice].version), name, work)
                st.session_state.pop(work_key, None)
                st.rerun()
            if c3.button("Presentatie verwijderen", key=f"delete_{choice}", icon=":material/delete:"):
                programme.delete_deck(url, editor, int(choice), int(rows[choice].version))
                st.query_params["presentatie"] = DEFAULT
                st.session_state.pop("sel_presentatie", None)
                st.rerun()
    except (ValueError, ConflictError, PermissionDenied) as exc:
        st.error(str(exc))
