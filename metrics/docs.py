"""Plain-Dutch documentation of every metric, generated from the catalog (docs/metrics.md and the Data page
render the same text, so the two never disagree)."""
from __future__ import annotations

from . import margins
from .catalog import BASE_LABEL, Catalog, Metric, load

DIRECTION = {"higher_better": "hoger is gunstiger", "lower_better": "lager is gunstiger",
             "neutral": "geen richting (beschrijvend)"}
KIND = {"share": "percentage", "mean": "gemiddelde", "ratio": "berekend uit aantallen (teller / noemer)",
        "count": "aantal", "median": "mediaan"}


def margin_text(m: Metric) -> str:
    r = m.margin or {}
    t = r.get("type")
    if t == "model_share":
        return (f"modelschatting: een verschil telt pas als het groter is dan max({margins.MODEL_MIN_PP:g}; "
                f"{margins.MODEL_SCALE_PP:g} × √(1000 / N)) procentpunt, N = {BASE_LABEL[m.base]} in het kleinste gebied")
    if t == "absolute":
        return f"een verschil telt als het groter is dan {str(r['value']).replace('.', ',')} punt"
    if t == "relative":
        return f"een verschil telt als het groter is dan {r['value'] * 100:g}% van de grootste waarde".replace(".", ",")
    if t == "poisson":
        return "telling: een verschil telt als het groter is dan 1,96 × √(aantal) aan beide kanten, gecombineerd"
    if t == "poisson_rate":
        return "telling per 1.000 inwoners: marge afgeleid van het aantal (1,96 × √aantal), gecombineerd"
    return "geen margeregel (nog geen data)"


def metric_section(m: Metric, cat: Catalog) -> str:
    lines = [f"### {m.label}", "", m.explanation, ""]
    lines.append(f"- **Pijler:** {cat.pillars[m.pillar]['label']}"
                 + (f" — dimensie {cat.dimensions[m.dimension]['label']}" if m.dimension else ""))
    lines.append(f"- **Status:** {'beschikbaar' if m.available else 'nog geen data'}")
    lines.append(f"- **Eenheid en soort:** {m.unit}, {KIND[m.kind]}; {DIRECTION[m.direction]}")
    if m.available:
        var = (f"{m.numerator} / ({' + '.join(m.denominator)}) × {m.factor:g}" if m.kind == "ratio" else m.variable)
        lines.append(f"- **Variabele:** `{var}` (leeftijdsgroep {m.age_group})")
    lines.append(f"- **Bron:** CBS/RIVM tabel {', '.join(m.sources)}; meetjaren {', '.join(map(str, m.years)) or '—'}")
    lines.append(f"- **Samenvoegen van buurten:** gewogen met {BASE_LABEL[m.base]}"
                 if m.kind in ("share", "mean") else
                 f"- **Samenvoegen van buurten:** {'som van tellers gedeeld door som van noemers' if m.kind == 'ratio' else ('som' if m.kind == 'count' else 'niet mogelijk (mediaan)')}")
    lines.append(f"- **Betekenisvol verschil:** {margin_text(m)}")
    if m.sdg:
        lines.append(f"- **SDG:** {', '.join(map(str, m.sdg))}")
    if m.caveats:
        lines.append(f"- **Let op:** {'; '.join(m.caveats)}")
    return "\n".join(lines) + "\n"


def render(cat: Catalog | None = None) -> str:
    cat = cat or load()
    out = ["# Indicatoren van de Wijkmonitor Veerkrachtige Wijken", "",
           "Gegenereerd uit `metrics/catalog.yaml` met `python -m metrics docs`; de pagina Data en methode toont "
           "dezelfde tekst.", "",
           "## Rekenregels", "",
           "- Waar CBS of RIVM een cijfer voor een gebied publiceert, tonen we dat cijfer.",
           "- Samengestelde gebieden (Focusbuurten, Rest van Maastricht, Heerlen-Noord, een eigen selectie) en "
           "gebieden zonder gepubliceerd cijfer worden berekend uit de buurten: percentages en gemiddelden gewogen "
           "met de bevolking waar het percentage over gaat (volwassenen, 65-plussers, huishoudens, inwoners), uit "
           "het bevolkingsjaar dat het dichtst bij het meetjaar ligt. Nooit een ongewogen gemiddelde van percentages.",
           "- Per buurt zijn er geen aantallen 18-plussers; inwoners van 15 jaar en ouder dienen als gewicht voor "
           "volwassenen (de fout in het gewicht is klein: 15- tot 17-jarigen zijn ongeveer 4% van de bevolking).",
           "- Ontbrekende of geheime cijfers blijven leeg; een berekend cijfer vermeldt de dekking en wordt niet "
           "getoond onder 80% dekking.",
           "- Een verandering of verschil binnen de marge heet 'binnen de marge' of 'vergelijkbaar' en telt nooit "
           "als vooruitgang.", "",
           "## Positieve Gezondheid: zes dimensies", "",
           "| Dimensie | Indicatoren | Kwaliteit van de benadering | Toelichting |", "|---|---|---|---|"]
    for d, info in cat.dimensions.items():
        ms = [m.label for m in cat.metrics if m.dimension == d and m.available]
        out.append(f"| {info['label']} | {', '.join(ms) if ms else 'geen indicator'} | {info['proxy_quality']} | {info['note']} |")
    out.append("")
    for p, info in cat.pillars.items():
        out += [f"## {info['label']}", "", info["description"], ""]
        for m in cat.by_pillar(p):
            out.append(metric_section(m, cat))
    return "\n".join(out)
