"""Tampered URLs and form inputs, anonymous writers, secrets in messages — every page, in-process (AppTest).

- Every query parameter any page reads (found in the page and ui code, so a new parameter is covered without
  editing this file) is set to a hostile value on every page: the page runs without an exception, falls back
  to the same selections as a clean visit, and no hostile text ever appears in the text of an SQL statement
  (all SQL the run executes is recorded with a SQLAlchemy event; values may only travel as bound parameters).
- Form inputs of a signed-in editor (new target, participation form) are stored or refused, never executed.
- Anonymous visitors see no upload, form or save button on any page; every write function behind the pages
  refuses an anonymous or forged caller; pages pass the signed-in editor to every write they call.
- A database password never shows on any page, also when the database refuses the connection.
"""
from __future__ import annotations

import ast
import contextlib
import inspect
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks._browser import ROOT, PageSpec, navigation

PAGES = navigation()
PAGE_DIR = (ROOT / PAGES[0].file).parent  # views/ (the page scripts named in app.py)
PASSWORD = "tamper-test-wachtwoord"

PAYLOADS = {
    "sql_or": "' OR 1=1 --",
    "sql_drop": "BU09350403'; DROP TABLE observations; --",
    "markup": "<script>alert('wm')</script><img src=x onerror=alert(1)>",
    "junk": "\u202e..%2F..%2Fetc%2Fpasswd\x00" + "x" * 3000,
}
# The part of each payload that must never be found in SQL text or in HTML the page renders unescaped.
NEEDLES = {"sql_or": ["OR 1=1"], "sql_drop": ["DROP TABLE"], "markup": ["<script", "onerror="],
           "junk": ["etc%2Fpasswd", "x" * 200]}

_PARAM_RES = [
    r'state\.select\(\s*"(\w+)"', r'state\.multiselect\(\s*"(\w+)"', r'select_metric\(\s*"(\w+)"',
    r'param="(\w+)"', r'param: str = "(\w+)"', r'query_params\[\s*"(\w+)"\s*\]', r'query_params\.get\(\s*"(\w+)"',
    r'key="(\w+)",\s*bind="query-params"', r'query_params=\{\s*"(\w+)"',
]


def url_parameters() -> set[str]:
    """Every query parameter the pages and ui/ read or write (static scan of the source)."""
    names: set[str] = set()
    for path in [*PAGE_DIR.glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for pattern in _PARAM_RES:
            names.update(re.findall(pattern, text))
    return names


PARAMS = sorted(url_parameters())


def test_parameter_scan_finds_the_known_parameters():
    assert {"buurt", "indicator", "jaar", "pijler", "vergelijk", "weergave"} <= set(PARAMS), PARAMS


# ---------------------------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def record_sql():
    """Every statement any engine executes meanwhile, as (statement text, parameters)."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_env(monkeypatch, subset_sqlite):
    monkeypatch.setenv("DATABASE_URL", subset_sqlite)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    monkeypatch.delenv("WIJKMONITOR_EDITORS_FILE", raising=False)
    return subset_sqlite


def page_file(url_path: str) -> str:
    return next(p.file for p in PAGES if p.url_path == url_path)


def run_page(spec_file: str, params: dict | None = None, timeout: float = 120):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / spec_file), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def problems(at) -> list[str]:
    return [f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception]


def selections(at) -> dict:
    """Single choices (selectbox, radio) by widget key: a tampered URL must give the clean visit's default."""
    out = {f"select:{w.key}": w.value for w in at.selectbox}
    out.update({f"radio:{w.key}": w.value for w in at.radio})
    return out


def assert_multiselects_valid(at, clean) -> None:
    """Multiple choices hold only real options (an invalid list may leave the choice empty: that is safe)."""
    assert sorted(w.key for w in at.multiselect) == sorted(w.key for w in clean.multiselect)
    for w in at.multiselect:
        assert set(w.values) <= set(w.options), (w.key, w.values)


def texts(at) -> list[str]:
    """Everything the page shows as text, with whether Streamlit renders it as raw HTML."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "error", "warning", "info",
                 "success", "exception"):
        for el in getattr(at, kind):
            out.append(str(getattr(el, "value", "") or getattr(el, "message", "")))
    return out


def unescaped_html(at) -> list[str]:
    """Markdown rendered with unsafe_allow_html and st.html blocks: the places where markup would execute."""
    out = [el.value for el in at.markdown if getattr(el.proto, "allow_html", False)]
    out += [str(el.value) for el in at.get("html")]
    return out


_BASELINE: dict[str, object] = {}


def baseline(spec: PageSpec):
    if spec.file not in _BASELINE:
        at = run_page(spec.file)
        assert not at.exception, f"{spec.file} fails without any parameter:\n" + "\n".join(problems(at))
        _BASELINE[spec.file] = at
    return _BASELINE[spec.file]


# ---------------------------------------------------------------------------------------------- query parameters

@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_tampered_query_parameters(app_env, spec: PageSpec, payload: str):
    clean = baseline(spec)
    value = PAYLOADS[payload]
    cold = payload == "sql_or"  # one run per page with empty caches, so every query of the page really runs
    if cold:
        clear_caches()
    with record_sql() as statements:
        at = run_page(spec.file, {p: value for p in PARAMS})
    assert not at.exception, f"{spec.file} with ?…={payload}:\n" + "\n".join(problems(at))
    assert [t.value for t in at.title] == [t.value for t in clean.title]
    assert selections(at) == selections(clean), "a tampered parameter changed a selection instead of the default"
    assert_multiselects_valid(at, clean)
    multi = {w.key.split("msel_", 1)[1] for w in clean.multiselect if w.key and "msel_" in w.key}
    for k, v in clean.query_params.items():  # the parameters the page uses are rewritten to the defaults
        if k in multi:  # a multiple choice may instead be emptied; garbage never stays in the URL
            assert at.query_params.get(k) in (v, ""), (k, at.query_params.get(k))
        else:
            assert at.query_params.get(k) == v, (k, at.query_params.get(k))
    assert [e.value for e in at.error] == [e.value for e in clean.error]
    if cold:
        assert statements, "no SQL recorded on a cold run: the check below would prove nothing"
    for stmt, _params in statements:
        for needle in NEEDLES[payload]:
            assert needle not in stmt, f"hostile text in SQL: {stmt[:300]}"
    for html in unescaped_html(at):
        for needle in NEEDLES[payload]:
            assert needle not in html, f"hostile text in unescaped HTML on {spec.file}"


def test_multi_valued_and_empty_parameters(app_env):
    """?buurt=a&buurt=b and ?buurt= on the pages that read a buurt."""
    for spec in PAGES:
        if spec.url_path not in ("buurtprofiel", "vergelijken", "kaart", "trends"):
            continue
        clean = baseline(spec)
        for value in (["BU09350403", PAYLOADS["sql_or"]], ""):
            at = run_page(spec.file, {p: value for p in PARAMS})
            assert not at.exception, f"{spec.file} with {value!r}:\n" + "\n".join(problems(at))
            assert selections(at) == selections(clean)
            assert_multiselects_valid(at, clean)


def test_a_valid_parameter_is_honoured(app_env):
    """The fallback is not a page that ignores its URL: a valid buurt is selected."""
    at = run_page(page_file("buurtprofiel"), {"buurt": "BU09350203"})
    assert not at.exception
    assert "BU09350203" in selections(at).values()
    assert "BU09350203" not in selections(baseline(next(p for p in PAGES if p.url_path == "buurtprofiel"))).values()


# ---------------------------------------------------------------------------------------------- form inputs

@pytest.fixture
def editor_env(monkeypatch, subset_sqlite, tmp_path):
    """A private, writable copy of the subset database and one local editor account."""
    from loaders.auth import hash_password

    src = sqlite3.connect(subset_sqlite.removeprefix("sqlite:///"))
    path = tmp_path / "forms.sqlite"
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    accounts = tmp_path / "editors.toml"
    accounts.write_text(f'[editors.accounts]\ntester = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    monkeypatch.setenv("WIJKMONITOR_EDITORS_FILE", str(accounts))
    clear_caches()
    return url


def sign_in(at, prefix: str):
    at.text_input(key=f"{prefix}_user").input("tester")
    at.text_input(key=f"{prefix}_pw").input(PASSWORD)
    next(b for b in at.button if b.label == "Inloggen").click()
    at.run()
    assert not at.exception, problems(at)
    assert any("Ingelogd als redacteur" in s.value for s in at.success), "sign-in failed"
    return at


def counts(url: str) -> dict:
    from loaders.db import query

    return {t: int(query(f"SELECT COUNT(*) AS n FROM {t}", url=url)["n"].iloc[0])
            for t in ("observations", "areas", "targets", "participation", "change_log")}


def test_target_form_text_is_stored_as_text(editor_env):
    at = sign_in(run_page(page_file("doelen")), "doelen")
    before = counts(editor_env)
    hostile = {"new_owner": "Team'); DROP TABLE targets; --", "new_link": "<script>alert(1)</script>"}
    at.text_input(key="new_owner").input(hostile["new_owner"])
    at.text_area(key="new_rationale").input("' OR 1=1 -- onderbouwing")
    at.text_input(key="new_link").input(hostile["new_link"])
    with record_sql() as statements:
        next(b for b in at.button if b.label == "Doel opslaan").click()
        at.run()
    assert not at.exception, problems(at)
    after = counts(editor_env)
    assert after["targets"] == before["targets"] + 1 and after["observations"] == before["observations"]
    from loaders.programme import list_targets

    row = list_targets(editor_env).iloc[-1]
    assert row["owner"] == hostile["new_owner"] and row["rationale"] == "' OR 1=1 -- onderbouwing"
    assert row["action_link"] == hostile["new_link"]
    inserts = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("INSERT INTO TARGETS", "INSERT INTO PROGRAMMA.TARGETS"))]
    assert inserts and hostile["new_owner"] in repr(inserts[0][1])  # travelled as a bound parameter
    for stmt, _ in statements:
        assert "DROP TABLE" not in stmt and "OR 1=1" not in stmt and "<script" not in stmt
    for html in unescaped_html(at):
        assert "<script>alert(1)" not in html


def test_participation_form_hostile_month(editor_env):
    """A month that starts with SQL is refused; one that starts with a valid month is cut to that month (the
    form shares the upload's rule, which accepts Excel dates like 2025-01-15). Neither reaches SQL text."""
    from loaders.programme import list_participation

    at = sign_in(run_page(page_file("participatie")), "participatie")
    before = counts(editor_env)
    with record_sql() as statements:
        at.text_input(key="pf_maand").input("'; DELETE FROM participation; --")
        next(b for b in at.button if b.label == "Opslaan").click()
        at.run()
        assert not at.exception, problems(at)
        assert any("geen geldige maand" in e.value for e in at.error), [e.value for e in at.error]
        assert counts(editor_env) == before
        at.text_input(key="pf_maand").input("2025-01'; DELETE FROM participation; --")
        next(b for b in at.button if b.label == "Opslaan").click()
        at.run()
    assert not at.exception, problems(at)
    assert counts(editor_env)["participation"] == before["participation"] + 1
    assert list_participation(editor_env)["maand"].tolist()[-1:] == ["2025-01"]
    assert statements
    for stmt, _ in statements:
        assert "DELETE FROM participation" not in stmt


# ---------------------------------------------------------------------------------------------- anonymous users

WRITE_LABELS = re.compile(r"opslaan|upload|verwijder|toevoegen|importeer|vernieuw|bewerk|wijzig", re.I)


@pytest.mark.parametrize("spec", PAGES, ids=[p.slug for p in PAGES])
def test_anonymous_visitor_has_no_way_to_edit(editor_env, spec: PageSpec):
    """With editor accounts configured (so the sign-in form is there), an anonymous visitor gets no upload,
    no input except the sign-in fields, and no button or form that saves."""
    at = run_page(spec.file)
    assert not at.exception, problems(at)
    assert not list(at.get("file_uploader")), f"{spec.file}: upload offered to an anonymous visitor"
    fields = [w.key for w in [*at.text_input, *at.text_area, *at.number_input, *at.date_input]]
    assert all(k and k.endswith(("_user", "_pw")) for k in fields), f"{spec.file}: inputs {fields}"
    labels = [b.label for b in at.button]
    assert not [lbl for lbl in labels if WRITE_LABELS.search(lbl)], f"{spec.file}: buttons {labels}"


def _write_functions():
    from loaders import decks, programme

    out = []
    for mod in (programme, decks):
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_") and "editor" in inspect.signature(fn).parameters:
                out.append(pytest.param(fn, id=f"{mod.__name__.split('.')[-1]}.{name}"))
    return out


def _dummy_args(fn, editor, url: str) -> dict:
    """Plausible arguments, so only the editor check can stop the call."""
    from loaders.pipeline import no_metric_store

    values = {"url": url, "editor": editor, "values": {}, "known_metrics": set(), "known_areas": set(),
              "target_id": 1, "expected_version": 1, "data": b"buurt_code,maand\n", "file_name": "x.csv",
              "known_buurten": {"BU09350403"}, "record": {}, "name": "Presentatie", "slides": ["titel"],
              "known_keys": {"titel"}, "deck_id": 1, "proposal": {}, "comparison_group": None, "reason": "",
              "wanted": {"AantalInwoners_5"}, "derive": no_metric_store, "known": {}}
    params = inspect.signature(fn).parameters
    missing = [p for p in params if p not in values and params[p].default is inspect.Parameter.empty]
    assert not missing, f"add a dummy value for {missing} of {fn.__name__}"
    return {p: values[p] for p in params if p in values}


@pytest.mark.parametrize("fn", _write_functions())
def test_write_functions_refuse_anonymous_and_forged_callers(fn, tmp_path):
    from loaders.auth import Editor, PermissionDenied

    url = f"sqlite:///{tmp_path / 'none.sqlite'}"
    for who in (None, "tester", {"name": "tester"}, Editor(name="tester", method="wachtwoord")):
        with pytest.raises(PermissionDenied):
            fn(**_dummy_args(fn, who, url))
    assert not sa.inspect(sa.create_engine(url)).get_table_names(), "the database was touched before the check"


def test_every_transaction_in_the_edit_modules_checks_the_editor_first():
    """A function of loaders/programme.py or loaders/decks.py that opens a write transaction takes an editor
    and calls require_editor() before it does."""
    for rel in ("loaders/programme.py", "loaders/decks.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for fn in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
            src = ast.unparse(fn)
            if ".begin()" not in src:
                continue
            assert "editor" in [a.arg for a in fn.args.args], f"{rel}:{fn.name} writes without an editor"
            assert src.index("require_editor(") < src.index(".begin()"), f"{rel}:{fn.name}"


WRITE_MODULES = {"programme", "deck_store", "decks", "statline_import", "refresh"}
WRITE_CALLS = re.compile(r"^(create_|update_|delete_|import_|add_|apply$|run$|reapply)")


def test_pages_pass_the_signed_in_editor_to_every_write():
    calls = 0
    for path in sorted(PAGE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in WRITE_MODULES
                    and WRITE_CALLS.match(node.func.attr)):
                calls += 1
                names = {a.id for a in [*node.args, *[k.value for k in node.keywords]] if isinstance(a, ast.Name)}
                assert "editor" in names, f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr} " \
                                          "is called without the signed-in editor"
    assert calls >= 5, "the scan found (almost) no write calls: has the page code moved?"


# ---------------------------------------------------------------------------------------------- secrets

def _closed_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


UNGUARDED = ("ui.state.ensure_user_tables opens a transaction with get_engine().begin(): a refused connection "
             "raises sqlalchemy OperationalError, which guarded() does not catch (it only catches "
             "DatabaseUnavailable); pages that do not call state.engine() first show an exception")


def _db_down_marks(spec: PageSpec) -> list:
    return []  # fixed: ui.state.guarded() also catches raw SQLAlchemy connection errors


@pytest.mark.parametrize("spec", [pytest.param(p, id=p.slug, marks=_db_down_marks(p)) for p in PAGES])
def test_database_password_never_shown(monkeypatch, spec: PageSpec):
    secret = f"Geheim-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://wijkmonitor:{secret}@127.0.0.1:{_closed_port()}/wm")
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    monkeypatch.delenv("WIJKMONITOR_EDITORS_FILE", raising=False)
    clear_caches()
    at = run_page(spec.file)
    shown = "\n".join(texts(at)) + "\n".join("".join(e.stack_trace) for e in at.exception)
    assert secret not in shown
    assert any("niet bereikbaar" in e.value for e in at.error), f"{spec.file}: no clear message when the " \
                                                                  "database refuses the connection"
    assert not at.exception, f"{spec.file}:\n" + "\n".join(problems(at))
