"""Boundary changes between indeling years: detect them, mark the break, convert where documented.

The engine joins a trend by area code. That is only right while a code means the same piece of land, so
this module compares the area registers of consecutive indeling years and writes every difference to
``area_changes`` (recomputed after each build, refresh and import):

- ``naam``: same code, other name (the trend continues; the newest name is shown);
- ``code``: a code disappears and a code with the same name (same level) appears: the same area under a new
  code (weight 1; CBS's own flag ``IndelingswijzigingGemeenteWijkBuurt`` = 2 means the same);
- ``grens``: same code, other boundary: CBS's flag = 3, a documented herindeling that adds land to an
  existing gemeente, or geometries of two indeling years that differ beyond their precision;
- ``samenvoeging`` / ``splitsing``: documented herindelingen (:data:`HERINDELINGEN`) with weights;
- ``opgeheven`` / ``nieuw``: a code without successor / predecessor: the series ends / starts there.

Registers come only from sources that list *every* area of their scope (``COMPLETE_SOURCES`` and refresh
batches, which fetch all gemeenten and all wijken/buurten of the configured gemeenten); a regional extract
that leaves out small buurten would otherwise look like buurten disappearing.

Conversion (:func:`convert_series`): a value of an earlier year on today's boundaries is computed from the
predecessors with the documented weights: counts are summed (``weight × count``); shares and means are
averaged weighted by ``weight × base population`` (inhabitants, or households for household shares) of
the predecessor in that year. Medians, densities and codes are never converted. Every converted value is
marked ``omgerekend`` with its weights; years across a break without a documented conversion are marked
``niet vergelijkbaar`` and must not be joined to the series.
"""
from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from shapely.geometry import shape
from shapely.ops import transform

from . import schema
from .codes import NATIONAL_MIN_GEMEENTEN, NL_CODE
from .db import connect, transaction
from .settings import DATA_DIR

boundary_metadata = sa.MetaData()

area_changes = sa.Table(
    "area_changes",
    boundary_metadata,
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("from_code", sa.String(12), nullable=False),  # '' for 'nieuw'
    sa.Column("to_code", sa.String(12), nullable=False),  # '' for 'opgeheven'
    sa.Column("from_year", sa.Integer, nullable=False),  # last indeling year of the old situation
    sa.Column("to_year", sa.Integer, nullable=False),  # first indeling year of the new situation
    sa.Column("weight", sa.Float, nullable=True),  # share of from_code that went to to_code
    sa.Column("weight_basis", sa.Text, nullable=True),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("kind", "from_code", "to_code", "from_year", "to_year"),
)

KINDS = ("naam", "code", "grens", "samenvoeging", "splitsing", "opgeheven", "nieuw")
LINK_KINDS = ("code", "samenvoeging", "splitsing")  # a documented way from the old to the new area

# Shipped sources that list every area of their scope (see module docstring).
COMPLETE_SOURCES = {"50090NED", "85984NED-buurt", "85984NED-gemeente-wijk", "84799NED-gemeente",
                    "84583NED-gemeente"}

# Geometry comparison: the shipped geometries are generalised (2020: 0.001°) or quantised (2014: ~300 m),
# so only changes well beyond that precision are detectable.
GEOMETRY_TOLERANCE_M = 350.0
GEOMETRY_CHANGE_SHARE = 0.10


@dataclass(frozen=True)
class Herindeling:
    """A documented gemeentelijke herindeling: old codes → new codes with the share that moved."""

    year: int  # first indeling year (KWB, 1 January) with the new situation
    kind: str  # samenvoeging | splitsing
    parts: tuple[tuple[str, str, float | None, str | None], ...]  # (from, to, weight, wijk for area weights)
    source: str


HERINDELINGEN_FILE = DATA_DIR / "herindelingen.toml"


def _herindelingen() -> list[Herindeling]:
    """The documented herindelingen (data/herindelingen.toml: facts of the CBS classification)."""
    with open(HERINDELINGEN_FILE, "rb") as fh:
        rows = tomllib.load(fh)["herindeling"]
    return [Herindeling(int(r["year"]), r["kind"],
                        tuple((a, b, None if w == "" else float(w), wk or None) for a, b, w, wk in r["parts"]),
                        r["source"]) for r in rows]


HERINDELINGEN = _herindelingen()

LEVEL = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


def _norm_name(name) -> str:
    if not isinstance(name, str):
        return ""
    return re.sub(r"\s+", " ", name).strip().casefold()


# ---------------------------------------------------------------------------------------------- registers

def _registers(conn: sa.Connection) -> dict[int, dict[str, dict[str, str | None]]]:
    """indeling year → coverage prefix → {code: name}, from the highest-priority complete source."""
    av, s = schema.area_versions, schema.sources
    res = conn.execute(sa.select(av.c.code, av.c.indeling_year, av.c.name, av.c.source_key))
    rows = pd.DataFrame([tuple(r) for r in res.fetchall()],
                        columns=["code", "indeling_year", "name", "source_key"])
    if rows.empty:
        return {}
    loaded = dict(conn.execute(sa.select(s.c.source_key, s.c.loaded_at)).fetchall())
    coverage: dict[str, list[str]] = {}
    priority: dict[str, tuple] = {}
    if sa.inspect(conn).has_table("staged_batches"):
        for r in conn.execute(sa.select(schema.staged_batches.c.source_key, schema.staged_batches.c.kind,
                                        schema.staged_batches.c.coverage, schema.staged_batches.c.applied_at)):
            if r.source_key in loaded and r.kind == "refresh":
                coverage[r.source_key] = json.loads(r.coverage or "[]")
                priority[r.source_key] = (1, str(r.applied_at), r.source_key)
    for key in COMPLETE_SOURCES:
        sub = rows[rows["source_key"] == key]
        if sub.empty:
            continue
        pre = set()
        gms = sub["code"][sub["code"].str.startswith("GM")]
        if len(gms) >= NATIONAL_MIN_GEMEENTEN:
            pre.add("GM")
        else:
            pre.update(gms)
        for lvl in ("WK", "BU"):
            codes = sub["code"][sub["code"].str.startswith(lvl)]
            pre.update(lvl + c[2:6] for c in codes)
        if (sub["code"] == NL_CODE).any():
            pre.add("NL")
        coverage[key] = sorted(pre)
        priority[key] = (0, str(loaded.get(key)), key)
    ranked = sorted(coverage, key=lambda k: priority[k])
    frames = []
    for rank, key in enumerate(ranked):
        sub = rows[rows["source_key"] == key]
        pre = set(coverage[key])
        lvl = sub["code"].str[:2]
        unit = np.where(lvl == "NL", "NL",
                        np.where(lvl == "GM", "GM" if "GM" in pre else sub["code"], sub["code"].str[:6]))
        sub = sub.assign(unit=unit, rank=rank)
        frames.append(sub[sub["unit"].isin(pre)])
    if not frames:
        return {}
    allr = pd.concat(frames, ignore_index=True)
    top = allr.groupby(["indeling_year", "unit"])["rank"].transform("max")
    allr = allr[allr["rank"] == top]
    out: dict[int, dict[str, dict]] = {}
    for (year, unit), g in allr.groupby(["indeling_year", "unit"]):
        out.setdefault(int(year), {})[unit] = dict(zip(g["code"], g["name"]))
    return out


# ---------------------------------------------------------------------------------------------- geometry

def _to_metres(geom, lat0: float):
    kx = 111320.0 * math.cos(math.radians(lat0))
    return transform(lambda x, y, z=None: (x * kx, y * 110540.0), geom)


def geometry_changed(a: dict | str, b: dict | str, tolerance_m: float = GEOMETRY_TOLERANCE_M,
                     share: float = GEOMETRY_CHANGE_SHARE) -> tuple[bool, float]:
    """Whether two GeoJSON geometries of one area differ beyond ``tolerance_m`` (their precision).

    Returns (changed, moved share): the largest share of either area that lies further than the tolerance
    from the other geometry.
    """
    ga = shape(json.loads(a) if isinstance(a, str) else a).buffer(0)
    gb = shape(json.loads(b) if isinstance(b, str) else b).buffer(0)
    if ga.is_empty or gb.is_empty:
        return False, 0.0
    lat0 = (ga.centroid.y + gb.centroid.y) / 2
    ma, mb = _to_metres(ga, lat0), _to_metres(gb, lat0)
    out_a = ma.difference(mb.buffer(tolerance_m)).area / ma.area if ma.area else 0.0
    out_b = mb.difference(ma.buffer(tolerance_m)).area / mb.area if mb.area else 0.0
    moved = max(out_a, out_b)
    return moved > share, moved


def area_weights(conn: sa.Connection, codes: list[str]) -> dict[str, float] | None:
    """Area share of each code (geometries of its latest indeling year); None when one is missing."""
    g = schema.geometries
    rows = conn.execute(sa.select(g.c.area_code, g.c.indeling_year, g.c.geojson).where(g.c.area_code.in_(codes)))
    latest: dict[str, tuple[int, str]] = {}
    for r in rows:
        if r.area_code not in latest or r.indeling_year > latest[r.area_code][0]:
            latest[r.area_code] = (r.indeling_year, r.geojson)
    if set(latest) != set(codes):
        return None
    areas = {}
    for c, (_, gj) in latest.items():
        geom = shape(json.loads(gj)).buffer(0)
        areas[c] = _to_metres(geom, geom.centroid.y).area
    total = sum(areas.values())
    return {c: a / total for c, a in areas.items()} if total > 0 else None


# ---------------------------------------------------------------------------------------------- detection

def _row(kind, level, frm, to, y0, y1, evidence, note, weight=None, basis=None) -> dict:
    return {"kind": kind, "level": level, "from_code": frm or "", "to_code": to or "", "from_year": int(y0),
            "to_year": int(y1), "weight": weight, "weight_basis": basis, "evidence": evidence, "note": note}


def _known_codes(conn: sa.Connection) -> set[str]:
    return {r[0] for r in conn.execute(sa.select(schema.areas.c.code))}


def _herindelingen(conn: sa.Connection, known: set[str]) -> list[dict]:
    out = []
    for h in HERINDELINGEN:
        codes = {c for f, t, _, _ in h.parts for c in (f, t)}
        if not codes & known:
            continue
        wijken = [w for *_, w in h.parts if w]
        weights = area_weights(conn, wijken) if wijken else None
        targets = {t for _, t, _, _ in h.parts}
        for frm, to, w, wijk in h.parts:
            basis = "volledig" if w is not None else None
            if wijk:
                w = weights.get(wijk) if weights else None
                basis = f"oppervlakte van wijk {wijk} (indeling 2014)" if w is not None else None
            note = h.source
            if w is None:
                note += " Gewicht onbekend (geen geometrie): niet om te rekenen."
            out.append(_row(h.kind, "gemeente", frm, to, h.year - 1, h.year, "gedocumenteerde herindeling",
                            note, w, basis))
        for t in sorted(targets):
            if t in {f for f, _, _, _ in h.parts} or h.kind == "splitsing":
                # an existing gemeente that gains land: its own series breaks at the herindeling
                out.append(_row("grens", "gemeente", t, t, h.year - 1, h.year, "gedocumenteerde herindeling",
                                f"Grens van {t} gewijzigd: {h.source}"))
    return out


def detect(conn: sa.Connection) -> pd.DataFrame:
    """All boundary events known from the registers, CBS's flag, geometries and documented herindelingen."""
    known = _known_codes(conn)
    rows = _herindelingen(conn, known)
    documented = {(r["from_code"], r["to_year"]) for r in rows} | {(r["to_code"], r["to_year"]) for r in rows}
    regs = _registers(conn)
    years = sorted(regs)
    prefixes = sorted({p for y in regs for p in regs[y]})
    for p in prefixes:
        ys = [y for y in years if p in regs[y]]
        for y0, y1 in zip(ys, ys[1:]):
            a, b = regs[y0][p], regs[y1][p]
            for code in sorted(set(a) & set(b)):
                if _norm_name(a[code]) and _norm_name(b[code]) and _norm_name(a[code]) != _norm_name(b[code]):
                    rows.append(_row("naam", LEVEL[code[:2]], code, code, y0, y1, f"registers {y0} en {y1}",
                                     f"Naam gewijzigd van '{a[code]}' in '{b[code]}'; zelfde gebied, de reeks "
                                     "loopt door."))
            gone = [c for c in sorted(set(a) - set(b)) if not any((c, y) in documented for y in range(y0 + 1, y1 + 1))]
            new = [c for c in sorted(set(b) - set(a)) if not any((c, y) in documented for y in range(y0 + 1, y1 + 1))]
            by_name: dict[tuple[str, str], list[str]] = {}
            for c in new:
                by_name.setdefault((c[:2], _norm_name(b[c])), []).append(c)
            linked_new = set()
            for c in gone:
                cands = by_name.get((c[:2], _norm_name(a[c])), []) if _norm_name(a[c]) else []
                cands = [x for x in cands if x not in linked_new]
                if len(cands) == 1:
                    linked_new.add(cands[0])
                    rows.append(_row("code", LEVEL[c[:2]], c, cands[0], y0, y1, "zelfde naam en niveau",
                                     f"Code gewijzigd van {c} in {cands[0]} ('{b[cands[0]]}'); zelfde naam, "
                                     "de reeks wordt via deze koppeling voortgezet.", 1.0, "codewijziging"))
                else:
                    rows.append(_row("opgeheven", LEVEL[c[:2]], c, "", y0, y1, f"registers {y0} en {y1}",
                                     f"{c} ('{a[c]}') komt in {y1} niet meer voor; de reeks stopt in {y0}."))
            for c in new:
                if c not in linked_new:
                    rows.append(_row("nieuw", LEVEL[c[:2]], "", c, y0, y1, f"registers {y0} en {y1}",
                                     f"{c} ('{b[c]}') is nieuw in indeling {y1}; geen voorganger bekend, de "
                                     "reeks begint hier."))
    rows += _cbs_flags(conn, regs)
    rows += _geometry_changes(conn)
    df = pd.DataFrame(rows, columns=[c.name for c in area_changes.c])
    return df.drop_duplicates(["kind", "from_code", "to_code", "from_year", "to_year"]).reset_index(drop=True)


def _cbs_flags(conn: sa.Connection, regs: dict) -> list[dict]:
    """CBS's IndelingswijzigingGemeenteWijkBuurt: 3 = boundary changed, 2 = code changed."""
    o = schema.observation_rows
    flags = conn.execute(sa.select(o.c.area_code, o.c.year, o.c.value).where(
        o.c.variable_code == "IndelingswijzigingGemeenteWijkBuurt", o.c.value.in_([2.0, 3.0]))).fetchall()
    out = []
    for code, year, value in flags:
        prev = max((y for y in regs if y < year), default=year - 1)
        if value == 3:
            out.append(_row("grens", LEVEL[code[:2]], code, code, prev, year, "CBS-indicator indelingswijziging = 3",
                            f"CBS: de afbakening van {code} is in {year} gewijzigd; de cijfers zijn niet zonder "
                            "meer te vergelijken met eerdere jaren."))
        else:
            out.append(_row("nieuw", LEVEL[code[:2]], "", code, prev, year, "CBS-indicator indelingswijziging = 2",
                            f"CBS: de codering van {code} is in {year} gewijzigd (zelfde afbakening); de vorige code "
                            "is niet in de gegevens te koppelen."))
    return out


def _geometry_changes(conn: sa.Connection) -> list[dict]:
    g = schema.geometries
    res = conn.execute(sa.select(g.c.area_code, g.c.indeling_year, g.c.geojson))
    rows = pd.DataFrame([tuple(r) for r in res.fetchall()],
                        columns=["code", "year", "geojson"])
    rows = rows[rows["code"].duplicated(keep=False) & rows["code"].str.startswith(("WK", "BU"))]
    out = []
    for code, grp in rows.groupby("code"):
        grp = grp.sort_values("year")
        for (_, r0), (_, r1) in zip(grp.iterrows(), grp.iloc[1:].iterrows()):
            try:
                changed, moved = geometry_changed(r0["geojson"], r1["geojson"])
            except Exception:  # noqa: BLE001 - an unreadable geometry is no evidence either way
                continue
            if changed:
                out.append(_row("grens", LEVEL[code[:2]], code, code, r0["year"], r1["year"],
                                f"geometrie {r0['year']} en {r1['year']}",
                                f"De grens van {code} verschoof tussen {r0['year']} en {r1['year']}: "
                                f"{moved:.0%} van het gebied ligt meer dan {GEOMETRY_TOLERANCE_M:.0f} m buiten de "
                                "andere grens. Cijfers van voor en na zijn niet zonder meer vergelijkbaar."))
    return out


def ensure_table(conn: sa.Connection) -> None:
    boundary_metadata.create_all(conn, checkfirst=True)


def store(conn: sa.Connection, changes: pd.DataFrame) -> pd.DataFrame:
    """Replace the contents of ``area_changes`` (inside the caller's transaction)."""
    ensure_table(conn)
    conn.execute(area_changes.delete())
    if not changes.empty:
        recs = changes.astype(object).where(changes.notna(), None).to_dict("records")
        conn.execute(area_changes.insert(), recs)
    return changes


def refresh_changes(url: str | None = None) -> pd.DataFrame:
    """Detect and store the boundary events in one transaction (e.g. after a build)."""
    with transaction(url) as conn:
        return store(conn, detect(conn))


# ---------------------------------------------------------------------------------------------- read side

def changes(url: str | None = None, code: str | None = None) -> pd.DataFrame:
    """Stored events, optionally only those that involve ``code``."""
    with connect(url) as conn:
        if not sa.inspect(conn).has_table("area_changes"):
            return pd.DataFrame(columns=[c.name for c in area_changes.c])
        stmt = sa.select(area_changes)
        if code:
            stmt = stmt.where(sa.or_(area_changes.c.from_code == code, area_changes.c.to_code == code))
        res = conn.execute(stmt.order_by(area_changes.c.to_year, area_changes.c.kind))
        return pd.DataFrame([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


def series_breaks(url: str | None, code: str) -> list[dict]:
    """Where the trend line of ``code`` must not be drawn through: [{year, kind, note}], by year.

    ``year`` is the first indeling year of the new situation; values before it are on other boundaries
    (or under another code) unless :func:`convert_series` can convert them.
    """
    df = changes(url, code)
    out = []
    for r in df.itertuples(index=False):
        if r.kind in ("grens",) and r.to_code == code:
            out.append({"year": r.to_year, "kind": r.kind, "note": r.note})
        elif r.kind in LINK_KINDS and r.to_code == code and r.from_code != code:
            out.append({"year": r.to_year, "kind": r.kind, "note": r.note})
        elif r.kind == "nieuw" and r.to_code == code:
            out.append({"year": r.to_year, "kind": r.kind, "note": r.note})
        elif r.kind in ("opgeheven",) + LINK_KINDS and r.from_code == code and r.to_code != code:
            out.append({"year": r.to_year, "kind": r.kind, "note": r.note})
    seen, uniq = set(), []
    for b in sorted(out, key=lambda x: (x["year"], x["kind"])):
        if (b["year"], b["kind"]) not in seen:
            seen.add((b["year"], b["kind"]))
            uniq.append(b)
    return uniq


NOT_CONVERTIBLE = re.compile(r"^(Mediaan|Bevolkingsdichtheid|MateVanStedelijkheid|Indelingswijziging|Omgevings)")


def aggregation(variable: str, unit: str) -> str | None:
    """'sum' for counts, 'households'/'inhabitants' for a weighted mean, None when not convertible."""
    if NOT_CONVERTIBLE.match(variable) or unit in ("code", "naam", "omschrijving"):
        return None
    if unit == "aantal" and not variable.startswith("Gemiddeld"):
        return "sum"
    if "Huish" in variable:
        return "households"
    return "inhabitants"


def convert_series(url: str | None, code: str, variable: str, age_group: str = "totaal") -> pd.DataFrame:
    """The series of ``code`` on its newest boundaries: published values after the last break, converted
    values (documented weights) before it, ``niet vergelijkbaar`` where no conversion is documented.

    Columns: year, value, method (gepubliceerd | omgerekend | niet vergelijkbaar), note.
    """
    with connect(url) as conn:
        return _convert(conn, code, variable, age_group)


def _values(conn, codes: list[str], variables: list[str], age_group: str) -> dict:
    o = schema.observation_rows
    res = conn.execute(sa.select(o.c.area_code, o.c.variable_code, o.c.year, o.c.value).where(
        o.c.area_code.in_(codes), o.c.variable_code.in_(variables), o.c.age_group.in_([age_group, "totaal"]),
        o.c.value.is_not(None)))
    out: dict[tuple[str, str, int], float] = {}
    for a, v, y, val in res:
        out.setdefault((a, v, int(y)), float(val))
    return out


def _convert(conn, code: str, variable: str, age_group: str) -> pd.DataFrame:
    ensure_table(conn)
    unit_row = conn.execute(sa.select(schema.variables.c.unit).where(schema.variables.c.code == variable)).first()
    agg = aggregation(variable, unit_row[0] if unit_row else "")
    ch = pd.DataFrame([tuple(r) for r in conn.execute(sa.select(area_changes)).fetchall()],
                      columns=[c.name for c in area_changes.c])
    breaks = ch[(ch["to_code"] == code) & ch["kind"].isin(["grens", "nieuw", *LINK_KINDS])]
    cut = int(breaks["to_year"].max()) if not breaks.empty else None
    preds = ch[(ch["to_code"] == code) & ch["kind"].isin(LINK_KINDS) & (ch["to_year"] == cut)]
    parts = [(r.from_code, None if pd.isna(r.weight) else float(r.weight)) for r in preds.itertuples()]
    base_var = "HuishoudensTotaal" if agg == "households" else "AantalInwoners"
    vals = _values(conn, sorted({code, *(f for f, _ in parts)}), [variable, base_var], age_group)
    years = sorted({y for (a, v, y) in vals if v == variable and (a == code or cut is None or y < cut)})
    basis = "; ".join(sorted({str(b) for b in preds["weight_basis"] if isinstance(b, str) and b}))
    desc = ", ".join(f"{f} × {w:.3f}".replace(".", ",") for f, w in parts if w is not None)
    out = []
    for y in years:
        if cut is None or y >= cut:
            own = vals.get((code, variable, y))
            if own is not None:
                out.append({"year": y, "value": own, "method": "gepubliceerd", "note": ""})
            continue
        value, why = _convert_year(vals, parts, variable, base_var, agg, y)
        if value is None:
            out.append({"year": y, "value": None, "method": "niet vergelijkbaar",
                        "note": f"andere grenzen of code dan vanaf {cut}: {why}"})
        else:
            out.append({"year": y, "value": value, "method": "omgerekend",
                        "note": f"omgerekend naar de indeling van {cut}: {desc} ({basis})"})
    return pd.DataFrame(out, columns=["year", "value", "method", "note"]).reset_index(drop=True)


def _convert_year(vals: dict, parts: list[tuple[str, float | None]], variable: str, base_var: str,
                  agg: str | None, y: int) -> tuple[float | None, str]:
    """Value of year ``y`` on the new boundaries from the predecessors, or (None, reason)."""
    if agg is None:
        return None, "niet om te rekenen (mediaan, dichtheid of code)"
    if not parts or any(w is None for _, w in parts):
        return None, "geen gedocumenteerde omrekening"
    xs = [vals.get((f, variable, y)) for f, _ in parts]
    if any(x is None for x in xs):
        return None, "niet alle voorgangers hebben een waarde in dit jaar"
    if agg == "sum":
        return sum(w * x for (_, w), x in zip(parts, xs)), ""
    bs = [vals.get((f, base_var, y)) for f, _ in parts]
    if any(b is None for b in bs):
        return None, f"weging ({base_var}) ontbreekt voor een voorganger"
    den = sum(w * b for (_, w), b in zip(parts, bs))
    if not den:
        return None, "weging is nul"
    return sum(w * b * x for (_, w), b, x in zip(parts, bs, xs)) / den, ""
