"""Own measurements in the metric store and on the pages' models: computed at upload time (same transaction, new
build id), kept through rebuilds and re-applied refreshes, secondary suppression that survives subtraction, the
change rule of the CBS metrics, quarters in time order, and the export with period and 95% interval."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from loaders import repository
from loaders.db import get_engine
from loaders.migrations import migrate_user_tables
from metrics import export, own as own_metrics
from metrics.catalog import load
from metrics.store import engine as stored_engine
from models import own as own_model
from models.overzicht import overzicht_model
from wijkmonitor import documents, own, statistics
from wording.export import dutch_table

from conftest import fresh_url
from own_made_up import TODAY, defs, editor, load as load_own


DEFS = defs("schuldhulp_aanmeldingen", "invloed_op_buurt", intern=("invloed_op_buurt",))

# Made-up test uploads (never shipped): Pottenberg has 7 aanmeldingen in 2025-K3, under the threshold of 10.
K2 = "gebiedscode;periode;teller;noemer\nBU09350403;2025-K2;40;1250\nBU09350203;2025-K2;30;1245\nGM0935;2025-K2;900;60000\n"
K3 = "gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;12;1250\nBU09350203;2025-K3;7;1245\nGM0935;2025-K3;880;60000\n"
PEILING = "gebiedscode;periode;aandeel;n\nBU09350403;2025;31,0;240\nBU09350203;2025;28,0;210\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    """A built database (no national file) with the two made-up indicators and three uploads."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    url = fresh_url(request.param, tmp_path_factory.mktemp("own"))
    statistics.build(url, national=False)
    load_own(url, DEFS, [("schuldhulp_aanmeldingen", K2), ("schuldhulp_aanmeldingen", K3),
                         ("invloed_op_buurt", PEILING)])
    return url


def _figs(url):
    return repository.own_figures(url)


# ------------------------------------------------------------------------------------ pure rules

def test_secondary_suppression_hides_a_sibling_so_the_total_gives_nothing_away():
    counts = {"GM0935": 100.0, "BU09350403": 60.0, "BU09350203": 7.0, "BU09350101": 33.0}
    assert own_metrics.secondary(counts, {"BU09350203"}) == {"BU09350101"}  # the smallest other buurt
    # the only child of a shown parent: the parent goes
    assert own_metrics.secondary({"GM0935": 40.0, "BU09350203": 7.0}, {"BU09350203"}) == {"GM0935"}
    # two hidden children: their sum is all one learns
    assert own_metrics.secondary({"GM0935": 50.0, "BU09350403": 8.0, "BU09350203": 7.0, "BU09350101": 35.0},
                                 {"BU09350403", "BU09350203"}) == set()
    # against the area register: a total beside a partial upload (2 of the gemeente's buurten) reveals nothing,
    # a complete one does
    register = {"BU09350403", "BU09350203", "BU09350101"}
    assert own_metrics.secondary(counts, {"BU09350203"}, register | {"BU09350102"}) == set()
    assert own_metrics.secondary(counts, {"BU09350203"}, register) == {"BU09350101"}
    # a wijk between buurt and gemeente is the nearest parent
    assert own_metrics.parent_of("BU09350403", {"WK093504", "GM0935"}) == "WK093504"
    assert own_metrics.parent_of("WK093504", {"WK093504", "GM0935"}) == "GM0935"


def _attack(rows: list[dict]) -> list[tuple[str, float]]:
    """The differencing attack on one period of a table: for every shown parent, the parent minus its shown
    children; where exactly one child is unknown, that child's count is recovered."""
    shown = {r["area_code"]: r["count"] for r in rows if r["count"] is not None}
    codes = {r["area_code"] for r in rows}
    found = []
    for p in shown:
        kids = [c for c in codes if own_metrics.parent_of(c, codes) == p]
        unknown = [c for c in kids if c not in shown]
        if len(unknown) == 1:
            found.append((unknown[0], shown[p] - sum(shown[c] for c in kids if c in shown)))
    return found


def test_the_differencing_attack_recovers_nothing_from_the_store_rows():
    defs = [{"indicator_id": "x", "version": 1, "soort": "aantal", "eenheid": "aantal", "richting": "neutraal"}]
    vals = [{"indicator_id": "x", "version": 1, "area_code": a, "periode": "2025", "aantal": n}
            for a, n in (("GM0935", 100), ("BU09350403", 60), ("BU09350203", 7), ("BU09350101", 33))]
    rows = own_metrics.store_rows(defs, vals)
    by = {r["area_code"]: r for r in rows}
    assert by["BU09350203"]["shown"] == "<10" and by["BU09350101"]["shown"] == "x"
    table = [{"area_code": r["area_code"], "count": r["value"]} for r in rows]
    assert all(n >= 10 for _, n in _attack(table))  # what can be recovered is a sum of two, never the 7
    # without secondary suppression the attack works (the test can fail)
    naive = [{"area_code": v["area_code"], "count": None if v["aantal"] < 10 else float(v["aantal"])} for v in vals]
    assert ("BU09350203", 7.0) in _attack(naive)


def test_a_change_inside_the_combined_interval_is_never_progress():
    defs = [{"indicator_id": "s", "version": 1, "soort": "steekproef", "eenheid": "percentage",
             "richting": "hoger_beter"}]
    vals = [{"indicator_id": "s", "version": 1, "area_code": "BU09350403", "periode": p, "aandeel": a, "n": n}
            for p, a, n in (("2024", 30.0, 200), ("2025", 34.0, 200), ("2026", 45.0, 200))]
    rows = {r["periode"]: r for r in own_metrics.store_rows(defs, vals)}
    # 30 → 34 with n = 200 twice: SE from the Wilson intervals ≈ 3,3 per year, margin ≈ 9,1 > 4
    assert rows["2025"]["label"] == "binnen de marge" and not rows["2025"]["meaningful"]
    assert rows["2025"]["threshold"] == pytest.approx(9.1, abs=0.3)
    assert rows["2026"]["label"] == "verbeterd" and rows["2026"]["favourable"] is True
    assert rows["2024"]["label"] == ""  # the first period has no change


def test_quarters_chart_in_time_order():
    ind = own_model.OwnIndicator("q", 1, "Q", "bestaanszekerheid", None, "aantal", "aantal", "neutraal", "d", "b",
                                 "openbaar", "kwartaal")
    figs = pd.DataFrame([{"indicator_id": "q", "version": 1, "area_code": "BU09350403", "periode": p,
                          "sort_key": own_metrics.sort_number(p), "value": v, "lower": v - 5, "upper": v + 5,
                          "shown": "", "base": int(v), "method": "", "ref_periode": None, "diff": None,
                          "threshold": None, "meaningful": False, "label": "", "favourable": None}
                         for p, v in (("2025-K4", 40.0), ("2024-K4", 20.0), ("2025-K1", 30.0), ("2025-K2", 35.0))])
    tr = own_model.trend(ind, figs, ["BU09350403"], lambda c: "Nazareth")
    assert tr.periods == ("2024-K4", "2025-K1", "2025-K2", "2025-K4")
    from charts.charts import own_trend_chart

    spec = own_trend_chart(tr.frame, list(tr.periods), "Q", "aantal").to_dict()
    assert spec["layer"][1]["encoding"]["x"]["sort"] == ["2024-K4", "2025-K1", "2025-K2", "2025-K4"]


# ------------------------------------------------------------------------------------ the store

def test_uploads_are_in_the_metric_store_with_intervals_and_suppression(loaded):
    figs = _figs(loaded)
    k3 = figs[(figs["periode"] == "2025-K3")].set_index("area_code")
    assert k3.loc["BU09350403", "value"] == pytest.approx(12 / 1250 * 1000)
    assert k3.loc["BU09350403", "lower"] < k3.loc["BU09350403", "value"] < k3.loc["BU09350403", "upper"]
    assert k3.loc["BU09350203", "shown"] == "<10" and pd.isna(k3.loc["BU09350203", "value"])
    assert pd.isna(k3.loc["BU09350203", "base"])  # no noemer next to a withheld teller
    # Nazareth 40 → 12 per 1.250: outside the combined interval, lower is better
    assert k3.loc["BU09350403", "label"] == "verbeterd" and k3.loc["BU09350403", "ref_periode"] == "2025-K2"


def test_an_upload_writes_a_new_build_id_in_its_transaction(loaded):
    before = repository.build_id(loaded)
    own.upload(loaded, editor(), "invloed_op_buurt", PEILING.encode(), "peiling.csv", today=TODAY)
    assert repository.build_id(loaded) != before


def test_a_rebuild_and_a_reapply_keep_every_own_value_and_figure(loaded):
    before = _figs(loaded).sort_values(["indicator_id", "area_code", "sort_key"]).reset_index(drop=True)
    assert len(before) == 8
    statistics.build(loaded, national=False)
    after = _figs(loaded).sort_values(["indicator_id", "area_code", "sort_key"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    statistics.reapply(loaded)  # the step every refresh and import ends with
    pd.testing.assert_frame_equal(before, _figs(loaded).sort_values(["indicator_id", "area_code", "sort_key"])
                                  .reset_index(drop=True))


# ------------------------------------------------------------------------------------ pages and exports

def test_overzicht_shows_own_cards_with_their_provenance_and_intern_only_for_editors(loaded):
    eng = stored_engine(loaded)
    public = own.stored(loaded, include_intern=False)
    assert [i.id for i in public[0]] == ["schuldhulp_aanmeldingen"]
    model = overzicht_model(eng, load(), repository.build_info(loaded), pd.DataFrame(), pd.DataFrame(), TODAY,
                            own_measurements=public)
    assert set(model.own) == {"bestaanszekerheid"} and model.own_areas == ("Nazareth", "Pottenberg")
    (naz, pot), = model.own["bestaanszekerheid"]  # one indicator, the two buurten side by side
    assert naz.value == "9,6 per 1.000" and naz.periode == "2025-K3"
    assert naz.provenance == ("Eigen meting — bron: Gemeente Maastricht, schuldhulpverlening, periode 2025-K3, "
                              "noemer 1.250")
    assert naz.change.startswith("verbeterd sinds 2025-K2 (−22,4 per 1.000; marge ± ")
    assert pot.value == "<10" and pot.withheld and pot.interval == "" and "1.245" not in pot.provenance
    assert model.own_note.startswith("<10: minder dan 10")
    editor = overzicht_model(eng, load(), repository.build_info(loaded), pd.DataFrame(), pd.DataFrame(), TODAY,
                             own_measurements=own.stored(loaded, include_intern=True))
    assert set(editor.own) == {"bestaanszekerheid", "positieve_gezondheid"}


def test_the_export_has_own_rows_with_period_and_interval_and_never_a_withheld_value(loaded):
    eng = stored_engine(loaded)
    df = documents.export_table(eng, load(), loaded)
    assert list(df.columns) == export.COLUMNS
    mine = df[df["metric_id"].str.startswith("eigen:")]
    assert set(mine["metric_id"]) == {"eigen:schuldhulp_aanmeldingen"}  # intern stays out
    k3 = mine[mine["period"] == "2025-K3"].set_index("area_code")
    assert k3.loc["BU09350403", "lower"] < k3.loc["BU09350403", "value"] < k3.loc["BU09350403", "upper"]
    assert pd.isna(k3.loc["BU09350203", "value"]) and pd.isna(k3.loc["BU09350203", "lower"])
    assert "niet getoond: <10" in k3.loc["BU09350203", "note"]
    assert k3.loc["BU09350403", "source"] == "eigen meting: Gemeente Maastricht, schuldhulpverlening"
    cbs = df[~df["metric_id"].str.startswith("eigen:")]
    assert (cbs["period"] == cbs["year"].astype(str)).all()
    # every download format carries the same rows: technical CSV, Excel, Dutch CSV
    tech = pd.read_csv(io.BytesIO(export.to_csv_bytes(df, "technisch")), encoding="utf-8-sig", dtype={"period": str})
    t3 = tech[(tech["metric_id"] == "eigen:schuldhulp_aanmeldingen") & (tech["period"] == "2025-K3")]
    assert t3.set_index("area_code").loc["BU09350203", ["value", "lower", "upper"]].isna().all()
    xl = pd.read_excel(io.BytesIO(export.to_excel_bytes(df)), dtype={"period": str})
    assert not (xl["note"].fillna("").str.contains("<10") & xl["value"].notna()).any()
    nl = dutch_table(df)
    assert {"periode", "ondergrens", "bovengrens"} <= set(nl.columns)
    with_intern = documents.export_table(eng, load(), loaded, include_intern=True)
    assert "eigen:invloed_op_buurt" in set(with_intern["metric_id"])


def test_no_withheld_count_can_be_recovered_from_any_export_of_the_store(loaded):
    """The attack on the export: per indicator and period, rate × noemer gives the teller of each shown row;
    a parent minus its shown children must never give a withheld teller."""
    figs = _figs(loaded)
    for (ind, periode), grp in figs.groupby(["indicator_id", "periode"]):
        table = [{"area_code": r["area_code"],
                  "count": None if r["shown"] else (r["value"] * r["base"] / 1000 if ind == "schuldhulp_aanmeldingen"
                                                    else r["value"] * r["base"] / 100)}
                 for r in grp.to_dict("records")]
        for code, n in _attack(table):
            assert n >= 10 - 1e-6, (ind, periode, code, n)


def test_the_shipped_build_has_no_own_indicators(tmp_path):
    """Nothing invented: a build from data/ alone holds no own figures."""
    url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    statistics.build(url, national=False)
    assert _figs(url).empty
    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
    inds, figs = own.stored(url, include_intern=True)
    assert inds == [] and figs.empty


def test_the_maastricht_map_draws_an_own_indicator_given_for_its_buurten():
    """Three buurten and the gemeente in one period: drawn in classes, the withheld one as no data ('<10'),
    the buurten without an upload 'niet aangeleverd', the gemeente only in the text."""
    ind = own_model.OwnIndicator("a", 1, "Aantal", "context", None, "aantal", "aantal", "neutraal", "d", "Bron X",
                                 "openbaar", "jaar")
    rows = own_metrics.store_rows(
        [{"indicator_id": "a", "version": 1, "soort": "aantal", "eenheid": "aantal", "richting": "neutraal"}],
        [{"indicator_id": "a", "version": 1, "area_code": c, "periode": "2025", "aantal": n}
         for c, n in (("BU09350403", 40), ("BU09350203", 5), ("BU09350101", 25), ("GM0935", 900))],
        register={"BU09350403", "BU09350203", "BU09350101", "BU09350102"})
    figs = pd.DataFrame(rows)
    codes = ["BU09350403", "BU09350203", "BU09350101", "BU09350102"]
    assert own_model.map_periods(ind, figs, codes) == ["2025"]
    assert own_model.map_periods(ind, figs, codes[:2]) == []  # fewer than three buurten: no map
    m = own_model.own_map(ind, figs, "2025", codes, {"GM0935": "Maastricht"}.get, "GM0935")
    assert m.values == (40.0, None, 25.0, None)
    by = {r.code: r for r in m.rows}
    assert by["BU09350203"].value_text == "<10" and by["BU09350203"].value is None
    assert by["BU09350102"].value_text == "niet aangeleverd"
    assert "Maastricht: 900" in m.summary and "1 niet getoond" in m.summary
    assert [e.count for e in m.entries][-1] == 2  # 'geen gegevens' counts the withheld and the missing buurt
    assert "5" not in list(m.table["Waarde"])  # the withheld count itself never appears


def test_the_export_carries_rivms_published_bounds_once_a_refresh_loaded_them(loaded):
    """lower/upper for a published RIVM value come from observation_margins (as a refresh of 50090NED/50120NED
    stores them); a computed or derived value (a group, Maastricht as a sum) never gets them."""
    import sqlalchemy as sa

    from loaders import schema, staging
    from loaders.db import transaction

    cat = load()
    m = cat.get("moeite_met_rondkomen")
    eng = stored_engine(loaded)
    r = eng.value(m, "BU09350403", 2020)
    assert r.present and r.method == "gepubliceerd"
    before = documents.export_table(eng, cat, loaded)
    assert before[before["metric_id"] == m.id]["lower"].isna().all()  # nothing loaded: no bounds, none invented
    with transaction(loaded) as conn:
        staging.ensure_tables(conn)
        conn.execute(schema.observation_margins.insert(), [
            {"area_code": "BU09350403", "year": 2020, "variable_code": m.variable, "age_group": m.age_group,
             "source_key": "test-margins", "lower": r.value - 2.9, "upper": r.value + 3.2}])
    try:
        df = documents.export_table(eng, cat, loaded)
        row = df[(df["metric_id"] == m.id) & (df["area_code"] == "BU09350403") & (df["year"] == 2020)].iloc[0]
        assert row["lower"] == pytest.approx(r.value - 2.9) and row["upper"] == pytest.approx(r.value + 3.2)
        others = df[(df["metric_id"] == m.id) & ~((df["area_code"] == "BU09350403") & (df["year"] == 2020))]
        assert others["lower"].isna().all()
    finally:
        with transaction(loaded) as conn:
            conn.execute(schema.observation_margins.delete().where(
                schema.observation_margins.c.source_key == "test-margins"))
