# ./portopt bench failover: the HA cluster's failovers (./portopt up --ha) under steady load at half
# capacity: the host of the PostgreSQL leader or of the Redis master crashes for good (every process
# on it SIGKILLed at once), once through a plain client with no retries and once through the SDK.
# Prints a Markdown table: requests, failures, the time until writes flow again, lost acknowledged
# plans (ids handed out that the primary does not have once write-behind has drained), unreadable ids.
# Sourced by ./portopt after chaos.sh (chaos_load, json_field, row, unreadable_ids).

# The node that takes writes is asked node by node, each attempt bounded on its own: libpq's
# multi-host list (target_session_attrs=read-write) stops at the first node when that node accepts
# and then closes or hangs (a frozen postmaster; across hosts, the gateway in front of a dead one),
# and never tries the second.
node_dsn() { echo "host=127.0.0.1 port=$1 dbname=portopt user=postgres target_session_attrs=read-write sslmode=disable"; }
# The port of the node that takes writes now, or nothing.
writer_port() {
  local port
  for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    [[ "$(timeout 1 psql "$(node_dsn "$port")" -tAc 'SELECT NOT pg_is_in_recovery()' </dev/null 2>/dev/null)" == t ]] && { echo "$port"; return 0; }
  done
  return 1
}

# Seconds from now until COMMAND succeeds (polled every 100 ms, up to 120 s).
time_until() {
  local start=$EPOCHREALTIME
  until "$@"; do
    sleep 0.1
    (( ${EPOCHREALTIME%.*} - ${start%.*} < 120 )) || { echo "never (120 s)"; return; }
  done
  python3 -c "print(f'{$EPOCHREALTIME - $start:.1f} s')"
}

# A write commits on whichever node takes writes.
postgres_write() {
  local port
  for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    timeout 1 psql "$(node_dsn "$port")" -qc 'INSERT INTO failover_probe DEFAULT VALUES' >/dev/null 2>&1 && return 0
  done
  return 1
}
# A SET succeeds on the node Sentinel names as master.
redis_write() {
  local addr; addr="$(sentinel_master_addr 2>/dev/null)" \
    && [[ "$(redis-cli -p "${addr##*:}" SET portopt:failover-probe 1 PX 10000 2>/dev/null)" == OK ]]
}

# Plan ids (one per line) missing from the node that takes writes, after up to 60 s of draining.
lost_plans() {
  local ids="$1" missing deadline=$((SECONDS + 60))
  while :; do
    missing="$( (echo "CREATE TEMP TABLE handed (id uuid);"; echo "COPY handed FROM STDIN;"; grep . "$ids"; echo '\.';
                echo "SELECT count(*) FROM handed h WHERE NOT EXISTS (SELECT 1 FROM plan p WHERE p.id = h.id);") \
      | { port="$(writer_port)" && psql "$(node_dsn "$port")" -qtA 2>/dev/null; } | tail -1)"
    [[ "$missing" == 0 ]] || ((SECONDS >= deadline)) && break
    sleep 2
  done
  echo "${missing:-unknown}"
}

redis_master_component() {
  local addr; addr="$(sentinel_master_addr)" || return 1
  [[ "${addr##*:}" == "$REDIS_REPLICA_PORT" ]] && echo redis-replica || echo redis
}

# Brings every component of a crashed host back (a crashed database node rejoins as a standby).
restore_host() {
  local c
  for c in $(ha_host_members "$1"); do
    [[ "$c" == patroni-* ]] && continue   # started with its postgres node
    "$ROOT/portopt" start "$c" >&2 || say "warning: $c did not start again"
  done
  # The next row may crash the other node: Patroni only promotes a synchronous standby, so wait
  # until the node that came back is one again.
  for c in $(ha_host_members "$1"); do
    [[ "$c" == postgres-* ]] || continue
    wait_until "$c as synchronous standby" 90 is_sync_standby "$c" || say "warning: $c is not a synchronous standby again"
  done
}
is_sync_standby() { [[ "$(patroni_role "$1")" == "sync_standby "* ]]; }

failover_run() { # label rate retries kind(postgres|redis|postgres-frozen)
  local label="$1" rate="$2" retries="$3" kind="$4"
  local ids="$VAR/chaos/ids-failover-$kind-$retries.txt" args=(--request-timeout-ms 10000) victim host writes
  [[ "$retries" == no ]] && args+=(--no-retries)
  if [[ "$kind" == postgres* ]]; then victim="$(patroni_leader)"; else victim="$(redis_master_component)"; fi
  [[ -n "$victim" ]] || die "bench failover: no $kind leader to crash"
  host="$(ha_host_of "$victim")"
  local what="$victim's host $host crashed"
  chaos_load "$rate" 50 mixed --seed "$RANDOM" --ids-out "$ids" "${args[@]}" >"$VAR/chaos/out.json" &
  local load=$!
  sleep 5
  if [[ "$kind" == postgres-frozen ]]; then
    # Its postmaster and backends stopped, its Patroni agent alive: a gray failure of the database.
    what="$victim frozen 20 s"
    local frozen_at=$SECONDS left
    "$ROOT/portopt" freeze "$victim" >&2
    writes="$(time_until postgres_write)"
    left=$((20 - (SECONDS - frozen_at))); ((left <= 0)) || sleep "$left"
    "$ROOT/portopt" thaw "$victim" >&2
  else
    "$ROOT/portopt" crash "$victim" >&2
    if [[ "$kind" == postgres ]]; then writes="$(time_until postgres_write)"; else writes="$(time_until redis_write)"; fi
  fi
  wait "$load" || true
  row "$label: $what (retries: $retries)" \
    "bench load --rate $rate --duration 50 --mode mixed ${args[*]}" "$(cat "$VAR/chaos/out.json")"
  echo "|  | writes flow again after $writes; lost acknowledged plans: $(lost_plans "$ids") of $(grep -c . "$ids"); unreadable: $(unreadable_ids "$ids") ||||||||||"
  if [[ "$kind" == postgres-frozen ]]; then
    wait_until "$victim as synchronous standby" 90 is_sync_standby "$victim" || say "warning: $victim is not a synchronous standby again"
  else
    restore_host "$host"
  fi
}

cmd_bench_failover() {
  ha_mode && healthy haproxy || die "bench failover: start the HA cluster first (./portopt up --ha)"
  mkdir -p "$VAR/log" "$VAR/chaos"
  local port; port="$(writer_port)" || die "bench failover: no PostgreSQL node takes writes"
  psql "$(node_dsn "$port")" -qc 'CREATE TABLE IF NOT EXISTS failover_probe (at timestamptz DEFAULT now())' >/dev/null \
    || die "bench failover: no PostgreSQL node takes writes"
  local n; n="$(server_count)"
  say "measuring full-solve capacity (distinct requests, 1 s budget, 30 s at 3 req/s per server)"
  local sat capacity half
  sat="$(chaos_load $((3 * n)) 30 distinct --seed "$RANDOM")"
  capacity="$(json_field "$sat" goodputFullSolvesPerSec)"
  half="$(python3 -c "print(max(0.5, round($capacity / 2, 1)))")"
  local where="one machine, the hosts as process groups (./portopt up --ha)"
  hosts_mode && where="across hosts, each a network namespace (./portopt up --ha --hosts)"
  echo "Cluster: $where."
  echo "Full-solve capacity: $capacity plans/s ($n servers, HA cluster). Steady rate: $half/s."
  echo "Patroni ttl ${PATRONI_TTL} s, loop_wait ${PATRONI_LOOP_WAIT} s, synchronous_mode on; Sentinel down-after ${SENTINEL_DOWN_AFTER_MS} ms, quorum 2."
  echo
  echo "| scenario | command | sent | ok | failed | timeouts | conn errors | p99 ms | max ms | full solves/s | by rung |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  local retries
  for retries in no yes; do
    say "failovers under steady load (retries: $retries)"
    failover_run "PostgreSQL leader" "$half" "$retries" postgres
    failover_run "Redis master" "$half" "$retries" redis
    failover_run "PostgreSQL leader" "$half" "$retries" postgres-frozen
  done
}
