# ctiload — the two commands a new user needs are `make run` and `make test`.
GO ?= go
SCRIPT ?= scripts/smoke.js

.PHONY: run test build bench vet fmt fuzz generate

run:
	$(GO) run ./cmd/ctiload run $(SCRIPT)

test:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

build:
	$(GO) build -o bin/ctiload ./cmd/ctiload

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

generate:
	$(GO) generate ./...

fuzz:
	$(GO) test ./cti -run '^$$' -fuzz FuzzFrameReader -fuzztime 60s
	$(GO) test ./cti -run '^$$' -fuzz FuzzDecode -fuzztime 60s
