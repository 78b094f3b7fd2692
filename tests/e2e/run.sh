#!/usr/bin/env bash
# Runs the end-to-end tests (tests/e2e/*.test.mjs, or the files named: `run.sh team.test.mjs`)
# against the built app binary, on a virtual display, and leaves no process behind, whether the
# tests pass, fail or are interrupted.
#
#   Xvfb (own display)    setsid dbus-run-session -- tauri-driver    node --test
#                         '-> WebKitWebDriver -> countersign-app -> WebKit helpers
#   PostgreSQL (scripts/test-postgres.sh) and a second tauri-driver, for team.test.mjs (issue 17:
#   two desktops on one team workspace at once; a tauri-driver holds one session at a time)
#
# Everything under setsid is one session and process group; cleanup ends each with SIGTERM
# (tauri-driver only stops its WebKitWebDriver on SIGTERM), stops the PostgreSQL server and
# removes its directory, then stops Xvfb. Every process the run starts carries E2E_RUN_ID in its
# environment, so one that left the group is still found.
#
# Needs: the app built with `cargo build -p countersign-app --features custom-protocol`,
# tauri-driver, Xvfb, dbus-run-session, WebKitWebDriver (`make deps` installs them) and
# `npm ci` in this folder. Logs and screenshots go to target/e2e/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${E2E_OUT_DIR:-$ROOT/target/e2e}
APP=${COUNTERSIGN_APP:-$ROOT/target/debug/countersign-app}
PORT=${E2E_PORT:-4444}
NATIVE_PORT=${E2E_NATIVE_PORT:-4445}
SECOND_PORT=${E2E_SECOND_PORT:-$((PORT + 2))}
SECOND_NATIVE_PORT=${E2E_SECOND_NATIVE_PORT:-$((PORT + 3))}
RUN_ID="countersign-e2e-$$-$(date +%s%N)"

# The test files: those named on the command line (in this folder), else all of them.
TESTS=()
for name in "$@"; do
  TESTS+=("$HERE/$(basename "$name")")
done
((${#TESTS[@]})) || TESTS=("$HERE"/*.test.mjs)
TEAM_TEST=
for file in "${TESTS[@]}"; do
  [[ -f $file ]] || { echo "e2e: no test file $file" >&2; exit 2; }
  [[ $(basename "$file") == team.test.mjs ]] && TEAM_TEST=1
done

XVFB_PID=
DRIVER_PID=
SECOND_DRIVER_PID=
PG_DIR=
TESTS_PID=

log() { echo "e2e: $*" >&2; }

# PIDs of processes (other than this script's own) whose environment carries RUN_ID.
run_processes() {
  local environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qx "E2E_RUN_ID=$RUN_ID"; then
      echo "$pid"
    fi
  done
}

# Waits up to $2 tenths of a second for process group $1 to be empty.
wait_group_gone() {
  local tries=$2
  while kill -0 -- "-$1" 2>/dev/null; do
    ((tries-- > 0)) || return 1
    sleep 0.1
  done
}

# Ends the process group of tauri-driver $1 (its WebKitWebDriver, the app, WebKit's helpers).
stop_driver() {
  local pid=$1
  ps -o pid,pgid,rss,args -g "$pid" >>"$OUT/processes.log" 2>&1 || true
  kill -TERM -- "-$pid" 2>/dev/null || true
  if ! wait_group_gone "$pid" 100; then
    log "still running 10 s after SIGTERM, killing:"
    ps -o pid,pgid,args -g "$pid" >&2 || true
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait_group_gone "$pid" 50 || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? left
  # Finish cleaning up even if interrupted again.
  trap '' INT TERM
  trap - EXIT
  if [[ -n $TESTS_PID ]]; then
    kill -TERM "$TESTS_PID" 2>/dev/null || true
    wait "$TESTS_PID" 2>/dev/null || true
  fi
  : >"$OUT/processes.log"
  [[ -z $DRIVER_PID ]] || stop_driver "$DRIVER_PID"
  [[ -z $SECOND_DRIVER_PID ]] || stop_driver "$SECOND_DRIVER_PID"
  if [[ -n $PG_DIR ]]; then
    "$ROOT/scripts/test-postgres.sh" stop "$PG_DIR" >>"$OUT/postgres.log" 2>&1 || log "stopping PostgreSQL failed: see $OUT/postgres.log"
  fi
  if [[ -n $XVFB_PID ]]; then
    kill -TERM "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  left=$(run_processes)
  if [[ -n $left ]]; then
    log "processes that left the group, ending them:"
    ps -o pid,pgid,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    kill -TERM $left 2>/dev/null || true
    sleep 1
    kill -KILL $left 2>/dev/null || true
  fi
  left=$(run_processes)
  if [[ -n $left ]]; then
    log "FAILED to end: $(echo $left)"
    status=1
  else
    log "no process left behind"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for tool in Xvfb dbus-run-session tauri-driver WebKitWebDriver node; do
  command -v "$tool" >/dev/null || { log "$tool not found: run 'make deps'"; exit 2; }
done
[[ -x $APP ]] || {
  log "no app binary at $APP: run 'cargo build -p countersign-app --features custom-protocol'"
  exit 2
}
[[ -d $HERE/node_modules ]] || { log "run 'npm ci' in tests/e2e (or 'make deps')"; exit 2; }
ports=("$PORT" "$NATIVE_PORT")
[[ -z $TEAM_TEST ]] || ports+=("$SECOND_PORT" "$SECOND_NATIVE_PORT")
for port in "${ports[@]}"; do
  if port_in_use "$port"; then
    log "port $port is in use (another tauri-driver?); set E2E_PORT / E2E_NATIVE_PORT"
    exit 2
  fi
done

mkdir -p "$OUT"
# A fresh home for the app and WebKit, so a run never touches the user's own data.
rm -rf "$OUT/home"
mkdir -p "$OUT/home/data" "$OUT/home/config" "$OUT/home/cache"

# Xvfb picks a free display itself and writes its number to fd 3.
rm -f "$OUT/display"
E2E_RUN_ID=$RUN_ID Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp \
  3>"$OUT/display" >"$OUT/xvfb.log" 2>&1 </dev/null &
XVFB_PID=$!
for _ in $(seq 100); do
  [[ -s $OUT/display ]] && break
  kill -0 "$XVFB_PID" 2>/dev/null || { log "Xvfb failed:"; cat "$OUT/xvfb.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s $OUT/display ]] || { log "Xvfb did not report a display"; exit 1; }
DISPLAY=":$(tr -d '[:space:]' <"$OUT/display")"
log "Xvfb on $DISPLAY"

export DISPLAY NO_AT_BRIDGE=1 GDK_BACKEND=x11
unset WAYLAND_DISPLAY
export XDG_DATA_HOME=$OUT/home/data XDG_CONFIG_HOME=$OUT/home/config XDG_CACHE_HOME=$OUT/home/cache
# The demo workspace (scripts/demo-workspace.sh, with the CLI) is what the app opens: partners,
# users of every role, three cases, and files in $E2E_DEMO_DIR/inbox to receive.
# The newer of the release and debug CLIs (an old one may predate what the tests use).
CLI=${COUNTERSIGN_CLI:-}
if [[ -z $CLI ]]; then
  for candidate in "$ROOT/target/release/countersign" "$ROOT/target/debug/countersign"; do
    [[ -x $candidate ]] && [[ -z $CLI || $candidate -nt $CLI ]] && CLI=$candidate
  done
fi
[[ -n $CLI ]] || { log "no countersign CLI: run 'cargo build --release -p countersign --bin countersign'"; exit 2; }
E2E_DEMO_DIR=$OUT/home/demo
log "building the demo workspace with $CLI"
"$ROOT/scripts/demo-workspace.sh" "$E2E_DEMO_DIR" "$CLI" >"$OUT/demo.log" 2>&1 \
  || { log "the demo workspace failed:"; cat "$OUT/demo.log" >&2; exit 1; }
export COUNTERSIGN_DATA_DIR=$E2E_DEMO_DIR/workspace COUNTERSIGN_EXPORT_DIR=$OUT/home/exports
export E2E_DEMO_DIR COUNTERSIGN_CLI=$CLI

# A team workspace (issue 17): a throwaway PostgreSQL server of this run's own, and the same demo
# built on it with the CLI, whose data directory is then the approver's desktop.
if [[ -n $TEAM_TEST ]]; then
  PG_DIR=$(mktemp -d /tmp/countersign-e2e-pg.XXXXXX)
  E2E_PG_URL=$(E2E_RUN_ID=$RUN_ID "$ROOT/scripts/test-postgres.sh" start "$PG_DIR" 2>"$OUT/postgres.log") \
    || { log "PostgreSQL did not start (initdb and pg_ctl are needed: 'make deps'):"; cat "$OUT/postgres.log" >&2; exit 1; }
  E2E_TEAM_DIR=$OUT/home/team E2E_TEAM_SCHEMA=e2e_team
  log "PostgreSQL at $E2E_PG_URL; building the team demo workspace on it"
  COUNTERSIGN_DATABASE_URL="$E2E_PG_URL?schema=$E2E_TEAM_SCHEMA" "$ROOT/scripts/demo-workspace.sh" "$E2E_TEAM_DIR/demo" "$CLI" \
    >"$OUT/team-demo.log" 2>&1 || { log "the team demo workspace failed:"; cat "$OUT/team-demo.log" >&2; exit 1; }
  [[ -f $E2E_TEAM_DIR/demo/workspace/team.json ]] \
    || { log "$CLI made no team workspace: it predates them, rebuild it ('cargo build --bin countersign')"; exit 1; }
  export E2E_PG_URL E2E_TEAM_DIR E2E_TEAM_SCHEMA
fi

# Waits until the tauri-driver started as PID (in a process group of its own) listens on PORT;
# stops the run, showing LOG, if it dies or never does.
wait_for_driver() {
  local pid=$1 port=$2 driver_log=$3 name=$4
  for _ in $(seq 300); do
    port_in_use "$port" && break
    kill -0 "$pid" 2>/dev/null || { log "$name failed:"; cat "$driver_log" >&2; exit 1; }
    sleep 0.1
  done
  port_in_use "$port" || { log "$name is not listening on $port"; exit 1; }
  [[ $(ps -o pgid= -p "$pid" | tr -d ' ') == "$pid" ]] || { log "$name is not in a process group of its own"; exit 1; }
}

# Not a process group leader (no job control here), so setsid does not fork: $! is the
# session's and the group's id.
E2E_RUN_ID=$RUN_ID setsid dbus-run-session -- \
  tauri-driver --port "$PORT" --native-port "$NATIVE_PORT" \
  >"$OUT/tauri-driver.log" 2>&1 </dev/null &
DRIVER_PID=$!
wait_for_driver "$DRIVER_PID" "$PORT" "$OUT/tauri-driver.log" "tauri-driver"
if [[ -n $TEAM_TEST ]]; then
  # The second desktop has a home of its own: two WebKit instances sharing one data and cache
  # directory (local storage, caches) is not what two desktops are, and WebKit does not expect it.
  mkdir -p "$OUT/home2/data" "$OUT/home2/config" "$OUT/home2/cache"
  E2E_RUN_ID=$RUN_ID XDG_DATA_HOME=$OUT/home2/data XDG_CONFIG_HOME=$OUT/home2/config XDG_CACHE_HOME=$OUT/home2/cache \
    setsid dbus-run-session -- \
    tauri-driver --port "$SECOND_PORT" --native-port "$SECOND_NATIVE_PORT" \
    >"$OUT/tauri-driver-2.log" 2>&1 </dev/null &
  SECOND_DRIVER_PID=$!
  wait_for_driver "$SECOND_DRIVER_PID" "$SECOND_PORT" "$OUT/tauri-driver-2.log" "the second tauri-driver"
fi

log "running tests against $APP"
# In the background and waited for, so that a signal to this script is handled at once. The
# timeout only guards against a hang (the scale test alone takes about a minute of it).
E2E_RUN_ID=$RUN_ID COUNTERSIGN_APP=$APP E2E_OUT_DIR=$OUT E2E_DRIVER_URL="http://127.0.0.1:$PORT" \
  E2E_SECOND_DRIVER_URL="http://127.0.0.1:$SECOND_PORT" \
  timeout --foreground 900 node --test --test-concurrency=1 --test-force-exit --test-reporter=spec "${TESTS[@]}" </dev/null &
TESTS_PID=$!
status=0
wait "$TESTS_PID" || status=$?
TESTS_PID=
if ((status != 0)); then
  log "tests failed ($status); last lines of $OUT/tauri-driver.log:"
  tail -n 40 "$OUT/tauri-driver.log" >&2 || true
fi
exit "$status"
