#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that face the network (tests/fuzz/README.md).
#   bash tests/fuzz/run.sh <seconds-per-target> [target ...]
# Builds tests/Gateway.Fuzz, instruments the assemblies under test with SharpFuzz, runs afl-fuzz on each target
# from its seed corpus (tests/fuzz/corpus/<target>) for the given time, one after another (the CI machine has
# two cores), prints a line of numbers per target, copies crashing inputs to artifacts/fuzz-crashes/<target>/ and
# writes artifacts/test-results/fuzz.trx, one test per target, which tests/run.sh counts. Exit 1 on any crash.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

seconds="${1:?usage: run.sh <seconds-per-target> [target ...]}"
shift
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(frame-decoder request-head response-head close-payload)

work="${FUZZ_WORK:-$root/artifacts/fuzz}"
bin="$work/bin"
replay="$work/replay"
crashes="$root/artifacts/fuzz-crashes"
results="$root/artifacts/test-results"
mkdir -p "$results"

# One TRX result per target: name, outcome (Passed/Failed), message, duration in seconds.
trx_rows=()
record() { trx_rows+=("$1|$2|$3|$4"); }

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' <<<"$1"; }

write_trx() {
  local now list results_xml="" definitions="" entries="" passed=0 failed=0
  now="$(date -u +%Y-%m-%dT%H:%M:%S.0000000+00:00)"
  list="8c84fa94-04c1-424b-9868-57a2d4851a1d" # "Results Not in a List", as dotnet test writes it
  for row in "${trx_rows[@]}"; do
    IFS='|' read -r name outcome message duration <<<"$row"
    local test_id execution_id
    test_id="$(cat /proc/sys/kernel/random/uuid)"
    execution_id="$(cat /proc/sys/kernel/random/uuid)"
    [ "$outcome" = Passed ] && passed=$((passed + 1)) || failed=$((failed + 1))
    results_xml+="    <UnitTestResult executionId=\"$execution_id\" testId=\"$test_id\" testName=\"Fuzz.$name\" computerName=\"$(hostname)\" duration=\"$(printf '%02d:%02d:%02d' $((duration / 3600)) $((duration / 60 % 60)) $((duration % 60))).0000000\" startTime=\"$now\" endTime=\"$now\" testType=\"13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b\" outcome=\"$outcome\" testListId=\"$list\">
      <Output><StdOut>$(xml_escape "$message")</StdOut>$([ "$outcome" = Passed ] || echo "<ErrorInfo><Message>$(xml_escape "$message")</Message></ErrorInfo>")</Output>
    </UnitTestResult>
"
    definitions+="    <UnitTest name=\"Fuzz.$name\" storage=\"tests/fuzz/run.sh\" id=\"$test_id\"><Execution id=\"$execution_id\" /><TestMethod codeBase=\"tests/fuzz/run.sh\" adapterTypeName=\"executor://afl-fuzz\" className=\"Fuzz\" name=\"$name\" /></UnitTest>
"
    entries+="    <TestEntry testId=\"$test_id\" executionId=\"$execution_id\" testListId=\"$list\" />
"
  done
  cat >"$results/fuzz.trx" <<TRX
<?xml version="1.0" encoding="utf-8"?>
<TestRun id="$(cat /proc/sys/kernel/random/uuid)" name="fuzz $now" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="$now" queuing="$now" start="$now" finish="$now" />
  <Results>
$results_xml  </Results>
  <TestDefinitions>
$definitions  </TestDefinitions>
  <TestEntries>
$entries  </TestEntries>
  <TestLists>
    <TestList name="Results Not in a List" id="$list" />
  </TestLists>
  <ResultSummary outcome="$([ "$failed" -eq 0 ] && echo Completed || echo Failed)">
    <Counters total="$((passed + failed))" executed="$((passed + failed))" passed="$passed" failed="$failed" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
  </ResultSummary>
</TestRun>
TRX
}

fail_all() {
  echo "fuzz: $1" >&2
  for target in "${targets[@]}"; do record "$target" Failed "$1" 0; done
  write_trx
  exit 1
}

command -v afl-fuzz >/dev/null 2>&1 || fail_all "afl-fuzz not found (Debian package afl++)"

# A fresh output folder each time: SharpFuzz rewrites the assemblies in place and refuses to do it twice.
rm -rf "$bin"
dotnet build tests/Gateway.Fuzz -c Release -o "$bin" --nologo -v q >"$work.build.log" 2>&1 ||
  fail_all "build failed, see $work.build.log"
dotnet tool restore >/dev/null || fail_all "dotnet tool restore failed"
# Instrumented code writes to afl-fuzz's shared memory, so a replay outside afl-fuzz needs the plain build.
rm -rf "$replay" && cp -r "$bin" "$replay"
# Only the code under test is instrumented, so afl-fuzz's coverage map is not filled by the harness or the runtime.
dotnet sharpfuzz "$bin/Gateway.Protocol.dll" >/dev/null || fail_all "instrumenting Gateway.Protocol.dll failed"
dotnet sharpfuzz "$bin/gateway.dll" Gateway.Hosting.RequestHeadChecks >/dev/null || fail_all "instrumenting gateway.dll failed"

export AFL_SKIP_BIN_CHECK=1                     # the binary is dotnet; SharpFuzz provides the fork server
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1     # shared CI cores: no frequency check, no core pinning
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1  # containers often pipe core dumps elsewhere
export AFL_NO_UI=1 AFL_QUIET=1
export AFL_FORKSRV_INIT_TMOUT="${AFL_FORKSRV_INIT_TMOUT:-60000}" # the runtime's start and JIT on a busy machine

status=0
for target in "${targets[@]}"; do
  out="$work/$target"
  rm -rf "$out" "$crashes/$target"
  started=$SECONDS
  # -t 5000: a single input of a few KB taking 5 s is a hang, not a slow machine. -m none: the runtime reserves a lot.
  afl-fuzz -i "tests/fuzz/corpus/$target" -o "$out" -V "$seconds" -t 5000 -m none -- \
    dotnet "$bin/Gateway.Fuzz.dll" "$target" >"$out.log" 2>&1
  afl_status=$?
  elapsed=$((SECONDS - started))
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    message="afl-fuzz did not start (exit $afl_status): $(grep -E 'PROGRAM ABORT|ERROR' "$out.log" | head -n 2 | tr '\n' ' ')"
    echo "$target: $message"
    record "$target" Failed "$message see $out.log" "$elapsed"
    status=1
    continue
  fi

  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  line="$target: execs_done=$(stat execs_done) execs_per_sec=$(stat execs_per_sec) edges_found=$(stat edges_found)"
  line+=" bitmap_cvg=$(stat bitmap_cvg) stability=$(stat stability)"
  line+=" corpus_count=$(stat corpus_count) saved_crashes=$(stat saved_crashes) saved_hangs=$(stat saved_hangs) seconds=$elapsed"
  echo "$line"
  shopt -s nullglob
  found=("$out"/default/crashes/id:*)
  if [ "${#found[@]}" -gt 0 ]; then
    mkdir -p "$crashes/$target"
    # afl-fuzz names them id:000000,sig:06,...; colons and commas trouble CI artifact uploads.
    for file in "${found[@]}"; do cp "$file" "$crashes/$target/$(basename "$file" | tr ':,' '_-')"; done
    # Replaying the first one prints the broken invariant (or the exception) for the test result.
    why="$(dotnet "$replay/Gateway.Fuzz.dll" "$target" "${found[0]}" 2>&1 | grep -m 1 -E 'Exception|Violation' || true)"
    record "$target" Failed "${#found[@]} crashing input(s) saved in artifacts/fuzz-crashes/$target/; first: $why. $line" "$elapsed"
    status=1
  else
    hangs=("$out"/default/hangs/id:*)
    # Hangs are reported but do not fail: on a starved CI machine a 5 s stall can be the machine's.
    if [ "${#hangs[@]}" -gt 0 ]; then
      mkdir -p "$crashes/$target/hangs"
      for file in "${hangs[@]}"; do cp "$file" "$crashes/$target/hangs/$(basename "$file" | tr ':,' '_-')"; done
    fi
    record "$target" Passed "$line" "$elapsed"
  fi
  shopt -u nullglob
done

write_trx
exit "$status"
