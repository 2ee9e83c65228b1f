# Glassbox. `make dev` runs it locally; `make test` is what CI runs.
# SAM calls `make build-<LogicalId>` with ARTIFACTS_DIR set, in a copy of the tree without .git.

GO        ?= go
GOARCH    ?= arm64
CACHE     ?= $(CURDIR)/.cache
BIN_FLAGS  = -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w'
GOBIN_DIR  = $(CACHE)/bin
STATICCHECK_VERSION = v0.8.2

# Where `make dev` listens and `make demo` posts: `make dev ADDR=127.0.0.1:9090` and `make demo ADDR=127.0.0.1:9090`,
# or `make demo URL=http://...` for a dev server started some other way.
ADDR      ?= 127.0.0.1:8080
URL       ?= http://$(ADDR)

export CACHE

.PHONY: dev demo glassbox test tools tidy lint bench emulators-start emulators-stop clean

## dev: serve the handlers on $(ADDR) with an embedded store and a mail outbox (no AWS, Java or Node)
dev:
	$(GO) run ./cmd/glassbox dev --addr $(ADDR)

## demo: post the signed samples from events/ to a running `make dev` at $(URL)
demo:
	$(GO) run ./cmd/glassbox demo --url $(URL)

## glassbox: build the admin CLI as ./glassbox (or `go install ./cmd/glassbox` to put it on your PATH)
glassbox:
	$(GO) build -o glassbox ./cmd/glassbox

## test: everything CI checks: lint (gofmt, vet, staticcheck, cfn-lint), a tidy go.mod, unit and integration tests
## (DynamoDB Local, SES emulator). Installs what the tests need and the machine lacks (poppler-utils).
test: lint tidy tools
	scripts/with-emulators.sh $(GO) test -count=1 ./...

## tools: install what the tests need beyond Go, Java, Node and cfn-lint (poppler-utils, chromium), when missing
tools:
	scripts/tools.sh

## tidy: fail when `go mod tidy` would change go.mod or go.sum
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }

## lint: gofmt, go vet, staticcheck, cfn-lint
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	@test -x $(GOBIN_DIR)/staticcheck || GOBIN=$(GOBIN_DIR) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN_DIR)/staticcheck ./...
	cfn-lint template.yaml

## bench: the performance figures quoted in the README
bench:
	scripts/with-emulators.sh scripts/bench.sh

emulators-start:
	scripts/emulators.sh start
emulators-stop:
	scripts/emulators.sh stop

build-IngestFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/ingest

build-ReactFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/react

build-LinkFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/link

build-RemindFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/remind

build-SweepFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sweep

build-BounceFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/bounce

build-FlushFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/flush

build-PullFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/pull

build-DigestFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/digest

build-SealFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build $(BIN_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/seal

clean:
	rm -rf .aws-sam .glassbox preview glassbox
