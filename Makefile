# CaseDesk: `make demo` shows the product on the sample inbox; `make test` runs every check.
# Both bootstrap what they need into .venv from a fresh clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO_DIR ?= .demo-data

.PHONY: help install node package demo demo-clean test lint typecheck approval approval-pack pytest bench soak clean addin chromium

help:
	@echo "make demo   - triage samples/inbox into $(DEMO_DIR) and show the result (run twice: idempotent)"
	@echo "make test   - ruff, mypy (strict on the core) and pytest"
	@echo "make bench  - generate 10,000 messages, triage them, print rates; time searches on 100,000 cases and the SLA sweep on 10,000 open cases"
	@echo "make package - build and verify the Azure Functions zip and the Outlook add-in app package"
	@echo "               (ADDIN_PACKAGE_ARGS='--pane-url https://... --client-id ...': docs/outlook-addin.md)"
	@echo "make approval-pack - run the security tests and render the PDS approval pack into docs/approval-pack"
	@echo "make soak   - SOAK_MESSAGES (default 20,000) across 3 mailboxes with faults injected; prints the report"
	@echo "make demo-clean / make clean"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# Azurite (the Azure Storage emulator) for the queue and table adapter tests.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*
	@touch $(NODE_STAMP)

node: $(NODE_STAMP)

# The Outlook task pane (addin/): type-checked TypeScript bundled into src/casedesk/web/addin,
# icons drawn by a script. Served by `casedesk serve` at /addin/ and packaged with the app.
addin: install node
	npm run --silent typecheck:addin
	npm run --silent build:addin
	$(BIN)/python scripts/make_icons.py src/casedesk/web/addin/assets > /dev/null

# Debian's Chromium for the task pane's browser tests (test tools cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

demo: install
	$(BIN)/casedesk --data-dir $(DEMO_DIR) --settings samples/casedesk.toml geo import samples/geo/postcodes.csv --names samples/geo/wards.csv
	$(BIN)/casedesk --data-dir $(DEMO_DIR) --settings samples/casedesk.toml demo samples/inbox

demo-clean:
	rm -rf $(DEMO_DIR)

lint: install
	$(BIN)/ruff check src tests functions scripts

typecheck: install
	$(BIN)/mypy

pytest: install node chromium addin
	$(BIN)/pytest

# The PDS permission manifest must match every Graph/Azure call in the adapters and infra/'s roles.
approval: install
	$(BIN)/casedesk approval-manifest --check

# Runs the named security tests (approval/security-tests.yaml) with a JUnit report, then renders
# the pack with their results. See docs/pds-approval.md.
APPROVAL_OUT ?= docs/approval-pack
approval-pack: install node
	@mkdir -p build
	-$(BIN)/pytest -q -p no:cacheprovider --junitxml=build/security-junit.xml $$($(BIN)/python -c "import yaml; print(' '.join(t['path'] for t in yaml.safe_load(open('approval/security-tests.yaml'))))")
	$(BIN)/casedesk approval-manifest --check --out $(APPROVAL_OUT) --tests build/security-junit.xml

test: lint typecheck approval pytest

package: install addin
	$(BIN)/python scripts/package_functions.py
	$(BIN)/python scripts/package_addin.py $(ADDIN_PACKAGE_ARGS)

bench: install node
	$(BIN)/casedesk bench --messages $${BENCH_MESSAGES:-10000} --search-cases $${BENCH_SEARCH_CASES:-100000} --sla-cases $${BENCH_SLA_CASES:-10000}
	@echo "Graph requests per triaged message (local Graph server + Azurite):"
	@$(BIN)/pytest -q -s -p no:cacheprovider tests/e2e/test_graph_intake.py -k "graph_requests or requests_per or filing_into_sharepoint or three_graph" | grep "Graph requests"

# The soak (tests/soak.py): a surge on the local Graph server + Azurite + the queue worker in its
# own process, killed at random, with notification, throttling, SharePoint and LLM faults.
# SOAK_MESSAGES sets the size; SOAK_KILLS and SOAK_SEED too. It asserts nothing is lost.
soak: install node
	SOAK_MESSAGES=$${SOAK_MESSAGES:-20000} $(BIN)/pytest -q -s -p no:cacheprovider tests/e2e/test_soak.py

clean: demo-clean
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
