"""docs/deploy.md followed on loopback: the runbook's tested blocks verbatim, then the service as systemd would run it.

- Its own PostgreSQL (scripts/pg.sh on port 54342, data in /tmp/wm-pg-runbook, wiped first; never the shared test
  server) with password authentication (scram-sha-256) for every role but the test's superuser, so the URLs the
  runbook writes must really log in.
- Every fenced block of docs/deploy.md marked ``<!-- runbook:step NAME -->`` runs in bash, unchanged but for
  these substitutions: ``/opt/wijkmonitor`` → this checkout, ``/etc/`` and ``/var/{lib,cache}/wijkmonitor`` → a
  temporary root (``DESTDIR`` for deploy/install.sh), the runbook's superuser URL → this server's, and (when the
  test cannot run it as root with an interpreter the postgres user may execute) no ``runuser -u postgres --``. The test edits the environment file where the runbook
  says "edit": the certificate paths, replica ports, health port and editors file.
- Steps that cannot run in a test (``apt-get``, ``git clone``, ``systemctl``) are replaced by what they do: the
  replicas and the health check are started with the ``ExecStart`` line of the *installed* units, with their
  ``WorkingDirectory``, ``Environment`` and ``EnvironmentFile``; nginx runs the *installed* site inside Debian's
  nginx.conf (benchmarks/_nginx.py) with the runbook's self-signed certificate.

Checked: the health check fails before the build (not migrated), the owner builds and rebuilds, the reader reads
every table afterwards and serves every page through nginx over https without an error; port 80 redirects, HSTS
is sent; ``nginx -t`` and ``systemd-analyze verify`` pass on the installed files; the password rule and URL
encoding; a revoked grant is reported by name and repaired by running ``rollen`` again; ``wijkmonitor health`` and
``/gezondheid`` fail with the database stopped and recover when it is back.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks import _nginx
from benchmarks._browser import ROOT, free_port, navigation
from benchmarks._wsclient import open_page

pytestmark = [pytest.mark.postgres, pytest.mark.browser]

DOC = ROOT / "docs" / "deploy.md"
PG_SH = ROOT / "scripts" / "pg.sh"
PG_PORT = 54342
PG_DIR = "/tmp/wm-pg-runbook"
ADMIN_URL = f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/postgres"
RUNBOOK_ADMIN_URL = "postgresql+psycopg:///postgres?host=/var/run/postgresql"
APP_PORTS = range(8670, 8680)  # this file's block: two replicas, the health check, nginx https and http
STEPS = ("env", "rollen", "tls", "install", "build", "check")
IS_ROOT = os.geteuid() == 0


# ---------------------------------------------------------------------------------------------- helpers

def require(binary: str) -> str:
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is not installed; `make test` (system-deps) installs it")
        pytest.skip(f"{binary} is not installed (make system-deps)")
    return found


def pg(action: str) -> str:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        require("initdb")
    env = {**os.environ, "WIJKMONITOR_PGPORT": str(PG_PORT), "WIJKMONITOR_PGDIR": PG_DIR}
    out = subprocess.run([str(PG_SH), action], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"pg.sh {action}: {out.stderr}"
    return out.stdout.strip()


def runbook_blocks() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"<!-- runbook:step (\w+) -->\n```bash\n(.*?)```", text, flags=re.S))
    assert set(blocks) == set(STEPS), f"docs/deploy.md runbook steps: {sorted(blocks)}"
    return blocks


def read_env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile format: NAME=value, optional double quotes, comments; a later line wins."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith(("#", ";")) or "=" not in line:
            continue
        name, value = line.split("=", 1)
        out[name.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return out


def set_env_value(path: Path, name: str, value: str) -> None:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(f"{name}=")]
    path.write_text("\n".join(lines + [f"{name}={value}"]) + "\n", encoding="utf-8")


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


class Unit:
    """A service started as systemd would start it: ExecStart of an installed unit (``%i`` = instance), its
    WorkingDirectory, Environment= and then EnvironmentFile= (which overrides Environment=)."""

    def __init__(self, unit_file: Path, instance: str, paths: dict[str, str], log: Path):
        service, self.instance, self.log = {}, instance, log
        envs: list[str] = []
        section = ""
        for raw in unit_file.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                if key == "Environment":
                    envs.append(value)
                else:
                    service[key] = value
        self.service = service
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        for e in envs:
            k, v = e.split("=", 1)
            for old, new in paths.items():
                v = v.replace(old, new)
            env[k] = v
        env.update(read_env_file(Path(service["EnvironmentFile"])))
        for d in (env.get("HOME"), env.get("XDG_CACHE_HOME")):
            if d:
                Path(d).mkdir(parents=True, exist_ok=True)  # StateDirectory= / CacheDirectory=
        self.env = env
        argv: list[str] = []
        command = service["ExecStart"].replace("%i", instance)
        for old, new in paths.items():
            command = command.replace(old, new)
        for word in shlex.split(command):
            if re.fullmatch(r"\$\w+", word):  # "$VAR" alone: split at whitespace (systemd)
                argv += env.get(word[1:], "").split()
            else:
                argv.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), word))
        self.argv = argv
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Unit":
        self._fh = open(self.log, "w", encoding="utf-8")
        self.proc = subprocess.Popen(self.argv, cwd=self.service["WorkingDirectory"], env=self.env,
                                     stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "_fh", None):
            self._fh.close()


def fetch(url: str, context: ssl.SSLContext | None = None) -> tuple[int, str, dict]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)


# ---------------------------------------------------------------------------------------------- the runbook

@pytest.fixture(scope="module")
def site(tmp_path_factory, output_dir):
    require("nginx")
    require("openssl")
    if IS_ROOT:
        require("runuser")
    pg("stop")
    shutil.rmtree(PG_DIR, ignore_errors=True)
    pg("start")
    hba = Path(PG_DIR) / "pg_hba.conf"  # passwords for everybody but the test's superuser
    hba.write_text("host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
                   + hba.read_text(), encoding="utf-8")
    pg("restart")

    dest = tmp_path_factory.mktemp("runbook-root")
    (dest / "etc/ssl/certs").mkdir(parents=True)  # as on Debian
    (dest / "etc/ssl/private").mkdir(parents=True)
    logs = output_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    paths = {"/opt/wijkmonitor": str(ROOT), "/var/lib/wijkmonitor": str(dest / "var/lib/wijkmonitor"),
             "/var/backups/wijkmonitor": str(dest / "var/backups/wijkmonitor"),
             "/var/cache/wijkmonitor": str(dest / "var/cache/wijkmonitor"), "/etc/": f"{dest}/etc/"}
    # All five ports from this file's own block: nginx starts only after the install and two builds, and the
    # nginx block of benchmarks/_nginx.py is test_deploy.py's, which may run at the same time (pytest-xdist).
    ports = [free_port(APP_PORTS) for _ in range(1)]
    ports.append(free_port(range(ports[0] + 1, APP_PORTS.stop)))
    health_port = free_port(range(ports[1] + 1, APP_PORTS.stop))
    https_port = free_port(range(health_port + 1, APP_PORTS.stop))
    http_port = free_port(range(https_port + 1, APP_PORTS.stop))
    env_file = dest / "etc/wijkmonitor/env"
    shell_env = {"PATH": f"{dest}/usr/local/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
                 "HOME": str(dest), "DESTDIR": str(dest), "WIJKMONITOR_REFRESH_CACHE": str(dest / "cache"),
                 **_nginx.render_env(dest / "nginx", https_port, http_port)}

    def run(step: str) -> subprocess.CompletedProcess:
        block = blocks[step].replace(RUNBOOK_ADMIN_URL, ADMIN_URL)
        for old, new in paths.items():
            block = block.replace(old, new)
        if not as_postgres:
            block = block.replace("runuser -u postgres -- ", "")
        out = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=dest, env=shell_env,
                             capture_output=True, text=True, timeout=600)
        (logs / f"runbook-{step}.log").write_text(f"$ {block}\n{out.stdout}\n{out.stderr}", encoding="utf-8")
        return out

    def ok(step: str) -> subprocess.CompletedProcess:
        out = run(step)
        assert out.returncode == 0, f"runbook step {step} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
        return out

    # runuser -u postgres needs root and an interpreter the postgres OS user may execute (not a pyenv in /root)
    as_postgres = IS_ROOT and subprocess.run(["runuser", "-u", "postgres", "--", str(ROOT / ".venv/bin/python"),
                                              "-c", "pass"], capture_output=True, timeout=60).returncode == 0
    blocks = runbook_blocks()
    ok("env")
    ok("rollen")
    ok("tls")
    # "Then edit /etc/wijkmonitor/env": this test's certificate paths, ports
    set_env_value(env_file, "WIJKMONITOR_TLS_CERT", f"{dest}/etc/ssl/certs/wijkmonitor.pem")
    set_env_value(env_file, "WIJKMONITOR_TLS_KEY", f"{dest}/etc/ssl/private/wijkmonitor.key")
    set_env_value(env_file, "WIJKMONITOR_REPLICAS", '"' + " ".join(map(str, ports)) + '"')
    set_env_value(env_file, "WIJKMONITOR_HEALTH_PORT", str(health_port))
    set_env_value(env_file, "WIJKMONITOR_EDITORS_FILE", f"{dest}/etc/wijkmonitor/editors.toml")
    ok("install")
    before_build = subprocess.run([f"{dest}/usr/local/bin/wijkmonitor", "health"], env=shell_env,
                                  capture_output=True, text=True, timeout=120)
    build_runs = [ok("build"), ok("build")]  # the build, then a rebuild (as every refresh does)

    units = dest / "etc/systemd/system"
    started: list[Unit] = []
    proxy = None
    try:
        for p in ports:
            u = Unit(units / "wijkmonitor@.service", str(p), paths, logs / f"runbook-replica-{p}.log").start()
            started.append(u)
        for u in started:
            wait_port(int(u.instance), u.proc)
        health = Unit(units / "wijkmonitor-health.service", "", paths, logs / "runbook-health.log").start()
        started.append(health)
        wait_port(health_port, health.proc)
        cert = Path(read_env_file(env_file)["WIJKMONITOR_TLS_CERT"])
        proxy = _nginx.Nginx(dest / "nginx", https_port, [], http_port=http_port,
                             site=dest / "etc/nginx/sites-available/wijkmonitor", cert=cert).start()
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False  # the runbook's certificate names wijkmonitor.maastricht.nl; we dial 127.0.0.1
        yield {"dest": dest, "env_file": env_file, "env": read_env_file(env_file), "ports": ports,
               "health_port": health_port, "proxy": proxy, "tls": ctx, "run": run, "ok": ok,
               "before_build": before_build, "build_runs": build_runs, "shell_env": shell_env, "units": units,
               "paths": paths, "replicas": started[:len(ports)]}
    finally:
        if proxy:
            proxy.stop()
            if proxy.access_log.exists():
                shutil.copy(proxy.access_log, logs / "runbook-nginx-access.log")
        for u in reversed(started):
            u.stop()
        pg("stop")


def reader_tables(reader_url: str) -> dict[str, int]:
    eng = sa.create_engine(reader_url)
    try:
        with eng.connect() as conn:
            names = conn.execute(sa.text("SELECT schemaname, tablename FROM pg_tables "
                                         "WHERE schemaname IN ('public', 'programma') ORDER BY 1, 2")).all()
            q = conn.dialect.identifier_preparer.quote
            return {f"{s}.{t}": conn.execute(sa.text(f"SELECT count(*) FROM {q(s)}.{q(t)}")).scalar_one()
                    for s, t in names}
    finally:
        eng.dispose()


def test_owner_builds_and_rebuilds_and_the_reader_reads_every_table(site):
    before = site["before_build"]
    assert before.returncode == 1 and "niet gemigreerd" in before.stderr, before.stderr
    assert all("Database gebouwd" in r.stdout for r in site["build_runs"])
    env = site["env"]
    owner, reader = sa.engine.make_url(env["DATABASE_URL"]), sa.engine.make_url(env["WIJKMONITOR_READONLY_DATABASE_URL"])
    assert (owner.username, reader.username, owner.database) == ("wijkmonitor", "wijkmonitor_lezer", "wijkmonitor")
    assert len(owner.password) >= 12 and owner.port == PG_PORT
    counts = reader_tables(env["WIJKMONITOR_READONLY_DATABASE_URL"])  # scram: the printed password logs in
    assert counts["public.metric_values"] > 0 and counts["public.areas"] > 0, counts
    assert any(name.endswith(".targets") for name in counts), counts  # programme data (public or programma)
    admin = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/wijkmonitor")
    try:
        with admin.connect() as conn:
            owners = {r[0] for r in conn.execute(sa.text(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname IN ('public', 'programma')"))}
            assert owners == {"wijkmonitor"}
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                with sa.create_engine(env["WIJKMONITOR_READONLY_DATABASE_URL"]).begin() as ro:
                    ro.execute(sa.text("DELETE FROM metric_values"))
    finally:
        admin.dispose()


def dump_replica_stacks(site, why: str) -> str:
    """SIGUSR1 to every replica (docs/deploy.md, Logs): each writes its threads' stacks to its log; returned."""
    out = []
    for u in site["replicas"]:
        mark = u.log.stat().st_size
        os.kill(u.proc.pid, signal.SIGUSR1)
        time.sleep(1.0)
        out.append(f"--- replica {u.instance} ({why}) ---\n" + u.log.read_bytes()[mark:].decode("utf-8", "replace"))
    return "\n".join(out)


def test_usr1_writes_every_threads_stack_to_the_replicas_log_and_keeps_it_running(site):
    for u in site["replicas"]:  # the handler is registered when app.py first runs: a replica that served a page
        assert open_page(f"http://127.0.0.1:{u.instance}", "", timeout=180).ok
    dump = dump_replica_stacks(site, "test")
    assert dump.count("Thread 0x") >= 2 * len(site["replicas"]), dump[-2000:]  # all threads, of each replica
    assert "streamlit" in dump and "(most recent call first)" in dump
    assert all(u.proc.poll() is None for u in site["replicas"])
    status, body, _ = fetch(site["proxy"].base_url + "/gezondheid", site["tls"])
    assert (status, body.strip()) == (200, "ok")


def test_every_page_through_nginx_as_the_reader(site, output_dir):
    """Each page once, as a new visitor. A visit that times out gets the replicas' stacks written to
    logs/runbook-stalls.txt (for a diagnosis) and one more try; a page that fails twice fails the test."""
    proxy, ctx = site["proxy"], site["tls"]
    failed, stalls = {}, []
    for spec in navigation():
        v = open_page(proxy.base_url, spec.route, ssl_context=ctx, timeout=180)
        if not v.ok and any(e.startswith("timeout") for e in v.errors):
            stalls.append(f"/{spec.route}: {v.errors}\n" + dump_replica_stacks(site, spec.route))
            v = open_page(proxy.base_url, spec.route, ssl_context=ctx, timeout=180)
        if not v.ok:
            failed[spec.route or "/"] = v.errors
    if stalls:  # kept, and named in the run's warnings summary, also when the second try passed
        (output_dir / "logs" / "runbook-stalls.txt").write_text("\n\n".join(stalls), encoding="utf-8")
        warnings.warn(f"runbook: {len(stalls)} page visit(s) timed out once; stacks in logs/runbook-stalls.txt:\n"
                      + "\n".join(stalls)[:3000])
    assert not failed, (failed, "\n".join(stalls)[-6000:])
    rss = {}  # for the sizing section of the runbook (recorded, not asserted)
    for p in site["ports"]:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if b"--server.port" in cmd and cmd[cmd.index(b"--server.port") + 1] == str(p).encode():
                    kb = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)
                    rss[p] = int(kb) / 1024
            except (OSError, ValueError, IndexError, AttributeError):
                continue
    (output_dir / "logs" / "runbook-replica-rss.txt").write_text(
        "".join(f"replica {p}: {mb:.0f} MB resident after one visit of every page\n" for p, mb in rss.items()))
    admin = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/postgres")
    try:
        with admin.connect() as conn:
            users = {r[0] for r in conn.execute(sa.text(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'wijkmonitor'"))}
    finally:
        admin.dispose()
    assert "wijkmonitor_lezer" in users, users  # the statistics were read with the reader role
    upstreams = {e["upstream"] for e in proxy.log()}
    assert {f"127.0.0.1:{p}" for p in site["ports"]} & upstreams


def test_check_step_health_and_warm_up(site):
    out = site["ok"]("check")
    assert "ok: database bereikbaar" in out.stdout and "2 replica's antwoorden" in out.stdout, out.stdout
    assert out.stdout.count(": ok (") == 4, out.stdout  # / and /kaart?weergave=Nederland on both replicas
    status, body, _ = fetch(site["proxy"].base_url + "/gezondheid", site["tls"])
    assert (status, body.strip()) == (200, "ok")


def test_port_80_redirects_and_https_sends_hsts(site):
    proxy = site["proxy"]
    status, _, headers = fetch(f"http://127.0.0.1:{proxy.http_port}/kaart?weergave=Nederland")
    assert status == 301 and headers["Location"].startswith("https://") \
        and headers["Location"].endswith("/kaart?weergave=Nederland"), (status, headers)
    status, body, headers = fetch(proxy.base_url + "/doelen", site["tls"])
    assert status == 200 and '<html lang="nl">' in body and "BACKEND_BASE_URL" in body
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("wm_replica=") and "Secure" in cookie and "HttpOnly" in cookie


def test_installed_files_pass_nginx_t_and_systemd_analyze_verify(site, tmp_path):
    check = site["proxy"].check()
    assert check.returncode == 0 and "warn" not in check.stderr.lower(), check.stderr
    analyze = require("systemd-analyze")
    units = site["units"]
    files = sorted(units.iterdir())
    assert {f.name for f in files} >= {"wijkmonitor@.service", "wijkmonitor-health.service", "wijkmonitor.target",
                                       "wijkmonitor-refresh.service", "wijkmonitor-refresh.timer",
                                       "wijkmonitor-backup.service", "wijkmonitor-backup.timer"}
    for p in site["ports"]:  # the instances systemctl enables
        shutil.copy(units / "wijkmonitor@.service", tmp_path / f"wijkmonitor@{p}.service")
    for f in files:
        if f.name != "wijkmonitor@.service":
            shutil.copy(f, tmp_path / f.name)
    out = subprocess.run([analyze, "verify", *sorted(map(str, tmp_path.iterdir()))], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
    assert out.returncode == 0 and not out.stderr.strip() and not out.stdout.strip(), out.stderr + out.stdout
    calendar = re.search(r"^OnCalendar=(.+)$", (units / "wijkmonitor-refresh.timer").read_text(), re.M).group(1)
    when = subprocess.run([analyze, "calendar", calendar], capture_output=True, text=True, timeout=30)
    assert when.returncode == 0 and "Next elapse" in when.stdout, when.stderr  # monthly, on the 3rd
    assert re.search(r"Next elapse: \w+ \d{4}-\d{2}-03 02:30:00", when.stdout), when.stdout


def test_password_rule_and_url_encoded_passwords(site):
    from loaders.roles import database_url

    base = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [str(ROOT / ".venv/bin/python"), "-m", "wijkmonitor", "rollen", "--admin-url", ADMIN_URL,
           "--database", "wm_kort", "--eigenaar", "wm_kort_eigenaar", "--lezer", "wm_kort_lezer"]
    short = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={**base, "WIJKMONITOR_OWNER_PASSWORD": "elf-tekens!", "WIJKMONITOR_READER_PASSWORD":
                                "lang-genoeg-wachtwoord"})
    assert short.returncode == 2 and "te kort" in short.stderr and "minstens 12 tekens" in short.stderr, short.stderr
    admin = sa.create_engine(ADMIN_URL)
    try:
        with admin.connect() as conn:
            assert not conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname LIKE 'wm_kort%'")).first()
            assert not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = 'wm_kort'")).first()
    finally:
        admin.dispose()
    hard = "p@ss:w/rd %$#&?=+~é"  # every character a URL treats specially, and one outside ASCII
    good = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**base, "WIJKMONITOR_OWNER_PASSWORD": hard, "WIJKMONITOR_READER_PASSWORD": hard + "2"})
    assert good.returncode == 0, good.stderr
    urls = dict(line.split("=", 1) for line in good.stdout.splitlines())
    assert urls["DATABASE_URL"] == database_url(ADMIN_URL, "wm_kort_eigenaar", hard, "wm_kort")
    assert re.fullmatch(r"[A-Za-z0-9%._~:@/+-]+", urls["DATABASE_URL"].split("://", 1)[1])  # safe in the env file
    for url in urls.values():
        eng = sa.create_engine(url)
        try:
            with eng.connect() as conn:  # scram: only the right password gets in
                assert conn.execute(sa.text("SELECT current_user")).scalar_one().startswith("wm_kort_")
        finally:
            eng.dispose()


def test_an_editor_signs_in_through_nginx_and_stays_on_one_replica(site, browser):
    """Step 8's editors file (the line `wijkmonitor hash-password --gebruiker NAME` prints, made here with the
    same bcrypt function), then a real Chromium through nginx over TLS: sign in on /doelen; every request of
    that browser, its WebSocket included, went to one replica (the Secure affinity cookie works over https)."""
    from loaders import auth
    from tests.browser.editors import PASSWORD, SIGNED_IN, USER, sign_in

    from benchmarks._browser import goto_settled

    editors = Path(site["env"]["WIJKMONITOR_EDITORS_FILE"])
    editors.write_text(f'[editors.accounts]\n{USER} = "{auth.hash_password(PASSWORD)}"\n', encoding="utf-8")
    proxy = site["proxy"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    try:
        page = ctx.new_page()
        goto_settled(page, proxy.base_url + "/doelen")
        sign_in(page)
        assert page.locator(SIGNED_IN).count() == 1
        key = next(c for c in ctx.cookies() if c["name"] == "wm_replica")
        assert key["secure"] and key["httpOnly"]
    finally:
        ctx.close()
    deadline = time.monotonic() + 10  # nginx logs a WebSocket when it has closed
    while time.monotonic() < deadline and not any(
            e["affinity"] == key["value"] and e["path"].startswith("/_stcore/stream") for e in proxy.log()):
        time.sleep(0.2)
    entries = [e for e in proxy.log() if e["affinity"] == key["value"]]
    assert any(e["path"].startswith("/_stcore/stream") and e["status"] == "101" for e in entries), entries
    assert len({e["upstream"] for e in entries}) == 1, entries


def built_at(url: str) -> str:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as conn:
            return conn.execute(sa.text("SELECT value FROM build_info WHERE key = 'built_at'")).scalar_one()
    finally:
        eng.dispose()


def test_refresh_unit_uses_the_proxy_of_the_env_file_and_changes_nothing_when_it_fails(site, output_dir):
    """The monthly refresh as its unit runs it, with HTTPS_PROXY/HTTP_PROXY in the environment file (runbook
    section 10) pointing at a port where nothing listens: it must fail within its time limit, say so in Dutch and
    leave the database as it was. The health check and warm-up keep reaching the replicas directly (they ignore
    the proxy; no NO_PROXY here on purpose)."""
    env_file = site["env_file"]
    for name in ("HTTPS_PROXY", "HTTP_PROXY"):
        set_env_value(env_file, name, "http://127.0.0.1:9")
    before = built_at(site["env"]["DATABASE_URL"])
    unit = Unit(site["units"] / "wijkmonitor-refresh.service", "", site["paths"],
                output_dir / "logs" / "runbook-refresh.log")
    assert unit.service["TimeoutStartSec"] and "WIJKMONITOR_QUERY_TIMEOUT_MS=0" in unit.argv
    assert unit.env["HTTPS_PROXY"] == "http://127.0.0.1:9"
    unit.start()
    try:
        unit.proc.wait(timeout=300)
    finally:
        unit.stop()
    text = unit.log.read_text(encoding="utf-8")
    assert unit.proc.returncode != 0 and "FOUT" in text and "niets gewijzigd" in text, text[-2000:]
    assert built_at(site["env"]["DATABASE_URL"]) == before
    out = site["ok"]("check")  # health + warm-up through the wrapper, with the proxy in the environment file
    assert "ok: database bereikbaar" in out.stdout and out.stdout.count(": ok (") == 4, out.stdout + out.stderr


def test_backup_unit_dumps_the_database_and_the_programme_data(site, output_dir):
    """wijkmonitor-backup.service as systemd runs it (deploy/backup.sh as the owner role): a pg_dump that
    pg_restore can read, with the owner's tables, and the programme-data backup beside it."""
    has_backup = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "wijkmonitor", "backup", "--help"], cwd=ROOT,
                                capture_output=True, timeout=120).returncode == 0
    if not has_backup:
        pytest.skip("`python -m wijkmonitor backup` (the programme-data backup) is not in this checkout yet")
    require("pg_dump")
    unit = Unit(site["units"] / "wijkmonitor-backup.service", "", site["paths"],
                output_dir / "logs" / "runbook-backup.log")
    unit.env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    unit.start()
    try:
        unit.proc.wait(timeout=600)
    finally:
        unit.stop()
    text = unit.log.read_text(encoding="utf-8")
    assert unit.proc.returncode == 0, text[-2000:]
    folder = site["dest"] / "var/backups/wijkmonitor"
    dumps, zips = sorted(folder.glob("wijkmonitor-*.dump")), sorted(folder.glob("programma-*.zip"))
    assert len(dumps) == 1 and len(zips) == 1 and zips[0].stat().st_size > 0, list(folder.iterdir())
    listing = subprocess.run(["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0 and "TABLE DATA public metric_values wijkmonitor" in listing.stdout \
        and re.search(r"TABLE DATA (public|programma) targets wijkmonitor", listing.stdout), listing.stdout[-2000:]


def test_rollen_repairs_a_database_built_by_the_superuser(site):
    """The situation of issue 23: a database built as ``postgres`` and a reader made by ``postgres``. Running
    ``rollen`` hands the tables to the owner; after the owner's rebuild the reader still reads every table."""
    from wijkmonitor import statistics

    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql('CREATE DATABASE "wm_oud"')
    finally:
        admin.dispose()
    old_url = f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/wm_oud"
    statistics.build(old_url, national=False)  # built as the superuser, the old recipe
    from loaders.db import get_engine

    get_engine(old_url).dispose()
    env = {**os.environ, "WIJKMONITOR_OWNER_PASSWORD": "eigenaar-van-oud-1", "WIJKMONITOR_READER_PASSWORD":
           "lezer-van-oud-12"}
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "wijkmonitor", "rollen", "--admin-url", ADMIN_URL,
                          "--database", "wm_oud", "--eigenaar", "wm_oud_eigenaar", "--lezer", "wm_oud_lezer"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0 and "overgedragen aan wm_oud_eigenaar" in out.stderr, out.stderr
    urls = dict(line.split("=", 1) for line in out.stdout.splitlines())
    statistics.build(urls["DATABASE_URL"], national=False)  # the owner rebuilds: tables recreated by the owner
    get_engine(urls["DATABASE_URL"]).dispose()
    counts = reader_tables(urls["WIJKMONITOR_READONLY_DATABASE_URL"])
    assert counts["public.metric_values"] > 0 and len(counts) >= 20, counts


def test_a_revoked_grant_is_named_and_rollen_repairs_it(site):
    env, shell_env = site["env"], site["shell_env"]
    wm = f"{site['dest']}/usr/local/bin/wijkmonitor"
    owner = sa.create_engine(env["DATABASE_URL"])
    try:
        with owner.begin() as conn:
            conn.exec_driver_sql("REVOKE SELECT ON TABLE areas FROM wijkmonitor_lezer")
    finally:
        owner.dispose()
    out = subprocess.run([wm, "health"], env=shell_env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "public.areas" in out.stderr and "rollen" in out.stderr, out.stderr
    status, body, _ = fetch(site["proxy"].base_url + "/gezondheid", site["tls"])
    deadline = time.monotonic() + 20
    while status == 200 and time.monotonic() < deadline:  # the HTTP answer is reused for a few seconds
        time.sleep(1)
        status, body, _ = fetch(site["proxy"].base_url + "/gezondheid", site["tls"])
    assert status == 503 and "leesrol" in body and "areas" not in body, body  # no table names leave the building
    repair = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "wijkmonitor", "rollen", "--admin-url", ADMIN_URL,
                             "--wachtwoorden-houden"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert repair.returncode == 0, repair.stderr
    out = subprocess.run([wm, "health"], env=shell_env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_health_names_a_migration_that_has_not_run(site):
    """After an upgrade whose build has not run yet: the newest migration is missing from the record."""
    from loaders.migrations import MIGRATIONS, schema_migrations

    newest = max(v for v, _, _ in MIGRATIONS)
    owner = sa.create_engine(site["env"]["DATABASE_URL"])
    wm = f"{site['dest']}/usr/local/bin/wijkmonitor"
    with owner.connect() as conn:
        row = conn.execute(sa.select(schema_migrations).where(schema_migrations.c.version == newest)).one()
    try:
        with owner.begin() as conn:
            conn.execute(schema_migrations.delete().where(schema_migrations.c.version == newest))
        out = subprocess.run([wm, "health"], env=site["shell_env"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 1 and f"migratie {newest} is nog niet uitgevoerd" in out.stderr \
            and "wijkmonitor build" in out.stderr, out.stderr
    finally:
        with owner.begin() as conn:
            if not conn.execute(sa.select(schema_migrations.c.version)
                                .where(schema_migrations.c.version == newest)).first():
                conn.execute(schema_migrations.insert().values(**row._mapping))
        owner.dispose()
    out = subprocess.run([wm, "health"], env=site["shell_env"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_health_fails_with_the_database_stopped_and_recovers(site):
    wm = f"{site['dest']}/usr/local/bin/wijkmonitor"
    url = site["proxy"].base_url + "/gezondheid"

    def http_until(want: int, timeout: float = 30) -> tuple[int, str]:
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = fetch(url, site["tls"])
            if status == want or time.monotonic() > deadline:
                return status, body
            time.sleep(1)

    assert http_until(200)[0] == 200
    pg("stop")
    try:
        out = subprocess.run([wm, "health"], env=site["shell_env"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 1 and "niet bereikbaar" in out.stderr, out.stderr
        assert sa.engine.make_url(site["env"]["DATABASE_URL"]).password not in out.stderr  # never printed
        status, body = http_until(503)
        assert status == 503 and "De database is niet bereikbaar." in body, body
        assert "127.0.0.1" not in body and "wijkmonitor_lezer" not in body
    finally:
        pg("start")
    out = subprocess.run([wm, "health"], env=site["shell_env"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert http_until(200) == (200, "ok\n")
    v = open_page(site["proxy"].base_url, "", ssl_context=site["tls"], timeout=180)
    assert v.ok, v.errors  # the replicas serve again without a restart
