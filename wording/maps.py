"""The text alternative of the locator map: how many buurten, and where the focus buurten lie."""
from __future__ import annotations

import math

import pandas as pd

from metrics.briefing import FOCUS_AREAS


def _direction(dx: float, dy: float, extent: float) -> str:
    if math.hypot(dx, dy) < 0.15 * extent:
        return "in het midden"
    winds = ["het oosten", "het noordoosten", "het noorden", "het noordwesten", "het westen", "het zuidwesten",
             "het zuiden", "het zuidoosten"]
    ang = math.degrees(math.atan2(dy, dx)) % 360
    return "in " + winds[int(((ang + 22.5) % 360) // 45)]


def map_description(geoms: pd.DataFrame, indeling: int = 2020, focus=FOCUS_AREAS) -> str:
    """Text alternative of the map: how many buurten, and where the focus buurten lie (from the label points)."""
    if geoms is None or geoms.empty:
        return "Geen kaartgegevens beschikbaar."
    lon0, lat0 = geoms["label_lon"].mean(), geoms["label_lat"].mean()
    k = math.cos(math.radians(lat0))
    extent = max((geoms["label_lon"].max() - geoms["label_lon"].min()) * k,
                 geoms["label_lat"].max() - geoms["label_lat"].min()) / 2
    g = geoms.set_index("area_code")
    bits = []
    for code in focus:
        if code in g.index:
            r = g.loc[code]
            where = _direction((r["label_lon"] - lon0) * k, r["label_lat"] - lat0, extent)
            bits.append(f"{r['name']} ligt {where} van de stad")
    return (f"Kaart van de {len(geoms)} buurten van Maastricht (indeling {indeling}); "
            + ("; ".join(bits) + "." if bits else "de focusbuurten staan niet op de kaart."))


