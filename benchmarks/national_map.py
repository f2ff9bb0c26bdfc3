"""Benchmark: the national map (Kaart, tab Nederland: every buurt of the country) — payload and settle time.

    .venv/bin/python benchmarks/national_map.py [--warm 3] [--db data/wijkmonitor.sqlite]

A fresh ``streamlit run app.py`` on the full database (read-only), and in the same run a bare Streamlit page with
one Altair chart as the floor (benchmarks/pages.py uses the same page). Loopback ports 8656-8659.

Measured for /kaart?weergave=Nederland (and, for scale, the Maastricht tab and the floor):
- payload: bytes the server sends for one page run over the WebSocket (uncompressed protobuf), the largest
  single message (the map) and the bytes of the map element — with the Streamlit WebSocket client
  (benchmarks/_wsclient.py);
- server settle: from connecting to ``script_finished``, cold (first visit of the page after the server start,
  after one visit of / — national shapes and values not yet cached) and warm (median of --warm visits);
- browser: headless Chromium 1280x900, new context per visit: time until the script run finished, and until the
  map canvas is drawn (deck.gl), cold and warm; bytes received over the WebSocket as Chromium counts them.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the repository (loaders)

from _browser import APP, EXCEPTION, ROOT, SETTLED, StreamlitServer, free_port, launch_chromium  # noqa: E402
from _wsclient import open_page  # noqa: E402
from concurrency import machine  # noqa: E402
from pages import BARE_PAGE  # noqa: E402

FULL_DB = ROOT / "data" / "wijkmonitor.sqlite"
PORTS = range(8656, 8660)
NATIONAL = "kaart?weergave=Nederland"
MAASTRICHT = "kaart"
MAP_DRAWN = "[data-testid='stDeckGlJsonChart'] canvas"
VEGA_DRAWN = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg, " \
             "[data-testid='stArrowVegaLiteChart'] canvas, [data-testid='stArrowVegaLiteChart'] svg"


def ws_measure(base_url: str, route: str, warm: int, timeout: float) -> dict:
    cold = open_page(base_url, route, timeout=timeout, keep_texts=False)
    warms = [open_page(base_url, route, timeout=timeout, keep_texts=False) for _ in range(warm)]
    errors = cold.errors + [e for v in warms for e in v.errors]
    map_bytes = cold.element_bytes.get("deck_gl_json_chart", 0) or cold.element_bytes.get("vega_lite_chart", 0)
    return {"cold": cold.settle_s, "warm": statistics.median(v.settle_s for v in warms), "bytes": cold.bytes_received,
            "largest": cold.largest_message, "map_bytes": map_bytes, "errors": errors}


def browser_measure(browser, base_url: str, route: str, warm: int, drawn: str, timeout: float) -> dict:
    """cold = first of the visits (the ws measurement above already warmed the server: pass a fresh server)."""
    rows = []
    for _ in range(1 + warm):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        received = [0]
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.__setitem__(
            0, received[0] + len(payload))))
        t0 = time.perf_counter()
        page.goto(f"{base_url}/{route}", wait_until="commit", timeout=timeout * 1000)
        page.wait_for_selector(SETTLED, state="attached", timeout=timeout * 1000)
        settled = time.perf_counter() - t0
        page.wait_for_selector(drawn, state="attached", timeout=timeout * 1000)
        drawn_s = time.perf_counter() - t0
        exc = page.locator(EXCEPTION).count()
        rows.append({"settled": settled, "drawn": drawn_s, "ws_bytes": received[0], "exceptions": exc})
        ctx.close()
    return {"cold_settled": rows[0]["settled"], "cold_drawn": rows[0]["drawn"],
            "warm_settled": statistics.median(r["settled"] for r in rows[1:]),
            "warm_drawn": statistics.median(r["drawn"] for r in rows[1:]),
            "ws_bytes": rows[0]["ws_bytes"], "exceptions": sum(r["exceptions"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warm", type=int, default=3, help="warm visits (median), default 3")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--db", default=str(FULL_DB), help="SQLite file (opened read-only), default the full DB")
    args = ap.parse_args(argv)
    warm = max(1, min(args.warm, 10))
    db = Path(args.db).resolve()
    if not db.exists():
        print(f"{db} not found: build it first with `make db`", file=sys.stderr)
        return 2
    db_url = f"sqlite:///file:{db}?mode=ro&uri=true"
    from loaders.db import query

    n_buurten = int(query("SELECT COUNT(*) AS n FROM areas WHERE level = 'buurt' AND indeling_year >= 2020",
                          url=db_url)["n"].iloc[0])
    n_shapes = int(query("SELECT COUNT(*) AS n FROM geometries WHERE indeling_year = 2014 AND area_code LIKE 'BU%'",
                         url=db_url)["n"].iloc[0])
    print(f"Machine: {machine()}")
    print(f"Database: {db.name} ({db.stat().st_size / 1e6:.0f} MB): {n_buurten} buurten (indeling 2020+), "
          f"{n_shapes} national buurt shapes (2014)")

    from playwright.sync_api import sync_playwright

    res: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="wm-bench-map-") as tmp, sync_playwright() as pw:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE, encoding="utf-8")
        browser = launch_chromium(pw)
        try:
            # server side (WebSocket client): one fresh server per subject, cold = first visit
            with StreamlitServer(bare_script, None, port=free_port(PORTS), log_path=Path(tmp) / "bare.log") as s:
                res["bare_ws"] = ws_measure(s.base_url, "", warm, args.timeout)
            with StreamlitServer(APP, db_url, port=free_port(PORTS), log_path=Path(tmp) / "app-ws.log") as s:
                assert open_page(s.base_url, "", timeout=args.timeout).ok, "the app's first page fails"
                res["nl_ws"] = ws_measure(s.base_url, NATIONAL, warm, args.timeout)
                res["mst_ws"] = ws_measure(s.base_url, MAASTRICHT, warm, args.timeout)
            # browser (fresh servers again, so the first browser visit is cold)
            with StreamlitServer(bare_script, None, port=free_port(PORTS), log_path=Path(tmp) / "bare-b.log") as s:
                res["bare_br"] = browser_measure(browser, s.base_url, "", warm, VEGA_DRAWN, args.timeout)
            with StreamlitServer(APP, db_url, port=free_port(PORTS), log_path=Path(tmp) / "app-b.log") as s:
                ctx = browser.new_context()
                p = ctx.new_page()
                p.goto(s.base_url + "/", wait_until="commit")
                p.wait_for_selector(SETTLED, state="attached", timeout=args.timeout * 1000)
                ctx.close()
                res["nl_br"] = browser_measure(browser, s.base_url, NATIONAL, warm, MAP_DRAWN, args.timeout)
                res["mst_br"] = browser_measure(browser, s.base_url, MAASTRICHT, warm, MAP_DRAWN, args.timeout)
        finally:
            browser.close()

    b, nl, mst = res["bare_ws"], res["nl_ws"], res["mst_ws"]
    print()
    print("Payload per page run (uncompressed WebSocket messages, Streamlit client)")
    print(f"{'page':<22} {'total KB':>9} {'largest KB':>11} {'map KB':>8} {'total/bare':>11}")
    for name, r in (("bare (1 Altair chart)", b), ("Kaart Nederland", nl), ("Kaart Maastricht", mst)):
        print(f"{name:<22} {r['bytes'] / 1024:>9.0f} {r['largest'] / 1024:>11.0f} {r['map_bytes'] / 1024:>8.0f} "
              f"{r['bytes'] / b['bytes']:>11.1f}")
    print()
    print("Server settle (connect to script_finished), seconds")
    print(f"{'page':<22} {'cold':>7} {'warm':>7} {'cold/bare':>10} {'warm/bare':>10}")
    for name, r in (("bare (1 Altair chart)", b), ("Kaart Nederland", nl), ("Kaart Maastricht", mst)):
        print(f"{name:<22} {r['cold']:>7.2f} {r['warm']:>7.2f} {r['cold'] / b['cold']:>10.1f} "
              f"{r['warm'] / b['warm']:>10.1f}")
    bb, nlb, mstb = res["bare_br"], res["nl_br"], res["mst_br"]
    print()
    print("Chromium 1280x900, new context per visit, seconds (settled = script run finished; drawn = chart/map "
          "canvas present)")
    print(f"{'page':<22} {'cold settled':>13} {'cold drawn':>11} {'warm settled':>13} {'warm drawn':>11} "
          f"{'warm drawn/bare':>16} {'WS KB':>7}")
    for name, r in (("bare (1 Altair chart)", bb), ("Kaart Nederland", nlb), ("Kaart Maastricht", mstb)):
        print(f"{name:<22} {r['cold_settled']:>13.2f} {r['cold_drawn']:>11.2f} {r['warm_settled']:>13.2f} "
              f"{r['warm_drawn']:>11.2f} {r['warm_drawn'] / bb['warm_drawn']:>16.1f} {r['ws_bytes'] / 1024:>7.0f}")
    errors = sum(len(r["errors"]) for r in (b, nl, mst)) + sum(r["exceptions"] for r in (bb, nlb, mstb))
    print(f"errors: {errors}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
