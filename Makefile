# ctiload — the two commands a new user needs are `make run` and `make test`.
GO ?= go
SCRIPT ?= scripts/smoke.js

.PHONY: run test test-stress build bench bench-scale vet fmt fuzz generate web-assets image image-context image-multistage bench-cluster

run:
	$(GO) run ./cmd/ctiload run $(SCRIPT)

test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# test-stress runs the whole suite STRESS_RUNS times with -race -count=1 while a CPU hog keeps
# every core busy, as a loaded CI runner does: a test that waits on wall-clock time fails here.
# The hog (one `yes` per core) is killed when the target ends, failed or not.
STRESS_RUNS ?= 3
test-stress:
	@set -e; pids=""; \
	trap 'kill $$pids 2>/dev/null || true' EXIT INT TERM; \
	for i in $$(seq $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)); do yes > /dev/null & pids="$$pids $$!"; done; \
	echo "CPU hog running (pids$$pids)"; \
	for run in $$(seq $(STRESS_RUNS)); do \
		echo "== stress run $$run/$(STRESS_RUNS)"; \
		$(GO) test -race -count=1 -timeout 30m ./...; \
	done; \
	echo "test-stress: $(STRESS_RUNS) runs passed under load"

build:
	$(GO) build -o bin/ctiload ./cmd/ctiload

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# bench-scale measures idle agents at 1,000 / 5,000 / 10,000 / 19,000 (BENCH_SCALE_ROWS) against
# `ctiload sim` in its own process, logging in BENCH_SCALE_LOGIN_RATE agents a second, each holding
# BENCH_SCALE_HOLD, and prints one table (see
# docs/performance.md). Not part of `make test`: the largest row takes a small machine for minutes.
BENCH_SCALE_ROWS ?= 1000,5000,10000,19000
BENCH_SCALE_HOLD ?= 60s
BENCH_SCALE_LOGIN_RATE ?= 250
bench-scale: build
	$(GO) run ./cmd/bench-scale -ctiload bin/ctiload -rows $(BENCH_SCALE_ROWS) -hold $(BENCH_SCALE_HOLD) -login-rate $(BENCH_SCALE_LOGIN_RATE)

generate:
	$(GO) generate ./...

fuzz:
	$(GO) test ./cti -run '^$$' -fuzz FuzzFrameReader -fuzztime 60s
	$(GO) test ./cti -run '^$$' -fuzz FuzzDecode -fuzztime 60s
	$(GO) test ./cti/capture -run '^$$' -fuzz FuzzReader -fuzztime 60s

# uPlot for the dashboard and the HTML report, from the npm registry (web/uplot/fetch.sh); the
# files are committed, so a build needs no network. UPLOT_VERSION=1.6.33 make web-assets updates.
web-assets:
	web/uplot/fetch.sh $(UPLOT_VERSION)

# The container image (docs/cluster.md). `make image` needs no registry: the local Go toolchain
# builds a static binary, and the first OCI builder found (podman, buildah, docker) puts it in a
# FROM scratch image with Dockerfile.local. `make image-multistage` builds the ordinary
# multi-stage Dockerfile instead, which pulls the Go image.
IMAGE ?= ctiload:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
OCI ?= $(firstword $(foreach b,podman buildah docker,$(shell command -v $(b) 2>/dev/null)))

# CTILOAD_BIN: put this static binary in the image instead of building one (the tests pass the
# one they built).
CTILOAD_BIN ?=

image-context:
	rm -rf bin/image && mkdir -p bin/image/rootfs/usr/local/bin bin/image/rootfs/tmp bin/image/results
	if [ -n "$(CTILOAD_BIN)" ]; then cp "$(CTILOAD_BIN)" bin/image/rootfs/usr/local/bin/ctiload; else \
	  CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/image/rootfs/usr/local/bin/ctiload ./cmd/ctiload; fi
	cp -r scripts bin/image/rootfs/scripts
	chmod 1777 bin/image/rootfs/tmp
	cp Dockerfile.local bin/image/Dockerfile

# The 20,000-agent measurement of docs/cluster.md: two segment processes and a simulator here.
bench-cluster: build
	deploy/bench/cluster-agents.sh

image: image-context
	@test -n "$(OCI)" || { echo "make image: no OCI builder (podman, buildah or docker) found"; exit 1; }
	$(OCI) build -t $(IMAGE) bin/image

image-multistage:
	@test -n "$(OCI)" || { echo "make image-multistage: no OCI builder (podman, buildah or docker) found"; exit 1; }
	$(OCI) build --build-arg VERSION=$(VERSION) -t $(IMAGE) .
