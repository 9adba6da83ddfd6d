#!/usr/bin/env bash
# Runs every test project of the solution (already built by `make build`) and ends with one summary line
# "tests: N passed, N failed, N skipped". Exits non-zero when anything failed or when no test ran.
set -uo pipefail
cd "$(dirname "$0")/.."
config="${1:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# A hung test must not eat CI's whole budget: blame-hang kills and names it. 10 minutes, because one
# parity test needs ~30 s of CPU and a loaded shared machine once stretched it past 5 minutes.
dotnet test cauchy-k8s.sln -c "$config" --no-build --nologo \
  --blame-hang-timeout 10m --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Parallel test runs can print two summaries on one line, so match each summary wherever it starts.
summary_lines=$(grep -oE '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" || true)
passed=$(echo "$summary_lines" | grep -Eo 'Passed: +[0-9]+' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
failed=$(echo "$summary_lines" | grep -Eo 'Failed: +[0-9]+' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
skipped=$(echo "$summary_lines" | grep -Eo 'Skipped: +[0-9]+' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
echo
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  # CI shows only the end of the output: repeat each failed test's name and message here.
  echo "failed tests (details above):" >&2
  awk '/^  Failed [^!]/ {show=12} show>0 {print; show--}' "$log" >&2
  echo "tests: FAILED (dotnet test exit code $status)" >&2
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "tests: no test ran" >&2
  exit 1
fi
