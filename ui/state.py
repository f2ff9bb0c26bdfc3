"""Cached data access for pages and the shared selector pattern (selections live in the URL).

Pages call `engine()` for metrics and `selector(...)` helpers for selections; they never write SQL.
"""
from __future__ import annotations

from typing import Callable, Sequence, TypeVar

import streamlit as st

from loaders import repository, settings
from loaders.db import DatabaseUnavailable
from metrics.catalog import Catalog, Metric, load
from metrics.compute import Engine

T = TypeVar("T")
TTL = int(settings.get("WIJKMONITOR_CACHE_TTL_S"))


def _url() -> str:
    return settings.get("WIJKMONITOR_READONLY_DATABASE_URL") or settings.database_url()


@st.cache_data(ttl=30, show_spinner=False)
def _build_stamp(url: str) -> str:
    return repository.build_info(url).get("built_at", "")


@st.cache_resource(show_spinner="Gegevens laden…", max_entries=2)
def _engine(url: str, stamp: str) -> Engine:
    return Engine(repository.load_inputs(url), load())


def guarded(fn: Callable[[], T]) -> T:
    """Run a data call; when the database is down, show a clear message and stop the page."""
    import sqlalchemy as sa

    try:
        return fn()
    except DatabaseUnavailable as exc:
        st.error(f"{exc} De pagina toont weer gegevens zodra de database terug is.", icon=":material/cloud_off:")
        st.stop()
        raise  # for type checkers; st.stop() raises
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        st.error("De database is niet bereikbaar. De pagina toont weer gegevens zodra de database terug is.",
                 icon=":material/cloud_off:")
        st.stop()
        raise


_last_stamp: dict[str, str] = {}


def engine() -> Engine:
    """The metrics engine on the current database (rebuilt when the database is rebuilt).

    When the database is unreachable but the engine was loaded before, the page keeps working on the cached
    figures and says so; it picks up the database again by itself once it is back (pool pre-ping).
    """
    url = _url()
    try:
        stamp = _build_stamp(url)
        _last_stamp[url] = stamp
    except DatabaseUnavailable as exc:
        if url in _last_stamp:
            st.warning(f"{exc} U ziet de laatst geladen cijfers.", icon=":material/cloud_off:")
            return _engine(url, _last_stamp[url])
        return guarded(lambda: (_ for _ in ()).throw(exc))
    return guarded(lambda: _engine(url, stamp))


def catalog() -> Catalog:
    return load()


@st.cache_data(ttl=TTL, show_spinner=False)
def geometries(indeling_year: int, gemeente: str | None, level: str = "buurt"):
    return repository.geometries(indeling_year, gemeente, level, url=_url())


@st.cache_data(ttl=TTL, show_spinner="Landelijke gegevens laden…")
def national_values(variable: str, age_group: str, year: int, level: str = "buurt"):
    return repository.national_values(variable, age_group, year, level, url=_url())


@st.cache_data(ttl=TTL, show_spinner=False)
def build_info() -> dict:
    return repository.build_info(url=_url())


@st.cache_data(ttl=TTL, show_spinner=False)
def sources():
    return repository.sources(url=_url())


# ---------------------------------------------------------------------- selectors synced with the URL

def _from_url(param: str, options: Sequence[str], default: str) -> str:
    v = st.query_params.get(param)
    return v if v in options else default


def select(param: str, label: str, options: Sequence[str], format_func: Callable[[str], str] = str,
           default: str | None = None, container=None, key_prefix: str = "") -> str:
    """A selectbox whose value is read from and written to the URL query parameter `param`."""
    if not options:
        raise ValueError("geen keuzes")
    container = container or st
    current = _from_url(param, options, default if default in options else options[0])
    key = f"{key_prefix}sel_{param}"
    raw = st.query_params.get(param)
    if raw and raw not in options and key not in st.session_state:
        # A link with an unknown value (e.g. ?buurt=BU00000000): say so instead of switching silently. The value
        # itself is not echoed (it comes from the URL).
        st.warning(f"{label}: de keuze in de link bestaat niet. De pagina toont {format_func(current)}.",
                   icon=":material/link_off:")
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
def buurt_profile(variables: tuple[str, ...], age_group: str, year: int):
    """Wide national buurt table for the profile match (see repository.buurt_profile)."""
    return repository.buurt_profile(list(variables), age_group, year, url=_url())


@st.cache_data(ttl=TTL, show_spinner=False)
def buurt_series(variable: str, age_group: str, area_codes: tuple[str, ...]):
    return repository.buurt_series(variable, age_group, list(area_codes), url=_url())


@st.cache_data(ttl=TTL, show_spinner=False)
def gemeente_names() -> dict[str, str]:
    return repository.gemeente_names(url=_url())


@st.cache_resource(ttl=TTL, show_spinner="Landelijke kaart laden…", max_entries=2)
def _national_shapes(url: str, indeling_year: int, decimals: int) -> dict[str, list]:
    from ui import maps

    return maps.national_shapes(repository.geometries(indeling_year, None, url=url), decimals)


def national_shapes(indeling_year: int = 2014, decimals: int = 3) -> dict[str, list]:
    """Compact polygons (code -> outer rings, rounded) of every buurt of the national map; shared, read-only."""
    url = _url()
    return guarded(lambda: _national_shapes(url, indeling_year, decimals))


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

    from loaders.db import get_engine
    from loaders.migrations import migrate_user_tables

    try:
        with get_engine(url).begin() as conn:
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


def participation_frame():
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_participation(programme_url()))


def changes_frame():
    from loaders import programme

    ensure_user_tables()
    return guarded(lambda: programme.list_changes(programme_url()))


def maastricht_buurten(eng: Engine) -> list[str]:
    return sorted((c for c, lv in eng.level.items() if lv == "buurt" and c.startswith("BU0935")), key=eng.name)


def latest_period_by_source() -> dict[str, int]:
    """Latest observation year per table id (from the engine's loaded observations)."""
    from metrics.releases import latest_period_by_source as latest

    return latest(engine())


def refresh_status():
    from loaders import refresh

    return guarded(lambda: refresh.status(programme_url()))


@st.cache_data(ttl=TTL, show_spinner=False)
def _series_breaks(url: str, code: str) -> list[int]:
    return sorted({int(b["year"]) for b in repository.series_breaks(code, url=url)})


def series_breaks(code: str) -> list[int]:
    """Years where `code`'s trend line must break (boundary or code change); [] for groups/sets."""
    if code.startswith("SET:") or not code[:2] in ("BU", "WK", "GM"):
        return []
    url = _url()
    return guarded(lambda: _series_breaks(url, code))
