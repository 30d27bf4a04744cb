# portopt high-availability mode (./portopt up --ha): failover by established engines, none of it
# home-made. Sourced by cluster.sh.
#
# - PostgreSQL: Patroni over a three-member etcd. postgres-primary (5433) and postgres-replica
#   (5434) are the two Patroni members, named after the role each starts in; after a failover the
#   names stay with the nodes and `./portopt status` shows who leads. Synchronous replication
#   (Patroni's synchronous_mode): a commit is acknowledged once the standby has it, so a failover
#   loses no acknowledged plan; Patroni promotes only the synchronous standby.
# - Redis: a master (redis, 6380), a replica (redis-replica, 6381) and three Sentinels
#   (26380-26382, quorum 2). Lettuce asks the Sentinels where the master is.
# - Hosts: the components are grouped as the hosts they would run on (ha_host_members), so
#   `./portopt crash C` kills every process on C's host at once, as a power loss would.
#
# The servers reach every one of these through their own links (netlink.py), so `./portopt net`
# faults work as in the default mode.

HA_MODE_FILE="$VAR/cluster/mode"
ETCD_NAMES=(etcd-1 etcd-2 etcd-3)
SENTINEL_NAMES=(sentinel-1 sentinel-2 sentinel-3)
REDIS_REPLICA_PORT=6381
REDIS_MASTER_NAME=portopt
HA_PACKAGES=(patroni python3-etcd etcd-server etcd-client)
# Patroni's timing (seconds). A leader whose agent is gone keeps its key for PATRONI_TTL; the standby
# checks every PATRONI_LOOP_WAIT. loop_wait + 2 * retry_timeout must stay under ttl. With ttl 10 a
# crashed leader's host (its etcd member with it) took 13-15 s until writes flowed again
# (./portopt bench failover); ttl 8 leaves margin under the 15 s goal.
PATRONI_TTL="${PORTOPT_PATRONI_TTL:-8}"
PATRONI_LOOP_WAIT=1
PATRONI_RETRY_TIMEOUT=3
SENTINEL_DOWN_AFTER_MS="${PORTOPT_SENTINEL_DOWN_AFTER_MS:-2000}"

# The mode file holds default, ha, hosts or ha-hosts (the HA cluster across hosts).
cluster_mode() { if [[ -s "$HA_MODE_FILE" ]]; then cat "$HA_MODE_FILE"; else echo default; fi; }
ha_mode() { [[ "$(cluster_mode)" == ha || "$(cluster_mode)" == ha-hosts ]]; }
set_mode() { mkdir -p "$(dirname "$HA_MODE_FILE")"; echo "$1" >"$HA_MODE_FILE"; }
# The HA engines' state (etcd's data, Patroni's nodes, Sentinel's files) under var/, or under
# var/hosts/ across hosts: etcd members and Sentinels remember their peers by address, so a cluster
# made on 127.0.0.1 cannot be started on the hosts' addresses, nor the reverse.
ha_state() { if hosts_mode; then echo hosts/; fi; }

etcd_client_port() { echo $((12379 + 10 * (${1#etcd-} - 1))); }
etcd_peer_port() { echo $(($(etcd_client_port "$1") + 1)); }
sentinel_port() { echo $((26379 + ${1#sentinel-})); }
sentinel_ports() { local s; for s in "${SENTINEL_NAMES[@]}"; do sentinel_port "$s"; done; }
patroni_port() { case "$1" in patroni-primary|postgres-primary) echo 8008 ;; *) echo 8009 ;; esac; }
patroni_of() { case "$1" in postgres-primary) echo patroni-primary ;; postgres-replica) echo patroni-replica ;; esac; }
postgres_of() { case "$1" in patroni-primary) echo postgres-primary ;; patroni-replica) echo postgres-replica ;; esac; }
node_port() { case "$1" in postgres-primary|patroni-primary) echo "$PRIMARY_PORT" ;; *) echo "$REPLICA_PORT" ;; esac; }

# The hosts of the HA cluster: each component's neighbours, killed together by `crash`.
ha_host_of() {
  case "$1" in
    etcd-1|patroni-primary|postgres-primary) echo db-1 ;;
    etcd-2|patroni-replica|postgres-replica) echo db-2 ;;
    redis|sentinel-1) echo cache-1 ;;
    redis-replica|sentinel-2) echo cache-2 ;;
    etcd-3|sentinel-3) echo witness ;;
    *) return 1 ;;
  esac
}
ha_host_members() {
  case "$1" in
    db-1) echo etcd-1 patroni-primary postgres-primary ;;
    db-2) echo etcd-2 patroni-replica postgres-replica ;;
    cache-1) echo redis sentinel-1 ;;
    cache-2) echo redis-replica sentinel-2 ;;
    witness) echo etcd-3 sentinel-3 ;;
  esac
}

ha_component_names() { echo "${ETCD_NAMES[@]}" patroni-primary patroni-replica redis-replica "${SENTINEL_NAMES[@]}"; }

ha_component_port() {
  case "$1" in
    etcd-[1-3]) etcd_client_port "$1" ;;
    patroni-primary|patroni-replica) patroni_port "$1" ;;
    redis-replica) echo "$REDIS_REPLICA_PORT" ;;
    sentinel-[1-3]) sentinel_port "$1" ;;
    *) return 1 ;;
  esac
}

ha_healthy() {
  local port; port="$(ha_component_port "$1")" || return 1
  case "$1" in
    etcd-*) curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"health":"true"' ;;
    patroni-*) http_ok "http://127.0.0.1:$port/health" ;;
    redis-replica|sentinel-*) redis-cli -p "$port" ping 2>/dev/null | grep -q PONG ;;
  esac
}

# --- etcd --------------------------------------------------------------------------------------
start_etcd() {
  local name="$1" cluster="" e addr data
  alive "$name" && return 0
  command -v etcd >/dev/null || die "etcd missing (apt-get install etcd-server)"
  for e in "${ETCD_NAMES[@]}"; do cluster+="${cluster:+,}$e=http://$(addr_of "$e"):$(etcd_peer_port "$e")"; done
  addr="$(addr_of "$name")"; data="$VAR/$(ha_state)$name"
  mkdir -p "$data"; chmod 700 "$data"
  # Heartbeat 100 ms, election 1 s: a lost member is replaced within about a second on one machine.
  ETCD_UNSUPPORTED_ARCH="" spawn "$name" etcd --name "$name" --data-dir "$data" \
    --listen-client-urls "http://$addr:$(etcd_client_port "$name")" \
    --advertise-client-urls "http://$addr:$(etcd_client_port "$name")" \
    --listen-peer-urls "http://$addr:$(etcd_peer_port "$name")" \
    --initial-advertise-peer-urls "http://$addr:$(etcd_peer_port "$name")" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token portopt \
    --heartbeat-interval 100 --election-timeout 1000 --logger zap --log-level warn --enable-v2=true
}

etcd_hosts_yaml() {
  local e out=""
  for e in "${ETCD_NAMES[@]}"; do out+="${out:+, }$(addr_of "$e"):$(etcd_client_port "$e")"; done
  echo "[$out]"
}

# --- Patroni + PostgreSQL ----------------------------------------------------------------------
patroni_config() { # patroni-primary|patroni-replica -> path of its YAML
  local agent="$1" node dir port rest cfg addr hosts_hba=""
  node="$(postgres_of "$agent")"; port="$(node_port "$agent")"; rest="$(patroni_port "$agent")"
  dir="$(pg_dir "$(ha_state)$agent")"; cfg="$dir/patroni.yml"; addr="$(addr_of "$agent")"
  # Across hosts the nodes replicate over the hosts' network, which is trusted as loopback is (it
  # reaches nothing else).
  hosts_mode && hosts_hba="
    - host all all $HOSTS_SUBNET.0/24 trust
    - host replication all $HOSTS_SUBNET.0/24 trust"
  cat >"$cfg" <<EOF
# Written by ./portopt up --ha (ops/launcher/ha.sh); rewritten at every start.
scope: portopt
name: $node
log: {level: WARNING}
restapi: {listen: $addr:$rest, connect_address: $addr:$rest}
# etcd's v2 API, not etcd3: Patroni 3.0.2's etcd3 code refreshes the leader key with an unconditional
# put, so a leader whose agent stalled past the TTL (its PostgreSQL frozen) overwrote its successor's
# key when it resumed; the successor was demoted and rebuilt from the stale node, and what it had
# committed meanwhile was lost (./portopt bench failover, the frozen-leader row). The v2 code
# refreshes with a compare-and-swap on its own name, and demotes itself when that fails.
etcd: {hosts: $(etcd_hosts_yaml), protocol: http}
bootstrap:
  dcs:
    ttl: $PATRONI_TTL
    loop_wait: $PATRONI_LOOP_WAIT
    retry_timeout: $PATRONI_RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    # A commit waits for the standby: no acknowledged write is lost when Patroni promotes it, and
    # Patroni promotes only a synchronous standby. Not strict: a primary left alone keeps writing.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        # A standby that is alive but silent is dropped after 5 s, not 60: commits waiting on a
        # frozen synchronous standby resume once Patroni sees it gone.
        wal_sender_timeout: 5s
  initdb: [{encoding: UTF8}, {locale: C.UTF-8}, {auth: trust}]
postgresql:
  # Patroni connects to its own node on the first address.
  listen: $( [[ "$addr" == 127.0.0.1 ]] && echo "127.0.0.1:$port" || echo "$addr,127.0.0.1:$port")
  connect_address: $addr:$port
  # Here, not in the bootstrap section: Patroni writes pg_hba.conf from it at every start.
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust$hosts_hba
  data_dir: $dir/data
  bin_dir: $PG_BIN
  pgpass: $dir/pgpass
  authentication:
    superuser: {username: postgres}
    replication: {username: postgres}
    rewind: {username: postgres}
  parameters:
    unix_socket_directories: $dir
watchdog: {mode: off}
EOF
  chown postgres:postgres "$cfg" 2>/dev/null || true
  echo "$cfg"
}

start_patroni() {
  local agent="$1" cfg
  alive "$agent" && return 0
  command -v patroni >/dev/null || die "patroni missing (apt-get install patroni python3-etcd)"
  ensure_pg_installed
  cfg="$(patroni_config "$agent")"
  # setpriv execs Patroni as postgres (no wrapper process): the pid file holds the agent itself.
  touch "$VAR/log/$agent.log"
  if [[ $EUID -eq 0 ]]; then
    spawn "$agent" setpriv --reuid postgres --regid postgres --init-groups env HOME="$(dirname "$cfg")" patroni "$cfg"
  else
    spawn "$agent" patroni "$cfg"
  fi
}

# The postmaster Patroni runs for NODE: var/run/NODE.pid follows it (Patroni restarts PostgreSQL
# after a crash, under a new pid).
refresh_postgres_pid() {
  local node="$1" data pid
  data="$VAR/$(ha_state)$(patroni_of "$node")/data"
  pid="$(head -1 "$data/postmaster.pid" 2>/dev/null)" || true
  if [[ -n "$pid" ]] && running_pid "$pid"; then echo "$pid" >"$VAR/run/$node.pid"; else rm -f "$VAR/run/$node.pid"; fi
}

# The member that holds the leader key, from any agent's REST API; empty when none answers.
patroni_leader() {
  local rest out
  for rest in 8008 8009; do
    out="$(curl -fsS --max-time 2 "http://127.0.0.1:$rest/cluster" 2>/dev/null \
      | jq -r '.members[] | select(.role == "leader") | .name' 2>/dev/null)" && [[ -n "$out" ]] && { echo "$out"; return 0; }
  done
  return 1
}

patroni_role() { # NODE -> leader|sync_standby|replica|...
  curl -fsS --max-time 2 "http://127.0.0.1:$(patroni_port "$1")/cluster" 2>/dev/null \
    | jq -r --arg n "$1" '.members[] | select(.name == $n) | "\(.role) \(.state)"' 2>/dev/null
}

start_postgres_node() { # postgres-primary|postgres-replica: its Patroni agent, then wait for the postmaster
  local node="$1" agent; agent="$(patroni_of "$node")"
  start_patroni "$agent"
  wait_until "$node" 120 pg_isready -q -h 127.0.0.1 -p "$(node_port "$node")" \
    || die "$node did not come up under Patroni; see var/log/$agent.log"
  wait_until "$node pid" 10 refresh_postgres_pid_ok "$node" || true
}
refresh_postgres_pid_ok() { refresh_postgres_pid "$1"; [[ -s "$VAR/run/$1.pid" ]]; }

# A graceful stop of a node is a stop of its agent: Patroni shuts PostgreSQL down and, if it led,
# hands the leader key over at once (a switchover, not a failover after the TTL).
stop_postgres_node() {
  local node="$1" agent; agent="$(patroni_of "$node")"
  terminate "$agent" TERM 60
  # A postmaster left behind by an agent that was killed is stopped too.
  local data="$VAR/$(ha_state)$agent/data"
  if [[ -f "$data/postmaster.pid" ]] && find_pg_bin; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -f "$VAR/run/$node.pid"
}

takes_writes() { [[ "$(psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAc "SELECT pg_is_in_recovery()" 2>/dev/null)" == f ]]; }

ha_db_url() { # primary|replica [PRIMARY_HOST:PORT REPLICA_HOST:PORT] (the servers' links; the nodes through 127.0.0.1 by default)
  local kind="$1" n1="${2:-127.0.0.1:$PRIMARY_PORT}" n2="${3:-127.0.0.1:$REPLICA_PORT}"
  # The JDBC driver finds the node that takes writes itself (targetServerType); it rechecks a host's
  # role every 2 s instead of 10, so a promoted standby is found within the failover.
  if [[ "$kind" == primary ]]; then
    echo "jdbc:postgresql://$n1,$n2/portopt?targetServerType=primary&hostRecheckSeconds=2&connectTimeout=2&socketTimeout=10"
  else
    echo "jdbc:postgresql://$n2,$n1/portopt?targetServerType=preferSecondary&hostRecheckSeconds=2&connectTimeout=2&socketTimeout=10"
  fi
}

# --- Redis replica + Sentinel ------------------------------------------------------------------
# A Redis node (re)started in the HA cluster follows whoever the Sentinels say is master now: a
# crashed master that came back as an empty master would be synced from by its replica. Before any
# Sentinel runs (a fresh cluster), redis leads and redis-replica follows it.
redis_replicaof_args() { # own port -> --replicaof HOST PORT, or nothing when this node is the master
  local own="$1" master_port="$REDIS_PORT" master_host addr
  master_host="$(addr_of redis)"
  addr="$(sentinel_master_addr 2>/dev/null)" && { master_host="${addr%:*}"; master_port="${addr##*:}"; }
  [[ "$master_port" == "$own" ]] || echo "--replicaof $master_host $master_port"
}

start_redis_replica() {
  alive redis-replica && return 0
  mkdir -p "$VAR/redis-replica"
  rm -f "$VAR/redis-replica/dump.rdb"   # a cache starts empty (see start_redis)
  local net_args; read -ra net_args <<<"$(redis_net_args redis-replica)"
  # shellcheck disable=SC2046
  spawn redis-replica redis-server "${net_args[@]}" --port "$REDIS_REPLICA_PORT" --save "" --appendonly no \
    --dir "$VAR/redis-replica" --maxmemory 1gb --maxmemory-policy allkeys-lru \
    $(redis_replicaof_args "$REDIS_REPLICA_PORT")
}

start_sentinel() {
  local name="$1" port conf
  alive "$name" && return 0
  port="$(sentinel_port "$name")"; conf="$VAR/$(ha_state)cluster/$name.conf"
  mkdir -p "$(dirname "$conf")"
  # Sentinel rewrites its file with what it learns (the current master, its peers): kept across
  # restarts so a restarted Sentinel knows of a failover that happened without it.
  if [[ ! -s "$conf" ]]; then
    cat >"$conf" <<EOF
port $port
bind $(addr_of "$name")$(hosts_mode && echo " 127.0.0.1
protected-mode no")
daemonize no
sentinel resolve-hostnames no
sentinel monitor $REDIS_MASTER_NAME $(addr_of redis) $REDIS_PORT 2
sentinel down-after-milliseconds $REDIS_MASTER_NAME $SENTINEL_DOWN_AFTER_MS
sentinel failover-timeout $REDIS_MASTER_NAME 10000
sentinel parallel-syncs $REDIS_MASTER_NAME 1
EOF
  fi
  spawn "$name" redis-server "$conf" --sentinel
}

sentinel_master_addr() {
  local s out
  for s in "${SENTINEL_NAMES[@]}"; do
    out="$(redis-cli -p "$(sentinel_port "$s")" SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | paste -sd: -)"
    [[ "$out" == *:* ]] && { echo "$out"; return 0; }
  done
  return 1
}

ha_redis_url() { # [sentinel HOST:PORT...] (through 127.0.0.1 by default)
  local nodes=("$@") p out=""
  ((${#nodes[@]})) || for p in $(sentinel_ports); do nodes+=("127.0.0.1:$p"); done
  for p in "${nodes[@]}"; do out+="${out:+,}$p"; done
  echo "redis-sentinel://$out#$REDIS_MASTER_NAME"
}

# --- the HA cluster's start, stop, crash -------------------------------------------------------
ha_start_dependencies() {
  ensure_packages "${HA_PACKAGES[@]}"
  local e s
  say "starting etcd (3 members: ${ETCD_NAMES[*]})"
  for e in "${ETCD_NAMES[@]}"; do start_etcd "$e"; done
  for e in "${ETCD_NAMES[@]}"; do wait_healthy "$e" 30; done
  if [[ ! -f "$VAR/$(ha_state)patroni-primary/data/PG_VERSION" && ! -f "$VAR/$(ha_state)patroni-replica/data/PG_VERSION" ]]; then
    say "starting PostgreSQL under Patroni: postgres-primary (:$PRIMARY_PORT) bootstraps, postgres-replica (:$REPLICA_PORT) follows"
    start_postgres_node postgres-primary
  else
    # Both agents at once: whichever led last (or was its synchronous standby) takes the lead again;
    # Patroni will not promote a node that might miss committed data.
    say "starting PostgreSQL under Patroni: postgres-primary (:$PRIMARY_PORT) and postgres-replica (:$REPLICA_PORT)"
    start_patroni patroni-primary
    start_patroni patroni-replica
  fi
  wait_until "a Patroni leader" 90 patroni_leader >/dev/null || die "Patroni elected no leader; see var/log/patroni-*.log"
  local leader; leader="$(patroni_leader)"
  wait_until "the leader accepting writes" 60 takes_writes "$(node_port "$leader")" || die "the Patroni leader $leader takes no writes"
  pg_create_db "$(node_port "$leader")" portopt
  # The timing above is the cluster's dynamic configuration in etcd: bootstrap writes it once, so a
  # cluster made by an earlier version is brought to it here.
  curl -fsS -o /dev/null --max-time 5 -X PATCH -H 'Content-Type: application/json' \
    -d "{\"ttl\": $PATRONI_TTL, \"loop_wait\": $PATRONI_LOOP_WAIT, \"retry_timeout\": $PATRONI_RETRY_TIMEOUT}" \
    "http://127.0.0.1:$(patroni_port "$leader")/config" || say "warning: could not set Patroni's timing"
  start_postgres_node postgres-replica
  say "starting redis (:$REDIS_PORT), redis-replica (:$REDIS_REPLICA_PORT) and Sentinels (26380-26382)"
  start_redis
  wait_healthy redis 20
  start_redis_replica
  for s in "${SENTINEL_NAMES[@]}"; do start_sentinel "$s"; done
  for s in "${SENTINEL_NAMES[@]}"; do wait_healthy "$s" 20; done
  wait_healthy redis-replica 20
  # After a restart the Sentinels remember an earlier failover while both nodes start fresh: up
  # returns once the node they name is master (they reconfigure the nodes themselves).
  wait_until "Sentinel and Redis agreeing on the master" 30 sentinel_master_is_master \
    || say "warning: the node the Sentinels name is not master yet"
}
sentinel_master_is_master() {
  local addr; addr="$(sentinel_master_addr 2>/dev/null)" || return 1
  [[ "$(redis-cli -p "${addr##*:}" ROLE 2>/dev/null | head -1)" == master ]]
}

ha_stop_dependencies() {
  local s e
  for s in "${SENTINEL_NAMES[@]}"; do terminate "$s" TERM 10; done
  terminate redis-replica TERM 15
  # The standby first, so the leader does not fail over to it while going down, and is the one that
  # leads at the next start.
  local leader; leader="$(patroni_leader 2>/dev/null)" || leader=postgres-primary
  if [[ "$leader" == postgres-replica ]]; then
    stop_postgres_node postgres-primary; stop_postgres_node postgres-replica
  else
    stop_postgres_node postgres-replica; stop_postgres_node postgres-primary
  fi
  for e in "${ETCD_NAMES[@]}"; do terminate "$e" TERM 15; done
}

# ./portopt crash C: every process on C's host killed at once with SIGKILL (agents, databases and
# their backends, etcd or Sentinel beside them), as a power loss would. `./portopt start` brings each
# back; a crashed database node rejoins as a standby of the new leader (pg_rewind if needed).
cmd_crash() {
  local name="${1:-}" host c pid pids=()
  [[ -n "$name" ]] || die "crash: which component's host?"
  if hosts_mode; then hosts_crash "$name"; return; fi
  ha_mode || die "crash: needs the HA cluster (./portopt up --ha) or the cluster across hosts (--hosts)"
  host="$(ha_host_of "$name")" || die "crash: $name is not on a host of the HA cluster (one of: $(ha_component_names) postgres-primary postgres-replica redis)"
  for c in $(ha_host_members "$host"); do
    pid="$(pid_of "$c")" && running_pid "$pid" && pids+=($(process_tree "$pid"))
  done
  ((${#pids[@]})) || die "crash: nothing runs on host $host"
  kill -9 "${pids[@]}" 2>/dev/null || true
  for c in $(ha_host_members "$host"); do rm -f "$VAR/run/$c.pid"; done
  say "host $host crashed: $(ha_host_members "$host") (SIGKILL to pids ${pids[*]})"
}
