"""The wethouder's briefing, made on request: both files in one click (the Presentatie page's button)."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from .model import Briefing, Inputs, assemble
from .pdf import to_pdf
from .pptx import to_pptx


@dataclass
class Export:
    pptx: bytes
    pdf: bytes
    briefing: Briefing
    seconds: dict[str, float]


def export(inp: Inputs) -> Export:
    """Both files in one go (the page's single button); timings per step for the benchmark."""
    t0 = time.perf_counter()
    b = assemble(inp)
    t1 = time.perf_counter()
    pptx = to_pptx(b)
    t2 = time.perf_counter()
    pdf = to_pdf(b)
    t3 = time.perf_counter()
    secs = {**b.seconds, "pptx": t2 - t1, "pdf": t3 - t2, "totaal": t3 - t0}
    return Export(pptx, pdf, b, secs)


def file_stem(today: dt.date) -> str:
    return f"briefing-veerkrachtige-wijken-{today.isoformat()}"

