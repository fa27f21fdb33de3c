# The two commands: `make run` and `make test`. Every target installs what is
# missing first (scripts/bootstrap), so a fresh Debian 12 machine needs nothing else.
# `make run` installs and builds only what serving needs (no tests, no examples);
# `make test` installs and builds everything.

BUILD_DIR   ?= build
FUZZ_DIR    ?= build-fuzz
DEB_DIR     ?= build-deb
HOST        ?= 127.0.0.1
PORT        ?= 4567
DATA_DIR    ?= ./data
ADMIN_PORT  ?= 4568
PREFIX      ?= /usr/local
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 20
SOAK_CYCLES ?= 120

CONFIGURE = cmake -S . -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

# $(call prepare,PROFILE,DIR): the Debian packages scripts/bootstrap installs
# for PROFILE, and the build directory DIR, made without tests or examples
# unless it exists (then configured again as it was, to find new tools).
define prepare
	@echo "sluice: checking the build dependencies (Debian packages)…"
	@scripts/bootstrap $(1)
	@if [ -f $(2)/build.ninja ]; then cmake -S . -B $(2) >/dev/null; else \
	  $(CONFIGURE) -B $(2) -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_EXAMPLES=OFF >/dev/null; fi
endef

.PHONY: all bootstrap configure build run install deb test unit e2e soak fuzz bench bench-kcl bench-groups bench-scale bench-cluster clean

all: build

bootstrap:
	@scripts/bootstrap test

# A build directory made by `make run` builds no tests; this one turns them on.
configure: bootstrap
	@$(CONFIGURE) -B $(BUILD_DIR) -DSLUICE_BUILD_TESTS=ON -DSLUICE_BUILD_EXAMPLES=ON >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run:
	$(call prepare,run,$(BUILD_DIR))
	@echo "sluice: building the server (the first build takes a few minutes)…"
	@cmake --build $(BUILD_DIR) --target sluice -j $(JOBS)
	@echo "sluice: starting on http://$(HOST):$(PORT) (data in $(DATA_DIR); console at /console/; Ctrl-C stops)"
	@exec $(BUILD_DIR)/sluice serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) --admin-port $(ADMIN_PORT)

# The server, its man page and completions, the client library, under PREFIX.
install:
	$(call prepare,package,$(BUILD_DIR))
	@echo "sluice: building the server…"
	@cmake --build $(BUILD_DIR) --target sluice sluice_client sluice_completion sluice_man -j $(JOBS)
	@echo "sluice: installing under $(PREFIX)…"
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# A Debian package (CPack) in $(DEB_DIR): built on its own, without tests.
deb:
	$(call prepare,package,$(DEB_DIR))
	@echo "sluice: building the server…"
	@cmake --build $(DEB_DIR) -j $(JOBS)
	@echo "sluice: packaging…"
	@cd $(DEB_DIR) && cpack -G DEB >/dev/null
	@ls $(DEB_DIR)/*.deb

test: build
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory e2e

unit:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e:
	SLUICE_BIN=$(abspath $(BUILD_DIR)/sluice) tests/e2e/run

# For release checks, not part of `make test`: the kill -9 crash-cycle test with SOAK_CYCLES
# cycles, alternating `--durability fsync` and `os`.
soak: build
	SLUICE_BIN=$(abspath $(BUILD_DIR)/sluice) E2E_SUITES=python E2E_PYTHON_TIMEOUT=3600 \
	  SLUICE_CRASH_CYCLES=$(SOAK_CYCLES) SLUICE_CRASH_OS_EVERY=2 tests/e2e/run -k test_crash_cycles -s

fuzz: bootstrap
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DSLUICE_BUILD_FUZZ=ON -DSLUICE_BUILD_TESTS=OFF >/dev/null
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ_DIR)

bench: build
	scripts/bench

# The scale workloads against a Sluice it starts on a fresh data dir (docs/benchmarks.md).
SCALE_SHARDS  ?= 1000,5000
SCALE_STREAMS ?= 1000
bench-scale: build
	d=$$(mktemp -d) && $(BUILD_DIR)/sluice bench --endpoint http://127.0.0.1:$${BENCH_PORT:-4599} \
	  --server-bin $(BUILD_DIR)/sluice --data-dir $$d/data --duration 5 \
	  --workloads many-shards,many-streams,put-record-durability \
	  --shard-counts $(SCALE_SHARDS) --stream-counts $(SCALE_STREAMS); rc=$$?; rm -rf $$d; exit $$rc

# put → processRecords latency of a KCL 3.x consumer, fan-out and polling (docs/benchmarks.md).
bench-kcl: build
	SLUICE_BIN=$(abspath $(BUILD_DIR)/sluice) scripts/bench-kcl

# put → member latency of a consumer group at 1,000 and 10,000 records/s, and its rebalance time (docs/benchmarks.md).
bench-groups: build
	SLUICE_BIN=$(abspath $(BUILD_DIR)/sluice) scripts/bench-groups

# Three nodes and one etcd against one node: PutRecords with replication, put→get, and the
# failover time over 20 kills (docs/benchmarks.md).
bench-cluster: build
	scripts/bench-cluster --sluice-bin $(BUILD_DIR)/sluice

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(DEB_DIR)
