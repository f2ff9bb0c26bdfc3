"""Make the shipped 84799NED (KWB 2020) extracts in data/cbs_kwb/ from the recorded CBS files.

Developer tool, run once by hand; the app never reads the shared folder. Input: the exact statline-bq parquet files in
the recorded-cbs ``84799NED/`` folder (see data/PROVENANCE.md). Values, padding and nulls are copied
unchanged; only rows and columns are selected (empty field = null in the TypedDataSet). Usage:

    .venv/bin/python scripts/trim_recorded_84799.py <recorded-cbs>/84799NED
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RECORDED = Path(sys.argv[1]) if len(sys.argv) > 1 else None  # the recorded-cbs/84799NED folder
OUT = ROOT / "data/cbs_kwb"

ID_COLUMNS = ["WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2", "Codering_3"]
# Published in the March-2021 state and used by the catalog or as a weighting base.
POPULATION = ["Mannen_6", "Vrouwen_7", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_25Tot45Jaar_10",
              "k_45Tot65Jaar_11", "k_65JaarOfOuder_12", "HuishoudensMetKinderen_31",
              "GemiddeldeHuishoudensgrootte_32", "Bevolkingsdichtheid_33", "PersonenPerSoortUitkeringAOW_86",
              "MateVanStedelijkheid_115"]
# Also in the shipped Wijk- en buurtkaart 2020 gemeente file (same figures): not repeated for gemeenten.
IN_KAART = ["AantalInwoners_5", "HuishoudensTotaal_28", "PersonenPerSoortUitkeringBijstand_83",
            "PersonenPerSoortUitkeringAO_84", "PersonenPerSoortUitkeringWW_85"]
GEMEENTEN = ("0935", "0917")  # Maastricht, Heerlen
NATIONAL_BUURT = ["AantalInwoners_5", "k_0Tot15Jaar_8", "k_65JaarOfOuder_12"]


def main() -> None:
    if RECORDED is None:
        sys.exit(__doc__)
    td = pd.read_parquet(RECORDED / "cbs.v3.84799NED_TypedDataSet.parquet")
    regions = pd.read_parquet(RECORDED / "cbs.v3.84799NED_WijkenEnBuurten.parquet")
    title = dict(zip(regions["Key"], regions["Title"]))
    td.insert(1, "regio", td["WijkenEnBuurten"].map(title))
    code = td["Codering_3"].str.strip()
    local = code.eq("NL00") | (code.str[:2].isin(["WK", "BU"]) & code.str[2:6].isin(GEMEENTEN))
    cols = ["WijkenEnBuurten", "regio", *ID_COLUMNS[1:], *IN_KAART, *POPULATION]
    _write(td.loc[local, cols], OUT / "kwb_2020_84799NED_buurt_wijk_nl_maastricht_heerlen.csv")
    gm = code.str.startswith("GM")
    _write(td.loc[gm, ["WijkenEnBuurten", "regio", *ID_COLUMNS[1:], *POPULATION]],
           OUT / "kwb_2020_84799NED_gemeente_population_nl.csv")
    # Every other buurt of the country: the base populations of the standard errors of comparison buurten
    # (metrics/margins.py). No names (the buurt names come from 50090NED), only the three counts.
    other = code.str.startswith("BU") & ~code.str[2:6].isin(GEMEENTEN)
    _write(td.loc[other, ["WijkenEnBuurten", *ID_COLUMNS[2:], *NATIONAL_BUURT]],
           OUT / "kwb_2020_84799NED_buurt_population_nl.csv")
    # Every wijk of the country with its name and inwoners: the check that the codes of config [nplv] are CBS
    # wijken of indeling 2020 with the names the config says (tests/test_similar.py). Not loaded by the app.
    wk = code.str.startswith("WK")
    _write(td.loc[wk, ["WijkenEnBuurten", "regio", *ID_COLUMNS[1:], "AantalInwoners_5"]],
           OUT / "kwb_2020_84799NED_wijk_names_nl.csv")


def _write(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype.kind == "f":  # nullable counts came as double: 260.0 → "260", null → ""
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(v)))
    out.to_csv(path, index=False)
    print(path.relative_to(ROOT), len(out), "rows")


if __name__ == "__main__":
    main()
