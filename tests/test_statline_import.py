"""`python -m wijkmonitor import FILE`: StatLine exports (CSV met statistische symbolen, Excel) built from data/."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from loaders import refresh, statline_import
from loaders.db import query
from loaders.errors import LoadError
from tests.cbs_fixtures import DERIVE, WANTED, cbs_helpers

helpers = cbs_helpers()
KWB_CSV = helpers.STATLINE / "Kerncijfers_wijken_en_buurten_2024_Maastricht.csv"
HEALTH_CSV = helpers.STATLINE / "50090NED_Gezondheid_per_wijk_en_buurt_Maastricht_Heerlen.csv"
NAZARETH, POTTENBERG = "BU09350403", "BU09350203"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgres)
    return helpers.copy_db(request, tmp_path)


def _k24() -> pd.DataFrame:
    return helpers.kwb_csv("kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv").set_index("WijkenEnBuurten")


def test_kwb_csv_with_comma_decimals(db):
    assert '"1,9"' in KWB_CSV.read_text(encoding="utf-8-sig")  # the export writes Dutch decimals
    s = statline_import.import_file(db, KWB_CSV, derive=DERIVE, wanted=WANTED)
    assert s.table_id == "85984NED" and s.rows == 44 and s.years == [2024] and s.warnings == []
    assert set(s.mapped.values()) >= {"AantalInwoners", "HuishoudensTotaal", "GemiddeldeHuishoudensgrootte"}
    k24 = _k24()
    for code in (NAZARETH, POTTENBERG):
        for var, col in [("AantalInwoners", "AantalInwoners_5"), ("HuishoudensTotaal", "HuishoudensTotaal_29"),
                         ("GemiddeldeHuishoudensgrootte", "GemiddeldeHuishoudensgrootte_33"),
                         ("Bevolkingsdichtheid", "Bevolkingsdichtheid_34")]:
            got = helpers.obs(db, code, var, 2024, source_like=s.source_key)
            assert got["value"].tolist() == [pytest.approx(float(k24.loc[code, col]))], (code, var)
    src = query("SELECT * FROM sources WHERE source_key = :k", {"k": s.source_key}, url=db).iloc[0]
    assert src["file_name"] == KWB_CSV.name and "CSV met statistische symbolen" in src["notes"]
    # the shipped extract of the same table no longer holds a competing value for these cells
    assert len(helpers.obs(db, NAZARETH, "AantalInwoners", 2024)) == 1


def test_health_csv_suppressed_cells(db):
    s = statline_import.import_file(db, HEALTH_CSV, derive=DERIVE, wanted=WANTED)
    assert s.table_id == "50090NED" and s.years == [2012, 2016, 2020]
    raw = pd.read_csv(HEALTH_CSV, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    topic_cols = [c for c in raw.columns if c.endswith("(%)")]
    dots = int(sum((raw[c].str.strip() == ".").sum() for c in topic_cols))
    got = query("SELECT status, COUNT(*) AS n FROM observation_rows WHERE source_key = :k GROUP BY status",
                {"k": s.source_key}, url=db).set_index("status")["n"]
    assert got["geheim"] == dots == 32
    assert query("SELECT COUNT(*) AS n FROM observation_rows WHERE source_key = :k AND status <> 'ok' AND value IS NOT NULL",
                 {"k": s.source_key}, url=db)["n"].iloc[0] == 0
    # stress was not measured in 2012 (empty column): no rows at all, rather than NULLs
    assert helpers.obs(db, NAZARETH, "HeelVeelStressInAfgelopen4Weken", 2012, "18+", s.source_key).empty
    row = raw[(raw["Regioaanduiding/Codering (code)"] == NAZARETH) & (raw["Perioden"] == "2020")].iloc[0]
    got = helpers.obs(db, NAZARETH, "MoeiteMetRondkomen", 2020, "18+", s.source_key)
    assert got["value"].iloc[0] == pytest.approx(float(row["Moeite met rondkomen (%)"]))
    assert any("op titel en eenheid" in w for w in s.warnings)


def _xlsx_from_csv(csv_path: Path) -> bytes:
    from openpyxl import Workbook

    df = pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    wb = Workbook()
    ws = wb.active
    ws.append(["Kerncijfers wijken en buurten 2024"])  # title line above the table, as StatLine writes it
    ws.append([])
    ws.append(list(df.columns))
    for r in df.itertuples(index=False):
        cells = []
        for v in r:
            t = v.replace(",", ".")
            try:
                cells.append(int(t) if t.isdigit() else float(t))
            except ValueError:
                cells.append(v)
        ws.append(cells)
    ws.append([])
    ws.append(["Bron: CBS"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_export_gives_the_same_rows_as_csv(db):
    raw = _xlsx_from_csv(KWB_CSV)
    s = statline_import.import_file(db, raw, filename="export_85984NED.xlsx", derive=DERIVE, wanted=WANTED)
    assert s.rows == 44 and s.table_id == "85984NED"
    b_csv = statline_import.parse_export(KWB_CSV.read_bytes(), KWB_CSV.name, wanted=WANTED)
    b_xls = statline_import.parse_export(raw, "export_85984NED.xlsx", wanted=WANTED)
    key = ["area_code", "variable_code"]
    a = b_csv.observations.sort_values(key).reset_index(drop=True)
    b = b_xls.observations.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert "Excel" in query("SELECT notes FROM sources WHERE source_key = :k", {"k": s.source_key}, url=db)["notes"].iloc[0]


# --- malformed exports: a clear error naming row and column, nothing written

def _mut(old, new, count=1):
    def f(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)
    return f


BAD = {
    "text_in_number": (KWB_CSV, _mut('"BU09350403";"3140"', '"BU09350403";"drie"'), "geen getal",
                       None, "Bevolking/Aantal inwoners (aantal)"),
    "truncated_row": (KWB_CSV, lambda t: "\n".join(";".join(ln.split(";")[:5]) if ln.startswith('"Pottenberg"')
                                                    else ln for ln in t.split("\n")),
                      "velden in plaats van", 18, None),
    "wrong_separator": (KWB_CSV, lambda t: t.replace('";"', '","', 30), "geen geldige CSV", 3, None),
    "no_code_column": (KWB_CSV, _mut("Regioaanduiding/Codering (code)", "Regioaanduiding/Code (code)"),
                       "Codering (code)' ontbreekt", 1, None),
    "bad_code": (KWB_CSV, _mut('"BU09350403"', '"BU0935403"'), "ongeldige gebiedscode", None,
                 "Regioaanduiding/Codering (code)"),
    "duplicate_row": (KWB_CSV, lambda t: t + t.split("\n")[1] + "\n", "dubbele rij", 46,
                      "Regioaanduiding/Codering (code)"),
    "percentage_out_of_range": (HEALTH_CSV, _mut('"Maria Gewanden";"2012";"Heerlen";"Buurt";"BU09171000";"66.8"',
                                                 '"Maria Gewanden";"2012";"Heerlen";"Buurt";"BU09171000";"166.8"'),
                                "percentage buiten 0-100", 2, "Ervaren gezondheid goed/zeer goed (%)"),
    "bad_period": (HEALTH_CSV, _mut('"Maria Gewanden";"2012"', '"Maria Gewanden";"twintig"'), "geen jaar", 2,
                   "Perioden"),
    "not_statline": (KWB_CSV, lambda t: "naam;waarde\r\nNazareth;12\r\n", "geen kopregel", 1, None),
    "unknown_topics": (KWB_CSV, lambda t: t.replace("(aantal)", "(stuks)").replace("(aantal inwoners per km²)", "(x)"),
                       "geen enkele kolom herkend", 1, None),
    "empty": (KWB_CSV, lambda t: "", "leeg", None, None),
    "header_only": (KWB_CSV, lambda t: t.split("\n")[0] + "\n", "alleen een kopregel", 1, None),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_export_clear_error_nothing_written(case, db):
    src, mutate, msg, row, column = BAD[case]
    text = mutate(src.read_text(encoding="utf-8-sig"))
    before = helpers.snapshot(db)
    with pytest.raises(LoadError) as err:
        statline_import.import_file(db, text.encode("utf-8"), filename=src.name, derive=DERIVE, wanted=WANTED)
    assert msg in str(err.value), str(err.value)
    assert src.name in str(err.value)
    if row is not None:
        assert err.value.row == row, str(err.value)
    if column is not None:
        assert err.value.column == column, str(err.value)
    assert helpers.snapshot(db) == before


def test_row_numbers_point_at_the_line_in_the_file(db):
    text = KWB_CSV.read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    line_no = next(i for i, ln in enumerate(lines, start=1) if ln.startswith('"Pottenberg"'))
    bad = text.replace('"Pottenberg";"Maastricht";"Buurt";"BU09350203";"2330"',
                       '"Pottenberg";"Maastricht";"Buurt";"BU09350203";"-5"')
    with pytest.raises(LoadError) as err:
        statline_import.parse_export(bad.encode(), KWB_CSV.name, wanted=WANTED)
    assert err.value.row == line_no and "negatieve waarde" in str(err.value)


def test_corrupt_excel_and_unknown_table(db):
    before = helpers.snapshot(db)
    with pytest.raises(LoadError, match="Excel-bestand kan niet worden gelezen"):
        statline_import.import_file(db, b"PK\x03\x04 not really a workbook", filename="export.xlsx", derive=DERIVE, wanted=WANTED)
    anon = KWB_CSV.read_bytes()
    with pytest.raises(LoadError, match="geef het tabelnummer op"):
        statline_import.import_file(db, anon, filename="download.csv", derive=DERIVE, wanted=WANTED)
    assert helpers.snapshot(db) == before
    s = statline_import.import_file(db, anon, filename="download.csv", table_id="85984NED", derive=DERIVE, wanted=WANTED)
    assert s.table_id == "85984NED" and s.observations == 440


def test_import_is_staged_and_reapplied_after_build(db):
    from wijkmonitor.statistics import build

    s = statline_import.import_file(db, KWB_CSV, derive=DERIVE, wanted=WANTED)
    build(db, national=False)
    if refresh.pending(db):
        assert [p["source_key"] for p in refresh.pending(db)] == [s.source_key]
        refresh.reapply(db)
    got = helpers.obs(db, NAZARETH, "AantalInwoners", 2024, source_like=s.source_key)
    assert got["value"].tolist() == [3140.0]


def test_cli_import(db, tmp_path, capsys):
    from wijkmonitor.__main__ import main

    assert main(["import", str(KWB_CSV), "--url", db]) == 0
    assert "44 rijen" in capsys.readouterr().out
    bad = tmp_path / "Kerncijfers_wijken_en_buurten_2024_kapot.csv"
    bad.write_text(KWB_CSV.read_text(encoding="utf-8-sig").replace('"3140"', '"drie"'), encoding="utf-8")
    assert main(["import", str(bad), "--url", db]) == 2
    err = capsys.readouterr().err
    assert "drie" in err and "niets gewijzigd" in err and "Traceback" not in err
