# Two entry points, each working on a fresh machine with only Python:
#   make demo   run the main job on embedded defaults
#   make test   run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz clean

# No pip cache: the wheels are not needed twice, and CI's disk can be small.
# torch==2.13.0 first and alone: it resolves to the CPU build on this machine; anything that
# lets pip choose torch itself pulls a multi-GB CUDA build.
# The Khronos glTF validator (npm) checks the GLB files in the tests, and Debian's chromium draws the
# results page in them; each comes from Debian's packages only where the machine lacks it (an image
# whose nodejs ships its own npm conflicts with Debian's npm package).
$(STAMP): pyproject.toml constraints.txt tools/gltf-validator/package-lock.json
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --no-cache-dir --upgrade pip
	$(PY) -m pip install -q --no-cache-dir torch==2.13.0
	$(PY) -m pip install -q --no-cache-dir -c constraints.txt -e '.[dev]'
	pkgs="$$(command -v npm >/dev/null || echo nodejs npm) $$(command -v chromium >/dev/null || echo chromium)"; \
	  [ -z "$$(echo $$pkgs)" ] || (apt-get update -q && apt-get install -y -q $$pkgs)
	npm ci --prefix tools/gltf-validator --no-audit --no-fund --loglevel=error
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/gtrs demo --out demo_out

test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

# the robustness suite with 10,000 fuzz examples per case instead of CI's 300 (fixed seed), and 30
# killed predict runs instead of 3
fuzz: $(STAMP)
	GTRS_FUZZ_EXAMPLES=10000 GTRS_FAULT_KILLS=30 $(PY) -m pytest -q tests/robustness

bench: $(STAMP)
	$(VENV)/bin/gtrs bench body

clean:
	rm -rf $(VENV) demo_out
