"""Use cases that produce documents from the metric store: the full export, the metric documentation and the
wethouder's briefing (full deck or one page)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from loaders import programme, repository, settings


def export_table(engine, catalog, url: str | None = None, include_intern: bool = False):
    """The full export: every catalog metric for every area and year, then the own measurements (public ones,
    or all for a signed-in editor) with their periods and 95% intervals. The one table behind the page's
    downloads and the CLI."""
    from metrics import export as export_mod

    from .own import export_rows

    cbs = export_mod.table(engine, catalog, bounds=repository.published_bounds(url))
    return export_mod.combined(cbs, export_rows(engine, url, include_intern))


def export(out: Path, url: str | None = None, include_intern: bool = False) -> int:
    """Write the full export (CSV or Excel by suffix); returns the number of rows."""
    from metrics import export as export_mod
    from metrics.catalog import load
    from metrics.store import engine as stored_engine

    engine = stored_engine(url)
    df = export_table(engine, load(), url, include_intern)
    export_mod.write(df, out, proposals=export_mod.proposals_table(engine))
    return len(df)


def write_docs(out: Path) -> None:
    from metrics.docs import render

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")


def briefing_context(url: str | None = None, today: dt.date | None = None, include_intern: bool = False):
    """What the briefing shows, read like the pages read it: the metric store (:class:`metrics.store.StoredEngine`
    via :func:`loaders.repository.load_store`), the targets, participation and proposal decisions, and the own
    measurements' stored figures (public ones unless ``include_intern``). A database without the user tables
    (never migrated) has none of those; an unreachable database raises :class:`loaders.db.DatabaseUnavailable`
    (never "no targets")."""
    import dataclasses

    from metrics import slides
    from metrics.store import engine as stored_engine
    from models.own_documents import with_own

    from .own import stored

    url = url or settings.database_url()
    eng = stored_engine(url)
    decided = programme.list_proposal_decisions(url)
    ctx = slides.context(eng, today or dt.date.today(), programme.list_targets(url),
                         programme.list_participation(url), repository.build_info(url), repository.sources(url))
    ctx = dataclasses.replace(ctx, proposal_decisions=frozenset(decided["proposal_key"]))
    return with_own(ctx, stored(url, include_intern))


def briefing(kind: str, onepage: bool = False, url: str | None = None, today: dt.date | None = None,
             include_intern: bool = False) -> bytes:
    """The briefing as ``pdf`` or ``pptx`` bytes (see :func:`briefing_context`); the own measurements marked
    'intern' only when ``include_intern``."""
    url = url or settings.database_url()
    ctx = briefing_context(url, today, include_intern)
    if onepage:
        from reports import onepage as onepage_mod

        _doc, pdf, pptx = onepage_mod.make(ctx)
        return pdf if kind == "pdf" else pptx
    from reports import briefing as briefing_mod
    from charts.slide_charts import MAP_GEMEENTE, MAP_INDELING

    geoms = repository.geometries(MAP_INDELING, MAP_GEMEENTE, "buurt", url=url)
    result = briefing_mod.export(briefing_mod.Inputs(ctx, geometries=geoms))
    return result.pdf if kind == "pdf" else result.pptx
