#!/usr/bin/env bash
# Request round trips a second and per CPU-second: scripts/bench/round-trips.js (VUS VUs, each
# with its own session, one request/confirmation after another for DURATION) against `ctiload
# sim` in its own process on 127.0.0.1, both on this machine. It prints the round trips a second
# (cti_requests), the request p99, the CPU time (user + system) of each process and the round
# trips per CPU-second of the two together: on a shared or small machine the rate follows the
# cores the two get, the per-CPU-second figure much less. See docs/performance.md, "Request
# round trips".
#
#   VUS=10 DURATION=10s scripts/bench/round-trips.sh
#   CTILOAD=/tmp/ctiload-old VUS=100 REQUEST=heartbeat scripts/bench/round-trips.sh
#
# Needs: Linux (/proc), and jq for the figures from the summary export.
set -euo pipefail
cd "$(dirname "$0")/../.."
VUS=${VUS:-10}
DURATION=${DURATION:-10s}
REQUEST=${REQUEST:-query}
CTILOAD=${CTILOAD:-bin/ctiload}
command -v jq >/dev/null || { echo "round-trips.sh needs jq"; exit 1; }
out=$(mktemp -d)
sim=
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; rm -rf "$out"' EXIT

"$CTILOAD" sim --listen 127.0.0.1:0 --agents "$VUS" --quiet >"$out/sim.txt" 2>"$out/sim.log" &
sim=$!
addr=
for _ in $(seq 100); do
  addr=$(grep -so '127\.0\.0\.1:[0-9]*' "$out/sim.log" | head -1 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { echo "the simulator did not start"; cat "$out/sim.log"; exit 1; }

# CPU ticks (user, system) of a process so far.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sim0=$(ticks "$sim")
c=0
/usr/bin/time -f '%U %S' -o "$out/time" "$CTILOAD" run -q --no-summary --target "$addr" \
  --summary-export "$out/summary.json" -e VUS="$VUS" -e DURATION="$DURATION" -e REQUEST="$REQUEST" \
  scripts/bench/round-trips.js 2>"$out/run.log" || c=$?
sim1=$(ticks "$sim")
[ "$c" = 0 ] || { echo "ctiload run exited $c"; cat "$out/run.log"; exit "$c"; }

hz=$(getconf CLK_TCK)
read -r cu cs <"$out/time"
jq -r --arg cu "$cu" --arg cs "$cs" --arg simcpu "$(awk -v t=$((sim1 - sim0)) -v hz="$hz" 'BEGIN {print t / hz}')" --arg vus "$VUS" '
  (.metrics[] | select(.key == "cti_requests") | .values) as $rt
  | (.metrics[] | select(.key == "cti_request_duration") | .values) as $lat
  | (($cu | tonumber) + ($cs | tonumber)) as $client
  | ($simcpu | tonumber) as $sim
  | "\($vus) VUs: \($rt.count) round trips, \($rt.rate | floor)/s, p99 \($lat["p(99)"] * 100 | round / 100) ms; CPU: client \($client)s, simulator \($sim)s; \($rt.count / ($client + $sim) | floor) round trips per CPU-second"
' "$out/summary.json"
echo "$(uptime)"
