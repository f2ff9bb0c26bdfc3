"""Password sign-in that resists guessing: failed attempts are counted per account and per client in the database
(table ``sign_in_throttle``), so every replica shares the counters, and every attempt is logged (``sign_ins``).

Rules (settings in :mod:`loaders.settings`): after ``WIJKMONITOR_SIGNIN_MAX_FAILURES`` failed attempts on one
account name within ``WIJKMONITOR_SIGNIN_WINDOW_MIN`` minutes, that name is locked for
``WIJKMONITOR_SIGNIN_LOCK_MIN`` minutes; separately, a client (address) is locked after
``WIJKMONITOR_SIGNIN_MAX_FAILURES_CLIENT`` failures in the same window (higher: an office behind one address
shares it). While locked, no password is checked. The counter is kept per *typed* name, existing or not, and the
answer for a locked name is the same, so neither the message nor the lock tells whether a name exists; the
password of an unknown name is still checked against a dummy hash (:func:`loaders.auth.login_with_password`).

What the log records, and why:
- *who*: the account name when it is a configured account, else ``(onbekende naam)``. A name that is not an account
  is often a password typed into the wrong field, so it is never stored as typed; the counter key is a SHA-256 of
  the normalised name (case and surrounding spaces ignored), never shown.
- *when* (UTC), *how* (wachtwoord | oidc), *outcome* (gelukt | mislukt | geblokkeerd), the *client* address as seen
  by the app (see :func:`client_address`) and the *replica* (host name and process id) that answered.

Two replicas checking the same name at the same instant can each allow one attempt past the limit (the check
and the count are two short transactions, so that no write lock is held during the slow bcrypt check).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import socket
from dataclasses import dataclass
from typing import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import settings
from .auth import Editor, login_with_password
from .db import select, transaction
from .migrations import sign_in_throttle as throttle, sign_ins

UNKNOWN_NAME = "(onbekende naam)"
WRONG = "Onbekende gebruikersnaam of onjuist wachtwoord."


@dataclass(frozen=True)
class Rules:
    max_failures: int
    max_failures_client: int
    window: dt.timedelta
    lock: dt.timedelta

    @classmethod
    def from_settings(cls) -> "Rules":
        return cls(int(settings.get("WIJKMONITOR_SIGNIN_MAX_FAILURES")),
                   int(settings.get("WIJKMONITOR_SIGNIN_MAX_FAILURES_CLIENT")),
                   dt.timedelta(minutes=float(settings.get("WIJKMONITOR_SIGNIN_WINDOW_MIN"))),
                   dt.timedelta(minutes=float(settings.get("WIJKMONITOR_SIGNIN_LOCK_MIN"))))


@dataclass(frozen=True)
class SignIn:
    """The answer to one attempt: an editor, or the Dutch message to show."""

    editor: Editor | None
    message: str | None = None
    locked_until: dt.datetime | None = None


def locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"Te veel mislukte pogingen. Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."


def replica() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def client_address(peer: str | None, headers: Mapping[str, str] | None) -> str:
    """The client as the app can tell it. ``peer`` is the address of the connection (Streamlit gives None for
    loopback). A proxy in front (nginx, see deploy/nginx.conf) sets ``X-Real-IP`` to the address it saw; that
    header is believed only when the connection comes from loopback or from an address in
    ``WIJKMONITOR_TRUSTED_PROXIES`` — anyone else could send any header. Without either: ``lokaal``."""
    trusted = {a.strip() for a in settings.get("WIJKMONITOR_TRUSTED_PROXIES").split(",") if a.strip()}
    peer = peer if isinstance(peer, str) and peer else None
    if peer is None or peer in trusted:
        real = {str(k).lower(): v for k, v in (headers or {}).items()}.get("x-real-ip", "")
        real = real.strip() if isinstance(real, str) else ""
        if real:
            return real[:100]
    return (peer or "lokaal")[:100]


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.strip().casefold().encode('utf-8')).hexdigest()[:64]}"


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    """Times read back from SQLite have no zone: they were written in UTC."""
    if t is None:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t.astimezone(dt.timezone.utc)


def _log(conn: sa.Connection, now: dt.datetime, who: str, method: str, outcome: str, client: str) -> None:
    conn.execute(sign_ins.insert().values(at=now, user_name=who, method=method, outcome=outcome, client=client,
                                          replica=replica()))


def _locked_until(conn: sa.Connection, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    rows = conn.execute(sa.select(throttle.c.locked_until).where(throttle.c.key.in_(keys))).scalars()
    until = [u for u in (_utc(r) for r in rows) if u is not None and u > now]
    return max(until) if until else None


def _count_failure(conn: sa.Connection, key: str, limit: int, rules: Rules, now: dt.datetime) -> dt.datetime | None:
    """Add one failure to ``key``'s counter (a new window when the last one has passed); lock it when the limit
    is reached. Returns the lock's end or None."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(conn.dialect.name)
    if dialect is not None:  # create the row if absent without a race between replicas
        conn.execute(dialect.insert(throttle).values(key=key, failures=0, window_start=now, locked_until=None)
                     .on_conflict_do_nothing(index_elements=["key"]))
    elif conn.execute(sa.select(throttle.c.key).where(throttle.c.key == key)).first() is None:
        conn.execute(throttle.insert().values(key=key, failures=0, window_start=now, locked_until=None))
    row = conn.execute(sa.select(throttle).where(throttle.c.key == key).with_for_update()).one()
    start, failures = _utc(row.window_start), row.failures
    if start is None or now - start > rules.window:
        start, failures = now, 0
    failures += 1
    locked = now + rules.lock if failures >= limit else None
    if locked is not None:
        start, failures = now, 0  # after the lock a fresh count
    conn.execute(throttle.update().where(throttle.c.key == key)
                 .values(failures=failures, window_start=start, locked_until=locked or _utc(row.locked_until)))
    return locked


def sign_in(url: str | None, username: str, password: str, accounts: Mapping[str, str], client: str,
            now: dt.datetime | None = None, rules: Rules | None = None) -> SignIn:
    """Check a password sign-in against the throttle, then the account; count and log the attempt."""
    rules = rules or Rules.from_settings()
    now = now or dt.datetime.now(dt.timezone.utc)
    name = (username or "").strip()
    who = name if name in accounts else UNKNOWN_NAME
    account_key, client_key = _key("account", name), _key("client", client)
    with transaction(url) as conn:
        until = _locked_until(conn, [account_key, client_key], now)
        if until is not None:
            _log(conn, now, who, "wachtwoord", "geblokkeerd", client)
    if until is not None:
        return SignIn(None, locked_message(until, now), until)
    editor = login_with_password(name, password or "", dict(accounts))  # slow (bcrypt): outside a transaction
    with transaction(url) as conn:
        if editor is not None:
            conn.execute(throttle.delete().where(throttle.c.key == account_key))
            _log(conn, now, who, "wachtwoord", "gelukt", client)
            return SignIn(editor)
        locks = [_count_failure(conn, account_key, rules.max_failures, rules, now),
                 _count_failure(conn, client_key, rules.max_failures_client, rules, now)]
        _log(conn, now, who, "wachtwoord", "mislukt", client)
    until = max((u for u in locks if u is not None), default=None)
    if until is not None:
        return SignIn(None, locked_message(until, now), until)
    return SignIn(None, WRONG)


def record_oidc(url: str | None, editor: Editor, client: str, now: dt.datetime | None = None) -> None:
    """Log a sign-in through the gemeente's identity provider (OIDC); it is not throttled here."""
    with transaction(url) as conn:
        _log(conn, now or dt.datetime.now(dt.timezone.utc), editor.name, "oidc", "gelukt", client)


def list_sign_ins(url: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest sign-ins and attempts, newest first."""
    return select(sa.select(sign_ins).order_by(sign_ins.c.at.desc(), sign_ins.c.id.desc()).limit(limit), url=url)
