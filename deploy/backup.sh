#!/usr/bin/env bash
# Nightly backup of the Wijkmonitor (wijkmonitor-backup.service runs it as the service user; docs/deploy.md §11):
#   1. pg_dump of the whole database as the owner role (it owns every table; custom format, for pg_restore);
#   2. `python -m wijkmonitor backup` of the programme data alone (checked zip, restorable into any build);
#   3. files older than WIJKMONITOR_BACKUP_DAYS (default 35) are removed.
# Writes into WIJKMONITOR_BACKUP_DIR (default /var/backups/wijkmonitor). Exits non-zero when a part failed.
set -euo pipefail
APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${WIJKMONITOR_BACKUP_DIR:-/var/backups/wijkmonitor}"
days="${WIJKMONITOR_BACKUP_DAYS:-35}"
stamp="$(date +%Y-%m-%dT%H%M)"
[ -n "${DATABASE_URL:-}" ] || { echo "backup.sh: DATABASE_URL is not set" >&2; exit 1; }
[[ "$days" =~ ^[0-9]+$ ]] || { echo "backup.sh: WIJKMONITOR_BACKUP_DAYS must be a number" >&2; exit 1; }
mkdir -p "$dir"
umask 027

# libpq does not know SQLAlchemy's driver suffix: postgresql+psycopg://… → postgresql://…
pg_url="postgresql://${DATABASE_URL#*://}"
pg_dump --format=custom --no-password --file="$dir/.wijkmonitor-$stamp.dump.tmp" --dbname="$pg_url"
mv "$dir/.wijkmonitor-$stamp.dump.tmp" "$dir/wijkmonitor-$stamp.dump"
echo "database: $dir/wijkmonitor-$stamp.dump ($(du -h "$dir/wijkmonitor-$stamp.dump" | cut -f1))"

cd "$APP_DIR"
"$APP_DIR/.venv/bin/python" -m wijkmonitor backup --out "$dir/programma-$stamp.zip"
echo "programmagegevens: $dir/programma-$stamp.zip"

find "$dir" -maxdepth 1 -type f \( -name 'wijkmonitor-*.dump' -o -name 'programma-*.zip' \) -mtime "+$days" -delete
