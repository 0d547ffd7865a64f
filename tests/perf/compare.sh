#!/usr/bin/env bash
# Side-by-side comparison (issue 6): the load tool's scenarios against the echo upstream directly, through nginx,
# HAProxy and Caddy, through the gateway (Release build), and through the load tool's bare tunnels (.NET's
# sockets and SslStream; epoll and OpenSSL called directly, nginx's way, blind or checking every frame), ws:// and
# wss://, several runs; then a table and a JSON file with medians, spreads and the ratios of ours to the best
# peer. See tests/perf/README.md.
#
#   bash tests/perf/compare.sh                       # 3 runs of everything, about 20 minutes
#   RUNS=1 DURATION=3 TARGETS="direct gateway" bash tests/perf/compare.sh
#   INTERLEAVE=1 RUNS=5 bash tests/perf/compare.sh    # all targets up at once, windows in turn
#
# Loopback only. Installs nginx, haproxy and caddy with apt-get when missing (needs root). Every process it starts
# is stopped by pid on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

RUNS="${RUNS:-3}"
DURATION="${DURATION:-5}"
WARMUP="${WARMUP:-1}"
# Seconds of (a) and (d), unmeasured, right after each target starts: the gateway's tiered JIT compiles its hot
# paths in the first seconds under load (about 1.5 CPU-s for the TLS paths), a one-time cost that would otherwise
# land in the first measured windows. The same for every target; 0 turns it off.
PRIME="${PRIME:-4}"
TARGETS="${TARGETS:-direct nginx haproxy caddy gateway dotnet-tunnel epoll-tunnel frames-tunnel}"
SCENARIOS="${SCENARIOS:-c,a,d,b}"
# 1: every target up at once, windows target after target (see below); 0: each target started, measured, stopped.
INTERLEAVE="${INTERLEAVE:-0}"
IDLE_SESSIONS="${IDLE_SESSIONS:-9000}"
out="$root/artifacts/perf"
run="$out/run"
results="$out/results.jsonl"

# Ports: the echo upstream, then ws/wss for each proxy (tests/perf/gateway.yaml names the gateway's and the echo's).
HOST=127.0.0.1
ECHO_PORT=18100
declare -A WS_PORT=([direct]=$ECHO_PORT [nginx]=18201 [haproxy]=18211 [caddy]=18221 [gateway]=18231 [dotnet]=18251 [epoll]=18261 [frames]=18271)
declare -A WSS_PORT=([nginx]=18202 [haproxy]=18212 [caddy]=18222 [gateway]=18232 [dotnet]=18252 [epoll]=18262 [frames]=18272)

# 9,000 idle sessions: the proxy holds two descriptors per session, the load tool one.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 19000 ]; then
  echo "open-file limit $(ulimit -n) is too low for $IDLE_SESSIONS idle sessions" >&2
  exit 1
fi

missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v haproxy >/dev/null || missing+=(haproxy)
command -v caddy >/dev/null || missing+=(caddy)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$run/nginx-tmp"
if [ ! -f "$out/cert.pem" ]; then
  # One RSA-2048 certificate for every proxy: the most common key type, so the TLS figures compare like with like.
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$out/key.pem" -out "$out/cert.pem" 2>/dev/null
  cat "$out/cert.pem" "$out/key.pem" > "$out/cert+key.pem"
fi

echo "building the load tool and the gateway (Release)"
dotnet build -c Release tests/Gateway.LoadTool -o "$out/loadtool" --verbosity quiet -nologo >/dev/null
dotnet publish -c Release gateway/Gateway -o "$out/gateway" --verbosity quiet -nologo >/dev/null
loadtool="$out/loadtool/loadtool"

for file in nginx.conf haproxy.cfg Caddyfile; do
  sed -e "s|@RUN@|$run|g" -e "s|@CERT@|$out/cert.pem|g" -e "s|@KEY@|$out/key.pem|g" -e "s|@PEM@|$out/cert+key.pem|g" \
    -e "s|@HOST@|$HOST|g" -e "s|@ECHO@|$HOST:$ECHO_PORT|g" \
    -e "s|@NGINX_WS@|${WS_PORT[nginx]}|g" -e "s|@NGINX_WSS@|${WSS_PORT[nginx]}|g" \
    -e "s|@HAPROXY_WS@|${WS_PORT[haproxy]}|g" -e "s|@HAPROXY_WSS@|${WSS_PORT[haproxy]}|g" \
    -e "s|@CADDY_WS@|${WS_PORT[caddy]}|g" -e "s|@CADDY_WSS@|${WSS_PORT[caddy]}|g" \
    "tests/perf/peers/$file" > "$run/$file"
done

# shellcheck source=tests/perf/processes.sh
source "$root/tests/perf/processes.sh"

stop() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  started=("${started[@]/$1}")
}

# Starts a target in the background; sets $pid (empty for direct).
start() {
  pid=""
  case "$1" in
    direct) return 0 ;;
    nginx) nginx -p "$run" -c "$run/nginx.conf" >"$run/nginx.out" 2>&1 & pid=$! ;;
    haproxy) haproxy -db -f "$run/haproxy.cfg" >"$run/haproxy.out" 2>&1 & pid=$! ;;
    caddy) XDG_DATA_HOME="$run" XDG_CONFIG_HOME="$run" caddy run --adapter caddyfile --config "$run/Caddyfile" \
             >"$run/caddy.out" 2>&1 & pid=$! ;;
    gateway*)
      # gateway: the build's own settings; gateway-servergc / gateway-wksgc force a GC, gateway-sslstream the
      # fallback TLS engine, for comparison (one at a time: they share the gateway's ports).
      local gc=()
      case "$1" in
        gateway-servergc) gc=(DOTNET_gcServer=1) ;;
        gateway-wksgc) gc=(DOTNET_gcServer=0) ;;
        gateway-sslstream) gc=(GATEWAY_TLS_ENGINE=sslstream) ;;
      esac
      env "${gc[@]}" "$out/gateway/gateway" --config tests/perf/gateway.yaml >"$run/$1.$r.out" 2>&1 & pid=$! ;;
    dotnet-tunnel)
      DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$loadtool" tunnel --listen "$HOST:${WS_PORT[dotnet]}" \
        --tls-listen "$HOST:${WSS_PORT[dotnet]}" --upstream "$HOST:$ECHO_PORT" --cert "$out/cert.pem" --key "$out/key.pem" \
        >"$run/dotnet-tunnel.out" 2>&1 & pid=$! ;;
    epoll-tunnel)
      "$loadtool" epoll-tunnel --listen "$HOST:${WS_PORT[epoll]}" --tls-listen "$HOST:${WSS_PORT[epoll]}" \
        --upstream "$HOST:$ECHO_PORT" --cert "$out/cert.pem" --key "$out/key.pem" >"$run/epoll-tunnel.out" 2>&1 & pid=$! ;;
    frames-tunnel)
      # The epoll tunnel in frame mode: every frame decoded, checked and remasked, nothing else (FrameRelay.cs).
      "$loadtool" epoll-tunnel --frames 1 --listen "$HOST:${WS_PORT[frames]}" --tls-listen "$HOST:${WSS_PORT[frames]}" \
        --upstream "$HOST:$ECHO_PORT" --cert "$out/cert.pem" --key "$out/key.pem" >"$run/frames-tunnel.out" 2>&1 & pid=$! ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
  started+=("$pid")
  wait_port "${WS_PORT[${1%%-*}]}"
  [ -z "${WSS_PORT[${1%%-*}]:-}" ] || wait_port "${WSS_PORT[${1%%-*}]}"
}

DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "$loadtool" echo --listen "$HOST:$ECHO_PORT" >"$run/echo.out" 2>&1 &
started+=("$!")
wait_port "$ECHO_PORT"

# (Version probes read their whole output: with pipefail, `| head` would kill the script on SIGPIPE.)
conditions="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"
conditions+=" load average at start $(cut -d' ' -f1-3 /proc/loadavg), ${DURATION}s windows after ${WARMUP}s warm-up,"
conditions+=" each target primed with ${PRIME}s of (a) and (d) after it started;"
conditions+=" nginx $(nginx -v 2>&1 | cut -d/ -f2), HAProxy $(haproxy -v | awk 'NR == 1 {print $3}'),"
conditions+=" Caddy $(caddy version | cut -d' ' -f1), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}')"
# The scenarios of `list` that target $1 takes part in: the tunnels hold two buffers per session, so their RSS per
# idle session (c) would measure nothing of interest.
scenarios_for() {
  local list=",$2,"
  case "$1" in
    *-tunnel) list="${list//,c-tls,/,}"; list="${list//,c,/,}" ;;
  esac
  list="${list#,}"; echo "${list%,}"
}

# One window of `scenarios` against a target that runs with pid $2 (empty for direct), recorded as run $3.
measure() {
  local target="$1" target_pid="$2" r="$3" scenarios="$4" base="${1%%-*}"
  scenarios="$(scenarios_for "$target" "$scenarios")"
  [ -n "$scenarios" ] || return 0
  local urls=(--ws "ws://$HOST:${WS_PORT[$base]}/echo")
  [ -z "${WSS_PORT[$base]:-}" ] || urls+=(--wss "wss://$HOST:${WSS_PORT[$base]}/echo")
  local args=(run --target "$target" --run "$r" "${urls[@]}" --scenarios "$scenarios"
              --duration "$DURATION" --warmup "$WARMUP" --idle-sessions "$IDLE_SESSIONS" --out "$results")
  [ -z "$target_pid" ] || args+=(--pid "$target_pid")
  "$loadtool" "${args[@]}" || echo "run $r: $target failed" >&2
}

# Unmeasured load right after a target starts (PRIME).
prime() {
  local base="${1%%-*}"
  [ "$PRIME" != 0 ] || return 0
  local urls=(--ws "ws://$HOST:${WS_PORT[$base]}/echo")
  [ -z "${WSS_PORT[$base]:-}" ] || urls+=(--wss "wss://$HOST:${WSS_PORT[$base]}/echo")
  "$loadtool" run --target "$1" --run 0 "${urls[@]}" --scenarios a,d --duration "$PRIME" --warmup 0 \
    --out "$run/prime.jsonl" >/dev/null || echo "priming $1 failed" >&2
}

: > "$results"; : > "$run/prime.jsonl"
if [ "$INTERLEAVE" = 1 ]; then
  # Every target runs for the whole comparison and the windows go target after target, scenario by scenario, so
  # a run's windows of the gateway and of a peer are seconds apart and see the same machine. The order rotates
  # from run to run. Scenario c still starts each target fresh: RSS left behind by the other scenarios would blur
  # the figure per idle session.
  IFS=, read -r -a scenario_list <<< "$SCENARIOS"
  targets=($TARGETS)
  for s in "${scenario_list[@]}"; do
    [ "$s" = c ] || [ "$s" = c-tls ] || continue
    for r in $(seq 1 "$RUNS"); do
      for target in "${targets[@]}"; do
        [ "$target" != direct ] && [ -n "$(scenarios_for "$target" "$s")" ] || continue
        echo "run $r/$RUNS: $target, $s (load average $(cut -d' ' -f1 /proc/loadavg))"
        start "$target"; measure "$target" "$pid" "$r" "$s"; stop "$pid"
      done
    done
  done
  declare -A pids=()
  r=all
  for target in "${targets[@]}"; do
    start "$target"; pids[$target]="$pid"; prime "$target"
  done
  for r in $(seq 1 "$RUNS"); do
    echo "run $r/$RUNS, interleaved (load average $(cut -d' ' -f1 /proc/loadavg))"
    shift_by=$(( (r - 1) % ${#targets[@]} ))
    order=("${targets[@]:$shift_by}" "${targets[@]:0:$shift_by}")
    for s in "${scenario_list[@]}"; do
      [ "$s" != c ] && [ "$s" != c-tls ] || continue
      [ "$s" != d ] || s=d-messages,d-sessions
      for half in ${s//,/ }; do
        for target in "${order[@]}"; do
          measure "$target" "${pids[$target]}" "$r" "$half"
        done
      done
    done
  done
else
  for r in $(seq 1 "$RUNS"); do
    for target in $TARGETS; do
      echo "run $r/$RUNS: $target (load average $(cut -d' ' -f1 /proc/loadavg))"
      start "$target"
      prime "$target"
      measure "$target" "$pid" "$r" "$SCENARIOS"
      [ -z "$pid" ] || stop "$pid"
    done
  done
fi

"$loadtool" report --in "$results" --markdown "$out/comparison.md" --json "$out/comparison.json" --conditions "$conditions"
echo "wrote $out/comparison.md and $out/comparison.json"
