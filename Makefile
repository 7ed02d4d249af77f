# MPanel: `make run` starts the product with demo data, `make test` runs lint and tests.
# Both create .venv themselves. Python 3.11+ is the only requirement.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PLUGIN_DIRS := $(patsubst %/setup.cfg,%,$(wildcard plugins/*/setup.cfg))
CATALOGUES := translations $(wildcard plugins/*/*/translations)

.PHONY: run test lint worker translations compile-translations assets clean

$(STAMP): requirements.txt requirements-dev.txt setup.cfg $(wildcard plugins/*/setup.cfg)
	$(PYTHON) -c 'import sys; sys.exit("MPanel needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
		$(foreach dir,$(PLUGIN_DIRS),-e $(dir))
	touch $(STAMP)

compile-translations: $(STAMP)
	@for dir in $(CATALOGUES); do $(VENV)/bin/pybabel compile -d $$dir || exit 1; done

run: $(STAMP) compile-translations
	$(PY) -m mpanel.embedded.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Front-end test tools from npm, kept out of the repository (var/ is ignored).
AXE := var/npm/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --silent --no-audit --no-fund --prefix var/npm axe-core@4.11

assets: $(AXE)

test: lint compile-translations assets
	$(PY) -m pytest -q -p no:cacheprovider

worker: $(STAMP)
	FLASK_APP=mpanel:create_app $(VENV)/bin/huey_consumer mpanel.worker.huey -w 2 -k thread

# Re-extract the kernel's and each plugin's strings and merge them into the de/fr catalogues.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot mpanel
	$(VENV)/bin/pybabel update --ignore-obsolete -i translations/messages.pot -d translations
	@for dir in $(wildcard plugins/*/*/translations); do \
		package=$${dir%/translations}; \
		$(VENV)/bin/pybabel extract -F plugins/babel.cfg -k _b -k _c -k _l -k N_ -k lazy_gettext \
			-o $$dir/messages.pot $$package && \
		$(VENV)/bin/pybabel update --ignore-obsolete -i $$dir/messages.pot -d $$dir || exit 1; \
	done
	$(MAKE) compile-translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
