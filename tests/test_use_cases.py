"""The programme use cases the pages call (wijkmonitor.programme): what a target, a participation row or a deck
may name follows from the engine the page shows, not from sets the page assembles."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from loaders import auth, programme as store
from loaders.db import get_engine
from loaders.migrations import migrate_user_tables
from loaders.errors import LoadError
from metrics import slides as numbers
from metrics.store import engine as stored_engine
from wijkmonitor import programme

ACCOUNTS = {"pm": auth.hash_password("correct horse battery")}


@pytest.fixture(scope="module")
def editor():
    return auth.login_with_password("pm", "correct horse battery", ACCOUNTS)


@pytest.fixture()
def db(subset_sqlite, tmp_path):
    """A private copy of the subset database (the use cases write programme data)."""
    path = tmp_path / "copy.sqlite"
    src = Path(subset_sqlite.removeprefix("sqlite:///"))
    shutil.copy(src, path)
    url = f"sqlite:///{path}"
    with get_engine(url).begin() as conn:  # the programme data lives in its own file beside it: a fresh one
        migrate_user_tables(conn)
    return url


@pytest.fixture()
def eng(db):
    return stored_engine(db)


def _target(area: str, **kw) -> dict:
    return {"metric_id": "moeite_met_rondkomen", "area_code": area, "baseline_year": 2020, "baseline_value": 26.0,
            "target_value": 20.0, "target_year": 2030, "owner": "Team armoede", "rationale": "Minder geldzorgen",
            "action_link": None, **kw}


def test_a_target_names_an_area_and_metric_the_page_offers(db, eng, editor):
    areas = programme.target_area_codes(eng)
    focus, other = areas[0], next(c for c in areas if c.startswith("BU") and c not in areas[:2])
    tid = programme.create_target(db, editor, eng, _target(focus))
    programme.create_target(db, editor, eng, _target(other))
    heerlen_buurt = next(c for c, lv in eng.level.items() if lv == "buurt" and c not in areas)
    with pytest.raises(ValueError):
        programme.create_target(db, editor, eng, _target(heerlen_buurt))
    with pytest.raises(ValueError):
        programme.create_target(db, editor, eng, _target(focus, metric_id="bestaat_niet"))
    row = store.list_targets(db).set_index("id").loc[tid]
    v2 = programme.update_target(db, editor, eng, tid, int(row["version"]),
                                 {**{k: row[k] for k in programme.TARGET_FIELDS}, "target_value": 19.0})
    with pytest.raises(programme.ConflictError):  # a second save on the old version
        programme.update_target(db, editor, eng, tid, int(row["version"]),
                                {**{k: row[k] for k in programme.TARGET_FIELDS}, "target_value": 18.0})
    assert v2 == int(row["version"]) + 1
    assert len(store.list_targets(db)) == 2


def test_participation_names_a_buurt_of_the_gemeente(db, eng, editor):
    buurten = programme.participation_buurten(eng)
    assert buurten and all(eng.level[b] == "buurt" for b in buurten)
    ok = (f"buurt_code,maand,leeftijdsgroep,dialoogsessies,bewoners_bereikt,meemakers,activiteiten\n"
          f"{buurten[0]},2025-09,totaal,1,20,3,2\n").encode()
    assert programme.upload_participation(db, editor, eng, ok, "deelname.csv") == 1
    outside = next(c for c, lv in eng.level.items() if lv == "buurt" and c not in buurten)
    with pytest.raises(LoadError, match="buurt_code"):
        programme.add_participation(db, editor, eng, {"buurt_code": outside, "maand": "2025-10",
                                                      "leeftijdsgroep": "totaal", "dialoogsessies": 1,
                                                      "bewoners_bereikt": 1, "meemakers": 1, "activiteiten": 1})
    assert len(store.list_participation(db)) == 1


def test_a_deck_holds_only_slides_the_catalogue_knows(db, eng, editor):
    ctx = numbers.context(eng, dt.date(2026, 11, 22))
    from wording.slides import DEFAULT_DECK

    deck_id = programme.create_deck(db, editor, ctx, "Raad", DEFAULT_DECK[:2])
    with pytest.raises(ValueError):
        programme.create_deck(db, editor, ctx, "Onbekend", ["doel:999"])
    assert programme.update_deck(db, editor, ctx, deck_id, 1, "Raad", DEFAULT_DECK[:1]) == 2
    programme.delete_deck(db, editor, deck_id, 2)
