# shellcheck shell=bash
# Background processes of a Qingchain network, sourced by scripts/network.sh
# (and by scripts/tests/start-race.sh, which tests them). The caller sets
#
#   DIR    the network directory: every process carries QC_NETWORK_MARK=$DIR
#          in its environment, so that a sweep finds exactly this network's
#          processes
#   PIDS   where the pid files go ($PIDS/<name>.pid)
#
# and defines log MESSAGE and die MESSAGE.
#
# A pid file holds "PID START": the process id and the process's start time
# (field 22 of /proc/PID/stat, in clock ticks since boot). The pair names one
# process for good: exec does not change it (the launcher shell becomes
# `env`, then the program, under the same pid and start time) and a recycled
# pid has another start time. Where there is no /proc, START is "-" and a
# live pid is taken as ours.

# proc_start PID: the start time of a live, non-zombie process; fails when
# the process is gone (or has exited and is unreaped) or there is no /proc.
proc_start() {
  local stat fields
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  # The command name (field 2) is in parentheses and may hold spaces or
  # parentheses itself: the fields after it start after the last ") ".
  read -r -a fields <<<"${stat##*) }"
  case "${fields[0]:-}" in Z | X | x | '') return 1 ;; esac
  printf '%s\n' "${fields[19]}"
}

# start_process NAME LOGFILE ENV... -- PROGRAM ARGS...: start PROGRAM in its
# own session with stdio on LOGFILE and ENV set, and return once its pid
# file is written.
start_process() {
  local name="$1" logfile="$2" pidfile="$PIDS/$1.pid"
  shift 2
  local envs=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    envs+=("$1")
    shift
  done
  shift
  rm -f "$pidfile" "$pidfile.new"
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # The mark is in the environment from the first exec on (setsid, then the
  # launcher shell, then env, then the program, all one pid), not only from
  # the last: /proc/PID/environ shows the environment the current program
  # was exec'd with, so a mark given only to the program would be missing
  # from the moment the pid file is written until that last exec, and a
  # sweep in between would miss the process.
  # shellcheck disable=SC2016 # $$ and $0 belong to the inner shell
  env "QC_NETWORK_MARK=$DIR" "${launcher[@]}" bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile.new" \
    env "${envs[@]}" "$@" </dev/null >>"$logfile" 2>&1 3>&- &
  local n=0 pid start
  while [ ! -s "$pidfile.new" ]; do
    n=$((n + 1))
    [ "$n" -lt 500 ] || die "process $name did not start (see $logfile)"
    sleep 0.01
  done
  read -r pid <"$pidfile.new"
  # Recorded here, by the one writer of the pid file, so that a reader never
  # sees a pid without its start time. A process that already exited gets
  # a start time no process has ("gone"): pid_of then says it is dead,
  # which is what wait_node must see.
  if [ -d /proc ]; then
    start="$(proc_start "$pid")" || start=gone
  else
    start=-
  fi
  printf '%s %s\n' "$pid" "$start" >"$pidfile.tmp"
  mv "$pidfile.tmp" "$pidfile"
  rm -f "$pidfile.new"
}

# is_ours PID START: PID is alive and is the process that START was recorded
# for (see the pid file format above).
is_ours() {
  local pid="$1" start="${2:-}" now
  kill -0 "$pid" 2>/dev/null || return 1
  case "$start" in
    -) return 0 ;;
    '')
      # A pid file of an older network.sh (pid only): the environment mark.
      if [ -r "/proc/$pid/environ" ]; then
        grep -zFx "QC_NETWORK_MARK=$DIR" "/proc/$pid/environ" >/dev/null 2>&1
      fi
      return
      ;;
  esac
  now="$(proc_start "$pid")" || return 1
  [ "$now" = "$start" ]
}

# pid_of NAME: the recorded pid if that process is alive and ours.
pid_of() {
  local f="$PIDS/$1.pid" pid start
  [ -s "$f" ] || return 1
  read -r pid start <"$f" || [ -n "${pid:-}" ] || return 1
  is_ours "$pid" "$start" || return 1
  printf '%s\n' "$pid"
}

# stop_pids PID...: SIGTERM, then SIGKILL whatever is left after 10 s.
stop_pids() {
  [ "$#" -gt 0 ] || return 0
  local pid left n=0
  kill -TERM "$@" 2>/dev/null || true
  while :; do
    left=()
    for pid in "$@"; do proc_alive "$pid" && left+=("$pid"); done
    [ "${#left[@]}" -gt 0 ] || return 0
    n=$((n + 1))
    if [ "$n" -ge 100 ]; then
      log "force-killing ${left[*]}"
      kill -KILL "${left[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
}

# proc_alive PID: alive and not a zombie (a killed child of this shell stays
# a zombie until the shell reaps it, and kill -0 still succeeds on it).
proc_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -d /proc ] || return 0
  proc_start "$1" >/dev/null
}

# stop_process NAME: stop one recorded process.
stop_process() {
  local pid
  if pid="$(pid_of "$1")"; then stop_pids "$pid"; fi
  rm -f "$PIDS/$1.pid"
}

# marked_pids: (on Linux) every process carrying this network's mark, this
# shell excepted.
marked_pids() {
  local p pid
  [ -d /proc ] || return 0
  while IFS= read -r p; do
    pid="${p#/proc/}"
    pid="${pid%/environ}"
    [ "$pid" != "$$" ] || continue
    printf '%s\n' "$pid"
  done < <(grep -lzFx "QC_NETWORK_MARK=$DIR" /proc/[0-9]*/environ 2>/dev/null || true)
}

# stop_all: every recorded process, then any process still carrying this
# network's mark, e.g. one killed between start and pid file.
stop_all() {
  local f pid pids=()
  if [ -d "$PIDS" ]; then
    for f in "$PIDS"/*.pid; do
      [ -e "$f" ] || continue
      if pid="$(pid_of "$(basename "$f" .pid)")"; then pids+=("$pid"); fi
    done
  fi
  while IFS= read -r pid; do
    case " ${pids[*]} " in *" $pid "*) ;; *) pids+=("$pid") ;; esac
  done < <(marked_pids)
  if [ "${#pids[@]}" -gt 0 ]; then
    log "stopping ${#pids[@]} process(es): ${pids[*]}"
    stop_pids "${pids[@]}"
  fi
  rm -f "$PIDS"/*.pid "$PIDS"/*.pid.new 2>/dev/null || true
}

any_alive() {
  local f
  [ -d "$PIDS" ] || return 1
  for f in "$PIDS"/*.pid; do
    [ -e "$f" ] || continue
    pid_of "$(basename "$f" .pid)" >/dev/null && return 0
  done
  return 1
}
