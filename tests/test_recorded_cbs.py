"""Every CBS path on real recorded responses (tests/fixtures/recorded_cbs, see its PROVENANCE.md).

- the shipped 2020 buurt figures (data/cbs_kwb/kwb_2020_84799NED_*) equal the recorded 84799NED TypedDataSet,
  and the app computes bijstand / AO / WW per 1.000 from them (acceptance check for Nazareth and Pottenberg);
- the refresh replays the recorded 84799NED DataProperties (157 entries, padded strings), the real
  WijkenEnBuurten value array and the recorded 85984NED TableInfos/DataProperties over the local HTTP server;
- the StatLine CSV export of 84583NED (2019, 's-Gravenhage, OData keys as header) goes through
  ``python -m wijkmonitor import``;
- OData 4: the recorded 83765NED MeasureCodes map to the same variables as the v3 DataProperties, a v4 refresh
  loads the same values as the v3 one, and a v3 404/410 falls back to v4.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from loaders import odata4, refresh
from loaders.cbs import variables_to_load
from loaders.db import query
from loaders.errors import LoadError
from loaders.settings import DATA_DIR
from loaders.sources import statline_key
from loaders.variables import registry
from tests.cbs_fixtures import DERIVE, WANTED, cbs_helpers

HERE = Path(__file__).resolve().parent
REC = HERE / "fixtures" / "recorded_cbs"
V3 = REC / "v3"
V4 = REC / "v4"
V3_84799 = V3 / "opendata.cbs.nl/ODataFeed/odata/84799NED"
V4_83765 = V4 / "odata4.cbs.nl/CBS/83765NED"
SHARED = Path(os.environ.get("WIJKMONITOR_RECORDED_CBS") or HERE.parent.parent / "shared" / "data" / "recorded-cbs")
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"
UNPUBLISHED_2020 = ["GemiddeldInkomenPerInwoner", "HuishOnderOfRondSociaalMinimum", "HuishoudensMetEenLaagInkomen",
                    "k_40PersonenMetLaagsteInkomen", "OpleidingsniveauLaag", "OpleidingsniveauMiddelbaar",
                    "OpleidingsniveauHoog", "HuurwoningenTotaal", "Woningvoorraad", "MediaanVermogenVanParticuliereHuish"]
UNPUBLISHED_KEYS = ["GemiddeldInkomenPerInwoner_72", "HuishOnderOfRondSociaalMinimum_79", "OpleidingsniveauLaag_64",
                    "NettoArbeidsparticipatie_67", "JongerenMetJeugdzorgInNatura_87", "PercentageJongerenMetJeugdzorg_88",
                    "HuurwoningenTotaal_41", "Woningvoorraad_34", "HuishoudensMetEenLaagInkomen_78"]


_helpers = cbs_helpers


def recorded_rows() -> pd.DataFrame:
    """The recorded 84799NED TypedDataSet rows of NL00, Maastricht and Heerlen (fixture, DERIVED from parquet)."""
    rows = json.loads((V3_84799 / "TypedDataSet.json").read_text(encoding="utf-8"))["value"]
    df = pd.DataFrame(rows)
    df["code"] = df["Codering_3"].str.strip().replace({"NL00": "NL01"})
    return df.set_index("code")


def git_blob_id(raw: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


# ------------------------------------------------------------------------------------ fixture provenance

def test_exact_fixtures_are_byte_exact():
    raw = gzip.decompress((V3_84799 / "WijkenEnBuurten.json.gz").read_bytes())
    assert len(raw) == 3_793_800 and git_blob_id(raw) == "cb8280f38926a1f5bb5744425261e67cebfd0f79"
    arr = json.loads(raw)
    assert isinstance(arr, list) and len(arr) == 17_341  # the bare value array, keys padded
    assert arr[0]["Key"] == "NL00      " and arr[0]["Description"] is None
    csv = (REC / "statline/marginal_distributions_TheHague_2019_84583NED.csv").read_bytes()
    assert git_blob_id(csv) == "7cdbec8d3ac489e872a239b348b6a982b8c23835"
    d85 = V3 / "opendata.cbs.nl/ODataFeed/odata/85984NED"
    assert (d85 / "DataProperties.json").read_bytes() == (DATA_DIR / "cbs_kwb/kwb_2024_85984NED_DataProperties.json").read_bytes()
    assert git_blob_id((d85 / "CategoryGroups.json").read_bytes()) == git_blob_id(b"[]")


@pytest.mark.skipif(not SHARED.exists(), reason="recorded-cbs folder not next to the repository")
def test_fixtures_are_reproducible_from_the_recordings(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("rec_make", REC / "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    mod.generate(SHARED, tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made and all((REC / p).read_bytes() == (tmp_path / p).read_bytes() for p in made), made
    # the fixture rows are the recorded parquet rows
    td = pd.read_parquet(SHARED / "84799NED/cbs.v3.84799NED_TypedDataSet.parquet").set_index("Codering_3")
    rec = recorded_rows()
    for code in (NAZARETH, POTTENBERG, "GM0935"):
        row = td.loc[code.ljust(10)]
        assert rec.loc[code, "PersonenPerSoortUitkeringBijstand_83"] == row["PersonenPerSoortUitkeringBijstand_83"]
        assert rec.loc[code, "AantalInwoners_5"] == row["AantalInwoners_5"]


def test_shipped_2020_files_equal_the_recorded_rows():
    rec = recorded_rows()
    bu = pd.read_csv(DATA_DIR / "cbs_kwb/kwb_2020_84799NED_buurt_wijk_nl_maastricht_heerlen.csv", dtype=str,
                     keep_default_na=False)
    assert len(bu) == 132 and set(bu["SoortRegio_2"].str.strip()) == {"Land", "Wijk", "Buurt"}
    bu["code"] = bu["Codering_3"].str.strip().replace({"NL00": "NL01"})
    checked = 0
    for col in bu.columns:
        if col in ("code", "regio"):
            continue
        for code, v in zip(bu["code"], bu[col]):
            r = rec.loc[code, col]
            if isinstance(r, str):
                assert v == r, (code, col)  # padding kept
            elif r is None or pd.isna(r):
                assert v == "", (code, col)  # null stays empty, never 0
            else:
                assert float(v) == float(r), (code, col)
            checked += 1
    assert checked > 132 * 20
    for key in UNPUBLISHED_KEYS:  # not published in March 2021: null in every row, not shipped at all
        assert rec[key].isna().all() and key not in bu.columns
    gm = pd.read_csv(DATA_DIR / "cbs_kwb/kwb_2020_84799NED_gemeente_population_nl.csv", dtype=str)
    assert len(gm) == 355 and "AantalInwoners_5" not in gm.columns  # those come from the Wijk- en buurtkaart
    row = gm[gm["Codering_3"].str.strip() == "GM0935"].iloc[0]
    assert int(row["k_0Tot15Jaar_8"]) == rec.loc["GM0935", "k_0Tot15Jaar_8"]


# ------------------------------------------------------------------------------------ the default app

def test_bijstand_ao_ww_per_1000_for_2020_equal_recorded_counts(built_db):
    """Acceptance: Nazareth and Pottenberg bijstand per 1.000 inwoners 2020 = recorded count / population × 1000."""
    from loaders.repository import load_inputs
    from metrics import export
    from metrics.catalog import load
    from metrics.compute import Engine

    rec = recorded_rows()
    eng = Engine(load_inputs(built_db), load())
    table = export.table(eng, load())
    for code in (NAZARETH, POTTENBERG, "WK093504", "GM0935", "GM0917", "NL01"):
        r = rec.loc[code]
        pop = r["AantalInwoners_5"]
        # AO and WW: of the population that can receive them, 15 to 65 (issue 25)
        pop15 = r["k_15Tot25Jaar_9"] + r["k_25Tot45Jaar_10"] + r["k_45Tot65Jaar_11"]
        for mid, key, den in (("bijstand_per_1000", "PersonenPerSoortUitkeringBijstand_83", pop),
                              ("ao_per_1000", "PersonenPerSoortUitkeringAO_84", pop15),
                              ("ww_per_1000", "PersonenPerSoortUitkeringWW_85", pop15)):
            res = eng.value(mid, code, 2020)
            assert res.value == pytest.approx(r[key] / den * 1000), (mid, code)
            assert res.method == "berekend" and res.sources == ("84799NED",)
            got = table[(table.metric_id == mid) & (table.area_code == code) & (table.year == 2020)]["value"]
            assert got.tolist() == [pytest.approx(res.value)]  # the export has the same figure
    assert eng.value("bijstand_per_1000", NAZARETH, 2020).value == pytest.approx(250 / 3150 * 1000)
    assert eng.value("bijstand_per_1000", POTTENBERG, 2020).value == pytest.approx(260 / 2485 * 1000)


def test_unpublished_2020_columns_stay_missing(built_db):
    from loaders.repository import load_inputs
    from metrics.catalog import load
    from metrics.compute import Engine

    n = query("SELECT COUNT(*) AS n FROM observation_rows WHERE year = 2020 AND area_code LIKE 'BU%' "
              "AND variable_code IN (" + ",".join(f"'{v}'" for v in UNPUBLISHED_2020) + ")", url=built_db)["n"].iloc[0]
    assert n == 0
    eng = Engine(load_inputs(built_db), load())
    for mid in ("inkomen_per_inwoner", "huishoudens_sociaal_minimum", "huishoudens_laag_inkomen",
                "opleidingsniveau_laag", "huurwoningen"):
        for code in (NAZARETH, POTTENBERG):
            res = eng.value(mid, code, 2020)
            assert not res.present and res.value is None and res.status == "ontbreekt", (mid, code)
    # a small buurt whose benefit counts CBS did not publish: missing, never 0
    res = eng.value("bijstand_per_1000", "BU09350301", 2020)  # Bosscherveld, 35 inwoners
    assert res.value is None and res.status == "ontbreekt"


def test_no_cell_has_two_sources(built_db):
    dup = query("SELECT area_code, year, variable_code, age_group, COUNT(*) AS n FROM observation_rows "
                "GROUP BY area_code, year, variable_code, age_group HAVING COUNT(*) > 1", url=built_db)
    assert dup.empty, dup.head()
    src = query("SELECT o.source_key, COUNT(*) AS n FROM observation_rows o WHERE o.year = 2020 AND "
                "o.variable_code = 'AantalInwoners' GROUP BY o.source_key", url=built_db).set_index("source_key")["n"]
    # buurten/wijken of Maastricht and Heerlen + NL, gemeenten, and the other buurten of the country (issue 25:
    # their populations are the base of a comparison buurt's standard error); the duplicate check above holds
    assert set(src.index) == {"84799NED-buurt", "84799NED-gemeente", "84799NED-buurt-nl-bevolking"}


def test_trend_shows_2020_and_2024_each_with_its_own_source(built_db):
    from loaders.repository import load_inputs
    from metrics.catalog import load
    from metrics.compute import Engine

    eng = Engine(load_inputs(built_db), load())
    for code in (NAZARETH, POTTENBERG):
        by_year = {r.year: r for r in eng.series("inwoners", code) if r.present}
        assert by_year[2020].sources == ("84799NED",) and by_year[2024].sources == ("85984NED",)
        assert by_year[2020].value == recorded_rows().loc[code, "AantalInwoners_5"]
        assert by_year[2020].value != by_year[2024].value
        kids = {r.year: r for r in eng.series("jeugd_0_15", code) if r.present}
        assert {2020, 2024} <= set(kids) and kids[2020].sources == ("84799NED",)


# ------------------------------------------------------------------------------------ refresh on real responses

@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return _helpers().copy_db(request, tmp_path)


@pytest.fixture
def recorded():
    """Recorded responses first; what was not recorded (e.g. the 85984NED data set) from the built fixtures."""
    srv = _helpers().server_module().RecordedCbs(root=V3, page_size=10_000,
                                                 fallback=(V4, _helpers().ODATA)).start()
    yield srv
    srv.stop()


def test_refresh_of_recorded_84799ned(db, recorded, tmp_path):
    summary = refresh.run(db, tables=["84799NED"], endpoints=recorded.endpoints(), cache_dir=tmp_path / "c", derive=DERIVE, wanted=WANTED)
    t = summary.tables[0]
    assert t["modified"] == "2021-03-26T02:00:00"  # the recorded TableInfos
    m = t["mapping"]
    assert m["PersonenPerSoortUitkeringBijstand_83"] == "PersonenPerSoortUitkeringBijstand"
    assert m["PersonenPerSoortUitkeringAO_84"] == "PersonenPerSoortUitkeringAO"
    assert m["AantalInwoners_5"] == "AantalInwoners" and m["GemiddeldInkomenPerInwoner_72"] == "GemiddeldInkomenPerInwoner"
    # the real WijkenEnBuurten array (17,341 padded records) came in two pages of the v3 envelope
    assert recorded.count("84799NED", "WijkenEnBuurten") == 2
    rec = recorded_rows()
    for code in (NAZARETH, POTTENBERG, "GM0935", "NL01"):
        for key in ("AantalInwoners_5", "PersonenPerSoortUitkeringBijstand_83", "PersonenPerSoortUitkeringWW_85"):
            got = _helpers().obs(db, code, statline_key(key), 2020, source_like="84799NED-odata")
            assert got["value"].tolist() == [float(rec.loc[code, key])], (code, key)
    names = query("SELECT code, name FROM areas WHERE code IN (:a, :b)", {"a": NAZARETH, "b": "WK093504"}, url=db)
    assert dict(zip(names["code"], names["name"]))[NAZARETH] == "Nazareth"
    # not published in March 2021: no rows at all from this table (and the gemeente income stays the kaart's)
    got = query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key = '84799NED-odata' AND variable_code IN ("
                + ",".join(f"'{v}'" for v in UNPUBLISHED_2020) + ")", url=db)["n"].iloc[0]
    assert got == 0
    inc = _helpers().obs(db, "GM0935", "GemiddeldInkomenPerInwoner", 2020)
    assert inc["value"].tolist() == [26.3] and inc["source_key"].tolist() == ["84799NED-gemeente"]
    dup = query("SELECT o.area_code, o.year, o.variable_code, o.age_group, COUNT(*) AS n FROM observation_rows o "
                "JOIN sources s ON s.source_key = o.source_key WHERE s.table_id = '84799NED' "
                "GROUP BY o.area_code, o.year, o.variable_code, o.age_group HAVING COUNT(*) > 1", url=db)
    assert dup.empty


def test_recorded_84799_dataproperties_keys_and_capitals():
    props = json.loads((V3_84799 / "DataProperties.json").read_text(encoding="utf-8"))["value"]
    assert len(props) == 157 and props[0]["odata.type"] == "Cbs.OData.GeoDetail"
    keys = {p["Key"] for p in props}
    assert "NettoArbeidsparticipatie_67" in keys and "IndelingswijzigingWijkenEnBuurten_4" in keys
    reg = registry()
    m20, w20 = refresh.map_columns(props, {"Nettoarbeidsparticipatie", "AantalInwoners"}, reg)
    assert m20 == {"NettoArbeidsparticipatie_67": "Nettoarbeidsparticipatie", "AantalInwoners_5": "AantalInwoners"}
    assert any("andere hoofdletters" in w for w in w20)
    p24 = json.loads((V3 / "opendata.cbs.nl/ODataFeed/odata/85984NED/DataProperties.json").read_text(encoding="utf-8"))
    m24, w24 = refresh.map_columns(p24, {"Nettoarbeidsparticipatie"}, reg)
    assert m24 == {"Nettoarbeidsparticipatie_78": "Nettoarbeidsparticipatie"} and w24 == []
    # padded strings in the data set are read as codes and names, not values
    rows = recorded_rows()
    assert rows.loc[NAZARETH, "Gemeentenaam_1"] == "Maastricht".ljust(40)
    assert rows.loc[NAZARETH, "SoortRegio_2"] == "Buurt     "


def test_refresh_with_recorded_85984ned_metadata(db, recorded, tmp_path):
    summary = refresh.run(db, tables=["85984NED"], endpoints=recorded.endpoints(), cache_dir=tmp_path / "c", derive=DERIVE, wanted=WANTED)
    t = summary.tables[0]
    assert t["modified"].startswith("2025-03-27")  # the recorded TableInfos (cbsodata's bare value list)
    src = query("SELECT notes, title FROM sources WHERE source_key = '85984NED-odata'", url=db).iloc[0]
    assert "2025-03-27" in src["notes"]
    assert t["mapping"]["GemiddeldInkomenPerInwoner_83"] == "GemiddeldInkomenPerInwoner"
    assert t["mapping"]["PersonenPerSoortUitkeringBijstand_94"] == "PersonenPerSoortUitkeringBijstand"
    assert _helpers().obs(db, NAZARETH, "AantalInwoners", 2024, source_like="85984NED-odata")["value"].tolist() == [3140.0]


# ------------------------------------------------------------------------------------ StatLine CSV import (2019)

def test_import_of_recorded_2019_statline_csv_for_another_gemeente(db, capsys):
    """The real 84583NED export of 's-Gravenhage: quoted, padded, '       .' for suppressed, UTF-8 BOM, keys."""
    from wijkmonitor.__main__ import main

    path = REC / "statline/marginal_distributions_TheHague_2019_84583NED.csv"
    raw = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    raw["code"] = raw["Codering_3"].str.strip()
    raw = raw.set_index("code")
    assert main(["import", str(path), "--url", db]) == 0
    out = capsys.readouterr().out
    assert "84583NED" in out and "(2019)" in out
    for code in ("BU05182718", "WK051827", "GM0518"):
        for key in ("AantalInwoners_5", "k_0Tot15Jaar_8", "HuishoudensTotaal_28", "GemiddeldInkomenPerInwoner_72"):
            got = _helpers().obs(db, code, statline_key(key), 2019, source_like="84583NED-import%")
            assert got["value"].tolist() == [float(raw.loc[code, key].strip())], (code, key)
    dots = raw.index[raw["GemiddeldInkomenPerInwoner_72"].str.strip() == "."]
    assert len(dots) > 0
    for code in dots[:5]:
        got = _helpers().obs(db, code, "GemiddeldInkomenPerInwoner", 2019, source_like="84583NED-import%")
        assert got["status"].tolist() == ["geheim"] and got["value"].isna().all()
    # negative median wealth is a real published value
    neg = raw.index[raw["MediaanVermogenVanParticuliereHuish_82"].str.strip().str.startswith("-")]
    got = _helpers().obs(db, neg[0], "MediaanVermogenVanParticuliereHuish", 2019, source_like="84583NED-import%")
    assert got["value"].iloc[0] < 0
    # the shipped 2019 gemeente figure of GM0518 is superseded, not doubled
    assert len(_helpers().obs(db, "GM0518", "AantalInwoners", 2019)) == 1


def test_import_bad_value_names_row_and_column_and_changes_nothing(db, tmp_path):
    from loaders.statline_import import import_file

    path = REC / "statline/marginal_distributions_TheHague_2019_84583NED.csv"
    lines = path.read_bytes().split(b"\n")
    cells = lines[5].split(b";")
    cells[6] = b'"   12a45"'  # AantalInwoners_5 of the 5th data row
    lines[5] = b";".join(cells)
    bad = tmp_path / "84583NED_bad.csv"
    bad.write_bytes(b"\n".join(lines))
    before = _helpers().snapshot(db)
    with pytest.raises(LoadError) as err:
        import_file(db, bad, derive=DERIVE, wanted=WANTED)
    assert err.value.row == 6 and err.value.column == "AantalInwoners_5" and "12a45" in str(err.value)
    assert _helpers().snapshot(db) == before


# ------------------------------------------------------------------------------------ OData 4

def test_title_key_reproduces_cbs_keys():
    assert odata4.title_key("0 tot 15 jaar") == "k_0Tot15Jaar"
    assert odata4.title_key("Huish. onder of rond sociaal minimum") == "HuishOnderOfRondSociaalMinimum"
    assert odata4.title_key("Totaal diefstal uit woning/schuur/e.d.") == "TotaalDiefstalUitWoningSchuurED"
    assert odata4.title_key("Twee-onder-één-kap-woning") == "TweeOnderEenKapWoning"
    assert odata4.title_key("Gemiddeld inkomen per inwoner\xa0") == "GemiddeldInkomenPerInwoner"


def test_v4_measurecodes_map_the_same_variables_as_v3_dataproperties():
    measures = json.loads((V4_83765 / "MeasureCodes.json").read_text(encoding="utf-8"))["value"]
    assert len(measures) == 103
    props = json.loads((_helpers().ODATA / "opendata.cbs.nl/ODataFeed/odata/83765NED/DataProperties.json")
                       .read_text(encoding="utf-8"))["value"]
    reg, wanted = registry(), variables_to_load(WANTED)
    v3, _ = refresh.map_columns(props, wanted, reg)
    assert len(v3) >= 12
    # the v3 fixture lists only the topics whose figures are in data/: the same wanted set gives the same variables
    same, w_same = odata4.map_measures(measures, set(v3.values()), reg)
    assert sorted(same.values()) == sorted(v3.values()) and w_same == []
    v4, w4 = odata4.map_measures(measures, wanted, reg)
    assert set(v3.values()) <= set(v4.values()) and w4 == []  # all by the title-derived key, none by title
    assert v4["T001036"] == "AantalInwoners" and v4["10680"] == "k_0Tot15Jaar" and v4["M000224"] == "GemiddeldInkomenPerInwoner"
    assert v4["CRI3000"] == "GeweldsEnSeksueleMisdrijven"
    # v4 also offers the benefit counts of 2017 (not in the v3 fixture built from data/)
    allv4, _ = odata4.map_measures(measures, wanted | {"PersonenPerSoortUitkeringAO"}, reg)
    assert allv4["D006837"] == "PersonenPerSoortUitkeringAO"


def test_refresh_by_odata4_loads_the_same_values_as_v3(db, recorded, tmp_path):
    s4 = refresh.run(db, tables=["83765NED"], endpoints=recorded.endpoints(), cache_dir=tmp_path / "c4", odata=4, derive=DERIVE, wanted=WANTED)
    assert recorded.count("83765NED", "Observations") == 1 and recorded.count("83765NED", "TypedDataSet") == 0
    t = s4.tables[0]
    assert t["modified"] == "2020-11-06T00:00:00+01:00" and t["mapping"]["T001036"] == "AantalInwoners"
    src = query("SELECT file_name, notes FROM sources WHERE source_key = '83765NED-odata'", url=db).iloc[0]
    assert src["file_name"] == "https://odata4.cbs.nl/CBS/83765NED/Observations" and "OData 4" in src["notes"]
    v4 = query("SELECT area_code, variable_code, value, status FROM observation_rows WHERE source_key = '83765NED-odata' "
               "ORDER BY area_code, variable_code", url=db)
    # the same table through v3 (fixture built from data/), into a second copy of the database
    k17 = _helpers().kwb_csv("kwb_2017_83765NED_buurt_subset_maastricht_heerlen.csv").set_index("WijkenEnBuurten")
    got = _helpers().obs(db, NAZARETH, "GemiddeldInkomenPerInwoner", 2017, source_like="83765NED-odata")
    assert got["value"].tolist() == [float(k17.loc[NAZARETH, "GemiddeldInkomenPerInwoner_66"])] == [17.7]
    v3_batch = _v3_batch(tmp_path)
    exp = v3_batch.observations.sort_values(["area_code", "variable_code"]).reset_index(drop=True)
    assert len(v4) == len(exp)
    assert v4["area_code"].tolist() == exp["area_code"].tolist()
    assert v4["variable_code"].tolist() == exp["variable_code"].tolist()
    assert v4["status"].tolist() == exp["status"].tolist()
    pd.testing.assert_series_equal(v4["value"].astype(float), exp["value"].astype(float), check_names=False)


def _v3_batch(tmp_path):
    srv = _helpers().server_module().RecordedCbs().start()
    try:
        client = refresh.CbsClient(srv.endpoints())
        spec = refresh.resolve_tables(["83765NED"])[0]
        f = refresh.fetch(client, spec, refresh.scope_prefixes(refresh.DEFAULT_GEMEENTEN),
                          variables_to_load(WANTED), registry(), tmp_path / "c3")
        return refresh.parse_fetched(f, registry(), variables_to_load(WANTED))
    finally:
        srv.stop()


def test_v3_gone_falls_back_to_odata4(db, recorded, tmp_path):
    recorded.gone = {("83765NED", "*")}
    summary = refresh.run(db, tables=["83765NED"], endpoints=recorded.endpoints(), cache_dir=tmp_path / "c", derive=DERIVE, wanted=WANTED)
    assert recorded.count("83765NED", "Observations") == 1
    assert any("OData 4" in w for w in summary.warnings)
    assert _helpers().obs(db, NAZARETH, "AantalInwoners", 2017, source_like="83765NED-odata")["value"].iloc[0] > 0


def test_odata4_http_error_is_reported_and_changes_nothing(db, tmp_path):
    """v3 gone and the v4 Observations missing (404): a Dutch error naming the table, database unchanged."""
    shutil_root = tmp_path / "v4"
    shutil.copytree(V4, shutil_root)
    (shutil_root / "odata4.cbs.nl/CBS/83765NED/Observations.json").unlink()
    srv = _helpers().server_module().RecordedCbs(root=V3, fallback=(shutil_root,))
    srv.gone = {("83765NED", "*")}
    srv.start()
    before = _helpers().snapshot(db)
    try:
        with pytest.raises(refresh.RefreshError) as err:
            refresh.run(db, tables=["83765NED"], endpoints=srv.endpoints(), cache_dir=tmp_path / "c", derive=DERIVE, wanted=WANTED)
    finally:
        srv.stop()
    assert "83765NED" in str(err.value) and "niets gewijzigd" in str(err.value) and "404" in str(err.value)
    assert _helpers().snapshot(db) == before


def test_odata4_bad_value_names_row_and_column(db, tmp_path):
    root = tmp_path / "v4"
    shutil.copytree(V4, root)
    path = root / "odata4.cbs.nl/CBS/83765NED/Observations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["value"][6]["Value"] = "12a"
    path.write_text(json.dumps(data), encoding="utf-8")
    srv = _helpers().server_module().RecordedCbs(root=root).start()
    before = _helpers().snapshot(db)
    try:
        with pytest.raises(LoadError) as err:
            refresh.run(db, tables=["83765NED"], endpoints=srv.endpoints(), cache_dir=tmp_path / "c", odata=4, derive=DERIVE, wanted=WANTED)
    finally:
        srv.stop()
    assert err.value.file == "83765NED/Observations" and err.value.row == 7 and err.value.column == "Value"
    assert "'12a' is geen getal" in str(err.value)
    assert _helpers().snapshot(db) == before


def test_recorded_v4_format_reference(tmp_path):
    """CBSOData4.jl's recorded beta-odata4 answers: Observations with Id/Measure/ValueAttribute, quarterly periods
    (not a year: a clear error naming row and column), MeasureCodes and Dimensions."""
    fmt = REC / "v4format"
    m5 = json.loads((fmt / "meta_5.json").read_text(encoding="utf-8"))["value"]
    assert odata4.measure_props(m5)[0]["Key"] == "Ziekteverzuimpercentage"
    d = tmp_path / "80072ned"
    d.mkdir()
    (d / "Properties.json").write_bytes((fmt / "meta_7.json").read_bytes())
    (d / "MeasureCodes.json").write_text(json.dumps(m5), encoding="utf-8")
    dims = json.loads((fmt / "meta_6.json").read_text(encoding="utf-8"))["value"]
    (d / "Dimensions.json").write_text(json.dumps(dims), encoding="utf-8")
    (d / "RegionCodes.json").write_text("[]", encoding="utf-8")
    obs = json.loads((fmt / "meta_3.json").read_text(encoding="utf-8"))["value"]
    assert set(obs[0]) == {"Id", "Value", "Measure", "BedrijfskenmerkenSBI2008", "ValueAttribute", "Perioden"}
    for o in obs:  # the only change: this table's region-less rows put in a region column for the parser
        o["WijkenEnBuurten"] = "NL00"
    (d / "Observations.json").write_text(json.dumps(obs), encoding="utf-8")
    spec = refresh.TableSpec("80072NED", "other", "CBS")
    f = refresh.Fetched(spec, d, {"fetched_at": "2026-01-01T00:00:00+00:00", "geo": "WijkenEnBuurten",
                                  "prefixes": ["NL"]}, True, 0.0)
    reg = {**registry(), "Ziekteverzuimpercentage": {"title": "Ziekteverzuimpercentage", "unit": "%"}}
    with pytest.raises(LoadError) as err:
        odata4.parse_fetched(f, reg, {"Ziekteverzuimpercentage"})
    assert err.value.column == "Perioden" and err.value.row == 1 and "1996KW01" in str(err.value)


# ------------------------------------------------------------------------------------ freshness per pillar

def test_freshness_per_pillar(built_db):
    import datetime as dt

    from loaders.repository import load_inputs
    from metrics import releases
    from metrics.briefing import FOCUS_AREAS
    from metrics.catalog import load
    from metrics.compute import Engine

    cat = load()
    eng = Engine(load_inputs(built_db), cat)
    latest = releases.latest_period_by_source(eng)
    early = releases.freshness(eng, cat.metrics, FOCUS_AREAS, dt.date(2025, 1, 1), latest)
    late = releases.freshness(eng, cat.metrics, FOCUS_AREAS, dt.date(2026, 12, 1), latest)
    from wording.releases import freshness_sentence

    health = next(f for f in early["positieve_gezondheid"] if f.source == "50090NED")
    assert health.newest == 2020 and health.release.next_period == 2022  # 50120NED (metrics/releases.yaml)
    sentence = freshness_sentence(health, dt.date(2025, 1, 1))
    assert sentence.startswith("Gezondheid per buurt: nieuwste 2020; editie 2022 gepubliceerd, nog niet geladen "
                               "(50120NED, met betrouwbaarheidsintervallen); editie 2024 verwacht rond juni 2026 "
                               "(schatting)")
    assert sentence.endswith("— bijwerken via Data en methode")
    late_health = next(f for f in late["positieve_gezondheid"] if f.source == "50090NED")
    late_sentence = freshness_sentence(late_health, dt.date(2026, 12, 1))
    assert late_sentence.startswith("Gezondheid per buurt: nieuwste 2020; editie 2022 gepubliceerd, nog niet geladen "
                                    "(50120NED, met betrouwbaarheidsintervallen); editie 2024 al verwacht (schatting), "
                                    "nog niet geladen")
    # the new 2020 buurt figures make bestaanszekerheid per buurt current up to 2020 (was: 2017)
    kwb = next(f for f in early["bestaanszekerheid"] if releases.series_key(f.source) == "kwb")
    assert kwb.newest == 2020 and any("Bijstand" in a for a in kwb.adds)
    # an indicator a loaded edition did not measure does not make that edition 'not loaded'
    late_kwb = next(f for f in late["bestaanszekerheid"] if releases.series_key(f.source) == "kwb")
    assert "nieuwere jaargangen met inkomen" in freshness_sentence(late_kwb, dt.date(2026, 12, 1))
    walk = next(f for f in early["gelijke_kansen"] if f.source == "50090NED")
    assert walk.newest == 2016 and walk.release.next_period == 2022
    assert [s.edition.period for s in walk.pending] == [2022, 2024]  # 2020 is loaded (it did not measure walking)
    assert set(early) >= {"bestaanszekerheid", "positieve_gezondheid", "gelijke_kansen"}


@pytest.mark.parametrize("page", ["views/overzicht.py", "views/doelen.py"])
def test_pages_show_freshness_per_pillar(monkeypatch, subset_sqlite, page):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(HERE.parent / page), default_timeout=90)
    if page.endswith("doelen.py"):
        at.query_params["onderdeel"] = "Wanneer zien we vooruitgang?"  # the Doelen page builds only the open tab
    at.run()
    assert not at.exception
    text = " ".join([c.value for c in at.caption] + [m.value for m in at.markdown])
    assert "Gezondheid per buurt: nieuwste 2020; editie 2022 gepubliceerd, nog niet geladen (50120NED" in text
    assert "Kerncijfers per buurt: nieuwste 2020" in text  # bestaanszekerheid: bijstand/AO/WW 2020 per buurt
    assert "bijwerken via Data en methode" in text


def test_cli_refresh_odata4(db, recorded, tmp_path, capsys, monkeypatch):
    from wijkmonitor.__main__ import main

    for k, v in recorded.endpoints().items():
        monkeypatch.setitem(refresh.ENDPOINTS, k, v)
    rc = main(["refresh", "--url", db, "--tabel", "83765NED", "--odata", "4", "--cache", str(tmp_path / "c")])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert recorded.count("83765NED", "Observations") == 1 and recorded.count("83765NED", "TypedDataSet") == 0
    assert _helpers().obs(db, POTTENBERG, "AantalInwoners", 2017, source_like="83765NED-odata")["value"].iloc[0] > 0
