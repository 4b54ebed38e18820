# GNU make. Targets: build test lint chaos clickhouse cluster tools demo bench bench-short bench-go fuzz stop clean
#
# ClickHouse: `make test` / `make demo` start a private server on
# 127.0.0.1:$(CH_TCP_PORT) (scripts/clickhouse.sh) unless CLICKHOUSE_ADDR is
# already set in the environment (or on the command line), in which case that
# server is used as is.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Go may live in /usr/local/go/bin without being on PATH.
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := /usr/local/go/bin:$(PATH)
endif
GO ?= go
GOFMT ?= gofmt

export BUILD_DIR ?= build
export CH_TCP_PORT ?= 19000
export CH_HTTP_PORT ?= 18123

# Was a server given to us? (checked before the default below is applied)
ifneq ($(strip $(CLICKHOUSE_ADDR)),)
CH_EXTERNAL := 1
endif
CLICKHOUSE_ADDR ?= 127.0.0.1:$(CH_TCP_PORT)
ifeq ($(strip $(CLICKHOUSE_ADDR)),)
override CLICKHOUSE_ADDR := 127.0.0.1:$(CH_TCP_PORT)
endif
CH_ADDR ?= $(CLICKHOUSE_ADDR)
export CLICKHOUSE_ADDR

# Prerequisite that starts the private server, empty when one was given.
CH_DEP := $(if $(CH_EXTERNAL),,clickhouse)

# The private server's TLS port (scripts/clickhouse.sh) and the certificate
# to trust for it: the TLS tests skip when the certificate is not there.
export CH_TLS_PORT ?= $(shell echo $$(($(CH_TCP_PORT) + 1)))
ifndef CH_EXTERNAL
export CLICKHOUSE_TLS_ADDR ?= 127.0.0.1:$(CH_TLS_PORT)
export CLICKHOUSE_TLS_CA ?= $(abspath $(BUILD_DIR))/clickhouse/etc/server.crt
endif

# The private server's user with a password (scripts/clickhouse.sh), which
# the leak test puts in a job; with a server of your own, set both.
export CH_SECRET_USER ?= leak_test
export CH_SECRET_PASSWORD ?= ch-LEAK-6-loopback
ifndef CH_EXTERNAL
export CLICKHOUSE_SECRET_USER ?= $(CH_SECRET_USER)
export CLICKHOUSE_SECRET_PASSWORD ?= $(CH_SECRET_PASSWORD)
endif

.PHONY: build test fmt-check walk-check vet lint chaos clickhouse cluster tools demo bench bench-short bench-go fuzz stop clean

build:
	$(GO) build -buildvcs=auto -o $(BUILD_DIR)/shopetl ./cmd/shopetl

clickhouse:
ifdef CH_EXTERNAL
	@echo "CLICKHOUSE_ADDR=$(CLICKHOUSE_ADDR) given; not starting a private server"
else
	scripts/clickhouse.sh start
endif

# The two-server cluster with ZooKeeper (scripts/clickhouse_cluster.sh)
# for the cluster test, unless CLICKHOUSE_CLUSTER_ADDR names one.
export CLUSTER_ZK_PORT ?= 12181
export CLUSTER_CH1_TCP ?= 19100
export CLUSTER_CH2_TCP ?= 19200
ifneq ($(strip $(CLICKHOUSE_CLUSTER_ADDR)),)
CLUSTER_EXTERNAL := 1
endif
export CLICKHOUSE_CLUSTER_ADDR ?= 127.0.0.1:$(CLUSTER_CH1_TCP),127.0.0.1:$(CLUSTER_CH2_TCP)
export CLICKHOUSE_CLUSTER ?= shopetl
CLUSTER_DEP := $(if $(CLUSTER_EXTERNAL),,cluster)
cluster:
ifdef CLUSTER_EXTERNAL
	@echo "CLICKHOUSE_CLUSTER_ADDR=$(CLICKHOUSE_CLUSTER_ADDR) given; not starting a cluster"
else
	scripts/clickhouse_cluster.sh start
endif

# The Go files of the module's packages, as `go list` sees them: go.mod's
# `ignore` keeps build/ (the private ClickHouse merges parts in there while
# it runs) and out/ out of every walk. `gofmt -l .` walked them.
GO_FILES_TMPL := {{$$d := .Dir}}{{range .GoFiles}}{{$$d}}/{{.}} {{end}}{{range .TestGoFiles}}{{$$d}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$$d}}/{{.}} {{end}}{{range .IgnoredGoFiles}}{{$$d}}/{{.}} {{end}}

fmt-check:
	@files="$$($(GO) list -e -f '$(GO_FILES_TMPL)' ./...)"; \
	out="$$($(GOFMT) -l $$files)"; \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# staticcheck, pinned: the go command fetches this version from the module
# proxy once and caches it; nothing is added to go.mod.
STATICCHECK_VERSION := v0.8.2
lint: vet
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

walk-check:
	scripts/walk_check.sh

# The Debian programs tests run (scripts/debian_tools.sh), installed when
# missing: chromium for the reconcile page, promtool and the Pushgateway
# for the metrics.
tools:
	scripts/debian_tools.sh chromium=chromium promtool=prometheus prometheus-pushgateway=prometheus-pushgateway

test: fmt-check walk-check vet tools $(CH_DEP) $(CLUSTER_DEP)
	# Every package under the race detector, once. The batches' memory is
	# reused once released; under -race it is also poisoned when freed,
	# so a sink reading a batch after its Release fails here.
	CLICKHOUSE_ADDR=$(CH_ADDR) $(GO) test -race -count=1 ./...

demo: build $(CH_DEP)
	CLICKHOUSE_ADDR=$(CH_ADDR) bash scripts/demo.sh

# The end-to-end benchmark of issue 18 (bench/): one table, every Budget
# line met or not, results in bench/results.json. The peer (Redpanda
# Connect) is built once into $(BUILD_DIR)/rpc. bench-short runs the same
# sections at tiny sizes, to check the harness (about a minute).
PEER_DIR ?= ../shared/peer
$(BUILD_DIR)/rpc:
	cd $(PEER_DIR)/rpc && $(GO) build -o $(abspath $(BUILD_DIR))/rpc .

bench bench-short: build $(BUILD_DIR)/rpc $(CH_DEP)
	$(GO) build -o $(BUILD_DIR)/bench ./bench
	CLICKHOUSE_ADDR=$(CH_ADDR) BENCH_PEER_JOB=$(abspath $(PEER_DIR))/shoptima-to-clickhouse.yaml \
	  $(BUILD_DIR)/bench $(if $(filter bench-short,$@),-short -db bench_short -out $(BUILD_DIR)/bench-short.json)

# The testing.B benchmarks of every package.
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target in turn for FUZZTIME. A failure stops here, its input
# written under the package's testdata/fuzz/, where `go test` replays it
# from then on: commit it with the fix.
FUZZTIME ?= 60s
FUZZ_PKGS ?= ./transform ./extract ./extract/shoptima ./jobspec
fuzz:
	for pkg in $(FUZZ_PKGS); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# make chaos: seeded rounds of faults, kills and server restarts
# (chaos/chaos_test.go), against a ClickHouse server of their own, which
# they restart: CHAOS_ROUNDS rounds from CHAOS_SEED.
CHAOS_ROUNDS ?= 20
CHAOS_SEED ?= 1
CHAOS_TCP_PORT ?= 19700
CHAOS_HTTP_PORT ?= 18700
CHAOS_ENV = BUILD_DIR=$(abspath $(BUILD_DIR))/chaos CH_TCP_PORT=$(CHAOS_TCP_PORT) CH_HTTP_PORT=$(CHAOS_HTTP_PORT) \
	CH_TLS_PORT=$$(($(CHAOS_TCP_PORT) + 1))
chaos:
	$(CHAOS_ENV) scripts/clickhouse.sh start
	$(CHAOS_ENV) CHAOS_SERVER_SCRIPT=$(abspath scripts/clickhouse.sh) CLICKHOUSE_ADDR=127.0.0.1:$(CHAOS_TCP_PORT) \
		CHAOS_ROUNDS=$(CHAOS_ROUNDS) CHAOS_SEED=$(CHAOS_SEED) \
		$(GO) test -count=1 -timeout 150m -v -run 'TestChaos$$' ./chaos/ 2>&1 | grep --line-buffered -E '^(=== RUN|--- |\s+chaos_test.go|ok|FAIL|PASS)'; \
		status=$${PIPESTATUS[0]}; $(CHAOS_ENV) scripts/clickhouse.sh stop; exit $$status

stop:
	scripts/clickhouse.sh stop
	scripts/clickhouse_cluster.sh stop

clean: stop
	rm -rf $(sort build out $(BUILD_DIR))
