#!/usr/bin/env bash
# The run command: install, migrate, load demo data once, then serve web + Celery worker + beat.
# Zero setup: SQLite and a filesystem broker under var/. Set DATABASE_URL / REDIS_URL to use
# PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh requirements.txt
py=.venv/bin/python
export SERVICEDESK_VAR_DIR="${SERVICEDESK_VAR_DIR:-$(pwd)/var}"
mkdir -p "$SERVICEDESK_VAR_DIR/broker" "$SERVICEDESK_VAR_DIR/broker-processed" "$SERVICEDESK_VAR_DIR/broker-control"
export SERVICEDESK_PORT="${SERVICEDESK_PORT:-8000}"
export SERVICEDESK_HOST="${SERVICEDESK_HOST:-127.0.0.1}"
export DJANGO_SETTINGS_MODULE=servicedesk.settings
# Django sets TZ to settings.TIME_ZONE in its own processes (gunicorn's workers, Celery); the same
# here puts gunicorn's master and honcho's line prefixes in that zone too: one clock in the log.
export TZ=Europe/Oslo
# The demo's e-mails (receipts, SLA warnings) go to files, not over the console output.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
export EMAIL_FILE_PATH="${EMAIL_FILE_PATH:-$SERVICEDESK_VAR_DIR/mail}"
# The web process refuses the built-in demo key: the demo makes a key of its own, once, kept in var/.
if [ -z "${SECRET_KEY:-}" ]; then
  key_file="$SERVICEDESK_VAR_DIR/secret_key"
  if [ ! -s "$key_file" ]; then
    (umask 077 && $py -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  SECRET_KEY="$(cat "$key_file")"
  export SECRET_KEY
fi

# migrate (which also creates the cache table), collectstatic and demo_data --if-empty.
$py manage.py prepare_run | tee "$SERVICEDESK_VAR_DIR/prepare.log"
summary="$(tail -n 1 "$SERVICEDESK_VAR_DIR/prepare.log")"  # "Database: … Broker: …"

cat <<TXT

  Service desk running at  http://${SERVICEDESK_HOST}:${SERVICEDESK_PORT}/
  Agent console            http://${SERVICEDESK_HOST}:${SERVICEDESK_PORT}/console/
  API docs                 http://${SERVICEDESK_HOST}:${SERVICEDESK_PORT}/api/docs/
  Admin                    http://${SERVICEDESK_HOST}:${SERVICEDESK_PORT}/admin/

  Demo logins (password: demo)
    enduser1, enduser2   end users (different health trusts)
    agent1, agent2       first-line agents, customer centre
    resolver1            second-line resolver
    cab1                 change manager
    manager1             service-desk manager
    admin                administrator

  $summary
  E-mails the demo sends are written to $EMAIL_FILE_PATH.
  Stop with Ctrl-C.

TXT
# Ctrl-C (or SIGTERM) stops web, worker and beat, each printing "stopped (rc=0)"; honcho then
# exits 130 (143) whatever they did, to say it was interrupted. A stop asked for is not an
# error, so it exits 0; a process that dies on its own keeps honcho's (non-zero) code.
set +e
.venv/bin/honcho start -f Procfile
status=$?
if [ "$status" -eq 130 ] || [ "$status" -eq 143 ]; then
  exit 0
fi
exit "$status"
