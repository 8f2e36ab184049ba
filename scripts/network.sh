#!/usr/bin/env bash
# Qingchain's local Hyperledger Fabric v3 network, run natively (no Docker):
# three Raft orderers and one peer for each of five organisations, all on
# 127.0.0.1 with TLS, as background processes.
#
#   scripts/network.sh up [--ca]          generate crypto + genesis block, start
#                                         orderers and peers, create channel;
#                                         --ca: one fabric-ca-server per
#                                         organisation (network/cas.conf) issues
#                                         every identity (tools/fabca) instead
#                                         of cryptogen
#   scripts/network.sh deploy [options]   package, install, approve, commit the
#                                         chaincode (CCaaS) and start its server
#   scripts/network.sh status             processes, heights, chaincodes
#   scripts/network.sh down               stop everything, delete generated files
#   scripts/network.sh env ORG [USER]     print exports for the peer CLI as ORG
#   scripts/network.sh stop-node NODE [--kill]
#                                         stop one node (a host name, or a peer
#                                         by its organisation); --kill: SIGKILL
#   scripts/network.sh start-node NODE    start a stopped node again on its
#                                         own ledger and wait until healthy
#   scripts/network.sh enroll ORG NAME [--admin] [--attrs N=V,...]
#                                         (--ca networks) a new user of ORG from
#                                         its CA into users/NAME@<domain>/, listed
#                                         in network.json; --attrs: attributes in
#                                         its certificate
#   scripts/network.sh revoke ORG NAME    (--ca networks) revoke it at the CA and
#                                         put the CRL into ORG's channel MSP
#
# deploy options (or the environment variables in brackets):
#   --name NAME        chaincode name                  [QC_CC_NAME, qingchain]
#   --version V        chaincode version / label       [QC_CC_VERSION, 1]
#   --sequence N       definition sequence             [QC_CC_SEQUENCE, 1]
#   --port P           chaincode server port           [QC_CC_PORT, 7999]
#   --bin PATH         chaincode binary; default: build ./chaincode with
#                      `go build` into $QC_NETWORK_DIR [QC_CHAINCODE_BIN]
#
# Environment:
#   FABRIC_BIN       directory holding peer, orderer, configtxgen, cryptogen,
#                    osnadmin (and fabric-ca-server for --ca; else they are
#                    looked up on PATH)
#   QC_FABCA_BIN     a built tools/fabca (default: built into the network dir)
#   FABRIC_CFG       directory holding Fabric's core.yaml and orderer.yaml
#                    (default: the config/ directory next to the binaries, as
#                    in Fabric's release tarball)
#   FABRIC_CCAAS_BUILDER  directory with bin/{detect,build,release} of an
#                    external builder for chaincode-as-a-service (default:
#                    Fabric's own, builders/ccaas next to the binaries'
#                    directory as its release tarball has it; else
#                    scripts/ccaas-builder)
#   QC_NETWORK_DIR   where every generated file, ledger, log and pid file goes
#                    (default network/generated/)
#   QC_PORT_OFFSET   added to every port (default 0), to run a second network
#   QC_CHANNEL       channel name (default qingchain)
#
# The network definition lives in network/: crypto-config.yaml, configtx.yaml,
# nodes.conf (ports), peer.env / orderer.env (overrides of Fabric's stock
# core.yaml / orderer.yaml), endorsement-policy, collections/NAME.json (the
# private data collections of chaincode NAME, if any). See network/README.md.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
NETWORK_DEF="$REPO_ROOT/network"

# Settings from the caller. Fabric's own CORE_*/ORDERER_*/CONFIGTX_* variables
# would silently reconfigure every node and CLI call this script makes, so
# they are dropped; the script sets what each process needs explicitly.
USER_FABRIC_CFG="${FABRIC_CFG:-}"
while IFS= read -r var; do
  case "$var" in
    CORE_* | ORDERER_* | CONFIGTX_* | FABRIC_CFG_PATH | FABRIC_LOGGING_SPEC) unset "$var" ;;
  esac
done < <(compgen -e)

QC_NETWORK_DIR="${QC_NETWORK_DIR:-$NETWORK_DEF/generated}"
QC_PORT_OFFSET="${QC_PORT_OFFSET:-0}"
CHANNEL="${QC_CHANNEL:-qingchain}"
START_TIME="$(date +%s)"

# Messages go to fd 3, a copy of the caller's stderr, so that they are seen
# even from a trap that fires inside a command whose stderr is redirected.
# Long-running processes are started with fd 3 closed.
exec 3>&2
log() { printf '[network %3ss] %s\n' "$(($(date +%s) - START_TIME))" "$*" >&3; }
die() {
  printf 'network.sh: %s\n' "$*" >&3
  exit 1
}

case "$QC_PORT_OFFSET" in
  '' | *[!0-9]*) die "QC_PORT_OFFSET must be a non-negative integer, got '$QC_PORT_OFFSET'" ;;
esac

# An absolute, normalised network directory: it is written into the nodes'
# configuration and removed by `down`.
mkdir -p "$(dirname "$QC_NETWORK_DIR")"
QC_NETWORK_DIR="$(cd "$(dirname "$QC_NETWORK_DIR")" && pwd)/$(basename "$QC_NETWORK_DIR")"
DIR="$QC_NETWORK_DIR"
MARKER="$DIR/.qingchain-network"
CRYPTO="$DIR/crypto"
PIDS="$DIR/pids"
LOGS="$DIR/logs"

# ---------------------------------------------------------------------------
# Fabric binaries and configuration

PEER="" ORDERER="" CONFIGTXGEN="" CRYPTOGEN="" OSNADMIN="" FABRIC_CONFIG="" CCAAS_BUILDER=""

# find_bin NAME: the path of a Fabric program, from $FABRIC_BIN or PATH.
find_bin() {
  if [ -n "${FABRIC_BIN:-}" ] && [ -x "$FABRIC_BIN/$1" ]; then
    printf '%s\n' "$FABRIC_BIN/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  fi
}

install_hint() {
  cat >&2 <<'EOF'

Install Hyperledger Fabric's binaries (v3.1 or later) the official way, with
the install script from the hyperledger/fabric repository
(https://hyperledger-fabric.readthedocs.io/en/latest/install.html):

  curl -sSLO https://raw.githubusercontent.com/hyperledger/fabric/main/scripts/install-fabric.sh
  chmod +x install-fabric.sh
  ./install-fabric.sh --fabric-version 3.1.5 binary

That unpacks bin/ (peer, orderer, configtxgen, cryptogen, osnadmin, ...) and
config/ (core.yaml, orderer.yaml, configtx.yaml) into the current directory.
Then point this script at them:

  export FABRIC_BIN=$PWD/bin          # config/ next to bin/ is found by itself
  # or: export PATH=$PWD/bin:$PATH FABRIC_CFG=$PWD/config
EOF
}

# need_fabric PROGRAM...: resolve the named programs and Fabric's config
# directory, or list everything that is missing and exit 2.
need_fabric() {
  local missing=() prog path var
  for prog in "$@"; do
    path="$(find_bin "$prog")"
    if [ -z "$path" ]; then
      missing+=("$prog")
      continue
    fi
    var="$(printf '%s' "$prog" | tr '[:lower:]' '[:upper:]')"
    printf -v "$var" '%s' "$path"
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'network.sh: missing Fabric program(s): %s\n' "${missing[*]}" >&2
    if [ -n "${FABRIC_BIN:-}" ]; then
      printf '  (looked in FABRIC_BIN=%s and on PATH)\n' "$FABRIC_BIN" >&2
    else
      printf '  (FABRIC_BIN is not set; looked on PATH)\n' >&2
    fi
    install_hint
    exit 2
  fi

  # Fabric's config/ directory: $FABRIC_CFG, else next to the binaries.
  local bindir candidates=() c
  bindir="$(dirname "$(find_bin "$1")")"
  [ -n "$USER_FABRIC_CFG" ] && candidates+=("$USER_FABRIC_CFG")
  candidates+=("$bindir/../config" "$bindir/config")
  FABRIC_CONFIG=""
  for c in "${candidates[@]}"; do
    if [ -f "$c/core.yaml" ] && [ -f "$c/orderer.yaml" ]; then
      FABRIC_CONFIG="$(cd "$c" && pwd)"
      break
    fi
  done
  if [ -z "$FABRIC_CONFIG" ]; then
    printf 'network.sh: Fabric config files core.yaml and orderer.yaml not found in: %s\n' "${candidates[*]}" >&2
    printf '  Set FABRIC_CFG to the config/ directory of the Fabric binary distribution.\n' >&2
    install_hint
    exit 2
  fi

  # External builder for chaincode-as-a-service. Fabric's release tarball
  # ships one as builders/ccaas/bin/{detect,build,release} next to bin/ (the
  # install script unpacks fabric-samples/bin/peer and
  # fabric-samples/builders/ccaas); the first of these places that has one
  # wins, and scripts/ccaas-builder (shell scripts doing the same for our
  # packages) is only the fallback for a Fabric installed without it.
  local peerdir
  peerdir="$(dirname "$(find_bin peer)")"
  CCAAS_BUILDER=""
  candidates=()
  [ -n "${FABRIC_CCAAS_BUILDER:-}" ] && candidates+=("$FABRIC_CCAAS_BUILDER")
  [ -n "${FABRIC_BIN:-}" ] && candidates+=("$FABRIC_BIN/../builders/ccaas" "$FABRIC_BIN/builders/ccaas")
  candidates+=("$peerdir/../builders/ccaas" "$peerdir/builders/ccaas")
  # Where a builder built from Fabric's source (ccaas_builder/) is put by hand.
  [ -n "${FABRIC_BIN:-}" ] && candidates+=("$FABRIC_BIN/ccaas" "$FABRIC_BIN/../ccaas_builder")
  candidates+=("$SCRIPT_DIR/ccaas-builder")
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/detect" ] && [ -x "$c/bin/build" ] && [ -x "$c/bin/release" ]; then
      CCAAS_BUILDER="$(cd "$c" && pwd)"
      break
    fi
  done
  [ -n "$CCAAS_BUILDER" ] || die "no chaincode-as-a-service builder found (tried: ${candidates[*]})"
}

need_tool() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required (install it with your package manager)"
}

# ---------------------------------------------------------------------------
# The node table (network/nodes.conf)

N_KIND=() N_NAME=() N_ORG=() N_DOMAIN=() N_MSP=() N_PORT=() N_OPS=() N_AUX=() N_HOST=()

load_nodes() {
  local kind name org domain msp port ops aux rest
  while read -r kind name org domain msp port ops aux rest; do
    case "$kind" in '' | '#'*) continue ;; esac
    case "$kind" in orderer | peer) ;; *) die "nodes.conf: unknown kind '$kind'" ;; esac
    if [ -z "$aux" ] || [ -n "$rest" ]; then die "nodes.conf: bad line for $name.$domain"; fi
    N_KIND+=("$kind") N_NAME+=("$name") N_ORG+=("$org") N_DOMAIN+=("$domain") N_MSP+=("$msp")
    N_PORT+=("$((port + QC_PORT_OFFSET))") N_OPS+=("$((ops + QC_PORT_OFFSET))") N_AUX+=("$((aux + QC_PORT_OFFSET))")
    N_HOST+=("$name.$domain")
  done <"$NETWORK_DEF/nodes.conf"
  [ "${#N_KIND[@]}" -gt 0 ] || die "nodes.conf lists no nodes"
}

# Indices of orderers and of peers.
orderer_indices() {
  local i
  for i in "${!N_KIND[@]}"; do [ "${N_KIND[$i]}" = orderer ] && printf '%s\n' "$i"; done
  return 0
}
peer_indices() {
  local i
  for i in "${!N_KIND[@]}"; do [ "${N_KIND[$i]}" = peer ] && printf '%s\n' "$i"; done
  return 0
}

# peer_index ORG: the index of ORG's peer (ORG is the short name: platform,
# bank, ... or the MSP ID).
peer_index() {
  local i want
  want="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')"
  for i in $(peer_indices); do
    if [ "${N_ORG[$i]}" = "$want" ] || [ "$(printf '%s' "${N_MSP[$i]}" | tr '[:upper:]' '[:lower:]')" = "$want" ]; then
      printf '%s\n' "$i"
      return 0
    fi
  done
  die "unknown organisation '$1' (known: $(for i in $(peer_indices); do printf '%s ' "${N_ORG[$i]}"; done))"
}

node_crypto() {
  if [ "${N_KIND[$1]}" = orderer ]; then
    printf '%s\n' "$CRYPTO/ordererOrganizations/${N_DOMAIN[$1]}/orderers/${N_HOST[$1]}"
  else
    printf '%s\n' "$CRYPTO/peerOrganizations/${N_DOMAIN[$1]}/peers/${N_HOST[$1]}"
  fi
}
org_crypto() {
  if [ "${N_KIND[$1]}" = orderer ]; then
    printf '%s\n' "$CRYPTO/ordererOrganizations/${N_DOMAIN[$1]}"
  else
    printf '%s\n' "$CRYPTO/peerOrganizations/${N_DOMAIN[$1]}"
  fi
}

# (No `| head` or `| grep -q` on pipes in this script: under pipefail the
# writer's SIGPIPE would fail the whole pipeline.)
first_orderer() {
  local i
  for i in "${!N_KIND[@]}"; do [ "${N_KIND[$i]}" = orderer ] && { printf '%s\n' "$i"; return 0; }; done
  return 1
}
first_peer() {
  local i
  for i in "${!N_KIND[@]}"; do [ "${N_KIND[$i]}" = peer ] && { printf '%s\n' "$i"; return 0; }; done
  return 1
}
orderer_tls_ca() { printf '%s\n' "$(node_crypto "$(first_orderer)")/tls/ca.crt"; }
orderer_address() { printf '127.0.0.1:%s\n' "${N_PORT[$(first_orderer)]}"; }

# ---------------------------------------------------------------------------
# Processes (scripts/lib/process.sh). Each one is started in its own session
# with its stdio on files; its pid file ($PIDS/<name>.pid) names it by pid and
# start time, and it carries QC_NETWORK_MARK=<network dir> in its environment
# from its first exec on, so that `down` kills exactly the processes this
# network started.

# shellcheck source=lib/process.sh
. "$SCRIPT_DIR/lib/process.sh"

# wait_for TIMEOUT_S DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_for() {
  local timeout="$1" what="$2" deadline
  shift 2
  deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.25
  done
  log "$what"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------
# Node configuration: network/peer.env and network/orderer.env filled in.

# node_env INDEX: the node's KEY=VALUE overrides, one a line.
node_env() {
  local i="$1" tmpl line key val k
  if [ "${N_KIND[$i]}" = orderer ]; then tmpl="$NETWORK_DEF/orderer.env"; else tmpl="$NETWORK_DEF/peer.env"; fi
  local -A sub=(
    [HOST]="${N_HOST[$i]}" [MSP_ID]="${N_MSP[$i]}" [LISTEN_PORT]="${N_PORT[$i]}"
    [OPS_PORT]="${N_OPS[$i]}" [AUX_PORT]="${N_AUX[$i]}" [CRYPTO]="$(node_crypto "$i")"
    [NODE_DIR]="$DIR/nodes/${N_HOST[$i]}" [CCAAS_BUILDER]="$CCAAS_BUILDER"
  )
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key="${line%%=*}"
    val="${line#*=}"
    for k in "${!sub[@]}"; do val="${val//\$\{$k\}/${sub[$k]}}"; done
    case "$val" in *"\${"*) die "$tmpl: unknown placeholder in: $line" ;; esac
    printf '%s=%s\n' "$key" "$val"
  done <"$tmpl"
}

start_node() {
  local i="$1" envs=() line bin args=()
  while IFS= read -r line; do envs+=("$line"); done < <(node_env "$i")
  mkdir -p "$DIR/nodes/${N_HOST[$i]}"
  if [ "${N_KIND[$i]}" = orderer ]; then
    bin="$ORDERER"
  else
    bin="$PEER"
    args=(node start)
  fi
  start_process "${N_HOST[$i]}" "$LOGS/${N_HOST[$i]}.log" \
    "FABRIC_CFG_PATH=$FABRIC_CONFIG" "${envs[@]}" -- "$bin" "${args[@]}"
}

healthy() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$1/healthz"; }

# wait_node INDEX: until the node's /healthz answers; fail if it died.
wait_node() {
  local i="$1" host="${N_HOST[$1]}" deadline
  deadline=$(($(date +%s) + 40))
  until healthy "${N_OPS[$i]}"; do
    if ! pid_of "$host" >/dev/null; then
      tail -n 20 "$LOGS/$host.log" >&2 || true
      die "$host exited during start (log: $LOGS/$host.log)"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "$host not healthy after 40 s (log: $LOGS/$host.log)"
    sleep 0.25
  done
}

# ---------------------------------------------------------------------------
# CLI helpers

# peer_cli ORG_INDEX USER ARGS...: run the peer CLI as USER (Admin, User1..)
# of the org whose peer is at ORG_INDEX, against that peer.
peer_cli() {
  local i="$1" user="$2"
  shift 2
  local oc
  oc="$(org_crypto "$i")"
  env FABRIC_CFG_PATH="$FABRIC_CONFIG" FABRIC_LOGGING_SPEC=warning \
    CORE_PEER_LOCALMSPID="${N_MSP[$i]}" \
    CORE_PEER_MSPCONFIGPATH="$oc/users/$user@${N_DOMAIN[$i]}/msp" \
    CORE_PEER_ADDRESS="127.0.0.1:${N_PORT[$i]}" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(node_crypto "$i")/tls/ca.crt" \
    CORE_PEER_FILESYSTEMPATH="$DIR/cli" \
    "$PEER" "$@"
}

# osn ORDERER_INDEX ARGS...: osnadmin as the orderer organisation's admin.
osn() {
  local i="$1"
  shift
  local oc admin
  oc="$(org_crypto "$i")"
  admin="$oc/users/Admin@${N_DOMAIN[$i]}/tls"
  "$OSNADMIN" "$@" -o "127.0.0.1:${N_AUX[$i]}" \
    --ca-file "$(node_crypto "$i")/tls/ca.crt" --client-cert "$admin/client.crt" --client-key "$admin/client.key"
}

peer_height() {
  peer_cli "$1" Admin channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/.*"height":\([0-9]*\).*/\1/p'
}

peer_has_channel() { [ -n "$(peer_height "$1")" ]; }

# metric PORT NAME LABEL: the value of a Prometheus metric with a label match.
metric() {
  curl -sf --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null |
    awk -v n="$2" -v l="$3" 'index($0, n "{") == 1 && index($0, l) { v = $NF } END { if (v != "") print v }'
}

raft_has_leader() {
  local i v
  for i in $(orderer_indices); do
    v="$(metric "${N_OPS[$i]}" consensus_etcdraft_is_leader "channel=\"$CHANNEL\"")"
    [ "${v:-0}" = 1 ] && return 0
  done
  return 1
}

# all peers see every other peer of the channel through gossip (what service
# discovery and the Gateway's cross-organisation endorsement rely on).
gossip_converged() {
  local i v want
  want=$(($(peer_indices | wc -l) - 1))
  for i in $(peer_indices); do
    v="$(metric "${N_OPS[$i]}" gossip_membership_total_peers_known "channel=\"$CHANNEL\"")"
    [ "${v:-0}" = "$want" ] || return 1
  done
}

# ---------------------------------------------------------------------------
# Fabric CA (up --ca): one fabric-ca-server per organisation (network/cas.conf)
# issues every identity through tools/fabca (fabric-sdk-go) into the layout
# cryptogen writes, so everything after `up` is the same on both.

CA_ORG=() CA_DOMAIN=() CA_MSP=() CA_PORT=() CA_OPS=()
CA_MARK="$DIR/.fabric-ca"
FABCA="" FABRIC_CA_SERVER=""
# The users every peer organisation gets, as crypto-config.yaml's Users: Count.
CA_USERS="${QC_CA_USERS:-3}"

load_cas() {
  local org domain msp port ops rest
  while read -r org domain msp port ops rest; do
    case "$org" in '' | '#'*) continue ;; esac
    if [ -z "$ops" ] || [ -n "$rest" ]; then die "cas.conf: bad line for $org"; fi
    CA_ORG+=("$org") CA_DOMAIN+=("$domain") CA_MSP+=("$msp")
    CA_PORT+=("$((port + QC_PORT_OFFSET))") CA_OPS+=("$((ops + QC_PORT_OFFSET))")
  done <"$NETWORK_DEF/cas.conf"
}

# ca_index ORG: a CA by organisation short name or MSP ID.
ca_index() {
  local i want
  want="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')"
  for i in "${!CA_ORG[@]}"; do
    if [ "${CA_ORG[$i]}" = "$want" ] || [ "$(printf '%s' "${CA_MSP[$i]}" | tr '[:upper:]' '[:lower:]')" = "$want" ]; then
      printf '%s\n' "$i"
      return 0
    fi
  done
  die "no Fabric CA for organisation '$1' in network/cas.conf"
}

ca_home() { printf '%s\n' "$DIR/ca/${CA_DOMAIN[$1]}"; }
ca_org_crypto() {
  if [ "${CA_ORG[$1]}" = orderer ]; then
    printf '%s\n' "$CRYPTO/ordererOrganizations/${CA_DOMAIN[$1]}"
  else
    printf '%s\n' "$CRYPTO/peerOrganizations/${CA_DOMAIN[$1]}"
  fi
}

# need_fabca: the fabric-ca-server program and the fabca tool (built from
# tools/fabca into the network directory unless QC_FABCA_BIN names one).
need_fabca() {
  FABRIC_CA_SERVER="$(find_bin fabric-ca-server)"
  if [ -z "$FABRIC_CA_SERVER" ]; then
    cat >&2 <<'HINT'
network.sh: --ca needs fabric-ca-server (in FABRIC_BIN or on PATH).
Install Fabric CA v1.5 the official way, next to Fabric's binaries:

  ./install-fabric.sh --fabric-version 3.1.5 --ca-version 1.5.15 binary

(or build cmd/fabric-ca-server from the hyperledger/fabric-ca source, tag v1.5.x).
HINT
    exit 2
  fi
  if [ -n "${QC_FABCA_BIN:-}" ]; then
    FABCA="$QC_FABCA_BIN"
  else
    need_tool go
    FABCA="$DIR/bin/fabca"
    if [ ! -x "$FABCA" ]; then
      mkdir -p "$DIR/bin"
      (cd "$REPO_ROOT/tools/fabca" && go build -o "$FABCA" .) >"$LOGS/fabca-build.log" 2>&1 ||
        die "building tools/fabca failed (see $LOGS/fabca-build.log)"
    fi
  fi
  [ -x "$FABCA" ] || die "fabca $FABCA is not an executable file"
}

# fabca_as CA_INDEX COMMAND ARGS...: the tool against one organisation's CA,
# with its registrar's secret in the environment (never on a command line).
fabca_as() {
  local c="$1" cmd="$2" home
  shift 2
  home="$(ca_home "$c")"
  FABCA_REGISTRAR_SECRET="$(cat "$home/registrar.secret")" "$FABCA" "$cmd" \
    -ca-url "https://127.0.0.1:${CA_PORT[$c]}" -ca-tls "$home/ca-cert.pem" -msp-id "${CA_MSP[$c]}" \
    -ca-file "ca.${CA_DOMAIN[$c]}-cert.pem" -tls-ca-file "tlsca.${CA_DOMAIN[$c]}-cert.pem" "$@"
}

start_cas() {
  local c home secret busy=() p
  for c in "${!CA_ORG[@]}"; do
    for p in "${CA_PORT[$c]}" "${CA_OPS[$c]}"; do port_open "$p" && busy+=("$p(ca.${CA_DOMAIN[$c]})"); done
  done
  [ "${#busy[@]}" -eq 0 ] || die "ports already in use on 127.0.0.1: ${busy[*]} (another network? set QC_PORT_OFFSET)"
  for c in "${!CA_ORG[@]}"; do
    home="$(ca_home "$c")"
    mkdir -p "$home"
    # The bootstrap registrar's secret: random, kept 0600 in the CA's home
    # for fabca (the server takes it only as -b, so it is on that one
    # command line of this local network).
    secret="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
    (umask 077 && printf '%s\n' "$secret" >"$home/registrar.secret")
    start_process "ca.${CA_DOMAIN[$c]}" "$LOGS/ca.${CA_DOMAIN[$c]}.log" \
      "FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=127.0.0.1:${CA_OPS[$c]}" -- \
      "$FABRIC_CA_SERVER" start -b "admin:$secret" --home "$home" --port "${CA_PORT[$c]}" --address 127.0.0.1 \
      --tls.enabled --csr.cn "ca.${CA_DOMAIN[$c]}" --csr.hosts "127.0.0.1,localhost,ca.${CA_DOMAIN[$c]}" \
      --crl.expiry 8760h
  done
  for c in "${!CA_ORG[@]}"; do
    local deadline=$(($(date +%s) + 30))
    until healthy "${CA_OPS[$c]}" && [ -s "$(ca_home "$c")/ca-cert.pem" ]; do
      pid_of "ca.${CA_DOMAIN[$c]}" >/dev/null || {
        tail -n 20 "$LOGS/ca.${CA_DOMAIN[$c]}.log" >&2 || true
        die "ca.${CA_DOMAIN[$c]} exited during start (log: $LOGS/ca.${CA_DOMAIN[$c]}.log)"
      }
      [ "$(date +%s)" -lt "$deadline" ] || die "ca.${CA_DOMAIN[$c]} not healthy after 30 s"
      sleep 0.25
    done
  done
  : >"$CA_MARK"
  log "${#CA_ORG[@]} Fabric CAs started ($(basename "$FABRIC_CA_SERVER") from $(dirname "$FABRIC_CA_SERVER"))"
}

# issue_org CA_INDEX: the organisation's MSP folder and every identity of it.
issue_org() {
  local c="$1" oc d="${CA_DOMAIN[$1]}" i u
  oc="$(ca_org_crypto "$c")"
  fabca_as "$c" org-msp -msp "$oc/msp"
  mkdir -p "$oc/ca" "$oc/tlsca"
  cp "$oc/msp/cacerts/ca.$d-cert.pem" "$oc/ca/"
  cp "$oc/msp/tlscacerts/tlsca.$d-cert.pem" "$oc/tlsca/"
  for i in "${!N_KIND[@]}"; do
    [ "${N_DOMAIN[$i]}" = "$d" ] || continue
    if [ "${N_KIND[$i]}" = orderer ]; then
      fabca_as "$c" issue -id "${N_HOST[$i]}" -type orderer -msp "$oc/orderers/${N_HOST[$i]}/msp" \
        -tls "$oc/orderers/${N_HOST[$i]}/tls" -tls-role server -hosts "${N_HOST[$i]},localhost,127.0.0.1"
    else
      fabca_as "$c" issue -id "${N_HOST[$i]}" -type peer -msp "$oc/peers/${N_HOST[$i]}/msp" \
        -tls "$oc/peers/${N_HOST[$i]}/tls" -tls-role server -hosts "${N_HOST[$i]},localhost,127.0.0.1"
    fi
  done
  fabca_as "$c" issue -id "Admin@$d" -type admin -msp "$oc/users/Admin@$d/msp" -tls "$oc/users/Admin@$d/tls"
  if [ "${CA_ORG[$c]}" != orderer ]; then
    for u in $(seq "$CA_USERS"); do
      fabca_as "$c" issue -id "User$u@$d" -type client -msp "$oc/users/User$u@$d/msp" -tls "$oc/users/User$u@$d/tls"
    done
  fi
}

# issue_all: every organisation's identities, the organisations at once.
issue_all() {
  local c jobs=() j
  for c in "${!CA_ORG[@]}"; do
    issue_org "$c" >"$LOGS/fabca-${CA_ORG[$c]}.log" 2>&1 &
    jobs+=("$!:$c")
  done
  for j in "${jobs[@]}"; do
    c="${j#*:}"
    wait "${j%%:*}" || die "issuing ${CA_ORG[$c]}'s identities failed (see $LOGS/fabca-${CA_ORG[$c]}.log)"
  done
  log "every identity issued by its organisation's Fabric CA"
}

need_ca_network() {
  [ -e "$MARKER" ] || die "no network at $DIR"
  [ -e "$CA_MARK" ] || die "the network at $DIR was made with cryptogen; enroll and revoke need one made with 'up --ca'"
  load_cas
  need_fabca
  any_alive || die "the network is not running"
}

# enroll ORG NAME [--admin]: a new member of ORG, registered and enrolled
# with ORG's CA into users/NAME@<domain>/ (the layout of the other users);
# network.json then lists it, so a gateway started on it imports it as
# <org>-NAME.
cmd_enroll() {
  [ "$#" -ge 2 ] || die "usage: $0 enroll ORG NAME [--admin] [--attrs N=V,...]"
  local org="$1" name="$2" typ=client attrs=()
  shift 2
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --admin) typ=admin ;;
      --attrs)
        [ "$#" -ge 2 ] || die "enroll: --attrs needs N=V,..."
        attrs=(-attrs "$2")
        shift
        ;;
      *) die "enroll: unknown option '$1'" ;;
    esac
    shift
  done
  case "$name" in *[!A-Za-z0-9._-]* | '' | [._-]*) die "enroll: bad user name '$name'" ;; esac
  need_fabric peer
  load_nodes
  need_ca_network
  local c oc d
  c="$(ca_index "$org")"
  [ "${CA_ORG[$c]}" != orderer ] || die "enroll: the orderer organisation has no gateway users"
  oc="$(ca_org_crypto "$c")" d="${CA_DOMAIN[$c]}"
  [ ! -e "$oc/users/$name@$d" ] || die "enroll: $name@$d exists already"
  fabca_as "$c" issue -id "$name@$d" -type "$typ" "${attrs[@]}" -msp "$oc/users/$name@$d/msp" -tls "$oc/users/$name@$d/tls" \
    >"$LOGS/enroll-$name@$d.log" 2>&1 || die "enroll failed (see $LOGS/enroll-$name@$d.log)"
  write_network_json
  log "enrolled $name@$d ($typ) with ca.$d; network.json lists it as ${CA_ORG[$c]} user $name"
}

# revoke ORG NAME: revoke NAME@<domain> at ORG's CA and put the CA's new
# CRL into ORG's MSP, both its folder and the channel configuration (a
# config update signed by ORG's admin), and wait until every peer has the
# new configuration: from then on no peer endorses or accepts anything
# signed by that identity.
cmd_revoke() {
  [ "$#" -ge 2 ] || die "usage: $0 revoke ORG NAME"
  local org="$1" name="$2"
  need_fabric peer
  load_nodes
  need_ca_network
  local c oc d i work before=() n=0
  c="$(ca_index "$org")"
  oc="$(ca_org_crypto "$c")" d="${CA_DOMAIN[$c]}"
  i="$(peer_index "${CA_ORG[$c]}")"
  work="$DIR/ca/$d/revoke-$name"
  mkdir -p "$work"
  fabca_as "$c" revoke -id "$name@$d" -reason cessationofoperation -crl "$work/crl.pem" -msp-crl "$oc/msp" \
    >"$LOGS/revoke-$name@$d.log" 2>&1 || die "revoke failed (see $LOGS/revoke-$name@$d.log)"
  local p
  for p in $(peer_indices); do before+=("$p:$(peer_height "$p")"); done
  local ord=(-o "$(orderer_address)" --tls --cafile "$(orderer_tls_ca)")
  peer_cli "$i" Admin channel fetch config "$work/config.block" -c "$CHANNEL" "${ord[@]}" >>"$LOGS/revoke-$name@$d.log" 2>&1 ||
    die "fetching the channel configuration failed (see $LOGS/revoke-$name@$d.log)"
  "$FABCA" crl-update -config-block "$work/config.block" -msp-id "${CA_MSP[$c]}" -crl "$work/crl.pem" \
    -out "$work/update.pb" >>"$LOGS/revoke-$name@$d.log" 2>&1 ||
    die "making the config update failed (see $LOGS/revoke-$name@$d.log)"
  peer_cli "$i" Admin channel update -f "$work/update.pb" -c "$CHANNEL" "${ord[@]}" >>"$LOGS/revoke-$name@$d.log" 2>&1 ||
    die "the channel config update failed (see $LOGS/revoke-$name@$d.log)"
  # The config block commits on every peer; each peer's height grows by it.
  local want deadline=$(($(date +%s) + 30)) b
  for b in "${before[@]}"; do
    p="${b%%:*}" want="${b#*:}"
    until [ "$(peer_height "$p")" -gt "${want:-0}" ] 2>/dev/null; do
      [ "$(date +%s)" -lt "$deadline" ] || die "${N_HOST[$p]} did not commit the config update within 30 s"
      sleep 0.25
    done
  done
  log "revoked $name@$d at ca.$d; the channel's ${CA_MSP[$c]} carries the CRL, committed on every peer"
}

# ---------------------------------------------------------------------------
# up

render_configtx() {
  awk -v off="$QC_PORT_OFFSET" '
    function shift_ports(s,   out, a) {
      out = ""
      while (match(s, /127\.0\.0\.1:[0-9]+/)) {
        split(substr(s, RSTART, RLENGTH), a, ":")
        out = out substr(s, 1, RSTART - 1) "127.0.0.1:" (a[2] + off)
        s = substr(s, RSTART + RLENGTH)
      }
      return out s
    }
    {
      line = shift_ports($0)
      if (match(line, /^[[:space:]]*Port:[[:space:]]*[0-9]+[[:space:]]*$/)) {
        match(line, /[0-9]+/)
        line = substr(line, 1, RSTART - 1) (substr(line, RSTART, RLENGTH) + off)
      }
      print line
    }' "$NETWORK_DEF/configtx.yaml" >"$DIR/configtx.yaml"
}

# A machine-readable description for clients and tests (network.json).
write_network_json() {
  local f="$DIR/network.json" i first=1 oc u user
  {
    printf '{\n  "channel": "%s",\n  "networkDir": "%s",\n' "$CHANNEL" "$DIR"
    printf '  "orderers": [\n'
    for i in $(orderer_indices); do
      [ "$first" = 1 ] || printf ',\n'
      first=0
      printf '    {"host": "%s", "endpoint": "127.0.0.1:%s", "adminEndpoint": "127.0.0.1:%s", "tlsCACert": "%s"}' \
        "${N_HOST[$i]}" "${N_PORT[$i]}" "${N_AUX[$i]}" "$(node_crypto "$i")/tls/ca.crt"
    done
    printf '\n  ],\n  "orgs": [\n'
    first=1
    for i in $(peer_indices); do
      [ "$first" = 1 ] || printf ',\n'
      first=0
      oc="$(org_crypto "$i")"
      printf '    {\n      "name": "%s",\n      "mspId": "%s",\n      "peerHost": "%s",\n      "peerEndpoint": "127.0.0.1:%s",\n      "peerTLSCACert": "%s",\n      "users": {' \
        "${N_ORG[$i]}" "${N_MSP[$i]}" "${N_HOST[$i]}" "${N_PORT[$i]}" "$(node_crypto "$i")/tls/ca.crt"
      u=0
      for user in "$oc"/users/*@"${N_DOMAIN[$i]}"; do
        user="$(basename "$user")"
        [ "$u" = 0 ] || printf ','
        u=1
        printf '\n        "%s": {"cert": "%s", "key": "%s", "mspDir": "%s"}' "${user%@*}" \
          "$oc/users/$user/msp/signcerts/$user-cert.pem" "$oc/users/$user/msp/keystore/priv_sk" "$oc/users/$user/msp"
      done
      printf '\n      }\n    }'
    done
    printf '\n  ]\n}\n'
  } >"$f"
}

UP_DONE=0
up_cleanup() {
  local rc=$?
  if [ "$UP_DONE" != 1 ]; then
    trap - INT TERM
    log "up failed; stopping the processes it started (logs kept in $LOGS; 'down' removes them)"
    stop_all
  fi
  return "$rc"
}

cmd_up() {
  local use_ca=0
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --ca) use_ca=1 ;;
      *) die "up: unknown option '$1'" ;;
    esac
    shift
  done
  if [ "$use_ca" = 1 ]; then
    need_fabric peer orderer configtxgen osnadmin
  else
    need_fabric peer orderer configtxgen cryptogen osnadmin
  fi
  need_tool curl
  load_nodes
  if any_alive; then
    die "a network is already running from $DIR; run '$0 down' first"
  fi
  if [ -e "$DIR" ]; then
    if [ -e "$MARKER" ]; then
      stop_all
      rm -rf "$DIR"
    elif [ -n "$(ls -A "$DIR")" ]; then
      die "$DIR exists and was not made by this script; refusing to overwrite it"
    fi
  fi

  local i p busy=()
  for i in "${!N_KIND[@]}"; do
    for p in "${N_PORT[$i]}" "${N_OPS[$i]}" "${N_AUX[$i]}"; do
      port_open "$p" && busy+=("$p(${N_HOST[$i]})")
    done
  done
  [ "${#busy[@]}" -eq 0 ] || die "ports already in use on 127.0.0.1: ${busy[*]} (another network? set QC_PORT_OFFSET)"

  mkdir -p "$DIR" "$PIDS" "$LOGS" "$DIR/cli"
  : >"$MARKER"
  trap up_cleanup EXIT
  trap 'exit 130' INT TERM
  log "Fabric: $("$PEER" version 2>/dev/null | sed -n 's/^ Version: //p') from $(dirname "$PEER"); config $FABRIC_CONFIG; ccaas builder $CCAAS_BUILDER"
  log "network dir $DIR"

  if [ "$use_ca" = 1 ]; then
    load_cas
    need_fabca
    start_cas
    issue_all
  else
    "$CRYPTOGEN" generate --config="$NETWORK_DEF/crypto-config.yaml" --output="$CRYPTO" >"$LOGS/cryptogen.log" 2>&1 ||
      die "cryptogen failed (see $LOGS/cryptogen.log)"
  fi
  render_configtx
  "$CONFIGTXGEN" -configPath "$DIR" -profile QingchainChannel -channelID "$CHANNEL" \
    -outputBlock "$DIR/$CHANNEL.block" >"$LOGS/configtxgen.log" 2>&1 ||
    die "configtxgen failed (see $LOGS/configtxgen.log)"
  log "crypto material and genesis block of channel '$CHANNEL' generated"

  for i in "${!N_KIND[@]}"; do start_node "$i"; done
  for i in "${!N_KIND[@]}"; do wait_node "$i"; done
  log "${#N_KIND[@]} nodes started and healthy"

  for i in $(orderer_indices); do
    osn "$i" channel join --channelID "$CHANNEL" --config-block "$DIR/$CHANNEL.block" >"$LOGS/osnadmin-join-${N_HOST[$i]}.log" 2>&1 ||
      die "osnadmin channel join failed for ${N_HOST[$i]} (see $LOGS/osnadmin-join-${N_HOST[$i]}.log)"
  done
  log "orderers joined '$CHANNEL'"

  # All peers join at once: a peer turns away gossip from other organisations
  # until it has joined the channel (and knows their MSPs).
  local jobs=() j
  for i in $(peer_indices); do
    peer_cli "$i" Admin channel join -b "$DIR/$CHANNEL.block" >"$LOGS/join-${N_HOST[$i]}.log" 2>&1 &
    jobs+=("$!:$i")
  done
  for j in "${jobs[@]}"; do
    i="${j#*:}"
    wait "${j%%:*}" || die "peer channel join failed for ${N_HOST[$i]} (see $LOGS/join-${N_HOST[$i]}.log)"
  done
  log "peers joined '$CHANNEL'"

  wait_for 60 "Raft leader elected" raft_has_leader || die "no Raft leader after 60 s (see $LOGS/orderer*.log)"
  for i in $(peer_indices); do
    wait_for 30 "${N_HOST[$i]} has the channel" peer_has_channel "$i" ||
      die "${N_HOST[$i]} does not report channel $CHANNEL"
  done
  wait_for 60 "gossip: every peer knows every other peer" gossip_converged ||
    die "peers did not discover each other through gossip within 60 s"

  write_network_json
  UP_DONE=1
  trap - EXIT INT TERM
  log "network up in $(($(date +%s) - START_TIME)) s; description in $DIR/network.json"
}

# ---------------------------------------------------------------------------
# deploy

cmd_deploy() {
  local name="${QC_CC_NAME:-qingchain}" version="${QC_CC_VERSION:-1}" sequence="${QC_CC_SEQUENCE:-1}"
  local port="${QC_CC_PORT:-$((7999 + QC_PORT_OFFSET))}" ccbin="${QC_CHAINCODE_BIN:-}"
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --name) name="$2" ;;
      --version) version="$2" ;;
      --sequence) sequence="$2" ;;
      --port) port="$2" ;;
      --bin) ccbin="$2" ;;
      *) die "deploy: unknown option '$1'" ;;
    esac
    shift 2 || die "deploy: option '$1' needs a value"
  done
  need_fabric peer
  load_nodes
  any_alive || die "the network is not running (run '$0 up' first)"

  local policy
  policy="$(awk '!/^[[:space:]]*(#|$)/ && p == "" { p = $0 } END { print p }' "$NETWORK_DEF/endorsement-policy")"
  [ -n "$policy" ] || die "network/endorsement-policy holds no policy"

  # 1. The chaincode binary.
  if [ -z "$ccbin" ]; then
    need_tool go
    local ccdir="${QC_CHAINCODE_DIR:-$REPO_ROOT/chaincode}"
    ccbin="$DIR/$name-cc"
    log "building $ccdir -> $ccbin"
    (cd "$ccdir" && go build -o "$ccbin" ./) || die "chaincode build failed"
  fi
  [ -x "$ccbin" ] || die "chaincode binary $ccbin is not an executable file"
  case "$ccbin" in /*) ;; *) ccbin="$(cd "$(dirname "$ccbin")" && pwd)/$(basename "$ccbin")" ;; esac

  # 2. The CCaaS package: metadata.json + code.tar.gz(connection.json).
  local label="${name}_${version}" pkgdir="$DIR/chaincode/${name}_${version}" pkg
  pkg="$pkgdir.tar.gz"
  rm -rf "$pkgdir"
  mkdir -p "$pkgdir/src"
  printf '{"address":"127.0.0.1:%s","dial_timeout":"10s","tls_required":false}\n' "$port" >"$pkgdir/src/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$label" >"$pkgdir/metadata.json"
  tar -C "$pkgdir/src" -czf "$pkgdir/code.tar.gz" connection.json
  tar -C "$pkgdir" -czf "$pkg" metadata.json code.tar.gz
  local pkgid
  pkgid="$(peer_cli "$(first_peer)" Admin lifecycle chaincode calculatepackageid "$pkg")" || die "calculatepackageid failed"
  log "package $pkg, id $pkgid"

  # 3. The chaincode server (before approval, so that peers can reach it as
  #    soon as the definition is committed). One server serves every peer.
  stop_process "cc-$name"
  if port_open "$port"; then die "chaincode port 127.0.0.1:$port is in use"; fi
  start_process "cc-$name" "$LOGS/cc-$name.log" \
    "CHAINCODE_SERVER_ADDRESS=127.0.0.1:$port" "CHAINCODE_ID=$pkgid" -- "$ccbin"
  wait_for 20 "chaincode server listening on 127.0.0.1:$port" port_open "$port" || {
    tail -n 20 "$LOGS/cc-$name.log" >&2 || true
    die "chaincode server did not listen on $port (log: $LOGS/cc-$name.log)"
  }

  # 4. Install on every peer (skipped where already installed).
  local i
  for i in $(peer_indices); do
    if peer_cli "$i" Admin lifecycle chaincode queryinstalled 2>/dev/null | grep -F "Package ID: $pkgid," >/dev/null; then
      continue
    fi
    peer_cli "$i" Admin lifecycle chaincode install "$pkg" >"$LOGS/install-${N_HOST[$i]}.log" 2>&1 ||
      die "install failed on ${N_HOST[$i]} (see $LOGS/install-${N_HOST[$i]}.log)"
  done
  log "installed on every peer"

  # 5. Approve for every organisation.
  local common=(-C "$CHANNEL" -n "$name" -v "$version" --sequence "$sequence" --signature-policy "$policy")
  # The chaincode's private data collections, the same file devledger
  # applies (package network).
  local colls="$NETWORK_DEF/collections/$name.json"
  if [ -f "$colls" ]; then common+=(--collections-config "$colls"); else colls=""; fi
  local ord=(-o "$(orderer_address)" --tls --cafile "$(orderer_tls_ca)")
  local try
  for i in $(peer_indices); do
    for try in 1 2 3 4 5; do
      if peer_cli "$i" Admin lifecycle chaincode approveformyorg "${ord[@]}" "${common[@]}" \
        --package-id "$pkgid" >"$LOGS/approve-${N_HOST[$i]}.log" 2>&1; then
        break
      fi
      [ "$try" -lt 5 ] || die "approve failed for ${N_MSP[$i]} (see $LOGS/approve-${N_HOST[$i]}.log)"
      sleep 1
    done
  done
  log "approved by every organisation"

  # 6. Commit, endorsed by every organisation's peer.
  local targets=()
  for i in $(peer_indices); do
    targets+=(--peerAddresses "127.0.0.1:${N_PORT[$i]}" --tlsRootCertFiles "$(node_crypto "$i")/tls/ca.crt")
  done
  i="$(first_peer)"
  for try in 1 2 3 4 5; do
    if peer_cli "$i" Admin lifecycle chaincode commit "${ord[@]}" "${common[@]}" "${targets[@]}" \
      >"$LOGS/commit-$name.log" 2>&1; then
      break
    fi
    [ "$try" -lt 5 ] || die "commit failed (see $LOGS/commit-$name.log)"
    sleep 1
  done
  log "committed $name version $version sequence $sequence, policy $policy${colls:+, collections $(basename "$colls")}"

  # 7. Every peer sees the definition, and (for a contract-API chaincode)
  #    can reach the chaincode server.
  for i in $(peer_indices); do
    wait_for 20 "${N_HOST[$i]}: definition committed" \
      peer_cli "$i" Admin lifecycle chaincode querycommitted -C "$CHANNEL" -n "$name" ||
      die "${N_HOST[$i]} does not show the committed definition"
  done
  for i in $(peer_indices); do
    peer_cli "$i" User1 chaincode query -C "$CHANNEL" -n "$name" \
      -c '{"Args":["org.hyperledger.fabric:GetMetadata"]}' >/dev/null 2>"$LOGS/warmup-${N_HOST[$i]}.log" ||
      log "warning: ${N_HOST[$i]} could not query $name (see $LOGS/warmup-${N_HOST[$i]}.log)"
  done
  log "deployed in $(($(date +%s) - START_TIME)) s"
}

# ---------------------------------------------------------------------------
# status

cmd_status() {
  load_nodes
  if [ ! -d "$DIR" ]; then
    echo "no network at $DIR"
    return 0
  fi
  echo "network dir: $DIR"
  echo "processes:"
  local f name pid
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    if pid="$(pid_of "$name")"; then
      printf '  %-34s pid %-8s alive\n' "$name" "$pid"
    else
      printf '  %-34s pid %-8s DEAD (log: %s)\n' "$name" "$(cat "$f")" "$LOGS/$name.log"
    fi
  done
  need_fabric peer osnadmin
  echo "orderers (channel $CHANNEL):"
  local i out
  for i in $(orderer_indices); do
    out="$(osn "$i" channel list --channelID "$CHANNEL" 2>/dev/null | tr -d '\n ' | sed -n 's/.*"status":"\([^"]*\)".*"height":\([0-9]*\).*/status \1, height \2/p')"
    printf '  %-34s %s\n' "${N_HOST[$i]} (127.0.0.1:${N_PORT[$i]})" "${out:-unreachable}"
  done
  echo "peers (channel $CHANNEL):"
  for i in $(peer_indices); do
    out="$(peer_height "$i")"
    if [ -n "$out" ]; then out="height $out"; else out=unreachable; fi
    printf '  %-34s %s\n' "${N_HOST[$i]} (127.0.0.1:${N_PORT[$i]})" "$out"
  done
  echo "committed chaincodes:"
  i="$(first_peer)"
  if out="$(peer_cli "$i" Admin lifecycle chaincode querycommitted -C "$CHANNEL" 2>&1)"; then
    out="$(printf '%s\n' "$out" | sed -n 's/^Name: /  /p')"
    printf '%s\n' "${out:-  (none)}"
  else
    echo "  (unreachable)"
  fi
}

# ---------------------------------------------------------------------------
# down

cmd_down() {
  if [ ! -e "$DIR" ]; then
    log "nothing at $DIR"
    return 0
  fi
  if [ ! -e "$MARKER" ]; then
    die "$DIR was not made by this script; not touching it"
  fi
  stop_all
  rm -rf "$DIR"
  log "network stopped and $DIR removed"
}

# ---------------------------------------------------------------------------
# stop-node / start-node: one node down and up again (restart tests)

# node_index NAME: a node by host name, or a peer by its organisation.
node_index() {
  local i
  for i in "${!N_KIND[@]}"; do
    if [ "${N_HOST[$i]}" = "$1" ]; then
      printf '%s\n' "$i"
      return 0
    fi
  done
  peer_index "$1"
}

cmd_stop_node() {
  [ "$#" -ge 1 ] || die "usage: $0 stop-node NODE [--kill]"
  load_nodes
  local i pid
  i="$(node_index "$1")"
  pid="$(pid_of "${N_HOST[$i]}")" || die "${N_HOST[$i]} is not running"
  if [ "${2:-}" = --kill ]; then
    kill -KILL "$pid" 2>/dev/null || true
    local n=0
    while proc_alive "$pid" && [ "$n" -lt 100 ]; do
      n=$((n + 1))
      sleep 0.05
    done
  else
    stop_pids "$pid"
  fi
  rm -f "$PIDS/${N_HOST[$i]}.pid"
  log "${N_HOST[$i]} stopped${2:+ ($2)}"
}

cmd_start_node() {
  [ "$#" -ge 1 ] || die "usage: $0 start-node NODE"
  need_fabric peer orderer
  load_nodes
  [ -e "$MARKER" ] || die "no network at $DIR"
  local i
  i="$(node_index "$1")"
  if pid_of "${N_HOST[$i]}" >/dev/null; then die "${N_HOST[$i]} is already running"; fi
  start_node "$i"
  wait_node "$i"
  log "${N_HOST[$i]} started and healthy"
}

# env ORG [USER]: shell exports to use the peer CLI as ORG's USER.
cmd_env() {
  [ "$#" -ge 1 ] || die "usage: $0 env ORG [USER]"
  need_fabric peer
  load_nodes
  local i user="${2:-Admin}"
  i="$(peer_index "$1")"
  cat <<EOF
export FABRIC_CFG_PATH='$FABRIC_CONFIG'
export PATH='$(dirname "$PEER")':"\$PATH"
export CORE_PEER_LOCALMSPID='${N_MSP[$i]}'
export CORE_PEER_MSPCONFIGPATH='$(org_crypto "$i")/users/$user@${N_DOMAIN[$i]}/msp'
export CORE_PEER_ADDRESS='127.0.0.1:${N_PORT[$i]}'
export CORE_PEER_TLS_ENABLED=true
export CORE_PEER_TLS_ROOTCERT_FILE='$(node_crypto "$i")/tls/ca.crt'
export FABRIC_LOGGING_SPEC='grpc=warning:info'
export QC_ORDERER_ADDRESS='$(orderer_address)'
export QC_ORDERER_TLS_CA='$(orderer_tls_ca)'
EOF
}

usage() {
  sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

[ "$#" -ge 1 ] || usage
cmd="$1"
shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  deploy) cmd_deploy "$@" ;;
  status) cmd_status "$@" ;;
  env) cmd_env "$@" ;;
  stop-node) cmd_stop_node "$@" ;;
  enroll) cmd_enroll "$@" ;;
  revoke) cmd_revoke "$@" ;;
  start-node) cmd_start_node "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
