"""Benchmark: thirty people open the same link at the same minute.

    .venv/bin/python benchmarks/concurrency.py [--sessions 30] [--route ""] [--browser 30] [--db data/wijkmonitor.sqlite]

One ``streamlit run app.py`` on the full database (opened read-only), loopback port 8650-8655. Sessions are
Streamlit WebSocket clients (benchmarks/_wsclient.py: the app's own protocol, the server runs every page script
exactly as for a browser), started together behind a barrier. Scenarios, each printing p50/p95/max settle time,
the ratio to the single-session floor measured in the same run, and the error count (exceptions, st.error,
page not found, failed connections, timeouts — must be 0):

- floor   one session at a time on the route, caches warm (median of 5): what one council member sees;
- same    N sessions open the same link at once (caches warm);
- mixed   N sessions at once, spread round-robin over every page of the navigation (deep links);
- cold    N sessions at once on a freshly started server (caches empty: the first one loads the figures, the
          others wait for it), against the cold single-session load of the same page.
- browser (with --browser N) N headless Chromium contexts open the link at once: settle time includes drawing
          the page in the browser, and two cores are shared by Chromium and the server.

Memory of the server process (VmHWM, peak) is printed, for sizing replicas (docs/deploy.md). Every loop is
bounded by --sessions (at most 60) and every visit by --timeout.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _browser import (APP, CHROMIUM, CHROMIUM_ARGS, EXCEPTION, ROOT, SETTLED, StreamlitServer,  # noqa: E402
                      free_port, navigation)
from _wsclient import Visit, open_page, percentile  # noqa: E402

FULL_DB = ROOT / "data" / "wijkmonitor.sqlite"
PORTS = range(8650, 8656)


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0) / 1024 / 1024
    return f"{os.cpu_count()} vCPU ({cpu}), {mem:.0f} GB RAM, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def server_memory_mb(server: StreamlitServer) -> tuple[float, float]:
    """(current RSS, peak RSS) of the streamlit process in MB."""
    vals = {}
    for ln in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if ln.startswith(("VmRSS", "VmHWM")):
            vals[ln.split(":")[0]] = int(ln.split()[1]) / 1024
    return vals.get("VmRSS", float("nan")), vals.get("VmHWM", float("nan"))


def together(base_url: str, routes: list[str], timeout: float) -> tuple[list[Visit], float]:
    """Open every route in its own thread, all released at the same moment; returns visits and wall time."""
    barrier = threading.Barrier(len(routes))
    out: list[Visit | None] = [None] * len(routes)

    def one(i: int, route: str) -> None:
        barrier.wait(timeout=60)
        out[i] = open_page(base_url, route, timeout=timeout, keep_texts=False)

    threads = [threading.Thread(target=one, args=(i, r), daemon=True) for i, r in enumerate(routes)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 90)
    wall = time.perf_counter() - t0
    visits = [v if v is not None else Visit(url=r, errors=["thread did not finish"]) for v, r in zip(out, routes)]
    return visits, wall


def summary(name: str, visits: list[Visit], floor: float, wall: float, alone_broken: set[str] = frozenset()) -> dict:
    """``alone_broken``: urls that fail with a single session too (a page error, not a load error)."""
    times = [v.settle_s for v in visits if v.ok]
    errors = [(v.url, e) for v in visits for e in v.errors]
    load_errors = [x for x in errors if x[0] not in alone_broken]
    row = {"name": name, "n": len(visits), "ok": len(times), "errors": len(load_errors),
           "page_errors": len(errors) - len(load_errors),
           "p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times, default=float("nan")),
           "floor": floor, "wall": wall, "first_errors": errors[:3]}
    print(f"  {name:<8} n={row['n']:<3} p50 {row['p50']:6.2f} s  p95 {row['p95']:6.2f} s  max {row['max']:6.2f} s  "
          f"floor {floor:5.2f} s  p50/floor {row['p50'] / floor:5.1f}  p95/floor {row['p95'] / floor:5.1f}  "
          f"errors {row['errors']}" + (f" (+{row['page_errors']} on pages that fail alone too)"
                                       if row["page_errors"] else ""), flush=True)
    for url, e in row["first_errors"]:
        print(f"           error on {url}: {e[:160]}")
    return row


async def _browser_run(base_url: str, route: str, n: int, timeout_s: float) -> tuple[list[float], list[str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctxs = [await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(n)]
            pages = [await c.new_page() for c in ctxs]

            async def one(page) -> tuple[float | None, str | None]:
                t0 = time.perf_counter()
                try:
                    await page.goto(f"{base_url}/{route}", wait_until="commit", timeout=timeout_s * 1000)
                    await page.wait_for_selector(SETTLED, state="attached", timeout=timeout_s * 1000)
                    dt = time.perf_counter() - t0
                    if await page.locator(EXCEPTION).count():
                        return None, "exception on the page"
                    return dt, None
                except Exception as exc:  # noqa: BLE001
                    return None, f"{type(exc).__name__}: {str(exc)[:120]}"

            results = await asyncio.gather(*(one(p) for p in pages))
            for c in ctxs:
                await c.close()
        finally:
            await browser.close()
    return [t for t, e in results if t is not None], [e for _, e in results if e]


def browser_scenario(base_url: str, route: str, n: int, timeout: float) -> dict:
    single, errs1 = asyncio.run(_browser_run(base_url, route, 1, timeout))
    floor = statistics.median(single) if single else float("nan")
    t0 = time.perf_counter()
    times, errors = asyncio.run(_browser_run(base_url, route, n, timeout))
    wall = time.perf_counter() - t0
    row = {"name": "browser", "n": n, "ok": len(times), "errors": len(errors) + len(errs1), "page_errors": 0,
           "p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times, default=float("nan")),
           "floor": floor, "wall": wall, "first_errors": (errs1 + errors)[:3]}
    print(f"  browser  n={n:<3} p50 {row['p50']:6.2f} s  p95 {row['p95']:6.2f} s  max {row['max']:6.2f} s  "
          f"floor {floor:5.2f} s  p50/floor {row['p50'] / floor:5.1f}  p95/floor {row['p95'] / floor:5.1f}  "
          f"errors {row['errors']}", flush=True)
    for e in row["first_errors"]:
        print(f"           error: {e}")
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="concurrent sessions (1-60), default 30")
    ap.add_argument("--route", default="", help="the link everybody opens (url path and query), default / ")
    ap.add_argument("--browser", type=int, default=0, help="also open the link in N Chromium contexts at once")
    ap.add_argument("--timeout", type=float, default=180, help="per visit, seconds")
    ap.add_argument("--db", default=str(FULL_DB), help="SQLite file (opened read-only), default the full DB")
    ap.add_argument("--url", default="", help="a database URL instead of --db (e.g. PostgreSQL)")
    args = ap.parse_args(argv)
    n = max(1, min(args.sessions, 60))
    nb = max(0, min(args.browser, 60))
    if args.url:
        db_url, db_desc = args.url, args.url.split("@")[-1]
    else:
        db = Path(args.db).resolve()
        if not db.exists():
            print(f"{db} not found: build it first with `make db`", file=sys.stderr)
            return 2
        db_url, db_desc = f"sqlite:///file:{db}?mode=ro&uri=true", f"{db.name} ({db.stat().st_size / 1e6:.0f} MB)"
    pages = navigation()
    print(f"Machine: {machine()}")
    print(f"Database: {db_desc}; {n} WebSocket sessions per scenario; link: /{args.route}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="wm-bench-conc-") as tmp:
        # cold: N sessions on a freshly started server, against one session on another fresh server
        srv = StreamlitServer(APP, db_url, port=free_port(PORTS), log_path=Path(tmp) / "cold1.log")
        with srv:
            cold_single = open_page(srv.base_url, args.route, timeout=args.timeout, keep_texts=False)
        srv = StreamlitServer(APP, db_url, port=free_port(PORTS), log_path=Path(tmp) / "coldN.log")
        with srv:
            visits, wall = together(srv.base_url, [args.route] * n, args.timeout)
            cold_rows = summary("cold", visits, cold_single.settle_s, wall)
        srv = StreamlitServer(APP, db_url, port=free_port(PORTS), log_path=Path(tmp) / "warm.log")
        with srv:
            warmup = open_page(srv.base_url, "", timeout=args.timeout, keep_texts=False)
            if not warmup.ok:
                print(f"warm-up failed: {warmup.errors}", file=sys.stderr)
                return 1
            for p in pages:  # fill the caches of every page once
                open_page(srv.base_url, p.route, timeout=args.timeout, keep_texts=False)
            floor_visits = [open_page(srv.base_url, args.route, timeout=args.timeout, keep_texts=False)
                            for _ in range(5)]
            floor = statistics.median(v.settle_s for v in floor_visits)
            floor_errors = sum(len(v.errors) for v in floor_visits)
            print(f"  floor    one session, warm, median of 5: {floor:.3f} s (errors {floor_errors})")
            visits, wall = together(srv.base_url, [args.route] * n, args.timeout)
            rows.append(summary("same", visits, floor, wall))
            mixed_routes = [pages[i % len(pages)].route for i in range(n)]
            alone = [open_page(srv.base_url, r, timeout=args.timeout, keep_texts=False)
                     for r in dict.fromkeys(mixed_routes)]
            mixed_floor = statistics.median(v.settle_s for v in alone if v.ok)
            broken = {v.url for v in alone if v.errors}
            for v in alone:
                if v.errors:
                    print(f"  alone    {v.url} fails with one session too: {v.errors[0][:160]}")
            visits, wall = together(srv.base_url, mixed_routes, args.timeout)
            rows.append(summary("mixed", visits, mixed_floor, wall, broken))
            if nb:
                rows.append(browser_scenario(srv.base_url, args.route, nb, args.timeout))
            rss, peak = server_memory_mb(srv)
        rows.insert(0, cold_rows)
    total_errors = sum(r["errors"] for r in rows) + floor_errors + len(cold_single.errors)
    page_errors = sum(r.get("page_errors", 0) for r in rows)
    print()
    print(f"{'scenario':<9} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'floor s':>8} {'p50/floor':>9} "
          f"{'p95/floor':>9} {'errors':>6} {'page err':>8}")
    for r in rows:
        print(f"{r['name']:<9} {r['n']:>3} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['max']:>7.2f} {r['floor']:>8.2f} "
              f"{r['p50'] / r['floor']:>9.1f} {r['p95'] / r['floor']:>9.1f} {r['errors']:>6} "
              f"{r.get('page_errors', 0):>8}")
    print(f"server memory after the warm scenarios: RSS {rss:.0f} MB, peak {peak:.0f} MB")
    print(f"errors under load: {total_errors}; errors of pages that fail with one session too: {page_errors}")
    return 0 if total_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
