# Qingchain build entry points. Both Go modules (root and chaincode/) are
# built, tested and linted together.
GO        ?= go
BIN       := bin
DATA_DIR  ?= data
ADDR      ?= localhost:8080
MODULES   := . ./chaincode
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)

.PHONY: run build test lint bench clean test-fabric network-up network-down

build:
	$(GO) build -o $(BIN)/ ./gateway/cmd/...
	cd chaincode && $(GO) build -o ../$(BIN)/qingchain-cc .

run: build
	./$(BIN)/qingchain-gateway --data-dir $(DATA_DIR) --listen $(ADDR) --demo

test:
	$(GO) test -race -count=1 ./...
	cd chaincode && $(GO) test -race -count=1 ./...
	@scripts/test-fabric.sh check

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
	$(STATICCHECK) ./...
	cd chaincode && $(STATICCHECK) ./...
	$(GO) mod tidy -diff
	cd chaincode && $(GO) mod tidy -diff

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd chaincode && $(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
