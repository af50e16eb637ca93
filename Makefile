# MVP Office — quick start: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install webroot demo demo-reset test test-sqlite lint bench bench-load clean

all: install webroot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(STAMP)

node_modules/tryton-sao/package.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# sao plus our Vietnamese translation and branding, served by trytond.
webroot: install node_modules/tryton-sao/package.json
	$(BIN)/python scripts/build_webroot.py

demo: install webroot
	$(BIN)/python scripts/demo.py

demo-reset:
	rm -f var/demo/mvp_demo.sqlite
	$(MAKE) demo

test: install webroot
	$(BIN)/python scripts/run_tests.py

test-sqlite: install
	TRYTOND_DATABASE__URI=sqlite:// DB_NAME=:memory: $(BIN)/python -m pytest -q addons tests

lint: install
	$(BIN)/python -m ruff check addons tests bench scripts conftest.py

bench: install
	$(BIN)/python bench/incoming.py

# the production set-up under load (locust, gunicorn: extra "bench");
# e.g. make bench-load LOAD_ARGS="--agencies 10 --accounts 300
# --documents 20000 --officers 20,40 --duration 30 --think 2"
bench-load: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules var *.egg-info
