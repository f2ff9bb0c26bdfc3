"""Wie doen er mee?: the participation register per buurt, month and age group, and the one-line summary
that Overzicht shows. One rule for the totals (metrics.participation.register_totals)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.codes import member_prefix
from loaders.config import FOCUS_AREAS, MAASTRICHT, SUPPRESS_BELOW
from metrics import fmt
from metrics.compute import Engine
from metrics.participation import SUPPRESSED, reached, register_totals, summarise, suppress

LABELS = {"buurt_code": "Buurt", "maand": "Maand", "leeftijdsgroep": "Leeftijdsgroep",
          "dialoogsessies": "Dialoogsessies", "bewoners_bereikt": "Bewoners bereikt", "meemakers": "Meemakers",
          "activiteiten": "Activiteiten", "aandeel_bereikt": "Bereikt (% van de inwoners)"}
SOURCE = "Bron: participatieregister programma Veerkrachtige Wijken (eigen registratie); inwoners: CBS."


@dataclass(frozen=True)
class ParticipationModel:
    empty: bool
    totals: pd.DataFrame  # per buurt, shown (suppressed, Dutch labels)
    monthly: pd.DataFrame  # per buurt and month, shown
    by_age: pd.DataFrame | None  # per buurt and age group, shown (None when the register has no age groups)
    download: pd.DataFrame  # per buurt and month, suppressed, raw column names
    buurten: tuple[str, ...]  # the buurten an editor may enter figures for
    source: str = SOURCE


def population(eng: Engine, buurten) -> dict[str, float]:
    """Latest number of inhabitants per buurt (CBS), the base of 'aandeel bereikt'."""
    out = {}
    for b in buurten:
        r = eng.latest("inwoners", b)
        if r:
            out[b] = r.value
    return out


def maastricht_buurten(eng: Engine) -> tuple[str, ...]:
    """The buurten of the programme's gemeente, by name."""
    prefix = member_prefix(MAASTRICHT, "buurt")
    return tuple(sorted((c for c, lv in eng.level.items() if lv == "buurt" and c.startswith(prefix)), key=eng.name))


def _show(eng: Engine, t: pd.DataFrame) -> pd.DataFrame:
    t = suppress(t)
    if "buurt_code" in t:
        t["buurt_code"] = t["buurt_code"].map(eng.name)
    if "aandeel_bereikt" in t:
        t["aandeel_bereikt"] = [fmt.value(v, "%") if v is not None and v == v else "—" for v in t["aandeel_bereikt"]]
    return t.rename(columns=LABELS)


def participation_model(eng: Engine, register: pd.DataFrame) -> ParticipationModel:
    buurten = maastricht_buurten(eng)
    if register.empty:
        e = pd.DataFrame()
        return ParticipationModel(True, e, e, None, e, buurten)
    pop = population(eng, buurten)
    per_month = register_totals(register)
    totals = summarise(per_month, pop, ["buurt_code"])
    monthly = summarise(per_month, pop, ["buurt_code", "maand"])
    ages = register[register["leeftijdsgroep"] != "totaal"]
    by_age = _show(eng, summarise(ages, pop, ["buurt_code", "leeftijdsgroep"])) if not ages.empty else None
    return ParticipationModel(False, _show(eng, totals), _show(eng, monthly), by_age, suppress(monthly), buurten)


def reach_line(eng: Engine, register: pd.DataFrame, areas=FOCUS_AREAS) -> str | None:
    """'Nazareth: 80 bewoners bereikt; Pottenberg: <10 bewoners bereikt' (None when nothing is registered)."""
    if register.empty:
        return None
    tot = reached(register, population(eng, areas), areas).set_index("buurt_code")
    parts = []
    for code in areas:
        n = int(tot.loc[code, "bewoners_bereikt"]) if code in tot.index else 0
        parts.append(f"{eng.name(code)}: {SUPPRESSED if n < SUPPRESS_BELOW else fmt.number(n, 0)} bewoners bereikt")
    return "; ".join(parts)
