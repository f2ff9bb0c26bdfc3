"""Pure Altair chart builders (no Streamlit). Each returns an `alt.Chart`/`alt.LayerChart`.

Lines break where a measurement is missing (never drawn through a gap); measurement years are points.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .palette import DASHES, GUIDE, TRAJECTORY, colour_for

FONT_SIZE = 14
DUTCH_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}


def dutch(chart):
    """Top-level configuration: Dutch number format (1.234,5) in axes and tooltips, no view border."""
    return chart.configure(locale={"number": DUTCH_FORMAT}).configure_view(strokeWidth=0)


def _segments(df: pd.DataFrame) -> pd.DataFrame:
    """Add a `segment` id per area that increments after every missing value, so lines break at gaps."""
    df = df.sort_values(["area_code", "year"]).copy()
    seg = []
    for _, g in df.groupby("area_code", sort=False):
        s, out = 0, []
        brk = g["break_before"] if "break_before" in g else [False] * len(g)
        for v, b in zip(g["value"], brk):
            if v is None or (isinstance(v, float) and np.isnan(v)) or bool(b):
                s += 1  # a gap or a boundary change: the line stops here
            out.append(s)
        seg.extend(out)
    df["segment"] = seg
    df["series"] = df["area_code"] + "-" + df["segment"].astype(str)
    return df


def trend_chart(df: pd.DataFrame, title: str, y_title: str, baseline_year: int | None = None,
                height: int = 320, width: int | str = "container", trajectory: pd.DataFrame | None = None,
                legend: bool = True) -> alt.LayerChart:
    """Line chart of `value` per `year` per area (columns from metrics.series.trend_frame)."""
    order = list(dict.fromkeys(df["area_name"]))
    codes = list(dict.fromkeys(df["area_code"]))
    data = _segments(df)
    colours = [colour_for(c, i) for i, c in enumerate(codes)]
    dashes = [DASHES.get(c, [1, 0]) for c in codes]
    years = sorted(data["year"].unique().tolist())
    x = alt.X("year:O", title="Jaar", sort=years, axis=alt.Axis(labelAngle=0, labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, format=",.1~f", tickCount=5))
    colour = alt.Color("area_name:N", title="Gebied", sort=order, scale=alt.Scale(domain=order, range=colours),
                       legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE,
                                         columns=3, labelLimit=260) if legend else None)
    dash = alt.StrokeDash("area_name:N", sort=order, scale=alt.Scale(domain=order, range=dashes), legend=None)
    tooltip = [alt.Tooltip("area_name:N", title="Gebied"), alt.Tooltip("year:O", title="Jaar"),
               alt.Tooltip("label:N", title="Waarde"), alt.Tooltip("source:N", title="Bron"),
               alt.Tooltip("note:N", title="Toelichting")]
    valid = data[data["value"].notna()]
    lines = alt.Chart(valid).mark_line(strokeWidth=3).encode(x=x, y=y, color=colour, strokeDash=dash,
                                                               detail="series:N")
    points = alt.Chart(valid).mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, tooltip=tooltip,
                                                                         shape=alt.Shape("area_name:N", sort=order, legend=None))
    layers = [lines, points]
    if trajectory is not None and not trajectory.empty:
        layers.append(alt.Chart(trajectory).mark_line(strokeDash=[8, 4], color=TRAJECTORY, strokeWidth=2)
                      .encode(x=alt.X("year:O", sort=years), y="value:Q",
                              tooltip=[alt.Tooltip("year:O", title="Jaar"), alt.Tooltip("value:Q", title="Doelpad", format=",.1f")]))
    if "break_before" in data and data["break_before"].any():
        brk = data[data["break_before"].astype(bool)][["year"]].drop_duplicates()
        brk["label"] = "indelingswijziging"
        layers.append(alt.Chart(brk).mark_rule(color=GUIDE, strokeDash=[2, 4]).encode(
            x=alt.X("year:O", sort=years), tooltip=[alt.Tooltip("label:N", title="Let op")]))
    subtitle = []
    if baseline_year is not None and baseline_year in years:
        base = pd.DataFrame({"year": [baseline_year], "label": [f"basisjaar {baseline_year}"]})
        layers.append(alt.Chart(base).mark_rule(color=GUIDE, strokeDash=[3, 3]).encode(
            x=alt.X("year:O", sort=years), tooltip=[alt.Tooltip("label:N", title="Basisjaar")]))
        subtitle.append(f"verticale stippellijn: basisjaar {baseline_year}")
    if trajectory is not None and not trajectory.empty:
        subtitle.append("blauwe streepjeslijn: doelpad")
    extra = {"subtitle": subtitle, "subtitleFontSize": FONT_SIZE - 1} if subtitle else {}
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, fontSize=FONT_SIZE + 2, anchor="start", **extra), height=height, width=width)


def own_measurement_layers(df: pd.DataFrame, x: alt.X, y_title: str, period_field: str) -> list:
    """The marks of own measurements per area (models.own.trend's frame) on the x axis ``x``: the 95% interval
    as a vertical rule, a line, and a point with its tooltip; withheld figures (no value) are no marks."""
    order = list(dict.fromkeys(df["area_name"]))
    codes = list(dict.fromkeys(df["area_code"]))
    colours = [colour_for(c, i) for i, c in enumerate(codes)]
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, format=",.1~f", tickCount=5))
    colour = alt.Color("area_name:N", title="Gebied", sort=order, scale=alt.Scale(domain=order, range=colours),
                       legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE,
                                         columns=3, labelLimit=260))
    tooltip = [alt.Tooltip("area_name:N", title="Gebied"), alt.Tooltip(period_field, title="Periode"),
               alt.Tooltip("label:N", title="Waarde"), alt.Tooltip("interval:N", title="Onzekerheid")]
    base = alt.Chart(df[df["value"].notna()])
    return [base.mark_rule(strokeWidth=2).encode(x=x, y="lower:Q", y2="upper:Q", color=colour),
            base.mark_line(strokeWidth=3).encode(x=x, y=y, color=colour),
            base.mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, tooltip=tooltip,
                                                          shape=alt.Shape("area_name:N", sort=order, legend=None))]


def own_trend_chart(df: pd.DataFrame, periods: list[str], title: str, y_title: str, height: int = 320,
                    width: int | str = "container") -> alt.LayerChart:
    """An own measurement per period per area (columns from models.own.trend): points joined by a line, each
    with its 95% interval as a vertical rule. ``periods`` in time order: quarters ('2025-K3') and years ('2025')
    sort on one axis by the order given, never alphabetically."""
    x = alt.X("periode:O", title="Periode", sort=list(periods),
              axis=alt.Axis(labelAngle=0, labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE))
    return alt.layer(*own_measurement_layers(df, x, y_title, "periode:O")).properties(
        title=alt.TitleParams(title, fontSize=FONT_SIZE + 2, anchor="start",
                              subtitle=["verticale streep: 95%-interval"], subtitleFontSize=FONT_SIZE - 1),
        height=height, width=width)
