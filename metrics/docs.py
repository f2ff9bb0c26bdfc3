"""Plain-Dutch documentation of every metric, generated from the catalog (docs/metrics.md and the Data page
render the same text, so the two never disagree)."""
from __future__ import annotations

from loaders.config import nplv_areas, nplv_indeling, nplv_missing, nplv_wijken

from . import margins
from .catalog import BASE_LABEL, Catalog, Metric, load

DIRECTION = {"higher_better": "hoger is gunstiger", "lower_better": "lager is gunstiger",
             "neutral": "geen richting (beschrijvend)"}
KIND = {"share": "percentage", "mean": "gemiddelde", "ratio": "berekend uit aantallen (teller / noemer)",
        "count": "aantal", "median": "mediaan"}


def margin_text(m: Metric) -> str:
    """The metric's standard-error rule in one line (the formulas are in the section Methode: onzekerheid)."""
    r = m.margin or {}
    t = r.get("type")
    deft = f"{margins.MODEL_DEFT:g}".replace(".", ",")
    if t == "model_share":
        return (f"modelschatting: standaardfout = gepubliceerd RIVM-interval / (2 × 1,96) waar geladen, anders "
                f"{deft} × √(p(1 − p) / N) met N = {BASE_LABEL[m.base]}; een verschil is echt als het groter is dan "
                "1,96 × de gecombineerde standaardfout")
    if t in ("binomial", "absolute"):
        bits = ["binomiaal: standaardfout = √(p(1 − p) / N)"]
        if m.kind == "ratio":
            rr = float(r.get("rounding", margins.COUNT_ROUNDING))
            bits.append(f"plus afronding van de aantallen op {rr:g} (variantie {rr:g}²/12 per aantal)")
        if r.get("rounding_pp"):
            bits.append(f"plus afronding van het gepubliceerde percentage op {r['rounding_pp']:g} punt".replace(".", ","))
        return ", ".join(bits) + "; echt als groter dan 1,96 × de gecombineerde standaardfout"
    if t == "relative":
        return (f"gemiddelde zonder gepubliceerde spreiding: standaardfout = {r['value'] * 100:g}% × waarde / "
                "(1,96 × √2), dus twee schattingen verschillen echt bij meer dan "
                f"{r['value'] * 100:g}% van hun waarde").replace(".", ",")
    if t == "poisson":
        rr = float(r.get("rounding", margins.COUNT_ROUNDING))
        rt = f" + afronding op {rr:g} ({rr:g}²/12 per aantal)" if rr else ""
        return f"telling: standaardfout = factor × √(aantal{rt}) / noemer; echt als groter dan 1,96 × de gecombineerde standaardfout"
    if t == "poisson_rate":
        return "telling per 1.000 inwoners: aantal = cijfer × inwoners / 1.000, standaardfout = 1.000 × √aantal / inwoners"
    if t == "poisson_count":
        return "aantal: standaardfout = √(aantal + 25/12) (Poisson plus afronding op vijftallen)"
    return "geen margeregel (nog geen data)"


def methods_section() -> list[str]:
    """The uncertainty model with its formulas (metrics/margins.py), for a statistician to check."""
    deft = f"{margins.MODEL_DEFT:g}".replace(".", ",")
    areas, missing = nplv_areas(), nplv_missing()
    return [
        "## Methode: onzekerheid en 'echt' verschil", "",
        "Elk cijfer heeft een standaardfout (SE). Een niveau-verschil, een verandering of een verschil van "
        "veranderingen d is **echt** als |d| > 1,96 × SE_d (tweezijdig 5%); anders heet het 'binnen de marge' of "
        "'niet aantoonbaar anders'. Zonder standaardfout aan één kant wordt niets beslist ('geen oordeel mogelijk'), "
        "nooit met een standaardmarge. Dezelfde regel geldt voor elke rij van elke tabel, ook voor vergelijkbare "
        "buurten elders.", "",
        "**Standaardfout van één cijfer**", "",
        "- *Gepubliceerd interval* (RIVM 50090NED/50120NED, tabel `observation_margins`, als een verversing ze heeft "
        "geladen): SE = (bovengrens − ondergrens) / (2 × 1,96). Gaat altijd voor.",
        f"- *RIVM-modelschatting zonder interval:* SE = {deft} × √(p(1 − p) / N) × 100 procentpunt, p het aandeel, "
        f"N de volwassen bevolking (15+ als benadering van 18+). De ontwerpfactor {deft} (variantie × 4) betekent: "
        "de schatting is even precies als een enkelvoudige steekproef onder een kwart van de volwassenen; dat "
        "reproduceert de eerdere vuistregel voor een gewone buurt (2.500 volwassenen, p ≈ 20%: marge van een verschil "
        "≈ 3 procentpunt) en wordt vervangen zodra RIVM's intervallen geladen zijn.",
        "- *Registeraandelen* (teller/noemer uit CBS-aantallen): SE² = p(1 − p)/N + k × (25/12) × (1 + p²)/N² "
        "(binomiaal plus de afronding van teller en noemer op vijftallen: uniforme afrondingsfout, variantie 25/12 "
        "per aantal; k = aantal opgetelde gebieden). Een gepubliceerd KWB-percentage van een bekende basis: "
        "SE² = p(1 − p)/N + (afronding)²/12.",
        "- *Tellingen per 1.000* (bijstand, AO, WW, misdrijven): SE = 1.000 × √(x + k × R²/12) / N, x de telling, "
        "N de noemer, R = 5 voor uitkeringen (afgerond), 0 voor politietellingen.",
        "- *Gemiddelden zonder spreiding* (inkomen, WOZ): SE = r × waarde / (1,96 × √2), r de relatieve marge in de "
        "catalogus (2–5%).",
        "- *Samengestelde gebieden* (gewogen gemiddelde van buurten met gewicht w_i): SE = √(Σ w_i² SE_i²) / Σ w_i "
        "(buurten onafhankelijk); voor verhoudingen van tellingen de Poisson-regel op de opgetelde aantallen.",
        "- *Eigen metingen* (participatie): nog geen standaardfout; ze worden niet getoetst.", "",
        "**Combineren**", "",
        "- *Verandering* van één gebied tussen twee edities: SE_d = √(SE_nieuw² + SE_oud²). Aanname: de edities zijn "
        "onafhankelijk (andere enquêteronde of registerjaar; voor een registervoorraad is dat conservatief).",
        "- *Verschil buurt − stad* in één jaar: de buurt maakt deel uit van de stad, dus Cov = (N_buurt / N_stad) × "
        "SE_buurt² en SE_d² = SE_buurt² + SE_stad² − 2 (N_buurt / N_stad) SE_buurt². Voor gebieden die elkaar niet "
        "overlappen: onafhankelijk.",
        "- *Verschil van veranderingen* (verandering van de buurt − verandering van Maastricht): "
        "SE² = Var(buurt_nieuw − stad_nieuw) + Var(buurt_oud − stad_oud). Binnen 1,96 × SE heet de verandering "
        "'niet aantoonbaar anders dan Maastricht'.",
        "- *Meetbaarheid met 80% onderscheidend vermogen:* een gevraagde verandering Δ is 'met 80% kans zichtbaar' "
        "in een editie als |Δ| ≥ (1,96 + 0,84) × SE_verandering, met SE_verandering uit de regel van de indicator "
        "bij de basiswaarde en de streefwaarde van die editie (zelfde bevolking). Alleen edities die na de start van "
        "het programma gemeten zijn tellen; KWB-inkomenscijfers met hun werkelijke vertraging.", "",
        "**Vergelijkbare buurten (programma of trend?)**", "",
        "- Profiel: zes RIVM-kenmerken in het basisjaar van het doel. Afstand: Mahalanobis, "
        "d² = (x − f)ᵀ S⁻¹ (x − f), S de covariantiematrix over alle buurten met een volledig profiel; zo telt "
        "een dimensie die in vier kenmerken terugkomt (deprivatie) niet vier keer.",
        f"- Donorpool: buurten van andere nationale gebiedsprogramma's en de eigen gemeente doen niet mee. De "
        f"{len(areas)} NPLV-focusgebieden (Heerlen-Noord inbegrepen) staan als {len(nplv_wijken())} CBS-wijken van "
        f"indeling {nplv_indeling()} in `config/programme.toml`, de indeling van 50090NED waaruit de donorpool komt "
        "(een code van een andere indeling wijst niets of een andere wijk aan); per gebied met bron, de gekozen "
        "wijken en waarom. Valt een programma op een deel van een CBS-wijk, dan telt de hele wijk, en waar de bronnen "
        "verschillen de ruimere keuze; bewust ruimer dan de inwonertelling van de bron: "
        f"{', '.join(a.name for a in areas if a.wider)}."
        + (f" Nog zonder codes: {', '.join(missing)}." if missing else ""),
        "- Toets: rangtoets op de afwijking van de groepsmediaan m, p = (1 + #{|g_i − m| ≥ |f − m|}) / (n + 1); "
        "'buiten de spreiding' als p ≤ 0,05 (bij 20 vergelijkbare buurten: verder van de mediaan dan alle 20) "
        "én |f − m| > 1,96 × de standaardfout van de verandering van de buurt zelf (een uitschieter die de "
        "meetfout van een kleine buurt verklaart, telt niet). Een placebotoets op 110 willekeurige buurten zonder "
        "programma, 2016 → 2020, zes indicatoren (tests/test_similar.py) geeft ten hoogste 5% vals alarm; de "
        "vroegere band van kleinste tot grootste verandering van 10 buurten gaf ongeveer 18% (2/11 bij "
        "uitwisselbaarheid).",
    ]


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
        "- **Meetbaarheidstoets (80% onderscheidend vermogen):** voor elke verwachte editie die ná de start van het "
        f"programma ({prog.start_year}) gemeten is (KWB-inkomenscijfers: het inkomensjaar, twee jaar vóór de jaargang) "
        "tot en met de eerste editie op of na het doeljaar wordt de verandering Δ die het voorstel sinds de basis vraagt "
        "vergeleken met (1,96 + 0,84) × SE_verandering, SE_verandering = √(SE(basis)² + SE(waarde van het pad)²) volgens "
        "de regel van de indicator met de bevolking van de buurt (zie 'Methode: onzekerheid'). De eerste editie met "
        "|Δ| ≥ (1,96 + 0,84) × SE_verandering is 'met 80% kans zichtbaar vanaf de editie van <jaar>': een echte "
        "verandering van die grootte wordt dan in 8 van de 10 gevallen als echt herkend. Is dat bij geen enkele editie "
        f"zo, dan staat er '{pr.NOT_MEASURABLE}': succes of falen is met deze cijfers niet te zien.",
        "- **Programma of trend?** Bij het overnemen worden de vergelijkbare buurten elders in Nederland gezocht met "
        "de uitlegbare profielvergelijking van de pagina Vergelijken (Mahalanobis-afstand, zonder buurten van andere "
        "nationale gebiedsprogramma's; profieljaar: het basisjaar van het doel, of het laatste profieljaar ervóór; "
        f"{prog.comparison_group_size} buurten) en bij het doel bewaard. Er wordt daarna nooit opnieuw "
        "gezocht. Bij het doel staat de verandering van de buurt naast de mediaan van de veranderingen van die groep "
        f"over dezelfde jaren, met de spreiding van de groep ({pr.SPREAD_LABEL}). 'Buiten de spreiding' beslist de "
        "rangtoets samen met de marge van de buurt zelf (zie 'Methode: onzekerheid'); anders is de verandering niet "
        "groter dan de gewone trend van vergelijkbare buurten. Alleen "
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
           "- Een verandering of verschil binnen de marge heet 'binnen de marge' of 'niet aantoonbaar anders' en "
           "telt nooit als vooruitgang.", "",
           *methods_section(), "",
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
