"""Benchmark: time until each page is settled in headless Chromium, against a bare one-chart Streamlit page.

    .venv/bin/python benchmarks/pages.py [--warm 3] [--cold 1] [--pages overzicht,trends]

For every page of app.py's navigation: a fresh ``streamlit run app.py`` on the full database
data/wijkmonitor.sqlite (opened read-only), then
- cold: the first load of that page after the server start (empty Streamlit caches, new browser context);
- warm: the median of the next ``--warm`` loads of the same URL (new Streamlit session, caches filled), each
  followed by a warm load of the bare page, so that both are measured under the same machine load.
In the same run the same is measured for a bare Streamlit page with one Altair chart, served by a second
streamlit process, and the table shows page/bare (warm: against the bare loads interleaved with that page).
"Settled": Streamlit's script run has finished (``data-test-script-state="notRunning"``); charts may still be
drawing. Loopback only, ports 8620-8629 (and 8660-8669 for nginx).

The bare page sits at the root URL. Every page of the app but Overzicht is a deep link (/kaart, ...), and on a
deep link Streamlit's client first probes <page>/_stcore/health, gets a 404 and waits 100 ms before it tries the
root (streamlit/streamlit#7074). The row "(bare, deep link)" measures that for the same bare chart as the second
page of a two-page app. With ``--proxy`` every page is loaded through the nginx site deploy/nginx/wijkmonitor.conf (one replica, TLS), which tells
the client where its server is, so a deep link connects without the probe, as in the deployment.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _nginx  # noqa: E402
from _browser import (APP, EXCEPTION, NOT_FOUND, ROOT, StreamlitServer, free_port, goto_settled,  # noqa: E402
                      launch_chromium, navigation)

FULL_DB = ROOT / "data" / "wijkmonitor.sqlite"
BARE_PAGE = '''import altair as alt
import pandas as pd
import streamlit as st

st.title("Kale pagina")
df = pd.DataFrame({"jaar": [2012, 2016, 2020, 2022, 2024], "waarde": [35.9, 31.2, 25.3, 27.0, 26.1]})
st.altair_chart(alt.Chart(df).mark_line(point=True).encode(x="jaar:O", y="waarde:Q"))
'''
# The same chart as the second page of a two-page app: the bare page at a deep link (/kale-pagina).
BARE_DEEP_APP = '''import streamlit as st

st.navigation([st.Page("bare.py", title="Kale pagina", default=True),
               st.Page("bare.py", title="Kale pagina, diep", url_path="kale-pagina")], position="hidden").run()
'''
VIEWPORT = {"width": 1440, "height": 900}
NAV_TITLES = "() => [...document.querySelectorAll(\"[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']\")].map(a => a.innerText.trim().split('\\n').pop().trim())"


def measure(browser, server: StreamlitServer, path: str, warm: int, bare: StreamlitServer | None = None) -> dict:
    """Cold = first load after the server start; warm = median of ``warm`` further loads, same browser context.
    With ``bare``, each warm load of the page is followed by a warm load of the bare page (its own context), so
    page and bare are measured under the same machine load (the ratio is page median / interleaved bare median)."""
    ctx = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
    page = ctx.new_page()
    bare_ctx = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True) if bare is not None else None
    try:
        url = f"{server.base_url}/{path}"
        cold = goto_settled(page, url)
        errors = page.locator(EXCEPTION).count() + page.locator(NOT_FOUND).count()
        titles = page.evaluate(NAV_TITLES)
        warm_times, bare_times = [], []
        bare_page = bare_ctx.new_page() if bare_ctx is not None else None
        if bare_page is not None:
            goto_settled(bare_page, bare.base_url)  # its session warm too
        for _ in range(warm):
            warm_times.append(goto_settled(page, url))
            errors = max(errors, page.locator(EXCEPTION).count())
            if bare_page is not None:
                bare_times.append(goto_settled(bare_page, bare.base_url))
        return {"cold": cold, "warm": statistics.median(warm_times) if warm_times else float("nan"),
                "bare_warm": statistics.median(bare_times) if bare_times else float("nan"),
                "errors": errors, "nav": titles}
    finally:
        ctx.close()
        if bare_ctx is not None:
            bare_ctx.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warm", type=int, default=3, help="warm loads per page (median shown), default 3")
    ap.add_argument("--cold", type=int, default=1, help="server restarts per page for the cold load (median)")
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: all of app.py)")
    ap.add_argument("--db", default=str(FULL_DB), help="SQLite file to read (read-only), default the full DB")
    ap.add_argument("--app", default=str(APP), help="entry script (default app.py), e.g. a copy of another version")
    ap.add_argument("--url", default="", help="database URL to read instead of --db (e.g. a PostgreSQL database built "
                                              "with `DATABASE_URL=... python -m wijkmonitor build`)")
    ap.add_argument("--proxy", action="store_true", help="load the app's pages through nginx (deploy/nginx/wijkmonitor.conf, TLS)")
    args = ap.parse_args(argv)
    if args.proxy and _nginx.nginx_binary() is None:
        print("--proxy needs nginx (apt-get install nginx)", file=sys.stderr)
        return 2
    warm, cold_n = max(1, min(args.warm, 20)), max(1, min(args.cold, 5))  # bounded loops

    db = Path(args.db).resolve()
    if args.url:
        db_url, db_label = args.url, args.url.split("@")[-1]
    elif not db.exists():
        print(f"{db} not found: build it first with `make db`", file=sys.stderr)
        return 2
    else:
        db_url, db_label = f"sqlite:///file:{db}?mode=ro&uri=true", f"{db.name} ({db.stat().st_size / 1e6:.0f} MB)"
    app = Path(args.app).resolve()
    pages = navigation(app)
    if args.pages:
        wanted = args.pages.split(",")
        pages = [p for p in pages if p.url_path in wanted or p.slug in wanted]

    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory(prefix="wm-bench-pages-") as tmp, sync_playwright() as pw:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_PAGE, encoding="utf-8")
        bare_deep_script = Path(tmp) / "bare_deep.py"
        bare_deep_script.write_text(BARE_DEEP_APP, encoding="utf-8")
        logs = Path(tmp)
        browser = launch_chromium(pw)
        try:
            def cold_and_warm(script, url_path, db_url_or_none, label, bare_srv=None):
                samples = []
                for i in range(cold_n):
                    srv = StreamlitServer(script, db_url_or_none, log_path=logs / f"{label}-{i}.log")
                    t0 = time.perf_counter()
                    with srv:
                        startup = time.perf_counter() - t0
                        front = srv
                        if args.proxy and script == app:
                            front = _nginx.Nginx(Path(tmp) / f"nginx-{label}-{i}", free_port(_nginx.PORTS),
                                                 [f"127.0.0.1:{srv.port}"]).start()
                        try:
                            r = measure(browser, front, url_path, warm if i == cold_n - 1 else 0, bare_srv)
                        finally:
                            if front is not srv:
                                front.stop()
                        r["startup"] = startup
                        samples.append(r)
                out = samples[-1]
                out["cold"] = statistics.median(s["cold"] for s in samples)
                out["startup"] = statistics.median(s["startup"] for s in samples)
                return out

            bare = cold_and_warm(bare_script, "", None, "bare")
            print(f"bare page: server start {bare['startup']:.1f} s, cold {bare['cold']:.2f} s, "
                  f"warm {bare['warm']:.2f} s", flush=True)
            # The bare page keeps running: every page's warm loads alternate with warm loads of the bare page.
            with StreamlitServer(bare_script, None, log_path=logs / "bare-interleaved.log") as bare_srv:
                deep = cold_and_warm(bare_deep_script, "kale-pagina", None, "bare-deep", bare_srv)
                print(f"  bare page at a deep link: warm {deep['warm']:.2f} s "
                      f"(bare alongside {deep['bare_warm']:.2f} s)", flush=True)
                for spec in pages:
                    r = cold_and_warm(app, spec.route, db_url, spec.slug, bare_srv)
                    r["spec"] = spec
                    rows.append(r)
                    print(f"  {spec.slug}: cold {r['cold']:.2f} s, warm {r['warm']:.2f} s "
                          f"(bare alongside {r['bare_warm']:.2f} s)", flush=True)
        finally:
            browser.close()

    expected_nav = [p.title for p in navigation(app)]
    print()
    print(f"App {app}{' through nginx (deploy/nginx/wijkmonitor.conf, TLS)' if args.proxy else ''}; database {db_label}, "
          f"{warm} warm loads (median), "
          f"{cold_n} cold load(s) per page, headless Chromium 1440x900")
    print(f"{'page':<16} {'cold s':>7} {'warm s':>7} {'bare s':>7} {'cold/bare':>10} {'warm/bare':>10}  notes")
    print(f"{'(bare)':<16} {bare['cold']:>7.2f} {bare['warm']:>7.2f} {bare['warm']:>7.2f} {1:>10.1f} {1:>10.1f}")
    print(f"{'(bare, deep link)':<16} {deep['cold']:>7.2f} {deep['warm']:>7.2f} {deep['bare_warm']:>7.2f} "
          f"{deep['cold'] / bare['cold']:>10.2f} {deep['warm'] / deep['bare_warm']:>10.2f}  direct, no proxy")
    for r in rows:
        notes = []
        if r["errors"]:
            notes.append(f"{r['errors']} exception(s) or 'Page not found' on the page")
        if r["nav"] != expected_nav:
            notes.append("ran WITHOUT app.py (legacy pages/ mode)")
        print(f"{r['spec'].slug:<16} {r['cold']:>7.2f} {r['warm']:>7.2f} {r['bare_warm']:>7.2f} "
              f"{r['cold'] / bare['cold']:>10.2f} {r['warm'] / r['bare_warm']:>10.2f}  {'; '.join(notes)}")
    print("warm/bare: the page's warm median over the bare page's warm median measured alternately with it; "
          "cold/bare: against the bare page's first load after its start.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
