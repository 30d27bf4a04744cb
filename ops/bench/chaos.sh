# ./portopt bench chaos: the overload and fault scenarios of DESIGN section 4, against the running
# local cluster, printing each command and its figures as a Markdown table to paste into the README.
# Sourced by ./portopt (ROOT, VAR, JAVA, BENCH_JAR, say, die and the cluster helpers are defined).

chaos_load() { # rate duration mode [extra args...] -> JSON summary line
  local rate="$1" duration="$2" mode="$3"; shift 3
  PORTOPT_SKIP_BUILD=1 "$ROOT/portopt" bench load --url http://127.0.0.1:8080 --rate "$rate" \
    --duration "$duration" --mode "$mode" --quiet "$@" 2>>"$VAR/log/chaos.log" | tail -1
}

json_field() { # json path... -> value (python3 is only used to read the summary)
  python3 -c 'import json,sys
d=json.loads(sys.argv[1])
for k in sys.argv[2:]:
    d = d.get(k, {}) if isinstance(d, dict) else {}
print(d if d != {} else 0)' "$@"
}

row() { # label command json
  local label="$1" command="$2" j="$3"
  printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$command" \
    "$(json_field "$j" sent)" "$(json_field "$j" ok)" "$(json_field "$j" failed)" \
    "$(json_field "$j" timeouts)" "$(json_field "$j" connectionErrors)" \
    "$(json_field "$j" latencyMs p99)" "$(json_field "$j" latencyMs max)" "$(json_field "$j" goodputFullSolvesPerSec)" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(" ".join(f"{k}={v}" for k,v in d.get("bySource",{}).items() if v))' "$j")"
}

unreadable_ids() { # ids-file -> number of ids not readable through the load balancer
  local bad=0 id
  while read -r id; do
    [[ -n "$id" ]] || continue
    curl -fsS -o /dev/null --max-time 5 -H "Authorization: Bearer ${PORTOPT_API_KEY:-}" \
      "http://127.0.0.1:8080/v1/plans/$id" || bad=$((bad + 1))
  done <"$1"
  echo "$bad"
}

fault_run() { # label fault-commands... ; runs steady load at half capacity around the fault
  local label="$1" rate="$2" retries="$3"; shift 3
  local ids="$VAR/chaos/ids-$(echo "$label" | tr ' /' '--').txt" args=(--request-timeout-ms 10000)
  [[ "$retries" == no ]] && args+=(--no-retries)
  mkdir -p "$VAR/chaos"
  chaos_load "$rate" 50 mixed --seed "$RANDOM" --ids-out "$ids" "${args[@]}" >"$VAR/chaos/out.json" &
  local load=$!
  sleep 5
  "$@"
  wait "$load" || true
  local j; j="$(cat "$VAR/chaos/out.json")"
  row "$label" "bench load --rate $rate --duration 50 --mode mixed${args:+ ${args[*]}}" "$j"
  sleep 5
  echo "|  | plan ids unreadable after recovery | $(unreadable_ids "$ids") of $(grep -c . "$ids") ||||||||||"
}

kill_and_restart() { "$ROOT/portopt" kill server-1 >&2; sleep 20; "$ROOT/portopt" start server-1 >&2; }
redis_outage() { "$ROOT/portopt" stop redis >&2; sleep 30; "$ROOT/portopt" start redis >&2; }
primary_outage() { "$ROOT/portopt" stop postgres-primary >&2; sleep 30; "$ROOT/portopt" start postgres-primary >&2; }
# Gray failures: alive, connections open, nothing answered.
server_frozen() { "$ROOT/portopt" freeze server-1 >&2; sleep 20; "$ROOT/portopt" thaw server-1 >&2; }
# Frozen past the end of the load (it started 5 s before the fault and runs 50 s), thawed after.
server_frozen_for_good() {
  "$ROOT/portopt" freeze server-1 >&2; sleep 47; "$ROOT/portopt" thaw server-1 >&2
  wait_until server-1 60 haproxy_all_up "$(server_count)" || say "warning: server-1 not UP again after its thaw"
}
redis_frozen() { redis-cli -p "$REDIS_PORT" DEBUG SLEEP 15 >/dev/null; }
primary_frozen() { "$ROOT/portopt" freeze postgres-primary >&2; sleep 20; "$ROOT/portopt" thaw postgres-primary >&2; }
# Network faults on the servers' links to their dependencies (./portopt net, ops/launcher/netlink.py).
slow_links() { "$ROOT/portopt" net delay 200 >&2; sleep 30; "$ROOT/portopt" net heal >&2; }
# The cluster across hosts (./portopt up --hosts): faults in the kernel, on one host's link.
server_partitioned() { "$ROOT/portopt" net partition server-1 >&2; sleep 20; "$ROOT/portopt" net heal server-1 >&2; }
redis_partitioned() { "$ROOT/portopt" net partition redis >&2; sleep 15; "$ROOT/portopt" net heal redis >&2; }
primary_partitioned() { "$ROOT/portopt" net partition postgres-primary >&2; sleep 20; "$ROOT/portopt" net heal postgres-primary >&2; }
server_host_crashed() { "$ROOT/portopt" crash server-1 >&2; sleep 20; "$ROOT/portopt" start server-1 >&2; }
server_cut_off() { "$ROOT/portopt" net cut server-1 >&2; sleep 30; "$ROOT/portopt" net heal >&2; }

cmd_bench_chaos() {
  healthy haproxy || die "bench chaos: start the cluster first (./portopt up)"
  mkdir -p "$VAR/log" "$VAR/chaos"
  local n; n="$(server_count)"
  say "measuring full-solve capacity (distinct requests, 1 s budget, 30 s at 3 req/s per server)"
  local sat; sat="$(chaos_load $((3 * n)) 30 distinct --seed "$RANDOM")"
  local capacity; capacity="$(json_field "$sat" goodputFullSolvesPerSec)"
  local over half
  over="$(python3 -c "print(max(1, round(5 * $capacity, 1)))")"
  half="$(python3 -c "print(max(0.5, round($capacity / 2, 1)))")"
  local where="one machine, every component on 127.0.0.1"
  hosts_mode && where="across hosts: one network namespace per component (./portopt up --hosts)"
  ha_mode && where="HA: Patroni and Sentinel (./portopt up --ha)"
  ha_mode && hosts_mode && where="HA across hosts: Patroni and Sentinel, each host a network namespace (./portopt up --ha --hosts)"
  echo "Cluster: $where."
  echo "Full-solve capacity: $capacity plans/s ($n servers, 1 s time limit). Overload rate: $over/s; steady rate: $half/s."
  echo
  echo "| scenario | command | sent | ok | failed | timeouts | conn errors | p99 ms | max ms | full solves/s | by rung |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  row "capacity" "bench load --rate $((3 * n)) --duration 30 --mode distinct" "$sat"
  say "overload: 5x capacity for 60 s"
  local o; o="$(chaos_load "$over" 60 distinct --seed "$RANDOM")"
  row "overload 5x" "bench load --rate $over --duration 60 --mode distinct" "$o"
  echo "|  | 503s: $(json_field "$o" shed503) (p99 $(json_field "$o" shed503LatencyMs p99) ms, without Retry-After: $(json_field "$o" shed503WithoutRetryAfter)) ||||||||||"
  # Far past the figure's 5x: big problems at 20x capacity without client retries, so the shed rung
  # (503 + Retry-After) has to answer; what counts is that nothing times out and 503s stay fast.
  local flood; flood="$(python3 -c "print(max(2, round(20 * $capacity, 1)))")"
  say "flood: 20x capacity, 150-250 vessels per problem, 30 s, no client retries"
  local f; f="$(chaos_load "$flood" 30 distinct --seed "$RANDOM" --vessels 150-250 --no-retries)"
  row "flood 20x, big problems" "bench load --rate $flood --duration 30 --mode distinct --vessels 150-250 --no-retries" "$f"
  echo "|  | 503s: $(json_field "$f" shed503) (p99 $(json_field "$f" shed503LatencyMs p99) ms, without Retry-After: $(json_field "$f" shed503WithoutRetryAfter)); 200 p99 $(json_field "$f" okLatencyMs p99) ms ||||||||||"
  local retries
  for retries in no yes; do
    say "faults under steady load (retries: $retries)"
    fault_run "kill -9 server-1 (retries: $retries)" "$half" "$retries" kill_and_restart
    fault_run "Redis stopped 30 s (retries: $retries)" "$half" "$retries" redis_outage
    fault_run "primary stopped 30 s (retries: $retries)" "$half" "$retries" primary_outage
    fault_run "server-1 frozen 20 s (retries: $retries)" "$half" "$retries" server_frozen
    fault_run "server-1 frozen for good (retries: $retries)" "$half" "$retries" server_frozen_for_good
    fault_run "Redis DEBUG SLEEP 15 (retries: $retries)" "$half" "$retries" redis_frozen
    fault_run "primary frozen 20 s (retries: $retries)" "$half" "$retries" primary_frozen
    fault_run "+200 ms each way on Redis and PostgreSQL links, 30 s (retries: $retries)" "$half" "$retries" slow_links
    fault_run "server-1 cut off from Redis and PostgreSQL 30 s (retries: $retries)" "$half" "$retries" server_cut_off
    if hosts_mode; then
      fault_run "server-1's host partitioned 20 s (hosts; retries: $retries)" "$half" "$retries" server_partitioned
      fault_run "Redis's host partitioned 15 s (hosts; retries: $retries)" "$half" "$retries" redis_partitioned
      fault_run "primary's host partitioned 20 s (hosts; retries: $retries)" "$half" "$retries" primary_partitioned
      fault_run "server-1's host crashed, back after 20 s (hosts; retries: $retries)" "$half" "$retries" server_host_crashed
    fi
  done
}
