# Sourced by compare.sh and ab.sh: what they start is listed in `started` and stopped by pid on exit, and
# wait_port waits for a listener on $HOST.
started=()
cleanup() {
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $HOST:$1" >&2
  return 1
}
