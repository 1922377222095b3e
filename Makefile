# Backprop from Scratch: `make lab` to learn, `make test` to check everything.
# Both create .venv on first use with the first Python >= 3.10 found, and install the course into it.

PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python3.10 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
# What is installed into .venv: the course and JupyterLab for `make lab`; everything the tests need for the rest.
LAB_STAMP := $(VENV)/.installed-lab
SITE_STAMP := $(VENV)/.installed-site
PLAYGROUND_STAMP := $(VENV)/.installed-playground
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told it may (containers, Binder-like machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# pytest-xdist: one worker per core (WORKERS=0 runs in one process). loadscope keeps each notebook's
# cells, each test module's functions and each test class's methods together, in order, on one worker.
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadscope
# The oldest leg: the oldest Python the course claims, every dependency at its lower bound.
OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed
# The classroom edition: nbgrader in a virtual environment of its own (README: Teaching with the course).
CLASSROOM := .venv-classroom
CLASSROOM_PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
CLASSROOM_STAMP := $(CLASSROOM)/.installed
CLASSROOM_DIR ?= classroom
# Google Colab's library versions (tools/colab.py), on the newest Python found: Colab's 3.13 where it is on PATH.
COLAB := .venv-colab
COLAB_STAMP := $(COLAB)/.installed

# The website: built from the notebooks' stored outputs into docs/_build/html (README: The website).
SITE_DIR := docs/_build/html
# The playground: Voila on 127.0.0.1, with the course's template from playground/voila/templates/course.
PLAYGROUND_PORT ?= 8866

.PHONY: lab classroom test test-oldest test-cpus test-oldest-cpus test-colab unit notebooks bench site playground \
	environments clean help

help:
	@echo "make lab        open the course in JupyterLab (first run installs it into .venv)"
	@echo "make test       unit tests, browser tests and nbval over every notebook"
	@echo "make test-oldest  unit and notebook tests on the oldest Python and library versions claimed"
	@echo "make test-cpus  nbval over every notebook with numpy's and OpenBLAS's kernels for other processors"
	@echo "make test-oldest-cpus  the same on the oldest leg"
	@echo "make test-colab  the tests with Google Colab's library versions, and the explorers in an ipywidgets 7 front-end"
	@echo "make classroom  the nbgrader course folder and student edition, in $(CLASSROOM_DIR)/ (README: Teaching)"
	@echo "make notebooks  re-execute every notebook in place to refresh its stored outputs"
	@echo "make bench      print the training benchmark"
	@echo "make site       build the course's website into $(SITE_DIR) (needs node/npm the first time)"
	@echo "make playground every explorer on one page, code hidden, on http://127.0.0.1:$(PLAYGROUND_PORT)"
	@echo "make -j4 environments  every virtual environment the test targets use, built side by side (CI)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.10 or newer is needed; none was found on PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create a virtual environment with $(PYTHON)." \
		"On Debian or Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

$(SITE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[site]"
	touch $@

$(PLAYGROUND_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[playground]"
	touch $@

# [dev] includes [site] and [playground].
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(LAB_STAMP) $(SITE_STAMP) $(PLAYGROUND_STAMP)

# tools/lab_settings.py: no "news?" or update pop-up over the figures (lab-settings/overrides.json).
lab: $(LAB_STAMP)
	$(BIN)/python tools/lab_settings.py
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

test: $(STAMP) $(CLASSROOM_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(NBVAL) tests notebooks

unit: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) tests -m "not browser and not slow"

# nbval under the configurations `tools/cpu_configs.py list` prints, but native (which `make test` runs):
# numpy's AVX2 and baseline kernels, OpenBLAS's Haswell and Sandybridge kernels (README: Other processors).
# Both at once, each in one process: one per core, and no worker left idle behind notebook 04.
CPU_RUN := -p no:xdist
test-cpus: $(STAMP)
	$(BIN)/python tools/cpu_configs.py run --together -- $(BIN)/python -m pytest $(CPU_RUN) $(NBVAL) notebooks

notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

# Rebuilt from nothing whenever the bounds change, so it holds exactly the lower bounds.
$(OLDEST_STAMP): pyproject.toml tools/lower_bounds.py
	@test -n "$(PYTHON)" || { echo "Python 3.10 or newer is needed; none was found on PATH." >&2; exit 1; }
	rm -rf $(OLDEST)
	oldest=$$($(PYTHON) tools/lower_bounds.py python) && $$oldest -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) tools/lower_bounds.py constraints test > $(OLDEST)/constraints.txt
	$(OLDEST)/bin/python -m pip install --quiet -c $(OLDEST)/constraints.txt -e ".[test]"
	touch $@

# The browser and Binder tests run in `make test` only (README: Supported versions).
test-oldest: $(OLDEST_STAMP)
	$(OLDEST)/bin/python tools/lower_bounds.py verify test
	$(OLDEST)/bin/python -m pytest $(XDIST) -m "not browser and not binder and not classroom" $(NBVAL) tests notebooks

test-oldest-cpus: $(OLDEST_STAMP)
	$(OLDEST)/bin/python tools/lower_bounds.py verify test
	$(OLDEST)/bin/python tools/cpu_configs.py run --together -- $(OLDEST)/bin/python -m pytest $(CPU_RUN) $(NBVAL) notebooks

# Colab's numpy, matplotlib and ipywidgets 7.7, and the classic Notebook 6 whose widget manager runs ipywidgets 7.
$(COLAB_STAMP): pyproject.toml tools/colab.py
	@test -n "$(CLASSROOM_PYTHON)" || { echo "make test-colab needs Python 3.11 or newer; none was found on PATH." >&2; exit 1; }
	rm -rf $(COLAB)
	$(CLASSROOM_PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB)/bin/python tools/colab.py constraints > $(COLAB)/constraints.txt
	$(COLAB)/bin/python -m pip install --quiet -c $(COLAB)/constraints.txt -e ".[test]" "playwright>=1.40"
	touch $@

# The unit and widget tests and nbval with Colab's versions, then the explorers in the ipywidgets 7 front-end.
test-colab: $(COLAB_STAMP)
	$(COLAB)/bin/python tools/colab.py verify
	$(COLAB)/bin/python -m pytest $(XDIST) -m "not browser and not binder and not classroom and not slow" $(NBVAL) \
		tests notebooks
	$(COLAB)/bin/python -m pytest -m colab tests/test_colab.py

# nbgrader needs Python 3.11 or newer: the first one on PATH (CLASSROOM_PYTHON), which may differ from PYTHON.
$(CLASSROOM_STAMP): pyproject.toml
	@test -n "$(CLASSROOM_PYTHON)" || { echo "nbgrader needs Python 3.11 or newer; none was found on PATH." >&2; exit 1; }
	$(CLASSROOM_PYTHON) -m venv $(CLASSROOM)
	$(CLASSROOM)/bin/python -m pip install --quiet --upgrade pip
	$(CLASSROOM)/bin/python -m pip install --quiet -e ".[classroom]"
	touch $@

# source/ and release/ are rebuilt; the gradebook, submitted/ and autograded/ are the teacher's and stay.
classroom: $(CLASSROOM_STAMP)
	rm -rf $(CLASSROOM_DIR)/source $(CLASSROOM_DIR)/release
	$(CLASSROOM)/bin/python tools/classroom.py source $(CLASSROOM_DIR)
	cd $(CLASSROOM_DIR) && for folder in source/*/; do name=$$(basename "$$folder"); \
		PATH="$(CURDIR)/$(CLASSROOM)/bin:$$PATH" nbgrader generate_assignment "$$name" --force || exit 1; done
	@echo "The student edition is in $(CLASSROOM_DIR)/release/; grading: README, Teaching with the course."

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/minibatch.py
	$(BIN)/python benchmarks/optimizers.py

# docs/vendor.py fetches the pinned scripts the pages load (npm pack, once); -W turns every warning into an error.
site: $(SITE_STAMP)
	$(BIN)/python docs/vendor.py
	$(BIN)/sphinx-build -W --keep-going -q -b html -d docs/_build/doctrees docs $(SITE_DIR)
	@echo "The site is in $(SITE_DIR): open $(SITE_DIR)/index.html, or serve it with" \
		"$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(SITE_DIR)"

playground: $(PLAYGROUND_STAMP)
	JUPYTER_PATH=$(CURDIR)/playground $(BIN)/voila playground/playground.ipynb --template=course \
		--progressive_rendering=True --Voila.ip=127.0.0.1 --port=$(PLAYGROUND_PORT)

# Every virtual environment the test targets create on first use. CI builds the four side by side (make -j4):
# 73 s from a fresh clone on 2 cores, against 125 s one after another, as pip mostly keeps one core busy.
environments: $(STAMP) $(CLASSROOM_STAMP) $(OLDEST_STAMP) $(COLAB_STAMP)

clean:
	rm -rf $(VENV) $(OLDEST) $(CLASSROOM) $(COLAB) .pytest_cache build *.egg-info docs/_build docs/_generated docs/notebooks \
		docs/_static/vendor docs/.vendored.json
