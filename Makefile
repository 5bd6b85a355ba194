# The two README commands, and the benchmark command.
.PHONY: run test bench lint

run:  ## install and start web + worker + beat with demo data (SQLite, no servers needed)
	scripts/run.sh

test:  ## install and run ruff, mypy, makemigrations --check and the whole test suite
	scripts/test.sh

lint:
	scripts/venv.sh requirements-dev.txt && .venv/bin/ruff check . && .venv/bin/mypy servicedesk incidents changes sla
