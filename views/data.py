"""Data en methode: definitions, sources, data version, downloads and the licence."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from metrics import docs, export, fmt, proposals
from loaders import own_indicators as own_defs
from loaders.errors import LoadError
from models import own as own_model
from wijkmonitor import documents, jobs, own, statistics
from ui import auth, components, state
from wording.export import dutch_csv
from wijkmonitor import backup as programme_backup

eng = state.engine()
cat = state.catalog()

st.title("Data en methode")
st.markdown("Waar komen de cijfers vandaan, wat betekenen ze en hoe rekenen we? Alles op deze pagina is "
            "gegenereerd uit de indicatorcatalogus en de database, zodat uitleg en cijfers niet uit elkaar lopen.")
st.markdown("**Bron: CBS, RIVM** — de cijfers zijn gepubliceerd onder licentie CC BY 4.0 (naamsvermelding "
            "'Bron: CBS/RIVM'). Kaartgrenzen: CBS/Kadaster Wijk- en buurtkaart.")

# One part at a time (the tab is in the URL, e.g. /data?onderdeel=Downloaden): only the open one is built.
tab_ind, tab_src, tab_dl, tab_upd, tab_own = components.on_request_tabs(
    ["Indicatoren", "Bronnen en dataversie", "Downloaden", "Bijwerken", "Eigen metingen"], key="onderdeel")

if tab_ind.open is not False:
    with tab_ind:
        intro, parts = docs.sections(cat)
        st.markdown(intro)
        for title, text in parts:  # each section drawn when it is opened
            part = components.on_request(title, key=f"doc_{title}")
            if part.open:
                with part:
                    st.markdown(text)

if tab_src.open is not False:
    with tab_src:
        info = state.build_info()
        built = info.get("built_at", "")
        if built:
            st.write(f"Database gebouwd op {fmt.datetime(dt.datetime.fromisoformat(built))} (UTC) met "
                     f"{fmt.number(float(info.get('n_observations', 0)), 0)} waarnemingen voor "
                     f"{fmt.number(float(info.get('n_areas', 0)), 0)} gebieden.")
        src = state.sources()
        show = pd.DataFrame({
            "Tabel": src["table_id"], "Titel": src["title"], "Uitgever": src["publisher"], "Periode": src["period"],
            "Licentie": src["licence"], "Bestand": src["file_name"], "SHA-256": src["file_sha256"].str[:12] + "…",
            "Geladen": [fmt.date(pd.Timestamp(t).to_pydatetime()) for t in src["loaded_at"]],
            "Opmerking": src["notes"].fillna(""),
        })
        st.dataframe(show, hide_index=True, width="stretch")

if tab_dl.open is not False:
    with tab_dl:
        st.markdown("De volledige export bevat elke indicator voor elk gebied (Nederland, Maastricht, Heerlen, de "
                    "buurten, de wijken en de samengestelde gebieden) en elk meetjaar, met de bron, de weging en de "
                    "dekking. Lege cellen betekenen: geen gegevens. Dit is het bestand voor partners.")
        if st.button("Export maken", key="make_export"):
            with st.spinner("Export maken…"):
                st.session_state["export_df"] = state.guarded(lambda: documents.export_table(
                    eng, cat, state.programme_url(), include_intern=auth.current_editor() is not None))
        df = st.session_state.get("export_df")
        if df is not None:
            st.write(f"{fmt.number(len(df), 0)} rijen, {df['metric_id'].nunique()} indicatoren, "
                     f"{df['area_code'].nunique()} gebieden.")
            stem = f"wijkmonitor-export-{dt.date.today().isoformat()}"
            c1, c2, c3 = st.columns(3)
            components.download(c1, "Download CSV (Nederlandse notatie)", dutch_csv(df), file_name=f"{stem}.csv",
                                mime="text/csv", key="full_export_csv",
                                help="Puntkomma als scheidingsteken en een decimale komma: opent in kolommen in "
                                     "Excel met Nederlandse instellingen. Waarden afgerond zoals gepubliceerd.")
            components.download(c2, "Download Excel", export.to_excel_bytes(df), file_name=f"{stem}.xlsx",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                key="full_export_xlsx")
            components.download(c3, "Technische CSV (komma, decimale punt)", export.to_csv_bytes(df, "technisch"),
                                file_name=f"{stem}-technisch.csv", mime="text/csv", key="full_export_tech",
                                help="Voor software: komma als scheidingsteken, decimale punt, Engelse kolomnamen, "
                                     "volledige precisie.")
            st.dataframe(df.head(50), hide_index=True, width="stretch")
        st.markdown(f"**Doelvoorstellen** — elke rij is een *{proposals.LABEL}*, met de regel waarmee het is "
                    "berekend (zie Indicatoren, 'Doelvoorstellen en meetbaarheid'). Overgenomen en afgewezen "
                    "voorstellen staan er "
                    "niet meer in.")
        components.downloads(proposals.table(state.open_proposals(eng, dt.date.today()), dt.date.today()),
                             f"wijkmonitor-voorstellen-{dt.date.today().isoformat()}", key="proposals_export",
                             what="voorstellen")
        # The programme data (targets, decisions, participation, decks, change log) as one backup file, for editors.
        st.markdown("**Back-up van de programmagegevens** — doelen, besluiten over voorstellen, deelnamecijfers, "
                    "presentaties en het wijzigingslog in één bestand (met controlesom). Terugzetten, ook in een "
                    "andere database: `python -m wijkmonitor restore BESTAND`.")
        backup_editor = auth.current_editor()
        if backup_editor is None:
            st.write("Alleen voor ingelogde redacteuren; inloggen kan op het tabblad Bijwerken.")
        elif st.button("Back-up maken", key="make_backup"):
            try:
                st.session_state["backup_zip"] = state.guarded(
                    lambda: programme_backup.editor_backup(state.programme_url(), backup_editor))
            except programme_backup.BackupError as exc:
                st.error(str(exc))
        if backup_editor is not None and st.session_state.get("backup_zip"):
            components.download(st, "Download back-up (.zip)", st.session_state["backup_zip"],
                                file_name=f"wijkmonitor-programma-{dt.date.today().isoformat()}.zip",
                                mime="application/zip", key="backup_download")

if tab_upd.open is not False:
    with tab_upd:
        st.markdown("Nieuwe cijfers komen rechtstreeks van CBS (open data) of uit een zelf gedownloade StatLine-export "
                    "(\"CSV met statistische symbolen\" of Excel). Ververste en geïmporteerde tabellen blijven bewaard "
                    "en worden na elke herbouw van de database opnieuw toegepast.")
        stat = state.refresh_status()
        if stat.empty:
            st.write("Er zijn nog geen tabellen ververst of geïmporteerd: de database bevat de meegeleverde bestanden.")
        else:
            st.dataframe(pd.DataFrame({
                "Tabel": stat["table_id"], "Soort": stat["kind"], "Waarnemingen": stat["n_observations"],
                "Opgehaald": [fmt.date(pd.Timestamp(t).to_pydatetime()) if pd.notna(t) else ""
                              for t in stat["fetched_at"]],
                "In de database": ["ja" if x else "nee — opnieuw toepassen" for x in stat["in_database"]],
            }), hide_index=True, width="stretch")
        editor = auth.login_box("data")
        if editor:
            # The refresh runs as a job in its own process (wijkmonitor/jobs.py): it goes on when this page is left
            # or reloaded; the fragment follows its row in the database, every replica sees the same job.
            job = state.refresh_job()
            if st.button("Cijfers verversen bij CBS", key="refresh_btn", disabled=job.running):
                started = jobs.start_refresh(state.programme_url(), editor)
                st.session_state["refresh_started"] = (started.started, started.message)
                st.rerun()  # the page again with the job running and the button off
            if "refresh_started" in st.session_state:
                ok, message = st.session_state.pop("refresh_started")
                (st.success if ok else st.warning)(message)
            job_box = st.container()

            def _follow(followed=job.job_id):
                now = state.refresh_job()
                if now.job_id == followed and not now.running and job.running:
                    state.notice_new_build()  # the new figures at once on this replica, not within 30 s
                    st.rerun()  # the whole page: new figures, the start button on again
                components.job_status(now)

            with job_box:
                st.fragment(_follow, run_every=2 if job.running else None)()
            up = st.file_uploader("StatLine-export importeren", type=["csv", "xlsx"], key="statline_upload")
            if up is not None and st.button("Importeren", key="statline_do_import"):
                try:
                    summary = statistics.editor_import(state.programme_url(), editor, up.getvalue(), up.name)
                    st.success(summary.message())
                    for w in summary.warnings:
                        st.warning(w)
                    st.cache_data.clear()
                    st.cache_resource.clear()
                except Exception as exc:  # noqa: BLE001 - known errors by their Dutch message, others generic
                    st.error(f"Niets geïmporteerd. {components.error_message(exc)}")

if tab_own.open is not False:
    with tab_own:
        st.markdown("Eigen metingen zijn de cijfers van het programma zelf: registers (schuldhulp, bijstand per "
                    "kwartaal), cijfers van partners, een bewonerspeiling of de scores van de gesprekken over "
                    "Positieve Gezondheid. Ze staan op dezelfde pagina's als de CBS-cijfers, altijd met hun "
                    "95%-interval en als *eigen meting* met bron, periode en aantal. Aantallen onder de 10 worden "
                    "niet getoond. Uitleg en voorbeelden: docs/eigen-metingen.md.")
        own_editor = auth.login_box("eigen")
        if "own_flash" in st.session_state:  # the outcome of the last write, after the rerun that shows it
            st.success(st.session_state.pop("own_flash"))

        def _done(message: str) -> None:
            state.notice_new_build()
            st.session_state["own_flash"] = message
            st.rerun()

        inds, figs = state.own_measurements(include_intern=own_editor is not None)
        if inds:
            st.table(pd.DataFrame({
                "Indicator": [i.label for i in inds], "Id": [i.id for i in inds], "Versie": [i.version for i in inds],
                "Pijler": [own_model.PILLAR_LABEL[i.pijler] for i in inds],
                "Soort": [own_model.SOORT_WORD[i.soort] for i in inds],
                "Frequentie": [own_model.FREQUENCY_WORD[i.frequentie] for i in inds],
                "Bron": [i.bron for i in inds], "Zichtbaar": [i.zichtbaarheid for i in inds],
                "Metingen": [int(((figs["indicator_id"] == i.id) & (figs["version"] == i.version)).sum())
                             if not figs.empty else 0 for i in inds],
            }).set_index("Indicator"))
        else:
            st.write("Er zijn nog geen eigen metingen gedefinieerd.")
        st.markdown("**Sjablonen** — één per soort (puntkomma als scheidingsteken; periode `2025` of `2025-K3`).")
        for col, soort in zip(st.columns(len(own_defs.SOORTEN)), own_defs.SOORTEN):
            components.download(col, f"Sjabloon {own_model.SOORT_WORD[soort]}", own.template(soort),
                                file_name=f"sjabloon-{soort}.csv", mime="text/csv", key=f"own_tpl_{soort}")
        if own_editor is not None:
            st.markdown("**Indicator definiëren** — een nieuwe indicator, of een bestaande opnieuw (met dezelfde id): "
                        "heeft die al waarden, dan wordt het een nieuwe versie.")
            with st.form("own_define"):
                c1, c2 = st.columns(2)
                raw = {"id": c1.text_input("Id (kleine letters, cijfers, _)", key="own_id"),
                       "label": c2.text_input("Naam", key="own_label"),
                       "pijler": c1.selectbox("Pijler", own_defs.PIJLERS, format_func=own_model.PILLAR_LABEL.get),
                       "soort": c2.selectbox("Soort", own_defs.SOORTEN, format_func=own_model.SOORT_WORD.get),
                       "eenheid": c1.selectbox("Eenheid", list(own_model.UNIT_TEXT), format_func=own_model.UNIT_TEXT.get),
                       "richting": c2.selectbox("Richting", own_defs.RICHTINGEN,
                                                format_func=lambda r: r.replace("_", " ")),
                       "frequentie": c1.selectbox("Frequentie", own_defs.FREQUENTIES),
                       "zichtbaarheid": c2.selectbox("Zichtbaarheid", own_defs.ZICHTBAARHEID),
                       "bron": st.text_input("Bron (wie levert het cijfer)", key="own_bron"),
                       "definitie": st.text_area("Definitie", key="own_definitie")}
                go = st.form_submit_button("Indicator opslaan")
            if go:
                try:
                    done = state.guarded(lambda: own.define(state.programme_url(), own_editor,
                                                            [own_defs.validate_definition(raw, "formulier")]))
                    _done("; ".join(f"{d['id']}: {d['actie']} (versie {d['versie']})" for d in done))
                except LoadError as exc:
                    st.error(f"Niets opgeslagen. {exc}")
            toml_up = st.file_uploader("Of: definities uit een bestand (TOML, [[indicator]])", type=["toml"],
                                       key="own_toml")
            if toml_up is not None and st.button("Definities laden", key="own_toml_do"):
                try:
                    done = state.guarded(lambda: own.define_file(state.programme_url(), own_editor, toml_up.getvalue(),
                                                                 toml_up.name))
                    _done("; ".join(f"{d['id']}: {d['actie']} (versie {d['versie']})" for d in done))
                except LoadError as exc:
                    st.error(f"Niets opgeslagen. {exc}")
            all_inds, _ = state.own_measurements(include_intern=True)
            if all_inds:
                st.markdown("**Waarden uploaden** — CSV (puntkomma) of Excel volgens het sjabloon van de soort. Een "
                            "periode die er al is, wordt in zijn geheel vervangen (oud en nieuw in het wijzigingslog).")
                target = st.selectbox("Indicator", [i.id for i in all_inds], key="own_target",
                                      format_func=lambda i: next(x.label for x in all_inds if x.id == i))
                vals_up = st.file_uploader("Bestand met waarden", type=["csv", "xlsx"], key="own_values")
                if vals_up is not None and st.button("Waarden laden", key="own_values_do"):
                    try:
                        res = state.guarded(lambda: own.upload(state.programme_url(), own_editor, target,
                                                               vals_up.getvalue(), vals_up.name))
                        _done(f"{res['rijen']} {'rij' if res['rijen'] == 1 else 'rijen'} geladen voor {', '.join(res['perioden'])}"
                              + (f"; {res['vervangen']} bestaande waarden vervangen" if res["vervangen"] else "") + ".")
                    except LoadError as exc:
                        st.error(f"Niets geladen. {exc}")

components.source_line(set(state.sources()["table_id"]))
