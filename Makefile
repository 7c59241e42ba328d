# HttpSendHttpResponse: specification, proven reference model, conformance suite.
#
#   make deps      install what everything below needs (Debian 12 packages)
#   make deps-conform  only what running the suite needs (gcc, make, pytest, pycurl, jsonschema)
#   make oracle    build the reference adapter, the oracle every run compares with
#   make conform   run the suite against the reference implementation (IMPL=... for another);
#                  writes build/reports/<impl>/ (REPORT_DIR=... for elsewhere)
#   make test      the project's tests: unit tests, proof replay, spec and harness self-tests, suite;
#                  writes only under build/ and fails when it changed a committed file
#   make publish   refresh the committed results: reports/reference, reports/wine-8.0,
#                  reports/wine-10.0, reports/proof (or one: publish-reference, publish-wine,
#                  publish-wine10, publish-proof)
#   make prove     prove the model with Frama-C WP, reusing and extending the WP cache; writes build/proof/ (PROVE_OUT=...)
#   make prove-replay  replay the committed WP cache, running no prover (part of make test)
#   make prove-rebuild prove from scratch and replace the WP cache with exactly what that run used
#   make coverage  rule coverage of the cases, branch coverage of the model under the suite
#   make mutate    mutation score of the suite against mutants of the model
#   make cases     rewrite the generated cases from tools/gen_cases.py
#   make bench     measure the suite's speed against the reference adapter
#   make docs      the browsable site (reports/site/) and reports/traceability.md
#   make conform IMPL=wine    the suite against Wine 8.0's HTTP Server API (build/reports/wine-8.0/)
#   make conform IMPL=wine10  the same against Wine 10.0 in a Debian 13 chroot (build/reports/wine-10.0/)
#   make explore IMPL=<name> BUDGET=<s>  generated exchanges against the model (cases/found/)
#   make windows-kit   build/windows-kit/hs-conformance-windows-kit.zip: the adapter and script for a run on Windows

SHELL   := /bin/bash
PYTHON  := /usr/bin/python3
CC      ?= gcc
BUILD   := build
MODEL_SRC := $(wildcard model/src/*.c)
MODEL_HDR := $(wildcard model/include/*.h)
CFLAGS_STRICT := -std=c99 -O2 -g -Wall -Wextra -Werror -Imodel/include
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ADAPTER_SRC := $(wildcard harness/adapters/reference/*.c) $(wildcard harness/adapters/common/*.c)
ADAPTER_HDR := $(wildcard harness/adapters/reference/*.h) $(wildcard harness/adapters/common/*.h)
IMPL    ?= reference
# The reference runs fastest in one process (harness/README.md, Speed).
JOBS    ?= $(if $(filter reference,$(IMPL)),1,auto)
# Where runs write; the committed reports/ are written only by make publish.
REPORTS ?= $(BUILD)/reports
PROVE_OUT ?= $(BUILD)/proof
export PROVE_OUT
# The project's bytecode goes under build/, never beside the sources, and is kept
# even where the environment asks for none: otherwise every process of a run (pytest
# and each xdist worker) compiles the harness again, about 0.1 s each.
export PYTHONPYCACHEPREFIX := $(abspath $(BUILD))/pycache
unexport PYTHONDONTWRITEBYTECODE

DEB_PACKAGES := build-essential frama-c-base why3 cvc4 z3 ocaml \
                python3 python3-pytest python3-pytest-xdist python3-pycurl python3-lxml python3-hypothesis \
                libcurl4-openssl-dev curl ca-certificates
# Running the suite (harness.run, pytest cases/) and building the oracle: nothing more.
CONFORM_PACKAGES := build-essential python3 python3-pytest python3-pytest-xdist python3-pycurl \
                    python3-jsonschema
# The Win32 adapter, cross-built, and Wine to run it (make deps-wine).
WIN32_SRC := $(wildcard harness/adapters/win32/*.c) $(wildcard harness/adapters/common/*.c)
WIN32_HDR := $(wildcard harness/adapters/win32/*.h) $(wildcard harness/adapters/common/*.h)
WIN32_EXE := $(BUILD)/win32/hs-win32-adapter.exe
MINGW_CC  := x86_64-w64-mingw32-gcc
WINE_PACKAGES := wine64 gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev debootstrap
WINE10_CHROOT ?= /var/cache/hs-conformance/wine-10.0
export HS_WINE10_CHROOT := $(WINE10_CHROOT)
# make docs and its browser tests (tests/test_site.py).
DOCS_PACKAGES := python3-jinja2 python3-markdown chromium chromium-driver python3-selenium

.PHONY: deps-wine build-win32 conform-wine conform-wine10 wine10-chroot wine-expectations wine-reports windows-kit
.PHONY: explore explore-oracle
.PHONY: cases all deps deps-conform oracle deps-docs docs build unit fuzz prove prove-replay prove-rebuild conform coverage mutate bench test pytest clean

all: build

# Idempotent (tools/install-packages.sh installs only what is missing), then lets
# why3 find the provers.
deps: deps-conform
	@tools/install-packages.sh $(DEB_PACKAGES)
	@why3 config detect >/dev/null 2>&1 || true
	@why3 config list-provers 2>/dev/null | grep -qi cvc4 || { echo "why3 does not see cvc4" >&2; exit 1; }

# Idempotent, like deps.
# Checked again only when dpkg's state changed since the last check or the list did.
deps-conform:
	@if [ $(BUILD)/deps-conform.ok -nt /var/lib/dpkg/status ] && \
	    [ "$$(< $(BUILD)/deps-conform.ok)" = "$(strip $(CONFORM_PACKAGES))" ]; then :; else \
	  tools/install-packages.sh $(CONFORM_PACKAGES) && mkdir -p $(BUILD) && \
	  echo "$(strip $(CONFORM_PACKAGES))" > $(BUILD)/deps-conform.ok; fi

oracle: $(BUILD)/hs-reference-adapter

# Idempotent, like deps.
deps-docs:
	@tools/install-packages.sh $(DOCS_PACKAGES)

# The site from the spec, the contracts, the committed proof reports, the cases and every
# reports/<impl>/results.json; fails when a traceability gap has no reason.
docs: deps-docs
	$(PYTHON) -m tools.docs

build: $(BUILD)/hs-reference-adapter $(BUILD)/unit-tests $(BUILD)/unit-tests-san

$(BUILD)/unit-tests: model/tests/unit_tests.c $(MODEL_SRC) $(MODEL_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -o $@ model/tests/unit_tests.c $(MODEL_SRC)

$(BUILD)/unit-tests-san: model/tests/unit_tests.c $(MODEL_SRC) $(MODEL_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) $(SANITIZE) -o $@ model/tests/unit_tests.c $(MODEL_SRC)

$(BUILD)/hs-reference-adapter: $(ADAPTER_SRC) $(ADAPTER_HDR) $(MODEL_SRC) $(MODEL_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_STRICT) -D_POSIX_C_SOURCE=200809L -Iharness/adapters/reference -Iharness/adapters/common -o $@ $(ADAPTER_SRC) $(MODEL_SRC)

$(BUILD)/fuzz-parser: harness/adapters/reference/fuzz_parser.c harness/adapters/reference/http_parse.c $(ADAPTER_HDR)
	@mkdir -p $(@D)
	$(CC) -std=c99 -O1 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -DHS_FUZZ_PARSER $(SANITIZE) \
	    -Iharness/adapters/reference -o $@ harness/adapters/reference/fuzz_parser.c harness/adapters/reference/http_parse.c

# The request parser of the reference adapter, 100000 deterministic inputs.
fuzz: $(BUILD)/fuzz-parser
	$(BUILD)/fuzz-parser 100000

unit: $(BUILD)/unit-tests $(BUILD)/unit-tests-san
	$(BUILD)/unit-tests
	$(BUILD)/unit-tests-san

prove: deps
	tools/prove.sh

# Idempotent, like deps-docs.
deps-wine:
	@tools/install-packages.sh --no-recommends $(WINE_PACKAGES)

build-win32: $(WIN32_EXE)

# A self-contained zip for a run on real Windows (tools/windows-kit/README.md):
# the cross-built adapter, the PowerShell script that runs it, README, VERSION.
WINDOWS_KIT := $(BUILD)/windows-kit/hs-conformance-windows-kit.zip
windows-kit: $(WINDOWS_KIT)

$(WINDOWS_KIT): $(WIN32_EXE) tools/windows_kit.py tools/windows-kit/run-adapter.ps1 tools/windows-kit/README.md
	$(PYTHON) tools/windows_kit.py $(WIN32_EXE) $@

$(WIN32_EXE): $(WIN32_SRC) $(WIN32_HDR) | deps-wine
	@mkdir -p $(@D)
	$(MINGW_CC) -std=c11 -O2 -Wall -Wextra -Werror -Iharness/adapters/common -o $@ $(WIN32_SRC) -lhttpapi -lws2_32

# The suite against Wine: WINE_JOBS workers, each in its own Wine prefix (its own
# wineserver and http.sys: closing any request queue makes Wine close every
# queue's listening socket of its prefix). Writes $(REPORTS)/wine-<version>/.
# Runs on the same prefixes wait for each other (flock), for the same reason; the
# lock stays with flock itself (-o), so that a keeper left behind by a run that was
# killed before its release does not hold it and block every later run.
WINE_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
conform-wine: deps-conform deps-wine $(BUILD)/hs-reference-adapter $(WIN32_EXE)
	flock -o $(BUILD)/wine-8.0.run.lock bash -c 'tools/wine.sh prepare wine-8.0 $(WINE_JOBS) && \
	  { $(PYTHON) -m harness.run --impl wine --jobs $(WINE_JOBS) --report-dir $(REPORTS)/wine-8.0; \
	    rc=$$?; tools/wine.sh release wine-8.0; exit $$rc; }'

conform-wine10: deps-conform deps-wine $(BUILD)/hs-reference-adapter $(WIN32_EXE) wine10-chroot
	flock -o $(BUILD)/wine-10.0.run.lock bash -c 'tools/wine.sh prepare wine-10.0 $(WINE_JOBS) && \
	  { $(PYTHON) -m harness.run --impl wine10 --jobs $(WINE_JOBS) --report-dir $(REPORTS)/wine-10.0; \
	    rc=$$?; tools/wine.sh release wine-10.0; exit $$rc; }'

# Rewrites harness/expectations/$(WINE).toml and the bug list
# reports/$(WINE)/deviations.md from what $(OBSERVE_RUNS) runs without
# expectations observed (WINE=wine-8.0 or wine-10.0), with the generic writer
# harness.expectations: what fails in every run is expected to fail, what fails
# in some runs only is listed as flaky.
WINE ?= wine-8.0
OBSERVE_RUNS ?= 2
wine-expectations: deps deps-wine $(BUILD)/hs-reference-adapter $(WIN32_EXE)
	@[ "$(WINE)" != wine-10.0 ] || $(MAKE) --no-print-directory wine10-chroot
	@mkdir -p $(BUILD)/$(WINE) && : > $(BUILD)/$(WINE)/no-expectations.toml
	flock -o $(BUILD)/$(WINE).run.lock bash -c 'tools/wine.sh prepare $(WINE) $(WINE_JOBS) && \
	  { for n in $$(seq $(OBSERVE_RUNS)); do \
	      $(PYTHON) -m harness.run --impl $(if $(filter wine-10.0,$(WINE)),wine10,wine) --jobs $(WINE_JOBS) \
	        --expectations $(BUILD)/$(WINE)/no-expectations.toml \
	        --report-dir $(BUILD)/$(WINE)/observed-$$n; rc=$$?; [ $$rc -le 1 ] || break; done; \
	    tools/wine.sh release $(WINE); [ $$rc -le 1 ]; }'
	$(PYTHON) -m harness.expectations $(foreach n,$(shell seq $(OBSERVE_RUNS)),--from $(BUILD)/$(WINE)/observed-$(n)/results.json) \
	  --write harness/expectations/$(WINE).toml --deviations reports/$(WINE)/deviations.md \
	  --label "Wine $(subst wine-,,$(WINE))"

# Both Wine versions: expectations from a fresh observation, then the reports.
wine-reports:
	$(MAKE) wine-expectations WINE=wine-8.0
	$(MAKE) publish-wine
	$(MAKE) wine-expectations WINE=wine-10.0
	$(MAKE) publish-wine10

# Debian 13 with its wine64 (Wine 10.0), about 2.3 GB, outside the repository.
wine10-chroot: deps-wine
	tools/wine10-chroot.sh

# The committed cache, replayed: fails if any goal or smoke test has no cached
# verdict (it would need a prover) or if the replay changes model/proof-cache.
# Writes only under build/.
prove-replay: deps
	PROVE_CACHE=offline PROVE_OUT=$(BUILD)/proof-replay tools/prove.sh

# Proves from scratch into a new cache and, if the proof passes, replaces
# model/proof-cache with it: entries no goal uses any more are dropped. The
# first run may fail only on goals Z3 proved past the step limit; the second
# gives them the other prover's verdict, and tools/prune_cache.py drops the
# Z3 ones, so the replay that must pass decides as a proving run would.
prove-rebuild: deps
	rm -rf $(BUILD)/proof-cache-new
	-PROVE_CACHE=update PROVE_CACHE_DIR=$(BUILD)/proof-cache-new tools/prove.sh
	PROVE_CACHE=update PROVE_PRUNE=1 PROVE_CACHE_DIR=$(BUILD)/proof-cache-new tools/prove.sh
	PROVE_CACHE=offline PROVE_CACHE_DIR=$(BUILD)/proof-cache-new PROVE_OUT=$(BUILD)/proof-rebuilt tools/prove.sh
	rm -rf model/proof-cache && cp -r $(BUILD)/proof-cache-new model/proof-cache

ifeq ($(IMPL),wine)
conform: conform-wine
else ifeq ($(IMPL),wine10)
conform: conform-wine10
else
conform: deps-conform $(BUILD)/hs-reference-adapter
	$(PYTHON) -m harness.run --impl $(IMPL) --jobs $(JOBS) --report-dir $(REPORTS)/$(IMPL)
endif

# Property-based exploration (harness/explore.py): exchanges drawn by Hypothesis run on the
# model and on IMPL for BUDGET seconds; each new deviation is shrunk and written to
# cases/found/. explore-oracle: the model against tools/casegen/oracle.py (build/explore/oracle/).
BUDGET ?= 60
SEED   ?= 0
# More options of harness.explore, e.g. EXPLORE_ARGS="--out DIR --report FILE".
EXPLORE_ARGS ?=
ifeq ($(IMPL),wine)
explore: deps deps-wine $(BUILD)/hs-reference-adapter $(WIN32_EXE)
	flock -o $(BUILD)/wine-8.0.run.lock bash -c 'tools/wine.sh prepare wine-8.0 && \
	  { $(PYTHON) -m harness.explore --impl wine --budget $(BUDGET) --seed $(SEED) $(EXPLORE_ARGS); \
	    rc=$$?; tools/wine.sh release wine-8.0; exit $$rc; }'
else ifeq ($(IMPL),wine10)
explore: deps deps-wine $(BUILD)/hs-reference-adapter $(WIN32_EXE) wine10-chroot
	flock -o $(BUILD)/wine-10.0.run.lock bash -c 'tools/wine.sh prepare wine-10.0 && \
	  { $(PYTHON) -m harness.explore --impl wine10 --budget $(BUDGET) --seed $(SEED) $(EXPLORE_ARGS); \
	    rc=$$?; tools/wine.sh release wine-10.0; exit $$rc; }'
else
explore: deps $(BUILD)/hs-reference-adapter
	$(PYTHON) -m harness.explore --impl $(IMPL) --budget $(BUDGET) --seed $(SEED) $(EXPLORE_ARGS)
endif

explore-oracle: deps $(BUILD)/hs-reference-adapter
	$(PYTHON) -m harness.explore --oracle-check --budget $(BUDGET) --seed $(SEED)

# The committed results, refreshed on purpose only: each runs as above into reports/.
.PHONY: publish publish-reference publish-wine publish-wine10 publish-proof docs-check
publish: publish-proof publish-reference publish-wine publish-wine10
publish-reference:
	$(MAKE) conform REPORTS=reports
publish-wine:
	$(MAKE) conform-wine REPORTS=reports
publish-wine10:
	$(MAKE) conform-wine10 REPORTS=reports
publish-proof:
	$(MAKE) prove PROVE_OUT=reports/proof

# The generated cases (cases/gen-*/), rewritten from tools/gen_cases.py.
cases:
	$(PYTHON) tools/gen_cases.py

# Rule coverage of the cases and line/branch coverage of the model under the suite; writes reports/coverage/
coverage: deps $(BUILD)/hs-reference-adapter
	$(PYTHON) tools/coverage.py

# Mutation testing of the suite: mutants of model/src, each built into the reference
# adapter and run against the suite (the unmutated adapter is the oracle); target 95% killed.
# Writes reports/mutation/summary.{json,md}; per-mutant work under build/mutants/.
mutate: deps $(BUILD)/hs-reference-adapter
	$(PYTHON) tools/mutate.py --parallel 2 --jobs 1 --sanitize-survivors

bench: deps $(BUILD)/hs-reference-adapter
	$(PYTHON) -m harness.bench
	@echo "cold proof (no cache), target under 3 minutes on 2 cores:"
	@PROVE_CACHE=none PROVE_OUT=$(BUILD)/proof-cold tools/prove.sh
	@$(PYTHON) -c 'import json; print("cold proof: %d s" % json.load(open("$(BUILD)/proof-cold/summary.json"))["seconds"])'

pytest: deps-docs $(BUILD)/hs-reference-adapter $(WIN32_EXE)
	$(PYTHON) -m pytest -q tests

# The site and the traceability table under build/, from the committed reports.
docs-check: deps-docs
	$(PYTHON) -m tools.docs --out $(BUILD)/site --markdown $(BUILD)/traceability.md

# Writes only under build/; a committed file it changed is an error (the tree's
# state before, build/git-status.before, must be its state after: empty for a clean checkout).
test: test-tree-before deps build unit fuzz prove-replay pytest conform conform-wine docs-check
	@git status --porcelain > $(BUILD)/git-status.after; \
	if ! cmp -s $(BUILD)/git-status.before $(BUILD)/git-status.after; then \
	  echo "make test changed the tree (git status --porcelain before / after):" >&2; \
	  diff $(BUILD)/git-status.before $(BUILD)/git-status.after >&2; exit 1; fi
	@echo "git status --porcelain: $$(if [ -s $(BUILD)/git-status.after ]; then echo unchanged; else echo empty; fi)"

.PHONY: test-tree-before
test-tree-before:
	@mkdir -p $(BUILD) && git status --porcelain > $(BUILD)/git-status.before

clean:
	rm -rf $(BUILD)
