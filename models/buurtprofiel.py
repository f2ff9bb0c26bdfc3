"""Buurtprofiel: every metric of one buurt per pillar, with trend charts, the optional index and the
Positieve-Gezondheid coverage table."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.config import DETAIL_GEMEENTEN, FOCUS_AREAS
from metrics import fmt
from metrics.catalog import Catalog
from metrics.compute import Engine
from metrics.index import pillar_index
from metrics.series import trend_frame
from wording.profile import profile_frame

DEFAULT_BUURT = FOCUS_AREAS[0]


@dataclass(frozen=True)
class PillarSection:
    label: str
    table: pd.DataFrame  # one row per metric, Dutch column names
    charts: tuple[tuple[str, str, pd.DataFrame], ...]  # (title, unit, trend frame)
    charts_legend: str
    missing_text: str
    index_text: str | None  # None for the context pillar (no index)
    index_table: pd.DataFrame | None
    dimensions: pd.DataFrame | None  # Positieve Gezondheid only
    sources: frozenset[str]


@dataclass(frozen=True)
class ProfileModel:
    buurt: str
    name: str
    intro: str
    headlines: tuple[tuple[str, str, str], ...]  # (label, value, help)
    sections: tuple[PillarSection, ...]


def buurt_options(eng: Engine) -> list[str]:
    """Every buurt of the detail gemeenten: Maastricht first, then Heerlen, by name."""
    order = {gm: i for i, gm in enumerate(DETAIL_GEMEENTEN)}
    return sorted((c for c, lv in eng.level.items() if lv == "buurt" and "GM" + c[2:6] in order),
                  key=lambda c: (order["GM" + c[2:6]], eng.name(c)))


def buurt_label(eng: Engine, code: str) -> str:
    return f"{eng.name(code)} ({eng.name('GM' + code[2:6])}, {code})"


def _index(eng: Engine, buurt: str, pillar: str, label: str) -> tuple[str, pd.DataFrame | None]:
    idx = pillar_index(eng, buurt, pillar)
    if idx.value is None:
        return f"Geen index: {idx.note}.", None
    text = (f"Index {label.lower()}: **{fmt.number(idx.value, 0)}** — het ongewogen gemiddelde van "
            f"{len(idx.scores)} indicatorscores. {idx.note}")
    table = pd.DataFrame([{"Weging": "alle indicatoren even zwaar", "Index": fmt.number(idx.value, 0)}] +
                         [{"Weging": k, "Index": fmt.number(v, 0)} for k, v in idx.alternatives.items()])
    return text, table


def _dimensions(cat: Catalog, metrics) -> pd.DataFrame:
    rows = []
    for d, info in cat.dimensions.items():
        ms = [m.label for m in metrics if m.dimension == d]
        rows.append({"Dimensie": info["label"], "Indicatoren": ", ".join(ms) if ms else "geen indicator",
                     "Kwaliteit benadering": info["proxy_quality"], "Toelichting": info["note"]})
    return pd.DataFrame(rows)


def profile_model(eng: Engine, cat: Catalog, buurt: str) -> ProfileModel:
    gemeente, wijk = "GM" + buurt[2:6], "WK" + buurt[2:8]
    gname = eng.name(gemeente)
    intro = (f"Buurt {buurt} in wijk {eng.name(wijk)}, gemeente {gname}. Alle indicatoren met het meest recente "
             f"cijfer, de verandering sinds de eerste meting en de positie ten opzichte van {gname} en Nederland.")
    heads = []
    for mid, label in (("inwoners", "Inwoners"), ("huishoudens", "Huishoudens")):
        r = eng.latest(mid, buurt)
        heads.append((label, fmt.value(r.value if r else None, "aantal"), f"CBS, peiljaar {r.year if r else '-'}"))
    heads.append(("Focusbuurt programma", "ja" if buurt in FOCUS_AREAS else "nee", ""))
    sections = []
    for pillar, info in cat.pillars.items():
        metrics = cat.by_pillar(pillar, available_only=True)
        prof = profile_frame(eng, buurt, metrics, ref=gemeente).rename(columns={"Gemeente": gname})
        charts = []
        for m in metrics:
            f = trend_frame(eng, m, [buurt, gemeente])
            if f["value"].notna().sum() >= 2 and len(eng.years(m)) >= 2:
                charts.append((m.label, m.unit, f))
        missing = [m for m in cat.by_pillar(pillar) if not m.available]
        idx_text, idx_table = _index(eng, buurt, pillar, info["label"]) if pillar != "context" else (None, None)
        sections.append(PillarSection(
            info["label"], prof.drop(columns=["metric_id", "pillar", "dimension", "Bron"]), tuple(charts),
            f"Doorgetrokken lijn: {eng.name(buurt)}; gestreepte lijn: {gname}.",
            ("Nog geen data: " + ", ".join(m.label.lower() for m in missing) + ".") if missing else "",
            idx_text, idx_table, _dimensions(cat, metrics) if pillar == "positieve_gezondheid" else None,
            frozenset(s for v in prof["Bron"] for s in v.split(", "))))
    return ProfileModel(buurt, eng.name(buurt), intro, tuple(heads), tuple(sections))
