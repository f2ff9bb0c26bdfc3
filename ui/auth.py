"""Sign-in for editors (Streamlit side). See loaders/auth.py for the rules.

Editor accounts come from `.streamlit/secrets.toml` (`[editors.accounts]` user = bcrypt hash;
`[editors] emails = [...]` for OIDC via st.login) or from the TOML file named by
WIJKMONITOR_EDITORS_FILE (same layout). Nothing is in the repository; there is no default password.
Password attempts are throttled per account name and per client, and every sign-in is logged
(loaders/signin.py); the log is shown to editors on the Wijzigingslog page.
"""
from __future__ import annotations

import tomllib

import streamlit as st

from loaders import settings, signin
from loaders.auth import Editor, login_with_oidc
from ui import components, state

SESSION_KEY = "wijkmonitor_editor"


def _editor_config() -> dict:
    path = settings.get("WIJKMONITOR_EDITORS_FILE")
    if path:
        with open(path, "rb") as fh:
            return tomllib.load(fh).get("editors", {})
    try:
        return dict(st.secrets.get("editors", {}))
    except Exception:  # noqa: BLE001 - no secrets file at all
        return {}


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001
        return False


def client() -> str:
    """The visitor's address for throttling and the log (see loaders.signin.client_address)."""
    try:
        return signin.client_address(st.context.ip_address, dict(st.context.headers))
    except Exception:  # noqa: BLE001 - no browser session (bare script run): one local client
        return "lokaal"


def current_editor() -> Editor | None:
    ed = st.session_state.get(SESSION_KEY)
    if isinstance(ed, Editor):
        return ed
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        ed = login_with_oidc(st.user.get("email"), list(_editor_config().get("emails", [])))
        if ed:
            state.ensure_user_tables()
            state.guarded(lambda: signin.record_oidc(state.programme_url(), ed, client()))
            st.session_state[SESSION_KEY] = ed
            return ed
    return None


def login_box(key: str = "login") -> Editor | None:
    """Show who is signed in, or a sign-in form. Returns the editor or None."""
    ed = current_editor()
    if ed:
        c1, c2 = st.columns([3, 1])
        c1.success(f"Ingelogd als redacteur: {ed.name}", icon=":material/verified_user:")
        if c2.button("Uitloggen", key=f"{key}_logout"):
            st.session_state.pop(SESSION_KEY, None)
            if ed.method == "oidc":
                st.logout()
            st.rerun()
        return ed
    cfg = _editor_config()
    accounts = dict(cfg.get("accounts", {}))
    with st.expander("Inloggen voor redacteuren", expanded=False):
        if _oidc_configured():
            if st.button("Inloggen met gemeente-account", key=f"{key}_oidc"):
                st.login()
        if not accounts and not _oidc_configured():
            # End users see no configuration instructions; how to add accounts is in the README (Configuratie).
            st.info("Inloggen voor redacteuren is op deze installatie nog niet ingericht. Neem contact op met de "
                    "beheerder van de Wijkmonitor als u doelen of deelnamecijfers wilt bijwerken.")
            return None
        if accounts:
            with st.form(f"{key}_form"):
                user = st.text_input("Gebruikersnaam", key=f"{key}_user")
                pw = st.text_input("Wachtwoord", type="password", key=f"{key}_pw")
                ok = st.form_submit_button("Inloggen")
            if ok:
                state.ensure_user_tables()
                try:
                    result = signin.sign_in(state.programme_url(), user, pw, accounts, client())
                except Exception as exc:  # noqa: BLE001 - e.g. the database is down: no sign-in, a Dutch message
                    st.error(f"Inloggen is nu niet mogelijk. {components.error_message(exc)}")
                    return None
                if result.editor:
                    st.session_state[SESSION_KEY] = result.editor
                    st.rerun()
                st.error(result.message, icon=":material/lock_clock:" if result.locked_until else None)
    return None
