"""Security: read-only viewing role, bound parameters against hostile input, no secrets in messages."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from loaders import repository
from wijkmonitor.statistics import build
from loaders.db import DatabaseUnavailable, query
from loaders.roles import create_readonly_role
from tests.conftest import fresh_pg_database


@pytest.mark.postgres
def test_readonly_role_can_view_but_not_write():
    url = fresh_pg_database("ro")
    build(url, national=False)
    create_readonly_role(url, "wijkmonitor_reader_t", "a-long-test-password")
    ro = url.replace("postgres@", "wijkmonitor_reader_t:a-long-test-password@")
    assert len(repository.sources(url=ro)) > 0  # viewing works
    eng = sa.create_engine(ro)
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        with eng.begin() as conn:
            conn.execute(sa.text("DELETE FROM observations"))
    build(url, national=False)  # a rebuild recreates the tables: default privileges keep them readable
    assert len(repository.sources(url=ro)) > 0
    eng.dispose()


@pytest.mark.parametrize("hostile", ["BU09350403' OR '1'='1", "'; DROP TABLE observations; --", "%", "\x00"])
def test_hostile_values_are_bound_not_executed(built_db, hostile):
    n_before = query("SELECT COUNT(*) AS n FROM observation_rows", url=built_db)["n"].iloc[0]
    for call in (lambda: query("SELECT * FROM areas WHERE code = :c", {"c": hostile}, url=built_db),
                 lambda: repository.national_values(hostile, "18+", 2020, url=built_db)):
        try:
            assert call().empty
        except (sa.exc.DataError, ValueError, DatabaseUnavailable):
            assert hostile == "\x00"  # a NUL byte is refused by PostgreSQL: refused, not executed
    assert query("SELECT COUNT(*) AS n FROM observation_rows", url=built_db)["n"].iloc[0] == n_before


def test_role_name_is_validated():
    with pytest.raises(ValueError):
        create_readonly_role("sqlite:///x.sqlite", "bad name; drop", "a-long-test-password")
