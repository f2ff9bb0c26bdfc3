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


@pytest.fixture(scope="module")
def role_db() -> str:
    return fresh_pg_database("role")


@pytest.mark.postgres
@pytest.mark.parametrize("bad", ["bad name; drop", 'x"; DROP ROLE postgres; --', "Hoofdletters", "1begint_met_cijfer",
                                 "a" * 64, ""])
def test_role_name_is_validated(role_db, bad):
    """On PostgreSQL, where the role would be created: a name outside the pattern is refused and nothing is made."""
    with pytest.raises(ValueError, match="ongeldige rolnaam"):
        create_readonly_role(role_db, bad, "a-long-test-password")
    roles = query("SELECT rolname FROM pg_roles WHERE rolname = :r OR rolname LIKE '%drop%'", {"r": bad}, url=role_db)
    assert roles.empty


@pytest.mark.postgres
def test_a_valid_role_name_is_created(role_db):
    create_readonly_role(role_db, "wijkmonitor_lezer_t", "a-long-test-password")
    assert len(query("SELECT 1 FROM pg_roles WHERE rolname = 'wijkmonitor_lezer_t'", url=role_db)) == 1
