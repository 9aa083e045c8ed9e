# Two commands for a newcomer: `make run` (the app on its embedded defaults) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV_ENV := DEBUG=1 ENVIRONMENT=development SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: run test install lint migrations-check e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Practice is running at http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as owner@firm.ca / Passw0rd!123  (API docs: http://127.0.0.1:$(PORT)/api/v1/docs)"
	@echo ""
	@$(DEV_ENV) $(BIN)/python manage.py run_huey --quiet & huey=$$!; \
	trap "kill $$huey 2>/dev/null" EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: lint migrations-check
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
