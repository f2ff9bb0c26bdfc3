"""The full export for Dutch partners: Dutch column headers on the rounded table (metrics/export.py)."""
from __future__ import annotations

import pandas as pd

from metrics import export

HEADERS = {
    "area_code": "gebiedscode", "area_name": "gebied", "area_level": "niveau", "year": "jaar", "period": "periode",
    "metric_id": "indicator_id", "metric_label": "indicator", "pillar": "pijler", "value": "waarde", "lower": "ondergrens", "upper": "bovengrens",
    "unit": "eenheid", "base_population": "basispopulatie", "coverage": "dekking", "source": "bron",
    "note": "toelichting",
}


def dutch_table(df: pd.DataFrame) -> pd.DataFrame:
    """Rounded to each metric's published precision, with Dutch headers."""
    return export.rounded(df).rename(columns=HEADERS)


def dutch_csv(df: pd.DataFrame) -> bytes:
    """';' separator, decimal comma, Dutch headers, published precision (opens in columns in Dutch Excel)."""
    return export.to_csv_bytes(dutch_table(df), "nl")
