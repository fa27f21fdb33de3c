# The two commands: `make run` and `make test`. Every target installs what is
# missing first (scripts/bootstrap), so a fresh Debian 12 machine needs nothing else.

BUILD_DIR   ?= build
FUZZ_DIR    ?= build-fuzz
HOST        ?= 127.0.0.1
PORT        ?= 4567
DATA_DIR    ?= ./data
ADMIN_PORT  ?= 4568
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 20
SOAK_CYCLES ?= 120

.PHONY: all bootstrap configure build run test unit e2e soak fuzz bench clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: bootstrap $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/sluice serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) --admin-port $(ADMIN_PORT)

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

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
