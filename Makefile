# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: poppler (PDF rasterization), CJK fonts (the page generators: Noto, plus
# WenQuanYi and AR PL Ming/Kai faces for tests/masonry.py to vary; Noto Sans CJK SC and DejaVu for
# the searchable PDF's text layer), poppler-utils also for pdftotext in the PDF tests,
# Chromium (the browser tests: Playwright drives Debian's /usr/bin/chromium),
# Tesseract with chi_sim (only for the accuracy benchmark's comparison column).
SYSTEM_PACKAGES := poppler-utils fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai fonts-dejavu-core chromium
BENCH_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim
SCANS ?= scans
OUT ?= output
JOBS ?= 1

.PHONY: run test lint format system bench bench-packages clean scans screenshots help

help:
	@echo "make run    set up (.venv, system packages) and process $(SCANS)/ into $(OUT)/"
	@echo "make test   set up, then ruff and pytest"
	@echo "make bench  accuracy benchmark; writes BENCHMARKS.md"

system:
	@missing=""; for p in $(SYSTEM_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# The PP-OCRv6 ONNX models ship in the rapidocr wheel; only its files are used.
	$(BIN)/pip install -q --no-deps rapidocr==3.10.0
	$(BIN)/python -m ocr models > /dev/null
	touch $(STAMP)

run: system $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/ocr process $(SCANS) --db $(OUT)/archive.db --jobs $(JOBS)
	$(BIN)/ocr export json --db $(OUT)/archive.db --out $(OUT)/export
	$(BIN)/ocr export site --db $(OUT)/archive.db --out $(OUT)/site

test: system $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: EXTRA_PACKAGES = $(BENCH_PACKAGES)
bench: system $(STAMP)
	$(BIN)/python bench/accuracy.py

# The README's screenshots of the review app (docs/*.png), from the browser tests.
screenshots: system $(STAMP)
	OCR_SCREENSHOTS=docs $(BIN)/pytest -q tests/test_review_browser.py

# Regenerate the sample issue in scans/ from the seed text (tests/data/).
scans: system $(STAMP)
	$(BIN)/python tests/synth.py --out $(SCANS)/zhangmiao-2021-01-20.pdf --pages 8 --seed 75 \
	  --truth $(SCANS)/zhangmiao-2021-01-20.truth.json

clean:
	rm -rf $(VENV) $(OUT)/archive.db* $(OUT)/pages $(OUT)/export $(OUT)/site
