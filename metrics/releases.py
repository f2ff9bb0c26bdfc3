"""'Wanneer zien we vooruitgang?': per source the release calendar, and per target the earliest date its
status can change. Next-release dates are estimates (latest period + frequency + publication lag)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from .catalog import Metric

FILE = Path(__file__).with_name("releases.yaml")


@dataclass(frozen=True)
class Release:
    source: str
    label: str
    frequency_years: float
    lag_months: int
    measured_in: str
    note: str
    latest_period: int | None
    next_period: int | None
    next_release: dt.date | None  # publication date: the list's check date when published, else an estimate
    overdue: bool = False  # the next edition is published (or its estimated date has passed) but not in the data
    published: bool = False  # the next edition is listed as published (releases.yaml `editions`)
    next_table: str = ""  # the table that carries the next edition, when known
    next_adds: str = ""  # what it adds, in words


@dataclass(frozen=True)
class Edition:
    """One edition of a release series, as listed in releases.yaml (maintained by hand)."""

    period: int
    table: str  # "" when not known yet
    published: bool
    expected: dt.date | None  # estimate of the publication month when not published
    adds: str
    note: str = ""
    metrics: tuple[str, ...] = ()  # catalog metrics it brings per buurt


@dataclass(frozen=True)
class EditionState:
    """An edition compared with the database: 'geladen', 'deels' (its table is loaded without some of the
    metrics it brings), 'gepubliceerd' (published, not loaded) or 'verwacht' (not published yet)."""

    edition: Edition
    state: str
    missing: tuple[str, ...] = ()  # labels of the metrics not loaded ('deels')
    overdue: bool = False  # 'verwacht' and its estimated date has passed


@functools.lru_cache(maxsize=1)
def _raw() -> dict:
    with open(FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.lru_cache(maxsize=1)
def _config() -> dict:
    raw = _raw()["sources"]
    # An entry with only `series: x` inherits everything from the full entry (with a label) of that series.
    full = {v["series"]: v for v in raw.values() if "series" in v and "label" in v}
    out = {k: ({**full[v["series"]], **v} if "label" not in v else v) for k, v in raw.items()}
    return out


def checked() -> dt.date:
    """The date on which the list of editions was last checked against StatLine."""
    d = _raw().get("checked")
    return d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))


def _as_date(v) -> dt.date | None:
    if v is None or v is True or v is False:
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def editions(source: str) -> list[Edition]:
    """The listed editions of the series `source` belongs to, oldest first."""
    cfg = _config().get(source, {})
    out = [Edition(int(e["period"]), str(e.get("table") or ""), bool(e.get("published", False)),
                   _as_date(e.get("expected")), str(e.get("adds", "")), str(e.get("note", "")),
                   tuple(e.get("metrics") or ())) for e in cfg.get("editions") or ()]
    return sorted(out, key=lambda e: e.period)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def _estimate(source: str, cfg: dict, period: int) -> dt.date:
    return _add_months(dt.date(period, 12 if series_key(source) == "gezondheid" else 1, 1), int(cfg["lag_months"]))


def release(source: str, latest_period: int | None, today: dt.date) -> Release:
    """The edition after `latest_period`: the next listed one (published, or with its estimated date), else an
    estimate from the last known edition + frequency + publication lag."""
    cfg = _config().get(source)
    if cfg is None:
        return Release(source, source, 0, 0, "onbekend", "Geen releasekalender bekend.", latest_period, None, None)
    freq = float(cfg["frequency_years"])
    base = (source, cfg.get("label", source), freq, int(cfg["lag_months"]), cfg.get("measured_in", ""),
            cfg.get("note", ""), latest_period)
    if latest_period is None or freq < 1:
        return Release(*base, None, None)
    listed = editions(source)
    nxt = next((e for e in listed if e.period > latest_period), None)
    if nxt is not None and nxt.period <= latest_period + freq:  # a gap in the list: estimate the skipped edition
        # A published edition's own date is not recorded: it is out by the date the list was checked, and at the
        # earliest after its measurement year.
        published = _published(nxt, today)
        date = min(checked(), today) if published else (nxt.expected or _estimate(source, cfg, nxt.period))
        return Release(*base, nxt.period, date, overdue=date <= today, published=published,
                       next_table=nxt.table, next_adds=nxt.adds)
    period = int(max([latest_period, *[e.period for e in listed if nxt is None]]) + freq)
    date = _estimate(source, cfg, period)
    # When that date has passed the edition is overdue (or published but not loaded): we say so rather than
    # silently pointing at the edition after it.
    return Release(*base, period, date, overdue=date <= today)


def _published(e: Edition, today: dt.date) -> bool:
    return e.published and today.year > e.period


def overdue(source: str, latest_period: int | None, today: dt.date) -> bool:
    """True when an edition after `latest_period` is published or should have been by `today` (estimate)."""
    return release(source, latest_period, today).overdue


def edition_states(source: str, loaded: dict[str, int], today: dt.date, after: int | None = None,
                   has_figure=None, label=None) -> list[EditionState]:
    """The listed editions of `source`'s series (after the year `after`, when given) against the tables in the
    database (`loaded`: table id → latest period). ``has_figure(metric_id, period)`` says whether a metric has a
    figure for the focus buurten in that period (to tell 'geladen' from 'deels'); ``label(metric_id)`` names it."""
    out = []
    for e in editions(source):
        if after is not None and e.period <= after:
            continue
        if e.table and e.table in loaded and loaded[e.table] >= e.period:
            missing = tuple(label(m) if label else m for m in e.metrics
                            if has_figure is not None and not has_figure(m, e.period))
            out.append(EditionState(e, "deels" if missing else "geladen", missing))
        elif _published(e, today):
            out.append(EditionState(e, "gepubliceerd"))
        else:
            cfg = _config()[source]
            date = e.expected or _estimate(source, cfg, e.period)
            out.append(EditionState(e, "verwacht", overdue=date <= today))
    return out


def metric_source(m: Metric) -> str:
    """The source that drives a metric's updates (the first listed: the numerator's table for ratios)."""
    return m.sources[0] if m.sources else ""


def edition_word(source: str) -> str:
    """What the series calls an edition: 'jaargang' for the Kerncijfers, else 'editie'."""
    return _config().get(source, {}).get("edition_word", "editie")


def series_key(source: str) -> str:
    cfg = _config().get(source, {})
    return cfg.get("series", source)


def calendar(metrics: list[Metric], latest_by_source: dict[str, int], today: dt.date) -> list[Release]:
    """One row per release series (all KWB jaargangen together), with the latest period across its tables."""
    latest: dict[str, int] = {}
    rep: dict[str, str] = {}
    for m in metrics:
        for s in m.sources:
            if s not in _config():
                continue
            k = series_key(s)
            rep.setdefault(k, s)
            if s in latest_by_source:
                latest[k] = max(latest.get(k, 0), latest_by_source[s])
    return [release(rep[k], latest.get(k), today) for k in rep]


def newest_by_series(metrics: list[Metric], latest_by_source: dict[str, int]) -> list[tuple[str, int]]:
    """(short name, newest period in the data) per release series the metrics read, newest first."""
    out: dict[str, tuple[str, int]] = {}
    for m in metrics:
        for s in m.sources:
            if s not in _config() or s not in latest_by_source:
                continue
            k = series_key(s)
            cfg = _config()[s]
            short = cfg.get("short", cfg.get("label", s))
            if k not in out or latest_by_source[s] > out[k][1]:
                out[k] = (short, latest_by_source[s])
    return sorted(out.values(), key=lambda t: (-t[1], t[0]))


def latest_period_by_source(engine) -> dict[str, int]:
    """Latest observation year per table id: stored with the metric store (see metrics.store)."""
    return engine.latest_period_by_source()


# ---------------------------------------------------------------------------------------------- freshness per pillar

@dataclass(frozen=True)
class Freshness:
    """How old the newest buurt figure of a pillar is, per release series, and what the next edition adds.
    The words are wording.releases.freshness_sentence."""

    pillar: str
    source: str  # representative table id of the series
    short: str  # e.g. 'Gezondheid per buurt'
    newest: int  # newest year with a value for one of the areas
    release: Release  # the edition after the newest one of the series in the data
    adds: tuple[str, ...]  # labels of the pillar's indicators that edition updates
    pending: tuple[EditionState, ...] = ()  # listed editions after `newest` that do not bring these figures yet


def unloaded(source: str, latest_by_source: dict[str, int], today: dt.date) -> list[EditionState]:
    """The listed editions of `source`'s series, after its first edition in the database, that are published but
    whose table is not in the database (older editions are history, not a gap)."""
    states = edition_states(source, latest_by_source, today)
    first = next((s.edition.period for s in states if s.state in ("geladen", "deels")), None)
    return [s for s in states if s.state == "gepubliceerd" and (first is None or s.edition.period > first)]


def _has_figure(engine, by_id: dict[str, Metric], areas: tuple[str, ...]):
    def has(metric_id: str, period: int) -> bool:
        m = by_id.get(metric_id)
        if m is None or not m.available or period not in engine.years(m):
            return False
        return any(engine.value(m, a, period).present for a in areas)
    return has


def outcome_editions(engine, metrics: list[Metric], metric_ids: tuple[str, ...], areas: tuple[str, ...],
                     today: dt.date, latest_by_source: dict[str, int] | None = None) -> list[EditionState]:
    """The listed editions (any series) that bring one of `metric_ids` per buurt but are not (fully) in the
    database: published and not loaded, or loaded without those figures. For a pillar without an outcome
    figure per buurt: which refresh brings one."""
    latest_by_source = latest_period_by_source(engine) if latest_by_source is None else latest_by_source
    by_id = {m.id: m for m in metrics}
    has = _has_figure(engine, by_id, areas)
    out, seen = [], set()
    for src in _config():
        k = series_key(src)
        if k in seen:
            continue
        seen.add(k)
        for st in edition_states(src, latest_by_source, today, has_figure=has,
                                 label=lambda i: by_id[i].label if i in by_id else i):
            wanted = set(st.edition.metrics) & set(metric_ids)
            if wanted and (st.state == "gepubliceerd" or
                           (st.state == "deels" and any(not has(i, st.edition.period) for i in wanted))):
                out.append(st)
    return out


def freshness(engine, metrics: list[Metric], areas: tuple[str, ...], today: dt.date,
              latest_by_source: dict[str, int] | None = None) -> dict[str, list[Freshness]]:
    """Per pillar and release series: the newest year with a figure for one of `areas` (e.g. the two focus
    buurten) among the pillar's `metrics`, the expected next edition of that series (the one after the newest
    edition in the data: `latest_by_source`, table id → latest year; default: from the engine), and the listed
    editions after the newest figure that are published but not loaded, loaded without these figures, or
    expected. An indicator that a loaded edition simply did not measure does not make that edition look
    'not loaded'. Pure: no I/O, no Streamlit."""
    latest_by_source = latest_period_by_source(engine) if latest_by_source is None else latest_by_source
    series_latest: dict[str, int] = {}
    for src, year in latest_by_source.items():
        if src in _config():
            k = series_key(src)
            series_latest[k] = max(series_latest.get(k, 0), year)
    newest: dict[tuple[str, str], int] = {}
    labels: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], set[str]] = {}
    rep: dict[tuple[str, str], str] = {}
    by_id = {m.id: m for m in metrics}
    for m in metrics:
        if not m.available:
            continue
        src = metric_source(m)
        if src not in _config():
            continue
        years = [y for y in engine.years(m) if any(engine.value(m, a, y).present for a in areas)]
        if not years:
            continue
        k = (m.pillar, series_key(src))
        rep.setdefault(k, src)
        newest[k] = max(newest.get(k, 0), max(years))
        labels.setdefault(k, []).append(m.label)
        ids.setdefault(k, set()).add(m.id)
    has = _has_figure(engine, by_id, areas)
    out: dict[str, list[Freshness]] = {}
    for (pillar, series), year in newest.items():
        src = rep[(pillar, series)]
        cfg = _config()[src]
        rel = release(src, max(year, series_latest.get(series, year)), today)
        mine = ids[(pillar, series)]
        pending = []
        for st in edition_states(src, latest_by_source, today, after=year, has_figure=has,
                                 label=lambda i: by_id[i].label if i in by_id else i):
            if st.state in ("gepubliceerd", "verwacht"):
                pending.append(st)
            elif st.state == "deels":
                miss = tuple(by_id[i].label for i in st.edition.metrics if i in mine and not has(i, st.edition.period))
                if miss:
                    pending.append(EditionState(st.edition, "deels", miss))
        out.setdefault(pillar, []).append(Freshness(pillar, src, cfg.get("short", cfg.get("label", src)), year, rel,
                                                    tuple(labels[(pillar, series)]), tuple(pending)))
    for v in out.values():
        v.sort(key=lambda f: (-f.newest, f.short))
    return out
