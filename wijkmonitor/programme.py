"""Use cases on programme data that the pages call: targets, proposal decisions, participation, saved decks.

Each use case knows what the input is checked against — the metrics and areas a target may name, the buurten a
participation row may name, the slides a deck may hold — so a page only passes what the editor entered and the
engine it shows (the metric store); it never assembles those sets itself. The writes themselves (permission check,
validation, one transaction, the change log) are :mod:`loaders.programme` and :mod:`loaders.decks`.
"""
from __future__ import annotations

from typing import Any, Iterable

from loaders import decks, programme
from loaders.auth import Editor, require_editor
from metrics.catalog import Metric
from metrics.compute import Engine
from metrics.slides import Context
from models.doelen import ProposalDecision, target_areas
from models.doelen_own import OwnProposalDecision
from models.participation import maastricht_buurten
from wording.slides import known_keys

# what a page needs to name besides the use cases: the conflict a concurrent edit raises, the fields of a target,
# the age groups of a participation row
ConflictError = programme.ConflictError
TARGET_FIELDS = programme.TARGET_FIELDS
OWN_TARGET_FIELDS = programme.OWN_TARGET_FIELDS
AGE_GROUPS = programme.AGE_GROUPS

# ------------------------------------------------------------------------------------------------ targets

def target_metrics(eng: Engine) -> list[Metric]:
    """The metrics a target can be set for (those with data)."""
    return eng.catalog.available()


def target_area_codes(eng: Engine) -> list[str]:
    """The areas a target can be set for, in the order the page offers them."""
    return target_areas(eng, maastricht_buurten(eng))


def _known(eng: Engine) -> tuple[set[str], set[str]]:
    return {m.id for m in target_metrics(eng)}, set(target_area_codes(eng))


def create_target(url: str | None, editor: Editor | None, eng: Engine, values: dict[str, Any]) -> int:
    """A new target (the baseline value comes from the data); returns its id."""
    return programme.create_target(url, editor, values, *_known(eng))


def update_target(url: str | None, editor: Editor | None, eng: Engine, target_id: int, expected_version: int,
                  values: dict[str, Any]) -> int:
    """Save changes if nobody saved since ``expected_version``; returns the new version."""
    return programme.update_target(url, editor, target_id, expected_version, values, *_known(eng))


def decide_proposal(url: str | None, editor: Editor | None, eng: Engine, d: ProposalDecision) -> int:
    """Write an editor's decision on a target proposal (:func:`models.doelen.proposal_decision`): adopt it as a
    target with its frozen comparison group, or reject it. Returns the target id (adopt) or the decision id."""
    if d.action == "reject":
        return programme.reject_proposal(url, editor, d.decision, d.reason, *_known(eng))
    return programme.adopt_proposal(url, editor, d.decision, d.values, d.group, *_known(eng))


# ------------------------------------------------------------------------------- targets on own indicators

def _own_known(url: str | None) -> dict[str, tuple[int, str]]:
    """Every current own indicator (public and intern: only editors write): id → (version, frequentie)."""
    from loaders import own_indicators

    defs = own_indicators.list_indicators(url, include_intern=True)
    return {r["indicator_id"]: (int(r["version"]), r["frequentie"]) for r in defs.to_dict("records")}


def _with_stored_baseline(url: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """The baseline value is the stored figure of the baseline period (metric store own_figures), never what a
    form sent; a period without a shown figure (none, or withheld) cannot be a baseline."""
    from loaders import repository
    from metrics import own_targets as ot

    try:
        version = int(values.get("indicator_version"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError("Veld indicator_version: geen versienummer") from None
    rs = ot.rows(repository.own_figures(url), str(values.get("indicator_id")), version, str(values.get("area_code")))
    row = ot.figure_at(rs, str(values.get("baseline_period")))
    if not ot.shown(row):
        raise ValueError(f"Voor de basisperiode {values.get('baseline_period')} is er in dit gebied geen getoond "
                         "cijfer van deze eigen meting; kies een periode met een cijfer.")
    return {**values, "baseline_value": ot.value_of(row)}  # type: ignore[arg-type]


def create_own_target(url: str | None, editor: Editor | None, eng: Engine, values: dict[str, Any]) -> int:
    """A new target on an own indicator (the baseline value comes from the stored figures); returns its id."""
    editor = require_editor(editor)
    return programme.create_own_target(url, editor, _with_stored_baseline(url, values), _own_known(url),
                                       set(target_area_codes(eng)))


def update_own_target(url: str | None, editor: Editor | None, eng: Engine, target_id: int, expected_version: int,
                      values: dict[str, Any]) -> int:
    """Save changes to a target on an own indicator if nobody saved since ``expected_version``."""
    editor = require_editor(editor)
    return programme.update_own_target(url, editor, target_id, expected_version, _with_stored_baseline(url, values),
                                       _own_known(url), set(target_area_codes(eng)))


def decide_own_proposal(url: str | None, editor: Editor | None, eng: Engine, d: OwnProposalDecision) -> int:
    """Write an editor's decision on a proposal on an own indicator (:func:`models.doelen_own.own_proposal_decision`):
    adopt it as a target, or reject it. Returns the target id (adopt) or the decision id."""
    editor = require_editor(editor)
    known, areas = _own_known(url), set(target_area_codes(eng))
    if d.action == "reject":
        return programme.reject_own_proposal(url, editor, d.decision, d.reason, known, areas)
    return programme.adopt_own_proposal(url, editor, d.decision, _with_stored_baseline(url, d.values or {}), known,
                                        areas)


# ------------------------------------------------------------------------------------------ participation

def participation_buurten(eng: Engine) -> tuple[str, ...]:
    """The buurten a participation row may name (the buurten of the programme's gemeente)."""
    return maastricht_buurten(eng)


def upload_participation(url: str | None, editor: Editor | None, eng: Engine, data: bytes, file_name: str) -> int:
    """Validate and store an upload (CSV or Excel) in one transaction, all or nothing; returns the rows stored."""
    return programme.import_participation(url, editor, data, file_name, set(participation_buurten(eng)))


def add_participation(url: str | None, editor: Editor | None, eng: Engine, record: dict[str, Any]) -> None:
    """One row from the form, with the same validation as an upload."""
    programme.add_participation(url, editor, record, set(participation_buurten(eng)))


# ------------------------------------------------------------------------------------------------- decks

def create_deck(url: str | None, editor: Editor | None, ctx: Context, name: str, slides: Iterable[str]) -> int:
    """Save a presentation under a new name; only slides the deck catalogue knows for ``ctx``."""
    return decks.create_deck(url, editor, name, slides, known_keys(ctx))


def update_deck(url: str | None, editor: Editor | None, ctx: Context, deck_id: int, expected_version: int,
                name: str, slides: Iterable[str]) -> int:
    """Save changes if nobody saved since ``expected_version``; returns the new version."""
    return decks.update_deck(url, editor, deck_id, expected_version, name, slides, known_keys(ctx))


def delete_deck(url: str | None, editor: Editor | None, deck_id: int, expected_version: int) -> None:
    decks.delete_deck(url, editor, deck_id, expected_version)
