"""Benchmark: the national map (Kaart, tab Nederland: every buurt of the country) against the Maastricht tab and a
bare page, in one run — script time, time until the map is drawn, bytes sent.

    .venv/bin/python benchmarks/national_map.py [--warm 5] [--db data/wijkmonitor.sqlite] [--app PATH]

A fresh ``streamlit run app.py`` on the database (opened read-only) and, in the same run, a bare Streamlit page with
one Altair chart as the floor (the page of benchmarks/pages.py). Loopback ports 8656-8659.

1. Server (Streamlit's WebSocket client, benchmarks/_wsclient.py): time from connecting to ``script_finished`` (the
   script run), bytes the server sends for one page run (uncompressed protobuf), its largest message and the bytes
   of the chart/map element. Cold = first visit after the server start (after one visit of /), warm = median.
2. Browser (headless Chromium 1280x900, a new context per visit, so nothing is cached between visits): for each
   round, one visit of the bare page, the Nederland tab and the Maastricht tab, one after the other (all three see
   the same machine load); round 1 on fresh servers is cold, the median of the other rounds is warm.
   - settled: the script run has finished (``data-test-script-state="notRunning"``);
   - drawn: the map (chart) is painted — a canvas with at least 5 % coloured pixels (2 % for the bare chart), an SVG
     chart with its marks, or, for a WebGL deck (the map before issue 24, ``--app`` of an older version), its canvas;
   - WS bytes: bytes received over the WebSocket as Chromium counts them; HTTP map bytes: the static TopoJSON
     file of the national map (fetched by a browser once and then cached; counted here on every visit because
     every visit is a new context);
   - CPU: seconds of CPU the page's renderer used between settled and drawn (Chrome DevTools Performance metrics
     ThreadTime for the main thread, ProcessTime for all renderer threads). On a machine shared with other work the
     wall times stretch with the load; the CPU seconds hardly do, so they show what the drawing itself costs.
   The ratios: drawn − settled (target ≤ 1 s for Nederland), whole tab Nederland / Maastricht (target ≤ 1.5×, warm),
   and each against the bare page (the floor) of the same rounds.
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
SUBJECTS = (("bare (1 Altair chart)", "bare", ""), ("Kaart Nederland", "app", "kaart?weergave=Nederland"),
            ("Kaart Maastricht", "app", "kaart"))
CHART = ("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart'], "
         "[data-testid='stDeckGlJsonChart']")
# True when every visible chart of the page is painted (see the module docstring).
DRAWN = """([sel, minFrac]) => {
  const els = [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null);
  if (!els.length) return false;
  return els.every(el => {
    if (el.matches("[data-testid='stDeckGlJsonChart']")) return !!el.querySelector('canvas');
    const svg = el.querySelector('svg');
    if (svg) return !!svg.querySelector('.role-mark path, .role-mark line, .role-mark rect');
    const c = el.querySelector('canvas');
    if (!c || !c.width || !c.height) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return true;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0, seen = 0;
    for (let i = 0; i < d.length; i += 4 * 5) {
      seen++;
      if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
    }
    return n / seen >= minFrac;
  });
}"""


def ws_measure(base_url: str, route: str, warm: int, timeout: float) -> dict:
    cold = open_page(base_url, route, timeout=timeout, keep_texts=False)
    warms = [open_page(base_url, route, timeout=timeout, keep_texts=False) for _ in range(warm)]
    errors = cold.errors + [e for v in warms for e in v.errors]
    chart_bytes = sum(n for kind, n in cold.element_bytes.items() if "vega" in kind or "deck" in kind)
    return {"cold": cold.settle_s, "warm": statistics.median(v.settle_s for v in warms), "bytes": cold.bytes_received,
            "largest": cold.largest_message, "chart_bytes": chart_bytes, "errors": errors}


def _cpu(cdp) -> tuple[float, float]:
    """CPU seconds so far of the page's renderer: its main thread, and the whole renderer process."""
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return m["ThreadTime"], m["ProcessTime"]


def visit(browser, base_url: str, route: str, min_frac: float, timeout: float) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    ws = [0]
    http = [0]
    page.on("websocket", lambda sock: sock.on("framereceived", lambda payload: ws.__setitem__(
        0, ws[0] + len(payload))))

    def on_response(resp):
        if "/app/static/" in resp.url:
            try:
                http[0] += len(resp.body())
            except Exception:  # noqa: BLE001 - a response without a body (304) counts 0
                pass

    page.on("response", on_response)
    try:
        t0 = time.perf_counter()
        page.goto(f"{base_url}/{route}", wait_until="commit", timeout=timeout * 1000)
        page.wait_for_selector(SETTLED, state="attached", timeout=timeout * 1000)
        settled = time.perf_counter() - t0
        cpu0 = _cpu(cdp)
        page.wait_for_function(DRAWN, arg=[CHART, min_frac], polling=50, timeout=timeout * 1000)
        drawn = time.perf_counter() - t0
        cpu1 = _cpu(cdp)
        page.wait_for_timeout(100)  # late frames still count as sent for this visit
        exc = page.locator(EXCEPTION).count()
        return {"settled": settled, "drawn": drawn, "ws_bytes": ws[0], "http_bytes": http[0], "exceptions": exc,
                "cpu_main": cpu1[0] - cpu0[0], "cpu_renderer": cpu1[1] - cpu0[1]}
    finally:
        ctx.close()


def summary(rows: list[dict]) -> dict:
    cold, warm = rows[0], rows[1:]
    med = {k: statistics.median(r[k] for r in warm) for k in ("settled", "drawn", "cpu_main", "cpu_renderer")}
    return {"cpu_main": med["cpu_main"], "cpu_renderer": med["cpu_renderer"],
            "cold_settled": cold["settled"], "cold_drawn": cold["drawn"], "warm_settled": med["settled"],
            "warm_drawn": med["drawn"], "warm_after": statistics.median(r["drawn"] - r["settled"] for r in warm),
            "cold_after": cold["drawn"] - cold["settled"], "ws_bytes": statistics.median(r["ws_bytes"] for r in rows),
            "http_bytes": max(r["http_bytes"] for r in rows), "exceptions": sum(r["exceptions"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warm", type=int, default=5, help="warm visits/rounds (median), default 5")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--db", default=str(FULL_DB), help="SQLite file (opened read-only), default the full DB")
    ap.add_argument("--app", default=str(APP), help="entry script (default app.py), e.g. a copy of another version")
    args = ap.parse_args(argv)
    warm = max(2, min(args.warm, 15))
    db = Path(args.db).resolve()
    if not db.exists():
        print(f"{db} not found: build it first with `make db`", file=sys.stderr)
        return 2
    app = Path(args.app).resolve()
    db_url = f"sqlite:///file:{db}?mode=ro&uri=true"
    from loaders.db import query

    n_shapes = int(query("SELECT COUNT(*) AS n FROM geometries WHERE indeling_year = 2014 AND area_code LIKE 'BU%'",
                         url=db_url)["n"].iloc[0])
    print(f"Machine: {machine()}")
    print(f"App: {app}; database: {db.name} ({db.stat().st_size / 1e6:.1f} MB), {n_shapes} national buurt shapes (2014)")

    from playwright.sync_api import sync_playwright

    ws_res: dict[str, dict] = {}
    br_rows: dict[str, list[dict]] = {name: [] for name, _, _ in SUBJECTS}
    with tempfile.TemporaryDirectory(prefix="wm-bench-map-") as tmp, sync_playwright() as pw:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE, encoding="utf-8")
        scripts = {"bare": (bare_script, None), "app": (app, db_url)}
        browser = launch_chromium(pw)
        try:
            # 1. server side: one fresh server per script, cold = first visit of each route
            servers = {k: StreamlitServer(s, u, port=free_port(PORTS), log_path=Path(tmp) / f"{k}-ws.log").start()
                       for k, (s, u) in scripts.items()}
            try:
                assert open_page(servers["app"].base_url, "", timeout=args.timeout).ok, "the app's first page fails"
                for name, kind, route in SUBJECTS:
                    ws_res[name] = ws_measure(servers[kind].base_url, route, warm, args.timeout)
                    print(f"  server: {name} done", flush=True)
            finally:
                for s in servers.values():
                    s.stop()
            # 2. browser: fresh servers again, so round 1 is cold; rounds interleave the three subjects
            servers = {k: StreamlitServer(s, u, port=free_port(PORTS), log_path=Path(tmp) / f"{k}-br.log").start()
                       for k, (s, u) in scripts.items()}
            try:
                ctx = browser.new_context()
                p = ctx.new_page()
                p.goto(servers["app"].base_url + "/", wait_until="commit")
                p.wait_for_selector(SETTLED, state="attached", timeout=args.timeout * 1000)
                ctx.close()
                for i in range(1 + warm):
                    for name, kind, route in SUBJECTS:
                        br_rows[name].append(visit(browser, servers[kind].base_url, route,
                                                   0.02 if kind == "bare" else 0.05, args.timeout))
                    print(f"  browser round {i + 1}/{1 + warm} done", flush=True)
            finally:
                for s in servers.values():
                    s.stop()
        finally:
            browser.close()

    names = [n for n, _, _ in SUBJECTS]
    bare_n, nl_n, mst_n = names
    b = ws_res[bare_n]
    print()
    print("1. Server: one page run over Streamlit's WebSocket client (uncompressed protobuf)")
    print(f"{'page':<22} {'script cold s':>13} {'script warm s':>13} {'warm/bare':>10} {'sent KB':>8} "
          f"{'largest KB':>11} {'chart KB':>9}")
    for n in names:
        r = ws_res[n]
        print(f"{n:<22} {r['cold']:>13.2f} {r['warm']:>13.2f} {r['warm'] / b['warm']:>10.2f} {r['bytes'] / 1024:>8.0f} "
              f"{r['largest'] / 1024:>11.0f} {r['chart_bytes'] / 1024:>9.0f}")
    s = {n: summary(br_rows[n]) for n in names}
    bb = s[bare_n]
    print()
    print(f"2. Chromium 1280x900, new context per visit; {warm} warm rounds (median) after 1 cold round; seconds from "
          "navigation")
    print(f"{'page':<22} {'cold settled':>12} {'cold drawn':>10} {'warm settled':>12} {'warm drawn':>10} "
          f"{'drawn-settled':>13} {'drawn/bare':>10} {'WS KB':>7} {'HTTP map KB':>11} {'CPU main s':>10} "
          f"{'CPU renderer s':>14}")
    for n in names:
        r = s[n]
        print(f"{n:<22} {r['cold_settled']:>12.2f} {r['cold_drawn']:>10.2f} {r['warm_settled']:>12.2f} "
              f"{r['warm_drawn']:>10.2f} {r['warm_after']:>13.2f} {r['warm_drawn'] / bb['warm_drawn']:>10.2f} "
              f"{r['ws_bytes'] / 1024:>7.0f} {r['http_bytes'] / 1024:>11.0f} {r['cpu_main']:>10.2f} "
              f"{r['cpu_renderer']:>14.2f}")
    print("CPU: seconds of CPU the page's renderer used from the end of the script run to the drawn chart (warm "
          "median; main thread, and all renderer threads): unlike the wall times, not stretched by other processes "
          "waiting for the same cores; includes this script's own 'drawn' polls (one canvas read per 50 ms).")
    nl, mst = s[nl_n], s[mst_n]
    print()
    print("Targets (issue 24), warm:")
    print(f"  end of script run -> drawn national map: {nl['warm_after']:.2f} s (cold {nl['cold_after']:.2f} s); "
          f"target <= 1 s: {'met' if nl['warm_after'] <= 1 else 'NOT met'}; CPU in that time: main thread "
          f"{nl['cpu_main']:.2f} s, renderer {nl['cpu_renderer']:.2f} s (Maastricht tab {mst['cpu_main']:.2f} / "
          f"{mst['cpu_renderer']:.2f} s, bare page {bb['cpu_main']:.2f} / {bb['cpu_renderer']:.2f} s)")
    ratio = nl["warm_drawn"] / mst["warm_drawn"]
    print(f"  whole Nederland tab / Maastricht tab (drawn): {nl['warm_drawn']:.2f} / {mst['warm_drawn']:.2f} s = "
          f"{ratio:.2f}x; target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}")
    print(f"  sent for the Nederland tab over the WebSocket: {nl['ws_bytes'] / 1e6:.2f} MB (Chromium), "
          f"{ws_res[nl_n]['bytes'] / 1e6:.2f} MB (server); target <= 1 MB: "
          f"{'met' if max(nl['ws_bytes'], ws_res[nl_n]['bytes']) <= 1e6 else 'NOT met'}; plus the static map file "
          f"{nl['http_bytes'] / 1e6:.2f} MB over HTTP, once per browser")
    errors = sum(len(r["errors"]) for r in ws_res.values()) + sum(r["exceptions"] for r in s.values())
    print(f"errors: {errors}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
