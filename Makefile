# Arusha — the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint serve worker env clean-demo constraints

# Create the virtual environment and install the project with its dev extras, pinned by
# constraints.txt so every machine gets the same versions. Re-runs only when they change.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Arusha targets Python 3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark]'
	@touch $(STAMP)

env: $(STAMP)

## make demo: environment, database, demo data, analysis, worker and web server on http://$(HOST):$(PORT)
demo: $(STAMP)
	ARUSHA_DEBUG=$${ARUSHA_DEBUG:-1} ARUSHA_HTTPS=$${ARUSHA_HTTPS:-0} $(BIN)/arusha demo --host $(HOST) --port $(PORT)

## make test: every test. PostgreSQL runs too when DATABASE_URL is set; browser tests with ARUSHA_BROWSER_TESTS=1.
test: $(STAMP)
	ARUSHA_BROWSER_TESTS=$${ARUSHA_BROWSER_TESTS:-auto} $(BIN)/python scripts/run_tests.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check arusha arusha_web tests
	$(BIN)/mypy --strict --follow-imports=silent arusha
	$(BIN)/mypy arusha_web

serve: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/arusha serve --host $(HOST) --port $(PORT)

worker: $(STAMP)
	$(BIN)/arusha worker

## make constraints: refresh constraints.txt from the current environment (after changing pyproject.toml)
constraints:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean-demo:
	rm -rf var/
