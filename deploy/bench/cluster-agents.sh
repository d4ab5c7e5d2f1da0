#!/usr/bin/env bash
# The scale measurement of docs/cluster.md, on one machine: AGENTS agent desktops (open
# session, login, READY, heartbeats) split over SEGMENTS local `ctiload run` processes, exactly
# as the pods of the Indexed Job run them (CTILOAD_SEGMENT_COUNT, JOB_COMPLETION_INDEX, a common
# CTILOAD_START_AT), against one separate `ctiload sim` process on 127.0.0.1. It prints the peak
# RSS and CPU time of every process, the time the whole center took to log in, the heartbeat misses and the
# merged verdict. With SIMS=N the segments share N simulator processes (segment i talks to
# simulator i mod N): one process holds at most the hard file limit of sessions, so 50,000 agents
# on one machine need several. Not part of `make test`: `make bench-cluster` (about five minutes: START_DELAY, the ramp, the hold).
#
#   AGENTS=19990 SEGMENTS=2 LOGIN_RAMP=60s DURATION=60s HEARTBEAT=5s deploy/bench/cluster-agents.sh
#   AGENTS=50000 SEGMENTS=4 SIMS=4 LOGIN_RAMP=200s HEARTBEAT=5s START_DELAY=75 deploy/bench/cluster-agents.sh
#     (docs/cluster.md: the eight processes on two cores, about 0.9 core once all are in)
#
# Needs: each process holds one socket per session, so the soft file limit is raised to the
# hard one; a simulator holds every session of its segments, so AGENTS/SIMS must stay below the
# hard limit (`ulimit -Hn`) minus a few descriptors of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
AGENTS=${AGENTS:-19990}
SEGMENTS=${SEGMENTS:-2}
SIMS=${SIMS:-1}
DURATION=${DURATION:-60s}
LOGIN_RAMP=${LOGIN_RAMP:-60s}
HEARTBEAT=${HEARTBEAT:-5s}
START_DELAY=${START_DELAY:-150}
CTILOAD=${CTILOAD:-bin/ctiload}
ulimit -n "$(ulimit -Hn)"
echo "file limit $(ulimit -n); $AGENTS agents in $SEGMENTS segments, logins over $LOGIN_RAMP then $DURATION, heartbeat $HEARTBEAT; $(uptime)"
out=$(mktemp -d)
sims=()
trap 'kill "${sims[@]}" 2>/dev/null || true' EXIT

# Every simulator knows all the agents (a segment's agents are a slice of the whole numbering).
addrs=()
for j in $(seq 0 $((SIMS - 1))); do
  "$CTILOAD" sim --listen 127.0.0.1:0 --agents "$AGENTS" --dialed-number 99999 --quiet >"$out/sim-$j.txt" 2>"$out/sim-$j.log" &
  sims+=($!)
  addr=
  for _ in $(seq 100); do
    addr=$(grep -so '127\.0\.0\.1:[0-9]*' "$out/sim-$j.log" | head -1 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "simulator $j did not start"; cat "$out/sim-$j.log"; exit 1; }
  addrs+=("$addr")
done
start=$(date -u -d "+$START_DELAY sec" +%Y-%m-%dT%H:%M:%SZ)
echo "simulators on ${addrs[*]}; common start $start"

pids=()
for i in $(seq 0 $((SEGMENTS - 1))); do
  CTILOAD_SEGMENT_COUNT=$SEGMENTS JOB_COMPLETION_INDEX=$i CTILOAD_START_AT=$start CTILOAD_TARGET=${addrs[$((i % SIMS))]} \
    /usr/bin/time -f '%M %U %S %e' -o "$out/rss-$i" \
    "$CTILOAD" run -q --no-summary --summary-export "$out/segment-$i.json" \
    -e AGENTS="$AGENTS" -e LOGIN_RAMP="$LOGIN_RAMP" -e DURATION="$DURATION" -e HEARTBEAT="$HEARTBEAT" deploy/kubernetes/base/agents.js \
    2>"$out/segment-$i.log" &
  pids+=($!)
done
simpeak=()
for j in "${!sims[@]}"; do simpeak[$j]=0; done
while kill -0 "${pids[@]}" 2>/dev/null; do
  for j in "${!sims[@]}"; do
    hwm=$(awk '/VmHWM/ {print $2}' /proc/${sims[$j]}/status 2>/dev/null || echo 0)
    [ "${hwm:-0}" -gt "${simpeak[$j]}" ] && simpeak[$j]=$hwm
  done
  sleep 1
done
codes=()
for p in "${pids[@]}"; do
  c=0; wait "$p" || c=$?; codes+=("$c")
done
simcpu=()
for j in "${!sims[@]}"; do
  simu=0 sims_=0
  read -r _ _ _ _ _ _ _ _ _ _ _ _ _ simu sims_ _ < /proc/${sims[$j]}/stat 2>/dev/null || true
  simcpu[$j]="$(( ${simu:-0} / $(getconf CLK_TCK) ))s user + $(( ${sims_:-0} / $(getconf CLK_TCK) ))s system"
done
kill -TERM "${sims[@]}"; wait "${sims[@]}" 2>/dev/null || true

for i in $(seq 0 $((SEGMENTS - 1))); do
  read -r rss user sys wall < <(tail -1 "$out/rss-$i")
  echo "segment $i: exit ${codes[$i]}, peak RSS $((rss / 1024)) MiB, CPU ${user}s user + ${sys}s system in ${wall}s"
done
for j in "${!sims[@]}"; do
  echo "simulator $j: peak RSS $((simpeak[$j] / 1024)) MiB, CPU ${simcpu[$j]};" \
    "$(grep -E '^ +(opened|rejected|HEARTBEAT_REQ) ' "$out/sim-$j.txt" | tr -s ' ' | tr '\n' ',')"
done
c=0
"$CTILOAD" merge --no-color --segment-count "$SEGMENTS" -o "$out/merged.json" "$out"/segment-*.json >"$out/merged.txt" || c=$?
grep -E 'late=|load average' "$out"/segment-*.log || true
grep -E 'started up|agent_ready_after|heartbeats_missed|disconnects|opened|heartbeat round trip|open \(TCP|iterations|PASSED|FAILED|INCOMPLETE|✗' "$out/merged.txt" || true
echo "merge exit $c; files in $out; $(uptime)"
