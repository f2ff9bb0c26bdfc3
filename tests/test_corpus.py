"""The malformed-input corpus (tests/corpus.py): every bad file gets one clear error and changes nothing.

"Clear" means: a LoadError (never a bare KeyError/IndexError/UnicodeError), naming the file, with the Dutch
message the case expects, the row and column where the case knows them, and short enough to read (a 50 MB cell
is not echoed back). "Changes nothing" means the database fingerprint (statistics, sources, build info, staged
imports, participation register, uploads, change log) is identical before and after.

The build cases fail while data/ is being read, before the database is opened, so they run once on SQLite;
the StatLine and participation uploads run on SQLite and PostgreSQL. The ~50 MB cases are generated in the
test's tmp dir at test time.

At the end, exports are checked end to end: formula-looking text that reached the database (an area name from
a source file, a participation upload's file name in the change log) leaves as inert text in CSV and Excel.
"""
from __future__ import annotations

import io
import re
import shutil
import sqlite3
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import auth, programme, sources, statline_import
from wijkmonitor.statistics import build
from loaders.db import get_engine, query
from loaders.errors import LoadError
from loaders.migrations import migrate_user_tables
from tests import corpus
from tests.cbs_fixtures import DERIVE, WANTED

CASES = corpus.cases()
MAX_MESSAGE = 400  # characters: a message names file, row, column and what is wrong, nothing more
PASSWORD = "corpus-test-wachtwoord"


def test_corpus_is_large_and_covers_every_door():
    by_target = {t: [c for c in CASES if c.target == t] for t in ("build", "statline", "participation")}
    assert len(CASES) >= 100, len(CASES)
    assert all(len(v) >= 25 for v in by_target.values()), {k: len(v) for k, v in by_target.items()}
    assert sum(c.big for c in CASES) >= 3
    kinds = " ".join(c.name for c in CASES)
    for needle in ("truncated", "semicolon", "latin1", "utf16", "huge", "negative", "formula", "duplicate",
                   "unknown", "fifty_mb"):
        assert needle in kinds, needle


def test_mutations_start_from_the_real_files():
    """The table helpers write an unmodified real file back byte for byte, so every case differs from the
    shipped file only by its mutation."""
    for raw in (corpus.data_bytes(corpus.KWB24), corpus.data_bytes(corpus.HEALTH),
                corpus.statline_bytes(corpus.SL_KWB), corpus.statline_bytes(corpus.SL_HEALTH)):
        rows, dialect = corpus.parse_table(raw)
        assert corpus.write_table(rows, dialect) == raw
    for c in CASES:
        if not c.big and c.target == "build":
            assert c.make() != corpus.data_bytes(c.file), c.id


# ---------------------------------------------------------------------------------------------- fixtures

def fingerprint(url: str) -> dict:
    """Everything a rejected file must leave untouched."""
    out: dict = {}
    with get_engine(url).connect() as conn:
        insp = sa.inspect(conn)
        for table in ("observations", "sources", "areas", "area_versions", "variables", "geometries", "build_info",
                      "programma.participation", "programma.uploads", "programma.change_log", "programma.targets",
                      "staged_batches"):
            schema, _, name = table.rpartition(".")
            if insp.has_table(name, schema=schema or None):
                out[name] = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    out["obs_sum"] = query("SELECT SUM(value) AS s, SUM(LENGTH(status)) AS n FROM observation_rows", url=url).to_dict()
    out["source_keys"] = tuple(query("SELECT source_key, file_sha256 FROM sources ORDER BY source_key",
                                     url=url).itertuples(index=False))
    out["build_info"] = tuple(query("SELECT key, value FROM build_info ORDER BY key", url=url).itertuples(index=False))
    if "participation" in out:
        out["register"] = tuple(programme.list_participation(url).itertuples(index=False))
    return out


@pytest.fixture(scope="module")
def corpus_data(tmp_path_factory) -> Path:
    """One copy of data/ (without the built database and the national Parquet file); cases link to it."""
    base = tmp_path_factory.mktemp("corpus") / "data"
    shutil.copytree(corpus.DATA, base, ignore=shutil.ignore_patterns("*.sqlite*", "*.parquet"))
    return base


def data_dir_with(base: Path, tmp: Path, rel: str, content: bytes) -> Path:
    """A data/ directory of symlinks to ``base`` in which only ``rel`` is replaced by ``content``."""
    data = tmp / "data"
    for src in base.rglob("*"):
        if src.is_file():
            dst = data / src.relative_to(base)
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.relative_to(base).as_posix() != rel:
                dst.symlink_to(src)
    (data / rel).write_bytes(content)
    return data


@pytest.fixture(scope="module")
def editor():
    return auth.login_with_password("corpus", PASSWORD, {"corpus": auth.hash_password(PASSWORD)})


def _private_copy(request, tmp_path_factory, kind: str) -> str:
    if kind == "sqlite":
        src = sqlite3.connect(request.getfixturevalue("subset_sqlite").removeprefix("sqlite:///"))
        path = tmp_path_factory.mktemp("corpus-db") / "corpus.sqlite"
        dst = sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.close()
        return f"sqlite:///{path}"
    src_url = request.getfixturevalue("subset_pg")
    get_engine(src_url).dispose()  # a template database must have no open connections
    base = sa.engine.make_url(src_url)
    name = f"corpus_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _upload_db(request, tmp_path_factory, editor, kind: str) -> str:
    """A private copy of the subset database with a real StatLine import and one participation upload."""
    url = _private_copy(request, tmp_path_factory, kind)
    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
    statline_import.import_file(url, corpus.STATLINE / corpus.SL_KWB, derive=DERIVE, wanted=WANTED)
    seed = corpus.participation_base()
    for i, month in enumerate(corpus.PART_MONTHS):  # the same buurten, July to December 2024
        seed = seed.replace(month.encode(), f"2024-{i + 7:02d}".encode())
    assert programme.import_participation(url, editor, seed, "seed.csv", known_buurten(url)) > 0
    return url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def upload_db(request, tmp_path_factory, editor) -> str:
    return _upload_db(request, tmp_path_factory, editor, request.param)


@pytest.fixture(scope="module")
def upload_db_sqlite(request, tmp_path_factory, editor) -> str:
    return _upload_db(request, tmp_path_factory, editor, "sqlite")


def known_buurten(url: str) -> set[str]:
    return set(query("SELECT code FROM areas WHERE level = 'buurt' AND gemeente_code = 'GM0935'", url=url)["code"])


def check_error(case: corpus.Case, err: LoadError) -> None:
    text = str(err)
    assert err.file and Path(err.file).name == case.file_name, text
    assert case.file_name in text, text
    assert re.search(case.expect, err.message), f"{case.id}: {text}"
    assert len(text) <= MAX_MESSAGE, f"{case.id}: message of {len(text)} characters: {text[:300]}…"
    assert "Traceback" not in text and "\x00" not in text
    if case.row is not None:
        assert err.row == case.row, f"{case.id}: {text}"
    if case.column is not None:
        assert err.column == case.column, f"{case.id}: {text}"


# ---------------------------------------------------------------------------------------------- the corpus

# Cases the loaders do not yet reject cleanly (reported; strict: once fixed, the xfail fails and must go).
KNOWN_ISSUES: dict[str, str] = {}  # all reported issues fixed (huge/infinite values, NUL bytes anywhere)


def _marks(case: corpus.Case) -> list:
    reason = KNOWN_ISSUES.get(case.id)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _ids(target: str) -> list:
    return [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES if c.target == target]


def _ids_small(target: str) -> list:
    return [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES if c.target == target and not c.big]


def _ids_big(target: str) -> list:
    return [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES if c.target == target and c.big]


@pytest.mark.parametrize("case", _ids("build"))
def test_build_rejects(case: corpus.Case, corpus_data, subset_sqlite, tmp_path, monkeypatch):
    before = fingerprint(subset_sqlite)
    data = data_dir_with(corpus_data, tmp_path, case.file, case.make())
    monkeypatch.setattr(sources, "DATA_DIR", data)
    monkeypatch.setattr("loaders.variables.DATA_DIR", data)
    with pytest.raises(LoadError) as err:
        build(subset_sqlite, national=False)
    check_error(case, err.value)
    assert fingerprint(subset_sqlite) == before


def _statline_rejects(case: corpus.Case, url: str, tmp_path: Path) -> None:
    before = fingerprint(url)
    path = tmp_path / case.file_name  # uploaded files arrive as a file (CLI) or as bytes (page); use both
    path.write_bytes(case.make())
    with pytest.raises(LoadError) as err:
        statline_import.import_file(url, path, derive=DERIVE, wanted=WANTED)
    check_error(case, err.value)
    if not case.big:
        with pytest.raises(LoadError) as err2:
            statline_import.import_file(url, path.read_bytes(), filename=case.file_name, derive=DERIVE, wanted=WANTED)
        assert err2.value.message == err.value.message
    assert fingerprint(url) == before


def _participation_rejects(case: corpus.Case, url: str, editor) -> None:
    before = fingerprint(url)
    with pytest.raises(LoadError) as err:
        programme.import_participation(url, editor, case.make(), case.file_name, known_buurten(url))
    check_error(case, err.value)
    assert fingerprint(url) == before


@pytest.mark.parametrize("case", _ids_small("statline"))
def test_statline_import_rejects(case: corpus.Case, upload_db, tmp_path):
    _statline_rejects(case, upload_db, tmp_path)


@pytest.mark.parametrize("case", _ids_small("participation"))
def test_participation_upload_rejects(case: corpus.Case, upload_db, editor):
    _participation_rejects(case, upload_db, editor)


# The ~50 MB files fail while they are parsed, before the database is opened: once, on SQLite.
@pytest.mark.parametrize("case", _ids_big("statline"))
def test_statline_import_rejects_fifty_mb(case: corpus.Case, upload_db_sqlite, tmp_path):
    _statline_rejects(case, upload_db_sqlite, tmp_path)


@pytest.mark.parametrize("case", _ids_big("participation"))
def test_participation_upload_rejects_fifty_mb(case: corpus.Case, upload_db_sqlite, editor):
    _participation_rejects(case, upload_db_sqlite, editor)


def test_upload_limit_matches_the_fifty_mb_cases():
    """The 50 MB cases are the largest file Streamlit lets through (server.maxUploadSize in config.toml)."""
    import tomllib

    cfg = tomllib.loads((corpus.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit_mb = cfg["server"]["maxUploadSize"]
    assert 1 <= limit_mb <= 50
    assert corpus.FIFTY_MB >= limit_mb * 1024 * 1024 * 0.99


# ---------------------------------------------------------------------------------------------- exports

FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def _cells(df: pd.DataFrame) -> list[str]:
    return [v for col in df.columns for v in df[col].tolist() if isinstance(v, str)]


def _xlsx_cells(data: bytes) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))  # not data_only: a formula would come back as a formula
    try:
        return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    finally:
        wb.close()


def assert_inert(csv_bytes: bytes, xlsx_bytes: bytes, payloads: list[str]) -> None:
    text = csv_bytes.decode("utf-8-sig")
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=";")  # Dutch CSV by default
    cells = _cells(df)
    for p in payloads:
        assert "'" + p in cells, f"{p!r} not exported as inert text"
    assert not any(c.startswith(corpus_formula_start()) for c in cells)
    for c in _xlsx_cells(xlsx_bytes):
        assert c.data_type != "f", f"formula cell {c.coordinate}: {c.value!r}"
        if isinstance(c.value, str):
            assert not c.value.startswith(corpus_formula_start()), (c.coordinate, c.value)


def corpus_formula_start() -> tuple[str, ...]:
    from metrics.export import FORMULA_START

    return FORMULA_START


class Downloads:
    """Records every file a page hands to st.download_button during an AppTest run (the exact bytes)."""

    def __init__(self, monkeypatch):
        from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

        self.files: dict[str, bytes] = {}
        original = MemoryMediaFileStorage.load_and_get_id

        def record(storage, path_or_data, mimetype, kind, filename=None):
            if filename and isinstance(path_or_data, bytes):
                self.files[filename] = path_or_data
            return original(storage, path_or_data, mimetype, kind, filename)

        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)

    def pair(self, stem: str) -> tuple[bytes, bytes]:
        csv_name = next((n for n in self.files if n.startswith(stem) and n.endswith(".csv")), None)
        xlsx_name = next((n for n in self.files if n.startswith(stem) and n.endswith(".xlsx")), None)
        assert csv_name and xlsx_name, f"no CSV/Excel download named {stem}*: {sorted(self.files)}"
        return self.files[csv_name], self.files[xlsx_name]


def _app_env(monkeypatch, url: str) -> None:
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WIJKMONITOR_READONLY_DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(url_path: str):
    """The page script app.py serves at /<url_path>."""
    from streamlit.testing.v1 import AppTest

    from benchmarks._browser import navigation

    spec = next(p for p in navigation() if p.url_path == url_path)
    return AppTest.from_file(str(corpus.ROOT / spec.file), default_timeout=120)


def test_full_export_neutralises_a_formula_from_a_source_file(tmp_path, monkeypatch):
    """A buurt name in a shipped file that looks like a formula travels through build, engine and the Data
    page's "Export maken" to the CSV and Excel downloads, and arrives there as inert text."""
    data = data_dir_with(_copy_data(tmp_path / "base"), tmp_path, corpus.KWB25,
                         corpus.set_cell(corpus.data_bytes(corpus.KWB25), "regio", FORMULAS[0],
                                         where=("gwb_code_10", "BU09350403"))[0])
    monkeypatch.setattr(sources, "DATA_DIR", data)
    monkeypatch.setattr("loaders.variables.DATA_DIR", data)
    url = f"sqlite:///{tmp_path / 'formula.sqlite'}"
    build(url, national=False)
    assert query("SELECT name FROM areas WHERE code = 'BU09350403'", url=url)["name"].iloc[0] == FORMULAS[0]

    _app_env(monkeypatch, url)
    downloads = Downloads(monkeypatch)
    at = _page("data")
    at.query_params["onderdeel"] = "Downloaden"  # the Data page builds only the open tab
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="make_export").click().run()
    assert not at.exception, [e.message for e in at.exception]
    csv_bytes, xlsx_bytes = downloads.pair("wijkmonitor-export-")
    assert_inert(csv_bytes, xlsx_bytes, [FORMULAS[0]])


def _copy_data(dst: Path) -> Path:
    shutil.copytree(corpus.DATA, dst, ignore=shutil.ignore_patterns("*.sqlite*", "*.parquet"))
    return dst




@pytest.mark.parametrize("payloads", [
    pytest.param(FORMULAS[:5], id="formulas"),
    pytest.param(FORMULAS[5:], id="carriage_return"),
])
def test_participation_download_neutralises_formulas(payloads, tmp_path, subset_sqlite, monkeypatch):
    """The Wie doen er mee? page's CSV and Excel downloads, with formula-looking codes in the register.

    Uploads cannot put them there (codes, months and counts are validated; see the corpus), so the rows are
    written straight into the table, as an old or hand-edited database could hold them."""
    import datetime as dt

    from loaders.migrations import participation

    src = sqlite3.connect(subset_sqlite.removeprefix("sqlite:///"))
    path = tmp_path / "register.sqlite"
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    url = f"sqlite:///{path}"
    now = dt.datetime.now(dt.timezone.utc)
    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
        conn.execute(participation.insert(), [
            {"buurt_code": f, "maand": f"2025-0{i + 1}", "leeftijdsgroep": "totaal", "dialoogsessies": 1,
             "bewoners_bereikt": 12 * (i + 1), "meemakers": 11, "activiteiten": 1, "created_by": "test",
             "created_at": now} for i, f in enumerate(payloads)])
    _app_env(monkeypatch, url)
    downloads = Downloads(monkeypatch)
    at = _page("participatie").run()
    assert not at.exception, [e.message for e in at.exception]
    csv_bytes, xlsx_bytes = downloads.pair("participatieregister")
    assert_inert(csv_bytes, xlsx_bytes, payloads)
