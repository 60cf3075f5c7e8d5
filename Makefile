# mattn/go-sqlite3 needs the sqlite_fts5 tag for full-text search; every
# target here carries it so nobody has to remember it.
TAGS := sqlite_fts5
GO   ?= go

.PHONY: run test test-short bench build vet fmt fuzz

## run: start a single node with demo data on http://127.0.0.1:8080
run:
	$(GO) run -tags $(TAGS) ./cmd/couponpop serve --demo

## test: every test, including the LiteFS integration tests (they need fuse3)
test:
	$(GO) vet -tags "$(TAGS) integration" ./...
	$(GO) test -tags "$(TAGS) integration" -timeout 20m ./...

## test-short: unit and HTTP tests only
test-short:
	$(GO) test -tags $(TAGS) ./...

## fuzz: each fuzz target for FUZZTIME (their seeds in testdata/fuzz run in test);
## scripts/fuzz.sh says why a bare deadline error is retried
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) TAGS=$(TAGS) scripts/fuzz.sh . ./server ./search ./store

## bench: the Go benchmarks of BENCHMARKS.md and docs/benchmarks-history.md
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 2s ./...

## build: the couponpop binary in ./bin
build:
	$(GO) build -tags $(TAGS) -o bin/couponpop ./cmd/couponpop

fmt:
	gofmt -l -w .
