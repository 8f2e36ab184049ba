#!/usr/bin/env bash
# The start race of scripts/network.sh: launch QC_RACE_N (100) processes the
# way network.sh starts its nodes, on a machine loaded with CPU hogs (one per
# core), and check each one as network.sh's readers do (wait_node, status,
# stop_all through pid_of): right after start_process returns, and, from an
# observer running alongside, the moment its pid file appears. From then on
# it must be alive and ours. Every one must also be found by the
# environment-mark sweep that `down` relies on, and stop_all must leave none
# running. Exits 1 naming every process it lost.
#
#   scripts/tests/start-race.sh [PROCESS_LIB]
#
# PROCESS_LIB defaults to scripts/lib/process.sh; giving an older copy shows
# the race it fixes. Run by scripts/scripts_test.go in `make test`.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="${1:-$SCRIPT_DIR/../lib/process.sh}"
N="${QC_RACE_N:-100}"
QC_RACE_HOGS_PER_CORE="${QC_RACE_HOGS_PER_CORE:-1}"

DIR="$(mktemp -d)"
PIDS="$DIR/pids"
mkdir -p "$PIDS" "$DIR/logs"
exec 3>&2
log() { printf '[start-race] %s\n' "$*" >&3; }
die() {
  printf 'start-race: %s\n' "$*" >&3
  exit 1
}
# shellcheck source=../lib/process.sh
. "$LIB"

hogs=() observer=""
cleanup() {
  local rc=$?
  [ "${#hogs[@]}" -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true
  [ -z "$observer" ] || kill "$observer" 2>/dev/null || true
  stop_all >/dev/null 2>&1 3>/dev/null || true
  rm -rf "$DIR"
  return "$rc"
}
trap cleanup EXIT

cores="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)"
for _ in $(seq $((QC_RACE_HOGS_PER_CORE * cores))); do
  # A busy loop of this shell's own (no external program): pure CPU load.
  (while :; do :; done) &
  hogs+=("$!")
done

# The observer: whoever reads a pid file (wait_node polling a node, status
# or down in another shell) may do so the moment it appears.
observe() {
  local seen=" " f name n=0 pid start
  while [ "$n" -lt "$N" ]; do
    for f in "$PIDS"/*.pid; do
      [ -e "$f" ] || continue
      name="${f##*/}"
      name="${name%.pid}"
      case "$seen" in *" $name "*) continue ;; esac
      seen="$seen$name "
      n=$((n + 1))
      # pid_of without its `cat`: the pid file read by the shell itself, so
      # that the check comes as soon after the file appears as it can.
      read -r pid start <"$f" || true
      is_ours "$pid" "${start:-}" || printf '%s\n' "$name" >>"$DIR/lost"
    done
  done
}
: >"$DIR/lost"
observe 3>&- &
observer=$!

# The program is the one binary every machine has that runs until killed:
# sleep, started through env as network.sh starts orderer and peer.
lost=()
start=$(date +%s)
for i in $(seq "$N"); do
  start_process "p$i" "$DIR/logs/p$i.log" "QC_RACE_INDEX=$i" -- sleep 600
  pid_of "p$i" >/dev/null || lost+=("p$i")
done

wait "$observer"
observer=""
while IFS= read -r name; do lost+=("$name (observer)"); done <"$DIR/lost"

alive=0
for i in $(seq "$N"); do
  pid_of "p$i" >/dev/null && alive=$((alive + 1))
done
marked=0
if [ -d /proc ]; then
  marked="$(marked_pids | wc -l)"
  marked=$((marked))
else
  marked="$N"
fi
kill "${hogs[@]}" 2>/dev/null || true
hogs=()

stop_all 3>/dev/null
left="$(marked_pids | wc -l)"
left=$((left))

log "$N processes started in $(($(date +%s) - start)) s with $((QC_RACE_HOGS_PER_CORE * cores)) CPU hogs: lost right after start ${#lost[@]}, alive at the end $alive, found by the mark $marked, left after stop_all $left"
fail=0
if [ "${#lost[@]}" -gt 0 ]; then
  printf 'start-race: lost right after start (pid_of failed): %s\n' "${lost[*]}" >&2
  fail=1
fi
[ "$alive" -eq "$N" ] || { printf 'start-race: only %s of %s alive at the end\n' "$alive" "$N" >&2; fail=1; }
[ "$marked" -eq "$N" ] || { printf 'start-race: the mark sweep found %s of %s\n' "$marked" "$N" >&2; fail=1; }
[ "$left" -eq 0 ] || { printf 'start-race: %s process(es) left after stop_all\n' "$left" >&2; fail=1; }
exit "$fail"
