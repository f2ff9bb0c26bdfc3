"""A private nginx running deploy/nginx.conf on loopback (used by tests/test_deploy.py and benchmarks/deep_link.py).

The template's placeholders are filled for the given replicas; nginx runs in the foreground with its own prefix
(logs/, temp/) and is stopped by its pid.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"
PORTS = range(8660, 8670)  # this helper's port block (tests and benchmarks)
LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ upstream=(?P<upstream>\S+) '
                      r'affinity=(?P<affinity>\S+)')


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


class Nginx:
    """A private nginx from deploy/nginx.conf: own prefix, foreground, stopped by its pid."""

    def __init__(self, prefix: Path, listen_port: int, replicas: list[str]):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        self.binary = binary
        self.prefix = prefix
        self.port = listen_port
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        (prefix / "temp").mkdir(exist_ok=True)
        conf = TEMPLATE.read_text(encoding="utf-8")
        for placeholder in ("@LISTEN@", "@SERVER_NAME@", "@REPLICAS@"):
            assert placeholder in conf, f"{placeholder} missing from deploy/nginx.conf"
        conf = (conf.replace("@LISTEN@", f"127.0.0.1:{listen_port}").replace("@SERVER_NAME@", "localhost")
                .replace("@REPLICAS@", " ".join(f"server {r};" for r in replicas)))
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(conf, encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def _cmd(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "logs/error.log"),
                *extra]

    def start(self, timeout: float = 30) -> "Nginx":
        check = subprocess.run(self._cmd("-t"), capture_output=True, text=True, timeout=30)
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
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> list[dict]:
        path = self.prefix / "logs/access.log"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [m.groupdict() for m in map(LOG_LINE.search, lines) if m]
