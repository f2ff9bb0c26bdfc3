"""Dutch number and date formatting (1.234,5; 22 november 2026).

Hand-written rather than Babel's nl_NL locale (issue 11, item 6; measured 1 December 2026 with Babel 2.18
in a scratch directory, not installed): dates are identical for 1,429 weekly dates 2000–2027, and numbers
agree for 20,000 random values except exact halves (Babel rounds the decimal text half-even: 0,05 → '0,0',
1.234,55 → '1.234,6'; Python rounds the binary float: '0,1', '1.234,5'), which would change published figures;
Babel is also ~16× slower per call (12,7 µs against 0,8 µs) and not a dependency today.
"""
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
    """A value with its unit, Dutch style: '25,3%', '€ 17.700' (unit 'x 1.000 euro', published to one
    decimal: whole hundreds of euros), '3.140'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    d = decimals_for(unit)
    n = number(x, d)
    if unit == "%":
        return f"{n}%"
    if unit == "x 1.000 euro":
        return f"€ {euros(x)}"
    if unit == "aantal":
        return n
    return f"{n} {unit}"


def euros(thousands: float) -> str:
    """A value in thousands of euros (published to one decimal) in whole euros: 17,7 → '17.700'."""
    return number(round(float(thousands), 1) * 1000, 0)


def delta(x, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING_TEXT
    d = decimals_for(unit)
    s = signed(x, d)
    if unit == "%":
        return f"{s} procentpunt"
    if unit == "x 1.000 euro":
        return f"{s[0]}€ {euros(abs(x))}"
    if unit == "aantal":
        return s
    return f"{s} {unit}"


def date(d: dt.date | dt.datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def datetime(d: dt.datetime) -> str:
    return f"{date(d)} {d:%H:%M}"
