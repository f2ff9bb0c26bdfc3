"""Suppression survives arithmetic: no count under 10 in the participation register can be recovered by
subtracting what is shown (a total minus the other cells of its breakdown), on screen, in the download, in the
Overzicht line and on the slide. The differencing attack is run on every table of many registers."""
from __future__ import annotations

import io
import itertools
import random

import pandas as pd
import pytest

from metrics import export
from metrics.participation import COUNTS, RATE, SECONDARY, SUPPRESSED, protect, protected, summarise
from models.participation import participation_model, reach_line

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"
COLUMNS = ["buurt_code", "maand", "leeftijdsgroep", *COUNTS]


def _register(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


def _hidden(v) -> bool:
    return isinstance(v, str)


def attack(totals: pd.DataFrame, part: pd.DataFrame, key: str = "buurt_code") -> list[str]:
    """Every count a reader can recover exactly: a shown total minus the shown cells of a group in which exactly
    one cell is hidden. Returns what leaked (empty when nothing does)."""
    leaks = []
    tot = totals.set_index(key)
    for c in COUNTS:
        for g, rows in part.groupby(key):
            if g not in tot.index or _hidden(tot.loc[g, c]):
                continue
            hidden = [v for v in rows[c] if _hidden(v)]
            if len(hidden) == 1:
                shown = sum(float(v) for v in rows[c] if not _hidden(v))
                leaks.append(f"{g} {c}: {float(tot.loc[g, c]) - shown:g}")
    return leaks


def test_the_issue_cases_no_longer_leak():
    # Pottenberg: 47 in total, 38 in September, 9 in October (47 - 38 = 9)
    pot = _register([(POTTENBERG, "2026-09", "totaal", 3, 38, 12, 4), (POTTENBERG, "2026-10", "totaal", 1, 9, 10, 2)])
    totals, parts = protected(pot, {})
    monthly = parts["monthly"].set_index("maand")
    assert totals.iloc[0]["bewoners_bereikt"] == 47
    assert monthly.loc["2026-10", "bewoners_bereikt"] == SUPPRESSED
    assert monthly.loc["2026-09", "bewoners_bereikt"] == SECONDARY
    assert attack(totals, parts["monthly"]) == []
    # Nazareth: 64 in total, 12 and 45 in two age groups, 7 aged 65+ (64 - 12 - 45 = 7)
    naz = _register([(NAZARETH, "2026-09", "0-17", 1, 12, 10, 1), (NAZARETH, "2026-09", "18-64", 2, 45, 11, 2),
                     (NAZARETH, "2026-09", "65+", 1, 7, 10, 1)])
    totals, parts = protected(naz, {})
    by_age = parts["by_age"].set_index("leeftijdsgroep")
    assert by_age.loc["65+", "bewoners_bereikt"] == SUPPRESSED
    assert by_age.loc["0-17", "bewoners_bereikt"] == SECONDARY  # the smallest other cell
    assert by_age.loc["18-64", "bewoners_bereikt"] == 45
    assert attack(totals, parts["by_age"]) == []


def test_the_attack_finds_the_leak_without_secondary_suppression():
    """The check can fail: with primary suppression alone (the old rule) it recovers the 9."""
    pot = _register([(POTTENBERG, "2026-09", "totaal", 3, 38, 12, 4), (POTTENBERG, "2026-10", "totaal", 1, 9, 10, 2)])
    from metrics.participation import register_totals, suppress

    per_month = register_totals(pot)
    totals, monthly = suppress(summarise(per_month, {}, ["buurt_code"])), suppress(
        summarise(per_month, {}, ["buurt_code", "maand"]))
    assert attack(totals, monthly) == [f"{POTTENBERG} bewoners_bereikt: 9"]


def test_a_single_hidden_cell_that_is_the_whole_group_hides_the_total():
    # one month only, but the age breakdown has one cell under 10 and no other cell: the total goes too
    reg = _register([(NAZARETH, "2026-09", "65+", 1, 4, 10, 1), (NAZARETH, "2026-09", "totaal", 2, 30, 20, 2)])
    totals, parts = protected(reg, {})
    assert totals.iloc[0]["bewoners_bereikt"] == SECONDARY
    assert attack(totals, parts["by_age"]) == [] and attack(totals, parts["monthly"]) == []


def _random_register(rng: random.Random) -> pd.DataFrame:
    rows = []
    for b in (NAZARETH, POTTENBERG):
        months = [f"2026-{m:02d}" for m in range(1, rng.randint(2, 6))]
        for m, age in itertools.product(months, ("0-17", "18-64", "65+")):
            if rng.random() < 0.8:
                rows.append((b, m, age, *(rng.choice([rng.randint(0, 9), rng.randint(10, 60)]) for _ in COUNTS)))
    return _register(rows)


def test_differencing_attack_on_every_table_of_many_registers():
    rng = random.Random(42)
    tried = 0
    for _ in range(300):
        reg = _random_register(rng)
        if reg.empty:
            continue
        totals, parts = protected(reg, {NAZARETH: 1500.0, POTTENBERG: 1300.0})
        for name, part in parts.items():
            assert attack(totals, part) == [], (name, reg.to_dict("records"))
            hidden = part["bewoners_bereikt"].map(_hidden)
            assert part.loc[hidden, RATE].isna().all()  # no rate next to a hidden count
        tried += 1
    assert tried > 250


def test_page_download_overzicht_and_slide_carry_the_same_protection(subset_sqlite):
    from metrics import slides
    from metrics.store import engine as stored_engine
    from wording.slides import _participation_slide

    eng = stored_engine(subset_sqlite)
    reg = _register([(POTTENBERG, "2026-09", "totaal", 3, 38, 12, 4), (POTTENBERG, "2026-10", "totaal", 1, 9, 3, 2),
                     (NAZARETH, "2026-09", "totaal", 2, 50, 25, 3)])
    pm = participation_model(eng, reg)
    assert pm.secondary
    monthly = pm.monthly.set_index(["Buurt", "Maand"])
    assert monthly.loc[("Pottenberg", "2026-09"), "Contacten met bewoners"] == SECONDARY
    # the download (Dutch CSV) holds the same markers, so the attack fails there too
    csv = pd.read_csv(io.BytesIO(export.to_csv_bytes(pm.download)), sep=None, engine="python", dtype=str)
    pot = csv[csv.iloc[:, 0] == POTTENBERG]
    assert set(pot.iloc[:, 3]) == {SECONDARY, SUPPRESSED}
    assert "Pottenberg: 47 contacten met bewoners" in reach_line(eng, reg)
    # the slide: Pottenberg's meemakers (15 = 12 + 3) shown, 3 hidden; both buurten together would reveal nothing
    # new here, but with exactly one buurt's count hidden the combined number is left out
    ctx = slides.context(eng, pd.Timestamp("2026-12-01").date(), None, reg, {}, pd.DataFrame())
    slide = _participation_slide(ctx, "participatie")
    assert any(n.label == "Meemakers" for n in slide.numbers)
    reg2 = _register([(POTTENBERG, "2026-09", "totaal", 3, 38, 4, 4), (NAZARETH, "2026-09", "totaal", 2, 50, 25, 3)])
    slide2 = _participation_slide(slides.context(eng, pd.Timestamp("2026-12-01").date(), None, reg2, {},
                                                 pd.DataFrame()), "participatie")
    assert not any(n.label == "Meemakers" for n in slide2.numbers)  # 29 - 25 would be Pottenberg's 4
    assert all(n.value != "4" for n in slide2.numbers)


@pytest.mark.parametrize("n", [0, 9])
def test_protect_on_an_all_small_group_keeps_everything_hidden(n):
    totals = pd.DataFrame({"buurt_code": [NAZARETH], **{c: [n] for c in COUNTS}})
    part = pd.DataFrame({"buurt_code": [NAZARETH], "maand": ["2026-09"], **{c: [n] for c in COUNTS}})
    shown_totals, shown = protect(totals, {"m": part})
    assert (shown_totals[COUNTS] == SUPPRESSED).all(axis=None) and (shown["m"][COUNTS] == SUPPRESSED).all(axis=None)
