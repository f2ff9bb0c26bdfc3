"""The Buurtprofiel's table: every metric of one buurt with its latest value, the change since the first
measurement with the gemeente's change over the same years beside it, and the position against the gemeente
and Nederland."""
from __future__ import annotations

import pandas as pd

from loaders.config import MAASTRICHT, NEDERLAND
from metrics import fmt
from metrics.briefing import city_change
from metrics.catalog import Metric
from metrics.compute import Engine

from .change import change_phrase


def profile_frame(engine: Engine, area: str, metrics: list[Metric], ref: str = MAASTRICHT, nl: str = NEDERLAND) -> pd.DataFrame:
    """All metrics for one area: latest value, change (with the gemeente beside it) and positions."""
    rows = []
    for m in metrics:
        series = [r for r in engine.series(m, area) if r.present]
        latest = series[-1] if series else None
        first = series[0] if series else None
        ch = engine.change(m, latest, first) if latest and first and first.year != latest.year else None
        ref_r = engine.value(m, ref, latest.year) if latest else None
        nl_r = engine.value(m, nl, latest.year) if latest else None
        comparable = m.kind != "count"  # comparing a buurt's head count with a gemeente's says nothing
        since = ""
        if ch is not None and first is not None:
            since = change_phrase(m, engine.name(area), first.year, ch,
                                  city_change(engine, m, area, first, latest, ref), numbers=True,
                                  city_name=engine.name(ref))
        rows.append({
            "metric_id": m.id, "pillar": m.pillar, "dimension": m.dimension or "",
            "Indicator": m.label,
            "Waarde": fmt.value(latest.value if latest else None, m.unit) + (f" ({latest.year})" if latest else ""),
            "Sinds eerste meting": since,
            "Gemeente": fmt.value(ref_r.value if ref_r is not None and ref_r.present else None, m.unit) if latest else "",
            "Positie": engine.compare(m, latest, ref_r).label
            if comparable and latest and ref_r is not None and ref_r.present else "",
            "Nederland": fmt.value(nl_r.value if nl_r is not None and nl_r.present else None, m.unit) if latest else "",
            "Bron": ", ".join(latest.sources) if latest else ", ".join(m.sources),
        })
    return pd.DataFrame(rows)
