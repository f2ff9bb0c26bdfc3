#!/usr/bin/env bash
# Wijkmonitor Veerkrachtige Wijken — install the service on Debian (docs/deploy.md, step 5).
#
#   sudo deploy/install.sh               service user, units, nginx site; then nginx -t and systemctl enable --now
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
  if grep -qE 'WACHTWOORD|VERVANG' "$ENV_FILE"; then die "$ENV_FILE still has placeholders (WACHTWOORD/VERVANG)"; fi

  # 1. the service user: no login, no home in /home; it owns nothing of the code (root does), only its state.
  if [ -z "$DESTDIR" ] && ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/wijkmonitor --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  fi
  if [ -z "$DESTDIR" ]; then
    chown root:"$SERVICE_USER" "$ENV_FILE"; chmod 0640 "$ENV_FILE"
  fi

  # 2. systemd units, with this checkout as the application directory.
  install -d "$DESTDIR/etc/systemd/system"
  for unit in "$APP_DIR"/deploy/systemd/*; do
    sed "s|/opt/wijkmonitor|$APP_DIR|g" "$unit" > "$DESTDIR/etc/systemd/system/$(basename "$unit")"
    chmod 0644 "$DESTDIR/etc/systemd/system/$(basename "$unit")"
  done

  # 3. the nginx site, enabled; Debian's default site gives way (it also listens on port 80).
  install -d "$DESTDIR/etc/nginx/sites-available" "$DESTDIR/etc/nginx/sites-enabled"
  render_site > "$DESTDIR/etc/nginx/sites-available/wijkmonitor"
  ln -sfn ../sites-available/wijkmonitor "$DESTDIR/etc/nginx/sites-enabled/wijkmonitor"
  rm -f "$DESTDIR/etc/nginx/sites-enabled/default"

  if [ -n "$DESTDIR" ]; then
    echo "installed below $DESTDIR (nothing started)"
    return
  fi
  # 4. check, then start: replicas, health check, monthly refresh timer; nginx reloads the site.
  nginx -t
  systemctl daemon-reload
  local units=(wijkmonitor.target wijkmonitor-health.service wijkmonitor-refresh.timer) p
  for p in $(env_get WIJKMONITOR_REPLICAS); do units+=("wijkmonitor@$p.service"); done
  systemctl enable --now "${units[@]}"
  systemctl reload nginx
  echo "installed: ${units[*]}; nginx site wijkmonitor"
}

case "${1:-install}" in
  install) install_all ;;
  render-site) render_site ;;
  *) echo "usage: $0 [install|render-site]" >&2; exit 2 ;;
esac
