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


def proposals_section() -> list[str]:
    """The target-proposal rules and the measurability test (metrics/proposals.py, config/programme.toml)."""
    from . import proposals as pr

    prog = pr.programme()
    return [
        "## Doelvoorstellen en meetbaarheid", "",
        f"Doelen stelt het programma vast, niet het dashboard. Het dashboard rekent wel **voorstellen** uit; elk "
        f"voorstel staat op het scherm, in de export en in de presentatie als *{pr.LABEL}*, altijd met de regel "
        "waarmee het is berekend. Een redacteur kan een voorstel overnemen (eventueel met een andere streefwaarde of "
        "een ander doeljaar) of afwijzen; daarna staat het er niet meer als voorstel. Overnemen maakt een gewoon doel, "
        "met wijzigingslog en versie.", "",
        "- **Welke indicatoren:** de kernindicatoren die het Overzicht per pijler toont en die een richting hebben "
        "(hoger of lager is gunstiger), voor Nazareth en Pottenberg.",
        f"- **Basis:** het meest recente meetjaar tot en met {prog.start_year} (start van het programma) waarin de buurt "
        "én Maastricht een cijfer hebben; de waarde van Maastricht komt uit hetzelfde jaar en dezelfde bron.",
        *[f"- **{pr.RULE_LABEL[r].capitalize()}:** {pr.rule_text(r).split(': ', 1)[1]}" for r in pr.RULES],
        "- **Welke regel:** doet de buurt het even goed als Maastricht (verschil binnen de marge) of beter, dan "
        "'sterkte vasthouden'; anders de twee voorstellen 'gat halveren' en 'gat dichten'.",
        "- **Tussendoelen:** op de jaren waarin volgens de releasekalender een nieuwe editie verwacht wordt "
        "(schatting: laatste periode + meetfrequentie + vertraging); bij jaarlijkse bronnen liggen tussendoelen "
        f"minstens {prog.milestone_min_interval_years} jaar uit elkaar. De waarde is de rechte lijn van de basis naar "
        "het doel in dat jaar.",
        "- **Meetbaarheidstoets:** voor elke verwachte editie tot en met de eerste editie op of na het doeljaar wordt "
        "de verandering die het voorstel sinds de basis vraagt vergeleken met de marge van de indicator (zie "
        "'Betekenisvol verschil' per indicator: de modelmarge voor RIVM-schattingen, Poisson of een vaste marge voor "
        "registertellingen en -percentages, met de bevolking van de buurt). De eerste editie waarin de gevraagde "
        "verandering groter is dan de marge is 'meetbaar vanaf de editie van <jaar>'. Is dat bij geen enkele editie "
        f"zo, dan staat er '{pr.NOT_MEASURABLE}': succes of falen is met deze cijfers niet te zien.",
        "- **Programma of trend?** Bij het overnemen worden de vergelijkbare buurten elders in Nederland gezocht met "
        "de uitlegbare profielvergelijking van de pagina Vergelijken (profieljaar: het laatste profieljaar tot en met "
        f"het basisjaar; {prog.comparison_group_size} buurten) en bij het doel bewaard. Er wordt daarna nooit opnieuw "
        "gezocht. Bij het doel staat de verandering van de buurt naast de mediaan van de veranderingen van die groep "
        f"over dezelfde jaren, met als band de spreiding van de groep ({pr.SPREAD_LABEL}). Valt de verandering van de "
        "buurt binnen die band, dan is ze niet groter dan de gewone trend van vergelijkbare buurten. Alleen "
        "indicatoren die voor alle buurten van Nederland in de data staan (RIVM-gezondheidsmonitor) hebben cijfers "
        "voor de hele groep.",
    ]


TITLE = "# Indicatoren van de Wijkmonitor Veerkrachtige Wijken"
# For developers only: how the document is made. It belongs in docs/metrics.md, never on the Data page.
GENERATED_NOTE = ("Gegenereerd uit `metrics/catalog.yaml` met `python -m wijkmonitor docs`; de pagina Data en methode "
                  "toont dezelfde tekst.")


def render(cat: Catalog | None = None) -> str:
    """docs/metrics.md: the title, the developers' note on how it is generated, then the page text."""
    return "\n".join([TITLE, "", GENERATED_NOTE, "", page_text(cat)])


def page_text(cat: Catalog | None = None) -> str:
    """The documentation as the Data en methode page shows it: no file paths or commands, no title."""
    cat = cat or load()
    out = ["## Rekenregels", "",
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
           *proposals_section(), "",
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


def sections(cat: Catalog | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The documentation as (introduction, [(section title, section text), ...]), split at its level-2 headings,
    so a page can show each section on request; the text is exactly page_text()'s (render() without the title and
    the developers' note)."""
    lines = page_text(cat).split("\n")
    intro: list[str] = []
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("## "):
            out.append((line[3:].strip(), []))
        elif out:
            out[-1][1].append(line)
        else:
            intro.append(line)
    return "\n".join(intro).strip(), [(title, "\n".join(body).strip()) for title, body in out]
