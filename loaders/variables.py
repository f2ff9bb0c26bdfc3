"""Titles, units and descriptions of every variable code.

KWB variables are named from the 85984NED DataProperties shipped in data/ (title, unit, description),
so the mapping goes by key, not by numeric suffix. Health titles follow StatLine 50090NED.
"""
from __future__ import annotations

from .readers import read_json
from .settings import DATA_DIR
from .sources import DATA_PROPERTIES_2024, statline_key

HEALTH = {
    "ErvarenGezondheidGoedZeerGoed": "Ervaren gezondheid goed/zeer goed",
    "VoldoetAanBeweegrichtlijn": "Voldoet aan beweegrichtlijn",
    "WekelijkseSporters": "Wekelijkse sporters",
    "Ondergewicht": "Ondergewicht",
    "NormaalGewicht": "Normaal gewicht",
    "Overgewicht": "Overgewicht",
    "ErnstigOvergewicht": "Ernstig overgewicht",
    "Roker": "Roker",
    "VoldoetAanAlcoholRichtlijn": "Voldoet aan alcoholrichtlijn",
    "Drinker": "Drinker",
    "ZwareDrinker": "Zware drinker",
    "OvermatigeDrinker": "Overmatige drinker",
    "EenOfMeerLangdurigeAandoeningen": "Eén of meer langdurige aandoeningen",
    "BeperktVanwegeGezondheid": "Beperkt vanwege gezondheid",
    "ErnstigBeperktVanwegeGezondheid": "Ernstig beperkt vanwege gezondheid",
    "LangdurigeZiekteEnBeperkt": "Langdurige ziekte en beperkt",
    "EenOfMeerLichamelijkeBeperkingen": "Eén of meer lichamelijke beperkingen",
    "BeperkingInHoren": "Beperking in horen",
    "BeperkingInZien": "Beperking in zien",
    "BeperkingInBewegen": "Beperking in bewegen",
    "MatigHoogRisicoOpAngstOfDepressie": "Matig of hoog risico op angststoornis of depressie",
    "HoogRisicoOpAngstOfDepressie": "Hoog risico op angststoornis of depressie",
    "HeelVeelStressInAfgelopen4Weken": "(Heel) veel stress in afgelopen 4 weken",
    "MatigVeelRegieOverEigenLeven": "Matig of veel regie over eigen leven",
    "Eenzaam": "Eenzaam",
    "ErnstigZeerErnstigEenzaam": "Ernstig/zeer ernstig eenzaam",
    "EmotioneelEenzaam": "Emotioneel eenzaam",
    "SociaalEenzaam": "Sociaal eenzaam",
    "Mantelzorger": "Mantelzorger",
    "Vrijwilligerswerk": "Vrijwilligerswerk",
    "LopenEnOfFietsenNaarSchoolOfWerk": "Lopen en/of fietsen naar school of werk",
    "LopenNaarSchoolOfWerk": "Lopen naar school of werk",
    "FietsenNaarSchoolOfWerk": "Fietsen naar school of werk",
    "ErnstigeGeluidhinderDoorBuren": "Ernstige geluidhinder door buren",
    "MoeiteMetRondkomen": "Moeite met rondkomen",
}

# Variables that are not (under this key) in the 85984NED DataProperties.
EXTRA = {
    "TotaalDiefstalUitWoningSchuurED": ("Diefstal uit woning, schuur e.d. per 1.000 inwoners", "per 1 000 inwoners"),
    "VernielingMisdrijfTegenOpenbareOrde": ("Vernieling en misdrijven tegen de openbare orde per 1.000 inwoners", "per 1 000 inwoners"),
    "GeweldsEnSeksueleMisdrijven": ("Gewelds- en seksuele misdrijven per 1.000 inwoners", "per 1 000 inwoners"),
    "GeregistreerdeMisdrijven": ("Geregistreerde misdrijven (totaal)", "aantal"),
    "PercentagePersonen0Tot15Jaar": ("Personen 0 tot 15 jaar", "%"),
    "PercentagePersonen15Tot25Jaar": ("Personen 15 tot 25 jaar", "%"),
    "PercentagePersonen65JaarEnOuder": ("Personen 65 jaar en ouder", "%"),
    "PercentageEenpersoonshuishoudens": ("Eenpersoonshuishoudens", "%"),
    "PercentageHuishoudensMetKinderen": ("Huishoudens met kinderen", "%"),
    "PercentageEenpersoonshuishoudensAfgeleid": (
        "Eenpersoonshuishoudens (afgeleid: eenpersoonshuishoudens / huishoudens × 100)", "%"),
    "OpleidingsniveauLaag": ("Personen (15-75 jaar) met laag opleidingsniveau", "aantal"),
    "OpleidingsniveauMiddelbaar": ("Personen (15-75 jaar) met middelbaar opleidingsniveau", "aantal"),
    "OpleidingsniveauHoog": ("Personen (15-75 jaar) met hoog opleidingsniveau", "aantal"),
}


def registry() -> dict[str, dict]:
    """code -> {title, unit, description}."""
    out: dict[str, dict] = {}
    props = read_json(DATA_DIR / DATA_PROPERTIES_2024)
    for p in props:  # type: ignore[union-attr]
        key = p.get("Key")
        if key and p.get("Type") == "Topic":
            out[statline_key(key)] = {
                "title": p["Title"].replace("\xa0", " ").strip(),
                "unit": (p.get("Unit") or "").strip() or "-",
                "description": (p.get("Description") or "").replace("\r\n", "\n").strip(),
            }
    for code, title in HEALTH.items():
        out[code] = {"title": title, "unit": "%", "description": f"Percentage van de inwoners in de leeftijdsgroep: {title.lower()} (modelschatting)."}
    for code, (title, unit) in EXTRA.items():
        out.setdefault(code, {"title": title, "unit": unit, "description": ""})
    return out
