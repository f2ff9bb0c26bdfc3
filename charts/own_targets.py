"""The chart of a target on an own indicator (eigen meting): the measurements with their 95% intervals and the
target path, on a time axis in years (a quarter at its midpoint), so the straight path from baseline to target
stays straight whether the indicator is measured per year or per quarter."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import FONT_SIZE
from .palette import GUIDE, TRAJECTORY, colour_for

QUARTER_TICKS = 12  # up to this many quarters on the axis, each is labelled; beyond it, years


def own_target_chart(df: pd.DataFrame, path: pd.DataFrame, title: str, y_title: str, baseline_period: str,
                     height: int = 320, width: int | str = "container") -> alt.LayerChart:
    """``df``: models.own.trend's frame plus ``t`` (the period's midpoint in years); ``path``: periode, value, t of
    the target path (baseline, milestones, target)."""
    order = list(dict.fromkeys(df["area_name"]))
    codes = list(dict.fromkeys(df["area_code"]))
    colours = [colour_for(c, i) for i, c in enumerate(codes)]
    lo = int(min([*df["t"], *path["t"]]))
    hi = int(max([*df["t"], *path["t"]])) + 1
    quarterly = any("-K" in str(p) for p in [*df["periode"], *path["periode"]])
    if quarterly and (hi - lo) * 4 <= QUARTER_TICKS:  # a short span: every quarter, labelled '2025-K3'
        ticks = [y + (q - 0.5) / 4 for y in range(lo, hi) for q in range(1, 5)]
        label = "floor(datum.value) + '-K' + (floor((datum.value - floor(datum.value)) * 4) + 1)"
    else:  # the middle of a year, where a yearly figure stands
        ticks = [y + 0.5 for y in range(lo, hi, max(1, (hi - lo) // 10))]
        label = "'' + floor(datum.value)"
    x = alt.X("t:Q", title="Periode", scale=alt.Scale(domain=[lo, hi], nice=False),
              axis=alt.Axis(labelExpr=label, values=ticks, labelAngle=0, labelOverlap=True,
                            labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, format=",.1~f", tickCount=5))
    colour = alt.Color("area_name:N", title="Gebied", sort=order, scale=alt.Scale(domain=order, range=colours),
                       legend=alt.Legend(orient="bottom", labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE,
                                         columns=3, labelLimit=260))
    tooltip = [alt.Tooltip("area_name:N", title="Gebied"), alt.Tooltip("periode:N", title="Periode"),
               alt.Tooltip("label:N", title="Waarde"), alt.Tooltip("interval:N", title="Onzekerheid")]
    valid = df[df["value"].notna()]
    base = alt.Chart(valid)
    layers = [base.mark_rule(strokeWidth=2).encode(x=x, y="lower:Q", y2="upper:Q", color=colour),
              base.mark_line(strokeWidth=3).encode(x=x, y=y, color=colour),
              base.mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, tooltip=tooltip,
                                                            shape=alt.Shape("area_name:N", sort=order, legend=None)),
              alt.Chart(path).mark_line(strokeDash=[8, 4], color=TRAJECTORY, strokeWidth=2, point=True).encode(
                  x=x, y="value:Q", tooltip=[alt.Tooltip("periode:N", title="Periode"),
                                             alt.Tooltip("value:Q", title="Doelpad", format=",.1f")])]
    start = path[path["periode"] == baseline_period][["t"]].assign(label=f"basisperiode {baseline_period}")
    if not start.empty:
        layers.append(alt.Chart(start).mark_rule(color=GUIDE, strokeDash=[3, 3]).encode(
            x="t:Q", tooltip=[alt.Tooltip("label:N", title="Basis")]))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, fontSize=FONT_SIZE + 2, anchor="start",
                              subtitle=["verticale streep: 95%-interval · blauwe streepjeslijn: doelpad · "
                                        f"verticale stippellijn: basisperiode {baseline_period}"],
                              subtitleFontSize=FONT_SIZE - 1),
        height=height, width=width)
