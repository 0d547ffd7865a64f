#!/usr/bin/env bash
# A/B of two gateway builds (or one build with two environments): both run at once, and one scenario's windows go
# A, B, B, A, A, B, ... seconds apart, so this VM's changing CPU steal moves both alike. Prints B's CPU figure over
# A's for every pair, all of it and its user-space part, then the medians (min-max). How most of the changes in
# tests/perf/README.md were measured.
#
#   A_REV=HEAD~1 SCENARIO=a PAIRS=10 bash tests/perf/ab.sh       # A: that commit, B: the working tree
#   B_ENV="DOTNET_TieredPGO=0" SCENARIO=d-sessions bash tests/perf/ab.sh   # same build, B with a setting
#
# A_REV (default: none, A is the working tree too), A_ENV and B_ENV (space-separated VAR=value), SCENARIO (a, b,
# d-messages or d-sessions; default a), PAIRS (10), DURATION (5 s per window), PRIME (20 s of the scenario for each
# gateway first, for the JIT). Loopback only; every process it starts is stopped by pid on exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/artifacts/perf"
ab="$out/ab"
SCENARIO="${SCENARIO:-a}"
PAIRS="${PAIRS:-10}"
DURATION="${DURATION:-5}"
PRIME="${PRIME:-20}"
HOST=127.0.0.1
ECHO_PORT=18100
declare -A WS_PORT=([A]=18281 [B]=18291)

case "$SCENARIO" in
  a) metric=a.cpu_s_per_M_msgs user=a.user_cpu_s_per_M_msgs ;;
  b) metric=b.cpu_s_per_GiB user=b.user_cpu_s_per_GiB ;;
  d-messages) metric=d.cpu_s_per_M_msgs user=d.user_cpu_s_per_M_msgs ;;
  d-sessions) metric=d.cpu_ms_per_tls_session user=d.user_cpu_ms_per_tls_session ;;
  *) echo "SCENARIO must be a, b, d-messages or d-sessions" >&2; exit 2 ;;
esac

mkdir -p "$ab"
if [ ! -f "$out/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$out/key.pem" -out "$out/cert.pem" 2>/dev/null
fi

echo "building the load tool and the gateways (Release)"
dotnet build -c Release tests/Gateway.LoadTool -o "$out/loadtool" --verbosity quiet -nologo >/dev/null
loadtool="$out/loadtool/loadtool"
dotnet publish -c Release gateway/Gateway -o "$ab/B" --verbosity quiet -nologo >/dev/null
if [ -n "${A_REV:-}" ]; then
  tree="$(mktemp -d /tmp/gateway-ab-XXXXXX)"
  git worktree add --detach -q "$tree" "$A_REV" || { rmdir "$tree"; exit 1; }
  built=0
  dotnet publish -c Release "$tree/gateway/Gateway" -o "$ab/A" --verbosity quiet -nologo >/dev/null && built=1
  git worktree remove --force "$tree" # also when the build failed: no worktree is left registered
  [ "$built" = 1 ] || { echo "building $A_REV failed" >&2; exit 1; }
else
  rm -rf "$ab/A"
  cp -r "$ab/B" "$ab/A"
fi

# shellcheck source=tests/perf/processes.sh
source "$root/tests/perf/processes.sh"

"$loadtool" echo --listen "$HOST:$ECHO_PORT" >"$ab/echo.out" 2>&1 &
started+=("$!")
wait_port "$ECHO_PORT"

declare -A PID
for side in A B; do
  ws="${WS_PORT[$side]}"
  # tests/perf/gateway.yaml with this side's ports and the certificate's absolute path.
  sed -e "s|127.0.0.1:18231|$HOST:$ws|" -e "s|127.0.0.1:18232|$HOST:$((ws + 1))|" \
    -e "s|\.\./\.\./artifacts/perf/|$out/|g" tests/perf/gateway.yaml > "$ab/$side.yaml"
  envs="${side}_ENV"
  # shellcheck disable=SC2086 # the environment is a list of VAR=value words
  env ${!envs:-} "$ab/$side/gateway" --config "$ab/$side.yaml" >"$ab/$side.out" 2>&1 &
  PID[$side]=$!
  started+=("$!")
  wait_port "$ws"
done

# One window against a side; prints its metric and the metric's user-space part. `--pid` makes the load tool
# measure that gateway's CPU.
window() {
  local side="$1" seconds="$2" ws="${WS_PORT[$1]}"
  "$loadtool" run --target "$side" --run 0 --pid "${PID[$side]}" --ws "ws://$HOST:$ws/echo" \
    --wss "wss://$HOST:$((ws + 1))/echo" --scenarios "$SCENARIO" --duration "$seconds" --warmup 1 \
    --out "$ab/results.jsonl" | awk -v m="$metric" -v u="$user" '$4 == m {all = $5} $4 == u {mine = $5} END {print all, mine}'
}

if [ "$PRIME" -gt 0 ]; then
  window A "$PRIME" >/dev/null
  window B "$PRIME" >/dev/null
fi

echo "$metric (user space: $user), B over A (A=${A_REV:-working tree}${A_ENV:+ $A_ENV}, B=working tree${B_ENV:+ $B_ENV}):"
ratios=()
user_ratios=()
for pair in $(seq 1 "$PAIRS"); do
  if [ $((pair % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  declare -A value=()
  for side in $order; do
    value[$side]="$(window "$side" "$DURATION")"
  done
  read -r a a_user <<<"${value[A]}"
  read -r b b_user <<<"${value[B]}"
  ratio="$(awk -v a="$a" -v b="$b" 'BEGIN {if (a > 0) printf "%.3f", b / a}')"
  user_ratio="$(awk -v a="$a_user" -v b="$b_user" 'BEGIN {if (a > 0) printf "%.3f", b / a}')"
  ratios+=("$ratio")
  user_ratios+=("$user_ratio")
  echo "  pair $pair ($order): A $a (user $a_user), B $b (user $b_user), B/A $ratio (user $user_ratio)"
done

median() {
  printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f (%.3f-%.3f), %d pairs", m, v[1], v[NR], NR }'
}
echo "B/A median $(median "${ratios[@]}"); user space $(median "${user_ratios[@]}")"
