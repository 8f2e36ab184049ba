#!/usr/bin/env bash
# The Fabric part of Qingchain's tests (make test-fabric): on a real Fabric
# v3 network that gateway/fabric's TestFabric brings up in a temporary
# directory with scripts/network.sh (probe contract as chaincode "probe",
# Qingchain's chaincode as "qingchain") and takes down again, also when a
# test fails:
#
#   - the ledger conformance suite (gateway/ledgertest) through the fabric
#     adapter, the same suite devledger passes in `make test` (private data
#     of collection probe-ab, MVCC on private hashes, chaincode-, collection-
#     and key-level endorsement policies among it);
#   - with fabric-ca-server in FABRIC_BIN (or on PATH), identities from the
#     organisations' Fabric CAs (network.sh up --ca) and the Fabric CA flow:
#     a bank officer enrolled with tools/fabca, bound through the API, acting,
#     revoked (CRL into the channel's BankMSP) and refused by the gateway;
#   - Qingchain's chaincode through the adapter, as the wallet identities
#     loaded from the network's MSP folders;
#   - the gateway end to end: the real qingchain-gateway binary, built from
#     this tree and started with --ledger fabric --fabric-network
#     <network.json>, driven over HTTP with API keys made by its `keys add`
#     command: organisation admins (<org>-Admin) register enterprises and
#     bind cryptogen users as members; the traceability flow (products,
#     lots, events incl. a receiving at the warehouse, items, a
#     certificate, EPCIS export, the Digital Link resolver's JSON and page,
#     the QR code decoded); the bank flow (receipt issue and split,
#     due-diligence view, financing apply/approve/disburse/repay/close);
#   - the races: N (QC_FABRIC_RACE, 20) approvals of N applications against
#     one receipt by N banks at once through the gateway (exactly one
#     pledge, N-1 × 409 ALREADY_PLEDGED), and N creations of one invoice at
#     once, through the adapter and through the gateway (exactly one
#     receivable; over HTTP N-1 × 409 DUPLICATE_INVOICE);
#   - a load measurement: submits/s and p50/p99 latency of a small write at
#     1, 16 and 64 concurrent clients, through the adapter and, as the
#     baseline, through a plain fabric-gateway client in the same run; and
#     a qingchain event write through the adapter and through the HTTP
#     gateway at the same concurrency;
#   - a peer killed (SIGKILL) and restarted during a stream of submissions.
#
#   scripts/test-fabric.sh          run all of it (FABRIC_BIN required)
#   scripts/test-fabric.sh check    print whether the Fabric part can run
#                                   (one SKIP line when it cannot); exit 0
#
# Environment:
#   FABRIC_BIN              directory with peer, orderer, configtxgen,
#                           cryptogen, osnadmin (required), and
#                           fabric-ca-server (else cryptogen, no CA flow)
#   QC_FABRIC_LOAD          concurrency levels of the load run (1,16,64;
#                           empty: no load run)
#   QC_FABRIC_LOAD_SECONDS  seconds per level and client (20)
#   QC_FABRIC_LOAD_RAW      0: no plain fabric-gateway baseline
#   QC_FABRIC_RACE          concurrent approvals / invoice creations (20)
#   QC_CHAINCODE_DIR        build the qingchain chaincode from this module
#                           directory instead of ./chaincode
#   QC_TEST_PORT_OFFSET     port offset of the test network (20000)
#   QC_FABRIC_NETWORK       a running network's network.json to use instead
#                           of bringing one up (it is left running)
set -euo pipefail
cd "$(dirname "$0")/.."

PROGRAMS=(peer orderer configtxgen cryptogen osnadmin)

missing_programs() {
  local p absent=()
  for p in "${PROGRAMS[@]}"; do
    if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/$p" ]; then continue; fi
    command -v "$p" >/dev/null 2>&1 && continue
    absent+=("$p")
  done
  printf '%s\n' "${absent[*]}"
}

if [ "${1:-}" = check ]; then
  missing="$(missing_programs)"
  if [ -n "$missing" ]; then
    echo "SKIP: Fabric binaries not found (set FABRIC_BIN) — missing $missing; the ledger conformance suite ran on devledger only (make test-fabric runs it on Fabric)"
  else
    ca="with"
    if ! { [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/fabric-ca-server" ]; } && ! command -v fabric-ca-server >/dev/null 2>&1; then
      ca="without (no fabric-ca-server: identities from cryptogen, no Fabric CA flow)"
    fi
    echo "Fabric binaries found: TestFabric ran the ledger conformance suite on a Fabric network too, $ca Fabric CA"
  fi
  exit 0
fi
[ "$#" -eq 0 ] || {
  sed -n '2,/^set -euo/s/^# \{0,1\}//p' "$0" | sed '$d' >&2
  exit 2
}

if [ -z "${FABRIC_BIN:-}" ]; then
  echo "test-fabric: FABRIC_BIN is not set. Point it at Fabric v3.1's bin/ directory (see network/README.md, \"Running it\")." >&2
  exit 2
fi
missing="$(missing_programs)"
if [ -n "$missing" ]; then
  echo "test-fabric: missing Fabric program(s) in FABRIC_BIN=$FABRIC_BIN: $missing (see network/README.md, \"Running it\")." >&2
  exit 2
fi
command -v go >/dev/null || { echo "test-fabric: Go is required" >&2; exit 2; }

export FABRIC_BIN
export QC_FABRIC_LOAD="${QC_FABRIC_LOAD-1,16,64}"
export QC_FABRIC_LOAD_SECONDS="${QC_FABRIC_LOAD_SECONDS:-20}"

echo "test-fabric: Fabric $("$FABRIC_BIN/peer" version 2>/dev/null | sed -n 's/^ Version: //p') from $FABRIC_BIN; $(go version | cut -d' ' -f3)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start=$(date +%s)
set +e
go test -count=1 -v -timeout 30m -run '^TestFabric$' ./gateway/fabric/ 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

if grep -q 'RESULT ' "$log"; then
  echo
  echo "== Gateway end to end on Fabric =="
  sed -n 's/^.*RESULT //p' "$log"
fi
if grep -q 'LOAD ' "$log"; then
  echo
  echo "== Load: a small write; each client a goroutine with its own identity, all five organisations =="
  sed -n 's/^.*LOAD //p' "$log"
fi
echo
if [ "$rc" = 0 ]; then
  echo "test-fabric: PASS in $(($(date +%s) - start)) s"
else
  echo "test-fabric: FAIL (exit $rc) after $(($(date +%s) - start)) s"
fi
exit "$rc"
