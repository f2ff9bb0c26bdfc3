"""Declarative list of the shipped source files and how their columns map to variables.

Column → variable mapping is explicit per file. Variable codes are the StatLine keys without the
numeric suffix (``GemiddeldInkomenPerInwoner_66`` → ``GemiddeldInkomenPerInwoner``), because CBS
renumbers the suffix between years; :func:`statline_key` does that stripping.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .readers import KAART_SENTINELS
from .settings import DATA_DIR

LICENCE = "CC BY 4.0"
CBS = "Centraal Bureau voor de Statistiek (CBS)"
RIVM = "RIVM, CBS en GGD'en (GGD GHOR)"

_SUFFIX = re.compile(r"_\d+$")


def statline_key(column: str) -> str:
    """StatLine column key without its numeric position suffix."""
    return _SUFFIX.sub("", column.strip())


@dataclass(frozen=True)
class Source:
    key: str
    path: str  # relative to data/
    publisher: str
    table_id: str
    title: str
    period: str
    kind: str  # health | kwb | geo | metadata
    columns: dict[str, str] = field(default_factory=dict)  # file column -> variable code
    code_column: str = ""
    year: int | None = None  # observation year when the file has no usable year column
    indeling_year: int | None = None
    notes: str = ""
    # A national file defines the area codes of its indeling year; a regional extract must use known gemeenten.
    defines_codes: bool = False
    # Codes the file's format defines as suppressed ('geheim'), e.g. the Wijk- en buurtkaart's -99999999; any
    # other sentinel-like value is an error (loaders.readers.to_numeric_statline).
    sentinels: tuple[float, ...] = ()

    @property
    def file(self):
        return DATA_DIR / self.path


HEALTH_COLUMNS = [
    "ErvarenGezondheidGoedZeerGoed_4", "VoldoetAanBeweegrichtlijn_5", "WekelijkseSporters_6",
    "Ondergewicht_7", "NormaalGewicht_8", "Overgewicht_9", "ErnstigOvergewicht_10", "Roker_11",
    "VoldoetAanAlcoholRichtlijn_12", "Drinker_13", "ZwareDrinker_14", "OvermatigeDrinker_15",
    "EenOfMeerLangdurigeAandoeningen_16", "BeperktVanwegeGezondheid_17",
    "ErnstigBeperktVanwegeGezondheid_18", "LangdurigeZiekteEnBeperkt_19",
    "EenOfMeerLichamelijkeBeperkingen_20", "BeperkingInHoren_21", "BeperkingInZien_22",
    "BeperkingInBewegen_23", "MatigHoogRisicoOpAngstOfDepressie_24", "HoogRisicoOpAngstOfDepressie_25",
    "HeelVeelStressInAfgelopen4Weken_26", "MatigVeelRegieOverEigenLeven_27", "Eenzaam_28",
    "ErnstigZeerErnstigEenzaam_29", "EmotioneelEenzaam_30", "SociaalEenzaam_31", "Mantelzorger_32",
    "Vrijwilligerswerk_33", "LopenEnOfFietsenNaarSchoolOfWerk_34", "LopenNaarSchoolOfWerk_35",
    "FietsenNaarSchoolOfWerk_36", "ErnstigeGeluidhinderDoorBuren_37", "MoeiteMetRondkomen_38",
]

HEALTH_TITLE = "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)"
HEALTH_NOTES = (
    "Modelschattingen (small area estimation) op basis van de Gezondheidsmonitor Volwassenen en "
    "Ouderen; percentage van de inwoners in de leeftijdsgroep. Marges niet meegeleverd."
)

HEALTH_NATIONAL = Source(
    key="50090NED", path="health/rivm_50090NED_gezondheid_all_regions_nl.parquet", publisher=RIVM,
    table_id="50090NED", title=HEALTH_TITLE, period="2012, 2016, 2020", kind="health",
    columns={c: statline_key(c) for c in HEALTH_COLUMNS}, code_column="regio_code", indeling_year=2020,
    notes=HEALTH_NOTES,
)
# The same table, trimmed to Nederland + Maastricht + Heerlen: a small real fixture for fast builds.
HEALTH_SUBSET = Source(
    key="50090NED", path="health/rivm_50090NED_gezondheid_maastricht_heerlen_nl.csv", publisher=RIVM,
    table_id="50090NED", title=HEALTH_TITLE + " — uitsnede Nederland, Maastricht, Heerlen",
    period="2012, 2016, 2020", kind="health", columns=HEALTH_NATIONAL.columns, code_column="regio_code",
    indeling_year=2020, notes=HEALTH_NOTES,
)

KWB = [
    Source(
        key="83765NED-buurt", path="cbs_kwb/kwb_2017_83765NED_buurt_subset_maastricht_heerlen.csv",
        publisher=CBS, table_id="83765NED", title="Kerncijfers wijken en buurten 2017", period="2017",
        kind="kwb", code_column="WijkenEnBuurten", year=2017, indeling_year=2017,
        columns={
            "AantalInwoners_5": "AantalInwoners", "k_0Tot15Jaar_8": "k_0Tot15Jaar",
            "k_25Tot45Jaar_10": "k_25Tot45Jaar", "k_65JaarOfOuder_12": "k_65JaarOfOuder",
            "HuishoudensTotaal_28": "HuishoudensTotaal", "HuishoudensMetKinderen_31": "HuishoudensMetKinderen",
            "GemiddeldeHuishoudensgrootte_32": "GemiddeldeHuishoudensgrootte",
            "Bevolkingsdichtheid_33": "Bevolkingsdichtheid",
            "GemiddeldInkomenPerInwoner_66": "GemiddeldInkomenPerInwoner",
            "HuishOnderOfRondSociaalMinimum_73": "HuishOnderOfRondSociaalMinimum",
            "MateVanStedelijkheid_104": "MateVanStedelijkheid",
        },
        notes="Uitsnede Maastricht en Heerlen; 6 kleine Maastrichtse buurten ontbreken in de uitsnede. "
        "Inkomenscijfers hebben een eerder verslagjaar dan het peiljaar 2017.",
    ),
    Source(
        key="83765NED-misdrijven", path="cbs_kwb/kwb_2017_83765NED_buurt_crime_per1000_maastricht_heerlen.csv",
        publisher=CBS, table_id="83765NED", title="Kerncijfers wijken en buurten 2017 — misdrijven per 1.000 inwoners",
        period="2017", kind="kwb", code_column="WijkenEnBuurten", year=2017, indeling_year=2017,
        columns={
            "TotaalDiefstalUitWoningSchuurED_106": "TotaalDiefstalUitWoningSchuurED",
            "VernielingMisdrijfTegenOpenbareOrde_107": "VernielingMisdrijfTegenOpenbareOrde",
            "GeweldsEnSeksueleMisdrijven_108": "GeweldsEnSeksueleMisdrijven",
        },
        notes="Geregistreerde misdrijven per 1.000 inwoners (gehele getallen); verslagjaar volgens 83765NED "
        "waarschijnlijk 2016.",
    ),
    Source(
        key="85984NED-buurt", path="cbs_kwb/kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv",
        publisher=CBS, table_id="85984NED", title="Kerncijfers wijken en buurten 2024", period="2024",
        kind="kwb", code_column="WijkenEnBuurten", year=2024, indeling_year=2024,
        columns={
            "AantalInwoners_5": "AantalInwoners", "k_0Tot15Jaar_8": "k_0Tot15Jaar",
            "k_15Tot25Jaar_9": "k_15Tot25Jaar", "k_25Tot45Jaar_10": "k_25Tot45Jaar",
            "k_45Tot65Jaar_11": "k_45Tot65Jaar", "k_65JaarOfOuder_12": "k_65JaarOfOuder",
            "HuishoudensTotaal_29": "HuishoudensTotaal", "HuishoudensMetKinderen_32": "HuishoudensMetKinderen",
            "GemiddeldeHuishoudensgrootte_33": "GemiddeldeHuishoudensgrootte",
            "Bevolkingsdichtheid_34": "Bevolkingsdichtheid", "MateVanStedelijkheid": "MateVanStedelijkheid",
        },
        notes="Uitsnede Maastricht en Heerlen. Aantallen door CBS afgerond op vijftallen.",
    ),
    Source(
        key="47018NED-buurt-2024", path="cbs_kwb/kwb_2024_85984NED_buurt_basic_crime2024_maastricht_heerlen.csv",
        publisher=CBS + " en Politie", table_id="47018NED",
        title="Geregistreerde misdrijven; soort misdrijf, wijk en buurt", period="2024",
        kind="kwb", code_column="WijkenEnBuurten", year=2024, indeling_year=2024,
        columns={"GeregistreerdeMisdrijven_1_47018NED_2024": "GeregistreerdeMisdrijven"},
        notes="Totaal geregistreerde misdrijven 2024 (absoluut). De deelcategorieën in het bronbestand zijn "
        "door een derde samengesteld en worden niet geladen.",
    ),
    Source(
        key="85984NED-gemeente-wijk", defines_codes=True, path="cbs_kwb/kwb_2024_85984NED_gemeente_wijk_basic_nl.csv",
        publisher=CBS, table_id="85984NED", title="Kerncijfers wijken en buurten 2024 — gemeenten en wijken",
        period="2024", kind="kwb", code_column="regio_code", year=2024, indeling_year=2024,
        columns={
            "AantalInwoners_5": "AantalInwoners", "Mannen_6": "Mannen", "Vrouwen_7": "Vrouwen",
            "Bevolkingsdichtheid_34": "Bevolkingsdichtheid", "Woningvoorraad_35": "Woningvoorraad",
            "OppervlakteTotaal_122": "OppervlakteTotaal", "OppervlakteLand_123": "OppervlakteLand",
            "OppervlakteWater_124": "OppervlakteWater",
        },
    ),
    Source(
        key="84799NED-gemeente", defines_codes=True, sentinels=KAART_SENTINELS, path="cbs_kwb/kwb_2020_wijkbuurtkaart_84799NED_gemeente_socioeconomic_nl.csv",
        publisher=CBS + " / Kadaster", table_id="84799NED",
        title="Wijk- en buurtkaart 2020 (v2) met Kerncijfers wijken en buurten 2020 — gemeenten",
        period="2020", kind="kwb", code_column="GM_CODE", year=2020, indeling_year=2020,
        columns={
            "AANT_INW": "AantalInwoners", "AANTAL_HH": "HuishoudensTotaal",
            "P_00_14_JR": "PercentagePersonen0Tot15Jaar", "P_15_24_JR": "PercentagePersonen15Tot25Jaar",
            "P_65_EO_JR": "PercentagePersonen65JaarEnOuder", "P_EENP_HH": "PercentageEenpersoonshuishoudens",
            "P_HH_M_K": "PercentageHuishoudensMetKinderen", "P_KOOPWON": "Koopwoningen",
            "P_HUURWON": "HuurwoningenTotaal", "P_HUURCORP": "InBezitWoningcorporatie",
            "WWB_UITTOT": "PersonenPerSoortUitkeringBijstand", "AO_UIT_TOT": "PersonenPerSoortUitkeringAO",
            "WW_UIT_TOT": "PersonenPerSoortUitkeringWW",
            "OpleidingsniveauLaag_64": "OpleidingsniveauLaag",
            "OpleidingsniveauMiddelbaar_65": "OpleidingsniveauMiddelbaar",
            "OpleidingsniveauHoog_66": "OpleidingsniveauHoog",
            "GemiddeldInkomenPerInwoner_72": "GemiddeldInkomenPerInwoner",
            "k_40PersonenMetLaagsteInkomen_73": "k_40PersonenMetLaagsteInkomen",
            "HuishoudensMetEenLaagInkomen_78": "HuishoudensMetEenLaagInkomen",
            "HuishOnderOfRondSociaalMinimum_79": "HuishOnderOfRondSociaalMinimum",
            "MediaanVermogenVanParticuliereHuish_82": "MediaanVermogenVanParticuliereHuish",
        },
        notes="Alle 355 gemeenten van 2020, geen landtotaal. Percentages uit de kaart zijn door CBS op gehele "
        "getallen afgerond. Inkomen en uitkeringen hebben een eerder verslagjaar dan 2020.",
    ),
    # KWB 2020 as CBS served it in March 2021 (recorded TypedDataSet; see data/PROVENANCE.md). Income, education,
    # labour participation, jeugdzorg and housing were not yet published then: those columns are not shipped, so
    # they stay missing (never zero). Gemeente rows are left out of this file because the Wijk- en buurtkaart
    # 2020 file above carries the same gemeente figures (identical values); the gemeente file below only has the
    # columns the kaart file does not map, so no (area, year, variable) cell comes from two sources.
    Source(
        key="84799NED-buurt", path="cbs_kwb/kwb_2020_84799NED_buurt_wijk_nl_maastricht_heerlen.csv",
        publisher=CBS, table_id="84799NED",
        title="Kerncijfers wijken en buurten 2020 (stand maart 2021) — Nederland, wijken en buurten Maastricht "
        "en Heerlen", period="2020", kind="kwb", code_column="Codering_3", year=2020, indeling_year=2020,
        columns={
            "AantalInwoners_5": "AantalInwoners", "HuishoudensTotaal_28": "HuishoudensTotaal",
            "PersonenPerSoortUitkeringBijstand_83": "PersonenPerSoortUitkeringBijstand",
            "PersonenPerSoortUitkeringAO_84": "PersonenPerSoortUitkeringAO",
            "PersonenPerSoortUitkeringWW_85": "PersonenPerSoortUitkeringWW",
            **{c: statline_key(c) for c in ("Mannen_6", "Vrouwen_7", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9",
                                           "k_25Tot45Jaar_10", "k_45Tot65Jaar_11", "k_65JaarOfOuder_12",
                                           "HuishoudensMetKinderen_31", "GemiddeldeHuishoudensgrootte_32",
                                           "Bevolkingsdichtheid_33", "PersonenPerSoortUitkeringAOW_86",
                                           "MateVanStedelijkheid_115")},
        },
        notes="Stand van maart 2021 (CBS-tabel gewijzigd 26-03-2021); latere updates van 84799NED vulden meer "
        "thema's. Uitkeringen: voorlopige cijfers, zonder personen in instellingen en dak- en thuislozen. Een "
        "leeg veld (kleine buurten, niet gepubliceerde thema's) blijft ontbreken.",
    ),
    Source(
        key="84799NED-gemeente-bevolking", path="cbs_kwb/kwb_2020_84799NED_gemeente_population_nl.csv",
        publisher=CBS, table_id="84799NED",
        title="Kerncijfers wijken en buurten 2020 (stand maart 2021) — gemeenten, leeftijd en huishoudens",
        period="2020", kind="kwb", code_column="Codering_3", year=2020, indeling_year=2020,
        columns={c: statline_key(c) for c in ("Mannen_6", "Vrouwen_7", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9",
                                             "k_25Tot45Jaar_10", "k_45Tot65Jaar_11", "k_65JaarOfOuder_12",
                                             "HuishoudensMetKinderen_31", "GemiddeldeHuishoudensgrootte_32",
                                             "Bevolkingsdichtheid_33", "PersonenPerSoortUitkeringAOW_86",
                                             "MateVanStedelijkheid_115")},
        notes="Alle 355 gemeenten van 2020; alleen de kolommen die niet al uit de Wijk- en buurtkaart 2020 komen.",
    ),
    # The same recording: the population of every other buurt of the country, so that a comparison buurt elsewhere
    # gets a standard error on the same basis as the focus buurten (metrics/margins.py; no default margin).
    Source(
        key="84799NED-buurt-nl-bevolking", path="cbs_kwb/kwb_2020_84799NED_buurt_population_nl.csv",
        publisher=CBS, table_id="84799NED",
        title="Kerncijfers wijken en buurten 2020 (stand maart 2021) — inwoners per buurt, heel Nederland",
        period="2020", kind="kwb", code_column="Codering_3", year=2020, indeling_year=2020,
        columns={"AantalInwoners_5": "AantalInwoners", "k_0Tot15Jaar_8": "k_0Tot15Jaar",
                 "k_65JaarOfOuder_12": "k_65JaarOfOuder"},
        notes="Alle 13.707 buurten buiten Maastricht en Heerlen (die staan in het bestand hierboven); alleen "
        "inwoners, 0-14 en 65+, als basis voor de onzekerheid van vergelijkbare buurten.",
    ),
    Source(
        key="84583NED-gemeente", defines_codes=True, path="cbs_kwb/kwb_2019_gemeente_population_subset.csv",
        publisher=CBS, table_id="84583NED", title="Kerncijfers wijken en buurten 2019 — gemeenten (bevolking)",
        period="2019", kind="kwb", code_column="unique_id", year=2019, indeling_year=2019,
        columns={
            "population": "AantalInwoners", "b_00_14": "k_0Tot15Jaar", "b_15_24": "k_15Tot25Jaar",
            "b_25_44": "k_25Tot45Jaar", "b_45_64": "k_45Tot65Jaar", "b_65_oo": "k_65JaarOfOuder",
        },
    ),
    Source(
        key="86165NED-buurt", path="cbs_kwb/kwb_2025_86165NED_buurt_woz_tenure_maastricht.csv",
        publisher=CBS, table_id="86165NED", title="Kerncijfers wijken en buurten 2025 — buurten Maastricht",
        period="2025", kind="kwb", code_column="gwb_code_10", year=2025, indeling_year=2025,
        columns={
            "a_inw": "AantalInwoners", "a_woning": "Woningvoorraad", "p_huurw": "HuurwoningenTotaal",
            "p_mgezw": "PercentageMeergezinswoning", "g_wozbag": "GemiddeldeWOZWaardeVanWoningen",
            "g_afs_gs": "AfstandTotGroteSupermarkt",
            "pct_1p_hh_derived": "PercentageEenpersoonshuishoudensAfgeleid",
        },
        notes="Alleen Maastrichtse buurten met ten minste 250 inwoners en 100 woningen (38 buurten).",
    ),
]

DATA_PROPERTIES_2024 = "cbs_kwb/kwb_2024_85984NED_DataProperties.json"

GEO = [
    Source(key="geo-buurt-2020-maastricht", path="geo/cbs_buurt_2020_maastricht_generalized.geojson",
           publisher="CBS / Kadaster", table_id="Wijk- en buurtkaart 2020 (gegeneraliseerd)",
           title="Buurtgrenzen Maastricht 2020", period="2020", kind="geo", indeling_year=2020,
           notes="Gegeneraliseerd, coördinaten afgerond op 0,001°."),
    Source(key="geo-wijk-2020-maastricht", path="geo/cbs_wijk_2020_maastricht_dissolved_from_buurten.geojson",
           publisher="CBS / Kadaster", table_id="Wijk- en buurtkaart 2020 (afgeleid)",
           title="Wijkgrenzen Maastricht 2020 (samengevoegd uit buurten)", period="2020", kind="geo",
           indeling_year=2020),
    Source(key="geo-buurt-2014-nl", path="geo/cbs_buurt_2014_nl_coarse_q1e3.topojson",
           publisher="CBS / Kadaster (PDOK)", table_id="CBS gebiedsindelingen 2014",
           title="Buurtgrenzen Nederland 2014 (grof)", period="2014", kind="geo", indeling_year=2014,
           notes="Gekwantiseerd op ca. 300 m; alleen voor het landelijk overzicht."),
    Source(key="geo-wijk-2014-nl", path="geo/cbs_wijk_2014_nl.topojson",
           publisher="CBS / Kadaster (PDOK)", table_id="CBS gebiedsindelingen 2014",
           title="Wijkgrenzen Nederland 2014", period="2014", kind="geo", indeling_year=2014),
]
