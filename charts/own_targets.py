"""The chart of a target on an own indicator (eigen meting): the measurements with their 95% intervals and the
target path, on a time axis in years (a quarter at its midpoint), so the straight path from baseline to target
stays straight whether the indicator is measured per year or per quarter."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import FONT_SIZE, own_measurement_layers
from .palette import GUIDE, TRAJECTORY

QUARTER_TICKS = 12  # up to this many quarters on the axis, each is labelled; beyond it, years


def own_target_chart(df: pd.DataFrame, path: pd.DataFrame, title: str, y_title: str, baseline_period: str,
                     height: int = 320, width: int | str = "container") -> alt.LayerChart:
    """``df``: models.own.trend's frame plus ``t`` (the period's midpoint in years); ``path``: periode, value, t of
    the target path (baseline, milestones, target)."""
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
    layers = [*own_measurement_layers(df, x, y_title, "periode:N"),
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
