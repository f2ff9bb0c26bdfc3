"""A private nginx running the shipped site deploy/nginx/wijkmonitor.conf on loopback, with TLS (used by
tests/test_deploy.py, tests/test_runbook.py and benchmarks/pages.py).

The site is rendered by ``deploy/install.sh render-site`` — the same renderer an installation uses — for the
given replicas, a self-signed certificate for 127.0.0.1 made with ``openssl req -x509`` and this helper's ports.
It is included by a copy of Debian's own /etc/nginx/nginx.conf in which only the machine-wide paths are moved
into the prefix (pid, logs, the sites-enabled include; the temp paths when not root), so ``nginx -t`` checks
the site in the context it has on a server. nginx runs in the foreground and is stopped by its pid.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "wijkmonitor.conf"
INSTALL = ROOT / "deploy" / "install.sh"
DEBIAN_MAIN = Path("/etc/nginx/nginx.conf")
PORTS = range(8660, 8670)  # this helper's port block (tests and benchmarks)
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ upstream=(?P<upstream>\S+) '
                      r'affinity=(?P<affinity>\S+)')


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def self_signed(prefix: Path) -> tuple[Path, Path]:
    """A throw-away certificate and key for 127.0.0.1 / localhost (``openssl req -x509``)."""
    cert, key = prefix / "tls" / "wijkmonitor.pem", prefix / "tls" / "wijkmonitor.key"
    cert.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def write_env(path: Path, replicas: list[int], health_port: int, cert: Path, key: Path, extra: str = "") -> Path:
    """An environment file in the format of deploy/env.example with the values the site renderer reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'WIJKMONITOR_REPLICAS="{" ".join(map(str, replicas))}"\n'
                    f"WIJKMONITOR_HEALTH_PORT={health_port}\nWIJKMONITOR_SERVER_NAME=localhost\n"
                    f"WIJKMONITOR_TLS_CERT={cert}\nWIJKMONITOR_TLS_KEY={key}\n{extra}", encoding="utf-8")
    return path


def render_env(prefix: Path, https_port: int, http_port: int) -> dict[str, str]:
    """The variables that move the rendered site onto loopback ports and a private log directory."""
    return {"WM_LISTEN_HTTPS": f"127.0.0.1:{https_port}", "WM_LISTEN_HTTP": f"127.0.0.1:{http_port}",
            "WM_IPV6": "no", "WM_NGINX_LOG_DIR": str(prefix / "logs")}


def render_site(env_file: Path, prefix: Path, https_port: int, http_port: int) -> str:
    out = subprocess.run([str(INSTALL), "render-site"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "WIJKMONITOR_ENV_FILE": str(env_file),
                              **render_env(prefix, https_port, http_port)})
    assert out.returncode == 0, f"install.sh render-site failed:\n{out.stderr}"
    return out.stdout


def main_conf(prefix: Path, sites: Path) -> str:
    """Debian's nginx.conf with the machine-wide paths moved into ``prefix`` (a minimal one without Debian's)."""
    root = os.geteuid() == 0
    if DEBIAN_MAIN.exists():
        conf = DEBIAN_MAIN.read_text(encoding="utf-8")
        subs = [(r"(?m)^\s*pid\s+[^;]+;", f"pid {prefix}/nginx.pid;"),
                (r"(?m)^(\s*)error_log\s+[^;]+;", rf"\1error_log {prefix}/logs/error.log;"),
                (r"(?m)^(\s*)access_log\s+[^;]+;", rf"\1access_log {prefix}/logs/access-default.log;"),
                (r"(?m)^\s*include\s+/etc/nginx/conf\.d/[^;]*;", ""),
                (r"(?m)^(\s*)include\s+/etc/nginx/sites-enabled/[^;]*;", rf"\1include {sites}/*;")]
        for pattern, repl in subs:
            conf, n = re.subn(pattern, repl, conf)
            if n == 0 and "sites-enabled" in pattern:
                raise AssertionError(f"{DEBIAN_MAIN} has no sites-enabled include")
        if not root:
            conf = re.sub(r"(?m)^\s*user\s+[^;]+;", "", conf)
    else:
        conf = (f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
                f"http {{\n    include /etc/nginx/mime.types;\n    include {sites}/*;\n}}\n")
    if not root or not DEBIAN_MAIN.exists():  # Debian's /var/lib/nginx is root's: a private one otherwise
        temp = "".join(f"    {k}_temp_path {prefix}/temp/{k};\n"
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = conf.replace("http {", "http {\n" + temp, 1)
    return conf


class Nginx:
    """A private nginx serving the shipped site with TLS on loopback; stopped by its pid.

    ``replicas``: "127.0.0.1:PORT" of each app replica. ``site``: an already rendered site file (e.g. the one
    deploy/install.sh installed); otherwise it is rendered here.
    """

    def __init__(self, prefix: Path, listen_port: int, replicas: list[str], http_port: int | None = None,
                 health_port: int = 8500, site: Path | None = None, cert: Path | None = None):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        self.binary = binary
        self.prefix = prefix
        self.port = listen_port
        self.http_port = http_port or free_tcp_port(exclude={listen_port})
        for d in ("logs", "temp", "sites-enabled"):
            (prefix / d).mkdir(parents=True, exist_ok=True)
        if site is None:
            self.cert, key = self_signed(prefix)
            env = write_env(prefix / "env", [int(r.rsplit(":", 1)[1]) for r in replicas], health_port, self.cert, key)
            site = prefix / "sites-enabled" / "wijkmonitor"
            site.write_text(render_site(env, prefix, listen_port, self.http_port), encoding="utf-8")
        else:
            assert cert is not None, "a rendered site needs the certificate it names"
            self.cert = cert
            (prefix / "sites-enabled" / "wijkmonitor").write_text(site.read_text(encoding="utf-8"), encoding="utf-8")
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(main_conf(prefix, prefix / "sites-enabled"), encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def _cmd(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "logs/error.log"),
                *extra]

    def check(self) -> subprocess.CompletedProcess:
        """``nginx -t`` on this configuration."""
        return subprocess.run(self._cmd("-t"), capture_output=True, text=True, timeout=30)

    def start(self, timeout: float = 30) -> "Nginx":
        check = self.check()
        assert check.returncode == 0, f"nginx -t failed:\n{check.stderr}"
        self.proc = subprocess.Popen(self._cmd("-g", "daemon off;"), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode(errors='replace')}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise TimeoutError("nginx did not start listening")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # graceful: workers finish their requests
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this proxy's self-signed certificate (hostname checked)."""
        return ssl.create_default_context(cafile=str(self.cert))

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "wijkmonitor.access.log"

    def log(self) -> list[dict]:
        lines = self.access_log.read_text(encoding="utf-8").splitlines() if self.access_log.exists() else []
        return [m.groupdict() for m in map(LOG_LINE.search, lines) if m]


def free_tcp_port(ports=PORTS, exclude: set[int] = frozenset()) -> int:
    for port in ports:
        if port in exclude:
            continue
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
