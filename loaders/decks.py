"""Saved presentations (decks): a name and an ordered list of slide keys (see wording/slides.py).

Same rules as :mod:`loaders.programme`: every write takes a signed-in :class:`loaders.auth.Editor`, runs in
one transaction and is recorded in ``change_log`` (old and new value). Updates carry the version the editor
started from; if somebody else saved in between, :class:`ConflictError` is raised and nothing is written.
Anyone may read decks (and present them); only editors may save or delete them.
"""
from __future__ import annotations

import json
from typing import Iterable

import pandas as pd
import sqlalchemy as sa

from .auth import Editor, require_editor
from .db import select, transaction
from .migrations import decks
from .programme import ConflictError, _log, _now

MAX_SLIDES = 40
MAX_NAME = 120


def validate(name: str, slides: Iterable[str], known_keys: set[str]) -> tuple[str, list[str]]:
    """A clean name and slide list; raises ValueError with a Dutch message."""
    name = " ".join(str(name or "").split())
    if not name:
        raise ValueError("Geef de presentatie een naam.")
    if len(name) > MAX_NAME:
        raise ValueError(f"De naam is te lang (hoogstens {MAX_NAME} tekens).")
    keys = [str(k) for k in slides]
    if not keys:
        raise ValueError("Een presentatie heeft minstens één dia.")
    if len(keys) > MAX_SLIDES:
        raise ValueError(f"Hoogstens {MAX_SLIDES} dia's per presentatie.")
    unknown = [k for k in keys if k not in known_keys]
    if unknown:
        raise ValueError(f"Onbekende dia: {unknown[0][:60]}")
    if len(set(keys)) != len(keys):
        raise ValueError("Een dia staat twee keer in de presentatie.")
    return name, keys


def _name_taken(conn, name: str, except_id: int | None = None) -> bool:
    stmt = sa.select(decks.c.id).where(sa.func.lower(decks.c.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(decks.c.id != except_id)
    return conn.execute(stmt).first() is not None


def create_deck(url: str | None, editor: Editor, name: str, slides: Iterable[str], known_keys: set[str]) -> int:
    editor = require_editor(editor)
    name, keys = validate(name, slides, known_keys)
    now = _now()
    with transaction(url) as conn:
        if _name_taken(conn, name):
            raise ValueError(f"Er is al een presentatie met de naam '{name}'. Kies een andere naam.")
        rid = conn.execute(decks.insert().values(name=name, slides=json.dumps(keys), created_by=editor.name,
                                                 created_at=now, updated_by=editor.name, updated_at=now, version=1)
                           .returning(decks.c.id)).scalar_one()
        _log(conn, editor, "decks", rid, "create", None, {"name": name, "slides": keys})
    return rid


def update_deck(url: str | None, editor: Editor, deck_id: int, expected_version: int, name: str,
                slides: Iterable[str], known_keys: set[str]) -> int:
    """Save changes if nobody else saved since `expected_version`; returns the new version."""
    editor = require_editor(editor)
    name, keys = validate(name, slides, known_keys)
    with transaction(url) as conn:
        old = conn.execute(sa.select(decks).where(decks.c.id == deck_id)).mappings().first()
        if old is None:
            raise ConflictError("Deze presentatie bestaat niet meer; niets opgeslagen.")
        if _name_taken(conn, name, except_id=deck_id):
            raise ValueError(f"Er is al een presentatie met de naam '{name}'. Kies een andere naam.")
        res = conn.execute(decks.update().where(decks.c.id == deck_id, decks.c.version == expected_version)
                           .values(name=name, slides=json.dumps(keys), updated_by=editor.name, updated_at=_now(),
                                   version=expected_version + 1))
        if res.rowcount != 1:
            raise ConflictError(f"Deze presentatie is intussen gewijzigd door {old['updated_by']} "
                                f"(versie {old['version']}). Uw wijziging is niet opgeslagen; laad de presentatie "
                                "opnieuw en probeer het nog eens.")
        _log(conn, editor, "decks", deck_id, "update", {"name": old["name"], "slides": json.loads(old["slides"])},
             {"name": name, "slides": keys})
    return expected_version + 1


def delete_deck(url: str | None, editor: Editor, deck_id: int, expected_version: int) -> None:
    editor = require_editor(editor)
    with transaction(url) as conn:
        old = conn.execute(sa.select(decks).where(decks.c.id == deck_id)).mappings().first()
        res = conn.execute(decks.delete().where(decks.c.id == deck_id, decks.c.version == expected_version))
        if old is None or res.rowcount != 1:
            raise ConflictError("Deze presentatie is intussen gewijzigd of verwijderd; niets verwijderd.")
        _log(conn, editor, "decks", deck_id, "delete", {"name": old["name"], "slides": json.loads(old["slides"])},
             None)


def list_decks(url: str | None = None) -> pd.DataFrame:
    """All decks by name; `slides` decoded to a list of keys (empty on a database without the table)."""
    from .programme import _missing

    if (empty := _missing(url, decks)) is not None:
        return empty
    df = select(sa.select(decks).order_by(decks.c.name, decks.c.id), url=url)
    if not df.empty:
        df["slides"] = df["slides"].map(json.loads)
    return df


def get_deck(url: str | None, deck_id: int) -> dict | None:
    from .programme import _missing

    if _missing(url, decks) is not None:
        return None
    row = select(sa.select(decks).where(decks.c.id == int(deck_id)), url=url)
    if row.empty:
        return None
    rec = row.iloc[0].to_dict()
    rec["slides"] = json.loads(rec["slides"])
    return rec
