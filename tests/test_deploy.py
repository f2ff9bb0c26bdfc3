"""The deployment of docs/deploy.md, run on loopback: two app replicas, one PostgreSQL, nginx with TLS in front.

The shipped nginx site (deploy/nginx/wijkmonitor.conf, rendered by deploy/install.sh render-site with a
self-signed certificate) proxies two ``streamlit run app.py`` replicas (ports 8645-8649, the same
``server.cookieSecret``) against one database on the test PostgreSQL, and runs in a private nginx (port 8660-8669,
own prefix in tmp, foreground, stopped by pid). Checked through the proxy: the health endpoint and the page; that
one client (its wm_replica cookie) sticks to one replica while new clients spread over both; that the Streamlit
WebSocket is upgraded and stays on the client's replica, with a real Chromium visit as well; and that programme
data written once is seen at once through both replicas (it is not cached per replica).

Without nginx the module is skipped with that reason — except in CI (CI set), where it must run.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import urllib.error
import urllib.request

import pytest

from benchmarks import _nginx
from benchmarks._browser import APP, EXCEPTION, SETTLED, StreamlitServer, free_port, goto_settled
from benchmarks._nginx import Nginx
from benchmarks._wsclient import open_page

pytestmark = [pytest.mark.postgres, pytest.mark.browser]

REPLICA_PORTS = range(8645, 8650)
NO_PARTICIPATION = "nog geen deelnamecijfers"
_PROXY_TLS: list = [None]  # the running proxy's client TLS context (its self-signed certificate)


def nginx_binary() -> str:
    found = _nginx.nginx_binary()
    if not found:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; `make test` (system-deps) installs it")
        pytest.skip("nginx is not installed (apt-get install nginx; `make test` installs it); in CI this test runs")
    return found


@pytest.fixture(scope="module")
def stack(tmp_path_factory, output_dir):
    nginx_binary()
    from tests.conftest import built_pg_database  # a copy of build(url, national=False)

    db = built_pg_database(tmp_path_factory, "deploy")
    cookie_secret = secrets.token_hex(32)  # the same on every replica (XSRF and login cookies)
    replicas = []
    try:
        for i in range(2):
            srv = StreamlitServer(APP, db, port=free_port(REPLICA_PORTS), show_error_details=False,
                                  log_path=output_dir / "logs" / f"deploy-replica-{i + 1}.log",
                                  extra_env={"STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret})
            replicas.append(srv.start())
        proxy = Nginx(tmp_path_factory.mktemp("nginx"), free_port(_nginx.PORTS),
                      [f"127.0.0.1:{r.port}" for r in replicas]).start()
        try:
            for r in replicas:  # first visit on / of each fresh replica (deep links later)
                assert open_page(r.base_url, "").ok
            _PROXY_TLS[:] = [proxy.ssl_context]
            yield {"db": db, "replicas": replicas, "proxy": proxy}
        finally:
            proxy.stop()
            if proxy.access_log.exists():
                shutil.copy(proxy.access_log, output_dir / "logs" / "deploy-nginx-access.log")
    finally:
        for r in replicas:
            r.stop()


def get(url: str, cookie: str | None = None, context=None) -> tuple[int, str, str | None]:
    """(status, body, wm_replica cookie value the response sets); https URLs of the proxy use its certificate."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    if context is None and url.startswith("https://"):
        context = _PROXY_TLS[0]
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            body, status, headers = r.read().decode("utf-8", errors="replace"), r.status, r.headers
    except urllib.error.HTTPError as exc:
        body, status, headers = exc.read().decode("utf-8", errors="replace"), exc.code, exc.headers
    set_cookie = [v for k, v in headers.items() if k.lower() == "set-cookie" and v.startswith("wm_replica=")]
    value = set_cookie[0].split(";", 1)[0].split("=", 1)[1] if set_cookie else None
    return status, body, value


def upstreams_of(proxy: Nginx, affinity: str) -> set[str]:
    return {e["upstream"] for e in proxy.log() if e["affinity"] == affinity}


def test_health_and_page_through_the_proxy(stack):
    proxy = stack["proxy"]
    status, body, _ = get(proxy.base_url + "/_stcore/health")
    assert (status, body.strip()) == (200, "ok")
    status, body, key = get(proxy.base_url + "/")
    assert status == 200 and 'id="root"' in body, body[:300]
    assert key and re.fullmatch(r"[0-9a-f]{32}", key), "no wm_replica affinity cookie"


def test_one_client_sticks_to_one_replica_and_clients_spread(stack):
    proxy = stack["proxy"]
    _, _, key = get(proxy.base_url + "/")
    for path in ["/", "/kaart", "/trends", "/_stcore/host-config", "/"] * 3:
        status, _, again = get(proxy.base_url + path, cookie=f"wm_replica={key}")
        assert status == 200 and again == key, path
    assert len(upstreams_of(proxy, key)) == 1, "one client was served by more than one replica"

    replicas = {f"127.0.0.1:{r.port}" for r in stack["replicas"]}
    seen = set()
    for _ in range(24):  # new visitors: each a new random key
        _, _, k = get(proxy.base_url + "/")
        seen |= upstreams_of(proxy, k)
    assert seen == replicas, f"new clients reached only {seen} of {replicas}"


def _key_for(proxy: Nginx, replica: StreamlitServer) -> str:
    """An affinity key that nginx maps to this replica (found by asking, as a new visitor would)."""
    for _ in range(64):
        _, _, k = get(proxy.base_url + "/")
        if upstreams_of(proxy, k) == {f"127.0.0.1:{replica.port}"}:
            return k
    raise AssertionError(f"no key found for {replica.base_url}")


def test_websocket_session_stays_on_the_clients_replica(stack):
    proxy = stack["proxy"]
    for replica in stack["replicas"]:
        key = _key_for(proxy, replica)
        visit = open_page(proxy.base_url, "", cookie=f"wm_replica={key}", ssl_context=proxy.ssl_context)
        assert visit.ok, visit.errors
        assert any("Nazareth" in t for t in visit.texts)
        streams = [e for e in proxy.log() if e["affinity"] == key and e["path"].startswith("/_stcore/stream")]
        assert streams and all(e["status"] == "101" for e in streams), streams
        assert upstreams_of(proxy, key) == {f"127.0.0.1:{replica.port}"}


def test_browser_through_the_proxy(stack, browser):
    proxy = stack["proxy"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    try:
        page = ctx.new_page()
        goto_settled(page, proxy.base_url + "/")
        assert not page.locator(EXCEPTION).count()
        assert "Nazareth" in page.locator("[data-testid='stMain']").inner_text()
        key = next(c["value"] for c in ctx.cookies() if c["name"] == "wm_replica")
    finally:
        ctx.close()
    # nginx writes a WebSocket's access-log line when the connection has closed: give it a moment (bounded).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
            e["affinity"] == key and e["path"].startswith("/_stcore/stream") for e in proxy.log()):
        time.sleep(0.2)
    entries = [e for e in proxy.log() if e["affinity"] == key]
    assert any(e["path"].startswith("/_stcore/stream") and e["status"] == "101" for e in entries), entries
    assert len({e["upstream"] for e in entries}) == 1, "the browser's requests were split over replicas"
    assert len(entries) >= 5  # page, scripts, styles, WebSocket: all of them on one replica


def test_deep_link_through_the_proxy_connects_without_probing(stack, browser):
    """A deep link (/doelen?onderdeel=...) through the proxy: the page's HTML tells Streamlit's client where its
    server is, so it does not first probe /doelen/_stcore/health (a 404, then a 100 ms wait; streamlit#7074),
    and the document is Dutch from its first byte. Directly on a replica the probe happens (the contrast)."""
    proxy, replica = stack["proxy"], stack["replicas"][0]
    status, body, _ = get(proxy.base_url + "/doelen")
    assert status == 200 and '<html lang="nl">' in body and "BACKEND_BASE_URL" in body
    status, body, _ = get(replica.base_url + "/doelen")
    assert status == 200 and "BACKEND_BASE_URL" not in body  # the edit is the proxy's, Streamlit's page is as shipped

    def visit(base: str) -> list[str]:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
        try:
            page = ctx.new_page()
            paths: list[str] = []
            page.on("request", lambda r: paths.append(r.url.removeprefix(base)))
            page.goto(base + "/doelen?onderdeel=Wanneer%20zien%20we%20vooruitgang%3F", wait_until="domcontentloaded")
            # Dutch before any app script has run: through nginx from the HTML itself; directly, Streamlit serves
            # lang="en" and the app's page script sets "nl" once the page is drawn (checked in the a11y tests)
            lang_at_load = page.evaluate("document.documentElement.lang")
            page.wait_for_selector(SETTLED, state="attached", timeout=90_000)
            page.get_by_text("Per bron hoe vaak er gemeten wordt").wait_for(timeout=60_000)
            assert not page.locator(EXCEPTION).count()
            assert (lang_at_load == "nl") == (base == proxy.base_url), (base, lang_at_load)
            assert "onderdeel=Wanneer" in page.evaluate("location.href")  # still on the deep link
            return paths
        finally:
            ctx.close()

    through_proxy = visit(proxy.base_url)
    assert "/_stcore/health" in through_proxy and "/_stcore/host-config" in through_proxy, through_proxy
    assert not any(p.startswith("/doelen/_stcore") for p in through_proxy), through_proxy
    direct = visit(replica.base_url)
    assert any(p.startswith("/doelen/_stcore/health") for p in direct), direct  # Streamlit's own probe


def test_programme_data_is_shared_by_all_replicas_at_once(stack):
    from loaders import auth, programme

    proxy = stack["proxy"]
    keys = [_key_for(proxy, r) for r in stack["replicas"]]
    for key in keys:
        visit = open_page(proxy.base_url, "participatie", cookie=f"wm_replica={key}", ssl_context=proxy.ssl_context)
        assert visit.ok and any(NO_PARTICIPATION in t for t in visit.texts), visit.texts
    password = secrets.token_hex(8)
    editor = auth.login_with_password("deploy", password, {"deploy": auth.hash_password(password)})
    upload = b"buurt_code,maand,dialoogsessies,bewoners_bereikt,meemakers,activiteiten\nBU09350403,2025-03,2,40,11,3\n"
    assert programme.import_participation(stack["db"], editor, upload, "maart.csv", {"BU09350403"}) == 1
    for key in keys:  # both replicas show it on the very next visit: programme data is never cached
        visit = open_page(proxy.base_url, "participatie", cookie=f"wm_replica={key}", ssl_context=proxy.ssl_context)
        assert visit.ok and not any(NO_PARTICIPATION in t for t in visit.texts), visit.texts


def test_oversized_upload_is_refused_by_the_proxy(stack):
    """client_max_body_size (55 MB) stops a body larger than Streamlit's 50 MB upload limit at nginx."""
    import http.client

    proxy = stack["proxy"]
    _, _, key = get(proxy.base_url + "/")
    size = 56 * 1024 * 1024
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, timeout=60, context=proxy.ssl_context)
    status = None
    try:
        conn.putrequest("PUT", "/_stcore/upload_file/sessie/bestand")
        conn.putheader("Content-Length", str(size))
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Cookie", f"wm_replica={key}")
        conn.endheaders()
        chunk = b"\0" * (1024 * 1024)
        try:
            for _ in range(size // len(chunk)):
                conn.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # nginx answers 413 and closes as soon as it has seen the Content-Length
        try:
            status = conn.getresponse().status
        except (ConnectionResetError, http.client.RemoteDisconnected):
            status = None
    finally:
        conn.close()
    deadline = time.monotonic() + 30  # nginx logs the request when it has finished with the connection
    while True:
        logged = [e for e in proxy.log() if e["path"].startswith("/_stcore/upload_file/sessie")]
        if logged or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status in (413, None), status
    assert [(e["status"], e["upstream"]) for e in logged] == [("413", "-")], \
        f"not refused at the proxy: {logged}"
