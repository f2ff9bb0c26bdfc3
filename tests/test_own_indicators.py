"""Own indicators (eigen metingen): intervals against hand-computed values, definitions and versions, strict
uploads (a corpus of malformed files, each a Dutch error and an unchanged database), suppression, quarters."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders import auth, own_indicators as own
from loaders.db import get_engine, select
from loaders.errors import LoadError
from loaders.migrations import change_log, migrate_user_tables, own_indicators, own_values
from metrics import intervals
from metrics.own import figure, period_midpoint, period_sort_key

ACCOUNTS = {"pm": auth.hash_password("correct horse battery")}
TODAY = dt.date(2026, 12, 1)
AREAS = {"GM0935", "BU09350403", "BU09350203", "WK093504"}

REGISTER_TOML = b'''
[[indicator]]
id = "schuldhulp_aanmeldingen"
label = "Aanmeldingen schuldhulpverlening"
pijler = "bestaanszekerheid"
soort = "register"
eenheid = "per_1000"
richting = "neutraal"
definitie = "Aanmeldingen bij de gemeentelijke schuldhulpverlening per 1.000 huishoudens, per kwartaal."
bron = "Gemeente Maastricht, schuldhulpverlening"
frequentie = "kwartaal"

[[indicator]]
id = "invloed_op_buurt"
label = "Ik heb invloed op wat er in mijn buurt gebeurt"
pijler = "positieve_gezondheid"
dimensie = "meedoen"
soort = "steekproef"
eenheid = "percentage"
richting = "hoger_beter"
definitie = "Aandeel (helemaal) mee eens in de bewonerspeiling."
bron = "Bewonerspeiling Veerkrachtige Wijken"
frequentie = "jaar"
zichtbaarheid = "intern"
'''


@pytest.fixture
def editor():
    ed = auth.login_with_password("pm", "correct horse battery", ACCOUNTS)
    assert ed is not None
    return ed


@pytest.fixture
def db(empty_db):
    with get_engine(empty_db).begin() as conn:
        migrate_user_tables(conn)
    return empty_db


def _defs(db, editor, data=REGISTER_TOML):
    return own.define(db, editor, own.parse_definitions(data, "def.toml"))


def _upload(db, editor, ident, text, name="waarden.csv"):
    return own.load_values(db, editor, ident, text.encode("utf-8"), name, AREAS, today=TODAY)


# ------------------------------------------------------------------------------------ intervals by hand

def test_wilson_matches_the_hand_computed_interval():
    # 10 of 50 (20%): centre (0,2 + 1,96²/100) / (1 + 1,96²/50) = 0,22140; half-width
    # 1,96/(1 + 1,96²/50) · √(0,2·0,8/50 + 1,96²/(4·50²)) = 0,10897 → 11,24% … 33,04%
    lo, hi = intervals.wilson(20.0, 50)
    assert lo == pytest.approx(11.24, abs=0.01) and hi == pytest.approx(33.04, abs=0.01)
    lo, hi = intervals.wilson(0.0, 20)  # never below 0; upper 1,96²/(20 + 1,96²) = 16,11%
    assert lo == 0.0 and hi == pytest.approx(16.11, abs=0.01)


def test_poisson_exact_matches_the_garwood_table():
    assert intervals.poisson_count(0) == (0.0, pytest.approx(3.689, abs=0.001))
    lo, hi = intervals.poisson_count(5)
    assert lo == pytest.approx(1.6235, abs=1e-4) and hi == pytest.approx(11.6683, abs=1e-4)
    lo, hi = intervals.poisson_rate(25, 1250, 1000)  # 20 per 1.000; count interval 16,1786 … 36,9055, × 1.000/1.250
    assert lo == pytest.approx(16.1786 * 0.8, abs=1e-3) and hi == pytest.approx(36.9055 * 0.8, abs=1e-3)


def test_t_interval_matches_the_hand_computed_interval():
    # 6,5 ± t(0,975; 24) · 1,5/√25 = 6,5 ± 2,0639 · 0,3
    lo, hi = intervals.t_mean(6.5, 1.5, 25)
    assert lo == pytest.approx(5.8808, abs=1e-3) and hi == pytest.approx(7.1192, abs=1e-3)
    assert intervals.t_mean(6.5, 1.5, 1) is None


# ------------------------------------------------------------------------------- figures and suppression

def _row(**kw):
    base = {"indicator_id": "x", "version": 1, "area_code": "BU09350403", "periode": "2025",
            "teller": None, "noemer": None, "aandeel": None, "n": None, "gemiddelde": None, "sd": None,
            "aantal": None}
    base.update(kw)
    return base


def test_a_small_teller_never_leaks_through_the_rate():
    f = figure("register", "percentage", _row(teller=9, noemer=1270))
    assert f.suppressed and f.value is None and f.lower is None and f.upper is None and f.base is None
    f = figure("register", "percentage", _row(teller=10, noemer=1270))
    assert not f.suppressed and f.value == pytest.approx(1000 / 1270)
    assert figure("register", "per_1000", _row(teller=40, noemer=9)).suppressed  # small denominator


@pytest.mark.parametrize("soort,row", [("steekproef", {"aandeel": 40.0, "n": 9}),
                                       ("score", {"gemiddelde": 6.0, "sd": 1.0, "n": 9}),
                                       ("aantal", {"aantal": 9})])
def test_small_n_or_count_is_withheld(soort, row):
    unit = {"steekproef": "percentage", "score": "score", "aantal": "aantal"}[soort]
    f = figure(soort, unit, _row(**row))
    assert f.suppressed and f.value is None and f.se is None


def test_quarters_sort_before_their_year_and_sit_inside_it_on_the_time_axis():
    periods = ["2026", "2025-K3", "2025", "2025-K1", "2026-K1"]
    assert sorted(periods, key=period_sort_key) == ["2025-K1", "2025-K3", "2025", "2026-K1", "2026"]
    assert period_midpoint("2025-K1") == pytest.approx(2025.125) and period_midpoint("2025") == 2025.5
    assert 2025 < period_midpoint("2025-K4") < 2026


# ------------------------------------------------------------------------------- definitions and versions

def test_define_new_unchanged_update_and_version(db, editor):
    assert [d["actie"] for d in _defs(db, editor)] == ["nieuw", "nieuw"]
    assert [d["actie"] for d in _defs(db, editor)] == ["ongewijzigd", "ongewijzigd"]
    changed = REGISTER_TOML.replace(b"per 1.000 huishoudens, per kwartaal", b"per 1.000 huishoudens (kwartaal)")
    # no values yet: updated in place
    assert _defs(db, editor, changed)[0] == {"id": "schuldhulp_aanmeldingen", "versie": 1, "actie": "bijgewerkt"}
    _upload(db, editor, "schuldhulp_aanmeldingen", "gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;25;1250\n")
    # with values: a new version; the old values stay with version 1
    res = _defs(db, editor, REGISTER_TOML)[0]
    assert res == {"id": "schuldhulp_aanmeldingen", "versie": 2, "actie": "nieuwe versie"}
    vals = own.list_values(db, "schuldhulp_aanmeldingen")
    assert vals["version"].tolist() == [1]
    versions = own.list_indicators(db, include_intern=True, all_versions=True)
    assert versions[versions["indicator_id"] == "schuldhulp_aanmeldingen"]["version"].tolist() == [1, 2]
    log = select(sa.select(change_log).where(change_log.c.table_name == "own_indicators"), url=db)
    assert len(log) == 4  # two created, one updated, one new version
    last = json.loads(log["old_value"].iloc[-1]), json.loads(log["new_value"].iloc[-1])
    assert last[0]["versie"] == 1 and last[1]["versie"] == 2


def test_intern_indicators_are_listed_only_when_asked(db, editor):
    _defs(db, editor)
    assert own.list_indicators(db)["indicator_id"].tolist() == ["schuldhulp_aanmeldingen"]
    assert set(own.list_indicators(db, include_intern=True)["indicator_id"]) == {"schuldhulp_aanmeldingen",
                                                                                 "invloed_op_buurt"}


def test_anonymous_callers_cannot_define_or_upload(db, editor):
    defs = own.parse_definitions(REGISTER_TOML, "def.toml")
    for who in (None, "pm", auth.Editor(name="forged", method="wachtwoord")):
        with pytest.raises(auth.PermissionDenied):
            own.define(db, who, defs)
    _defs(db, editor)
    with pytest.raises(auth.PermissionDenied):
        own.load_values(db, auth.Editor(name="forged", method="wachtwoord"), "schuldhulp_aanmeldingen",
                        b"gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;25;1250\n", "x.csv", AREAS,
                        today=TODAY)


# ----------------------------------------------------------------------------------------------- uploads

def test_upload_with_dutch_decimals_and_replacing_a_period(db, editor):
    _defs(db, editor)
    res = _upload(db, editor, "invloed_op_buurt", "gebiedscode;periode;aandeel;n\nBU09350403;2025;31,5;212\n"
                  "BU09350203;2025;28,0;190\nGM0935;2025;35,2;2400\n")
    assert res == {"rijen": 3, "perioden": ["2025"], "vervangen": 0, "versie": 1}
    res = _upload(db, editor, "invloed_op_buurt", "gebiedscode;periode;aandeel;n\nBU09350403;2025;32,5;215\n")
    assert res["vervangen"] == 3  # the period is replaced as a whole
    vals = own.list_values(db, "invloed_op_buurt")
    assert vals[["area_code", "aandeel", "n"]].values.tolist() == [["BU09350403", 32.5, 215]]
    log = select(sa.select(change_log).where(change_log.c.table_name == "own_values"), url=db)
    old, new = json.loads(log["old_value"].iloc[-1]), json.loads(log["new_value"].iloc[-1])
    assert {v["area_code"]: v["aandeel"] for v in old["waarden"]} == {"BU09350403": 31.5, "BU09350203": 28.0,
                                                                      "GM0935": 35.2}
    assert new["waarden"] == [{"area_code": "BU09350403", "periode": "2025", "aandeel": 32.5, "n": 215}]


def test_excel_upload(db, editor):
    _defs(db, editor)
    buf = io.BytesIO()
    pd.DataFrame({"gebiedscode": ["BU09350403", "BU09350203"], "periode": ["2025-K3", "2025-K4"],
                  "teller": [25, 31], "noemer": [1250, 1245]}).to_excel(buf, index=False)
    res = own.load_values(db, editor, "schuldhulp_aanmeldingen", buf.getvalue(), "waarden.xlsx", AREAS, today=TODAY)
    assert res["perioden"] == ["2025-K3", "2025-K4"]


def test_templates_are_the_documented_headers():
    assert own.template_csv("register") == b"gebiedscode;periode;teller;noemer\n"
    assert own.template_csv("steekproef") == b"gebiedscode;periode;aandeel;n\n"
    assert own.template_csv("score") == b"gebiedscode;periode;gemiddelde;sd;n\n"
    assert own.template_csv("aantal") == b"gebiedscode;periode;aantal\n"


# ------------------------------------------------------------------------- the malformed-input corpus

def _toml(**changes) -> bytes:
    base = {"id": '"schuldhulp"', "label": '"Schuldhulp"', "pijler": '"bestaanszekerheid"', "soort": '"register"',
            "eenheid": '"percentage"', "richting": '"lager_beter"', "definitie": '"Aanmeldingen."',
            "bron": '"Gemeente"', "frequentie": '"jaar"'}
    for k, v in changes.items():
        if v is None:
            base.pop(k)
        else:
            base[k] = v
    return ("[[indicator]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items())).encode("utf-8")


BAD_DEFINITIONS = {
    "empty": (b"", None),
    "not toml": (b"[[indicator]\nid = ", None),
    "not utf-8": ("[[indicator]]\nlabel = \"Schulden \u00e9\"\n".encode("latin-1"), None),
    "no indicator": (b'titel = "x"\n', "titel"),
    "missing label": (_toml(label=None), "label"),
    "unknown field": (_toml(kleur='"rood"'), "kleur"),
    "bad id": (_toml(id='"Schuld Hulp"'), "id"),
    "id too short": (_toml(id='"ab"'), "id"),
    "unknown pijler": (_toml(pijler='"wonen"'), "pijler"),
    "unknown soort": (_toml(soort='"enquete"'), "soort"),
    "unit not of soort": (_toml(eenheid='"score"'), "eenheid"),
    "unknown richting": (_toml(richting='"omhoog"'), "richting"),
    "unknown frequentie": (_toml(frequentie='"maand"'), "frequentie"),
    "unknown zichtbaarheid": (_toml(zichtbaarheid='"geheim"'), "zichtbaarheid"),
    "dimension outside its pillar": (_toml(dimensie='"meedoen"'), "dimensie"),
    "unknown dimension": (_toml(pijler='"positieve_gezondheid"', dimensie='"geluk"'), "dimensie"),
    "label not text": (_toml(label="12"), "label"),
    "empty definitie": (_toml(definitie='"  "'), "definitie"),
    "twice in the file": (_toml() + _toml(), "id"),
}

REG = "gebiedscode;periode;teller;noemer\n"
BAD_UPLOADS = {
    "empty file": ("", None),
    "header only": (REG, None),
    "missing column": ("gebiedscode;periode;teller\nBU09350403;2025;5\n", "noemer"),
    "extra column": (REG.strip() + ";opmerking\nBU09350403;2025;5;100;x\n", "opmerking"),
    "template of another soort": ("gebiedscode;periode;aandeel;n\nBU09350403;2025;20,0;100\n", "teller"),
    "unknown area": (REG + "BU99999999;2025;5;100\n", "gebiedscode"),
    "area of another gemeente": (REG + "BU09170101;2025;5;100\n", "gebiedscode"),
    "bad period": (REG + "BU09350403;25;5;100\n", "periode"),
    "month instead of quarter": (REG + "BU09350403;2025-07;5;100\n", "periode"),
    "quarter for a yearly indicator": (REG + "BU09350403;2025-K3;5;100\n", "periode"),
    "quarter 5": (REG + "BU09350403;2025-K5;5;100\n", "periode"),
    "period in the future": (REG + "BU09350403;2027;5;100\n", "periode"),
    "text in a number": (REG + "BU09350403;2025;vijf;100\n", "teller"),
    "decimal teller": (REG + "BU09350403;2025;5,5;100\n", "teller"),
    "negative teller": (REG + "BU09350403;2025;-5;100\n", "teller"),
    "sentinel": (REG + "BU09350403;2025;-99999999999;100\n", "teller"),
    "teller above noemer": (REG + "BU09350403;2025;120;100\n", "teller"),
    "zero noemer": (REG + "BU09350403;2025;0;0\n", "noemer"),
    "empty cell": (REG + "BU09350403;2025;;100\n", "teller"),
    "duplicate area and period": (REG + "BU09350403;2025;5;100\nBU09350403;2025;6;100\n", "periode"),
    "ragged row": (REG + "BU09350403;2025;5\n", None),
    "wrong extension": ("x", None),
    "unknown indicator": (REG + "BU09350403;2025;5;100\n", None),
}
BAD_SAMPLES = {
    "share above 100": ("gebiedscode;periode;aandeel;n\nBU09350403;2025;120;200\n", "aandeel"),
    "n zero": ("gebiedscode;periode;aandeel;n\nBU09350403;2025;20;0\n", "n"),
    "infinite share": ("gebiedscode;periode;aandeel;n\nBU09350403;2025;inf;200\n", "aandeel"),
    "decimal point and comma": ("gebiedscode;periode;aandeel;n\nBU09350403;2025;1.234,5;200\n", "aandeel"),
}


def _db_bytes(url: str) -> bytes | dict:
    """SQLite: the files' bytes (statistics and programme files); PostgreSQL: every programme table's rows."""
    if url.startswith("sqlite"):
        folder = Path(url.split("///", 1)[1]).parent
        return b"".join(hashlib.sha256(p.read_bytes()).digest() for p in sorted(folder.glob("*.sqlite")))
    with get_engine(url).connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
                for t in (own_indicators, own_values, change_log)}


def test_corpus_is_large_enough():
    assert len(BAD_DEFINITIONS) + len(BAD_UPLOADS) + len(BAD_SAMPLES) >= 30


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_malformed_definitions_are_refused_and_change_nothing(db, editor, case):
    data, column = BAD_DEFINITIONS[case]
    _defs(db, editor)
    before = _db_bytes(db)
    with pytest.raises(LoadError) as err:
        own.define(db, editor, own.parse_definitions(data, "def.toml"))
    assert "def.toml" in str(err.value)
    if column:
        assert err.value.column == column
    assert _db_bytes(db) == before


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS) + sorted(BAD_SAMPLES))
def test_malformed_uploads_are_refused_and_change_nothing(db, editor, case):
    ident = "invloed_op_buurt" if case in BAD_SAMPLES else "schuldhulp"
    text, column = (BAD_SAMPLES if case in BAD_SAMPLES else BAD_UPLOADS)[case]
    _defs(db, editor)
    _defs(db, editor, _toml())
    _upload(db, editor, "schuldhulp", REG + "BU09350403;2025;25;1250\n")
    before = _db_bytes(db)
    name = "waarden.pdf" if case == "wrong extension" else "waarden.csv"
    if case == "unknown indicator":
        ident = "bestaat_niet"
    with pytest.raises(LoadError) as err:
        own.load_values(db, editor, ident, text.encode("utf-8"), name, AREAS, today=TODAY)
    message = str(err.value)
    assert name in message
    if column:
        assert err.value.column == column and err.value.row is not None
    assert _db_bytes(db) == before


# ------------------------------------------------------------------------------- the data team's CLI

def test_cli_defines_loads_and_lists_on_a_built_database(tmp_path, capsys):
    from wijkmonitor import statistics
    from wijkmonitor.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    statistics.build(url, national=False)
    (tmp_path / "def.toml").write_bytes(REGISTER_TOML)
    (tmp_path / "w.csv").write_text("gebiedscode;periode;teller;noemer\nBU09350403;2025-K3;25;1250\n"
                                    "BU09350203;2025-K3;7;1245\n", encoding="utf-8")
    assert main(["eigen", "definieer", str(tmp_path / "def.toml"), "--url", url, "--door", "datateam"]) == 0
    assert main(["eigen", "laad", str(tmp_path / "w.csv"), "--indicator", "schuldhulp_aanmeldingen",
                 "--url", url, "--door", "datateam"]) == 0
    capsys.readouterr()
    assert main(["eigen", "lijst", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "BU09350403   2025-K3  20,0 (95%: 12,9–29,5)" in out
    assert "BU09350203   2025-K3  <10" in out  # 7 aanmeldingen: no rate, no interval
    (tmp_path / "bad.csv").write_text("gebiedscode;periode;teller;noemer\nBU09170101;2025-K3;5;100\n",
                                      encoding="utf-8")
    assert main(["eigen", "laad", str(tmp_path / "bad.csv"), "--indicator", "schuldhulp_aanmeldingen",
                 "--url", url, "--door", "datateam"]) == 2
    assert "onbekende gebiedscode 'BU09170101'" in capsys.readouterr().err
    log = select(sa.select(change_log).where(change_log.c.table_name.in_(["own_indicators", "own_values"])), url=url)
    assert set(log["user_name"]) == {"datateam (opdrachtregel)"}
