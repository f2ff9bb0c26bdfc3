"""`python -m wijkmonitor refresh`: the real cbsodata/requests code path against recorded CBS responses.

The recorded responses (tests/fixtures/cbs/odata) are built from the real figures in data/ by
tests/fixtures/cbs/make_fixtures.py and served over HTTP by a local server, so only the transport differs
from opendata.cbs.nl / dataderden.cbs.nl.
"""
from __future__ import annotations

import json
import socket
import threading
import time

import pandas as pd
import pytest

from loaders import refresh
from loaders.cbs import variables_to_load
from loaders.db import query
from loaders.sources import statline_key
from tests.cbs_fixtures import DERIVE, WANTED, cbs_helpers

helpers = cbs_helpers()
RecordedCbs = helpers.server_module().RecordedCbs

TABLES = ["83765NED", "84799NED", "85984NED", "50090NED"]
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return helpers.copy_db(request, tmp_path)


@pytest.fixture
def cbs():
    server = RecordedCbs(page_size=200).start()  # small pages: the client must follow odata.nextLink
    yield server
    server.stop()


def run(db, cbs, tmp_path, tables=TABLES, **kw):
    return refresh.run(db, tables=tables, endpoints=cbs.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED, **kw)


# ------------------------------------------------------------------------------------ provenance

def test_recorded_responses_are_built_from_data(tmp_path):
    """Every committed fixture equals what make_fixtures.py builds from data/ right now."""
    helpers.fixtures_module().generate(tmp_path)
    committed = sorted(p.relative_to(helpers.HERE) for p in helpers.HERE.glob("odata/**/*.json"))
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.glob("odata/**/*.json"))
    assert committed == fresh and len(committed) == 28
    for rel in committed:
        assert json.loads((helpers.HERE / rel).read_text()) == json.loads((tmp_path / rel).read_text()), rel
    for p in helpers.STATLINE.glob("*.csv"):
        assert p.read_bytes() == (tmp_path / "statline" / p.name).read_bytes(), p.name


# ------------------------------------------------------------------------------------ happy path

def test_refresh_loads_real_values_mapped_by_key_without_suffix(db, cbs, tmp_path):
    summary = run(db, cbs, tmp_path)
    assert [t["table_id"] for t in summary.tables] == TABLES
    mapping = {t["table_id"]: t["mapping"] for t in summary.tables}
    # different numeric suffixes, one variable
    assert mapping["83765NED"]["GemiddeldInkomenPerInwoner_66"] == "GemiddeldInkomenPerInwoner"
    assert mapping["84799NED"]["GemiddeldInkomenPerInwoner_72"] == "GemiddeldInkomenPerInwoner"
    assert mapping["85984NED"]["GemiddeldInkomenPerInwoner_83"] == "GemiddeldInkomenPerInwoner"
    assert mapping["83765NED"]["HuishoudensTotaal_28"] == mapping["85984NED"]["HuishoudensTotaal_29"] == "HuishoudensTotaal"
    assert mapping["50090NED"]["MoeiteMetRondkomen_38"] == "MoeiteMetRondkomen"

    k17 = helpers.kwb_csv("kwb_2017_83765NED_buurt_subset_maastricht_heerlen.csv").set_index("WijkenEnBuurten")
    k20 = helpers.kwb_csv("kwb_2020_wijkbuurtkaart_84799NED_gemeente_socioeconomic_nl.csv").set_index("GM_CODE")
    k24 = helpers.kwb_csv("kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv").set_index("WijkenEnBuurten")
    got = helpers.obs(db, NAZARETH, "GemiddeldInkomenPerInwoner", 2017, source_like="83765NED-odata")
    assert got["value"].iloc[0] == pytest.approx(float(k17.loc[NAZARETH, "GemiddeldInkomenPerInwoner_66"])) == 17.7
    got = helpers.obs(db, "GM0935", "GemiddeldInkomenPerInwoner", 2020, source_like="84799NED-odata")
    assert got["value"].iloc[0] == pytest.approx(float(k20.loc["GM0935", "GemiddeldInkomenPerInwoner_72"]))
    for code in (NAZARETH, POTTENBERG):
        got = helpers.obs(db, code, "HuishoudensTotaal", 2017, source_like="83765NED-odata")
        assert got["value"].iloc[0] == float(k17.loc[code, "HuishoudensTotaal_28"])
        got = helpers.obs(db, code, "HuishoudensTotaal", 2024, source_like="85984NED-odata")
        assert got["value"].iloc[0] == float(k24.loc[code, "HuishoudensTotaal_29"])
    assert helpers.obs(db, NAZARETH, "AantalInwoners", 2024)["value"].tolist() == [3140.0]
    # health: padded text of the UntypedDataSet, per age group
    h = pd.read_csv(refresh.HEALTH_NATIONAL.file.parent / "rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv",
                    dtype=str, keep_default_na=False)
    row = h[(h.regio_code == NAZARETH) & (h.jaar == "2020") & (h.leeftijd == "65+")].iloc[0]
    got = helpers.obs(db, NAZARETH, "Eenzaam", 2020, "65+", source_like="50090NED-odata")
    assert got["value"].iloc[0] == pytest.approx(float(row["Eenzaam_28"]))


def test_refresh_records_table_version_and_fetch_time(db, cbs, tmp_path):
    run(db, cbs, tmp_path, tables=["85984NED"])
    src = query("SELECT * FROM sources WHERE source_key = :k", {"k": "85984NED-odata"}, url=db).iloc[0]
    assert src["table_id"] == "85984NED" and src["title"] == "Kerncijfers wijken en buurten 2024"
    assert "tabelversie (Modified) 2000-01-01T00:00:00" in src["notes"]
    assert src["file_name"] == "https://opendata.cbs.nl/ODataFeed/odata/85984NED"
    assert len(src["file_sha256"]) == 64 and src["licence"] == "CC BY 4.0"
    assert pd.Timestamp(src["loaded_at"]).year >= 2024
    assert query("SELECT value FROM build_info WHERE key = 'refreshed_at'", url=db)["value"].iloc[0]


def test_typed_and_untyped_sets_and_paging(db, cbs, tmp_path):
    run(db, cbs, tmp_path)
    # KWB tables as TypedDataSet, health as UntypedDataSet (keeps '.' apart from empty), never both
    for t in ("83765NED", "84799NED", "85984NED"):
        assert cbs.count(t, "TypedDataSet") >= 1 and cbs.count(t, "UntypedDataSet") == 0
    assert cbs.count("50090NED", "UntypedDataSet") == 6 and cbs.count("50090NED", "TypedDataSet") == 0  # 1072 rows
    skips = [q.get("$skip") for p, q in cbs.requests if p.endswith("50090NED/UntypedDataSet")]
    assert skips == [None, "200", "400", "600", "800", "1000"]
    filt = next(q["$filter"] for p, q in cbs.requests if p.endswith("85984NED/TypedDataSet"))
    assert "startswith(WijkenEnBuurten,'BU0935')" in filt and "startswith(WijkenEnBuurten,'GM')" in filt
    sel = next(q["$select"] for p, q in cbs.requests if p.endswith("85984NED/TypedDataSet")).split(",")
    assert "GemiddeldInkomenPerInwoner_83" in sel and "Codering_3" in sel


def test_suppressed_cells(db, cbs, tmp_path):
    """'.' in the UntypedDataSet → geheim; null in the TypedDataSet → ontbreekt; never 0."""
    run(db, cbs, tmp_path)
    h = pd.read_csv(refresh.HEALTH_NATIONAL.file.parent / "rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv",
                    dtype=str, keep_default_na=False)
    dots = sum(int((h[c].str.strip() == ".").sum()) for c in h.columns if c.endswith(tuple(f"_{i}" for i in range(4, 39))))
    n = query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key = '50090NED-odata' AND status = 'geheim'",
              url=db)["n"].iloc[0]
    assert n == dots == 718
    k20 = helpers.kwb_csv("kwb_2020_wijkbuurtkaart_84799NED_gemeente_socioeconomic_nl.csv")
    empty = k20[k20["GemiddeldInkomenPerInwoner_72"].str.strip() == ""]["GM_CODE"].tolist()
    assert empty == ["GM0088", "GM0096", "GM0277"]
    for code in empty:
        got = helpers.obs(db, code, "GemiddeldInkomenPerInwoner", 2020, source_like="84799NED-odata")
        assert got["status"].tolist() == ["ontbreekt"] and got["value"].isna().all()
    bad = query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key LIKE '%-odata' AND status <> 'ok' "
                "AND value IS NOT NULL", url=db)["n"].iloc[0]
    assert bad == 0


def test_one_value_per_cell_per_table(db, cbs, tmp_path):
    """The refreshed copy supersedes the shipped extract of the same CBS table cell by cell."""
    before = query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key = '50090NED'", url=db)["n"].iloc[0]
    summary = run(db, cbs, tmp_path)
    assert summary.superseded > 0
    assert query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key = '50090NED'", url=db)["n"].iloc[0] < before
    dup = query("SELECT o.area_code, o.year, o.variable_code, o.age_group, s.table_id, COUNT(*) AS n "
                "FROM observation_rows o JOIN sources s ON s.source_key = o.source_key "
                "GROUP BY o.area_code, o.year, o.variable_code, o.age_group, s.table_id HAVING COUNT(*) > 1", url=db)
    assert dup.empty, dup.head()


# ------------------------------------------------------------------------------------ failures

def test_network_failure_midway_changes_nothing_and_next_run_resumes(db, cbs, tmp_path):
    before = helpers.snapshot(db)
    cbs.fail = {("85984NED", "TypedDataSet")}
    with pytest.raises(refresh.RefreshError) as err:
        run(db, cbs, tmp_path, tables=["83765NED", "84799NED", "85984NED"])
    msg = str(err.value)
    assert not isinstance(err.value, refresh.OfflineError)
    assert "85984NED (3 van 3)" in msg and "niets gewijzigd" in msg and "opnieuw" in msg
    assert helpers.snapshot(db) == before
    assert not list((tmp_path / "cache").glob("85984NED/*/*/_complete.json"))  # no half table in the cache
    assert not list((tmp_path / "cache").glob("85984NED/.tmp-*"))
    first = {t: cbs.count(t, "TypedDataSet") for t in ("83765NED", "84799NED")}

    cbs.fail = set()
    steps = []
    summary = run(db, cbs, tmp_path, tables=["83765NED", "84799NED", "85984NED"], progress=steps.append)
    assert summary.from_cache == ["83765NED", "84799NED"]
    assert {t: cbs.count(t, "TypedDataSet") for t in ("83765NED", "84799NED")} == first  # not fetched again
    firsts = [q for p, q in cbs.requests if p.endswith("85984NED/TypedDataSet") and "$skip" not in q]
    assert len(firsts) == 2  # the dropped request and the one of the second run (then 2 more pages)
    assert {s.stage for s in steps} >= {"start", "cached", "downloaded", "parsed", "writing", "done"}
    assert "uit tussenopslag" in " ".join(s.message for s in steps)
    assert helpers.obs(db, NAZARETH, "AantalInwoners", 2024, source_like="85984NED-odata")["value"].tolist() == [3140.0]


def test_offline_fails_fast_and_changes_nothing(db, tmp_path):
    before = helpers.snapshot(db)
    port = helpers.closed_port()
    eps = {"CBS": f"http://127.0.0.1:{port}/opendata.cbs.nl", "RIVM": f"http://127.0.0.1:{port}/dataderden.cbs.nl"}
    t0 = time.perf_counter()
    with pytest.raises(refresh.OfflineError) as err:
        refresh.run(db, endpoints=eps, cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
    assert time.perf_counter() - t0 < 5
    assert "Geen verbinding met het open-dataportaal van CBS" in str(err.value)
    assert "het dashboard werkt door" in str(err.value)
    assert helpers.snapshot(db) == before


def test_unresponsive_server_times_out(db, tmp_path):
    """A host that accepts the connection but never answers (captive portal, firewall) hits the time limit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    held = []
    threading.Thread(target=lambda: held.append(sock.accept()), daemon=True).start()
    eps = {"CBS": f"http://127.0.0.1:{sock.getsockname()[1]}/opendata.cbs.nl"}
    before = helpers.snapshot(db)
    t0 = time.perf_counter()
    with pytest.raises(refresh.OfflineError):
        refresh.run(db, tables=["85984NED"], endpoints=eps, cache_dir=tmp_path / "c", timeout=(1.0, 1.0), derive=DERIVE, wanted=WANTED)
    assert time.perf_counter() - t0 < 5
    assert helpers.snapshot(db) == before
    sock.close()


def test_failure_while_writing_rolls_back(db, cbs, tmp_path):
    before = helpers.snapshot(db)
    with pytest.raises(RuntimeError, match="test hook"):
        run(db, cbs, tmp_path, fail_after="write")
    assert helpers.snapshot(db) == before


def test_malformed_response_is_rejected_with_row_and_column(db, tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    path = root / "opendata.cbs.nl/ODataFeed/odata/83765NED/TypedDataSet.json"

    def mutate(data):
        data["value"][4]["Codering_3"] = "BU9935X"
        data["value"][4]["WijkenEnBuurten"] = "BU9935X   "
    helpers.edit_json(path, mutate)
    server = RecordedCbs(root=root).start()
    before = helpers.snapshot(db)
    try:
        with pytest.raises(refresh.LoadError) as err:
            refresh.run(db, tables=["83765NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
    finally:
        server.stop()
    assert err.value.file == "83765NED/TypedDataSet" and err.value.row == 5 and err.value.column == "Codering_3"
    assert "ongeldige gebiedscode 'BU9935X'" in str(err.value)
    assert helpers.snapshot(db) == before


def test_renamed_key_is_mapped_by_title(db, tmp_path):
    """CBS renames a key between years: the column is still found by its title in DataProperties."""
    root = helpers.copy_fixtures(tmp_path)
    d = root / "opendata.cbs.nl/ODataFeed/odata/83765NED"

    def props(data):
        for p in data["value"]:
            if p.get("Key") == "GemiddeldInkomenPerInwoner_66":
                p["Key"] = "GemInkomenPerInwoner_66"

    def rows(data):
        for r in data["value"]:
            r["GemInkomenPerInwoner_66"] = r.pop("GemiddeldInkomenPerInwoner_66")
    helpers.edit_json(d / "DataProperties.json", props)
    helpers.edit_json(d / "TypedDataSet.json", rows)
    server = RecordedCbs(root=root).start()
    try:
        summary = refresh.run(db, tables=["83765NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
    finally:
        server.stop()
    assert summary.tables[0]["mapping"]["GemInkomenPerInwoner_66"] == "GemiddeldInkomenPerInwoner"
    assert any("op titel" in w for w in summary.warnings)
    got = helpers.obs(db, NAZARETH, "GemiddeldInkomenPerInwoner", 2017, source_like="83765NED-odata")
    assert got["value"].tolist() == [17.7]


def test_new_cbs_version_is_fetched_again(db, tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    server = RecordedCbs(root=root).start()
    try:
        refresh.run(db, tables=["84799NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
        refresh.run(db, tables=["84799NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
        assert server.count("84799NED", "TypedDataSet") == 1  # same version: from the cache
        helpers.edit_json(root / "opendata.cbs.nl/ODataFeed/odata/84799NED/TableInfos.json",
                          lambda d: d["value"][0].update(Modified="2000-02-01T00:00:00"))
        summary = refresh.run(db, tables=["84799NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache", derive=DERIVE, wanted=WANTED)
    finally:
        server.stop()
    assert server.count("84799NED", "TypedDataSet") == 2 and summary.from_cache == []
    assert summary.tables[0]["modified"] == "2000-02-01T00:00:00"
    assert len(list((tmp_path / "cache").glob("84799NED/*/*/_complete.json"))) == 1  # old version pruned


# ------------------------------------------------------------------------------------ build policy

def test_build_does_not_silently_drop_refreshed_data(db, cbs, tmp_path):
    from wijkmonitor.statistics import build

    run(db, cbs, tmp_path, tables=["85984NED", "50090NED"])
    q = "SELECT COUNT(*) AS n, SUM(value) AS s FROM observation_rows WHERE source_key LIKE '%-odata'"
    applied = query(q, url=db)
    assert refresh.pending(db) == []
    build(db, national=False)
    assert refresh.pending(db) == []  # re-applied by the build itself, nothing left to do by hand
    assert refresh.status(db).set_index("source_key").loc["85984NED-odata", "in_database"]
    after = query(q, url=db)
    assert after["n"].iloc[0] == applied["n"].iloc[0] > 0
    assert after["s"].iloc[0] == pytest.approx(applied["s"].iloc[0])


def test_a_failed_build_keeps_the_refreshed_data(db, cbs, tmp_path):
    """The re-application is part of the build's one transaction: a build that fails after it changes nothing."""
    from wijkmonitor.statistics import build

    run(db, cbs, tmp_path, tables=["85984NED"])
    with pytest.raises(RuntimeError, match="simulated failure"):
        build(db, national=False, fail_after="observations")
    assert refresh.pending(db) == []
    assert helpers.obs(db, NAZARETH, "AantalInwoners", 2024, source_like="85984NED-odata")["value"].tolist() == [3140.0]


def test_build_reapplies_staged_batches_in_its_transaction(db, cbs, tmp_path):
    from wijkmonitor.statistics import build

    run(db, cbs, tmp_path, tables=["85984NED"])
    build(db, national=False)
    assert refresh.pending(db) == []
    assert helpers.obs(db, NAZARETH, "AantalInwoners", 2024, source_like="85984NED-odata")["value"].tolist() == [3140.0]


# ------------------------------------------------------------------------------------ units

def test_map_columns_on_real_metadata():
    from loaders.variables import registry

    props = json.loads((refresh.HEALTH_NATIONAL.file.parent.parent / "cbs_kwb/kwb_2024_85984NED_DataProperties.json")
                       .read_text(encoding="utf-8"))
    mapping, warnings = refresh.map_columns(props, variables_to_load(WANTED), registry())
    assert mapping["GemiddeldInkomenPerInwoner_83"] == "GemiddeldInkomenPerInwoner"
    assert mapping["IndelingswijzigingGemeenteWijkBuurt_4"] == "IndelingswijzigingGemeenteWijkBuurt"
    # 'Eenpersoonshuishoudens' is a count in 85984NED, the registry's variable of that title is a %: not mapped
    assert "Eenpersoonshuishoudens_30" not in mapping
    assert all(statline_key(k) == v for k, v in mapping.items())
    assert warnings == []


def test_discover_kwb_tables_from_catalog(cbs):
    found = refresh.CbsClient(cbs.endpoints()).discover_kwb()
    assert found == {y: refresh.KWB_TABLES[y] for y in (2017, 2019, 2020, 2024, 2025)}
    q = next(q for p, q in cbs.requests if p.endswith("ODataCatalog/Tables"))
    assert "Kerncijfers wijken en buurten" in q["$filter"]


def test_unknown_table_and_bad_gemeente_are_refused(db):
    with pytest.raises(refresh.RefreshError, match="Onbekende tabel"):
        refresh.run(db, tables=["12345XYZ"], derive=DERIVE, wanted=WANTED)
    with pytest.raises(refresh.RefreshError, match="Ongeldige gemeentecode"):
        refresh.run(db, tables=["85984NED"], gemeenten=["GM0935') or (1 eq 1"], derive=DERIVE, wanted=WANTED)


def test_cli_refresh_offline_and_status(db, tmp_path, capsys, monkeypatch):
    from wijkmonitor.__main__ import main

    port = helpers.closed_port()
    monkeypatch.setitem(refresh.ENDPOINTS, "CBS", f"http://127.0.0.1:{port}/opendata.cbs.nl")
    monkeypatch.setitem(refresh.ENDPOINTS, "RIVM", f"http://127.0.0.1:{port}/dataderden.cbs.nl")
    rc = main(["refresh", "--url", db, "--tabel", "85984NED", "--cache", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert rc == 3 and "Geen verbinding" in err and "niets gewijzigd" in err and "Traceback" not in err
    assert main(["refresh", "--url", db, "--status"]) == 0
    assert "Geen ververste" in capsys.readouterr().out
