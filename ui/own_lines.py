"""Own-measurement lines among the CBS lines (Successen en tegenvallers): each with the tag *eigen meting*, its
period against the programme start, and its provenance (bron, n) on a line of its own, so it stays visibly
distinct from a CBS/RIVM line. Plain HTML: an editor's label is escaped, never read as Markdown."""
from __future__ import annotations

import html
from typing import Iterable

import streamlit as st

from models.successen import OwnMovement


def item(mv: OwnMovement, pillar: bool = True) -> str:
    text = html.escape(mv.sentence)
    if pillar:
        text += f" — <em>{html.escape(mv.pillar)}</em>"
    return (f"<li><span class='wm-tag'>{html.escape(mv.tag)}</span> {text}"
            f"<div class='wm-source'>{html.escape(mv.provenance)}</div></li>")


def own_list(items: Iterable[OwnMovement], pillar: bool = True) -> None:
    """The lines as one list (one element for the browser)."""
    lines = [item(mv, pillar) for mv in items]
    if lines:
        st.markdown("<ul>" + "".join(lines) + "</ul>", unsafe_allow_html=True)
