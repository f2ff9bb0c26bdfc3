"""Sign-in that resists guessing (loaders/signin.py, ui/auth.py): failed password attempts counted per account name
and per client in the database (both backends), a Dutch lockout message that does not tell whether a name exists,
a log of sign-ins that editors see on the Wijzigingslog page and anonymous visitors do not, and the
``hash-password`` command."""
from __future__ import annotations

import datetime as dt
import os
import pty
import select as select_mod
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest

from loaders import signin
from loaders.db import query, transaction
from loaders.migrations import migrate_user_tables

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "een lang en goed wachtwoord"
ACCOUNTS = {"pm": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()}  # cheap rounds: tests
RULES = signin.Rules(max_failures=5, max_failures_client=8, window=dt.timedelta(minutes=15),
                     lock=dt.timedelta(minutes=15))
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
LOCKED = "Te veel mislukte pogingen. Probeer het over"


@pytest.fixture
def db(empty_db) -> str:
    with transaction(empty_db) as conn:
        migrate_user_tables(conn)
    return empty_db


def attempt(db, name, password, client="10.0.0.1", minutes=0.0):
    return signin.sign_in(db, name, password, ACCOUNTS, client, now=T0 + dt.timedelta(minutes=minutes), rules=RULES)


def log(db):
    return query("SELECT user_name, method, outcome, client, replica FROM programma.sign_ins ORDER BY id", url=db)


def test_five_failures_lock_the_account_for_fifteen_minutes(db):
    for i in range(4):
        r = attempt(db, "pm", "fout", minutes=i)
        assert r.editor is None and r.message == signin.WRONG
    r = attempt(db, "pm", "fout", minutes=4)
    assert r.editor is None and r.message == f"{LOCKED} 15 minuten opnieuw."
    r = attempt(db, "pm", PASSWORD, minutes=10)  # the right password while locked: refused, not even checked
    assert r.editor is None and r.message == f"{LOCKED} 9 minuten opnieuw."
    assert attempt(db, "pm", PASSWORD, minutes=18.5).message == f"{LOCKED} 1 minuut opnieuw."
    r = attempt(db, "pm", PASSWORD, minutes=19.5)  # lock over
    assert r.editor is not None and r.editor.name == "pm"
    assert list(log(db)["outcome"]) == ["mislukt"] * 5 + ["geblokkeerd"] * 2 + ["gelukt"]


def test_failures_outside_the_window_do_not_add_up(db):
    for i in range(4):
        attempt(db, "pm", "fout", minutes=i)
    for i in range(4):  # 20 minutes later: a new window
        assert attempt(db, "pm", "fout", minutes=20 + i).message == signin.WRONG
    assert attempt(db, "pm", "fout", minutes=24).message.startswith(LOCKED)


def test_a_success_resets_the_account_count(db):
    for i in range(4):
        attempt(db, "pm", "fout", minutes=i)
    assert attempt(db, "pm", PASSWORD, minutes=4).editor is not None
    for i in range(4):  # (another client: the client count is not reset by a success)
        assert attempt(db, "pm", "fout", client="10.0.0.2", minutes=5 + i).message == signin.WRONG


def test_an_unknown_name_is_answered_exactly_like_an_account(db):
    """Same messages at the same attempts, so the answer does not tell whether the name exists."""
    known = [attempt(db, "pm", "fout", client="10.0.0.1", minutes=i).message for i in range(6)]
    unknown = [attempt(db, "iemand", "fout", client="10.0.0.2", minutes=i).message for i in range(6)]
    assert known == unknown
    assert unknown[-1].startswith(LOCKED)


def test_names_differing_in_case_or_spaces_share_a_counter(db):
    for i, name in enumerate(["pm", "PM", " pm", "Pm "]):
        attempt(db, name, "fout", client=f"10.0.0.{i}", minutes=i)
    assert attempt(db, "pm", "fout", client="10.0.0.9", minutes=4).message.startswith(LOCKED)


def test_a_client_is_locked_separately_across_names(db):
    for i in range(7):
        assert attempt(db, f"naam{i}", "fout", client="192.0.2.7", minutes=i).message == signin.WRONG
    assert attempt(db, "naam7", "fout", client="192.0.2.7", minutes=7).message.startswith(LOCKED)
    assert attempt(db, "pm", PASSWORD, client="192.0.2.7", minutes=8).editor is None  # the client is locked
    assert attempt(db, "pm", PASSWORD, client="192.0.2.8", minutes=8).editor is not None  # another client is not


def test_the_log_records_who_when_where_and_never_a_password(db):
    attempt(db, "pm", PASSWORD, client="198.51.100.4")
    attempt(db, "mijn-geheime-wachtwoord", "fout", client="198.51.100.4", minutes=1)
    attempt(db, "pm", "ook-geheim", client="198.51.100.5", minutes=2)
    df = log(db)
    assert list(df["user_name"]) == ["pm", signin.UNKNOWN_NAME, "pm"]
    assert list(df["outcome"]) == ["gelukt", "mislukt", "mislukt"]
    assert list(df["client"]) == ["198.51.100.4", "198.51.100.4", "198.51.100.5"]
    assert set(df["method"]) == {"wachtwoord"} and set(df["replica"]) == {signin.replica()}
    stored = query("SELECT * FROM programma.sign_in_throttle", url=db).to_string() + df.to_string()
    assert "geheim" not in stored
    assert list(signin.list_sign_ins(db)["client"]) == ["198.51.100.5", "198.51.100.4", "198.51.100.4"]


def test_counters_are_shared_between_processes(db):
    """Another app process (another replica) counts into the same rows: its failures lock the name here."""
    code = ("import datetime as dt, sys; from loaders import signin; from tests.test_signin import ACCOUNTS, RULES, T0\n"
            "for i in range(4): signin.sign_in(sys.argv[1], 'pm', 'fout', ACCOUNTS, '10.0.0.1', "
            "now=T0 + dt.timedelta(minutes=i), rules=RULES)")
    subprocess.run([sys.executable, "-c", code, db], cwd=ROOT, check=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert attempt(db, "pm", "fout", minutes=4).message.startswith(LOCKED)
    assert log(db)["replica"].nunique() == 2


def test_client_address_believes_the_proxy_header_only_from_a_trusted_peer(monkeypatch):
    monkeypatch.setenv("WIJKMONITOR_TRUSTED_PROXIES", "10.1.1.1")
    hdr = {"X-Real-IP": "203.0.113.9"}
    assert signin.client_address(None, hdr) == "203.0.113.9"  # loopback: nginx on the same machine
    assert signin.client_address("10.1.1.1", hdr) == "203.0.113.9"
    assert signin.client_address("198.51.100.1", hdr) == "198.51.100.1"  # anyone else: the header is ignored
    assert signin.client_address(None, {}) == "lokaal"


# ---------------------------------------------------------------------------------------------- the page

@pytest.fixture
def page_env(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'page.sqlite'}"
    accounts = tmp_path / "editors.toml"
    accounts.write_text(f'[editors.accounts]\npm = "{ACCOUNTS["pm"]}"\n', encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    monkeypatch.setenv("WIJKMONITOR_EDITORS_FILE", str(accounts))
    monkeypatch.setenv("WIJKMONITOR_SIGNIN_MAX_FAILURES", "3")
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    return url


def _page():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "views" / "wijzigingen.py"), default_timeout=60).run()


def _try(at, name, password):
    at.text_input(key="log_user").input(name)
    at.text_input(key="log_pw").input(password)
    next(b for b in at.button if b.label == "Inloggen").click()
    return at.run()


def test_lockout_message_on_the_page(page_env):
    at = _page()
    for _ in range(2):
        _try(at, "pm", "fout")
        assert [e.value for e in at.error] == [signin.WRONG]
    _try(at, "pm", "fout")
    assert [e.value for e in at.error] == ["Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw."]
    _try(at, "pm", PASSWORD)  # locked: the right password does not help
    assert not at.exception and not any("Ingelogd als redacteur" in s.value for s in at.success)
    assert at.error[0].value.startswith(LOCKED)


def test_sign_in_log_visible_to_an_editor_only(page_env):
    at = _page()
    _try(at, "pm", "fout")
    assert not any(h.value == "Aanmeldingen van redacteuren" for h in at.subheader)  # anonymous: no log
    assert not at.dataframe or all("Uitkomst" not in d.value.columns for d in at.dataframe)
    _try(at, "pm", PASSWORD)
    assert any("Ingelogd als redacteur: pm" in s.value for s in at.success)
    assert any(h.value == "Aanmeldingen van redacteuren" for h in at.subheader)
    table = next(d.value for d in at.dataframe if "Uitkomst" in d.value.columns)
    assert list(table["Uitkomst"]) == ["gelukt", "mislukt"] and list(table["Naam"]) == ["pm", "pm"]
    assert set(table["Adres"]) == {"lokaal"}
    at.button(key="log_logout").click()
    at.run()
    assert not any(h.value == "Aanmeldingen van redacteuren" for h in at.subheader)


# ---------------------------------------------------------------------------------------------- hash-password

def _run_in_terminal(answers: list[str]) -> tuple[int, str]:
    """``python -m wijkmonitor hash-password`` in a pseudo-terminal (getpass reads the terminal, not stdin)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pseudo-terminal is its controlling terminal
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "wijkmonitor", "hash-password"])
    out, pending, deadline = b"", list(answers), time.monotonic() + 60
    prompts = (b"tekens): ", b"Nogmaals: ")
    try:
        return _converse(pid, fd, out, pending, deadline, prompts)
    finally:
        try:
            os.kill(pid, 9)  # only if still running (a hang fails the test instead of blocking it)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _converse(pid, fd, out, pending, deadline, prompts) -> tuple[int, str]:
    answered = 0
    while time.monotonic() < deadline:
        ready, _, _ = select_mod.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        while pending and answered < sum(out.count(p) for p in prompts):  # answer each prompt once it is shown
            os.write(fd, pending.pop(0).encode() + b"\n")
            answered += 1
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")
        time.sleep(0.05)
    return -1, out.decode("utf-8", "replace")


def test_hash_password_prompts_twice_without_echo():
    rc, out = _run_in_terminal([PASSWORD, PASSWORD])
    assert rc == 0, out
    assert PASSWORD not in out  # not echoed
    hashed = next(w for w in out.split() if w.startswith("$2b$"))
    assert bcrypt.checkpw(PASSWORD.encode(), hashed.encode())
    rc, out = _run_in_terminal([PASSWORD, PASSWORD + "x"])
    assert rc == 2 and "niet gelijk" in out and "$2b$" not in out


def test_sign_in_tables_are_operational_not_programme_data(db):
    """Every table of user_metadata is either programme data (USER_TABLES: backed up) or operational
    (OPERATIONAL_TABLES: shared by the replicas, never backed up); the sign-in tables are operational."""
    from loaders import migrations

    names = lambda ts: {t.name for t in ts}  # noqa: E731
    assert not names(migrations.USER_TABLES) & names(migrations.OPERATIONAL_TABLES)
    assert names(migrations.USER_TABLES) | names(migrations.OPERATIONAL_TABLES) == \
        {t.name for t in migrations.user_metadata.sorted_tables}
    assert {"sign_ins", "sign_in_throttle"} <= names(migrations.OPERATIONAL_TABLES)
    assert 6 in set(query("SELECT version FROM programma.schema_migrations", url=db)["version"])
