"""Buurtprofiel: every metric of one buurt per pillar, with trend charts, the optional index and the
Positieve-Gezondheid coverage table, and the programme's own measurements (eigen metingen) of the buurt when it
has any: newest figure, 95% interval, change against the first shown period, provenance, and the gemeente's
figure of the same period beside it where the gemeente was uploaded (all from the stored figures)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders.config import DETAIL_GEMEENTEN, FOCUS_AREAS, PILLAR_ORDER
from metrics import fmt
from metrics.catalog import Catalog
from metrics.compute import Engine
from metrics.index import pillar_index
from metrics.series import trend_frame
from wording.profile import profile_frame

from . import own as own_model

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
class OwnSection:
    """The buurt's own measurements: one row per indicator with its newest period."""
    label: str
    intro: str
    table: pd.DataFrame  # Indicator, Periode, Waarde, 95%-interval, Verandering, <gemeente>, Herkomst
    note: str  # what '<10' and 'x' mean, when the table shows one


@dataclass(frozen=True)
class ProfileModel:
    buurt: str
    name: str
    intro: str
    headlines: tuple[tuple[str, str, str], ...]  # (label, value, help)
    sections: tuple[PillarSection, ...]
    own: OwnSection | None = None  # None when the buurt has no own measurement (for this visitor)


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


OWN_LABEL = "Eigen metingen van het programma"
OWN_INTRO = ("Metingen van het programma zelf (registers, partners en bewonerspeilingen), geen CBS-cijfers: per "
             "indicator de nieuwste periode met het 95%-interval en de verandering sinds de eerste getoonde periode "
             "(een verandering binnen de gecombineerde marge is geen vooruitgang of achteruitgang){ref}. Bij elk "
             "cijfer staan bron, periode en het aantal waarnemingen.")


def _own_rows(figs: pd.DataFrame, ind: own_model.OwnIndicator, area: str) -> list[dict]:
    if figs.empty:
        return []
    sel = ((figs["indicator_id"] == ind.id) & (figs["version"].astype(int) == ind.version)
           & (figs["area_code"] == area))
    return sorted(figs[sel].to_dict("records"), key=lambda r: int(r["sort_key"]))


def _change_cell(ind: own_model.OwnIndicator, r: dict, n_rows: int) -> str:
    if r.get("shown"):
        return "geen verandering (cijfer niet getoond)"
    text = own_model.change_text(r, ind.eenheid)
    if not text:
        return "één meting" if n_rows == 1 else "geen verandering (eerste getoonde meting)"
    return text + (" — geen richting goed/slecht" if ind.richting == "neutraal" else "")


def _interval(ind: own_model.OwnIndicator, r: dict) -> str:
    """'5,0 tot 16,8 per 1.000' (the unit once, at the end); '' for a withheld figure."""
    if r.get("shown") or any(v is None or v != v for v in (r.get("lower"), r.get("upper"))):
        return ""
    lo = fmt.number(r["lower"], 0 if ind.eenheid == "aantal" else 1)
    return f"{lo} tot {own_model.value_text(r['upper'], ind.eenheid)}"


def _ref_cell(ind: own_model.OwnIndicator, rows: list[dict], periode: str) -> str:
    same = [r for r in rows if r["periode"] == periode]
    if not same:
        return f"geen meting in {periode}"
    r = same[0]
    interval = _interval(ind, r)
    return own_model.shown_text(r, ind.eenheid) + (f"; 95%-interval {interval}" if interval else "")


def _pillar_order(ind: own_model.OwnIndicator) -> tuple:
    return (PILLAR_ORDER.index(ind.pijler) if ind.pijler in PILLAR_ORDER else len(PILLAR_ORDER), ind.label)


def own_section(inds, figs: pd.DataFrame, buurt: str, gemeente: str, gname: str) -> OwnSection | None:
    """The buurt's own measurements, or None when it has none. The gemeente's column only when the gemeente
    has a figure of one of these indicators (it was uploaded)."""
    recs, withheld, with_ref = [], False, False
    for ind in sorted(inds, key=_pillar_order):
        rows = _own_rows(figs, ind, buurt)
        if not rows:
            continue
        r = rows[-1]
        ref_rows = _own_rows(figs, ind, gemeente)
        with_ref |= bool(ref_rows)
        ref = _ref_cell(ind, ref_rows, r["periode"]) if ref_rows else "niet aangeleverd"
        withheld |= bool(r.get("shown")) or any(x.get("shown") and x["periode"] == r["periode"] for x in ref_rows)
        recs.append({"Indicator": ind.label + (" (intern)" if ind.zichtbaarheid == "intern" else ""),
                     "Periode": r["periode"],
                     "Waarde": own_model.shown_text(r, ind.eenheid),
                     "95%-interval": _interval(ind, r),
                     "Verandering": _change_cell(ind, r, len(rows)), gname: ref,
                     "Herkomst": own_model.provenance(ind, r)})
    if not recs:
        return None
    table = pd.DataFrame(recs)
    if not with_ref:
        table = table.drop(columns=[gname])
    ref = f", en het cijfer van {gname} in dezelfde periode waar dat is aangeleverd" if with_ref else ""
    return OwnSection(OWN_LABEL, OWN_INTRO.format(ref=ref), table,
                      own_model.SUPPRESSION_NOTE if withheld else "")


def profile_model(eng: Engine, cat: Catalog, buurt: str, own_measurements=None) -> ProfileModel:
    """``own_measurements``: (indicators, figures) as ui.state.own_measurements gives them (public ones only for
    an anonymous visitor)."""
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
    own = None
    if own_measurements:
        inds, figs = own_measurements
        own = own_section(inds, figs, buurt, gemeente, gname)
    return ProfileModel(buurt, eng.name(buurt), intro, tuple(heads), tuple(sections), own)
