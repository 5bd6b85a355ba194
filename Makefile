# The two README commands, and the benchmark command.
.PHONY: run test bench lint lock import-bpic2014 import-uci bench-import

run:  ## install and start web + worker + beat with demo data (SQLite, no servers needed)
	scripts/run.sh

test:  ## install and run ruff, mypy, makemigrations --check and the whole test suite
	scripts/test.sh

lock:  ## regenerate the hashed locks requirements.txt / requirements-dev.txt from pyproject.toml
	scripts/lock.sh

lint:
	scripts/venv.sh requirements-dev.txt && .venv/bin/ruff check . && .venv/bin/mypy servicedesk incidents contacts changes sla catalogue imports audit reports knowledge portal

bench:  ## benchmark figures (needs PostgreSQL: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/servicedesk)
	scripts/venv.sh requirements-dev.txt
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py migrate -v 0
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py sla_bench
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py audit_bench
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py reports_bench $(REPORTS_BENCH_ARGS)
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) || sudo apt-get install -y -qq wrk
	SECRET_KEY=$${SECRET_KEY:-bench-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py console_bench $${CONSOLE_BENCH_ARGS:---tickets 1000000}

DB ?= $${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk}

import-bpic2014:  ## import BPI Challenge 2014 from DIR (detail_*.csv[.gz], incident_activity*.csv[.gz]), then reconcile
	scripts/venv.sh requirements.txt
	DATABASE_URL=$(DB) .venv/bin/python manage.py migrate -v 0
	DATABASE_URL=$(DB) .venv/bin/python manage.py import_bpic2014 $(DIR)
	DATABASE_URL=$(DB) .venv/bin/python manage.py reconcile_bpic2014 $(DIR)

import-uci:  ## import the UCI ServiceNow incident event log FILE, then reconcile
	scripts/venv.sh requirements.txt
	DATABASE_URL=$(DB) .venv/bin/python manage.py migrate -v 0
	DATABASE_URL=$(DB) .venv/bin/python manage.py import_uci_servicenow $(FILE)
	DATABASE_URL=$(DB) .venv/bin/python manage.py reconcile_uci_servicenow $(FILE)

bench-import:  ## import rate and peak memory of the full BPIC 2014 import (DIR=…) into a fresh database BENCH_DB
	scripts/venv.sh requirements-dev.txt
	scripts/bench_import.sh $(DIR)
