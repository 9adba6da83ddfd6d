#!/usr/bin/env bash
# Stops exactly the processes `make up` started (pid files under .run/pids, checked against their command line).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"
  pidfile="$RUN_DIR/pids/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$asm.dll"; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then echo "down: $name did not stop in 10 s; killing"; kill -KILL "$pid" || true; fi
    echo "down: stopped $name (pid $pid)"
  else
    echo "down: $name was not running"
  fi
  rm -f "$pidfile"
done
