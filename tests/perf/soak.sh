#!/usr/bin/env bash
# Soak test (not a CI test): sessions exchanging sequence-numbered messages through the gateway for MINUTES while
# a chaos loop resets clients, resets upstream connections, closes sessions and reloads the config; the load tool
# checks every echo and samples the gateway's RSS and descriptors, then prints its table and totals. Exit status:
# the load tool's (1 on a lost message in a normally closed session, descriptors not back, ...).
#
#   bash tests/perf/soak.sh [minutes] [sessions]        # defaults: 10 minutes, 200 sessions
#
# RATE (10 messages/s per session), CHAOS_INTERVAL (3 s), SAMPLE (30 s), WARMUP (30 s, with chaos: it sets the
# baseline). Loopback only; every process it starts is stopped by pid on exit. Output and the gateway's log:
# artifacts/perf/soak/.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
MINUTES="${1:-10}"
SESSIONS="${2:-200}"
HOST=127.0.0.1
WS_PORT=18531
ADMIN_PORT=18539
UPSTREAM_PORT=18540
out="$root/artifacts/perf/soak"
mkdir -p "$out"

echo "building the load tool and the gateway (Release)"
dotnet build -c Release tests/Gateway.LoadTool -o "$out/loadtool" --verbosity quiet -nologo >/dev/null
dotnet build -c Release gateway/Gateway --verbosity quiet -nologo >/dev/null
gateway_dll="$root/gateway/Gateway/bin/Release/net10.0/gateway.dll"

# The gateway's config: one ws:// listener, the admin endpoint, one route to the load tool's upstream. The per-IP
# and per-connection limits are raised as in tests/perf/gateway.yaml; everything else keeps its default. The load
# tool's reloads toggle the number on the `# soak-reload` line.
config="$(mktemp /tmp/gateway-soak-XXXXXX.yaml)"
cat >"$config" <<YAML
listen:
  - address: $HOST:$WS_PORT

admin:
  address: $HOST:$ADMIN_PORT

routes:
  - name: soak
    match:
      path: /{**rest}
    upstream: soak

upstreams:
  soak:
    destinations:
      - ws://$HOST:$UPSTREAM_PORT

defaults:
  limits:
    max_connections: 20000 # soak-reload
    max_connections_per_ip: 10000
    handshakes_per_ip: { rate: 100000, per: 1s, burst: 100000 }
    messages_per_connection: { rate: 1000000, per: 1s, burst: 1000000 }
YAML

# shellcheck source=tests/perf/processes.sh
source "$root/tests/perf/processes.sh"
trap 'cleanup; rm -f "$config" "$config.soak-tmp"' EXIT

dotnet "$gateway_dll" --config "$config" >"$out/gateway.out" 2>&1 &
gateway_pid=$!
started+=("$gateway_pid")
wait_port "$WS_PORT"

status=0
"$out/loadtool/loadtool" soak --gateway "ws://$HOST:$WS_PORT/" --gateway-pid "$gateway_pid" --config "$config" \
  --admin "http://$HOST:$ADMIN_PORT" --upstream "$HOST:$UPSTREAM_PORT" --sessions "$SESSIONS" --minutes "$MINUTES" \
  --rate "${RATE:-10}" --chaos-interval "${CHAOS_INTERVAL:-3}" --sample "${SAMPLE:-30}" --warmup "${WARMUP:-30}" \
  | tee "$out/soak.out" || status=$?

echo "gateway log ($out/gateway.out): $(grep -c 'Configuration reloaded' "$out/gateway.out" || true) reloads applied," \
  "$(grep -c 'reload.*rejected' "$out/gateway.out" || true) rejected," \
  "$(grep -cE '^[^ ]+ warn:' "$out/gateway.out" || true) warnings," \
  "$(grep -cE '^[^ ]+ (fail|crit):' "$out/gateway.out" || true) errors"
exit "$status"
