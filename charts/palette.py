"""Colour-blind-safe colours (Okabe-Ito for categories, viridis-like sequential for maps).

No red-for-bad: the palette carries identity (which area), never judgement.
"""
from __future__ import annotations

from loaders.config import FOCUS_AREAS, HEERLEN, MAASTRICHT, NEDERLAND

FOCUS_COLOURS = ("#0072B2", "#D55E00")  # the focus buurten in programme order (Nazareth: blue, Pottenberg: vermillion)
AREA_COLOURS = {
    **dict(zip(FOCUS_AREAS, FOCUS_COLOURS)),
    "FOCUS": "#CC79A7",       # reddish purple
    MAASTRICHT: "#000000",    # black
    "MAASTRICHT_REST": "#555555",
    NEDERLAND: "#009E73",     # bluish green
    HEERLEN: "#B07400",       # dark orange (Okabe-Ito #E69F00 darkened: 3.9:1 on white, WCAG 1.4.11)
    "HEERLEN_NOORD": "#2A8ACB",  # sky blue, darkened from #56B4E9 (2.3:1) to 3.8:1 on white
}
EXTRA = ["#332288", "#117733", "#882255", "#338877"]  # Tol muted (last one darkened): >= 3:1 on white
DASHES = {MAASTRICHT: [6, 3], NEDERLAND: [2, 2], "MAASTRICHT_REST": [6, 3], "HEERLEN_NOORD": [4, 2], HEERLEN: [4, 2]}

TRAJECTORY = "#01689B"  # the target path (doelpad) in a trend chart: 6.3:1 on white
GUIDE = "#4A4A4A"  # reference rules (baseline year, boundary change): 8.9:1 on white

# Sequential, colour-blind-safe (viridis, 5 classes), light to dark; missing is a neutral grey.
SEQUENTIAL = ["#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154"]
MISSING_RGB = [200, 200, 200]
FOCUS_OUTLINE_RGB = [0, 0, 0]


def colour_for(code: str, i: int = 0) -> str:
    return AREA_COLOURS.get(code, EXTRA[i % len(EXTRA)])


def hex_to_rgb(h: str) -> list[int]:
    h = h.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)]
