#!/usr/bin/env bash
# Wijkmonitor Veerkrachtige Wijken — install the service on Debian (docs/deploy.md, step 6).
#
#   sudo deploy/install.sh               service user, units, the wijkmonitor command, nginx site; nginx -t
#   deploy/install.sh render-site        print the nginx site for the values in the environment file
#
# Reads /etc/wijkmonitor/env (WIJKMONITOR_ENV_FILE to use another file): WIJKMONITOR_REPLICAS,
# WIJKMONITOR_HEALTH_PORT, WIJKMONITOR_SERVER_NAME, WIJKMONITOR_TLS_CERT, WIJKMONITOR_TLS_KEY. The application
# directory is the checkout this script lives in (/opt/wijkmonitor in the docs). With DESTDIR set, files are
# written below DESTDIR and nothing is started or created on the system (no user, no systemctl) — that is how
# tests/test_runbook.py runs it on loopback; WM_LISTEN_HTTP / WM_LISTEN_HTTPS / WM_IPV6=no / WM_NGINX_LOG_DIR
# change the listen addresses and log directory of the rendered site for such a run.
set -euo pipefail

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
ENV_FILE="${WIJKMONITOR_ENV_FILE:-$DESTDIR/etc/wijkmonitor/env}"
SERVICE_USER=wijkmonitor

die() { echo "install.sh: $*" >&2; exit 1; }

# A value from the environment file (NAME=value or NAME="value"; systemd's format, never executed as shell).
env_get() {
  local line
  line="$(grep -E "^$1=" "$ENV_FILE" | tail -n 1 || true)"
  line="${line#*=}"
  line="${line%\"}"; line="${line#\"}"
  printf '%s' "$line"
}

render_site() {
  [ -r "$ENV_FILE" ] || die "environment file $ENV_FILE not found (copy deploy/env.example, see docs/deploy.md)"
  local replicas health name cert key http https ipv6 logdir lines="" p
  replicas="$(env_get WIJKMONITOR_REPLICAS)"; health="$(env_get WIJKMONITOR_HEALTH_PORT)"
  name="$(env_get WIJKMONITOR_SERVER_NAME)"; cert="$(env_get WIJKMONITOR_TLS_CERT)"; key="$(env_get WIJKMONITOR_TLS_KEY)"
  http="${WM_LISTEN_HTTP:-80}"; https="${WM_LISTEN_HTTPS:-443}"; ipv6="${WM_IPV6:-yes}"
  logdir="${WM_NGINX_LOG_DIR:-/var/log/nginx}"
  [ -n "$replicas" ] || die "WIJKMONITOR_REPLICAS is empty in $ENV_FILE"
  for p in $replicas; do
    [[ "$p" =~ ^[0-9]+$ ]] || die "WIJKMONITOR_REPLICAS: '$p' is not a port number"
    lines="$lines    server 127.0.0.1:$p;\n"
  done
  [[ "$health" =~ ^[0-9]+$ ]] || die "WIJKMONITOR_HEALTH_PORT: '$health' is not a port number"
  [[ "$name" =~ ^[A-Za-z0-9.-]+$ ]] || die "WIJKMONITOR_SERVER_NAME: '$name' is not a host name"
  for f in "$cert" "$key"; do [[ "$f" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "certificate path '$f' must be absolute"; done
  awk -v lines="$lines" '
    /# replicas:begin/ { print; printf "%s", lines; skip = 1; next }
    /# replicas:end/   { skip = 0 }
    !skip' "$APP_DIR/deploy/nginx/wijkmonitor.conf" |
  sed -e "s|server_name wijkmonitor\.maastricht\.nl;|server_name $name;|" \
      -e "s|/etc/ssl/certs/wijkmonitor\.pem;|$cert;|" \
      -e "s|/etc/ssl/private/wijkmonitor\.key;|$key;|" \
      -e "s|server 127\.0\.0\.1:8500;|server 127.0.0.1:$health;|" \
      -e "s|/var/log/nginx/|$logdir/|" \
      -e "s|^\(    \)listen 80;|\1listen $http;|" \
      -e "s|^\(    \)listen 443 ssl;|\1listen $https ssl;|" |
  if [ "$ipv6" = no ]; then grep -v 'listen \[::\]'; else cat; fi
}

install_all() {
  if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo deploy/install.sh)"; fi
  [ -x "$APP_DIR/.venv/bin/streamlit" ] || die "no $APP_DIR/.venv: run 'make install' first"
  [ -r "$ENV_FILE" ] || die "environment file $ENV_FILE not found (copy deploy/env.example, see docs/deploy.md)"
  local v
  for v in DATABASE_URL WIJKMONITOR_READONLY_DATABASE_URL STREAMLIT_SERVER_COOKIE_SECRET WIJKMONITOR_REPLICAS; do
    [ -n "$(env_get "$v")" ] || die "$v is missing in $ENV_FILE (docs/deploy.md, steps 3 and 4)"
  done

  # 1. the service user: no login, no home in /home; it owns nothing of the code (root does), only its state.
  if [ -z "$DESTDIR" ] && ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/wijkmonitor --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  fi
  if [ -z "$DESTDIR" ]; then
    # the environment file and the editors file next to it: root writes, the service group reads
    chown root:"$SERVICE_USER" "$(dirname "$ENV_FILE")" "$ENV_FILE"; chmod 0750 "$(dirname "$ENV_FILE")"
    chmod 0640 "$ENV_FILE"
  fi

  # 2. the editors file the app reads (WIJKMONITOR_EDITORS_FILE): empty, i.e. nobody can sign in until step 8
  local editors
  editors="$(env_get WIJKMONITOR_EDITORS_FILE)"
  if [ -n "$editors" ] && [ ! -e "$editors" ]; then
    install -d "$(dirname "$editors")"
    install -m 0640 /dev/null "$editors"
    [ -n "$DESTDIR" ] || chgrp "$SERVICE_USER" "$editors"
  fi

  # the backup directory of wijkmonitor-backup.service (deploy/backup.sh)
  install -d -m 0750 "$DESTDIR/var/backups/wijkmonitor"
  [ -n "$DESTDIR" ] || chown "$SERVICE_USER:$SERVICE_USER" /var/backups/wijkmonitor

  # 2b. systemd units, with this checkout as the application directory.
  install -d "$DESTDIR/etc/systemd/system"
  for unit in "$APP_DIR"/deploy/systemd/*; do
    sed -e "s|/opt/wijkmonitor|$APP_DIR|g" -e "s|/etc/wijkmonitor/env|$ENV_FILE|g" "$unit" \
      > "$DESTDIR/etc/systemd/system/$(basename "$unit")"
    chmod 0644 "$DESTDIR/etc/systemd/system/$(basename "$unit")"
  done

  # 3. the command `wijkmonitor …` (python -m wijkmonitor with the units' environment, as the service user)
  install -d "$DESTDIR/usr/local/bin"
  sed -e "s|^APP_DIR=.*|APP_DIR=$APP_DIR|" -e "s|/etc/wijkmonitor/env|$ENV_FILE|" \
    "$APP_DIR/deploy/wijkmonitor" > "$DESTDIR/usr/local/bin/wijkmonitor"
  chmod 0755 "$DESTDIR/usr/local/bin/wijkmonitor"

  # 4. the nginx site, enabled; Debian's default site gives way (it also listens on port 80).
  install -d "$DESTDIR/etc/nginx/sites-available" "$DESTDIR/etc/nginx/sites-enabled"
  render_site > "$DESTDIR/etc/nginx/sites-available/wijkmonitor"
  ln -sfn ../sites-available/wijkmonitor "$DESTDIR/etc/nginx/sites-enabled/wijkmonitor"
  rm -f "$DESTDIR/etc/nginx/sites-enabled/default"

  if [ -n "$DESTDIR" ]; then
    echo "installed below $DESTDIR (nothing started)"
    return
  fi
  # 5. check the site in Debian's nginx.conf; systemd learns the units (starting them is the next step).
  nginx -t
  systemctl daemon-reload
  echo "installed: units in /etc/systemd/system, /usr/local/bin/wijkmonitor, nginx site wijkmonitor"
}

case "${1:-install}" in
  install) install_all ;;
  render-site) render_site ;;
  *) echo "usage: $0 [install|render-site]" >&2; exit 2 ;;
esac
