"""Operations commands: ``rollen`` (PostgreSQL owner, database, reader), ``health`` (exit code / HTTP check) and
``warm`` (open the cache-loading pages of each replica after a restart).

``health`` and ``warm`` take the replica ports from ``WIJKMONITOR_REPLICAS`` (the environment file) when none
are given."""
from __future__ import annotations

import getpass
import os
import secrets
import sys

OWNER_PASSWORD_ENV = "WIJKMONITOR_OWNER_PASSWORD"
READER_PASSWORD_ENV = "WIJKMONITOR_READER_PASSWORD"


def register(sub) -> None:
    r = sub.add_parser(
        "rollen", help="PostgreSQL: create the owner role, the database and the read-only role (run as admin)",
        description="Run with a superuser URL. Creates (or repairs) the owner role that builds, the database owned "
                    "by it, and the reader with SELECT on every table the owner creates, also after rebuilds. "
                    f"Passwords (at least 12 characters) come from ${OWNER_PASSWORD_ENV} / ${READER_PASSWORD_ENV}, "
                    "a prompt without echo, or --genereer. Prints the DATABASE_URL lines for the environment file "
                    "(passwords URL-encoded).")
    r.add_argument("--admin-url", required=True,
                   help="superuser URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres")
    r.add_argument("--database", default="wijkmonitor", help="database name (default wijkmonitor)")
    r.add_argument("--eigenaar", default="wijkmonitor", help="owner role: builds, writes programme data")
    r.add_argument("--lezer", default="wijkmonitor_lezer", help="read-only role for viewing")
    r.add_argument("--app-host", default=None,
                   help="host the app connects to, in the printed URLs (default: the admin URL's host)")
    r.add_argument("--genereer", action="store_true", help="generate random passwords (printed once, in the URLs)")
    r.add_argument("--wachtwoorden-houden", dest="keep", action="store_true",
                   help="do not change passwords (repair ownership and grants only)")
    r.set_defaults(func=_rollen)

    h = sub.add_parser(
        "health", help="exit 0 when the database is reachable, migrated and built (and the replicas answer)",
        description="Checks DATABASE_URL (reachable, migrations applied, statistics built), "
                    "WIJKMONITOR_READONLY_DATABASE_URL (may read every table) and the given app replicas. "
                    "Exit 0: healthy; 1: not healthy, with the reasons in Dutch. With --serve: answer the same "
                    "check over HTTP (GET /gezondheid: 200 ok / 503 reasons) for nginx and monitoring.")
    h.add_argument("replicas", nargs="*", metavar="REPLICA",
                   help="app replica port (8501) or URL whose /_stcore/health must answer")
    h.add_argument("--serve", metavar="HOST:PORT", default=None, help="run the HTTP check, e.g. 127.0.0.1:8500")
    h.add_argument("--max-age", type=float, default=5.0, help="seconds an HTTP answer is reused (default 5)")
    h.set_defaults(func=_health)

    w = sub.add_parser("warm", help="open / and /kaart?weergave=Nederland on every replica (loads its caches)")
    w.add_argument("replicas", nargs="*", metavar="REPLICA", help="replica port or URL (default $WIJKMONITOR_REPLICAS)")
    w.set_defaults(func=_warm)


def _password(role: str, env: str, generate: bool) -> str:
    from loaders.roles import check_password

    if os.environ.get(env):
        return check_password(os.environ[env], role)
    if generate:
        return secrets.token_urlsafe(24)
    first = getpass.getpass(f"Wachtwoord voor rol {role} (minstens 12 tekens): ")
    check_password(first, role)
    if getpass.getpass("Nog een keer: ") != first:
        raise ValueError(f"de twee wachtwoorden voor rol {role} zijn niet gelijk")
    return first


def _rollen(args) -> int:
    from loaders.db import redact
    from loaders.roles import setup_database

    try:
        owner_pw = None if args.keep else _password(args.eigenaar, OWNER_PASSWORD_ENV, args.genereer)
        reader_pw = None if args.keep else _password(args.lezer, READER_PASSWORD_ENV, args.genereer)
        done = setup_database(args.admin_url, args.database, args.eigenaar, owner_pw, args.lezer, reader_pw,
                              app_host=args.app_host)
    except ValueError as exc:
        print(f"FOUT: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - server unreachable, not a superuser, …
        print(f"FOUT bij {redact(args.admin_url)}: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    for a in done.actions:
        print(f"  {a}", file=sys.stderr)
    print("# in /etc/wijkmonitor/env (wachtwoorden URL-gecodeerd):", file=sys.stderr)
    print(f"DATABASE_URL={done.owner_url}")
    print(f"WIJKMONITOR_READONLY_DATABASE_URL={done.reader_url}")
    return 0


def _replicas(given: list[str]) -> list[str]:
    from loaders import settings

    return given or settings.get("WIJKMONITOR_REPLICAS").split()


def _health(args) -> int:
    from . import health

    args.replicas = _replicas(args.replicas)
    if args.serve:
        health.serve(args.serve, args.replicas, max_age=args.max_age)
        return 0
    found = health.check(args.replicas, detail=True)
    if found:
        for line in found:
            print(f"NIET GEZOND: {line}", file=sys.stderr)
        return 1
    print("ok: database bereikbaar, gemigreerd en gebouwd" + (f"; {len(args.replicas)} replica's antwoorden"
                                                            if args.replicas else ""))
    return 0


def _warm(args) -> int:
    import time

    from .health import replica_url
    from .warm import ROUTES, open_route

    replicas = _replicas(args.replicas)
    if not replicas:
        print("FOUT: geen replica's opgegeven (poorten, of WIJKMONITOR_REPLICAS)", file=sys.stderr)
        return 2
    failed = 0
    for spec in replicas:
        base = replica_url(spec)
        for route in ROUTES:
            t0 = time.perf_counter()
            problem = open_route(base, route)
            failed += problem is not None
            print(f"{base}/{route}: " + (f"FOUT: {problem}" if problem else f"ok ({time.perf_counter() - t0:.1f} s)"),
                  file=sys.stderr if problem else sys.stdout, flush=True)
    return 1 if failed else 0
