"""Loader tests: real data in, the right rows out, bad files rejected with nothing written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import build as build_mod
from loaders import sources
from loaders.db import get_engine, query
from loaders.errors import LoadError
from loaders.pipeline import no_metric_store  # raw-store tests: the metric-store step is left out on purpose

from loaders.readers import KAART_SENTINELS, read_text_table, to_numeric_statline

NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


def obs(url, area, var, year, age="18+"):
    df = query("SELECT value, status FROM observation_rows WHERE area_code = :a AND variable_code = :v "
               "AND year = :y AND age_group = :g", {"a": area, "v": var, "y": year, "g": age}, url=url)
    return df


def test_real_values_land_in_sql(built_db):
    # 50090NED 2020, 18+: values as published (checked against the shipped CSV by hand).
    raw = pd.read_csv(sources.HEALTH_SUBSET.file, dtype=str)
    row = raw[(raw.regio_code == NAZARETH) & (raw.jaar == "2020") & (raw.leeftijd == "18+")].iloc[0]
    expected = float(row["MoeiteMetRondkomen_38"].strip())
    got = obs(built_db, NAZARETH, "MoeiteMetRondkomen", 2020)
    assert got["value"].iloc[0] == pytest.approx(expected)
    # KWB 2024 inhabitants (PROVENANCE: Nazareth 3,140, Pottenberg 2,330)
    assert obs(built_db, NAZARETH, "AantalInwoners", 2024, "totaal")["value"].iloc[0] == 3140
    assert obs(built_db, POTTENBERG, "AantalInwoners", 2024, "totaal")["value"].iloc[0] == 2330
    # KWB 2017 income per inhabitant 17.7 (x 1000 euro) and 2025 WOZ 220
    assert obs(built_db, NAZARETH, "GemiddeldInkomenPerInwoner", 2017, "totaal")["value"].iloc[0] == pytest.approx(17.7)
    assert obs(built_db, NAZARETH, "GemiddeldeWOZWaardeVanWoningen", 2025, "totaal")["value"].iloc[0] == 220


def test_maastricht_population_sums(built_db):
    df = query("SELECT SUM(o.value) AS s FROM observation_rows o JOIN areas a ON a.code = o.area_code "
               "WHERE o.variable_code = 'AantalInwoners' AND o.year = 2024 AND a.level = 'buurt' "
               "AND a.gemeente_code = :gm AND o.source_key = '85984NED-buurt'", {"gm": "GM0935"}, url=built_db)
    assert df["s"].iloc[0] == 125305


def test_suppressed_is_null_not_zero(built_db):
    df = query("SELECT status, value FROM observation_rows WHERE value IS NULL", url=built_db)
    assert len(df) > 0
    assert set(df["status"]) <= {"geheim", "ontbreekt"}
    zero_suppressed = query("SELECT COUNT(*) AS n FROM observation_rows WHERE status <> 'ok' AND value IS NOT NULL",
                            url=built_db)
    assert zero_suppressed["n"].iloc[0] == 0


def test_not_measured_indicators_have_no_rows(built_db):
    # 2012 did not measure stress (column 26): no rows at all, rather than a column of NULLs.
    df = query("SELECT COUNT(*) AS n FROM observation_rows WHERE variable_code = 'HeelVeelStressInAfgelopen4Weken' "
               "AND year = 2012", url=built_db)
    assert df["n"].iloc[0] == 0


def test_areas_groups_and_geometry(built_db):
    areas = query("SELECT code, name, level, parent_code FROM areas WHERE code IN (:a, :b)",
                  {"a": NAZARETH, "b": POTTENBERG}, url=built_db).set_index("code")
    assert areas.loc[NAZARETH, "name"] == "Nazareth"
    assert areas.loc[POTTENBERG, "name"] == "Pottenberg"
    assert areas.loc[NAZARETH, "parent_code"] == "WK093504"
    members = query("SELECT group_code, COUNT(*) AS n FROM area_group_members GROUP BY group_code",
                    url=built_db).set_index("group_code")["n"]
    assert members["FOCUS"] == 2 and members["MAASTRICHT_REST"] == 42
    geo = query("SELECT COUNT(*) AS n FROM geometries WHERE area_code LIKE 'BU0935%' AND indeling_year = 2020",
                url=built_db)
    assert geo["n"].iloc[0] == 44


def test_sources_have_hash_and_licence(built_db):
    df = query("SELECT * FROM sources", url=built_db)
    assert (df["licence"] == "CC BY 4.0").all()
    assert df["file_sha256"].str.len().eq(64).all()
    assert {"50090NED", "83765NED", "85984NED", "47018NED"} <= set(df["table_id"])


def test_statline_reader_conventions():
    df = pd.DataFrame({"x": ["    67.9", ".", "", "-99999999", "12"]})
    # -99999999 is 'geheim' only in a file whose format defines it (the Wijk- en buurtkaart)
    vals, status = to_numeric_statline(df, "x", "f.csv", sentinels=KAART_SENTINELS)
    assert vals.iloc[0] == pytest.approx(67.9) and vals.iloc[4] == 12
    assert vals.iloc[1:4].isna().all()
    assert list(status) == ["ok", "geheim", "ontbreekt", "geheim", "ok"]
    with pytest.raises(LoadError) as err:  # elsewhere it is an error naming the row (file line 5) and column
        to_numeric_statline(df, "x", "f.csv")
    assert (err.value.row, err.value.column) == (5, "x") and "-99999999" in err.value.message
    with pytest.raises(LoadError, match="-99999999999"):  # not one of the kaart's own codes either
        to_numeric_statline(pd.DataFrame({"x": ["1", "-99999999999"]}), "x", "f.csv", sentinels=KAART_SENTINELS)


# --- Bad input: every malformed file is rejected with file/row/column and the database is unchanged.

def _break(tmp_path: Path, rel: str, mutate) -> Path:
    """Copy data/ to tmp, apply `mutate(path)` to one file, return the new data dir."""
    data = tmp_path / "data"
    shutil.copytree(sources.HEALTH_SUBSET.file.parent.parent, data,
                    ignore=shutil.ignore_patterns("*.sqlite*", "*.parquet"))
    mutate(data / rel)
    return data


KWB24 = "cbs_kwb/kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv"


def _replace(old, new, count=1):
    def f(p: Path):
        t = p.read_text(encoding="utf-8")
        assert old in t
        p.write_text(t.replace(old, new, count), encoding="utf-8")
    return f


BAD_CASES = {
    "wrong_columns": (KWB24, _replace("AantalInwoners_5", "Inwoners"), "verplichte kolom ontbreekt", 1, "AantalInwoners_5"),
    "text_in_numeric": (KWB24, _replace(",3420,", ",drie,"), "geen getal", 2, "AantalInwoners_5"),
    "unknown_code": (KWB24, _replace("BU09171000,Maria Gewanden,GM0917", "BU99991000,Maria Gewanden,GM9999"),
                     "onbekende gebiedscode", 2, "WijkenEnBuurten"),
    "bad_code_format": (KWB24, _replace("BU09171000,", "B0917,"), "ongeldige gebiedscode", 2, "WijkenEnBuurten"),
    "duplicate_rows": (KWB24, lambda p: p.write_text(p.read_text() + p.read_text().splitlines()[1] + "\n"),
                       "dubbele rij", 103, "WijkenEnBuurten"),
    "empty_file": (KWB24, lambda p: p.write_text(""), "leeg", None, None),
    "header_only": (KWB24, lambda p: p.write_text(p.read_text().splitlines()[0] + "\n"), "alleen een kopregel", None, None),
    "wrong_encoding": ("health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv",
                       lambda p: p.write_bytes(p.read_text().replace("Heerlen", "Hèèrlen").encode("latin-1")),
                       "geen geldige UTF-8", None, None),
    "negative_count": (KWB24, _replace(",3420,", ",-3420,"), "negatieve waarde", 2, "AantalInwoners_5"),
    "percentage_out_of_range": ("health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv",
                                _replace("    66.8,", "   166.8,"), "percentage buiten 0-100", 2,
                                "ErvarenGezondheidGoedZeerGoed_4"),
    "truncated_row": (KWB24, lambda p: p.write_text(p.read_text()[:-40]), "velden in plaats van", 102, None),
    "wrong_delimiter": (KWB24, lambda p: p.write_text(p.read_text().replace(",", ";", 21)),
                        "velden in plaats van", 2, None),
    "bad_year": ("health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv", _replace("\n2012,18+,", "\n2o12,18+,"),
                 "ongeldig jaar", 2, "jaar"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_file_clear_error_and_nothing_written(case, built_db, tmp_path, monkeypatch):
    rel, mutate, msg, row, column = BAD_CASES[case]
    empty_db = built_db
    before = query("SELECT COUNT(*) AS n, SUM(value) AS s FROM observation_rows", url=empty_db)
    built_at = query("SELECT value FROM build_info WHERE key = 'built_at'", url=empty_db)["value"].iloc[0]
    data = _break(tmp_path, rel, mutate)
    monkeypatch.setattr(sources, "DATA_DIR", data)
    monkeypatch.setattr("loaders.variables.DATA_DIR", data)
    with pytest.raises(LoadError) as err:
        build_mod.build(empty_db, national=False, derive=no_metric_store)
    text = str(err.value)
    assert Path(rel).name in text
    assert msg in text
    if row is not None:
        assert err.value.row == row, text
    if column is not None:
        assert err.value.column == column, text
    after = query("SELECT COUNT(*) AS n, SUM(value) AS s FROM observation_rows", url=empty_db)
    assert after.equals(before)
    assert query("SELECT value FROM build_info WHERE key = 'built_at'", url=empty_db)["value"].iloc[0] == built_at


@pytest.mark.parametrize("stage", ["areas", "observations"])
def test_failed_build_keeps_previous_database(stage, empty_db):
    build_mod.build(empty_db, national=False, derive=no_metric_store)
    before = query("SELECT COUNT(*) AS n FROM observation_rows", url=empty_db)["n"].iloc[0]
    with pytest.raises(RuntimeError):
        build_mod.build(empty_db, national=False, fail_after=stage, derive=no_metric_store)
    after = query("SELECT COUNT(*) AS n FROM observation_rows", url=empty_db)["n"].iloc[0]
    assert after == before > 0
    assert query("SELECT COUNT(*) AS n FROM areas", url=empty_db)["n"].iloc[0] > 0


def test_build_is_idempotent(empty_db):
    a = build_mod.build(empty_db, national=False, derive=no_metric_store)
    b = build_mod.build(empty_db, national=False, derive=no_metric_store)
    assert a == b
    n = query("SELECT COUNT(*) AS n FROM observation_rows", url=empty_db)["n"].iloc[0]
    assert n == a["observations"]


def test_database_down_gives_clear_error():
    from loaders.db import DatabaseUnavailable

    with pytest.raises(DatabaseUnavailable) as err:
        query("SELECT 1", url="postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "niet bereikbaar" in str(err.value)
    assert "secret" not in str(err.value)


def test_cli_reports_error_without_traceback(tmp_path, monkeypatch, capsys):
    from wijkmonitor.__main__ import main

    data = _break(tmp_path, KWB24, _replace(",3420,", ",drie,"))
    monkeypatch.setattr(sources, "DATA_DIR", data)
    monkeypatch.setattr("loaders.variables.DATA_DIR", data)
    rc = main(["build", "--subset", "--url", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "rij 2" in err and "AantalInwoners_5" in err and "niets gewijzigd" in err
