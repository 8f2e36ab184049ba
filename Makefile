# Qingchain build entry points. The Go modules (root, chaincode/ and the
# operator tool tools/fabca/) are built, tested and linted together.
GO        ?= go
BIN       := bin
DATA_DIR  ?= data
ADDR      ?= localhost:8080
MODULES   := . ./chaincode
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)

.PHONY: run build test test-short test-contracttest-1 test-contracttest-2 test-root test-chaincode test-tools lint lint-openapi bench clean test-fabric network-up network-down

build:
	$(GO) build -o $(BIN)/ ./gateway/cmd/...
	cd chaincode && $(GO) build -o ../$(BIN)/qingchain-cc .
	cd tools/fabca && $(GO) build -o ../../$(BIN)/fabca .

run: build
	./$(BIN)/qingchain-gateway --data-dir $(DATA_DIR) --listen $(ADDR) --demo

# make test runs its parts at once (make -j): the chaincode's suite on
# devledger (gateway/contracttest, the slowest package, its tests run one
# after another) in two halves by test name, the root module's other
# packages (the README test among them), the chaincode module and the
# Fabric CA tool's module (tools/fabca, its own module). Each part
# prints its own output when it ends. make -j1 test runs them in turn.
GOTEST        := $(GO) test -race -count=1
CONTRACTTEST  := ./gateway/contracttest
CT_SPLIT      := ^Test[A-I]
TEST_PARTS    := test-contracttest-1 test-contracttest-2 test-root test-chaincode test-tools

test:
	@$(MAKE) --no-print-directory -j$(words $(TEST_PARTS)) --output-sync=target $(TEST_PARTS)
	@scripts/test-fabric.sh check

test-contracttest-1:
	$(GOTEST) -run '$(CT_SPLIT)' $(CONTRACTTEST)

test-contracttest-2:
	$(GOTEST) -skip '$(CT_SPLIT)' $(CONTRACTTEST)

test-root:
	$(GOTEST) $$($(GO) list ./... | grep -v '/gateway/contracttest$$')

test-chaincode:
	cd chaincode && $(GOTEST) ./...

test-tools:
	cd tools/fabca && $(GOTEST) ./...

# The inner loop: both modules, no race detector, -short.
test-short:
	$(GO) test -short -count=1 ./...
	cd chaincode && $(GO) test -short -count=1 ./...
	cd tools/fabca && $(GO) test -short -count=1 ./...

# The same conformance suite and flows on a real Fabric v3.1 network, brought
# up natively in a temporary directory (needs FABRIC_BIN or Fabric on PATH).
test-fabric:
	scripts/test-fabric.sh

network-up:
	scripts/network.sh up
	scripts/network.sh deploy

network-down:
	scripts/network.sh down

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd chaincode && $(GO) vet ./...
	cd tools/fabca && $(GO) vet ./...
	$(STATICCHECK) ./...
	cd chaincode && $(STATICCHECK) ./...
	cd tools/fabca && $(STATICCHECK) ./...
	$(GO) mod tidy -diff
	cd chaincode && $(GO) mod tidy -diff
	cd tools/fabca && $(GO) mod tidy -diff

# The generated OpenAPI document, linted with Redocly CLI (needs Node.js and
# npm; not part of lint, which needs Go alone).
lint-openapi:
	scripts/openapi-lint.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd chaincode && $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
