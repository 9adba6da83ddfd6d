#!/usr/bin/env bash
# Starts every service as its own process on loopback (embedded mode), logs and pid files under .run/,
# and waits until each answers /healthz. `scripts/up.sh --status` only reports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/pids" "$RUN_DIR/data"

is_ours() { # pid assembly — true when pid is alive and runs that assembly
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q "$2.dll"
}

if [ "${1:-}" = "--status" ]; then
  for s in "${CAUCHY_SERVICES[@]}"; do
    read -r name dir asm port <<<"$s"; port=$((port + PORT_OFFSET))
    pid=$(cat "$RUN_DIR/pids/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && is_ours "$pid" "$asm"; then
      state="running (pid $pid)"
      # A standard grpc.health.v1 check with an independent client (grpc-js), when make deps has installed it.
      if health=$(node tests/Cauchy.Platform.Tests/node/platform-probe.js health --address "127.0.0.1:$port" --service "" 2>/dev/null); then
        state="$state, gRPC health $(echo "$health" | grep -o '"status":"[A-Z_]*"' | head -1 | cut -d'"' -f4)"
      fi
    else
      state="stopped"
    fi
    printf '%-13s grpc 127.0.0.1:%s  http 127.0.0.1:%s  %s\n' "$name" "$port" "$((port + 1000))" "$state"
  done
  exit 0
fi

config="${1:-Release}"
# Each service finds the others through Services:<Name>:Address; point them at this platform's (offset) ports.
peers=()
for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"
  key=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  peers+=("CAUCHY_SERVICES__${key}__ADDRESS=http://127.0.0.1:$((port + PORT_OFFSET))")
done
# The orchestrator's gRPC service is Jobs; clients may name it either way.
peers+=("CAUCHY_SERVICES__JOBS__ADDRESS=http://127.0.0.1:$((50052 + PORT_OFFSET))")
# The same addresses for the cauchy CLI, which reads this file (in .run of its working directory, or CAUCHY_RUN_DIR)
# when no address, CAUCHY_HOST or CAUCHY_PORT_OFFSET is given; a shell can also `set -a; . .run/addresses`.
{
  echo "# written by scripts/up.sh: the gRPC address of each service of this platform"
  for s in "${CAUCHY_SERVICES[@]}"; do
    read -r name dir asm port <<<"$s"
    [ "$name" = orchestrator ] && name=jobs
    echo "CAUCHY_$(echo "$name" | tr '[:lower:]' '[:upper:]')_ADDRESS=http://127.0.0.1:$((port + PORT_OFFSET))"
  done
} >"$RUN_DIR/addresses"
# Authentication: the services share a secret to sign their own credentials (kept in the run folder, mode 600), and the
# orchestrator writes an admin token to admin.token on its first start (re-registers it on later ones), where the cauchy
# CLI finds it. Neither is ever printed.
secret_file="$RUN_DIR/service.secret"
if [ ! -s "$secret_file" ]; then
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n=' >"$secret_file")
fi
chmod 600 "$secret_file"
peers+=("CAUCHY_AUTHENTICATION__SERVICESECRETFILE=$secret_file")
auth_orchestrator=("CAUCHY_AUTHENTICATION__BOOTSTRAPTOKENFILE=$RUN_DIR/admin.token")

started=()
for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"; port=$((port + PORT_OFFSET))
  pidfile="$RUN_DIR/pids/$name.pid"
  if [ -f "$pidfile" ] && is_ours "$(cat "$pidfile")" "$asm"; then
    echo "up: $name already running (pid $(cat "$pidfile"))"
    continue
  fi
  dll="$dir/bin/$config/net10.0/$asm.dll"
  [ -f "$dll" ] || { echo "up: $dll is missing; run 'make build-platform'" >&2; exit 1; }
  for p in "$port" "$((port + 1000))"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "up: port $p ($name) is already in use by another process; stop it or set CAUCHY_PORT_OFFSET" >&2; exit 1
    fi
  done
  # Each start appends to the service's log after a marker line, so an earlier run's log survives a restart; a log
  # past 50 MB is first moved to <name>.log.1 (replacing the one before).
  log="$RUN_DIR/logs/$name.log"
  if [ -f "$log" ] && [ "$(stat -c %s "$log")" -gt $((50 * 1024 * 1024)) ]; then mv -f "$log" "$log.1"; fi
  printf '===== %s up: starting %s (%s, grpc port %s) =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$config" "$port" >>"$log"
  own=(); [ "$name" = orchestrator ] && own=("${auth_orchestrator[@]}")
  env "${peers[@]}" "${own[@]}" CAUCHY_GRPC__PORT="$port" CAUCHY_DATA__ROOT="$RUN_DIR/data/$name" \
    nohup dotnet "$dll" >>"$log" 2>&1 &
  echo $! >"$pidfile"
  started+=("$name")
done

deadline=$((SECONDS + 60))
for s in "${CAUCHY_SERVICES[@]}"; do
  read -r name dir asm port <<<"$s"; port=$((port + PORT_OFFSET))
  http=$((port + 1000))
  until curl -fsS "http://127.0.0.1:$http/healthz" >/dev/null 2>&1; do
    pid=$(cat "$RUN_DIR/pids/$name.pid")
    if ! is_ours "$pid" "$asm"; then
      echo "up: $name exited during start-up; last log lines:" >&2; tail -n 20 "$RUN_DIR/logs/$name.log" >&2; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "up: $name not healthy after 60 s; see $RUN_DIR/logs/$name.log" >&2; exit 1
    fi
    sleep 0.3
  done
  printf 'up: %-13s healthy  grpc 127.0.0.1:%s  metrics http://127.0.0.1:%s/metrics\n' "$name" "$port" "$http"
done
echo "up: logs in $RUN_DIR/logs, admin token in $RUN_DIR/admin.token (the cauchy CLI uses it), stop with 'make down'"
