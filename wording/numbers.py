"""Small Dutch number words (house style: small counts in words, larger ones in digits)."""
from __future__ import annotations

from metrics import fmt

NUMBER_WORDS = ["geen", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
                "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien",
                "twintig"]


def count_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else fmt.number(n, 0)
