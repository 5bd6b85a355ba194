#!/usr/bin/env bash
# The test command: install, lint, check migrations, run the whole suite.
# Runs on PostgreSQL and Redis when they are reachable. Without them the suite runs on SQLite and
# the tests that need them are skipped -- unless REQUIRE_SERVICES=1 (CI), where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh requirements-dev.txt
py=.venv/bin/python

# The browser tests drive Debian's Chromium (never a downloaded browser). Install it once, when
# missing; without it (and without root) those tests are skipped unless REQUIRE_SERVICES=1.
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "== installing Chromium (apt) for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "WARNING: could not install Chromium; browser tests will be skipped." >&2
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    echo "== installing Chromium (sudo apt) for the browser tests"
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || echo "WARNING: could not install Chromium; browser tests will be skipped." >&2
  else
    echo "WARNING: /usr/bin/chromium missing and apt-get unavailable; browser tests will be skipped." >&2
  fi
fi

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
export CELERY_BROKER_URL="$REDIS_URL"

if ! $py scripts/check_services.py postgres "$DATABASE_URL"; then
  if [ "${REQUIRE_SERVICES:-0}" = "1" ]; then echo "FAIL: PostgreSQL is not reachable at $DATABASE_URL" >&2; exit 1; fi
  echo "WARNING: PostgreSQL not reachable; running on SQLite, PostgreSQL-only tests are skipped." >&2
  export DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3"
fi
if ! $py scripts/check_services.py redis "$REDIS_URL"; then
  if [ "${REQUIRE_SERVICES:-0}" = "1" ]; then echo "FAIL: Redis is not reachable at $REDIS_URL" >&2; exit 1; fi
  echo "WARNING: Redis not reachable; tests that need a broker and worker are skipped." >&2
fi

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy (domain code)"
.venv/bin/mypy servicedesk incidents contacts changes sla catalogue imports audit reports knowledge portal
echo "== OpenAPI schema (no warnings)"
$py manage.py spectacular --validate --fail-on-warn --file /dev/null
echo "== makemigrations --check"
$py manage.py makemigrations --check --dry-run
echo "== pytest"
$py -m pytest "$@"
