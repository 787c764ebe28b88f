# optlearn: the two commands (`make book`, `make test`) and the author tools.
# Everything runs from a virtual environment in .venv that these targets create and keep
# up to date; only python3 (>= 3.10) and make are needed on the machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# One sanitize file for nbval: it masks only honestly nondeterministic text (timings,
# addresses, machine-dependent thread counts). See the comments inside it.
SANITIZE := book/nbval_sanitize.cfg
# Jupyter Book from the root: _config.yml and _toc.yml live here; -W turns warnings into
# errors, -n reports broken cross-references, --keep-going lists all of them at once.
JB_BUILD := $(BIN)/jupyter-book build . --builder html -W -n --keep-going
# Sphinx's saved environment does not survive a change of _toc.yml or _config.yml (the build
# then stops with a KeyError in the toctree collector): drop it when either is newer.
FRESH_ENV := if [ -f _build/.doctrees/environment.pickle ] && { [ _toc.yml -nt _build/.doctrees/environment.pickle ] || [ _config.yml -nt _build/.doctrees/environment.pickle ]; }; then rm -rf _build/.doctrees; fi
# Same hash seed in every process, so set/dict-order effects cannot make a notebook differ.
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help book test execute bench clean clean-all

help:
	@echo "make book     build the HTML book from the stored notebook outputs"
	@echo "make test     every check: ruff, unit tests, nbval, book build (-W), browser check"
	@echo "make execute  re-execute every notebook in place, in _toc.yml order"
	@echo "make bench    run the benchmarks"
	@echo "make clean    remove build outputs (keeps .venv; 'make clean-all' removes it too)"

# --- environment -----------------------------------------------------------------------
# The venv is created once; each extra set is installed once and reinstalled only when
# pyproject.toml changes (the project itself is installed editable, so code changes need
# no reinstall). The stamp files record what is installed.
$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "optlearn needs Python >= 3.10 as '$(PYTHON)' on PATH; none was found (install it, or run make PYTHON=/path/to/python3)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "optlearn needs Python >= 3.10, but '$(PYTHON)' is $$($(PYTHON) -V 2>&1) (install a newer one, or run make PYTHON=python3.11)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): '$(PYTHON) -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)."; rm -rf $(VENV); exit 1; }

$(VENV)/.stamp-book: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[book]"
	@touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-book
	$(PY) -m pip install --quiet -e ".[book,test]"
	@touch $@

# --- the two commands --------------------------------------------------------------------
book: $(VENV)/.stamp-book
	@$(FRESH_ENV)
	$(JB_BUILD)
	@echo "The book: $(CURDIR)/_build/html/index.html"

# Stops at the first failing step.
test: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(PY) -m pytest tests optlearn --doctest-modules -m "not browser"
	$(PY) -m pytest --nbval book --nbval-current-env --nbval-sanitize-with $(SANITIZE)
	@$(FRESH_ENV)
	$(JB_BUILD)
	$(PY) -m pytest tests -m browser

# --- author tools ------------------------------------------------------------------------
execute: $(VENV)/.stamp-book
	$(PY) tools/execute_notebooks.py

bench: $(VENV)/.stamp-test
	$(PY) benchmarks/run.py

clean:
	rm -rf _build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print | xargs rm -rf

clean-all: clean
	rm -rf $(VENV)
