"""The health check of a deployment: database (see :mod:`loaders.health`) and the app replicas.

Streamlit's own ``/_stcore/health`` answers ``ok`` as long as the process runs, also with the database down. This
check asks what a visitor needs: the database reachable, migrated and built, the reader allowed to read, and
every replica answering. :func:`serve` answers it over HTTP for nginx (``/gezondheid``) and monitoring: 200
``ok`` or 503 with the Dutch reasons, one per line (no host or user names). Results are kept for a few seconds so
a burst of requests does not become a burst of database connections.
"""
from __future__ import annotations

import http.server
import threading
import time
import urllib.error
import urllib.request

from loaders import health as db_health, settings


def replica_url(spec: str) -> str:
    """``8501`` → ``http://127.0.0.1:8501``; a URL stays as it is."""
    spec = spec.strip().rstrip("/")
    return f"http://127.0.0.1:{int(spec)}" if spec.isdigit() else spec


# The replicas are local: never through the HTTPS_PROXY/HTTP_PROXY the environment file sets for the CBS refresh.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def replica_problems(replicas: list[str], timeout: float = 3.0) -> list[str]:
    out = []
    for i, spec in enumerate(replicas, start=1):
        url = replica_url(spec)
        try:
            with _DIRECT.open(f"{url}/_stcore/health", timeout=timeout) as r:
                if r.status == 200 and r.read().decode(errors="replace").strip() == "ok":
                    continue
        except (urllib.error.URLError, OSError, ValueError):
            pass
        out.append(f"App-replica {i} ({url.rsplit(':', 1)[-1]}) antwoordt niet.")
    return out


def check(replicas: list[str] | None = None, detail: bool = True) -> list[str]:
    """All problems (empty: healthy), database first."""
    url = settings.database_url()
    reader = settings.get("WIJKMONITOR_READONLY_DATABASE_URL") or None
    return db_health.problems(url, reader, detail=detail) + replica_problems(replicas or [])


class _Cached:
    def __init__(self, replicas: list[str], max_age: float):
        self.replicas, self.max_age = replicas, max_age
        self.lock = threading.Lock()
        self.at, self.result = -1e9, None

    def get(self) -> list[str]:
        with self.lock:  # concurrent requests wait for one check instead of running their own
            if time.monotonic() - self.at > self.max_age:
                result = check(self.replicas, detail=False)
                if result != self.result:  # state changes go to the log (journald), polls do not
                    print("gezond" if not result else "niet gezond: " + " ".join(result), flush=True)
                self.result, self.at = result, time.monotonic()
            return self.result


def make_server(address: str, replicas: list[str], max_age: float = 5.0) -> http.server.ThreadingHTTPServer:
    host, _, port = address.rpartition(":")
    cached = _Cached(replicas, max_age)

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "wijkmonitor-health"
        sys_version = ""

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0] not in ("/", "/gezondheid"):
                self._answer(404, "niet gevonden\n")
                return
            found = cached.get()
            self._answer(503 if found else 200, ("\n".join(found) if found else "ok") + "\n")

        do_HEAD = do_GET

        def _answer(self, status: int, text: str) -> None:
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, fmt, *args):  # no line per poll
            pass

    srv = http.server.ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
    srv.daemon_threads = True
    return srv


def serve(address: str, replicas: list[str], max_age: float = 5.0) -> None:
    srv = make_server(address, replicas, max_age)
    print(f"Gezondheidscontrole op http://{address}/gezondheid ({len(replicas)} replica's)", flush=True)
    try:
        srv.serve_forever()
    finally:
        srv.server_close()
