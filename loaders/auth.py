"""Who may change what. Viewing needs no login (configurable); editing needs a signed-in editor.

Two ways to become an editor:
- Streamlit's built-in OIDC login (``st.login``) when ``[auth]`` is configured in .streamlit/secrets.toml;
  the signed-in e-mail must be listed under ``[editors] emails``;
- local editor accounts: ``[editors.accounts]`` in .streamlit/secrets.toml maps user name → bcrypt hash
  (``python -m wijkmonitor hash-password`` makes one). There is no default account and no default password.

Every write function in :mod:`loaders.programme` takes an :class:`Editor` and refuses anything else, so an
anonymous caller cannot edit, not through the UI and not by calling the functions directly.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

import bcrypt

_TOKEN = secrets.token_hex(16)  # per-process: an Editor can only be minted by this module


class PermissionDenied(PermissionError):
    """The caller is not a signed-in editor."""


@dataclass(frozen=True)
class Editor:
    name: str
    method: str  # "wachtwoord" | "oidc"
    _token: str = field(repr=False, default="")

    def check(self) -> None:
        if not hmac.compare_digest(self._token, _TOKEN):
            raise PermissionDenied("Alleen ingelogde redacteuren mogen wijzigen.")


def require_editor(editor: object) -> Editor:
    if not isinstance(editor, Editor):
        raise PermissionDenied("Alleen ingelogde redacteuren mogen wijzigen.")
    editor.check()
    return editor


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError("Kies een wachtwoord van minstens 12 tekens.")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def login_with_password(username: str, password: str, accounts: dict[str, str]) -> Editor | None:
    """Check a local account; returns an Editor or None. Constant-time-ish on unknown users."""
    stored = accounts.get(username or "")
    dummy = "$2b$12$mbdZ6O/9rtuy7ST2WlyJV.GUpUFAZfjm/pnYQYErw8FSb60fvrP3S"  # hash of a random string
    try:
        ok = bcrypt.checkpw((password or "").encode("utf-8"), (stored or dummy).encode("ascii"))
    except ValueError:
        ok = False
    if stored and ok:
        return Editor(name=username, method="wachtwoord", _token=_TOKEN)
    return None


def login_with_oidc(email: str | None, allowed_emails: list[str]) -> Editor | None:
    """An OIDC-authenticated user (st.user) becomes an editor only when listed."""
    if email and email.lower() in {e.lower() for e in allowed_emails}:
        return Editor(name=email, method="oidc", _token=_TOKEN)
    return None


def command_line_editor(name: str) -> Editor:
    """The editor behind a command run on the server (``python -m wijkmonitor eigen …``): whoever can run
    it already holds the database credentials; the name is recorded in the change log."""
    if not name or not name.strip():
        raise PermissionDenied("Geef een naam op voor het wijzigingslog (--door).")
    return Editor(name=f"{name.strip()[:80]} (opdrachtregel)", method="opdrachtregel", _token=_TOKEN)
