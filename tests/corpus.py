"""A corpus of malformed inputs, generated from the real files shipped in data/ (and the StatLine exports in
tests/fixtures/cbs/statline, which make_fixtures.py derives from data/).

Three doors take files from outside, and every case goes through one of them:

- ``build``          ``loaders.build.build``: one file of data/ replaced by a broken copy;
- ``statline``       ``loaders.statline_import.import_file``: a StatLine export ("CSV met statistische symbolen" or
                     Excel) as an editor would upload it;
- ``participation``  ``loaders.programme.import_participation``: the programme's own participation upload.

Every case is a mutation of a real file (truncated, re-encoded, a cell replaced, rows repeated, ...), never an
invented table of statistics. The participation register has no published source; its base upload uses the real
Maastricht buurt codes of the shipped 86165NED file with small placeholder counts (the upload format, not data).

``cases()`` returns the list; ``Case.make()`` produces the bytes lazily, so the 50 MB cases (``big=True``) are
only generated when a test asks for them (tests/test_corpus.py writes them to its tmp dir).
"""
from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STATLINE = ROOT / "tests" / "fixtures" / "cbs" / "statline"

FIFTY_MB = 50 * 1024 * 1024
FORMULA = "=cmd|' /C calc'!A0"
HUGE_DIGITS = "9" * 400

# data/ files (relative paths, as the LoadError names them by file name)
KWB24 = "cbs_kwb/kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv"
KWB24_NL = "cbs_kwb/kwb_2024_85984NED_gemeente_wijk_basic_nl.csv"
KWB20_GM = "cbs_kwb/kwb_2020_wijkbuurtkaart_84799NED_gemeente_socioeconomic_nl.csv"
KWB19_GM = "cbs_kwb/kwb_2019_gemeente_population_subset.csv"
KWB17 = "cbs_kwb/kwb_2017_83765NED_buurt_subset_maastricht_heerlen.csv"
KWB17_CRIME = "cbs_kwb/kwb_2017_83765NED_buurt_crime_per1000_maastricht_heerlen.csv"
KWB25 = "cbs_kwb/kwb_2025_86165NED_buurt_woz_tenure_maastricht.csv"
HEALTH = "health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv"
PROPS = "cbs_kwb/kwb_2024_85984NED_DataProperties.json"
GEO20 = "geo/cbs_buurt_2020_maastricht_generalized.geojson"
GEO20_WK = "geo/cbs_wijk_2020_maastricht_dissolved_from_buurten.geojson"
WIJK14_NL = "geo/cbs_wijk_2014_nl.topojson"
BUURT14_NL = "geo/cbs_buurt_2014_nl_coarse_q1e3.topojson"

RECORDED_STATLINE = ROOT / "tests" / "fixtures" / "recorded_cbs" / "statline"
DATAPORTAL = "marginal_distributions_TheHague_2019_84583NED.csv"  # the real dataportal CSV (OData keys as header)
SENTINEL = "-99999999999"  # not a code any of these files defines for 'geheim' (issue 22)
SL_KWB = "Kerncijfers_wijken_en_buurten_2024_Maastricht.csv"
SL_HEALTH = "50090NED_Gezondheid_per_wijk_en_buurt_Maastricht_Heerlen.csv"
PART = "deelname.csv"
PART_COLUMNS = ("buurt_code", "maand", "leeftijdsgroep", "dialoogsessies", "bewoners_bereikt", "meemakers",
                "activiteiten")


@dataclass(frozen=True)
class Case:
    target: str                 # build | statline | participation
    name: str
    file: str                   # build: path under data/; uploads: the uploaded file's name
    make: Callable[[], bytes] = field(repr=False)
    expect: str                 # regular expression the Dutch message must match
    row: int | None = None      # expected row (file line) when the error can name one
    column: str | None = None   # expected column
    big: bool = False           # ~50 MB: generated at test time only

    @property
    def id(self) -> str:
        return f"{self.target}-{self.name}"

    @property
    def file_name(self) -> str:
        return Path(self.file).name


# ---------------------------------------------------------------------------------------------- file helpers

def data_bytes(rel: str) -> bytes:
    return (DATA / rel).read_bytes()


def statline_bytes(name: str) -> bytes:
    return (STATLINE / name).read_bytes()


def dataportal_bytes() -> bytes:
    return (RECORDED_STATLINE / DATAPORTAL).read_bytes()


def sentinel_row(raw: bytes, code_column: str, prefix: str, first_value_column: str) -> tuple[bytes, int]:
    """Every figure of the first row whose code starts with ``prefix`` (e.g. one wijk) replaced by
    :data:`SENTINEL`, as in issue 22; returns (bytes, file line of that row). Figures are the columns from
    ``first_value_column`` on."""
    rows, dialect = parse_table(raw)
    header = _header(rows)
    ci, vi = header.index(code_column), header.index(first_value_column)
    i = next(i for i, r in enumerate(rows[1:], start=1) if r[ci].strip().startswith(prefix))
    rows[i] = rows[i][:vi] + [SENTINEL if c.strip() not in ("", ".") else c for c in rows[i][vi:]]
    return write_table(rows, dialect), i + 1


def _text(raw: bytes) -> str:
    return raw.decode("utf-8")  # keeps a BOM as '\ufeff', so encoding back gives the same bytes


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text[:4096] else "\n"


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=first.count)


def parse_table(raw: bytes) -> tuple[list[list[str]], dict]:
    """Rows of a delimited file and the dialect needed to write it back byte for byte."""
    text = _text(raw)
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    delim = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    return rows, {"delimiter": delim, "quoted": text.startswith('"'), "newline": _newline(text), "bom": bom}


def write_table(rows: list[list[str]], dialect: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=dialect["delimiter"], lineterminator=dialect["newline"],
                   quoting=csv.QUOTE_ALL if dialect["quoted"] else csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return (("\ufeff" if dialect["bom"] else "") + buf.getvalue()).encode("utf-8")


def _header(rows: list[list[str]]) -> list[str]:
    return [h.lstrip("\ufeff") for h in rows[0]]


def set_cell(raw: bytes, column: str, value: str, row: int | None = None,
             where: tuple[str, str] | None = None) -> tuple[bytes, int]:
    """Replace one cell; returns (new bytes, the file line of that row with the header as line 1).

    ``row`` is a 0-based data row; ``where=(column, value)`` picks the first row with that value instead.
    """
    rows, dialect = parse_table(raw)
    header = _header(rows)
    ci = header.index(column)
    if where is not None:
        wi = header.index(where[0])
        row = next(i for i, r in enumerate(rows[1:]) if r[wi] == where[1])
    assert row is not None
    rows[row + 1][ci] = value
    return write_table(rows, dialect), row + 2


def _cell_case(target: str, name: str, file: str, read: Callable[[], bytes], column: str, value: str, expect: str,
               row: int = 0, where: tuple[str, str] | None = None, expect_column: str | None = "same") -> Case:
    """A case that replaces one cell, with the expected row computed from the real file."""
    raw = read()
    _, line = set_cell(raw, column, value, row=row, where=where)
    col = column if expect_column == "same" else expect_column
    return Case(target, name, file, lambda: set_cell(read(), column, value, row=row, where=where)[0], expect,
                row=line, column=col)


def replace(raw: bytes, old: str, new: str, count: int = 1) -> bytes:
    text = _text(raw)
    if old not in text:
        raise AssertionError(f"corpus: {old!r} not in the file any more")
    return text.replace(old, new, count).encode("utf-8")


def truncate_mid_row(raw: bytes, fraction: float = 0.6) -> bytes:
    """Cut the file inside a data row (not at a line end), as an interrupted download would."""
    cut = int(len(raw) * fraction)
    while raw[cut - 1:cut] in (b"\n", b"\r", b",", b";", b'"'):
        cut -= 1
    end = raw.rfind(b"\n", 0, cut)
    cut = max(cut, end + 3)
    return raw[:cut]


def swap_delimiter(raw: bytes, new: str, rows_from: int = 0) -> bytes:
    """Write the rows from ``rows_from`` on with another delimiter (rows before it keep theirs)."""
    rows, dialect = parse_table(raw)
    head = write_table(rows[:rows_from], dialect) if rows_from else b""
    tail = write_table(rows[rows_from:], {**dialect, "delimiter": new, "bom": dialect["bom"] and not rows_from})
    return head + tail


def duplicate_row(raw: bytes, row: int = 0) -> tuple[bytes, int]:
    rows, dialect = parse_table(raw)
    rows.append(list(rows[row + 1]))
    return write_table(rows, dialect), len(rows)


def duplicate_column(raw: bytes, column: str) -> bytes:
    rows, dialect = parse_table(raw)
    ci = _header(rows).index(column)
    return write_table([r[:ci + 1] + [r[ci]] + r[ci + 1:] for r in rows], dialect)


def drop_column(raw: bytes, column: str) -> bytes:
    rows, dialect = parse_table(raw)
    ci = _header(rows).index(column)
    return write_table([r[:ci] + r[ci + 1:] for r in rows], dialect)


def header_only(raw: bytes) -> bytes:
    text = _text(raw)
    return text.split("\n", 1)[0].encode("utf-8") + b"\n"


def repeat_rows_to(raw: bytes, size: int) -> bytes:
    """The real rows repeated until the file is ``size`` bytes (duplicate keys from the second copy on)."""
    text = _text(raw)
    nl = _newline(text)
    head, body = text.split("\n", 1)
    body = body.rstrip("\r\n") + nl
    body_b = body.encode("utf-8")
    n = max(1, (size - len(head)) // len(body_b) + 1)
    return (head + "\n").encode("utf-8") + body_b * n


def one_huge_cell(raw: bytes, column: str, size: int) -> bytes:
    """One real row whose ``column`` holds ``size`` bytes of digits (a 'number' of 50 MB)."""
    rows, dialect = parse_table(raw)
    ci = _header(rows).index(column)
    rows[1][ci] = "1" * size
    return write_table(rows[:2], dialect)


def latin1(raw: bytes, old: str, new: str) -> bytes:
    """Re-encode as Latin-1 after putting a non-ASCII character in (e.g. an accented name)."""
    return _text(replace(raw, old, new)).lstrip("\ufeff").encode("latin-1")


def utf16(raw: bytes) -> bytes:
    return _text(raw).lstrip("\ufeff").encode("utf-16")


def nul_in_cell(raw: bytes, column: str, row: int) -> bytes:
    """A NUL byte inside one text cell, past the first 4 KB (where a quick 'is this binary?' look stops)."""
    rows, dialect = parse_table(raw)
    ci = _header(rows).index(column)
    cell = rows[row + 1][ci]
    rows[row + 1][ci] = cell[: len(cell) // 2] + "\x00" + cell[len(cell) // 2:]
    out = write_table(rows, dialect)
    assert out.index(b"\x00") > 4096, "the NUL byte must lie past the first 4 KB"
    return out


def dutch_excel(raw: bytes) -> bytes:
    """What Excel with Dutch regional settings saves: ';' between fields and a decimal comma."""
    rows, dialect = parse_table(raw)
    rows = [[re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", c) for c in r] for r in rows]
    return write_table(rows, {**dialect, "delimiter": ";"})


def unterminated_quote(raw: bytes) -> bytes:
    text = _text(raw)
    lines = text.split("\n")
    lines[2] = '"' + lines[2]
    return "\n".join(lines).encode("utf-8")


def gzip_of(raw: bytes) -> bytes:
    return gzip.compress(raw, mtime=0)


def to_xlsx(raw: bytes, mutate: Callable[[list[list[str]]], None] | None = None) -> bytes:
    """An Excel workbook with the rows of a delimited file (as the StatLine Excel export or a partner's sheet)."""
    from openpyxl import Workbook

    rows, _ = parse_table(raw)
    rows = [[c.lstrip("\ufeff") for c in r] for r in rows]
    if mutate:
        mutate(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- participation base

def maastricht_buurten() -> list[str]:
    """The Maastricht buurt codes in the shipped 86165NED file (real codes)."""
    rows, _ = parse_table(data_bytes(KWB25))
    ci = _header(rows).index("gwb_code_10")
    return [r[ci] for r in rows[1:] if r[ci].startswith("BU0935")]


PART_MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")


def participation_base() -> bytes:
    """A valid upload: every Maastricht buurt of the 2025 file, January to June 2025, age group 'totaal'."""
    lines = [",".join(PART_COLUMNS)]
    for month in PART_MONTHS:
        for code in maastricht_buurten():
            lines.append(f"{code},{month},totaal,1,12,2,1")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _p(name: str, make: Callable[[], bytes], expect: str, row: int | None = None, column: str | None = None,
       file: str = PART, big: bool = False) -> Case:
    return Case("participation", name, file, make, expect, row, column, big)


def _p_cell(name: str, column: str, value: str, expect: str, row: int = 0) -> Case:
    return _cell_case("participation", name, PART, participation_base, column, value, expect, row=row)


def participation_cases() -> list[Case]:
    base = participation_base
    first = maastricht_buurten()[0]
    return [
        _p("empty", lambda: b"", "leeg"),
        _p("whitespace_only", lambda: b" \n\r\n\t\n", "leeg"),
        _p("header_only", lambda: header_only(base()), "alleen een kopregel"),
        _p("truncated_mid_row", lambda: truncate_mid_row(base()), "velden in plaats van"),
        _p("truncated_in_header", lambda: base()[:30], "verplichte kolom ontbreekt|alleen een kopregel"),
        _p("semicolons_in_rows", lambda: swap_delimiter(base(), ";", rows_from=1), "velden in plaats van", row=2),
        _p("latin1", lambda: latin1(base(), "totaal", "totaál"), "geen geldige UTF-8"),
        _p("utf16", lambda: utf16(base()), "geen tekstbestand"),
        _p("gzip_named_csv", lambda: gzip_of(base()), "geen tekstbestand|geen geldige UTF-8"),
        _p("xlsx_named_csv", lambda: to_xlsx(base()), "geen tekstbestand"),
        _p("csv_named_xlsx", base, "Excel-bestand kan niet worden gelezen", file="deelname.xlsx"),
        _p("wrong_extension", base, r"alleen \.csv- of \.xlsx", file="deelname.ods"),
        _p("nul_byte", lambda: base()[:100] + b"\x00" + base()[100:], "geen geldige CSV|geen tekstbestand"),
        _p("nul_byte_late", lambda: nul_in_cell(base(), "buurt_code", 200), "geen geldige CSV|geen tekstbestand"),
        _p("unterminated_quote", lambda: unterminated_quote(base()), "geen geldige CSV|velden in plaats van"),
        _p_cell("negative_count", "bewoners_bereikt", "-12", "negatief"),
        _p_cell("decimal_count", "meemakers", "2.5", "geen geheel getal"),
        _p_cell("thousands_separator", "bewoners_bereikt", "1.200", "geen geheel getal"),
        _p_cell("exponent_count", "bewoners_bereikt", "1e6", "geen geheel getal"),
        _p_cell("too_large_count", "bewoners_bereikt", "999999999", "onwaarschijnlijk groot"),
        _p_cell("huge_digits", "dialoogsessies", HUGE_DIGITS, "geen geheel getal"),
        _p_cell("formula_in_code", "buurt_code", FORMULA, "onbekende buurtcode"),
        _p_cell("formula_in_count", "activiteiten", "=1+1", "geen geheel getal"),
        _p_cell("at_formula_in_month", "maand", "@SUM(A1:A9)", "geen geldige maand"),
        _p_cell("plus_formula_in_count", "meemakers", "+2+3", "geen geheel getal"),
        _p_cell("unknown_buurt", "buurt_code", "BU09359999", "onbekende buurtcode"),
        _p_cell("heerlen_buurt", "buurt_code", "BU09171000", "onbekende buurtcode"),
        _p_cell("lowercase_code", "buurt_code", first.lower(), "onbekende buurtcode"),
        _p_cell("month_13", "maand", "2025-13", "geen geldige maand"),
        _p_cell("month_words", "maand", "maart 2025", "geen geldige maand"),
        _p_cell("month_future", "maand", "2099-01", "toekomst"),
        _p_cell("month_before_programme", "maand", "2019-12", "geen geldige maand"),
        _p_cell("unknown_age_group", "leeftijdsgroep", "kinderen", "leeftijdsgroep"),
        _p("duplicate_key", lambda: duplicate_row(base())[0], "dubbele rij",
           row=len(maastricht_buurten()) * len(PART_MONTHS) + 2, column="buurt_code"),
        _p("duplicate_header", lambda: duplicate_column(base(), "meemakers"), "kolomnaam komt dubbel voor", row=1),
        _p("missing_column", lambda: drop_column(base(), "activiteiten"), "verplichte kolom ontbreekt", row=1,
           column="activiteiten"),
        _p("unknown_column", lambda: replace(base(), "activiteiten", "activiteiten,opmerking").replace(
            b",1\n", b",1,x\n"), "onbekende kolom", row=1, column="opmerking"),
        _p("too_many_rows", lambda: repeat_rows_to(base(), 5 * 1024 * 1024), "meer dan 100000 rijen"),
        _p("xlsx_corrupt", lambda: to_xlsx(base())[:2000], "Excel-bestand kan niet worden gelezen",
           file="deelname.xlsx"),
        _p("xlsx_negative", lambda: to_xlsx(base(), lambda r: r[1].__setitem__(4, "-3")), "negatief",
           row=2, column="bewoners_bereikt", file="deelname.xlsx"),
        _p("xlsx_formula", lambda: to_xlsx(base(), lambda r: r[1].__setitem__(0, "=HYPERLINK(\"http://x\",\"BU\")")),
           "onbekende buurtcode", row=2, column="buurt_code", file="deelname.xlsx"),
        _p("xlsx_header_only", lambda: to_xlsx(base(), lambda r: r.__delitem__(slice(1, None))),
           "geen rijen", file="deelname.xlsx"),
        _p("fifty_mb", lambda: repeat_rows_to(base(), FIFTY_MB), "meer dan 100000 rijen", big=True),
    ]


# ---------------------------------------------------------------------------------------------- StatLine exports

def _s(name: str, file: str, make: Callable[[], bytes], expect: str, row: int | None = None,
       column: str | None = None, big: bool = False) -> Case:
    return Case("statline", name, file, make, expect, row, column, big)


def _s_cell(name: str, file: str, column: str, value: str, expect: str, row: int = 0,
            where: tuple[str, str] | None = None, expect_column: str | None = "same") -> Case:
    return _cell_case("statline", name, file, lambda: statline_bytes(file), column, value, expect, row=row,
                      where=where, expect_column=expect_column)


INW = "Bevolking/Aantal inwoners (aantal)"
K0_15 = "Bevolking/Leeftijdsgroepen/0 tot 15 jaar (aantal)"
HH_SIZE = "Bevolking/Particuliere huishoudens/Gemiddelde huishoudensgrootte (aantal)"
CODE = "Regioaanduiding/Codering (code)"
SOORT = "Regioaanduiding/Soort regio (omschrijving)"
ERVAREN = "Ervaren gezondheid goed/zeer goed (%)"
NAZARETH_ROW = ("Regioaanduiding/Codering (code)", "BU09350403")


def statline_cases() -> list[Case]:
    k = lambda: statline_bytes(SL_KWB)  # noqa: E731
    h = lambda: statline_bytes(SL_HEALTH)  # noqa: E731
    return [
        _s("empty", SL_KWB, lambda: b"", "leeg"),
        _s("header_only", SL_KWB, lambda: header_only(k()), "alleen een kopregel"),
        _s("truncated_mid_cell", SL_KWB, lambda: truncate_mid_row(k()), "geen geldige CSV|velden in plaats van"),
        _s("truncated_health", SL_HEALTH, lambda: truncate_mid_row(h(), 0.37), "geen geldige CSV|velden in plaats van"),
        _s("commas_instead_of_semicolons", SL_KWB, lambda: swap_delimiter(k(), ",", rows_from=1),
           "velden in plaats van|geen geldige CSV", row=2),
        _s("utf16", SL_KWB, lambda: utf16(k()), "binaire inhoud"),
        _s("gzip_named_csv", SL_KWB, lambda: gzip_of(k()), "binaire inhoud|geen kopregel"),
        _s("nul_byte", SL_HEALTH, lambda: nul_in_cell(h(), "Wijken en buurten", 300), "geen geldige CSV|binaire inhoud"),
        _s("not_a_statline_export", SL_KWB, lambda: data_bytes(KWB25), "geen kopregel|geen enkele kolom"),
        _s("no_table_id", "download.csv", k, "geef het tabelnummer op"),
        _s_cell("negative_count", SL_KWB, INW, "-2330", "negatieve waarde", where=NAZARETH_ROW),
        _s_cell("huge_value", SL_KWB, INW, "1e300", "onmogelijke waarde", where=NAZARETH_ROW),
        _s_cell("huge_digits", SL_KWB, K0_15, HUGE_DIGITS, "onmogelijke waarde|geen getal", where=NAZARETH_ROW),
        _s_cell("infinity", SL_KWB, HH_SIZE, "inf", "onmogelijke waarde|geen getal", row=3),
        _s_cell("formula_in_value", SL_KWB, INW, FORMULA, "geen getal", where=NAZARETH_ROW),
        _s_cell("formula_in_code", SL_KWB, CODE, FORMULA, "ongeldige gebiedscode", row=5),
        _s_cell("dutch_thousands", SL_KWB, INW, "1.234,5", "geen getal", row=1),
        _s_cell("bad_code_format", SL_KWB, CODE, "BU0935", "ongeldige gebiedscode", row=2),
        _s_cell("wijk_code_cut_short", SL_KWB, CODE, "WK0935", "ongeldige gebiedscode", where=NAZARETH_ROW),
        _s_cell("soort_mismatch", SL_KWB, SOORT, "Gemeente", "soort regio", row=0),
        _s_cell("percentage_over_100", SL_HEALTH, ERVAREN, "166.8", "percentage buiten 0-100", row=0),
        _s_cell("negative_percentage", SL_HEALTH, ERVAREN, "-0.5", "percentage buiten 0-100", row=4),
        _s_cell("bad_period", SL_HEALTH, "Perioden", "twintig", "geen jaar", row=1),
        _s("duplicate_row", SL_KWB, lambda: duplicate_row(k(), 6)[0], "dubbele rij"),
        _s("duplicate_health_row", SL_HEALTH, lambda: duplicate_row(h(), 10)[0], "dubbele rij"),
        _s("missing_code_column", SL_KWB, lambda: drop_column(k(), CODE), "Codering"),
        _s("unknown_topics", SL_KWB, lambda: replace(k(), "(aantal)", "(stuks)", count=-1).replace(
            "(aantal inwoners per km²)".encode(), b"(x)"), "geen enkele kolom herkend"),
        _s("xlsx_corrupt", "export_85984NED.xlsx", lambda: to_xlsx(k())[:3000], "Excel-bestand kan niet worden gelezen"),
        _s("xlsx_not_a_zip", "export_85984NED.xlsx", k, "Excel-bestand kan niet worden gelezen|geen kopregel"),
        _s("xlsx_negative", "export_85984NED.xlsx", lambda: to_xlsx(k(), lambda r: r[3].__setitem__(4, "-5")),
           "negatieve waarde"),
        _s("xlsx_formula_code", "export_85984NED.xlsx",
           lambda: to_xlsx(k(), lambda r: r[2].__setitem__(3, FORMULA)), "ongeldige gebiedscode"),
        _s("fifty_mb_rows", SL_HEALTH, lambda: repeat_rows_to(h(), FIFTY_MB), "dubbele rij", big=True),
        # Only '.' (or a code the table's own metadata defines) is 'geheim'; a sentinel-like figure is an error.
        _s_cell("sentinel_value", SL_KWB, INW, SENTINEL, "geen teken voor 'geheim'", where=NAZARETH_ROW),
        _s_cell("sentinel_percentage", SL_HEALTH, ERVAREN, SENTINEL, "geen teken voor 'geheim'|percentage buiten",
                row=4),
        _s("xlsx_sentinel", "export_85984NED.xlsx", lambda: to_xlsx(k(), lambda r: r[3].__setitem__(4, SENTINEL)),
           "geen teken voor 'geheim'", row=4),
        _s("dataportal_sentinel_wijk", DATAPORTAL,
           lambda: sentinel_row(dataportal_bytes(), "WijkenEnBuurten", "WK", "AantalInwoners_5")[0],
           "geen teken voor 'geheim'", row=sentinel_row(dataportal_bytes(), "WijkenEnBuurten", "WK",
                                                         "AantalInwoners_5")[1]),
    ]


# ---------------------------------------------------------------------------------------------- build (data/)

def _b(name: str, file: str, make: Callable[[], bytes], expect: str, row: int | None = None,
       column: str | None = None, big: bool = False) -> Case:
    return Case("build", name, file, make, expect, row, column, big)


def _b_cell(name: str, file: str, column: str, value: str, expect: str, row: int = 0,
            where: tuple[str, str] | None = None, expect_column: str | None = "same") -> Case:
    return _cell_case("build", name, file, lambda: data_bytes(file), column, value, expect, row=row, where=where,
                      expect_column=expect_column)


def _json_replace(file: str, old: str, new: str) -> Callable[[], bytes]:
    return lambda: replace(data_bytes(file), old, new)


def build_cases() -> list[Case]:
    d = data_bytes
    return [
        # Kerncijfers 2024, buurten of Maastricht and Heerlen
        _b("kwb24_empty", KWB24, lambda: b"", "leeg"),
        _b("kwb24_header_only", KWB24, lambda: header_only(d(KWB24)), "alleen een kopregel"),
        _b("kwb24_truncated", KWB24, lambda: truncate_mid_row(d(KWB24)), "velden in plaats van"),
        _b("kwb24_semicolons", KWB24, lambda: swap_delimiter(d(KWB24), ";", rows_from=1), "velden in plaats van",
           row=2),
        _b("kwb24_dutch_excel", KWB24, lambda: dutch_excel(d(KWB24)), "geen getal", row=2,
           column="GemiddeldeHuishoudensgrootte_33"),
        _b("kwb24_tabs_in_rows", KWB24, lambda: swap_delimiter(d(KWB24), "\t", rows_from=5), "velden in plaats van",
           row=6),
        _b("kwb24_latin1", KWB24, lambda: latin1(d(KWB24), "Maria Gewanden", "Maria Gewándén"), "geen geldige UTF-8"),
        _b("kwb24_utf16", KWB24, lambda: utf16(d(KWB24)), "geen tekstbestand"),
        _b("kwb24_gzip", KWB24, lambda: gzip_of(d(KWB24)), "geen tekstbestand|geen geldige UTF-8"),
        _b("kwb24_nul_byte", KWB24, lambda: nul_in_cell(d(KWB24), "buurt_naam_85984NED", 60),
           "geen geldige CSV|geen tekstbestand"),
        _b("kwb24_unterminated_quote", KWB24, lambda: unterminated_quote(d(KWB24)), "geen geldige CSV|velden"),
        _b_cell("kwb24_negative_inhabitants", KWB24, "AantalInwoners_5", "-3420", "negatieve waarde"),
        _b_cell("kwb24_sentinel", KWB24, "AantalInwoners_5", SENTINEL, "geen teken voor 'geheim'", row=5),
        _b_cell("kwb20_kaart_undefined_sentinel", KWB20_GM, "AANT_INW", SENTINEL, "geen teken voor 'geheim'", row=2),
        _b_cell("kwb24_negative_crime", KWB24, "GeregistreerdeMisdrijven_1_47018NED_2024", "-1", "negatieve waarde",
                row=3),
        _b_cell("kwb24_huge_value", KWB24, "HuishoudensTotaal_29", "1e300", "onmogelijke waarde", row=7),
        _b_cell("kwb24_huge_digits", KWB24, "k_0Tot15Jaar_8", HUGE_DIGITS, "onmogelijke waarde|geen getal", row=2),
        _b_cell("kwb24_infinity", KWB24, "Bevolkingsdichtheid_34", "inf", "onmogelijke waarde|geen getal", row=4),
        _b_cell("kwb24_text_number", KWB24, "AantalInwoners_5", "drie", "geen getal"),
        _b_cell("kwb24_formula_value", KWB24, "AantalInwoners_5", FORMULA, "geen getal", row=9),
        _b_cell("kwb24_formula_code", KWB24, "WijkenEnBuurten", FORMULA, "ongeldige gebiedscode", row=11),
        _b_cell("kwb24_unknown_gemeente", KWB24, "WijkenEnBuurten", "BU99991000", "onbekende gebiedscode|GM_code",
                expect_column=None),
        _b_cell("kwb24_gm_code_mismatch", KWB24, "GM_code", "GM0935", "past niet bij"),
        _b_cell("kwb24_wrong_year", KWB24, "jaar", "2023", "wijkt af van het verwachte jaar", row=5),
        _b_cell("kwb24_lowercase_code", KWB24, "WijkenEnBuurten", "bu09171000", "ongeldige gebiedscode"),
        _b("kwb24_duplicate_row", KWB24, lambda: duplicate_row(d(KWB24), 12)[0], "dubbele rij"),
        _b("kwb24_duplicate_header", KWB24, lambda: duplicate_column(d(KWB24), "AantalInwoners_5"),
           "kolomnaam komt dubbel voor", row=1),
        _b("kwb24_missing_column", KWB24, lambda: drop_column(d(KWB24), "HuishoudensTotaal_29"),
           "verplichte kolom ontbreekt", row=1, column="HuishoudensTotaal_29"),
        _b("kwb24_fifty_mb_cell", KWB24, lambda: one_huge_cell(d(KWB24), "AantalInwoners_5", FIFTY_MB),
           "geen geldige CSV|geen getal|onmogelijke waarde", big=True),
        # Gezondheid per wijk en buurt (50090NED), Nederland/Maastricht/Heerlen slice
        _b_cell("health_bad_year", HEALTH, "jaar", "2o12", "ongeldig jaar"),
        _b_cell("health_year_out_of_range", HEALTH, "jaar", "1812", "ongeldig jaar", row=40),
        _b_cell("health_unknown_age", HEALTH, "leeftijd", "18-", "onbekende leeftijdsgroep", row=3),
        _b_cell("health_soort_mismatch", HEALTH, "soort_regio", "Gemeente", "past niet bij code"),
        _b_cell("health_percentage_over_100", HEALTH, "Roker_11", "166.8", "percentage buiten 0-100", row=5),
        _b_cell("health_negative_percentage", HEALTH, "Eenzaam_28", "-4.5", "percentage buiten 0-100", row=6),
        _b_cell("health_formula", HEALTH, "MoeiteMetRondkomen_38", "+SUM(1,2)", "geen getal", row=8),
        _b_cell("health_bad_code", HEALTH, "regio_code", "BU0935040", "ongeldige gebiedscode", row=2),
        _b("health_duplicate_key", HEALTH, lambda: duplicate_row(d(HEALTH), 20)[0], "dubbele rij"),
        _b("health_truncated", HEALTH, lambda: truncate_mid_row(d(HEALTH), 0.8), "velden in plaats van"),
        _b("health_fifty_mb_rows", HEALTH, lambda: repeat_rows_to(d(HEALTH), FIFTY_MB), "dubbele rij", big=True),
        # Gemeente files (they define the codes)
        _b_cell("kwb24nl_bad_code", KWB24_NL, "regio_code", "GM16800", "ongeldige gebiedscode", row=0),
        _b_cell("kwb24nl_negative_area", KWB24_NL, "OppervlakteLand_123", "-27606", "negatieve waarde", row=0),
        _b("kwb24nl_duplicate", KWB24_NL, lambda: duplicate_row(d(KWB24_NL), 100)[0], "dubbele rij"),
        _b_cell("kwb20_negative", KWB20_GM, "AANT_INW", "-11642.0", "negatieve waarde", row=0),
        _b_cell("kwb20_percentage", KWB20_GM, "P_KOOPWON", "480.0", "percentage buiten 0-100|onmogelijke", row=0),
        _b_cell("kwb20_text", KWB20_GM, "AANTAL_HH", "n.v.t.", "geen getal", row=10),
        _b_cell("kwb19_negative", KWB19_GM, "population", "-11721", "negatieve waarde", row=0),
        _b_cell("kwb19_bad_code", KWB19_GM, "unique_id", "GM3", "ongeldige gebiedscode", row=0),
        # Other buurt files
        _b_cell("kwb17_unknown_gemeente", KWB17, "WijkenEnBuurten", "BU99991000", "onbekende gebiedscode|past niet",
                expect_column=None),
        _b_cell("kwb17_crime_negative", KWB17_CRIME, "GeweldsEnSeksueleMisdrijven_108", "-4.0", "negatieve waarde"),
        _b_cell("kwb25_wrong_year", KWB25, "jaar", "2024", "wijkt af van het verwachte jaar", row=3),
        _b_cell("kwb25_huge", KWB25, "g_wozbag", "1e13", "onmogelijke waarde", row=2),
        # Variable metadata (85984NED DataProperties)
        _b("props_truncated_json", PROPS, lambda: d(PROPS)[: len(d(PROPS)) // 2], "ongeldige JSON"),
        _b("props_empty", PROPS, lambda: b"", "leeg"),
        # Boundaries
        _b("geo20_truncated_json", GEO20, lambda: d(GEO20)[: len(d(GEO20)) * 2 // 3], "ongeldige JSON"),
        _b("geo20_not_featurecollection", GEO20, _json_replace(GEO20, '"FeatureCollection"', '"GeometryCollection"'),
           "geen GeoJSON FeatureCollection"),
        _b("geo20_missing_statcode", GEO20, _json_replace(GEO20, '"statcode": "BU09350000"', '"code": "BU09350000"'),
           "zonder geometrie of statcode", row=1, column="statcode"),
        _b("geo20_duplicate_code", GEO20, _json_replace(GEO20, '"statcode": "BU09350001"', '"statcode": "BU09350000"'),
           "komt dubbel voor", column="statcode"),
        _b("geo20_unknown_code", GEO20, _json_replace(GEO20, '"statcode": "BU09350000"', '"statcode": "BU09359990"'),
           "onbekende gebiedscode", row=1, column="statcode"),
        _b("geo20_formula_code", GEO20, _json_replace(GEO20, '"statcode": "BU09350000"', f'"statcode": "{FORMULA}"'),
           "ongeldige gebiedscode", row=1, column="statcode"),
        _b("geo20_utf16", GEO20, lambda: utf16(d(GEO20)), "geen tekstbestand"),
        _b("geo20wk_empty", GEO20_WK, lambda: b"   \n", "leeg"),
        _b("wijk14_wrong_object", WIJK14_NL, _json_replace(WIJK14_NL, '"layer"', '"laag"'), "geen TopoJSON"),
        _b("wijk14_truncated", WIJK14_NL, lambda: d(WIJK14_NL)[:-200], "ongeldige JSON"),
        _b("buurt14_unknown_geometry", BUURT14_NL, lambda: re.sub(rb'"type": ?"Polygon"', b'"type": "Sphere"',
                                                                  d(BUURT14_NL), count=1), "onbekend geometrietype"),
    ]


def cases(big: bool = True) -> list[Case]:
    out = build_cases() + statline_cases() + participation_cases()
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids)), "duplicate corpus case ids"
    return out if big else [c for c in out if not c.big]
