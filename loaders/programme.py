"""The programme's own data: SMART targets, the participation register, uploads and the change log.

Every write takes an :class:`loaders.auth.Editor`, runs in one transaction, and records who changed what
(old and new value) in ``change_log``. Target updates carry the version the editor started from: if
somebody else saved in between, :class:`ConflictError` is raised and nothing is written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa

from .auth import Editor, require_editor
from .db import connect, select, transaction
from .errors import LoadError
from .migrations import (change_log, own_proposal_decisions, own_targets, participation, proposal_decisions,
                         target_comparison_groups, targets, uploads)

AGE_GROUPS = ("totaal", "0-17", "18-64", "65+")
COUNT_COLUMNS = ("dialoogsessies", "bewoners_bereikt", "meemakers", "activiteiten")
UPLOAD_COLUMNS = ("buurt_code", "maand", "leeftijdsgroep", *COUNT_COLUMNS)
MAX_COUNT = 1_000_000
MAX_ROWS = 100_000
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
TARGET_FIELDS = ("metric_id", "area_code", "baseline_year", "baseline_value", "target_value", "target_year",
                 "owner", "rationale", "action_link", "milestones")


class ConflictError(RuntimeError):
    """The record was changed by someone else since it was loaded."""


def _check_values_and_texts(v: dict) -> list:
    """The checks a target on a CBS metric and one on an own indicator share (in place): baseline and target
    value numbers, owner and rationale given, the action link trimmed; returns the raw milestones list."""
    for f in ("baseline_value", "target_value"):
        try:
            v[f] = float(v[f])
        except (TypeError, ValueError):
            raise ValueError(f"Veld {f}: geen getal") from None
        if v[f] != v[f] or abs(v[f]) > 1e9:
            raise ValueError(f"Veld {f}: ongeldig getal")
    for f in ("owner", "rationale"):
        if not str(v[f] or "").strip():
            raise ValueError(f"Veld {f} is verplicht.")
        v[f] = str(v[f]).strip()[:2000]
    v["action_link"] = str(v["action_link"] or "").strip()[:500] or None
    ms = v["milestones"] or []
    return json.loads(ms) if isinstance(ms, str) and ms.strip() else ([] if isinstance(ms, str) else ms)


def _pause(point: str) -> None:
    """Test hook (tests/test_backup.py kills a writer here, inside its transaction): when
    WIJKMONITOR_TEST_PAUSE names this point, touch the file WIJKMONITOR_TEST_PAUSE_FILE and wait."""
    if os.environ.get("WIJKMONITOR_TEST_PAUSE") == point:
        import time

        open(os.environ["WIJKMONITOR_TEST_PAUSE_FILE"], "w").close()
        time.sleep(60)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _log(conn, editor: Editor, table: str, record_id, action: str, old, new) -> None:
    conn.execute(change_log.insert().values(
        at=_now(), user_name=editor.name, table_name=table, record_id=record_id, action=action,
        old_value=json.dumps(old, default=str, ensure_ascii=False) if old is not None else None,
        new_value=json.dumps(new, default=str, ensure_ascii=False) if new is not None else None))


# ------------------------------------------------------------------------------------------- targets

def validate_target(values: dict[str, Any], known_metrics: set[str], known_areas: set[str]) -> dict[str, Any]:
    """Check a target's fields; raises ValueError with a Dutch message naming the field."""
    v = {k: values.get(k) for k in TARGET_FIELDS}
    if v["metric_id"] not in known_metrics:
        raise ValueError(f"Onbekende indicator: {v['metric_id']}")
    if v["area_code"] not in known_areas:
        raise ValueError(f"Onbekend gebied: {v['area_code']}")
    for f in ("baseline_year", "target_year"):
        try:
            v[f] = int(v[f])
        except (TypeError, ValueError):
            raise ValueError(f"Veld {f}: geen jaartal") from None
    if not 2000 <= v["baseline_year"] < v["target_year"] <= 2100:
        raise ValueError("Het doeljaar moet na het basisjaar liggen (tussen 2000 en 2100).")
    ms = _check_values_and_texts(v)
    clean = []
    for m in ms:
        y, val = int(m["year"]), float(m["value"])
        if not v["baseline_year"] < y < v["target_year"]:
            raise ValueError(f"Tussendoel {y} ligt niet tussen basisjaar en doeljaar.")
        clean.append({"year": y, "value": val})
    v["milestones"] = json.dumps(sorted(clean, key=lambda x: x["year"])) if clean else None
    return v


def _insert_target(conn, editor: Editor, v: dict[str, Any], log_extra: dict | None = None) -> int:
    now = _now()
    rid = conn.execute(targets.insert().values(**v, created_by=editor.name, created_at=now,
                                               updated_by=editor.name, updated_at=now, version=1)
                       .returning(targets.c.id)).scalar_one()
    _log(conn, editor, "targets", rid, "create", None, {**v, **(log_extra or {})})
    return rid


def create_target(url: str | None, editor: Editor, values: dict[str, Any], known_metrics: set[str],
                  known_areas: set[str]) -> int:
    editor = require_editor(editor)
    v = validate_target(values, known_metrics, known_areas)
    with transaction(url) as conn:
        rid = _insert_target(conn, editor, v)
    return rid


# ------------------------------------------------------------------------------- target proposals

DECISION_FIELDS = ("proposal_key", "rule", "metric_id", "area_code", "baseline_year", "baseline_value",
                   "target_year", "target_value")


def _decision(proposal: dict[str, Any], known_metrics: set[str], known_areas: set[str]) -> dict[str, Any]:
    d = {k: proposal.get(k) for k in DECISION_FIELDS}
    if not isinstance(d["proposal_key"], str) or not d["proposal_key"] or len(d["proposal_key"]) > 200:
        raise ValueError("Ongeldig voorstel.")
    if d["metric_id"] not in known_metrics or d["area_code"] not in known_areas:
        raise ValueError("Onbekende indicator of onbekend gebied in het voorstel.")
    d["baseline_year"], d["target_year"] = int(d["baseline_year"]), int(d["target_year"])
    d["baseline_value"], d["target_value"] = float(d["baseline_value"]), float(d["target_value"])
    return d


def _check_open(conn, key: str) -> None:
    done = conn.execute(sa.select(proposal_decisions.c.decision, proposal_decisions.c.decided_by)
                        .where(proposal_decisions.c.proposal_key == key)).first()
    if done is not None:
        raise ConflictError(f"Over dit voorstel is al besloten ({done[0]} door {done[1]}); niets opgeslagen.")


def adopt_proposal(url: str | None, editor: Editor, proposal: dict[str, Any], values: dict[str, Any],
                   comparison_group: dict[str, Any] | None, known_metrics: set[str], known_areas: set[str]) -> int:
    """Adopt a proposal: one transaction creates the target (logged like any new target), stores the frozen
    comparison group with it and records the decision, so the proposal no longer shows. Returns the target id."""
    editor = require_editor(editor)
    d = _decision(proposal, known_metrics, known_areas)
    v = validate_target(values, known_metrics, known_areas)
    if (v["metric_id"], v["area_code"]) != (d["metric_id"], d["area_code"]):
        raise ValueError("Het doel hoort niet bij dit voorstel.")
    now = _now()
    try:
        return _adopt(url, editor, d, v, comparison_group, now)
    except sa.exc.IntegrityError:  # another editor decided on the same proposal at the same moment
        raise ConflictError("Over dit voorstel is intussen al besloten; niets opgeslagen.") from None


def _adopt(url, editor: Editor, d: dict, v: dict, comparison_group: dict | None, now: dt.datetime) -> int:
    with transaction(url) as conn:
        _check_open(conn, d["proposal_key"])
        rid = _insert_target(conn, editor, v, {"voorstel": d["proposal_key"]})
        if comparison_group and comparison_group.get("codes"):
            codes = [str(c)[:40] for c in comparison_group["codes"]][:100]
            details = {k: comparison_group[k] for k in comparison_group if k not in ("codes", "profile_year")}
            conn.execute(target_comparison_groups.insert().values(
                target_id=rid, profile_year=int(comparison_group["profile_year"]), codes=json.dumps(codes),
                details=json.dumps(details, default=str, ensure_ascii=False), created_by=editor.name, created_at=now))
        rec = {**d, "decision": "overgenomen", "target_id": rid, "reason": None}
        pid = conn.execute(proposal_decisions.insert().values(**rec, decided_by=editor.name, decided_at=now)
                           .returning(proposal_decisions.c.id)).scalar_one()
        _log(conn, editor, "proposal_decisions", pid, "adopt", None,
             {**rec, "vergelijkingsgroep": (comparison_group or {}).get("codes")})
    return rid


def reject_proposal(url: str | None, editor: Editor, proposal: dict[str, Any], reason: str | None,
                    known_metrics: set[str], known_areas: set[str]) -> int:
    """Record that a proposal was rejected (logged); it no longer shows."""
    editor = require_editor(editor)
    d = _decision(proposal, known_metrics, known_areas)
    rec = {**d, "decision": "afgewezen", "target_id": None, "reason": (str(reason or "").strip()[:2000] or None)}
    try:
        with transaction(url) as conn:
            _check_open(conn, d["proposal_key"])
            pid = conn.execute(proposal_decisions.insert().values(**rec, decided_by=editor.name, decided_at=_now())
                               .returning(proposal_decisions.c.id)).scalar_one()
            _log(conn, editor, "proposal_decisions", pid, "reject", None, rec)
    except sa.exc.IntegrityError:
        raise ConflictError("Over dit voorstel is intussen al besloten; niets opgeslagen.") from None
    return pid


def list_proposal_decisions(url: str | None = None) -> pd.DataFrame:
    if (empty := _missing(url, proposal_decisions)) is not None:
        return empty
    return select(sa.select(proposal_decisions).order_by(proposal_decisions.c.id), url=url)


def list_comparison_groups(url: str | None = None) -> dict[int, dict[str, Any]]:
    """{target_id: {"profile_year": int, "codes": [...], **details}} — the frozen groups, as stored."""
    if _missing(url, target_comparison_groups) is not None:
        return {}
    df = select(sa.select(target_comparison_groups), url=url)
    out = {}
    for r in df.to_dict("records"):
        details = json.loads(r["details"]) if r.get("details") else {}
        out[int(r["target_id"])] = {**details, "profile_year": int(r["profile_year"]), "codes": json.loads(r["codes"])}
    return out


def update_target(url: str | None, editor: Editor, target_id: int, expected_version: int,
                  values: dict[str, Any], known_metrics: set[str], known_areas: set[str]) -> int:
    """Save changes if nobody else saved since `expected_version`; returns the new version."""
    editor = require_editor(editor)
    v = validate_target(values, known_metrics, known_areas)
    with transaction(url) as conn:
        _update_locked(conn, editor, targets, target_id, expected_version, v, TARGET_FIELDS, pause="target")
    return expected_version + 1


def _update_locked(conn: sa.Connection, editor: Editor, table: sa.Table, target_id: int, expected_version: int,
                   v: dict[str, Any], fields, pause: str | None = None) -> None:
    """Optimistic locking of one target row (CBS or own): write ``v`` only if the row is still at
    ``expected_version``, else a Dutch ConflictError naming who saved in between; logged in the change log."""
    old = conn.execute(sa.select(table).where(table.c.id == target_id)).mappings().first()
    if old is None:
        raise ConflictError(f"Doel {target_id} bestaat niet meer; niets opgeslagen.")
    res = conn.execute(table.update()
                       .where(table.c.id == target_id, table.c.version == expected_version)
                       .values(**v, updated_by=editor.name, updated_at=_now(), version=expected_version + 1))
    if res.rowcount != 1:
        raise ConflictError(f"Dit doel is intussen gewijzigd door {old['updated_by']} (versie {old['version']}). "
                            "Uw wijziging is niet opgeslagen; laad het doel opnieuw en probeer het nog eens.")
    if pause:
        _pause(pause)
    _log(conn, editor, table.name, target_id, "update", {k: old[k] for k in fields}, v)


def _missing(url: str | None, table: sa.Table) -> pd.DataFrame | None:
    """An empty frame with the table's columns when the table does not exist yet (e.g. a read-only database
    that was never migrated): viewing must not need write access."""
    with connect(url) as conn:
        if sa.inspect(conn).has_table(table.name, schema=table.schema):
            return None
    return pd.DataFrame(columns=[c.name for c in table.columns])


def list_targets(url: str | None = None) -> pd.DataFrame:
    if (empty := _missing(url, targets)) is not None:
        return empty
    return select(sa.select(targets).order_by(targets.c.area_code, targets.c.metric_id, targets.c.id), url=url)


# ------------------------------------------------------------------------------- targets on own indicators
# A target on an own indicator (eigen meting) names the indicator by id and definition version, and its periods as
# text ('2025' or '2025-K3', the indicator's frequentie). ``known`` maps every current indicator id to
# (version, frequentie); the baseline value is the stored figure of the baseline period, looked up by the caller
# (wijkmonitor.programme), never typed in.

OWN_TARGET_FIELDS = ("indicator_id", "indicator_version", "area_code", "baseline_period", "baseline_value",
                     "target_value", "target_period", "owner", "rationale", "action_link", "milestones")
OWN_DECISION_FIELDS = ("proposal_key", "rule", "indicator_id", "indicator_version", "area_code", "baseline_period",
                       "baseline_value", "target_period", "target_value")
_PERIOD = re.compile(r"^(\d{4})(?:-K([1-4]))?$")


def _period_index(p: str) -> int:
    m = _PERIOD.match(p)
    assert m is not None
    return int(m.group(1)) if not m.group(2) else 4 * int(m.group(1)) + int(m.group(2)) - 1


def _own_period(field: str, value: Any, frequentie: str) -> str:
    text = str(value or "").strip()
    m = _PERIOD.match(text)
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise ValueError(f"Veld {field}: '{text[:20]}' is geen jaar (2025) of kwartaal (2025-K3).")
    if (m.group(2) is None) != (frequentie == "jaar"):
        voorbeeld = "2026" if frequentie == "jaar" else "2026-K1"
        raise ValueError(f"Veld {field}: deze eigen meting wordt per {frequentie} gemeten (bijvoorbeeld {voorbeeld}).")
    return text


def validate_own_target(values: dict[str, Any], known: dict[str, tuple[int, str]],
                        known_areas: set[str]) -> dict[str, Any]:
    """Check a target on an own indicator; raises ValueError with a Dutch message naming the field."""
    # a row read back through pandas has NaN for an empty optional column
    v = {k: (None if isinstance(values.get(k), float) and values[k] != values[k] and k in ("action_link", "milestones")
             else values.get(k)) for k in OWN_TARGET_FIELDS}
    if v["indicator_id"] not in known:
        raise ValueError(f"Onbekende eigen meting: {str(v['indicator_id'])[:60]}")
    version, frequentie = known[v["indicator_id"]]
    try:
        v["indicator_version"] = int(v["indicator_version"])
    except (TypeError, ValueError):
        raise ValueError("Veld indicator_version: geen versienummer") from None
    if v["indicator_version"] != version:
        raise ValueError(f"De definitie van deze eigen meting is intussen gewijzigd (nu versie {version}); "
                         "laad de pagina opnieuw.")
    if v["area_code"] not in known_areas:
        raise ValueError(f"Onbekend gebied: {v['area_code']}")
    v["baseline_period"] = _own_period("baseline_period", v["baseline_period"], frequentie)
    v["target_period"] = _own_period("target_period", v["target_period"], frequentie)
    if _period_index(v["target_period"]) <= _period_index(v["baseline_period"]):
        raise ValueError("De doelperiode moet na de basisperiode liggen.")
    ms = _check_values_and_texts(v)
    clean = []
    for m in ms:
        p, val = _own_period("milestones", m["periode"], frequentie), float(m["value"])
        if not _period_index(v["baseline_period"]) < _period_index(p) < _period_index(v["target_period"]):
            raise ValueError(f"Tussendoel {p} ligt niet tussen basisperiode en doelperiode.")
        clean.append({"periode": p, "value": val})
    v["milestones"] = json.dumps(sorted(clean, key=lambda x: _period_index(x["periode"]))) if clean else None
    return v


def _insert_own_target(conn, editor: Editor, v: dict[str, Any], log_extra: dict | None = None) -> int:
    now = _now()
    rid = conn.execute(own_targets.insert().values(**v, created_by=editor.name, created_at=now,
                                                   updated_by=editor.name, updated_at=now, version=1)
                       .returning(own_targets.c.id)).scalar_one()
    _log(conn, editor, "own_targets", rid, "create", None, {**v, **(log_extra or {})})
    return rid


def create_own_target(url: str | None, editor: Editor, values: dict[str, Any], known: dict[str, tuple[int, str]],
                      known_areas: set[str]) -> int:
    editor = require_editor(editor)
    v = validate_own_target(values, known, known_areas)
    with transaction(url) as conn:
        rid = _insert_own_target(conn, editor, v)
    return rid


def update_own_target(url: str | None, editor: Editor, target_id: int, expected_version: int,
                      values: dict[str, Any], known: dict[str, tuple[int, str]], known_areas: set[str]) -> int:
    """Save changes if nobody else saved since `expected_version`; returns the new version."""
    editor = require_editor(editor)
    v = validate_own_target(values, known, known_areas)
    with transaction(url) as conn:
        _update_locked(conn, editor, own_targets, target_id, expected_version, v, OWN_TARGET_FIELDS)
    return expected_version + 1


def _own_decision(proposal: dict[str, Any], known: dict[str, tuple[int, str]], known_areas: set[str]) -> dict:
    d = {k: proposal.get(k) for k in OWN_DECISION_FIELDS}
    if not isinstance(d["proposal_key"], str) or not d["proposal_key"] or len(d["proposal_key"]) > 200:
        raise ValueError("Ongeldig voorstel.")
    if d["indicator_id"] not in known or d["area_code"] not in known_areas:
        raise ValueError("Onbekende eigen meting of onbekend gebied in het voorstel.")
    version, frequentie = known[d["indicator_id"]]
    d["indicator_version"] = int(d["indicator_version"])
    if d["indicator_version"] != version:
        raise ValueError(f"De definitie van deze eigen meting is intussen gewijzigd (nu versie {version}); "
                         "laad de pagina opnieuw.")
    d["baseline_period"] = _own_period("baseline_period", d["baseline_period"], frequentie)
    d["target_period"] = _own_period("target_period", d["target_period"], frequentie)
    d["baseline_value"], d["target_value"] = float(d["baseline_value"]), float(d["target_value"])
    return d


def _check_own_open(conn, key: str) -> None:
    t = own_proposal_decisions
    done = conn.execute(sa.select(t.c.decision, t.c.decided_by).where(t.c.proposal_key == key)).first()
    if done is not None:
        raise ConflictError(f"Over dit voorstel is al besloten ({done[0]} door {done[1]}); niets opgeslagen.")


def adopt_own_proposal(url: str | None, editor: Editor, proposal: dict[str, Any], values: dict[str, Any],
                       known: dict[str, tuple[int, str]], known_areas: set[str]) -> int:
    """Adopt a proposal on an own indicator: one transaction creates the target (logged like any new target) and
    records the decision, so the proposal no longer shows. Returns the target id."""
    editor = require_editor(editor)
    d = _own_decision(proposal, known, known_areas)
    v = validate_own_target(values, known, known_areas)
    if (v["indicator_id"], v["area_code"], v["baseline_period"]) != \
            (d["indicator_id"], d["area_code"], d["baseline_period"]):
        raise ValueError("Het doel hoort niet bij dit voorstel.")
    try:
        with transaction(url) as conn:
            _check_own_open(conn, d["proposal_key"])
            rid = _insert_own_target(conn, editor, v, {"voorstel": d["proposal_key"]})
            rec = {**d, "decision": "overgenomen", "target_id": rid, "reason": None}
            pid = conn.execute(own_proposal_decisions.insert().values(**rec, decided_by=editor.name,
                                                                      decided_at=_now())
                               .returning(own_proposal_decisions.c.id)).scalar_one()
            _log(conn, editor, "own_proposal_decisions", pid, "adopt", None, rec)
    except sa.exc.IntegrityError:  # another editor decided on the same proposal at the same moment
        raise ConflictError("Over dit voorstel is intussen al besloten; niets opgeslagen.") from None
    return rid


def reject_own_proposal(url: str | None, editor: Editor, proposal: dict[str, Any], reason: str | None,
                        known: dict[str, tuple[int, str]], known_areas: set[str]) -> int:
    """Record that a proposal on an own indicator was rejected (logged); it no longer shows."""
    editor = require_editor(editor)
    d = _own_decision(proposal, known, known_areas)
    rec = {**d, "decision": "afgewezen", "target_id": None, "reason": (str(reason or "").strip()[:2000] or None)}
    try:
        with transaction(url) as conn:
            _check_own_open(conn, d["proposal_key"])
            pid = conn.execute(own_proposal_decisions.insert().values(**rec, decided_by=editor.name,
                                                                      decided_at=_now())
                               .returning(own_proposal_decisions.c.id)).scalar_one()
            _log(conn, editor, "own_proposal_decisions", pid, "reject", None, rec)
    except sa.exc.IntegrityError:
        raise ConflictError("Over dit voorstel is intussen al besloten; niets opgeslagen.") from None
    return pid


def list_own_targets(url: str | None = None) -> pd.DataFrame:
    if (empty := _missing(url, own_targets)) is not None:
        return empty
    t = own_targets
    return select(sa.select(t).order_by(t.c.area_code, t.c.indicator_id, t.c.id), url=url)


def list_own_proposal_decisions(url: str | None = None) -> pd.DataFrame:
    if (empty := _missing(url, own_proposal_decisions)) is not None:
        return empty
    return select(sa.select(own_proposal_decisions).order_by(own_proposal_decisions.c.id), url=url)


# ------------------------------------------------------------------------------------- participation

def parse_participation(data: bytes, file_name: str, known_buurten: set[str], today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate a participation upload (CSV or Excel). Rejects the whole file on the first error."""
    from .readers import read_upload

    today = today or dt.date.today()
    df = read_upload(data, file_name, text_names=("formulier",))
    missing = [c for c in UPLOAD_COLUMNS if c not in df.columns and c != "leeftijdsgroep"]
    if missing:
        raise LoadError(file_name, f"verplichte kolom ontbreekt: {', '.join(missing)}", row=1, column=missing[0])
    extra = [c for c in df.columns if c not in UPLOAD_COLUMNS]
    if extra:
        raise LoadError(file_name, f"onbekende kolom: {', '.join(extra)}", row=1, column=extra[0])
    if df.empty:
        raise LoadError(file_name, "het bestand bevat geen rijen")
    if len(df) > MAX_ROWS:
        raise LoadError(file_name, f"meer dan {MAX_ROWS} rijen; splits het bestand")
    if "leeftijdsgroep" not in df.columns:
        df["leeftijdsgroep"] = "totaal"
    out = []
    for i, row in enumerate(df.to_dict("records")):
        r = i + 2
        code = str(row["buurt_code"]).strip()
        if code not in known_buurten:
            raise LoadError(file_name, f"onbekende buurtcode '{code[:40]}'", row=r, column="buurt_code")
        maand = str(row["maand"]).strip()[:7]
        mm = MONTH_RE.match(maand)
        if not mm or not 1 <= int(mm.group(2)) <= 12 or not 2020 <= int(mm.group(1)) <= 2100:
            raise LoadError(file_name, f"maand '{str(row['maand'])[:40]}' is geen geldige maand (JJJJ-MM)",
                            row=r, column="maand")
        if (int(mm.group(1)), int(mm.group(2))) > (today.year, today.month):
            raise LoadError(file_name, f"maand {maand} ligt in de toekomst", row=r, column="maand")
        lg = str(row["leeftijdsgroep"]).strip() or "totaal"
        if lg not in AGE_GROUPS:
            raise LoadError(file_name, f"leeftijdsgroep '{lg[:40]}' is onbekend (kies uit {', '.join(AGE_GROUPS)})",
                            row=r, column="leeftijdsgroep")
        rec: dict[str, Any] = {"buurt_code": code, "maand": maand, "leeftijdsgroep": lg}
        for c in COUNT_COLUMNS:
            raw = str(row[c]).strip()
            if raw.endswith(".0") and raw[:-2].isdigit():  # Excel stores whole numbers as floats
                raw = raw[:-2]
            if not re.fullmatch(r"\d{1,9}", raw):
                why = "negatief" if re.fullmatch(r"-\d+", raw) else "geen geheel getal"
                raise LoadError(file_name, f"'{raw[:40]}' is {why}; verwacht een aantal van 0 of meer", row=r, column=c)
            n = int(raw)
            if n > MAX_COUNT:
                raise LoadError(file_name, f"{n} is onwaarschijnlijk groot", row=r, column=c)
            rec[c] = n
        out.append(rec)
    res = pd.DataFrame(out)
    dup = res.duplicated(["buurt_code", "maand", "leeftijdsgroep"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise LoadError(file_name, "dubbele rij (deze buurt, maand en leeftijdsgroep staan al eerder in het bestand)",
                        row=i + 2, column="buurt_code")
    return res


def import_participation(url: str | None, editor: Editor, data: bytes, file_name: str,
                         known_buurten: set[str]) -> int:
    """Validate and store an upload in one transaction; returns the number of rows. All or nothing."""
    editor = require_editor(editor)
    df = parse_participation(data, file_name, known_buurten)
    now = _now()
    with transaction(url) as conn:
        existing = {tuple(r) for r in conn.execute(sa.select(participation.c.buurt_code, participation.c.maand,
                                                               participation.c.leeftijdsgroep)).all()}
        keys = [tuple(k) for k in df[["buurt_code", "maand", "leeftijdsgroep"]].values.tolist()]
        for i, k in enumerate(keys):
            if k in existing:
                raise LoadError(file_name, f"{k[0]} {k[1]} ({k[2]}) staat al in het register; niets opgeslagen",
                                row=i + 2, column="maand")
        uid = conn.execute(uploads.insert().values(
            file_name=file_name[:300], file_sha256=hashlib.sha256(data).hexdigest(), n_rows=len(df),
            uploaded_by=editor.name, uploaded_at=now).returning(uploads.c.id)).scalar_one()
        recs = [dict(r, upload_id=uid, created_by=editor.name, created_at=now) for r in df.to_dict("records")]
        conn.execute(participation.insert(), recs)
        _pause("upload")
        _log(conn, editor, "participation", uid, "upload", None, {"bestand": file_name, "rijen": len(df)})
    return len(df)


def add_participation(url: str | None, editor: Editor, record: dict[str, Any], known_buurten: set[str]) -> None:
    """One row from the form, with the same validation as an upload."""
    editor = require_editor(editor)
    line = ",".join(str(record.get(c, "")).replace(",", " ") for c in UPLOAD_COLUMNS)
    df = parse_participation((",".join(UPLOAD_COLUMNS) + "\n" + line + "\n").encode("utf-8"), "formulier",
                             known_buurten)
    rec = {k: (int(v) if k in COUNT_COLUMNS else v) for k, v in df.iloc[0].to_dict().items()}
    with transaction(url) as conn:
        exists = conn.execute(sa.select(participation.c.id).where(
            participation.c.buurt_code == rec["buurt_code"], participation.c.maand == rec["maand"],
            participation.c.leeftijdsgroep == rec["leeftijdsgroep"])).first()
        if exists:
            raise LoadError("formulier", "deze buurt, maand en leeftijdsgroep staan al in het register")
        rid = conn.execute(participation.insert().values(**rec, created_by=editor.name, created_at=_now())
                           .returning(participation.c.id)).scalar_one()
        _log(conn, editor, "participation", rid, "create", None, rec)


def list_participation(url: str | None = None) -> pd.DataFrame:
    if (empty := _missing(url, participation)) is not None:
        return empty[list(UPLOAD_COLUMNS)]
    cols = [participation.c[c] for c in UPLOAD_COLUMNS]
    return select(sa.select(*cols).order_by(participation.c.maand, participation.c.buurt_code), url=url)


def list_changes(url: str | None = None, limit: int = 500) -> pd.DataFrame:
    if (empty := _missing(url, change_log)) is not None:
        return empty
    return select(sa.select(change_log).order_by(change_log.c.id.desc()).limit(limit), url=url)


# ------------------------------------------------------------------------------- data refresh (editors)

def refresh_data(url: str | None, editor: Editor, progress=None, *, derive, wanted: Iterable[str]):
    """Editor-only wrapper around :func:`loaders.refresh.run` that records the refresh in the change log.
    ``wanted`` (the variables the metrics read) and ``derive`` (recomputes the metric store in the same
    transaction) come from the caller (see loaders.pipeline)."""
    from . import refresh

    editor = require_editor(editor)
    summary = refresh.run(url, progress=progress, derive=derive, wanted=wanted)
    with transaction(url) as conn:
        _log(conn, editor, "observations", None, "refresh", None, {"samenvatting": summary.message()})
    return summary


def import_statline(url: str | None, editor: Editor, data: bytes, file_name: str, *, derive,
                    wanted: Iterable[str]):
    """Editor-only wrapper around :func:`loaders.statline_import.import_file`, logged."""
    from . import statline_import

    editor = require_editor(editor)
    summary = statline_import.import_file(url, data, file_name, derive=derive, wanted=wanted)
    with transaction(url) as conn:
        _log(conn, editor, "observations", None, "import", None, {"bestand": file_name, "samenvatting": summary.message()})
    return summary
