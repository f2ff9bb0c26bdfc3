"""Shared basics of the loaders: area codes, levels, names and the checks every source goes through.

The lowest layer of the loader package: it imports nothing of the project except the error type.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import LoadError

# Facts of the CBS code format (every CBS table and file), not of the programme: the one place in product code
# where a code literal may stand (the programme's own areas are in config/programme.toml, read by loaders.config).
NL_CODE = "NL01"  # Nederland
NL_CODE_STATLINE = "NL00"  # Nederland as StatLine's KWB tables and OData 4's region codes write it
CODE_RE = re.compile(rf"^({NL_CODE}|GM\d{{4}}|WK\d{{4}}[0-9A-Z]{{2}}|BU\d{{4}}[0-9A-Z]{{4}})$")  # Amsterdam uses letters
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
SOORT_TO_LEVEL = {"Land": "land", "Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}
AGE_GROUPS = {"18+", "18-64", "65+"}
TOTAL_AGE = "totaal"
MIN_YEAR, MAX_YEAR = 1990, 2100
# A source with at least this many gemeenten lists all of them (a national register).
NATIONAL_MIN_GEMEENTEN = 300

# Heerlen-Noord (Nationaal Programma Heerlen-Noord) approximated by CBS wijken: Hoensbroek (10-14),
# Heerlerheide (20-24), Schandelen-Grasbroek (31) and Meezenbroek-Schaesbergerveld (32).
HEERLEN_NOORD_WIJKEN = {"10", "11", "12", "13", "14", "20", "21", "22", "23", "24", "31", "32"}


def level_of(code: str) -> str:
    return LEVEL_BY_PREFIX[code[:2]]


def parent_of(code: str) -> str | None:
    lvl = level_of(code)
    if lvl == "buurt":
        return "WK" + code[2:8]
    if lvl == "wijk":
        return "GM" + code[2:6]
    if lvl == "gemeente":
        return NL_CODE
    return None


def gemeente_of(code: str) -> str | None:
    return None if code == NL_CODE else "GM" + code[2:6]


def member_prefix(gemeente: str, level: str) -> str:
    """The code prefix of a gemeente's wijken or buurten: ('GM0935', 'buurt') → 'BU0935'."""
    return {"wijk": "WK", "buurt": "BU"}[level] + gemeente[2:6]


def clean_name(name) -> str | None:
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = re.sub(r"^Wijk \d+\s+", "", str(name).strip())
    return s or None


def check_codes(codes: pd.Series, file: str, column: str, row_offset: int = 2) -> None:
    ok = codes.str.match(CODE_RE.pattern).fillna(False)
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        raise LoadError(file, f"ongeldige gebiedscode '{codes.iloc[pos]}' (verwacht NL01, GMxxxx, WKxxxxxx of BUxxxxxxxx)",
                        row=pos + row_offset, column=column)


def check_duplicates(df: pd.DataFrame, keys: list[str], file: str, row_offset: int = 2) -> None:
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        desc = ", ".join(f"{k}={df[k].iloc[pos]}" for k in keys)
        raise LoadError(file, f"dubbele rij ({desc})", row=pos + row_offset, column=keys[0])


def check_range(values: pd.Series, unit: str, file: str, column: str, row_offset: int = 2) -> None:
    v = values.to_numpy(dtype=float)
    if unit == "%":
        bad = (v < 0) | (v > 100)
        why = "percentage buiten 0-100"
    elif unit in {"aantal", "per 1 000 inwoners", "x 1 000 euro", "km", "ha", "aantal inwoners per km²"}:
        bad = v < 0
        why = "negatieve waarde"
    else:
        bad = np.zeros(len(v), dtype=bool)
        why = ""
    impossible = np.isinf(v) | (np.abs(np.nan_to_num(v, posinf=0, neginf=0)) > 1e12)
    bad = (bad & ~np.isnan(v)) | impossible
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        reason = "onmogelijke waarde" if impossible[pos] else why
        raise LoadError(file, f"{reason}: {values.iloc[pos]}", row=pos + row_offset, column=column)


