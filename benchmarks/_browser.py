"""Shared helpers for the page benchmark and the browser tests.

- ``navigation()`` reads the page list from app.py with ``ast`` (importing app.py would run Streamlit calls),
  so a page added to ``PAGES`` is picked up by tests and benchmarks without editing them;
- ``StreamlitServer`` runs ``streamlit run <script>`` on a loopback port and stops it again;
- ``launch_chromium()`` / ``goto_settled()`` drive the Debian Chromium through Playwright (sync API).

Everything stays on 127.0.0.1; every wait has a deadline.
"""
from __future__ import annotations

import ast
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
STREAMLIT = Path(sys.executable).with_name("streamlit")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PORTS = range(8620, 8630)  # this harness's port block
SETTLED = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
# Streamlit's "Page not found" modal (unknown url path: it runs the main page underneath).
NOT_FOUND = "[role='dialog']:has-text('Page not found')"
# The sidebar navigation: st.page_link per page (app.py; Streamlit's own sectioned nav has invalid list markup).
NAV_LINK = "[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']"


# ---------------------------------------------------------------------------------------------- navigation

@dataclass(frozen=True)
class PageSpec:
    file: str          # relative to the repository root, e.g. "views/overzicht.py"
    title: str
    url_path: str      # as Streamlit serves it: /<url_path>
    section: str
    default: bool

    @property
    def slug(self) -> str:
        return self.url_path or Path(self.file).stem

    @property
    def route(self) -> str:
        """The path Streamlit serves the page at: the default page lives at "/" (its url_path is ignored)."""
        return "" if self.default else self.url_path


def _const(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) else None


def navigation(app: Path = APP) -> list[PageSpec]:
    """Every ``st.Page(...)`` in app.py, in navigation order, with its section from the ``PAGES`` dict."""
    tree = ast.parse(app.read_text(encoding="utf-8"), filename=str(app))
    section_of: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if key is not None and isinstance(_const(key), str) and isinstance(value, (ast.List, ast.Tuple)):
                    for elt in value.elts:
                        section_of[id(elt)] = _const(key)
    pages: list[PageSpec] = []
    positions: list[tuple[int, int]] = []  # ast.walk is breadth-first: sort back into source order
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        kw = {k.arg: _const(k.value) for k in node.keywords if k.arg}
        page = _const(node.args[0]) if node.args else kw.get("page")
        if not isinstance(page, str):
            raise ValueError(f"app.py line {node.lineno}: st.Page without a literal file path")
        stem = Path(page).stem
        # Streamlit's own default url_path: the file stem without a leading number prefix.
        url_path = kw.get("url_path") if kw.get("url_path") is not None else stem.lstrip("0123456789_-")
        pages.append(PageSpec(file=page, title=kw.get("title") or stem, url_path=url_path,
                              section=section_of.get(id(node), ""), default=bool(kw.get("default"))))
        positions.append((node.lineno, node.col_offset))
    if not pages:
        raise ValueError("no st.Page(...) found in app.py")
    return [p for _, p in sorted(zip(positions, pages), key=lambda t: t[0])]


# ---------------------------------------------------------------------------------------------- server

def free_port(ports=PORTS) -> int:
    """The first port of the block nobody listens on (bind test on 127.0.0.1)."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # as the server binds (tornado sets SO_REUSEADDR): a port whose old connections are in TIME_WAIT is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


class PortTaken(RuntimeError):
    pass


def _listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` owns the listening TCP socket on ``port`` (Linux /proc; True where unknown)."""
    try:
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not os.path.exists(table):
                continue
            with open(table, encoding="ascii") as fh:
                for line in fh.readlines()[1:]:
                    f = line.split()
                    if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f[9])
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return True
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in {f"socket:[{i}]" for i in inodes}:
                return True
        except OSError:
            continue
    return False


class StreamlitServer:
    """``streamlit run script`` on 127.0.0.1 with ``DATABASE_URL`` set; use as a context manager."""

    def __init__(self, script: Path | str, database_url: str | None = None, port: int | None = None,
                 log_path: Path | None = None, extra_env: dict[str, str] | None = None,
                 show_error_details: bool = True):
        self.script = Path(script)
        self.database_url = database_url
        self.port = port
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.show_error_details = show_error_details
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> "StreamlitServer":
        """Start; when the chosen port was taken in the meantime (several test runs share the port block), the
        process exits with "Port … is not available" and the start is retried on another free port."""
        fixed = self.port is not None
        for attempt in range(4):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if fixed or attempt == 3:
                    raise
                self.port = None
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> "StreamlitServer":
        self.port = self.port or free_port()
        env = {**os.environ, **self.extra_env}
        env.pop("WIJKMONITOR_READONLY_DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
        cmd = [str(STREAMLIT), "run", str(self.script),
               "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(self.port),
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--server.runOnSave", "false", "--client.showErrorDetails", str(self.show_error_details).lower()]
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "w", encoding="utf-8")
        # Own process group, so stop() ends streamlit and anything it started, and nothing else.
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log or subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                if f"Port {self.port} is not available" in tail:
                    raise PortTaken(self.port)
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}:\n{tail}")
            if not _listens(self.proc.pid, self.port):
                time.sleep(0.2)  # a health answer now could come from another process on this port
                continue
            try:
                with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as r:
                    body = r.read().decode()
                    if r.status == 200 and body.strip() == "ok":
                        return
                    last = body
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"streamlit on port {self.port} not healthy after {timeout:.0f} s ({last}):\n"
                           f"{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no log)"
        if self._log:
            self._log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])

    def stop(self, timeout: float = 10) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=timeout)
            except ProcessLookupError:
                pass
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> "StreamlitServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------- browser

def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def goto_settled(page, url: str, timeout_ms: float = 90_000) -> float:
    """Open ``url`` and wait until Streamlit's script run has finished; returns seconds from navigation start."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)
    return time.perf_counter() - t0
