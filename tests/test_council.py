"""Issue 22: what the council reads must be true and crisp — the release calendar, the headline date, the target
card, slide 1, units said once, Gelijke kansen's headline, the sentinel rule and the Data page's text.

Loader tests use the recorded CBS responses of tests/fixtures/cbs (built from data/). The one 50120NED response
below is MADE UP for the code path (its values are invented and are never shipped): it has the recorded OData v3
shape (UntypedDataSet, Marges MW00000 / MOG0095 / MBG0095) so that the refresh's handling of the published 95%
bounds is tested without a network.
"""
from __future__ import annotations

import json
import re
import shutil

import pytest

from loaders import refresh
from loaders.db import query
from loaders.errors import LoadError
from tests.cbs_fixtures import WANTED, cbs_helpers

helpers = cbs_helpers()
RecordedCbs = helpers.server_module().RecordedCbs
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"
SENTINEL = -99999999999


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return helpers.copy_db(request, tmp_path)


# ---------------------------------------------------------------------------------------------- 1. 50120NED bounds

# MADE UP for the code path (not a statistic): value, lower and upper bound of 'moeite met rondkomen', 18+, 2022.
MADE_UP_2022 = {"NL01": ("    17.0", "    16.8", "    17.2"), "GM0935": ("    20.0", "    19.1", "    20.9"),
                NAZARETH: ("    30.0", "    24.0", "    36.0"), POTTENBERG: ("    31.0", "    25.5", "    36.5")}
MARGES = (("MW00000", 0), ("MOG0095", 1), ("MBG0095", 2))


def made_up_50120(root):
    """A 50120NED table next to the recorded 50090NED one: its metadata (dimensions, topics) copied, title and
    periods of 50120NED, and UntypedDataSet rows for 2022 with the three Marges members (MADE-UP values)."""
    base = root / "dataderden.cbs.nl/ODataFeed/odata"
    src, dst = base / "50090NED", base / "50120NED"
    shutil.copytree(src, dst)
    for p in dst.glob("*.json"):
        p.write_text(p.read_text(encoding="utf-8").replace("50090NED", "50120NED"), encoding="utf-8")

    def infos(data):
        data["value"][0].update(Title="Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
                                ShortTitle="Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
                                Period="2012, 2016, 2020, 2022")
    helpers.edit_json(dst / "TableInfos.json", infos)
    helpers.edit_json(dst / "Perioden.json", lambda d: d["value"].append(
        {"Key": "2022JJ00", "Title": "2022", "Description": None, "Status": "Definitief"}))
    old = json.loads((src / "UntypedDataSet.json").read_text(encoding="utf-8"))["value"]
    proto = {r["Codering_3"]: r for r in old if r["Leeftijd"] == "20300"}
    rows = []
    for code, triple in MADE_UP_2022.items():
        for key, i in MARGES:
            r = {k: proto[code][k] for k in ("Leeftijd", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2",
                                              "Codering_3")}
            rows.append({"ID": len(rows), **r, "Marges": key, "Perioden": "2022JJ00",
                         "MoeiteMetRondkomen_38": triple[i]})
    helpers.edit_json(dst / "UntypedDataSet.json", lambda d: d.__setitem__("value", rows))


def test_refresh_of_50120NED_loads_the_published_bounds(db, tmp_path):
    root = helpers.copy_fixtures(tmp_path)
    made_up_50120(root)
    server = RecordedCbs(root=root).start()
    try:
        refresh.run(db, tables=["50120NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache",
                    wanted=WANTED)
    finally:
        server.stop()
    got = query("SELECT area_code, year, age_group, lower, upper FROM observation_margins "
                "WHERE source_key LIKE '50120NED%' AND variable_code = 'MoeiteMetRondkomen' ORDER BY area_code",
                url=db)
    assert sorted(got["area_code"]) == sorted(MADE_UP_2022)
    assert set(got["year"]) == {2022} and set(got["age_group"]) == {"18+"}
    naz = got[got["area_code"] == NAZARETH].iloc[0]
    assert (naz["lower"], naz["upper"]) == (24.0, 36.0)
    val = helpers.obs(db, NAZARETH, "MoeiteMetRondkomen", 2022, age="18+", source_like="50120NED%")
    assert val["value"].tolist() == [30.0]  # the value row (MW00000) is the observation, not a bound


# ---------------------------------------------------------------------------------------------- 7. sentinels (OData)

def test_odata_v3_sentinel_is_an_error_and_changes_nothing(db, tmp_path):
    """A TypedDataSet figure of -99999999999 is not 'geheim' (the typed set marks suppression with null)."""
    root = helpers.copy_fixtures(tmp_path)
    path = root / "opendata.cbs.nl/ODataFeed/odata/83765NED/TypedDataSet.json"

    def mutate(data):
        data["value"][3]["AantalInwoners_5"] = SENTINEL
    helpers.edit_json(path, mutate)
    server = RecordedCbs(root=root).start()
    before = helpers.snapshot(db)
    try:
        with pytest.raises(LoadError) as err:
            refresh.run(db, tables=["83765NED"], endpoints=server.endpoints(), cache_dir=tmp_path / "cache",
                        wanted=WANTED)
    finally:
        server.stop()
    assert err.value.file == "83765NED/TypedDataSet" and err.value.row == 4 and err.value.column == "AantalInwoners_5"
    assert "-99999999999" in str(err.value) and "geheim" in str(err.value)
    assert helpers.snapshot(db) == before


def test_odata4_sentinel_is_an_error_and_changes_nothing(db, tmp_path):
    from tests.test_recorded_cbs import V4

    root = tmp_path / "v4"
    shutil.copytree(V4, root)
    path = root / "odata4.cbs.nl/CBS/83765NED/Observations.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    row = next(i for i, r in enumerate(data["value"]) if isinstance(r.get("Value"), (int, float)))
    data["value"][row]["Value"] = SENTINEL
    path.write_text(json.dumps(data), encoding="utf-8")
    srv = RecordedCbs(root=root).start()
    before = helpers.snapshot(db)
    try:
        with pytest.raises(LoadError) as err:
            refresh.run(db, tables=["83765NED"], endpoints=srv.endpoints(), cache_dir=tmp_path / "c", odata=4,
                        wanted=WANTED)
    finally:
        srv.stop()
    # the measure's code names the column (as for every value check of an Observations answer), the row its line
    assert err.value.file == "83765NED/Observations" and err.value.column == data["value"][row]["Measure"]
    assert err.value.row == row + 1 and "-99999999999" in str(err.value)
    assert helpers.snapshot(db) == before
