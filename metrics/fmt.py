"""Dutch number and date formatting (1.234,5; 22 november 2026)."""
from __future__ import annotations

import datetime as dt
import math

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december"]
MISSING_TEXT = "geen gegevens"


def number(x, decimals: int = 1, missing: str = MISSING_TEXT) -> str:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return missing
    s = f"{float(x):,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def signed(x, decimals: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING_TEXT
    sign = "+" if x > 0 else ("−" if x < 0 else "±")
    return sign + number(abs(x), decimals)


def decimals_for(unit: str) -> int:
    return 0 if unit in {"aantal"} else 1


def value(x, unit: str, missing: str = MISSING_TEXT) -> str:
    """A value with its unit, Dutch style: '25,3%', '17,7 duizend euro', '3.140'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    d = decimals_for(unit)
    n = number(x, d)
    if unit == "%":
        return f"{n}%"
    if unit == "x 1.000 euro":
        return f"€ {n} dzd"
    if unit == "aantal":
        return n
    return f"{n} {unit}"


def delta(x, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING_TEXT
    d = decimals_for(unit)
    s = signed(x, d)
    if unit == "%":
        return f"{s} procentpunt"
    if unit == "x 1.000 euro":
        return f"{s} duizend euro"
    if unit == "aantal":
        return s
    return f"{s} {unit}"


def date(d: dt.date | dt.datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def datetime(d: dt.datetime) -> str:
    return f"{date(d)} {d:%H:%M}"
