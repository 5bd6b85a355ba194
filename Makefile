# The two README commands, and the benchmark command.
.PHONY: run test bench lint

run:  ## install and start web + worker + beat with demo data (SQLite, no servers needed)
	scripts/run.sh

test:  ## install and run ruff, mypy, makemigrations --check and the whole test suite
	scripts/test.sh

lint:
	scripts/venv.sh requirements-dev.txt && .venv/bin/ruff check . && .venv/bin/mypy servicedesk incidents changes sla catalogue knowledge portal

bench:  ## benchmark figures (needs PostgreSQL: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/servicedesk)
	scripts/venv.sh requirements-dev.txt
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py migrate -v 0
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/servicedesk} .venv/bin/python manage.py sla_bench
