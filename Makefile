# Developer façade: `make demo`, `make build`, `make test`, `make soak`, `make bench`, `make fuzz`, `make format`, `make lint`.
RELEASE_DIR := build/release
ASAN_DIR := build/asan
CTEST_FLAGS := --output-on-failure --no-tests=error -j2
FUZZ_SECONDS ?= 60

.PHONY: all build demo test soak bench fuzz format lint clean

all: build

build:
	scripts/setup.sh

# The engine in simulation mode against the local venue emulator for two minutes (README command 1).
demo:
	scripts/demo.sh

# Every test under AddressSanitizer + UBSan, the allocation counts in the Release tree, then the fuzzers.
test:
	scripts/setup.sh --test-trees
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_DIR) $(CTEST_FLAGS)
	ctest --test-dir $(RELEASE_DIR) $(CTEST_FLAGS) -L allocation
	scripts/fuzz.sh 10

# Ten minutes of the emulator under the flaky_network scenario, in the AddressSanitizer build.
soak: build
	KIMP_SOAK_SECONDS=600 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(ASAN_DIR)/tests/venue_sim_e2e_tests --gtest_filter=VenueSimSoak.*

# Every libFuzzer target for FUZZ_SECONDS each (clang tree in build/fuzz); `make test` runs 10 s each.
fuzz: build
	scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	scripts/run_benchmarks.sh $(RELEASE_DIR)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: build
	scripts/lint.sh $(RELEASE_DIR)

clean:
	rm -rf build
