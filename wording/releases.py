"""Release wording from one function, used by the Doelen page, the slides, the one-page briefing, PDF and PPTX.

A next-release date is an estimate (latest period + frequency + publication lag): the word is *schatting van de
datum*, never "the data are estimates". A date on or before `today` is "al verwacht, nog niet geladen".
"""
from __future__ import annotations

import datetime as dt

from metrics import fmt
from metrics.releases import EditionState, Freshness, Release, edition_word

PUBLISHED = "gepubliceerd, nog niet geladen"
PUBLISHED_SHORT = "al verschenen"  # a slide tile; its note says 'nog niet geladen'

ESTIMATE = "schatting van de datum"
OVERDUE = "al verwacht, nog niet geladen"


def month_year(d: dt.date) -> str:
    return f"{fmt.MONTHS[d.month - 1]} {d.year}"


def expected(date: dt.date | None, today: dt.date) -> str:
    """'verwacht rond juni 2027' or 'al verwacht, nog niet geladen' (or 'geen datum bekend')."""
    if date is None:
        return "geen datum bekend"
    if date <= today:
        return OVERDUE
    return f"verwacht rond {month_year(date)}"


def release_phrase(r: Release, today: dt.date) -> str:
    """The next edition of a source: 'meting 2022: gepubliceerd, nog niet geladen (50120NED, met
    betrouwbaarheidsintervallen)' / 'meting 2024: al verwacht, nog niet geladen' / 'meting 2026: verwacht rond
    juni 2027'."""
    what = f"meting {r.next_period}" if r.next_period else "volgende editie"
    if r.published:
        extra = ", ".join(x for x in (r.next_table, r.next_adds) if x)
        return f"{what}: {PUBLISHED}" + (f" ({extra})" if extra else "")
    return f"{what}: {expected(r.next_release, today)}"


def _names(labels) -> str:
    names = [(a[0].lower() + a[1:]).replace("eén", "één") for a in labels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def _pending_phrases(source: str, pending: tuple[EditionState, ...], today: dt.date) -> list[str]:
    word = edition_word(source)
    out = []
    pub = [s for s in pending if s.state == "gepubliceerd"]
    if len(pub) == 1:
        e = pub[0].edition
        extra = ", ".join(x for x in (e.table, e.adds) if x)
        out.append(f"{word} {e.period} {PUBLISHED}" + (f" ({extra})" if extra else ""))
    elif pub:
        tabs = ", ".join(f"{s.edition.period}: {s.edition.table}" if s.edition.table else str(s.edition.period)
                         for s in pub)
        adds = pub[0].edition.adds
        out.append(f"nieuwere {word}en" + (f" met {adds}" if adds else "") + f" {PUBLISHED} ({tabs})")
    for s in pending:
        e = s.edition
        if s.state == "deels":
            out.append(f"{word} {e.period} geladen zonder {_names(s.missing)}")
        elif s.state == "verwacht":
            out.append(f"{word} {e.period} " + ("al verwacht (schatting), nog niet geladen" if s.overdue else
                                                f"verwacht rond {month_year(e.expected)} (schatting)"
                                                if e.expected else "verwacht"))
    return out


def freshness_sentence(f: Freshness, today: dt.date) -> str:
    """'Gezondheid per buurt: nieuwste 2020; editie 2022 gepubliceerd, nog niet geladen (50120NED, met
    betrouwbaarheidsintervallen); … (moeite met rondkomen) — bijwerken via Data en methode'."""
    r = f.release
    txt = f"{f.short}: nieuwste {f.newest}"
    parts = _pending_phrases(f.source, f.pending, today)
    if not parts and r.next_period is not None and r.next_release is not None:
        word = edition_word(f.source)
        parts.append(f"{word} {r.next_period} al verwacht, nog niet geladen" if r.overdue else
                     f"{word} {r.next_period} verwacht rond {fmt.date(r.next_release)} (schatting)")
    if not parts:
        return txt + "."
    txt += "; " + "; ".join(parts)
    if f.adds:
        more = len(f.adds) - 3
        names = [(a[0].lower() + a[1:]).replace("eén", "één") for a in f.adds[:3]]
        txt += " (indicatoren: " + ", ".join(names) + (f" en {more} meer" if more > 0 else "") + ")"
    return txt + " — bijwerken via Data en methode"


def outcome_sentence(states: list[EditionState]) -> str:
    """Which refresh brings a pillar's first outcome figure per buurt: 'Ze staan in de Kerncijfers wijken en
    buurten 2021 (85039NED), 2022 (85318NED) en 2023 (85618NED), gepubliceerd, nog niet geladen, en 2024
    (85984NED), geladen zonder deze cijfers — bijwerken via Data en methode.'"""
    def listing(sts):
        items = [f"{s.edition.period} ({s.edition.table})" for s in sts]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
    pub = [s for s in states if s.state == "gepubliceerd"]
    part = [s for s in states if s.state == "deels"]
    bits = ([f"{listing(pub)}, {PUBLISHED}"] if pub else []) + ([f"{listing(part)}, geladen zonder deze cijfers"]
                                                               if part else [])
    if not bits:
        return ""
    return "Ze staan in de Kerncijfers wijken en buurten " + ", en ".join(bits) + " — bijwerken via Data en methode."


def frequency(r: Release) -> str:
    from .numbers import count_word

    return "elk jaar" if r.frequency_years == 1 else f"elke {count_word(int(r.frequency_years))} jaar"


def explanation(r: Release, today: dt.date) -> str:
    """One line per source for notes and appendices."""
    return (f"{r.label}: laatste periode in de data {r.latest_period or 'onbekend'}; gemeten {frequency(r)} "
            f"({r.measured_in}); {release_phrase(r, today)}{'' if r.published else f' ({ESTIMATE})'}. "
            f"{r.note}").strip()
