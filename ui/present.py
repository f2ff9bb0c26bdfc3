"""Presentation mode: a self-contained 16:9 slideshow (HTML, CSS and a little JavaScript) in an iframe.

- Every size is relative to the slide (CSS container units), so the slide reads the same on a laptop, a
  1280x720 beamer and a 1920x1080 screen: body text about 4% of the slide height (a slide's 20-pt text),
  big numbers about 9%, sources and chart labels at least 2.7%.
- Without full screen the slide is fitted to the browser window (never taller than the window below its top
  edge), so it is fully visible without scrolling, with the "Volledig scherm (F)" button highlighted.
- Keyboard, as a presentation clicker sends it: ArrowRight / ArrowDown / PageDown / Space = next,
  ArrowLeft / ArrowUp / PageUp = previous, Home / End = first / last, N = presenter notes, F = full screen
  (Fullscreen API), B or . = black screen. Keys also work when the page around the slideshow has focus.
- High contrast: near-black on white (contrast above 15:1), the focus buurten identified by colour stripe and
  by name, never by colour alone. Charts are SVG images rendered server-side with a text alternative.

`slideshow_html` is pure (tested on its own); `show` puts it on the page.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import streamlit as st

from metrics import fmt
from metrics.briefing import FOCUS_AREAS, MAASTRICHT
from charts import slide_charts
from charts.palette import colour_for
from wording.slides import BigNumber, Deck, Slide, version_text

UNIT_SPLIT = re.compile(r"^(€ )?([<−+\-]?[\d.,]+)( .+)$")
SLIDE_CHART = {"width": 900, "height": 380, "font": 30}
SLIDE_MAP = {"width": 760, "height": 560, "font": 30}

CSS = """
*{box-sizing:border-box}
html,body{margin:0;padding:0;background:#fff;color:#111;font-family:"DejaVu Sans","Segoe UI",Arial,sans-serif}
#deck{position:relative;margin:0 auto}
.stage{position:relative;width:100%;aspect-ratio:16/9;container-type:size;background:#fff;overflow:hidden;
  border:1px solid #8a96a3;outline:none}
.stage:focus-visible{outline:4px solid #01689B;outline-offset:2px}
.slide{position:absolute;inset:0;display:flex;flex-direction:column;padding:4.2cqh 3.4cqw 2.6cqh 3.4cqw}
.slide[hidden]{display:none}
.q{margin:0;font-size:calc(var(--fit,1)*3.6cqh);font-weight:700;color:#01689B;line-height:1.2}
.t{margin:.4cqh 0 0 0;font-size:calc(var(--fit,1)*5.6cqh);font-weight:700;line-height:1.12;color:#111}
.body{flex:1 1 auto;min-height:0;display:flex;gap:3cqw;margin-top:3cqh}
.body.no-chart{flex:0 1 auto}
.nums{display:flex;gap:2.6cqw;min-width:0}
.with-chart .nums{flex:0 0 36%;flex-direction:column;gap:calc(var(--fit,1)*1.6cqh);justify-content:flex-start}
.no-chart .nums{flex:1 1 auto;flex-direction:row;align-items:flex-start}
.no-chart .num{flex:1 1 0}
.num{border-left:.9cqh solid var(--stripe,#01689B);padding:.4cqh 0 .4cqh 1.6cqw;min-width:0}
.lab{margin:0;font-size:calc(var(--fit,1)*3.3cqh);line-height:1.2;font-weight:700;overflow-wrap:anywhere}
.lab .area{display:block}
.lab .what{display:block;font-weight:400}
.val{margin:0;font-size:calc(var(--fit,1)*8cqh);font-weight:700;line-height:1.17;white-space:nowrap}
.no-chart .val{font-size:calc(var(--fit,1)*10.5cqh)}
.val.long{font-size:calc(var(--fit,1)*6.4cqh);white-space:normal}
.no-chart .val.long{font-size:calc(var(--fit,1)*7cqh)}
.meta{margin:0;font-size:calc(var(--fit,1)*2.9cqh);line-height:1.25;color:#333}
.chart{flex:1 1 0;min-width:0;min-height:0;margin:0;display:flex;align-items:center;justify-content:center}
.chart img{width:100%;height:100%;object-fit:contain}
.bullets{margin:0;padding-left:2.4cqw;font-size:calc(var(--fit,1)*3.3cqh);line-height:1.35}
.text{margin:1.8cqh 0 0 0;font-size:calc(var(--fit,1)*3.8cqh);line-height:1.3}
.empty .text{font-size:calc(var(--fit,1)*4.6cqh);margin-top:4cqh}
footer{display:flex;justify-content:space-between;align-items:flex-end;gap:2cqw;margin-top:auto;padding-top:1.6cqh;
  font-size:calc(var(--fit,1)*2.9cqh);color:#333;line-height:1.25}
footer .count{white-space:nowrap;font-weight:700;color:#111}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
#black{position:absolute;inset:0;background:#000;display:none;z-index:5}
#deck.black #black{display:block}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-top:8px;font-size:15px}
.controls button{font:inherit;font-size:16px;padding:8px 14px;border:2px solid #01689B;background:#fff;
  color:#01689B;border-radius:6px;cursor:pointer}
.controls button:hover{background:#E8F1F7}
.controls button:focus-visible{outline:3px solid #111;outline-offset:2px}
.controls .hint{color:#333}
.controls #full{background:#01689B;color:#fff}
.controls #full:hover{background:#014F77}
#notes{display:none;margin-top:10px;padding:14px 18px;border:2px solid #01689B;border-radius:6px;
  font-size:17px;line-height:1.45;white-space:pre-wrap;background:#F5F8FB;color:#111}
#deck.show-notes #notes{display:block}
.val.words,.no-chart .val.words{font-size:calc(var(--fit,1)*5.4cqh);white-space:normal;line-height:1.15}
.val .unit{font-size:calc(var(--fit,1)*3.3cqh);font-weight:400;margin-left:.3em;white-space:nowrap}
.val.split{white-space:normal}
:fullscreen body{background:#000}
:fullscreen #deck{width:100vw;max-width:none!important;height:100vh;background:#000;display:flex;align-items:center;justify-content:center}
:fullscreen .stage{width:min(100vw,177.78vh);height:min(100vh,56.25vw);aspect-ratio:auto;border:0}
:fullscreen .controls{display:none}
:fullscreen #notes{position:fixed;left:2vw;right:2vw;bottom:2vh;max-height:42vh;overflow:auto;z-index:6;
  background:#111;color:#fff;border-color:#fff;font-size:max(18px,2.4vh)}
"""

JS = """
(function(){
  const deck = document.getElementById('deck');
  const stage = deck.querySelector('.stage');
  const slides = Array.from(deck.querySelectorAll('.slide'));
  const notes = JSON.parse(document.getElementById('notes-data').textContent);
  const notesEl = document.getElementById('notes');
  const live = document.getElementById('live');
  const storeKey = deck.dataset.store;
  const n = slides.length;
  let i = 0;
  try { i = Math.min(Math.max(parseInt(sessionStorage.getItem(storeKey) || '0', 10) || 0, 0), n - 1); } catch (e) {}
  // Shrink a slide's type (never below 90%) when its content does not fit; sizes are relative to the
  // slide, so the result is the same at every resolution.
  const FIT_PARTS = '.slide,.body,.nums,.num,.lab,.val,.meta,.text,.t,.q,footer,.bullets,.chart';
  function overflows(s) {
    return [s, ...s.querySelectorAll(FIT_PARTS)].some(el =>
      el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1);
  }
  function fit(s) {
    let f = 1;
    s.style.setProperty('--fit', '1');
    while (overflows(s) && f > 0.91) {
      f = Math.round((f - 0.05) * 100) / 100;
      s.style.setProperty('--fit', String(f));
    }
    s.dataset.fit = String(f);
  }
  // Fit the slide to the window: as wide as the column allows, but never taller than the part of the browser
  // window below the slideshow's top edge (minus the controls), so the whole slide and the "Volledig scherm (F)"
  // button are visible without scrolling on a 1280x720 beamer.
  const controls = deck.querySelector('.controls');
  function fitStage() {
    if (document.fullscreenElement) { deck.style.maxWidth = ''; return; }
    let w = Infinity;
    try {
      const fe = window.frameElement, pw = window.parent;
      if (fe && pw && pw !== window) {
        const top = fe.getBoundingClientRect().top + (pw.scrollY || 0);
        const avail = pw.innerHeight - top - controls.offsetHeight - 24;
        w = Math.max(480, avail * 16 / 9);
      }
    } catch (e) {}
    deck.style.maxWidth = Number.isFinite(w) ? Math.floor(w) + 'px' : '';
    deck.dataset.fitted = Number.isFinite(w) ? '1' : '0';
  }
  function show(k) {
    i = Math.min(Math.max(k, 0), n - 1);
    slides.forEach((s, j) => { s.hidden = j !== i; });
    fit(slides[i]);
    notesEl.textContent = 'Notities bij dia ' + (i + 1) + ':\\n' + notes[i];
    deck.dataset.current = String(i + 1);
    live.textContent = 'Dia ' + (i + 1) + ' van ' + n + ': ' + slides[i].dataset.title;
    try { sessionStorage.setItem(storeKey, String(i)); } catch (e) {}
  }
  function toggleNotes() { deck.classList.toggle('show-notes'); }
  function toggleFull() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
    stage.focus({preventScroll: true});
  }
  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const tag = (e.target && e.target.tagName) || '';
    if (tag === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return false;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowDown': case 'PageDown': case ' ': show(i + 1); break;
      case 'ArrowLeft': case 'ArrowUp': case 'PageUp': show(i - 1); break;
      case 'Home': show(0); break;
      case 'End': show(n - 1); break;
      case 'n': case 'N': toggleNotes(); break;
      case 'f': case 'F': toggleFull(); break;
      case 'b': case 'B': case '.': deck.classList.toggle('black'); break;
      default: return false;
    }
    e.preventDefault();
    return true;
  }
  document.addEventListener('keydown', onKey);
  document.addEventListener('fullscreenchange', () => { fitStage(); fit(slides[i]); });
  window.addEventListener('resize', () => fit(slides[i]));
  try { window.parent.addEventListener('resize', () => { fitStage(); fit(slides[i]); }); } catch (e) {}
  stage.addEventListener('click', () => stage.focus({preventScroll: true}));
  document.getElementById('prev').addEventListener('click', () => show(i - 1));
  document.getElementById('next').addEventListener('click', () => show(i + 1));
  document.getElementById('notes-btn').addEventListener('click', toggleNotes);
  document.getElementById('full').addEventListener('click', toggleFull);
  // A clicker talks to whatever has focus: also listen on the page around the iframe (same origin), but only
  // when nothing there that takes keys (a field, a list, a tab) has focus.
  try {
    const pw = window.parent;
    if (pw && pw !== window) {
      if (pw.__wmDeckKeys) pw.document.removeEventListener('keydown', pw.__wmDeckKeys);
      const handler = function(e) {
        try {
          if (!window.frameElement || !window.frameElement.isConnected) {
            pw.document.removeEventListener('keydown', handler); return;
          }
          const t = e.target;
          const busy = t && t !== pw.document.body && t !== pw.document.documentElement &&
            (t.closest('input,textarea,select,button,[contenteditable],[role=listbox],[role=combobox],' +
                       '[role=tab],[role=slider],[role=menu],[role=option]'));
          if (!busy) onKey(e);
        } catch (err) { pw.document.removeEventListener('keydown', handler); }
      };
      pw.__wmDeckKeys = handler;
      pw.document.addEventListener('keydown', handler);
    }
  } catch (e) {}
  fitStage();
  show(i);
})();
"""


def _e(s: str) -> str:
    return html.escape(s or "", quote=True)


def _stripe(n: BigNumber) -> str:
    if n.area_code in (*FOCUS_AREAS, MAASTRICHT):
        return colour_for(n.area_code)
    return "#01689B"


def _number_html(n: BigNumber) -> str:
    what = n.label if n.area else ""
    head = (f"<span class='area'>{_e(n.area)}</span><span class='what'>{_e(what)}</span>" if n.area
            else f"<span class='area'>{_e(n.label)}</span>")
    meta = " · ".join(x for x in (n.year, n.note) if x)
    m = UNIT_SPLIT.match(n.value)
    if m and len(m.group(3)) > 5:  # '8,0 per 1.000 inwoners': the unit smaller
        value = f"{_e((m.group(1) or '') + m.group(2))}<span class='unit'>{_e(m.group(3).strip())}</span>"
        long = " split"
    elif n.kind == "kalender" and " " in n.value:  # release words ("al verwacht, nog niet geladen"), not a figure
        value, long = _e(n.value), " words"
    else:
        value, long = _e(n.value), (" long" if len(n.value) > 7 else "")
    return (f"<div class='num' style='--stripe:{_stripe(n)}'><p class='lab'>{head}</p>"
            f"<p class='val{long}'>{value}</p><p class='meta'>{_e(meta)}</p></div>")


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _slide_html(s: Slide, idx: int, total: int, chart_svg: str | None) -> str:
    has_chart = chart_svg is not None
    nums = "".join(_number_html(n) for n in s.numbers)
    parts = [f"<section class='slide{' empty' if not s.numbers and not s.bullets else ''}' "
             f"aria-roledescription='dia' aria-label='Dia {idx + 1} van {total}: {_e(s.title)}' "
             f"data-title='{_e(s.title)}' data-key='{_e(s.key)}'{'' if idx == 0 else ' hidden'}>",
             f"<header><p class='q'>{_e(s.question)}</p><h2 class='t'>{_e(s.title)}</h2></header>"]
    if s.numbers or has_chart or s.bullets:
        parts.append(f"<div class='body {'with-chart' if has_chart else 'no-chart'}'>")
        if s.numbers:
            parts.append(f"<div class='nums'>{nums}</div>")
        if s.bullets:
            parts.append("<ul class='bullets'>" + "".join(f"<li>{_e(b)}</li>" for b in s.bullets) + "</ul>")
        if has_chart:
            alt = s.chart.alt if s.chart else ""
            parts.append(f"<figure class='chart'><img alt='{_e(alt)}' src='{svg_data_uri(chart_svg)}'></figure>")
        parts.append("</div>")
    parts.append(f"<p class='text'>{_e(s.text)}</p>")
    parts.append(f"<footer><span class='src'>{_e(s.source_line)}</span>"
                 f"<span class='count' aria-hidden='true'>{idx + 1} / {total}</span></footer></section>")
    return "".join(parts)


def slideshow_html(deck: Deck, charts: dict[int, str] | None = None, title: str = "Presentatie",
                   store_key: str | None = None) -> str:
    """The whole slideshow as one HTML document. `charts`: slide index -> SVG (from charts/slide_charts.py)."""
    charts = charts or {}
    total = len(deck.slides)
    slides_html = "".join(_slide_html(s, i, total, charts.get(i)) for i, s in enumerate(deck.slides))
    notes = [f"{s.notes}\n\nStand: {fmt.date(deck.date)} · {version_text(deck.version)}" for s in deck.slides]
    store = store_key or "wm-deck-" + hashlib.sha1("|".join(s.key for s in deck.slides).encode()).hexdigest()[:10]
    notes_json = json.dumps(notes, ensure_ascii=False).replace("<", "\\u003c")  # inert inside <script>
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<div id='deck' data-store='{_e(store)}' data-total='{total}'>"
        f"<div class='stage' tabindex='0' role='region' aria-label='{_e(title)}: {total} dia&#39;s. "
        "Pijltjes of Page Up en Page Down om te bladeren, N voor notities, F voor volledig scherm.'>"
        f"{slides_html}<div id='black' aria-hidden='true'></div></div>"
        "<div class='controls' role='toolbar' aria-label='Bediening van de presentatie'>"
        "<button id='prev' type='button'>◀ Vorige</button><button id='next' type='button'>Volgende ▶</button>"
        "<button id='notes-btn' type='button'>Notities (N)</button>"
        "<button id='full' type='button'>Volledig scherm (F)</button>"
        "<span class='hint'>← → · Page Up/Down · Home/End · B = zwart</span></div>"
        "<div id='notes' aria-live='off'></div><div id='live' class='sr' aria-live='polite'></div></div>"
        f"<script type='application/json' id='notes-data'>{notes_json}</script>"
        f"<script>{JS}</script></body></html>"
    )


def chart_svgs(engine, deck: Deck, geometries=None) -> dict[int, str]:
    """SVG per slide with a chart (trend or map), rendered server-side; cached on the chart's full spec."""
    out: dict[int, str] = {}
    for i, s in enumerate(deck.slides):
        if s.chart is None:
            continue
        spec = slide_charts.slide_spec(engine, s.chart, geometries, SLIDE_CHART, SLIDE_MAP)
        if spec is not None:
            out[i] = _svg(json.dumps(spec, sort_keys=True, default=str))
    return out


@st.cache_data(max_entries=128, show_spinner=False)
def _svg(spec_json: str) -> str:
    return slide_charts.to_svg(json.loads(spec_json))


def show(engine, deck: Deck, geometries=None, title: str = "Presentatie", store_key: str | None = None) -> None:
    """The slideshow with its server-side charts in an iframe; built once per deck (see _deck_html)."""
    st.iframe(_deck_html(engine, deck, geometries, title, store_key), height="content",
              alt=f"{title}: diavoorstelling met {len(deck.slides)} dia's")


@st.cache_data(max_entries=16, show_spinner=False)
def _deck_html(_engine, deck: Deck, _geometries, title: str, store_key: str | None) -> str:
    """The slideshow's HTML, cached on the deck itself: its slides carry every number and its version the data
    version (build time and source tables), so a rebuild or a changed target makes a new deck, never a stale page.
    The engine and the geometries are read from that same database version (not hashed)."""
    return slideshow_html(deck, chart_svgs(_engine, deck, _geometries), title, store_key)
