"""Use cases that produce documents from the metric store: the full export, the metric documentation and the
wethouder's briefing (full deck or one page)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from loaders import programme, repository, settings


def export(out: Path, url: str | None = None) -> int:
    """Write the full export (CSV or Excel by suffix); returns the number of rows."""
    from metrics import export as export_mod
    from metrics.catalog import load
    from metrics.store import engine as stored_engine

    engine = stored_engine(url)
    df = export_mod.table(engine, load())
    export_mod.write(df, out, proposals=export_mod.proposals_table(engine))
    return len(df)


def write_docs(out: Path) -> None:
    from metrics.docs import render

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")


def briefing(kind: str, onepage: bool = False, url: str | None = None, today: dt.date | None = None) -> bytes:
    """The briefing as ``pdf`` or ``pptx`` bytes."""
    from metrics import slides
    from metrics.catalog import load
    from metrics.compute import Engine

    url = url or settings.database_url()
    today = today or dt.date.today()
    try:
        targets = programme.list_targets(url)
        participation = programme.list_participation(url)
    except Exception:  # a database without the user tables (never migrated): no targets, no participation
        targets = participation = None
    ctx = slides.context(Engine(repository.load_inputs(url), load()), today, targets, participation,
                         repository.build_info(url), repository.sources(url))
    if onepage:
        from reports import onepage as onepage_mod

        _doc, pdf, pptx = onepage_mod.make(ctx)
        return pdf if kind == "pdf" else pptx
    from reports import briefing as briefing_mod
    from charts.slide_charts import MAP_GEMEENTE, MAP_INDELING

    geoms = repository.geometries(MAP_INDELING, MAP_GEMEENTE, "buurt", url=url)
    result = briefing_mod.export(briefing_mod.Inputs(ctx, geometries=geoms))
    return result.pdf if kind == "pdf" else result.pptx
