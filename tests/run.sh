#!/usr/bin/env bash
# Runs every test of the repository and ends with the line "N passed, N failed", counted from the test
# results (TRX files), not from dotnet test's own summary. Exit code 0 only when nothing failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The npm `ws` peers the functional tests run with node.
if [ ! -d tests/node/node_modules/ws ]; then
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test Gateway.sln --logger "trx" --results-directory "$results" "$@"
status=$?

# The functional tests once more with the fallback TLS engine, SslStream (GATEWAY_TLS_ENGINE, docs/architecture.md):
# every wss:// listener they start then runs it, so both engines meet the same clients.
GATEWAY_TLS_ENGINE=sslstream dotnet test tests/Gateway.FunctionalTests --no-build --logger "trx;LogFilePrefix=sslstream" \
  --results-directory "$results" "$@"
status=$((status > 0 ? status : $?))

# Coverage-guided fuzzing of the network-facing parsers, a minute per target (tests/fuzz/README.md); it writes
# fuzz.trx, one test per target, counted below. FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"
  status=$((status > 0 ? status : $?))
fi

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done

# A build failure or a crashed test host produces no (or too few) results: count it as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
if [ "${#trx_files[@]}" -eq 0 ]; then
  failed=$((failed > 0 ? failed : 1))
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
