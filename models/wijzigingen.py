"""Wijzigingslog: every change to targets and programme figures (who, when, old and new value)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from metrics import fmt


@dataclass(frozen=True)
class ChangeLogModel:
    table: pd.DataFrame  # empty when nothing changed yet
    stand: str


def changelog_model(log: pd.DataFrame, today: dt.date) -> ChangeLogModel:
    if log.empty:
        return ChangeLogModel(pd.DataFrame(), f"Stand van {fmt.date(today)}.")
    return ChangeLogModel(pd.DataFrame({
        "Wanneer": [fmt.datetime(pd.Timestamp(t).to_pydatetime()) for t in log["at"]],
        "Wie": log["user_name"], "Tabel": log["table_name"], "Record": log["record_id"], "Actie": log["action"],
        "Oud": log["old_value"].fillna(""), "Nieuw": log["new_value"].fillna(""),
    }), f"Stand van {fmt.date(today)}.")
