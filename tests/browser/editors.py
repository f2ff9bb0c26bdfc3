"""What the browser tests that sign in share: the editors file, an app server that knows it, the sign-in steps
and the wait for a finished script run."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from benchmarks._browser import APP, StreamlitServer, goto_settled
from loaders import auth

USER = "pm"
PASSWORD = "correct horse battery"
SIGN_IN = "Inloggen voor redacteuren"
SIGNED_IN = f"text=Ingelogd als redacteur: {USER}"
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"


def editors_file(directory: Path) -> Path:
    """An editors file with one account (USER / PASSWORD), as WIJKMONITOR_EDITORS_FILE reads it."""
    path = directory / "editors.toml"
    path.write_text(f'[editors.accounts]\n{USER} = "{auth.hash_password(PASSWORD)}"\n', encoding="utf-8")
    return path


@contextmanager
def editor_server(db: str, editors: Path, browser, log_path: Path, **server_kwargs):
    """``streamlit run app.py`` on ``db`` with the editors file; its root visited once (a fresh server: the root
    first, see conftest.py); stopped on exit."""
    s = StreamlitServer(APP, db, log_path=log_path, extra_env={"WIJKMONITOR_EDITORS_FILE": str(editors)},
                        **server_kwargs)
    s.start()
    try:
        ctx = browser.new_context()
        goto_settled(ctx.new_page(), s.base_url + "/")
        ctx.close()
        yield s
    finally:
        s.stop()


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit's script run has finished (after a short pause for the rerun to start)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout)


def sign_in(page) -> None:
    """Open the sign-in box on the current page and sign in as USER."""
    page.get_by_text(SIGN_IN).click()
    page.get_by_label("Gebruikersnaam").fill(USER)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    # As long as the other waits of these tests: the submit is handled once the running script run reaches its next
    # Streamlit call (on Doelen that can be after the proposals are computed), and under pytest-xdist three workers
    # share two cores. 30 s was once too short there (test_proposals, PostgreSQL).
    page.wait_for_selector(SIGNED_IN, timeout=90_000)
