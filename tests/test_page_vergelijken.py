"""The Vergelijken page runs headless (streamlit AppTest) on the real subset database."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.db import get_engine

PAGE = str(Path(__file__).resolve().parent.parent / "views" / "vergelijken.py")


@pytest.fixture
def app(subset_sqlite, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    get_engine.cache_clear()

    def run(**params) -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=90)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield run
    st.cache_data.clear()
    st.cache_resource.clear()


def _specs(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("vega_lite_chart")]


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


TAB_A, TAB_B, TAB_C = "Buurten van Maastricht", "Heerlen en Heerlen-Noord", "Vergelijkbare buurten in Nederland"


def test_page_renders_for_nazareth(app):
    at = app()
    assert at.title[0].value == "Vergelijken"
    # One comparison at a time: the first tab is open, the others are not computed.
    specs = _specs(at)
    assert len(specs) == 1  # the spread over the Maastricht buurten
    assert "Nazareth" in specs[0]  # the focus buurt is highlighted in the dot plot
    assert [h.value for h in at.header] == ["Nazareth tussen de buurten van Maastricht"]
    assert [t.label for t in at.tabs] == [TAB_A, TAB_B, TAB_C]
    text = _text(at)
    assert "Bron: CBS/RIVM, tabel 50090NED" in text
    # (b): engine labels against Heerlen and Heerlen-Noord, in the comparison table.
    at = app(vergelijking=TAB_B)
    assert [h.value for h in at.header] == ["Nazareth naast Heerlen en Heerlen-Noord"]
    assert len(_specs(at)) == 1
    heerlen = at.table[0].value
    assert "Nazareth t.o.v. Heerlen-Noord (benadering)" in heerlen.columns
    assert heerlen.loc["2020", "Nazareth"] == "25,3%"
    # (c): the matched buurten lie outside Maastricht (the subset holds Heerlen as the only other gemeente).
    at = app(vergelijking=TAB_C)
    assert [h.value for h in at.header] == ["Buurten elders in Nederland die op Nazareth lijken"]
    assert len(_specs(at)) == 2  # profile, movement
    assert "modelschatting RIVM" in _text(at)
    matches = at.table[0].value
    assert matches.iloc[0]["Gemeente"] == "Maastricht" and matches.index[0] == "Nazareth (focusbuurt)"
    assert set(matches.iloc[1:]["Gemeente"]) == {"Heerlen"}
    assert len(matches) == 11
    assert at.query_params["buurt"] in ("BU09350403", ["BU09350403"])


def test_page_follows_the_url(app):
    at = app(buurt="BU09350203", indicator="eenzaam", jaar="2016", profieljaar="2012")
    assert at.selectbox[0].value == "BU09350203"
    assert at.header[0].value == "Pottenberg tussen de buurten van Maastricht"
    assert any("Pottenberg" in s for s in _specs(at))
    at = app(buurt="BU09350203", indicator="eenzaam", jaar="2016", profieljaar="2012", vergelijking=TAB_C)
    assert "in 2012" in _text(at)  # the profile year from the URL
    assert at.table[0].value.index[0] == "Pottenberg (focusbuurt)"


def test_metric_without_national_data_asks_for_a_national_one(app):
    at = app(indicator="huishoudens_met_kinderen", vergelijking=TAB_C)
    assert any("niet voor alle buurten van Nederland beschikbaar" in i.value for i in at.info)
    labels = [s.label for s in at.selectbox]
    assert "Indicator voor de ontwikkeling" in labels
