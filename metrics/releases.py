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
    next_release: dt.date | None  # estimate
    overdue: bool = False  # the next edition's estimated date has passed but it is not in the data


@functools.lru_cache(maxsize=1)
def _config() -> dict:
    with open(FILE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["sources"]
    # An entry with only `series: x` inherits everything from the full entry (with a label) of that series.
    full = {v["series"]: v for v in raw.values() if "series" in v and "label" in v}
    out = {k: ({**full[v["series"]], **v} if "label" not in v else v) for k, v in raw.items()}
    return out


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def release(source: str, latest_period: int | None, today: dt.date) -> Release:
    cfg = _config().get(source)
    if cfg is None:
        return Release(source, source, 0, 0, "onbekend", "Geen releasekalender bekend.", latest_period, None, None)
    freq = float(cfg["frequency_years"])
    next_period = next_date = None
    if latest_period is not None and freq >= 1:
        next_period = int(latest_period + freq)
        next_date = _add_months(dt.date(next_period, 12 if source == "50090NED" else 1, 1), int(cfg["lag_months"]))
    # When that date has passed the edition is overdue (or published but not loaded): we say so rather than
    # silently pointing at the edition after it.
    return Release(source, cfg.get("label", source), freq, int(cfg["lag_months"]), cfg.get("measured_in", ""),
                   cfg.get("note", ""), latest_period, next_period, next_date,
                   overdue=bool(next_date and next_date <= today))


def overdue(source: str, latest_period: int | None, today: dt.date) -> bool:
    """True when an edition after `latest_period` should have been published by `today` (estimate)."""
    cfg = _config().get(source)
    if cfg is None or latest_period is None or float(cfg["frequency_years"]) < 1:
        return False
    nxt = _add_months(dt.date(int(latest_period + float(cfg["frequency_years"])),
                              12 if source == "50090NED" else 1, 1), int(cfg["lag_months"]))
    return nxt <= today


def metric_source(m: Metric) -> str:
    """The source that drives a metric's updates (the first listed: the numerator's table for ratios)."""
    return m.sources[0] if m.sources else ""


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


def latest_period_by_source(engine) -> dict[str, int]:
    """Latest observation year per table id: stored with the metric store (see metrics.store)."""
    return engine.latest_period_by_source()


# ---------------------------------------------------------------------------------------------- freshness per pillar

@dataclass(frozen=True)
class Freshness:
    """How old the newest buurt figure of a pillar is, per release series, and what the next edition adds."""

    pillar: str
    source: str  # representative table id of the series
    short: str  # e.g. 'Gezondheid per buurt'
    newest: int  # newest year with a value for one of the areas
    release: Release  # the edition after the newest one of the series in the data (estimate)
    adds: tuple[str, ...]  # labels of the pillar's indicators that edition updates

    @property
    def sentence(self) -> str:
        from . import fmt

        r = self.release
        txt = f"{self.short}: nieuwste {self.newest}"
        if r.next_period is None or r.next_release is None:
            return txt + "."
        if r.overdue:
            txt += f"; editie {r.next_period} al verwacht, nog niet geladen"
        else:
            txt += f"; editie {r.next_period} verwacht rond {fmt.date(r.next_release)} (schatting)"
        if self.adds:
            more = len(self.adds) - 3
            names = [(a[0].lower() + a[1:]).replace("eén", "één") for a in self.adds[:3]]
            txt += " (" + ", ".join(names) + (f" en {more} meer" if more > 0 else "") + ")"
        return txt + " — bijwerken via Data en methode"


def freshness(engine, metrics: list[Metric], areas: tuple[str, ...], today: dt.date,
              latest_by_source: dict[str, int] | None = None) -> dict[str, list[Freshness]]:
    """Per pillar and release series: the newest year with a figure for one of `areas` (e.g. the two focus
    buurten) among the pillar's `metrics`, and the expected next edition of that series: the one after the newest
    edition in the data (`latest_by_source`, table id → latest year; default: from the engine), so an indicator
    that a loaded edition simply did not measure does not make that edition look 'not loaded'.
    Pure: no I/O, no Streamlit."""
    latest_by_source = latest_period_by_source(engine) if latest_by_source is None else latest_by_source
    series_latest: dict[str, int] = {}
    for src, year in latest_by_source.items():
        if src in _config():
            k = series_key(src)
            series_latest[k] = max(series_latest.get(k, 0), year)
    newest: dict[tuple[str, str], int] = {}
    labels: dict[tuple[str, str], list[str]] = {}
    rep: dict[tuple[str, str], str] = {}
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
    out: dict[str, list[Freshness]] = {}
    for (pillar, series), year in newest.items():
        src = rep[(pillar, series)]
        cfg = _config()[src]
        rel = release(src, max(year, series_latest.get(series, year)), today)
        out.setdefault(pillar, []).append(Freshness(pillar, src, cfg.get("short", cfg.get("label", src)), year, rel,
                                                    tuple(labels[(pillar, series)])))
    for v in out.values():
        v.sort(key=lambda f: (-f.newest, f.short))
    return out
