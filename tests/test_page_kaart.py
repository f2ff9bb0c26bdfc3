"""The Kaart page run headless (streamlit AppTest) on the real-data fixture database."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders import repository, topology
from loaders.config import FOCUS_AREAS
from metrics import fmt
from charts import maps
from charts.palette import FOCUS_OUTLINE_RGB, MISSING_RGB
from ui import state

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "kaart.py")
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


@pytest.fixture
def app(subset_sqlite, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield lambda **params: _run(params)
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(params: dict) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    return at


def _map(at: AppTest) -> dict:
    """The Maastricht map: the page's Vega-Lite chart."""
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _buurten(spec: dict) -> list[dict]:
    """Properties of every buurt on the Maastricht map (its first layer)."""
    return [f["properties"] for f in spec["layer"][0]["data"]["values"]]


def test_default_map_has_all_44_buurten_and_the_focus(app):
    at = app()
    spec = _map(at)  # one chart: the Nederland tab is not built while it is closed
    recs = _buurten(spec)
    codes = {r["code"] for r in recs}
    assert len(codes) == 44 and all(c.startswith("BU0935") for c in codes)
    focus = spec["layer"][2]
    assert {f["properties"]["code"] for f in focus["data"]["values"]} == {NAZARETH, POTTENBERG}
    assert spec["layer"][-1]["mark"]["type"] == "text"  # the focus buurten's names (tested in test_maps)
    assert [t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]][0] == "Buurt"
    # Every buurt has a value for the default metric (moeite met rondkomen 2020): no grey.
    assert all(r["f"] != maps.rgb_hex(MISSING_RGB) for r in recs)
    # Legend with Dutch numbers beside the map, sentence, source line with table and map source.
    legend = next(m.value for m in at.markdown if "wm-legend" in m.value)
    assert "geen gegevens" in legend and "Donkerder = hoger percentage" in legend and "%" in legend
    assert any("voor 44 van de 44 buurten" in m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    assert "50090NED" in captions and "Wijk- en buurtkaart 2020" in captions and "peiljaar 2020" in captions
    # Text alternative: one row per buurt, drawn when its expander is opened (closed, it costs nothing).
    assert not at.dataframe
    at.session_state["x_tabel_bij_de_kaart_alle_buurten"] = True
    at.run()
    tables = [d.value for d in at.dataframe]
    assert any(len(t) == 44 and "Vergelijking met Maastricht" in t.columns for t in tables)


def test_metric_with_missing_buurten_shows_grey(app):
    at = app(indicator="woz_waarde", jaar="2025")
    recs = _buurten(_map(at))
    grey = [r for r in recs if r["f"] == maps.rgb_hex(MISSING_RGB)]
    assert len(grey) == 6 and all(r["v"] == "geen gegevens" for r in grey)
    legend = next(m.value for m in at.markdown if "wm-legend" in m.value)
    assert "geen gegevens <span style='color:#4a4a4a'>(6 buurten)" in legend
    assert "duizenden euro" in legend and re.search(r"\d+,\d – \d+,\d <span", legend)
    assert any("voor 38 van de 44 buurten" in m.value for m in at.markdown)


def test_changing_metric_and_year_in_the_page(app):
    at = app()
    at.selectbox(key="sel_indicator").set_value("eenzaam").run()
    assert not at.exception
    years = at.selectbox(key="sel_jaar").options
    assert years == ["2012", "2016", "2020"]
    at.selectbox(key="sel_jaar").set_value("2012").run()
    assert at.query_params["indicator"] == "eenzaam" and at.query_params["jaar"] == "2012"
    tip = [t["field"] for t in _map(at)["layer"][0]["encoding"]["tooltip"]]
    assert "Eenzaamheid (2012)" in tip


def test_buurt_choice_for_the_profile(app):
    at = app(buurt=POTTENBERG)
    buttons = [b.label for b in at.button]
    assert "Buurtprofiel van Pottenberg openen" in buttons


def _arrow(chart, name: str) -> pd.DataFrame:
    """A named dataset Streamlit sends as Arrow beside the spec."""
    ds = next(d for d in chart.proto.datasets if d.name == name)
    return pa.ipc.open_stream(ds.data.data).read_pandas()


def test_nederland_tab(app, subset_sqlite):
    at = app(weergave="Nederland", nl_indicator="eenzaam", nl_jaar="2020")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and not at.get("deck_gl_json_chart")  # no WebGL deck any more
    payload = charts[0].proto.spec
    assert len(payload.encode()) + sum(len(d.data.data) for d in charts[0].proto.datasets) < 1_000_000
    spec = json.loads(payload)
    areas = spec["layer"][0]
    # the shapes: the build's TopoJSON, as a static file when the server serves them, else inline
    src = areas["data"]
    if "url" in src:
        assert re.fullmatch(r"app/static/maps/buurten-[0-9a-f]{16}\.json", src["url"])
        topo = json.loads((state.STATIC_DIR / src["url"].removeprefix("app/static/")).read_text(encoding="utf-8"))
    else:
        topo = spec["datasets"][src["name"]]
    assert topo == json.loads(repository.map_topology(topology.NATIONAL_KEY, url=subset_sqlite))
    names = {g["id"]: g["properties"]["n"] for g in topo["objects"][topology.OBJECT]["geometries"]}
    assert len(names) > 9_500 and names[NAZARETH] == "Nazareth" and names[POTTENBERG] == "Pottenberg"
    # per buurt the published value as the table shows it, and the class colour
    lookups = [t for t in areas["transform"] if "lookup" in t]
    value_ds = next(t["from"]["data"]["name"] for t in lookups if t["from"]["fields"] == [maps.F_VALUE])
    rows = _arrow(charts[0], value_ds).set_index("code")
    vals = repository.national_values("Eenzaam", "18+", 2020, url=subset_sqlite).set_index("area_code")
    assert rows.loc[NAZARETH, maps.F_VALUE] == fmt.value(vals.loc[NAZARETH, "value"], "%")
    assert set(rows.index) <= set(names)
    # the focus buurten outlined (from the programme configuration)
    outline = spec["layer"][2]
    feats = spec["datasets"][outline["data"]["name"]] if "name" in outline["data"] else outline["data"]["values"]
    assert [f["id"] for f in feats] == list(FOCUS_AREAS)
    assert outline["mark"]["stroke"] == maps.rgb_hex(FOCUS_OUTLINE_RGB)
    legend = next(m.value for m in at.markdown if "wm-legend" in m.value)
    assert "geen gegevens" in legend and "buurtcode uit 2014 zonder cijfer" in legend
    # the focus buurten marked (ring and name) and said in words: the legend, the text and the chart's alternative
    names = [spec["datasets"][l["data"]["name"]] if "name" in l["data"] else l["data"]["values"]
             for l in spec["layer"] if l["mark"]["type"] == "text"]
    assert sorted(r["naam"] for rows in names for r in rows) == ["Nazareth"] * 2 + ["Pottenberg"] * 2  # halo + text
    assert "Zwarte ring met naam: Nazareth en Pottenberg." in legend
    naz = fmt.value(vals.loc[NAZARETH, "value"], "%")
    text = " ".join(m.value for m in at.markdown)
    assert f"Gemarkeerd op de kaart: Nazareth (Maastricht) {naz}; Pottenberg (Maastricht) " in text
    assert f"Nazareth (Maastricht) {naz}" in charts[0].proto.alt  # the map's accessible name
    info = " ".join(i.value for i in at.info)
    assert "buurten met cijfers staan er" in info and "2014" in info and "2020" in info
    captions = " ".join(c.value for c in at.caption)
    assert "50090NED" in captions and "gebiedsindelingen 2014" in captions
