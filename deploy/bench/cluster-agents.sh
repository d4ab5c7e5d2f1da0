#!/usr/bin/env bash
# The scale measurement of docs/cluster.md, on one machine: AGENTS agent desktops (open
# session, login, READY, heartbeats) split over SEGMENTS local `ctiload run` processes, exactly
# as the pods of the Indexed Job run them (CTILOAD_SEGMENT_COUNT, JOB_COMPLETION_INDEX, a common
# CTILOAD_START_AT), against one separate `ctiload sim` process on 127.0.0.1. It prints the peak
# RSS and CPU time of every process, the time the whole center took to log in, the heartbeat misses and the
# merged verdict. Not part of `make test`: `make bench-cluster` (about five minutes: START_DELAY, the ramp, the hold).
#
#   AGENTS=19990 SEGMENTS=2 LOGIN_RAMP=60s DURATION=60s HEARTBEAT=5s deploy/bench/cluster-agents.sh
#
# Needs: each process holds one socket per session, so the soft file limit is raised to the
# hard one; the simulator holds every session, so AGENTS must stay below the hard limit
# (`ulimit -Hn`) minus a few descriptors of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
AGENTS=${AGENTS:-19990}
SEGMENTS=${SEGMENTS:-2}
DURATION=${DURATION:-60s}
LOGIN_RAMP=${LOGIN_RAMP:-60s}
HEARTBEAT=${HEARTBEAT:-5s}
START_DELAY=${START_DELAY:-150}
CTILOAD=${CTILOAD:-bin/ctiload}
ulimit -n "$(ulimit -Hn)"
echo "file limit $(ulimit -n); $AGENTS agents in $SEGMENTS segments, logins over $LOGIN_RAMP then $DURATION, heartbeat $HEARTBEAT; $(uptime)"
out=$(mktemp -d)
trap 'kill $sim 2>/dev/null || true' EXIT

"$CTILOAD" sim --listen 127.0.0.1:0 --agents "$AGENTS" --dialed-number 99999 --quiet 2>"$out/sim.log" &
sim=$!
for _ in $(seq 100); do
  addr=$(grep -o '127\.0\.0\.1:[0-9]*' "$out/sim.log" | head -1 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "the simulator did not start"; cat "$out/sim.log"; exit 1; }
start=$(date -u -d "+$START_DELAY sec" +%Y-%m-%dT%H:%M:%SZ)
echo "simulator on $addr; common start $start"

pids=()
for i in $(seq 0 $((SEGMENTS - 1))); do
  CTILOAD_SEGMENT_COUNT=$SEGMENTS JOB_COMPLETION_INDEX=$i CTILOAD_START_AT=$start CTILOAD_TARGET=$addr \
    /usr/bin/time -f '%M %U %S %e' -o "$out/rss-$i" \
    "$CTILOAD" run -q --no-summary --summary-export "$out/segment-$i.json" \
    -e AGENTS="$AGENTS" -e LOGIN_RAMP="$LOGIN_RAMP" -e DURATION="$DURATION" -e HEARTBEAT="$HEARTBEAT" deploy/kubernetes/base/agents.js \
    2>"$out/segment-$i.log" &
  pids+=($!)
done
simpeak=0
while kill -0 "${pids[@]}" 2>/dev/null; do
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$sim/status 2>/dev/null || echo 0)
  [ "${hwm:-0}" -gt "$simpeak" ] && simpeak=$hwm
  sleep 1
done
codes=()
for p in "${pids[@]}"; do
  c=0; wait "$p" || c=$?; codes+=("$c")
done
read -r _ _ _ _ _ _ _ _ _ _ _ _ _ simu sims _ < /proc/$sim/stat 2>/dev/null || true
kill -TERM $sim; wait $sim 2>/dev/null || true

for i in $(seq 0 $((SEGMENTS - 1))); do
  read -r rss user sys wall < <(tail -1 "$out/rss-$i")
  echo "segment $i: exit ${codes[$i]}, peak RSS $((rss / 1024)) MiB, CPU ${user}s user + ${sys}s system in ${wall}s"
done
echo "simulator: peak RSS $((simpeak / 1024)) MiB, CPU $(( ${simu:-0} / $(getconf CLK_TCK) ))s user + $(( ${sims:-0} / $(getconf CLK_TCK) ))s system"
c=0
"$CTILOAD" merge --no-color --segment-count "$SEGMENTS" -o "$out/merged.json" "$out"/segment-*.json >"$out/merged.txt" || c=$?
grep -E 'late=|load average' "$out"/segment-*.log || true
grep -E 'started up|agent_ready_after|heartbeats_missed|disconnects|opened|heartbeat round trip|open \(TCP|iterations|PASSED|FAILED|INCOMPLETE|✗' "$out/merged.txt" || true
echo "merge exit $c; files in $out; $(uptime)"
