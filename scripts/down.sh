#!/usr/bin/env bash
# Stops exactly the processes `make up` started (pid files under .run/pids, checked against their command line).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

# True while pid runs that assembly. A process that has exited but is not reaped yet (a zombie: the services are
# orphans, and init may reap them late or never) has an empty command line, so it counts as stopped.
is_ours() { # pid assembly
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "$2.dll"
}

for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"
  pidfile="$RUN_DIR/pids/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if is_ours "$pid" "$asm"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do is_ours "$pid" "$asm" || break; sleep 0.1; done
    if is_ours "$pid" "$asm"; then echo "down: $name did not stop in 10 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    echo "down: stopped $name (pid $pid)"
  else
    echo "down: $name was not running"
  fi
  rm -f "$pidfile"
done
# The CLI's record of this platform's addresses (written by up.sh) goes with it.
rm -f "$RUN_DIR/addresses"
