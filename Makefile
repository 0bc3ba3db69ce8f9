# bpfman in Swift: `make demo` and `make test` do all set-up on a fresh
# Debian 12 machine (as root).

SWIFT       ?= swift
CLANG       ?= $(shell command -v clang 2>/dev/null || echo /opt/swift/usr/bin/clang)
BUILD_DIR   := build
BPF_SOURCES := $(wildcard testdata/bpf/*.bpf.c)
BPF_OBJECTS := $(patsubst testdata/bpf/%.bpf.c,$(BUILD_DIR)/bpf/%.bpf.o,$(BPF_SOURCES))
ARCH_INCLUDE := /usr/include/$(shell uname -m)-linux-gnu
# The git commit, state, branch and date, linked in as the executables' GNU
# build ID for `bpfman version` (scripts/build-id.sh); the same flags for
# every build and test run, so that none relinks what another linked.
BUILD_ID    := $(shell bash scripts/build-id.sh)
LINK_FLAGS  := $(if $(BUILD_ID),-Xlinker --build-id=$(BUILD_ID))
# The release build `make bench` and `make install` share: optimised, with
# the Swift runtime linked in, so the executables need no Swift toolchain.
RELEASE_BUILD := $(SWIFT) build -c release --static-swift-stdlib $(LINK_FLAGS)
DEB_PACKAGES := libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev bpftool iproute2 iputils-ping util-linux \
                runc busybox-static podman containerd umoci skopeo docker-registry apache2-utils curl openssl \
                binutils python3-yaml python3-jsonschema \
                python3-prometheus-client
# The unprivileged test targets `make test-unit` runs (CLITests and the
# namespace suites need root), and the one unprivileged CLITests suite.
UNIT_TESTS  := ^(BinaryFormatsTests|ArchiveTests|BPFTests|ContainerSelectionTests|ExecutionTests|ImageLoadingTests|LinuxSysTests|ServerMappingTests|ImagesTests|ManagerTests|RuntimesTests|StoreTests|TargetsTests|ModelTests|KubernetesTests|CLIParsingTests|LogsTests)\. \
               ^NamespacesTests\.(ContainerNamespaceTests|PIDNamespacesTests|ProcessStatusTests) ^CLITests\.KubernetesManifestTests

.PHONY: all deps build bpf check-layering test test-guest test-unit demo bench clean

all: build bpf

## deps: install the Debian packages the build and the tests need (as root),
## and kubectl (Debian's kubernetes-client) for the manifest check unless one is installed.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v kubectl >/dev/null 2>&1 || missing="$$missing kubernetes-client"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## build: the bpfman, bpfman-full, bpfman-ns and bpfman-agent executables (debug).
build: deps
	$(SWIFT) build --product bpfman $(LINK_FLAGS)
	$(SWIFT) build --product bpfman-full $(LINK_FLAGS)
	$(SWIFT) build --product bpfman-ns $(LINK_FLAGS)
	$(SWIFT) build --product bpfman-agent $(LINK_FLAGS)

## bpf: the test BPF programs and the probe target.
bpf: $(BPF_OBJECTS) $(BUILD_DIR)/probe_target

$(BUILD_DIR)/bpf/%.bpf.o: testdata/bpf/%.bpf.c testdata/bpf/common.h | deps
	@mkdir -p $(dir $@)
	$(CLANG) -target bpf -O2 -g -I$(ARCH_INCLUDE) -c $< -o $@

$(BUILD_DIR)/probe_target: testdata/target/probe_target.c
	@mkdir -p $(dir $@)
	cc -O2 -g -o $@ $<

## check-layering: the C modules stay behind their wrappers, what bpfman-ns
## links stays free of Foundation and Dispatch (they start threads), and what
## bpfman links stays free of the registry, runtime and gRPC code.
check-layering:
	@! grep -rln 'import CLibbpf' Sources | grep -v '^Sources/BPF/' || { echo 'CLibbpf imported outside BPF'; exit 1; }
	@! grep -rln 'import CLinuxShims' Sources | grep -v -e '^Sources/LinuxSys/' -e '^Sources/BPF/Syscall/' || { echo 'CLinuxShims imported outside LinuxSys and BPF/Syscall'; exit 1; }
	@! grep -rlnE '^import (Foundation|Dispatch)' Sources/BPF Sources/Targets Sources/Namespaces Sources/LinuxSys Sources/BinaryFormats Sources/Diagnostics Sources/Model Sources/bpfman-ns || { echo 'Foundation/Dispatch in a module bpfman-ns links'; exit 1; }
	@! grep -rlnE '^import (Images|ImageLoading|Runtimes|HTTPTransport|ContainerSelection|Server|FullCLI|GRPC|NIO|AsyncHTTPClient|Crypto|SwiftProtobuf)' Sources/CLI Sources/Manager Sources/Store Sources/bpfman || { echo 'registry, runtime or gRPC code in a module bpfman links (it belongs in FullCLI)'; exit 1; }
	@! grep -rlnE '^import BPF$$' Sources/CLI Sources/Server Sources/FullCLI Sources/Agent || { echo 'the kernel layer imported by a front end (render Model.Kernel* values; kernel work goes through Manager)'; exit 1; }
	@! grep -rlnE '^import (CLinuxShims|CLibbpf|Execution)$$' Sources/Model || { echo 'Model is the shared vocabulary: no kernel or execution imports'; exit 1; }
	@echo 'layering ok'

## test: everything, privileged tests included (run as root), then the guest lane.
test: check-layering build bpf
	CI=$${CI:-} $(SWIFT) test --no-parallel $(LINK_FLAGS)
	$(MAKE) test-guest

## test-guest: the suites needing a full kernel (kprobes, trampolines, BPF LSM,
## freplace dispatchers), inside a QEMU guest with Debian's 6.12 kernel;
## installs qemu, virtme-ng, the kernel.
test-guest: build bpf
	CI=$${CI:-} $(SWIFT) test --no-parallel $(LINK_FLAGS) --filter 'KernelHookTests|DispatcherTests'
	bash scripts/guest/run.sh

## test-unit: the tests that need no root, one target per module (run as any user after `make deps`).
test-unit: bpf
	$(SWIFT) build --build-tests $(LINK_FLAGS)
	$(SWIFT) test --skip-build --no-parallel $(foreach f,$(UNIT_TESTS),--filter '$(f)')

## demo: the container uprobe scenario, end to end.
demo: build bpf
	bash scripts/demo.sh

## bench: release build, then bpfman's CLI timed next to a C floor (bench/results.json).
## The benchmark program (dynamically linked: it uses the test support) builds
## in its own directory, so the two kinds of release build do not undo each other.
bench: deps bpf $(BUILD_DIR)/floor $(BUILD_DIR)/measure
	$(RELEASE_BUILD) --product bpfman
	$(RELEASE_BUILD) --product bpfman-full
	$(RELEASE_BUILD) --product bpfman-ns
	$(SWIFT) build -c release --scratch-path .build-bench --product bpfman-bench
	.build-bench/release/bpfman-bench

$(BUILD_DIR)/floor: bench/floor.c | deps
	@mkdir -p $(dir $@)
	cc -O2 -o $@ $< -lbpf

$(BUILD_DIR)/measure: bench/measure.c
	@mkdir -p $(dir $@)
	cc -O2 -o $@ $<

## release: the four executables, release build (what `make install` installs).
release:
	$(RELEASE_BUILD) --product bpfman
	$(RELEASE_BUILD) --product bpfman-full
	$(RELEASE_BUILD) --product bpfman-ns
	$(RELEASE_BUILD) --product bpfman-agent

## install: the release executables, systemd units (socket-activated serve),
## /etc/bpfman/bpfman.toml and /etc/default/bpfman (never overwritten), man
## pages and completions; PREFIX (/usr/local) and DESTDIR as usual, NOSTRIP=1
## keeps debug information. Needs libbpf-dev libelf-dev zlib1g-dev
## libsqlite3-dev (`make deps` has them).
## uninstall: removes what install added (changed configuration stays).
PREFIX      ?= /usr/local
UNITDIR     ?= $(PREFIX)/lib/systemd/system
INSTALL_ENV  = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' UNITDIR='$(UNITDIR)'
# swift-argument-parser's man page generator, which its generate-manual
# plugin runs, built from the package's checkout (offline), without the
# plugin's rebuild of every product with other flags than RELEASE_BUILD's.
GENERATE_MANUAL := $(BUILD_DIR)/argument-parser/debug/generate-manual

.PHONY: release install uninstall test-install

install: release $(GENERATE_MANUAL)
	$(INSTALL_ENV) RELEASE_DIR=.build/release GENERATE_MANUAL=$(GENERATE_MANUAL) bash scripts/install.sh install

uninstall:
	$(INSTALL_ENV) bash scripts/install.sh uninstall

$(GENERATE_MANUAL): | release
	$(SWIFT) build --package-path .build/checkouts/swift-argument-parser --scratch-path $(BUILD_DIR)/argument-parser --product generate-manual

## test-install: `make install` and `make uninstall` into a temporary DESTDIR,
## checked (scripts/test-install.sh); not part of `make test` (release build).
test-install: bpf
	bash scripts/test-install.sh

clean:
	rm -rf $(BUILD_DIR)
