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
