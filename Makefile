# ctiload — the two commands a new user needs are `make run` and `make test`.
GO ?= go
SCRIPT ?= scripts/smoke.js

.PHONY: run test test-stress build bench bench-scale vet fmt fuzz generate

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
# `ctiload sim` in its own process, each holding BENCH_SCALE_HOLD, and prints one table (see
# docs/performance.md). Not part of `make test`: the largest row takes a small machine for minutes.
BENCH_SCALE_ROWS ?= 1000,5000,10000,19000
BENCH_SCALE_HOLD ?= 60s
bench-scale: build
	$(GO) run ./cmd/bench-scale -ctiload bin/ctiload -rows $(BENCH_SCALE_ROWS) -hold $(BENCH_SCALE_HOLD)

generate:
	$(GO) generate ./...

fuzz:
	$(GO) test ./cti -run '^$$' -fuzz FuzzFrameReader -fuzztime 60s
	$(GO) test ./cti -run '^$$' -fuzz FuzzDecode -fuzztime 60s
	$(GO) test ./cti/capture -run '^$$' -fuzz FuzzReader -fuzztime 60s
