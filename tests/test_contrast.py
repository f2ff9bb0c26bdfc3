"""WCAG 1.4.11 non-text contrast of the chart and map colours, computed with the WCAG relative-luminance formula.

Charts and maps are drawn on white (#FFFFFF, theme backgroundColor). What must reach 3:1 against its
background: every line/point colour of the charts (read from charts.palette and from the specs the builders in
charts.charts / charts.compare_charts return, never copied here), the focus outline of the maps, the borders of
the legend swatches. The five sequential map classes cannot all reach 3:1 against white and against
each other (no five-step scale can); the map is not the only carrier of the information: every map has a legend
with the class boundaries and counts, a table with every value and a summary sentence (tested in the browser
tests). That limit is written down in docs/accessibility.md; this test pins the numbers it states.
"""
from __future__ import annotations

import pytest

import pandas as pd

from charts import charts, compare_charts, maps, palette

WHITE = "#FFFFFF"


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_formula_against_known_pairs():
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the classic AA grey
    assert contrast("#717273", "#F3F6F9") == pytest.approx(4.44, abs=0.01)  # the caption measured by axe (issue 12)


CHART_COLOURS = {**palette.AREA_COLOURS, **{f"extra {i}": c for i, c in enumerate(palette.EXTRA)},
                 "doelpad": palette.TRAJECTORY, "hulplijnen": palette.GUIDE,
                 "andere buurten (vergelijken)": compare_charts.OTHER_BUURT,
                 "vergelijkbare buurten (vergelijken)": compare_charts.MATCH_GREY}


@pytest.mark.parametrize("name", sorted(CHART_COLOURS))
def test_chart_lines_and_points_reach_3_to_1_on_white(name):
    c = CHART_COLOURS[name]
    assert contrast(c, WHITE) >= 3.0, f"{name} {c}: {contrast(c, WHITE):.2f}:1 on white (WCAG 1.4.11 needs 3:1)"


def _spec_colours(node, out: set[str]) -> set[str]:
    """Every colour a Vega-Lite spec draws with: mark color/stroke/fill and the ranges of colour scales."""
    if isinstance(node, dict):
        for key, v in node.items():
            if key in ("color", "stroke", "fill") and isinstance(v, str) and v.startswith("#"):
                out.add(v.upper())
            elif key == "range" and isinstance(v, list) and all(isinstance(x, str) and x.startswith("#") for x in v):
                out.update(x.upper() for x in v)
            else:
                _spec_colours(v, out)
    elif isinstance(node, list):
        for v in node:
            _spec_colours(v, out)
    return out


def test_every_colour_a_trend_chart_draws_reaches_3_to_1():
    """The colours come from the built chart (lines, points, target path, baseline and boundary rules), so a new
    colour in charts.charts is checked without editing this test."""
    rows = [("BU1", "Focusbuurt", 2016, 10.0, False), ("BU1", "Focusbuurt", 2020, 12.0, True),
            ("GM0935", "Maastricht", 2016, 11.0, False), ("GM0935", "Maastricht", 2020, 11.5, True),
            ("NL01", "Nederland", 2016, 9.0, False), ("NL01", "Nederland", 2020, 9.5, True)]
    df = pd.DataFrame(rows, columns=["area_code", "area_name", "year", "value", "break_before"])
    df["label"] = df["source"] = df["note"] = ""
    path = pd.DataFrame({"year": [2016, 2020], "value": [10.0, 11.0]})
    spec = charts.trend_chart(df, "T", "%", baseline_year=2016, trajectory=path).to_dict()
    used = _spec_colours(spec, set())
    assert {palette.TRAJECTORY.upper(), palette.GUIDE.upper(), palette.colour_for("GM0935").upper()} <= used
    for c in used:
        assert contrast(c, WHITE) >= 3.0, f"{c}: {contrast(c, WHITE):.2f}:1 on white (WCAG 1.4.11 needs 3:1)"


def test_every_colour_for_an_area_is_covered():
    """colour_for() only hands out colours from AREA_COLOURS and EXTRA, all checked above."""
    for i in range(12):
        assert palette.colour_for(f"BU{i:08d}", i) in palette.EXTRA
    for code, c in palette.AREA_COLOURS.items():
        assert palette.colour_for(code) == c


def test_map_outlines_and_legend_swatches():
    black = maps.rgb_hex(palette.FOCUS_OUTLINE_RGB)
    assert contrast(black, WHITE) >= 3.0  # focus buurten: black outline (with a white halo) on the white page
    # The focus outline against the lightest three classes; against the two darkest the white halo (>= 7.5:1)
    # carries the edge.
    for c in palette.SEQUENTIAL[:3]:
        assert contrast(black, c) >= 3.0, c
    for c in palette.SEQUENTIAL[3:]:
        assert contrast(WHITE, c) >= 3.0, c
    # Legend swatches have a #555555 border: 7.5:1 on white, so every swatch is visible whatever its fill.
    assert contrast("#555555", WHITE) >= 3.0


def test_map_class_colours_as_documented():
    """The numbers docs/accessibility.md gives for the map classes (a known limit, see the module docstring)."""
    on_white = [round(contrast(c, WHITE), 2) for c in palette.SEQUENTIAL]
    assert on_white == [1.26, 2.1, 3.82, 7.59, 15.24]
    neighbours = [round(contrast(a, b), 2) for a, b in zip(palette.SEQUENTIAL, palette.SEQUENTIAL[1:])]
    assert min(neighbours) >= 1.6
    missing = maps.rgb_hex(palette.MISSING_RGB)
    assert round(contrast(missing, WHITE), 2) == 1.67


def test_chart_text_theme_is_enabled_and_readable():
    """Axis labels, titles and legends of every Altair chart (WCAG 1.4.3: 4.5:1 for their small text)."""
    import altair as alt

    from ui import components

    assert alt.theme.active == "wijkmonitor"
    cfg = alt.theme.get()()["config"]
    for part, key in (("axis", "labelColor"), ("axis", "titleColor"), ("legend", "labelColor"),
                      ("legend", "titleColor"), ("title", "color")):
        assert contrast(cfg[part][key], WHITE) >= 4.5, (part, key, cfg[part][key])
    assert contrast(cfg["axis"]["domainColor"], WHITE) >= 3.0
    assert contrast("#808495", WHITE) < 4.5  # Streamlit's default axis label colour, which the theme replaces
    assert components.CHART_TEXT == cfg["axis"]["labelColor"]
