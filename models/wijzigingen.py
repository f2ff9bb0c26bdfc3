"""Wijzigingslog: every change to targets and programme figures (who, when, old and new value), and for editors
the sign-ins (who, when, outcome, from where)."""
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


@dataclass(frozen=True)
class SignInLogModel:
    table: pd.DataFrame  # empty when nobody signed in yet
    summary: str


def sign_in_model(log: pd.DataFrame, today: dt.date) -> SignInLogModel:
    """The sign-in log (loaders.signin) for editors: newest first, Dutch headings and dates."""
    if log.empty:
        return SignInLogModel(pd.DataFrame(), f"Nog geen aanmeldingen. Stand van {fmt.date(today)}.")
    failed = int((log["outcome"] != "gelukt").sum())
    table = pd.DataFrame({
        "Wanneer (UTC)": [fmt.datetime(pd.Timestamp(t).to_pydatetime()) for t in log["at"]],
        "Naam": log["user_name"], "Manier": log["method"], "Uitkomst": log["outcome"],
        "Adres": log["client"], "Server (replica)": log["replica"],
    })
    return SignInLogModel(table, f"De laatste {fmt.number(len(log), 0)} aanmeldingen en pogingen, waarvan "
                                 f"{fmt.number(failed, 0)} mislukt of geblokkeerd. Namen die geen account zijn, "
                                 f"staan er als '(onbekende naam)'. Stand van {fmt.date(today)}.")
