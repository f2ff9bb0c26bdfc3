"""Pure Altair builders for the Vergelijken page (no Streamlit). Each returns an Altair chart.

Colours carry identity (which buurt), never judgement; palettes from charts/palette.py. Missing values are not drawn
(never plotted as 0); the page shows them in the text alternative as "geen gegevens".
"""
from __future__ import annotations

from typing import Sequence

import altair as alt
import pandas as pd

from metrics import fmt

from .palette import AREA_COLOURS, DASHES, colour_for

FONT_SIZE = 14
OTHER_BUURT = "#6B7B8C"  # neutral slate for "the other buurten" (not a judgement colour)
MATCH_GREY = "#8A8A8A"
BAND_GREY = "#E3E7EB"
DUTCH_LOCALE = alt.Locale(number=alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["€ ", ""]))


def _finish(chart):
    """Dutch number format on axes and tooltips, readable font sizes; the width follows the page, the height is
    the plot height (Streamlit's default 'fit' would squeeze legends and axes into it)."""
    return (chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
            .configure(locale=DUTCH_LOCALE)
            .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
            .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=320)
            .configure_view(strokeWidth=0))


def _axis_title(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit and unit != "aantal" else label


def _segments(df: pd.DataFrame, key: str) -> pd.Series:
    """A line id per area that changes after every missing value, so lines break at gaps (never bridge them)."""
    ids = pd.Series(index=df.index, dtype=object)
    for k, g in df.sort_values("jaar").groupby(key, sort=False):
        seg = 0
        for i, v in zip(g.index, g["waarde"]):
            if v is None or pd.isna(v):
                seg += 1
            ids[i] = f"{k}#{seg}"
    return ids


def _labelled(df: pd.DataFrame, unit: str, col: str = "waarde") -> pd.DataFrame:
    df = df.copy()
    df["label"] = [fmt.value(v, unit) for v in df[col]]
    return df


# ---------------------------------------------------------------------- (a) spread within the gemeente

def distribution_chart(df: pd.DataFrame, metric_label: str, unit: str, focus: str,
                       rules: Sequence[tuple[str, str, float | None]] = (), height: int = 220) -> alt.LayerChart:
    """Dot plot of every buurt (one dot each, stacked where values are close); no ranking, no order by value.

    `df`: area_code, buurt, waarde (None = missing, not drawn). `rules`: (label, area code for the colour, value)
    drawn as vertical reference lines (e.g. Maastricht, Nederland).
    """
    data = _labelled(df[df["waarde"].notna()], unit)
    focus_codes = [c for c in AREA_COLOURS if c.startswith("BU") and c in set(data["area_code"])]
    names = dict(zip(data["area_code"], data["buurt"]))
    roles, domain, colours = [], [], []
    ordered_focus = [focus] + [c for c in focus_codes if c != focus] if focus in names else focus_codes
    for c in ordered_focus:
        domain.append(names[c])
        colours.append(colour_for(c))
    domain.append("Andere buurten")
    colours.append(OTHER_BUURT)
    for c, n in zip(data["area_code"], data["buurt"]):
        roles.append(n if c in ordered_focus else "Andere buurten")
    data["rol"] = roles
    data["grootte"] = [260 if c == focus else (160 if c in ordered_focus else 110) for c in data["area_code"]]
    data["is_focus"] = data["area_code"].isin(ordered_focus)

    x = alt.X("waarde:Q", title=_axis_title(metric_label, unit), scale=alt.Scale(zero=False, nice=True))
    base = (alt.Chart(data)
            .transform_bin("klasse", "waarde", bin=alt.Bin(maxbins=45))
            .transform_window(stapel="row_number()", groupby=["klasse"], sort=[alt.SortField("is_focus"),
                                                                               alt.SortField("waarde")]))
    y = alt.Y("stapel:Q", axis=None, title=None, scale=alt.Scale(zero=False, padding=14))
    dots = base.mark_circle(opacity=0.9, stroke="#1A1A1A", strokeWidth=0.6).encode(
        x=x, y=y,
        color=alt.Color("rol:N", title="Buurt", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom")),
        size=alt.Size("grootte:Q", legend=None, scale=None),
        tooltip=[alt.Tooltip("buurt:N", title="Buurt"), alt.Tooltip("label:N", title="Waarde")],
    )
    # Only the chosen focus buurt gets a text label (the other one is identified by colour in the legend).
    label = base.transform_filter(alt.datum.area_code == focus).mark_text(
        dy=-18, fontSize=FONT_SIZE, fontWeight="bold", color=colour_for(focus)).encode(x=x, y=y, text="buurt:N")
    layers = [dots, label]
    rule_rows = [{"gebied": f"{lbl}: {fmt.value(v, unit)}", "code": code, "waarde": v}
                 for lbl, code, v in rules if v is not None]
    if rule_rows:
        rd = pd.DataFrame(rule_rows)
        dom = list(rd["gebied"])
        layers.insert(0, alt.Chart(rd).mark_rule(strokeWidth=2.5).encode(
            x=x,
            color=alt.Color("gebied:N", title="Referentie", scale=alt.Scale(
                domain=dom, range=[colour_for(c) for c in rd["code"]]), legend=alt.Legend(orient="bottom")),
            strokeDash=alt.StrokeDash("gebied:N", title="Referentie", scale=alt.Scale(
                domain=dom, range=[DASHES.get(c, [4, 2]) for c in rd["code"]]), legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("gebied:N", title="Referentie")]))
    chart = alt.layer(*layers).properties(height=height, width="container").resolve_scale(
        color="independent", strokeDash="independent")
    return _finish(chart)


# ---------------------------------------------------------------------- (b) reference areas over time

def reference_chart(df: pd.DataFrame, metric_label: str, unit: str, focus: str, height: int = 320) -> alt.LayerChart:
    """Lines over the years for the focus buurt and the reference areas (`df` from similar.reference_frame)."""
    data = _labelled(df, unit)
    drawn = data[data["waarde"].notna()]  # an area without any value gets no legend entry (the table says why)
    order = list(dict.fromkeys(drawn["gebied"]))
    codes = list(dict.fromkeys(drawn["area_code"]))
    colours = [colour_for(c, i) for i, c in enumerate(codes)]
    dashes = [DASHES.get(c, [1, 0]) for c in codes]
    years = sorted(int(y) for y in data["jaar"].unique())
    data["lijn"] = _segments(data, "area_code")
    valid = data[data["waarde"].notna()]
    x = alt.X("jaar:Q", title="Jaar", scale=alt.Scale(domain=[min(years) - 0.5, max(years) + 0.5], nice=False),
              axis=alt.Axis(values=years, format="d", labelAngle=0))
    y = alt.Y("waarde:Q", title=_axis_title(metric_label, unit), scale=alt.Scale(zero=False),
              axis=alt.Axis(tickCount=6))
    colour = alt.Color("gebied:N", title="Gebied", sort=order, scale=alt.Scale(domain=order, range=colours),
                       legend=alt.Legend(orient="bottom", columns=3))
    dash = alt.StrokeDash("gebied:N", sort=order, scale=alt.Scale(domain=order, range=dashes), legend=None)
    width = alt.StrokeWidth("dik:Q", scale=None, legend=None)
    valid = valid.assign(dik=[4.5 if c == focus else 2.2 for c in valid["area_code"]])
    tooltip = [alt.Tooltip("gebied:N", title="Gebied"), alt.Tooltip("jaar:Q", title="Jaar", format="d"),
               alt.Tooltip("label:N", title="Waarde"), alt.Tooltip("bron:N", title="Bron"),
               alt.Tooltip("toelichting:N", title="Toelichting")]
    lines = alt.Chart(valid).mark_line().encode(x=x, y=y, color=colour, strokeDash=dash, strokeWidth=width,
                                                detail="lijn:N")
    points = alt.Chart(valid).mark_point(filled=True, size=90).encode(
        x=x, y=y, color=colour, shape=alt.Shape("gebied:N", sort=order, legend=None), tooltip=tooltip)
    return _finish(alt.layer(lines, points).properties(height=height, width="container"))


# ---------------------------------------------------------------------- (c) profile match

def profile_chart(expl: pd.DataFrame, focus_values: dict[str, float], mean: dict[str, float], sd: dict[str, float],
                  variables: Sequence[tuple[str, str, str]], focus: str, focus_name: str,
                  row_height: int = 58) -> alt.VConcatChart:
    """Per profile trait: the similar buurten (grey dots), the focus buurt (coloured diamond) and the national
    mean ± one standard deviation (light band), so one sees that the matches sit close on every trait.

    `expl`: similar.explanation(); `variables`: (code, label, unit) in display order.
    """
    colour = colour_for(focus)
    rows = []
    for code, label, unit in variables:
        sub = expl[expl["variable"] == code]
        band = pd.DataFrame([{"lo": mean[code] - sd[code], "hi": mean[code] + sd[code], "gem": mean[code],
                              "label": f"landelijk gemiddelde {fmt.value(mean[code], unit)}, "
                                       f"standaardafwijking {fmt.number(sd[code], 1)}"}])
        fv = focus_values[code]
        focus_df = pd.DataFrame([{"buurt": focus_name, "waarde": fv, "label": fmt.value(fv, unit)}])
        pts = _labelled(sub[["buurt", "gemeente", "waarde"]], unit)
        lo = min([band["lo"].iloc[0], fv, *pts["waarde"].tolist()])
        hi = max([band["hi"].iloc[0], fv, *pts["waarde"].tolist()])
        pad = (hi - lo) * 0.05 or 1.0
        x = alt.X("waarde:Q", title=None, scale=alt.Scale(domain=[lo - pad, hi + pad], nice=False, zero=False),
                  axis=alt.Axis(tickCount=8))
        band_layer = alt.Chart(band).mark_bar(height=26, color=BAND_GREY).encode(
            x=alt.X("lo:Q", scale=alt.Scale(domain=[lo - pad, hi + pad], nice=False, zero=False), title=None),
            x2="hi:Q", tooltip=alt.Tooltip("label:N", title="Nederland"))
        mean_tick = alt.Chart(band).mark_tick(color="#4A4A4A", thickness=2, size=26).encode(
            x=alt.X("gem:Q", scale=alt.Scale(domain=[lo - pad, hi + pad], nice=False, zero=False)),
            tooltip=alt.Tooltip("label:N", title="Nederland"))
        match_pts = alt.Chart(pts).mark_circle(size=80, color=MATCH_GREY, opacity=0.75, stroke="#333333",
                                               strokeWidth=0.5).encode(
            x=x, tooltip=[alt.Tooltip("buurt:N", title="Buurt"), alt.Tooltip("gemeente:N", title="Gemeente"),
                          alt.Tooltip("label:N", title=label)])
        focus_pt = alt.Chart(focus_df).mark_point(shape="diamond", size=260, filled=True, color=colour,
                                                  stroke="#1A1A1A", strokeWidth=1).encode(
            x=x, tooltip=[alt.Tooltip("buurt:N", title="Focusbuurt"), alt.Tooltip("label:N", title=label)])
        rows.append(alt.layer(band_layer, mean_tick, match_pts, focus_pt)
                    .properties(title=alt.TitleParams(_axis_title(label, unit), anchor="start", fontSize=FONT_SIZE),
                                height=row_height, width="container"))
    return _finish(alt.vconcat(*rows, spacing=14))


def movement_chart(mv: pd.DataFrame, metric_label: str, unit: str, focus: str,
                   refs: pd.DataFrame | None = None, height: int = 340) -> alt.LayerChart:
    """The focus buurt (thick, coloured) and its similar buurten (thin grey lines) over the years.

    `mv`: similar.movement(); `refs`: optional reference lines (area_code, gebied, jaar, waarde), e.g. Nederland.
    """
    mv = mv.assign(lijn=_segments(mv, "area_code"))
    data = _labelled(mv[mv["waarde"].notna()], unit)
    years = sorted(int(y) for y in mv["jaar"].unique())
    x = alt.X("jaar:Q", title="Jaar", scale=alt.Scale(domain=[min(years) - 0.5, max(years) + 0.5], nice=False),
              axis=alt.Axis(values=years, format="d", labelAngle=0))
    y = alt.Y("waarde:Q", title=_axis_title(metric_label, unit), scale=alt.Scale(zero=False),
              axis=alt.Axis(tickCount=6))
    data["groep"] = ["Focusbuurt: " + b if r == "focus" else "Vergelijkbare buurten"
                     for b, r in zip(data["buurt"], data["rol"])]
    domain = [g for g in dict.fromkeys(sorted(data["groep"], key=lambda g: not g.startswith("Focus")))]
    rng = [colour_for(focus) if g.startswith("Focus") else MATCH_GREY for g in domain]
    dash_rng = [[1, 0] for _ in domain]
    if refs is not None and not refs.empty:
        refs = refs.assign(lijn=_segments(refs, "area_code"))
        r = _labelled(refs[refs["waarde"].notna()], unit)
        r = r.assign(groep=r["gebied"], buurt=r["gebied"], rol="referentie")
        for code, g in dict(zip(r["area_code"], r["gebied"])).items():
            domain.append(g)
            rng.append(colour_for(code))
            dash_rng.append(DASHES.get(code, [2, 2]))
        data = pd.concat([data, r[[c for c in data.columns if c in r.columns]]], ignore_index=True)
    data["dik"] = [4.5 if rl == "focus" else (2.5 if rl == "referentie" else 1.4) for rl in data["rol"]]
    colour = alt.Color("groep:N", title=None, scale=alt.Scale(domain=domain, range=rng),
                       legend=alt.Legend(orient="bottom", columns=3))
    dash = alt.StrokeDash("groep:N", scale=alt.Scale(domain=domain, range=dash_rng), legend=None)
    tooltip = [alt.Tooltip("buurt:N", title="Gebied"), alt.Tooltip("jaar:Q", title="Jaar", format="d"),
               alt.Tooltip("label:N", title="Waarde")]
    layers = []
    for role in ("vergelijkbaar", "referentie", "focus"):  # drawn in this order: the focus buurt on top
        part = data[data["rol"] == role]
        if part.empty:
            continue
        layers.append(alt.Chart(part).mark_line().encode(
            x=x, y=y, color=colour, strokeDash=dash, detail="lijn:N",
            strokeWidth=alt.StrokeWidth("dik:Q", scale=None)))
        layers.append(alt.Chart(part).mark_circle(size=90 if role == "focus" else 55, opacity=1).encode(
            x=x, y=y, color=colour, detail="buurt:N", tooltip=tooltip))
    return _finish(alt.layer(*layers).properties(height=height, width="container"))
