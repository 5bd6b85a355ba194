#!/usr/bin/env bash
# Import rate of the full BPI Challenge 2014 export: a fresh database, one import, its summary.
# Usage: scripts/bench_import.sh DIR   (BENCH_DB overrides the scratch database name)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: scripts/bench_import.sh DIR}"
base="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk}"
name="${BENCH_DB:-servicedesk_import_bench}"
url="${base%/*}/$name"
host_part="${base#*://}"; host_part="${host_part#*@}"; host="${host_part%%:*}"; port="${host_part#*:}"; port="${port%%/*}"
dropdb --if-exists -h "$host" -p "$port" -U postgres "$name"
createdb -h "$host" -p "$port" -U postgres "$name"
DATABASE_URL="$url" .venv/bin/python manage.py migrate -v 0
mkdir -p var/imports
DATABASE_URL="$url" /usr/bin/time -v .venv/bin/python manage.py import_bpic2014 "$dir" --no-progress \
  --summary-json var/imports/bench-summary.json 2> var/imports/bench-time.txt
grep -E "User time|System time|Percent of CPU|Maximum resident|Elapsed" var/imports/bench-time.txt
uptime
echo "second run (must import nothing):"
DATABASE_URL="$url" .venv/bin/python manage.py import_bpic2014 "$dir" --no-progress > var/imports/bench-second.txt
head -7 var/imports/bench-second.txt
DATABASE_URL="$url" .venv/bin/python manage.py reconcile_bpic2014 "$dir" --output var/imports/bench-reconciliation.txt
dropdb -h "$host" -p "$port" -U postgres "$name"
