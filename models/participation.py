"""Wie doen er mee?: the participation register per buurt, month and age group, and the one-line summary
that Overzicht shows. One rule for the totals (metrics.participation.register_totals)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.codes import member_prefix
from loaders.config import FOCUS_AREAS, MAASTRICHT, SUPPRESS_BELOW
from metrics import fmt
from metrics.compute import Engine
from metrics.participation import RATE, SECONDARY, SUPPRESSED, protected

LABELS = {"buurt_code": "Buurt", "maand": "Maand", "leeftijdsgroep": "Leeftijdsgroep",
          "dialoogsessies": "Dialoogsessies", "bewoners_bereikt": "Contacten met bewoners", "meemakers": "Meemakers",
          "activiteiten": "Activiteiten", RATE: "Contacten per 100 inwoners"}
# The register counts contacts per month (a resident who comes twice counts twice): never a share of persons.
CONTACTS_NOTE = ("Contacten: per maand geregistreerde bewoners opgeteld; wie vaker meedoet telt vaker mee. Daarom geen "
                 "percentage van de inwoners maar contacten per 100 inwoners (per leeftijdsgroep van die "
                 "leeftijdsgroep; alleen voor 65+ publiceert CBS precies die groep).")
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
    secondary: bool = False  # some cells are hidden as 'x' (metrics.participation.SECONDARY_NOTE)


def population(eng: Engine, buurten) -> dict:
    """Latest number of inhabitants per buurt (CBS), and per (buurt, '65+') the 65-plussers: the bases of the
    contacts per 100 inhabitants (the register's 0-17 and 18-64 have no exact CBS band)."""
    out: dict = {}
    for b in buurten:
        r = eng.latest("inwoners", b)
        if r:
            out[b] = r.value
        old = eng.latest("aandeel_65plus", b)
        if old is not None and old.numerator is not None:
            out[(b, "65+")] = old.numerator
    return out


def maastricht_buurten(eng: Engine) -> tuple[str, ...]:
    """The buurten of the programme's gemeente, by name."""
    prefix = member_prefix(MAASTRICHT, "buurt")
    return tuple(sorted((c for c, lv in eng.level.items() if lv == "buurt" and c.startswith(prefix)), key=eng.name))


def _show(eng: Engine, t: pd.DataFrame) -> pd.DataFrame:
    """A protected table (metrics.participation.protect) with names and Dutch labels."""
    t = t.copy()
    if "buurt_code" in t:
        t["buurt_code"] = t["buurt_code"].map(eng.name)
    if RATE in t:
        t[RATE] = [fmt.number(v, 1) if v is not None and v == v else "—" for v in t[RATE]]
    return t.rename(columns=LABELS)


def participation_model(eng: Engine, register: pd.DataFrame) -> ParticipationModel:
    buurten = maastricht_buurten(eng)
    if register.empty:
        e = pd.DataFrame()
        return ParticipationModel(True, e, e, None, e, buurten)
    pop = population(eng, buurten)
    totals, parts = protected(register, pop)
    by_age = _show(eng, parts["by_age"]) if "by_age" in parts else None
    secondary = any((t == SECONDARY).to_numpy().any() for t in (totals, *parts.values()))
    return ParticipationModel(False, _show(eng, totals), _show(eng, parts["monthly"]), by_age, parts["monthly"], buurten,
                              secondary=secondary)


def reach_line(eng: Engine, register: pd.DataFrame, areas=FOCUS_AREAS) -> str | None:
    """'Nazareth: 80 contacten met bewoners; Pottenberg: <10 contacten met bewoners' (None when nothing is
    registered)."""
    if register.empty:
        return None
    tot = protected(register, population(eng, areas))[0].set_index("buurt_code")
    parts = []
    for code in areas:
        n = tot.loc[code, "bewoners_bereikt"] if code in tot.index else 0
        shown = n if isinstance(n, str) else (SUPPRESSED if n < SUPPRESS_BELOW else fmt.number(n, 0))
        parts.append(f"{eng.name(code)}: {shown} contacten met bewoners")
    return "; ".join(parts)
