"""The metric store (computed at build time) against a direct computation, and the lean raw store."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import repository
from loaders.build import build as build_raw
from loaders.db import get_engine, query
from loaders.pipeline import no_metric_store
from metrics import export
from metrics.catalog import load
from metrics.compute import Engine, make_set
from metrics.store import StoredEngine, compute_rows, engine as stored_engine

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request):
    db = request.getfixturevalue("subset_sqlite" if request.param == "sqlite" else "subset_pg")
    return Engine(repository.load_inputs(db), load()), stored_engine(db), db


def _fields(r):
    d = dataclasses.asdict(r)
    return {k: (round(v, 9) if isinstance(v, float) else v) for k, v in d.items()}


def test_every_stored_value_equals_the_direct_computation(pair):
    direct, stored, _ = pair
    n = 0
    for m in direct.catalog.available():
        assert stored.years(m) == direct.years(m), m.id
        for a in sorted(direct.level):
            for y in direct.years(m):
                assert _fields(stored.value(m, a, y)) == _fields(direct.value(m, a, y)), (m.id, a, y)
                n += 1
    assert n > 10_000


def test_stored_comparisons_equal_the_direct_ones(pair):
    direct, stored, _ = pair
    _, comps = compute_rows(direct)
    assert comps
    for c in comps[:3000]:
        m = direct.catalog.get(c["metric_id"])
        a, b = direct.value(m, c["area_code"], c["year"]), direct.value(m, c["ref_area"], c["ref_year"])
        want = direct.change(m, a, b) if c["kind"] == "change" else direct.compare(m, a, b)
        got = stored.change(m, a, b) if c["kind"] == "change" else stored.compare(m, a, b)
        assert (got.label, got.meaningful, got.favourable) == (want.label, want.meaningful, want.favourable)
        assert got.diff == pytest.approx(want.diff) and got.threshold == pytest.approx(want.threshold)


def test_export_from_the_store_is_identical(pair):
    direct, stored, _ = pair
    cat = load()
    a, b = export.table(direct, cat), export.table(stored, cat)
    assert export.to_csv_bytes(a) == export.to_csv_bytes(b)


def test_a_user_chosen_set_is_aggregated_like_the_engine(pair):
    direct, stored, _ = pair
    s = make_set([NAZARETH, POTTENBERG, "BU09350202"])
    for mid in ("moeite_met_rondkomen", "inwoners", "bijstand_per_1000", "eenzaam"):
        m = direct.catalog.get(mid) if any(x.id == mid for x in direct.catalog.available()) else None
        if m is None:
            continue
        for y in direct.years(m):
            assert _fields(stored.value(m, s, y)) == _fields(direct.value(m, s, y)), (mid, y)


def test_stored_engine_reads_no_raw_observations(pair):
    _, stored, _ = pair
    assert stored.inputs.obs.empty
    assert stored.latest_period_by_source()["50090NED"] == 2020


def test_similar_match_is_stored_per_focus_buurt_and_year(pair):
    _, stored, _ = pair
    from metrics import similar

    for focus in (NAZARETH, POTTENBERG):
        for year in similar.BASELINE_YEARS:
            try:
                res = stored.similar_match(focus, year)
            except similar.ProfileUnavailable as exc:
                assert "niet compleet" in str(exc) or "staat niet" in str(exc)
                continue
            assert res.focus == focus and res.year == year


def test_raw_store_is_lean(built_db):
    eng = get_engine(built_db)
    with eng.connect() as conn:
        insp = sa.inspect(conn)
        cols = {c["name"]: str(c["type"]).upper() for c in insp.get_columns("observations")}
        assert set(cols) == {"variable_id", "age_id", "year", "area_id", "source_id", "value", "status"}
        assert not any(t in cols[c] for c in ("variable_id", "area_id", "source_id") for t in ("CHAR", "TEXT"))
        assert insp.get_indexes("observations") == []  # only the primary key
    # the text view reads the same rows
    n = query("SELECT COUNT(*) AS n FROM observations", url=built_db)["n"].iloc[0]
    assert query("SELECT COUNT(*) AS n FROM observation_rows", url=built_db)["n"].iloc[0] == n


def test_build_without_the_metric_step_leaves_no_stale_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'raw.sqlite'}"
    build_raw(url, national=False, derive=no_metric_store)
    assert repository.build_info(url)["metric_store"] == "ontbreekt"
    assert query("SELECT COUNT(*) AS n FROM metric_values", url=url)["n"].iloc[0] == 0
    from loaders.db import DatabaseNotMigrated

    with pytest.raises(DatabaseNotMigrated, match="opnieuw opbouwen"):  # pages say so instead of showing nothing
        StoredEngine(repository.load_store(url), load())


def test_a_write_cannot_forget_the_metric_store_step(tmp_path):
    """derive is a required keyword argument of every loader write: leaving it out fails before anything is read."""
    from loaders import refresh, staging, statline_import

    url = f"sqlite:///{tmp_path / 'never.sqlite'}"
    for call in (lambda: build_raw(url, national=False), lambda: refresh.run(url, wanted=()),
                 lambda: staging.reapply(url), lambda: statline_import.import_file(url, b"x", "x.csv", wanted=())):
        with pytest.raises(TypeError, match="derive"):
            call()
    assert not (tmp_path / "never.sqlite").exists()


def test_published_values_come_from_both_stores(subset_sqlite):
    df = repository.buurt_series("MoeiteMetRondkomen", "18+", [NAZARETH], url=subset_sqlite)
    assert list(df["year"]) == [2012, 2016, 2020]
    assert df["value"].iloc[-1] == pytest.approx(25.3)
    prof = repository.buurt_profile(["MoeiteMetRondkomen", "Eenzaam"], "18+", 2020, url=subset_sqlite)
    assert NAZARETH in set(prof["area_code"]) and not prof.empty
    assert isinstance(prof, pd.DataFrame)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_wide_national_table_reads_back_the_same_published_values(kind, tmp_path, monkeypatch, subset_sqlite):
    """Build once with Heerlen's buurten and wijken routed to the wide national table: every published value
    (including suppressed and missing ones) reads back exactly as from the long raw store."""
    from conftest import fresh_url

    from loaders import build as build_mod

    url = fresh_url(kind, tmp_path)
    monkeypatch.setattr(build_mod, "DETAIL_GEMEENTEN", ("GM0935",))
    build_raw(url, national=False, derive=no_metric_store)
    n_wide = query("SELECT COUNT(*) AS n FROM national_health", url=url)["n"].iloc[0]
    assert n_wide > 0
    heerlen = query("SELECT code FROM areas WHERE level = 'buurt' AND gemeente_code = 'GM0917'", url=url)["code"]
    variables = ["MoeiteMetRondkomen", "Eenzaam", "GoedErvarenGezondheid"]
    statuses: set[str] = set()
    for year in (2012, 2016, 2020):
        a = repository.published(variables, "18+", year=year, level="buurt", url=url)
        b = repository.published(variables, "18+", year=year, level="buurt", url=subset_sqlite)
        a, b = (x[x["area_code"].isin(heerlen)].sort_values(["area_code", "variable_code"], ignore_index=True)
                for x in (a, b))
        assert len(a) == len(b) > 0
        assert (a["status"] == b["status"]).all()
        pd.testing.assert_series_equal(a["value"], b["value"])
        statuses.update(a["status"])
    assert {"ok", "geheim"} <= statuses  # suppressed cells came through the wide table as suppressed
    # each distinct list of suppressed variables is stored once, rows refer to it by id
    sets = query("SELECT secret_id, variables FROM national_health_secrets", url=url)
    used = query("SELECT COUNT(DISTINCT secret_id) AS n FROM national_health", url=url)["n"].iloc[0]
    assert len(sets) == used > 0 and sets["variables"].is_unique
    if kind == "sqlite":  # a wide table of an older build (the lists as text) asks for a rebuild, never misreads
        with get_engine(url).begin() as conn:
            conn.exec_driver_sql("ALTER TABLE national_health RENAME COLUMN secret_id TO geheim")
        from loaders.db import DatabaseNotMigrated

        with pytest.raises(DatabaseNotMigrated, match="opnieuw opbouwen"):
            repository.published(variables, "18+", year=2020, level="buurt", url=url)


def test_a_database_without_a_metric_store_says_so(tmp_path):
    from loaders.db import DatabaseNotMigrated

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT)")
    with pytest.raises(DatabaseNotMigrated, match="opnieuw opbouwen"):
        repository.load_store(url)
