"""The metric store: every catalog metric for every area and year the app shows, computed once at build time.

Write side — :func:`compute_into` runs inside the build/refresh/import transaction (passed to
``loaders.pipeline`` as ``derive``): it loads the raw observations of Nederland, every gemeente and the wijken
and buurten of the detail gemeenten, runs the :class:`~metrics.compute.Engine` (published values first,
weighted aggregation, coverage, margins) and writes

- ``metric_values``: one row per metric, area (incl. the area groups) and year, also when the value is missing
  (status and note say why), so the years of a metric are exactly the years the engine knows;
- ``metric_comparisons``: for every present value, the change since the area's first measurement and the
  position against Maastricht, the area's own gemeente and Nederland in the same year;
- ``derived``: the similar-buurten match of each focus buurt per profile year and the latest period per source.

Read side — :class:`StoredEngine` answers the engine's questions (value, series, latest, compare, change)
from those rows, so a page load never touches the raw observations or aggregates anything. The one exception
is a user-chosen set of buurten (``SET:...``), which is aggregated from the stored rows of its members with the
engine's own rules (same weights, same coverage rule).
"""
from __future__ import annotations

import dataclasses
import json
import math
import operator

import sqlalchemy as sa

from loaders import migrations, repository, schema
from loaders.store import bulk_insert
from loaders.config import DETAIL_GEMEENTEN, FOCUS_AREAS, MAASTRICHT, NEDERLAND

from . import own, similar
from .catalog import Catalog, Metric, load
from .compute import Comparison, Engine, Result

RESULT_FIELDS = repository.STORE_RESULT_FIELDS


# ---------------------------------------------------------------------------------------------- write side

def _result_row(r: Result) -> dict:
    row = {"metric_id": r.metric_id, "area_code": r.area_code, "year": int(r.year),
           "sources": ", ".join(r.sources)}
    fields = vars(r)
    for f in RESULT_FIELDS:
        v = fields[f]
        row[f] = None if isinstance(v, float) and math.isnan(v) else v  # NaN -> None (SQL NULL)
    row["base_year"] = int(row["base_year"]) if row["base_year"] is not None else None
    row["note"] = row["note"] or ""
    return row


def _comparison_row(m: Metric, kind: str, a: Result, b: Result, c: Comparison) -> dict:
    return {"metric_id": m.id, "kind": kind, "area_code": a.area_code, "year": int(a.year),
            "ref_area": b.area_code, "ref_year": int(b.year), "diff": c.diff, "threshold": c.threshold,
            "meaningful": bool(c.meaningful), "label": c.label, "favourable": c.favourable}


def reference_areas(eng: Engine, area: str) -> list[str]:
    """Maastricht, the area's own gemeente (if another) and Nederland."""
    refs = [MAASTRICHT]
    gm = "GM" + area[2:6] if area[:2] in ("BU", "WK") else None
    if gm and gm != MAASTRICHT and gm in eng.level:
        refs.append(gm)
    return refs + [NEDERLAND]


def compute_rows(eng: Engine) -> tuple[list[dict], list[dict]]:
    """All metric values for every area the engine knows, and the card comparisons (pure; used by the test)."""
    values, comps = [], []
    areas = sorted(eng.level)
    # Cards and comparisons are shown for the buurten, wijken and groups of the detail gemeenten and for those
    # gemeenten themselves; the other gemeenten only serve as members of Nederland.
    compared = [a for a in areas if eng.level[a] in ("buurt", "wijk", "groep") or a in DETAIL_GEMEENTEN]
    for m in eng.catalog.available():
        years = eng.years(m)
        by_area: dict[str, list[Result]] = {}
        for a in areas:
            series = [eng.value(m, a, y) for y in years]
            by_area[a] = series
            values.extend(_result_row(r) for r in series)
        for a in compared:
            present = [r for r in by_area[a] if r.present]
            if not present:
                continue
            first = present[0]
            for r in present:
                if r.year != first.year:
                    comps.append(_comparison_row(m, "change", r, first, eng.change(m, r, first)))
                for ref in reference_areas(eng, a):
                    if ref == a:
                        continue
                    rr = next((x for x in by_area.get(ref, []) if x.year == r.year), None)
                    if rr is not None and rr.present:
                        comps.append(_comparison_row(m, "compare", r, rr, eng.compare(m, r, rr)))
    return values, comps


def _matches(conn: sa.Connection, cat: Catalog) -> list[dict]:
    pvs = similar.profile_variables(cat)
    codes = tuple(p.code for p in pvs)
    out = []
    for year in similar.BASELINE_YEARS:
        profile = repository.buurt_profile(list(codes), similar.profile_age_group(cat), year, conn=conn)
        for focus in FOCUS_AREAS:
            try:
                res = similar.match(profile, focus, codes, n=similar.DEFAULT_N, year=year)
                _add_populations(conn, res)
                payload = {"ok": True, "result": dataclasses.asdict(res)}
            except similar.ProfileUnavailable as exc:
                payload = {"ok": False, "error": str(exc)}
            out.append({"kind": "similar_match", "key": f"{focus}:{year}", "payload": json.dumps(payload)})
    return out


def _add_populations(conn: sa.Connection, res: similar.MatchResult) -> None:
    """The matches' base populations from the KWB buurt counts (the year nearest to 2020 that has them)."""
    codes = [m.area_code for m in res.matches]
    if not codes:
        return
    pop = repository.published(list(similar.POPULATION_VARIABLES), "totaal", area_codes=codes, conn=conn)
    pop = pop[pop["value"].notna()]
    for m in res.matches:
        rows = pop[pop["area_code"] == m.area_code]
        if rows.empty:
            continue
        y = min(rows["year"].astype(int), key=lambda y: (abs(y - 2020), y))
        r = rows[rows["year"].astype(int) == y]
        m.population = similar.base_populations(dict(zip(r["variable_code"], r["value"].astype(float))))


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Rows in primary-key order (B-tree appends) through the raw store's bulk writer (COPY / executemany)."""
    cols = [c.name for c in table.columns]
    as_tuple = operator.itemgetter(*cols)
    tuples = sorted(map(as_tuple, rows), key=operator.itemgetter(*[cols.index(c.name) for c in table.primary_key]))
    bulk_insert(conn, table.name, cols, tuples)


def compute_own_into(conn: sa.Connection, indicator_id: str | None = None) -> int:
    """The own measurements' figures (metrics.own.store_rows) from the programme data, replacing the stored
    ones, inside the caller's transaction: at every upload and definition change, and in every build, refresh
    and import. Without programme tables (a database whose programme schema was never migrated) there are none.
    With ``indicator_id`` only that indicator's figures (an upload changes one indicator; suppression and
    changes never cross indicators)."""
    t = schema.own_figures
    insp = sa.inspect(conn)
    if not insp.has_table(schema.areas.name):
        return 0  # no statistics built yet (e.g. a restore before the first build): the build computes them
    schema.metadata.create_all(conn, tables=[t], checkfirst=True)
    oi, ov = migrations.own_indicators, migrations.own_values
    conn.execute(t.delete() if indicator_id is None else t.delete().where(t.c.indicator_id == indicator_id))
    if not insp.has_table(ov.name, schema=ov.schema):
        return 0
    d_sel, v_sel = sa.select(oi).where(oi.c.current.is_(True)), sa.select(ov)
    if indicator_id is not None:
        d_sel, v_sel = d_sel.where(oi.c.indicator_id == indicator_id), v_sel.where(ov.c.indicator_id == indicator_id)
    defs = [dict(r) for r in conn.execute(d_sel).mappings()]
    vals = [dict(r) for r in conn.execute(v_sel).mappings()]
    gemeenten = sorted({"GM" + v["area_code"][2:6] for v in vals if v["area_code"][:2] in ("GM", "WK", "BU")})
    a = schema.areas
    register = {r[0] for r in conn.execute(sa.select(a.c.code).where(a.c.gemeente_code.in_(gemeenten),
                                                                     a.c.code.like("BU%")))} if gemeenten else set()
    rows = own.store_rows(defs, vals, register=register)
    if rows:
        _insert(conn, t, rows)
    return len(rows)


def compute_into(conn: sa.Connection) -> dict:
    """Compute the metric store from the raw store, inside the caller's transaction (``derive`` hook)."""
    cat = load()
    eng = Engine(repository.load_inputs(conn=conn), cat)
    values, comps = compute_rows(eng)
    _insert(conn, schema.metric_values, values)
    _insert(conn, schema.metric_comparisons, comps)
    derived = _matches(conn, cat)
    derived.append({"kind": "latest_period", "key": "by_table", "payload": json.dumps(eng.latest_period_by_source())})
    _insert(conn, schema.derived, derived)
    n_own = compute_own_into(conn)
    return {"metric_values": len(values), "metric_comparisons": len(comps), "own_figures": n_own}


# ---------------------------------------------------------------------------------------------- read side

Store = repository.StoreRows  # the rows a page needs, as read by loaders.repository.load_store


class StoredEngine(Engine):
    """The engine's questions answered from the metric store (no raw observations, no aggregation)."""

    def __init__(self, store: Store, catalog: Catalog):
        super().__init__(store.inputs, catalog)
        self._values: dict[tuple[str, str, int], Result] = {}
        years: dict[str, set[int]] = {}
        for mid, area, year, srcs, value, status, method, base, base_year, cov, n_m, n_v, num, den, note, se \
                in store.values:
            self._values[(mid, area, year)] = Result(
                area, mid, year, value, status, method, tuple(srcs.split(", ")) if srcs else (),
                base_population=base, base_year=base_year, coverage=cov, n_members=n_m, n_with_value=n_v,
                numerator=num, denominator=den, note=note or "", se=se)
            years.setdefault(mid, set()).add(year)
        self._metric_years = {k: sorted(s) for k, s in years.items()}
        self._comparisons: dict[tuple, Comparison] = {
            (mid, kind, area, year, ref, ref_year): Comparison(diff, thr, bool(meaningful), label,
                                                               None if fav is None else bool(fav))
            for mid, kind, area, year, ref, ref_year, diff, thr, meaningful, label, fav in store.comparisons}
        self._derived = {(kind, key): json.loads(payload) for kind, key, payload in store.derived}

    # --- the engine's interface
    def years(self, metric: Metric) -> list[int]:
        return list(self._metric_years.get(metric.id, [])) if metric.available else []

    def value(self, metric: Metric | str, area: str, year: int) -> Result:
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        if not m.available:
            return Result(area, m.id, year, None, "ontbreekt", "-", note="nog geen data")
        if area.startswith("SET:"):
            res = self._derive(m, area, year)
            if res.base_population is None:
                res.base_population, res.base_year = self.weight(area, m.base, year)
            return res
        r = self._values.get((m.id, area, int(year)))
        if r is None:
            return Result(area, m.id, year, None, "ontbreekt", "-", note="geen gegevens")
        return dataclasses.replace(r)

    def _own(self, m: Metric, area: str, year: int) -> Result | None:
        r = self._values.get((m.id, area, int(year)))
        if r is None or r.method == "afgeleid":
            return None
        return r

    def _denominator(self, m: Metric, area: str, year: int) -> float | None:
        r = self._values.get((m.id, area, int(year)))
        return r.denominator if r is not None else None

    def weight(self, area: str, base: str, year: int, _depth: int = 0) -> tuple[float | None, int | None]:
        if area.startswith("SET:"):
            ws = [self.weight(c, base, year) for c in self.members_of(area)]
            ws = [w for w in ws if w[0] is not None]
            if not ws:
                return None, None
            return sum(w for w, _ in ws), min((y for _, y in ws), key=lambda y: (abs(y - year), y))
        return self._weights.get((area, base, int(year)), (None, None))

    @property
    def _weights(self) -> dict[tuple[str, str, int], tuple[float | None, int | None]]:
        if not hasattr(self, "_weights_cache"):
            w: dict[tuple[str, str, int], tuple[float | None, int | None]] = {}
            bases = {m.id: m.base for m in self.catalog.available()}
            for (mid, a, y), r in self._values.items():
                if r.base_population is not None and not a.startswith("SET:"):
                    w.setdefault((a, bases.get(mid, ""), y), (r.base_population, r.base_year))
            self._weights_cache = w
        return self._weights_cache

    def change(self, metric: Metric | str, new: Result, old: Result) -> Comparison:
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        hit = self._comparisons.get((m.id, "change", new.area_code, int(new.year), old.area_code, int(old.year)))
        return dataclasses.replace(hit) if hit is not None else super().change(m, new, old)

    def compare(self, metric: Metric | str, a: Result, ref: Result, ref_name: str | None = None) -> Comparison:
        m = self.catalog.get(metric) if isinstance(metric, str) else metric
        if ref_name is None or ref_name == self.name(ref.area_code):
            hit = self._comparisons.get((m.id, "compare", a.area_code, int(a.year), ref.area_code, int(ref.year)))
            if hit is not None:
                return dataclasses.replace(hit)
        return super().compare(m, a, ref, ref_name)

    # --- precomputed results
    def latest_period_by_source(self) -> dict[str, int]:
        return {k: int(v) for k, v in self._derived.get(("latest_period", "by_table"), {}).items()}

    def similar_match(self, focus: str, year: int) -> similar.MatchResult:
        """The stored profile match of a focus buurt (raises ProfileUnavailable like :func:`similar.match`)."""
        p = self._derived.get(("similar_match", f"{focus}:{year}"))
        if p is None:
            raise similar.ProfileUnavailable(f"geen opgeslagen vergelijking voor {focus} in {year}")
        if not p["ok"]:
            raise similar.ProfileUnavailable(p["error"])
        return similar.result_from_dict(p["result"])


def engine(url: str | None = None) -> StoredEngine:
    """The metric store of the database at ``url`` (default: DATABASE_URL), for the CLIs and benchmarks."""
    return StoredEngine(repository.load_store(url), load())
