# ctiload — the two commands a new user needs are `make run` and `make test`.
GO ?= go
SCRIPT ?= scripts/smoke.js

.PHONY: run test test-stress build bench vet fmt fuzz generate web-assets

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
