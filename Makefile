# The two commands a fresh machine needs (see README):
#   make lab   - install everything and open JupyterLab on the quickstart notebook (offline backend)
#   make test  - install what the tests need and run the whole suite (Python and front end)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: lab test lint bench js js-check

# JupyterLab refuses to run as root unless told (containers often run as root).
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab:
	bash scripts/setup.sh lab
	$(VENV)/bin/jupyter lab $(LAB_FLAGS) notebooks/01-quickstart.ipynb

test:
	bash scripts/setup.sh test
	$(VENV)/bin/ruff check gizmo_notebook tests benchmarks
	$(PY) -m mypy
	$(MAKE) js-check
	$(PY) -m pytest -q -ra

lint:
	$(VENV)/bin/ruff check gizmo_notebook tests benchmarks
	$(PY) -m mypy
	cd js && npm run --silent check && npm run --silent lint

# The front end's gates: tsc --noEmit (// @ts-check + JSDoc), eslint, and Node's test runner.
js-check:
	cd js && npm run --silent check && npm run --silent lint && npm test --silent

bench:
	bash scripts/setup.sh test
	$(PY) benchmarks/run_all.py

js:
	cd js && npm run build
