"""Made-up own measurements for the page tests and the screenshot script (never shipped: the real database
holds no own indicator until the programme uploads one).

Four indicators, chosen so every kind of line appears on Successen en tegenvallers and the Buurtprofiel:

- schuldhulp_aanmeldingen (register per 1.000, lower is better, quarters 2025-K2 → 2025-K3, in the start year):
  Nazareth 40 → 12 per 1.250 (improved beyond the margin), Pottenberg 30 → 7 (the 7 is withheld: '<10'),
  Maastricht 900 → 880 per 60.000 (inside the margin);
- deelnemers_activiteiten (count, no direction, quarters 2026-K1 → 2026-K2, after the start): Nazareth 20 → 60
  ('gestegen', no judgement), Pottenberg 25 → 28 (inside the margin);
- ervaren_gezondheid (score 0–10, higher is better, years 2025 → 2026): Pottenberg 7,2 → 6,5 with n = 150
  (worse beyond the margin), Nazareth one measurement (2026);
- invloed_op_buurt (share, higher is better, years 2024 → 2025, **intern**): Nazareth 31 → 45 % with n = 240
  (improved) — only a signed-in editor may see it.
"""
from __future__ import annotations

import datetime as dt

from loaders import auth

TODAY = dt.date(2026, 12, 1)
PASSWORD = "correct horse battery"
ACCOUNTS = {"pm": auth.hash_password(PASSWORD)}

# The made-up indicators of every own-measurement test, by id; zichtbaarheid is chosen per test (defs()).
INDICATORS = {
    "schuldhulp_aanmeldingen": """\
id = "schuldhulp_aanmeldingen"
label = "Aanmeldingen schuldhulpverlening"
pijler = "bestaanszekerheid"
soort = "register"
eenheid = "per_1000"
richting = "lager_beter"
definitie = "Aanmeldingen bij de schuldhulpverlening per 1.000 huishoudens, per kwartaal."
bron = "Gemeente Maastricht, schuldhulpverlening"
frequentie = "kwartaal"
""",
    "deelnemers_activiteiten": """\
id = "deelnemers_activiteiten"
label = "Deelnemers aan buurtactiviteiten"
pijler = "gelijke_kansen"
soort = "aantal"
eenheid = "aantal"
richting = "neutraal"
definitie = "Aantal deelnemers aan activiteiten in het buurthuis, per kwartaal."
bron = "Buurthuis, deelnemersregistratie"
frequentie = "kwartaal"
""",
    "ervaren_gezondheid": """\
id = "ervaren_gezondheid"
label = "Ervaren gezondheid (rapportcijfer)"
pijler = "positieve_gezondheid"
soort = "score"
eenheid = "score"
richting = "hoger_beter"
definitie = "Gemiddeld rapportcijfer voor de eigen gezondheid in de bewonerspeiling."
bron = "Bewonerspeiling Veerkrachtige Wijken"
frequentie = "jaar"
""",
    "invloed_op_buurt": """\
id = "invloed_op_buurt"
label = "Ik heb invloed op wat er in mijn buurt gebeurt"
pijler = "positieve_gezondheid"
soort = "steekproef"
eenheid = "percentage"
richting = "hoger_beter"
definitie = "Aandeel (helemaal) mee eens in de bewonerspeiling."
bron = "Bewonerspeiling Veerkrachtige Wijken"
frequentie = "jaar"
""",
    "vertrouwen_intern": """\
id = "vertrouwen_intern"
label = "Vertrouwen in de wijkteams (intern)"
pijler = "positieve_gezondheid"
soort = "steekproef"
eenheid = "percentage"
richting = "hoger_beter"
definitie = "Aandeel met (veel) vertrouwen in de wijkteams."
bron = "Interne peiling"
frequentie = "jaar"
""",
    "kinderen_voorschool": """\
id = "kinderen_voorschool"
label = "Kinderen in de voorschool"
pijler = "gelijke_kansen"
soort = "aantal"
eenheid = "aantal"
richting = "hoger_beter"
definitie = "Kinderen van 2 tot 4 jaar met een plaats in de voor- en vroegschoolse educatie."
bron = "GGD Zuid Limburg, VVE-monitor"
frequentie = "jaar"
""",
}


def defs(*ids: str, intern: tuple[str, ...] = ()) -> bytes:
    """A definitions file (TOML) with the indicators ``ids`` in that order; those in ``intern`` marked intern."""
    return "\n".join("[[indicator]]\n" + INDICATORS[i] + ('zichtbaarheid = "intern"\n' if i in intern else "")
                     for i in ids).encode()


DEFS = defs("schuldhulp_aanmeldingen", "deelnemers_activiteiten", "ervaren_gezondheid", "invloed_op_buurt",
            intern=("invloed_op_buurt",))


UPLOADS = (
    ("schuldhulp_aanmeldingen", "gebiedscode;periode;teller;noemer\n"
     "BU09350403;2025-K2;40;1250\nBU09350203;2025-K2;30;1245\nGM0935;2025-K2;900;60000\n"
     "BU09350403;2025-K3;12;1250\nBU09350203;2025-K3;7;1245\nGM0935;2025-K3;880;60000\n"),
    ("deelnemers_activiteiten", "gebiedscode;periode;aantal\n"
     "BU09350403;2026-K1;20\nBU09350203;2026-K1;25\nBU09350403;2026-K2;60\nBU09350203;2026-K2;28\n"),
    ("ervaren_gezondheid", "gebiedscode;periode;gemiddelde;sd;n\n"
     "BU09350203;2025;7,2;1,2;150\nBU09350203;2026;6,5;1,3;150\nBU09350403;2026;7,0;1,1;120\n"),
    ("invloed_op_buurt", "gebiedscode;periode;aandeel;n\nBU09350403;2024;31,0;240\nBU09350403;2025;45,0;240\n"),
)


def editor() -> auth.Editor:
    ed = auth.login_with_password("pm", PASSWORD, ACCOUNTS)
    assert ed is not None
    return ed


def load(url: str, definitions: bytes, uploads) -> None:
    """Into a built database: migrate the programme tables, define ``definitions`` and upload ``uploads``
    (``[(indicator id, CSV text), ...]``, in order), all as the made-up editor, on TODAY."""
    from loaders.db import get_engine
    from loaders.migrations import migrate_user_tables
    from wijkmonitor import own

    with get_engine(url).begin() as conn:
        migrate_user_tables(conn)
    ed = editor()
    own.define_file(url, ed, definitions, "def.toml")
    for i, (ident, text) in enumerate(uploads):
        own.upload(url, ed, ident, text.encode(), f"{ident}-{i}.csv", today=TODAY)


def populate(url: str) -> None:
    """Define the four indicators and upload their values into a built database (user tables migrated)."""
    load(url, DEFS, UPLOADS)
