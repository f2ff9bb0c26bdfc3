"""Cached data access for pages and the shared selector pattern (selections live in the URL).

Pages call `engine()` for metrics and `selector(...)` helpers for selections; they never write SQL.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence, TypeVar

import streamlit as st

from loaders import repository, settings
from loaders.db import DatabaseError, DatabaseUnavailable, database_error
from metrics.catalog import Catalog, Metric, load
from metrics.store import StoredEngine

T = TypeVar("T")
TTL = int(settings.get("WIJKMONITOR_CACHE_TTL_S"))
BUILD_CHECK_S = float(settings.get("WIJKMONITOR_BUILD_CHECK_S"))


def _url() -> str:
    return settings.get("WIJKMONITOR_READONLY_DATABASE_URL") or settings.database_url()


@st.cache_data(ttl=BUILD_CHECK_S, show_spinner=False)
def _build_stamp(url: str) -> str:
    """The database's build id, read at most every WIJKMONITOR_BUILD_CHECK_S seconds per process. Every cache
    below is keyed on it: a build, refresh or import on any replica changes it, and each process then reads
    fresh figures without a restart."""
    return repository.build_id(url)


@st.cache_resource(show_spinner="Gegevens laden…", max_entries=2)
def _engine(url: str, stamp: str) -> StoredEngine:
    """The metric store of one build (computed at build time; read once per build per process)."""
    return StoredEngine(repository.load_store(url), load())


ICONS = {"DatabaseUnavailable": ":material/cloud_off:", "DatabaseNotMigrated": ":material/construction:",
         "DatabaseTimeout": ":material/hourglass_empty:", "DatabaseLocked": ":material/lock_clock:"}


def guarded(fn: Callable[[], T]) -> T:
    """Run a data call; on a database failure (unreachable, not built, timeout, locked: loaders.db) show its
    Dutch message and what to do, and stop the page. Other errors are not caught here."""
    import sqlalchemy as sa

    try:
        return fn()
    except (DatabaseError, sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.ProgrammingError) as exc:
        err = database_error(exc)
        if err is None:
            if isinstance(exc, sa.exc.ProgrammingError):
                raise  # a bug in a query, not a database failure
            from ui.components import error_message

            st.error(error_message(exc), icon=":material/error:")  # logged; no raw driver text on the page
            st.stop()
        after = (" De pagina toont weer gegevens zodra de database terug is."
                 if isinstance(err, DatabaseUnavailable) else "")
        st.error(f"{err}{after}", icon=ICONS.get(type(err).__name__, ":material/error:"))
        st.stop()
        raise  # for type checkers; st.stop() raises


_last_stamp: dict[str, str] = {}


def _raise(exc: Exception):
    raise exc


def engine() -> StoredEngine:
    """The metrics engine on the current database (rebuilt when the database is rebuilt).

    When the database is unreachable but the engine was loaded before, the page keeps working on the cached
    figures and says so; it picks up the database again by itself once it is back (pool pre-ping).
    """
    url = _url()
    try:
        stamp = _build_stamp(url)
        _last_stamp[url] = stamp
    except DatabaseError as exc:
        if url in _last_stamp:
            st.warning(f"{exc} U ziet de laatst geladen cijfers.", icon=":material/cloud_off:")
            return _engine(url, _last_stamp[url])
        err = exc
        return guarded(lambda: _raise(err))
    return guarded(lambda: _engine(url, stamp))


def catalog() -> Catalog:
    return load()


def stamp() -> str:
    """The current build id (cheap: cached for WIJKMONITOR_BUILD_CHECK_S); during an outage the last one seen,
    so the cached figures keep serving."""
    url = _url()
    try:
        _last_stamp[url] = _build_stamp(url)
    except DatabaseUnavailable:
        if url not in _last_stamp:
            raise
    return _last_stamp[url]


def notice_new_build() -> None:
    """Check the build id at the next call instead of within WIJKMONITOR_BUILD_CHECK_S (after a job ended)."""
    _build_stamp.clear()


@st.cache_data(ttl=TTL, show_spinner=False)
def _geometries(url: str, build: str, indeling_year: int, gemeente: str | None, level: str):
    return repository.geometries(indeling_year, gemeente, level, url=url)


def geometries(indeling_year: int, gemeente: str | None, level: str = "buurt"):
    return _geometries(_url(), stamp(), indeling_year, gemeente, level)


@st.cache_data(ttl=TTL, show_spinner="Landelijke gegevens laden…")
def _national_values(url: str, build: str, variable: str, age_group: str, year: int, level: str):
    return repository.national_values(variable, age_group, year, level, url=url)


def national_values(variable: str, age_group: str, year: int, level: str = "buurt"):
    return _national_values(_url(), stamp(), variable, age_group, year, level)


@st.cache_data(ttl=TTL, show_spinner=False)
def _build_info(url: str, build: str) -> dict:
    return repository.build_info(url=url)


def build_info() -> dict:
    return _build_info(_url(), stamp())


@st.cache_data(ttl=TTL, show_spinner=False)
def _sources(url: str, build: str):
    return repository.sources(url=url)


def sources():
    return _sources(_url(), stamp())


# ---------------------------------------------------------------------- selectors synced with the URL

def _from_url(param: str, options: Sequence[str], default: str) -> str:
    v = st.query_params.get(param)
    return v if v in options else default


UNKNOWN_NOUN = {"buurt": "De buurt", "jaar": "Het jaar", "indicator": "De indicator",
                "presentatie": "De presentatie"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def say_unknown(param: str, asked: str, shown: str) -> str:
    """Tell the visitor that a (mistyped) link asked for something that does not exist, and what they see
    instead: "De buurt 'BU99999999' bestaat niet; u ziet Nazareth." The URL is corrected by the caller."""
    clean = "".join(ch for ch in str(asked) if ch.isprintable())[:60]
    noun = UNKNOWN_NOUN.get(param, f"De keuze voor '{param}'")
    shown_asked = _MARKDOWN.sub(r"\\\1", clean)  # the link's text is shown literally, never as markdown
    msg = f"{noun} '{shown_asked}' bestaat niet; u ziet {shown}."
    st.warning(msg, icon=":material/link_off:")
    return msg


def select(param: str, label: str, options: Sequence[str], format_func: Callable[[str], str] = str,
           default: str | None = None, container=None, key_prefix: str = "") -> str:
    """A selectbox whose value is read from and written to the URL query parameter `param`."""
    if not options:
        raise ValueError("geen keuzes")
    container = container or st
    current = _from_url(param, options, default if default in options else options[0])
    asked = st.query_params.get(param)
    if asked is not None and asked not in options:
        say_unknown(param, asked, format_func(current))
    key = f"{key_prefix}sel_{param}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    value = container.selectbox(label, options, index=list(options).index(current), format_func=format_func, key=key)
    st.query_params[param] = value
    return value


def multiselect(param: str, label: str, options: Sequence[str], format_func: Callable[[str], str] = str,
                default: Sequence[str] = (), container=None, key_prefix: str = "") -> list[str]:
    container = container or st
    raw = st.query_params.get(param)
    current = [v for v in raw.split(",") if v in options] if raw else [d for d in default if d in options]
    value = container.multiselect(label, options, default=current, format_func=format_func,
                                  key=f"{key_prefix}msel_{param}")
    st.query_params[param] = ",".join(value)
    return value


def select_metric(param: str = "indicator", label: str = "Indicator", metrics: Sequence[Metric] | None = None,
                  default: str | None = None, container=None, key_prefix: str = "") -> Metric:
    cat = catalog()
    metrics = list(metrics) if metrics is not None else cat.available()
    ids = [m.id for m in metrics]
    labels = {m.id: f"{m.label} ({cat.pillars[m.pillar]['label']})" for m in metrics}
    mid = select(param, label, ids, format_func=lambda i: labels[i], default=default, container=container,
                 key_prefix=key_prefix)
    return cat.get(mid)


def select_year(years: Sequence[int], param: str = "jaar", label: str = "Jaar", container=None,
                key_prefix: str = "") -> int:
    opts = [str(y) for y in years]
    return int(select(param, label, opts, default=opts[-1], container=container, key_prefix=key_prefix))


@st.cache_data(ttl=TTL, show_spinner="Landelijk buurtprofiel laden…")
def _buurt_profile(url: str, build: str, variables: tuple[str, ...], age_group: str, year: int):
    return repository.buurt_profile(list(variables), age_group, year, url=url)


def buurt_profile(variables: tuple[str, ...], age_group: str, year: int):
    """Wide national buurt table for the profile match (see repository.buurt_profile)."""
    return _buurt_profile(_url(), stamp(), tuple(variables), age_group, year)


@st.cache_data(ttl=TTL, show_spinner=False)
def _buurt_series(url: str, build: str, variable: str, age_group: str, area_codes: tuple[str, ...]):
    return repository.buurt_series(variable, age_group, list(area_codes), url=url)


def buurt_series(variable: str, age_group: str, area_codes: tuple[str, ...]):
    return _buurt_series(_url(), stamp(), variable, age_group, tuple(area_codes))


@st.cache_data(ttl=TTL, show_spinner=False)
def _gemeente_names(url: str, build: str) -> dict[str, str]:
    return repository.gemeente_names(url=url)


def gemeente_names() -> dict[str, str]:
    return _gemeente_names(_url(), stamp())


# The app's static files (server.enableStaticServing serves <app dir>/static/ at app/static/).
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAP_DIR = "maps"


@dataclass(frozen=True)
class NationalMap:
    """The national map's shapes as prepared at build time: where the browser gets them, and their codes."""

    geometry: str | dict  # the URL of the static TopoJSON file, or (no static serving) the topology itself
    codes: frozenset[str]
    focus: tuple[dict, ...]  # the focus buurten as GeoJSON features, in the same coordinates
    file_bytes: int


def _static_file(text: str) -> str | None:
    """The TopoJSON as a static file named by its content (the same build gives the same name in every replica);
    its URL relative to the page, or None when files cannot be served or written (the map is then sent inline)."""
    if not st.get_option("server.enableStaticServing"):
        return None
    data = text.encode("utf-8")
    name = f"buurten-{hashlib.sha256(data).hexdigest()[:16]}.json"
    path = STATIC_DIR / MAP_DIR / name
    try:
        if not (path.exists() and path.stat().st_size == len(data)):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # atomic: a browser never reads half a file
    except OSError:
        return None
    return f"app/static/{MAP_DIR}/{name}"


@st.cache_resource(ttl=TTL, show_spinner="Landelijke kaart laden…", max_entries=2)
def _national_map(url: str, stamp: str) -> NationalMap | None:
    from loaders.config import FOCUS_AREAS
    from loaders.topology import NATIONAL_KEY, OBJECT, features

    text = repository.map_topology(NATIONAL_KEY, url=url)
    if text is None:
        return None
    topo = json.loads(text)
    codes = frozenset(g["id"] for g in topo["objects"][OBJECT]["geometries"])
    return NationalMap(_static_file(text) or topo, codes, tuple(features(topo, FOCUS_AREAS)),
                       len(text.encode("utf-8")))


def national_map() -> NationalMap | None:
    """The national buurt map of the current build (read once per build and process), None when it has none."""
    url = _url()
    return guarded(lambda: _national_map(url, stamp()))


@st.cache_resource(ttl=TTL, max_entries=64, show_spinner=False)
def _national_map_model(url: str, stamp: str, metric_id: str, year: int, geo_source: str):
    from models.kaart import national_model

    nl_map = _national_map(url, stamp)
    m = _engine(url, stamp).catalog.get(metric_id)
    return national_model(_engine(url, stamp), m, year, national_values(m.variable, m.age_group, year),
                          nl_map.codes if nl_map else (), gemeente_names(), geo_source)


def national_map_model(m: Metric, year: int, geo_source: str):
    """models.kaart.national_model of the current build, built once per metric and year (13,808 buurten: classes,
    legend, table and join figures take a few hundred milliseconds, every page run otherwise)."""
    url = _url()
    return guarded(lambda: _national_map_model(url, stamp(), m.id, year, geo_source))


# ---------------------------------------------------------------------- programme data (never cached long:
# editors must see their own changes at once)

def programme_url() -> str:
    """Writes go to the main URL (the read-only role, if configured, is for statistics only)."""
    return settings.database_url()


@st.cache_resource(show_spinner=False)
def _ensure_user_tables(url: str) -> bool:
    """Apply pending user-table migrations once per process. On a read-only database this fails quietly:
    viewing then shows what exists (nothing, if the tables were never created)."""
    import sqlalchemy as sa

    from loaders.db import transaction
    from loaders.migrations import migrate_user_tables

    try:
        with transaction(url) as conn:
            migrate_user_tables(conn)
        return True
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.InternalError) as exc:
        if "readonly" in str(exc).lower() or "read-only" in str(exc).lower() or "permission denied" in str(exc).lower():
            return False
        raise


def ensure_user_tables() -> None:
    guarded(lambda: _ensure_user_tables(programme_url()))


def targets_frame():
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_targets(programme_url()))


def proposal_decisions_frame():
    """Adopted and rejected target proposals (so they no longer show as proposals)."""
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_proposal_decisions(programme_url()))


def decided_proposal_keys() -> frozenset:
    """Keys of adopted and rejected proposals (they no longer show as proposals, also not on slide 1)."""
    decided = proposal_decisions_frame()
    return frozenset(decided["proposal_key"]) if not decided.empty else frozenset()


def comparison_groups() -> dict:
    """{target_id: frozen comparison group} as stored at adoption."""
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_comparison_groups(programme_url()))


def open_proposals(eng: StoredEngine, today, targets=None):
    """The target proposals that are not decided yet and whose metric/buurt has no target (metrics/proposals.py)."""
    from metrics import proposals

    return proposals.proposals(eng, today, decided=decided_proposal_keys(),
                               targets=targets_frame() if targets is None else targets)


def own_targets_frame():
    """Targets on own indicators (eigen metingen), as stored; the page shows only those of visible indicators."""
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_own_targets(programme_url()))


def own_proposal_decisions_frame():
    """Adopted and rejected proposals on own indicators (so they no longer show as proposals)."""
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_own_proposal_decisions(programme_url()))


@st.cache_data(ttl=None, show_spinner=False, max_entries=4)
def _own(url: str, build: str, include_intern: bool):
    from loaders import own_indicators
    from models import own

    return own.visible(own_indicators.list_indicators(url, include_intern=True), repository.own_figures(url),
                       include_intern)


def own_measurements(include_intern: bool = False):
    """The own indicators (public ones, or all for a signed-in editor) and their stored figures, cached per
    build: every upload writes a new build id (wijkmonitor/own.py)."""
    ensure_user_tables()
    return guarded(lambda: _own(programme_url(), stamp(), include_intern))


def participation_frame():
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_participation(programme_url()))


def changes_frame():
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_changes(programme_url()))


def sign_ins_frame():
    """The sign-in log (shown to editors only, see views/wijzigingen.py)."""
    from loaders import signin

    ensure_user_tables()
    return guarded(lambda: signin.list_sign_ins(programme_url()))


def latest_period_by_source() -> dict[str, int]:
    """Latest observation year per table id (computed with the metric store)."""
    return engine().latest_period_by_source()


def refresh_job():
    """The running CBS refresh job, else the last one, as the Data page shows it (models/refresh_job.py). Read
    fresh on every call: the page follows a running job with it."""
    import datetime as dt

    from loaders import jobs
    from models.refresh_job import refresh_job_model

    url = programme_url()
    return refresh_job_model(guarded(lambda: jobs.current(url)), dt.datetime.now(dt.timezone.utc))


def refresh_status():
    from loaders import refresh

    return guarded(lambda: refresh.status(programme_url()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _series_breaks(url: str, build: str, code: str) -> list[int]:
    return sorted({int(b["year"]) for b in repository.series_breaks(code, url=url)})


def series_breaks(code: str) -> list[int]:
    """Years where `code`'s trend line must break (boundary or code change); [] for groups/sets."""
    if code.startswith("SET:") or not code[:2] in ("BU", "WK", "GM"):
        return []
    url = _url()
    return guarded(lambda: _series_breaks(url, stamp(), code))
