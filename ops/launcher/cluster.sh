# portopt local cluster: every component a plain process on 127.0.0.1, state under var/.
# Sourced by ./portopt (which defines ROOT, VAR, JAVA, SERVER_JAR, say, die, build, pg_* helpers).

OPS="$ROOT/ops"
HAPROXY_SOCK="$VAR/run/haproxy.sock"
SERVERS_FILE="$VAR/cluster/servers"
CLUSTER_PACKAGES=(haproxy redis-server postgresql prometheus prometheus-alertmanager
                  prometheus-redis-exporter prometheus-postgres-exporter socat curl jq openssl)
PRIMARY_PORT=5433
REPLICA_PORT=5434
REDIS_PORT=6380
SERVER_MAXCONN="${PORTOPT_SERVER_MAXCONN:-32}"
SERVER_HEAP="${PORTOPT_SERVER_HEAP:-1536m}"
# Each server reaches Redis and PostgreSQL through its own links (ops/launcher/netlink.py), so a
# network fault (./portopt net) can hit one server's path only: server-N's links listen on
# 15000 + 10 N (Redis), + 1 (primary), + 2 (replica). Their faults are in NET_STATE.
NET_STATE="$VAR/cluster/net.json"
link_port() { echo $((15000 + 10 * ${1#server-} + $2)); }
# shellcheck source=ha.sh
source "$OPS/launcher/ha.sh"
# shellcheck source=hosts.sh
source "$OPS/launcher/hosts.sh"

# --- packages ----------------------------------------------------------------------------------
ensure_cluster_packages() { ensure_packages "${CLUSTER_PACKAGES[@]}" "${HA_PACKAGES[@]}"; }
# The browser tests of the console (e2e/console) drive Debian's Chromium.
TEST_PACKAGES=(chromium nodejs)
ensure_test_packages() { ensure_packages "${TEST_PACKAGES[@]}"; }

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
  say "installing Debian packages: ${missing[*]} (apt-get; their own services are not started)"
  # policy-rc.d 101 keeps the packages' init scripts from starting daemons on our ports.
  local had_policy=""; [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
  [[ -n "$had_policy" ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { [[ -n "$had_policy" ]] || rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  [[ -n "$had_policy" ]] || rm -f /usr/sbin/policy-rc.d
}

# --- process helpers ---------------------------------------------------------------------------
pid_of() {
  [[ "$1" == postgres-primary || "$1" == postgres-replica ]] && ha_mode && refresh_postgres_pid "$1"
  local f="$VAR/run/$1.pid"; [[ -s "$f" ]] && cat "$f"
}
# A process that exists and is not a zombie waiting to be reaped.
running_pid() { [[ -r "/proc/$1/stat" ]] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
alive() { local pid; pid="$(pid_of "$1")" && [[ -n "$pid" ]] && running_pid "$pid"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# Starts a foreground program in the background as its own process (the pid file holds it, not a
# wrapper shell), output appended to var/log/NAME.log. In the hosts mode it runs on NAME's host
# (ip netns exec execs the program, so the pid is still the program's).
spawn() {
  local name="$1" ns wrap=(); shift
  mkdir -p "$VAR/log" "$VAR/run"
  if ns="$(spawn_ns_of "$name")"; then ensure_host_of "$name"; wrap=(ip netns exec "$ns"); fi
  nohup setsid "${wrap[@]}" "$@" >>"$VAR/log/$name.log" 2>&1 </dev/null &
  echo $! >"$VAR/run/$name.pid"
}

wait_until() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

# Sends a signal and waits for the process to go; SIGKILL after the grace period.
terminate() {
  local name="$1" signal="${2:-TERM}" grace="${3:-40}" pid
  pid="$(pid_of "$name")" || return 0
  if running_pid "$pid"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + grace))
    while running_pid "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if running_pid "$pid"; then
      say "$name did not stop in ${grace}s: SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
      while running_pid "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$VAR/run/$name.pid"
}

server_count() { [[ -s "$SERVERS_FILE" ]] && cat "$SERVERS_FILE" || echo 0; }
set_server_count() { mkdir -p "$(dirname "$SERVERS_FILE")"; echo "$1" >"$SERVERS_FILE"; }

component_names() {
  local n i; n="$(server_count)"
  ha_mode && ha_component_names
  hosts_mode && echo gateway
  echo postgres-primary postgres-replica redis
  for ((i = 1; i <= n; i++)); do echo "server-$i"; done
  echo haproxy prometheus alertmanager alert-sink redis-exporter postgres-exporter
}

component_port() {
  case "$1" in
    haproxy) echo 8080 ;;
    server-*) echo $((8080 + ${1#server-})) ;;
    redis) echo "$REDIS_PORT" ;;
    postgres-primary) echo "$PRIMARY_PORT" ;;
    postgres-replica) echo "$REPLICA_PORT" ;;
    prometheus) echo 9090 ;;
    alertmanager) echo 9093 ;;
    alert-sink) echo 9095 ;;
    redis-exporter) echo 9121 ;;
    postgres-exporter) echo 9187 ;;
    gateway) echo "-" ;;         # forwards every other port from 127.0.0.1
    *) ha_component_port "$1" ;;
  esac
}

healthy() {
  local name="$1" port; port="$(component_port "$name")" || return 1
  case "$name" in
    server-*) http_ok "http://127.0.0.1:$((port + 1000))/health/ready" ;;
    haproxy) http_ok "http://127.0.0.1:8404/stats" ;;
    redis) redis-cli -p "$port" ping 2>/dev/null | grep -q PONG ;;
    postgres-exporter) curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" 2>/dev/null ;;
    postgres-*) pg_isready -q -h 127.0.0.1 -p "$port" ;;
    prometheus|alertmanager) http_ok "http://127.0.0.1:$port/-/ready" ;;
    alert-sink) http_ok "http://127.0.0.1:$port/health" ;;
    gateway) gateway_healthy ;;
    *-exporter) curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$port/metrics" 2>/dev/null ;;
    *) ha_healthy "$name" ;;
  esac
}

# --- PostgreSQL primary + streaming replica ----------------------------------------------------
# In the hosts mode a node listens on its host's address too, and the hosts' network is trusted as
# loopback is (it reaches nothing else).
# on_pg_host NAME CMD...: runs a launcher function (pg_start, pg_run) with PG_LISTEN and PG_NETNS
# set for node NAME's host; unchanged outside the hosts mode.
on_pg_host() {
  local name="$1"; shift
  local PG_LISTEN="${PG_LISTEN:-}" PG_NETNS="${PG_NETNS:-}"
  if hosts_mode; then PG_LISTEN="$(addr_of "$name"),127.0.0.1"; PG_NETNS="$(spawn_ns_of "$name")"; ensure_host_of "$name"; fi
  "$@"
}
pg_trust_hosts() {
  local hba="$1/data/pg_hba.conf"
  hosts_mode || return 0
  grep -q "portopt hosts" "$hba" 2>/dev/null && return 0
  as_pg tee -a "$hba" >/dev/null <<EOF
# portopt hosts: the private network of ./portopt up --hosts
host all all $HOSTS_SUBNET.0/24 trust
host replication all $HOSTS_SUBNET.0/24 trust
EOF
}

start_postgres_primary() {
  local dir; dir="$(pg_dir postgres-primary)"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    on_pg_host postgres-primary pg_start postgres-primary "$PRIMARY_PORT"
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<'EOF'
# portopt: streaming replication to postgres-replica
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_keep_size = 256MB
hot_standby = on
EOF
    pg_stop postgres-primary
  fi
  pg_trust_hosts "$dir"
  on_pg_host postgres-primary pg_start postgres-primary "$PRIMARY_PORT"
  pg_create_db "$PRIMARY_PORT" portopt
}

start_postgres_replica() {
  local dir; dir="$(pg_dir postgres-replica)"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" || die "postgres-replica needs postgres-primary running"
    say "cloning postgres-replica from the primary (pg_basebackup, streaming)"
    on_pg_host postgres-replica pg_run "$PG_BIN/pg_basebackup" -h "$(addr_of postgres-primary)" -p "$PRIMARY_PORT" \
      -U postgres -D "$dir/data" -X stream -R --checkpoint=fast \
      >>"$VAR/log/postgres-replica.log" 2>&1 || die "pg_basebackup failed; see var/log/postgres-replica.log"
  fi
  pg_trust_hosts "$dir"
  # Where the primary is depends on the mode, not on what pg_basebackup wrote once: the command
  # line overrides postgresql.auto.conf.
  PG_OPTS="-c primary_conninfo='host=$(addr_of postgres-primary) port=$PRIMARY_PORT user=postgres'" \
    on_pg_host postgres-replica pg_start postgres-replica "$REPLICA_PORT"
}

stop_postgres() { pg_stop "$1"; }

# --- Redis -------------------------------------------------------------------------------------
start_redis() {
  alive redis && return 0
  mkdir -p "$VAR/redis" "$VAR/log" "$VAR/run"
  command -v redis-server >/dev/null || die "redis-server missing (apt-get install redis-server)"
  # A cache starts empty: a replica's full sync leaves dump.rdb behind, and Redis would load it at
  # start even with saving off, serving plans the database may no longer have.
  rm -f "$VAR/redis/dump.rdb"
  # --daemonize no under spawn: the pid file then holds redis-server itself.
  # DEBUG SLEEP (a Redis that is alive but answers nothing) is allowed from loopback only: bench chaos uses it.
  # In the hosts mode Redis is reached on its host's address (only the hosts and the gateway reach
  # it), so protected mode, which refuses every client but loopback, is off there.
  local net_args; read -ra net_args <<<"$(redis_net_args redis)"
  spawn redis redis-server "${net_args[@]}" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$VAR/redis" --maxmemory 1gb --maxmemory-policy allkeys-lru $(ha_mode && redis_replicaof_args "$REDIS_PORT")
}

# Where a Redis node (NAME) listens, and who may send it DEBUG.
redis_net_args() {
  if hosts_mode; then echo "--bind $(addr_of "$1") 127.0.0.1 --protected-mode no --enable-debug-command yes"
  else echo "--bind 127.0.0.1 --enable-debug-command local"; fi
}

# --- app servers -------------------------------------------------------------------------------
start_server() {
  local name="$1" i port
  i="${name#server-}"; port=$((8080 + i))
  alive "$name" && return 0
  # A host of its own has nothing else on it; on this machine the port must be free.
  hosts_mode || ! port_open "$port" || die "$name: port $port is already taken by another process"
  # One solver per core across the machine: the servers share its cores. G1 with a 20 ms pause
  # goal: side by side with ZGC (./portopt bench cache, twice each) it served cached plans faster
  # (0.50-0.62 of nginx vs 0.46-0.50) with the same cache-hit POST tail; ZGC's concurrent work costs
  # CPU that two cores do not have to spare.
  local cores threads jar
  cores="$(nproc)"; threads=$(( cores / $(server_count) )); ((threads >= 1)) || threads=1
  jar="$(server_jar_copy)"
  # PORTOPT_NET_LINKS=0 connects the server straight to its dependencies (no `./portopt net`
  # faults for it): to measure what the links cost.
  local redis_port="$REDIS_PORT" primary_port="$PRIMARY_PORT" replica_port="$REPLICA_PORT"
  local replica_redis_port="$REDIS_REPLICA_PORT" sentinels=() s
  # (The HA engines have hosts only in the HA mode: addr_of fails for them otherwise.)
  if ha_mode; then for s in "${SENTINEL_NAMES[@]}"; do sentinels+=("$(addr_of "$s"):$(sentinel_port "$s")"); done; fi
  if [[ "${PORTOPT_NET_LINKS:-1}" != 0 ]]; then
    start_links "$name"
    redis_port="$(link_port "$name" 0)"; primary_port="$(link_port "$name" 1)"; replica_port="$(link_port "$name" 2)"
    replica_redis_port="$(link_port "$name" 3)"
    sentinels=("127.0.0.1:$(link_port "$name" 4)" "127.0.0.1:$(link_port "$name" 5)" "127.0.0.1:$(link_port "$name" 6)")
  fi
  # Without links the server connects to its dependencies' hosts itself.
  local pg_host replica_host redis_host replica_redis_host
  pg_host="$(addr_of postgres-primary)"; replica_host="$(addr_of postgres-replica)"; redis_host="$(addr_of redis)"
  ha_mode && replica_redis_host="$(addr_of redis-replica)"
  [[ "${PORTOPT_NET_LINKS:-1}" != 0 ]] && { pg_host=127.0.0.1; replica_host=127.0.0.1; redis_host=127.0.0.1; replica_redis_host=127.0.0.1; }
  local db_url="jdbc:postgresql://$pg_host:$primary_port/portopt?connectTimeout=2&socketTimeout=10"
  local replica_url="jdbc:postgresql://$replica_host:$replica_port/portopt?connectTimeout=2&socketTimeout=10"
  local redis_url="redis://$redis_host:$redis_port" redis_map=""
  if ha_mode; then
    db_url="$(ha_db_url primary "$pg_host:$primary_port" "$replica_host:$replica_port")"
    replica_url="$(ha_db_url replica "$pg_host:$primary_port" "$replica_host:$replica_port")"
    redis_url="$(ha_redis_url "${sentinels[@]}")"
    # Sentinel names the master by its own address (its host's); the server reaches it through its link.
    redis_map="$(addr_of redis):$REDIS_PORT=$redis_host:$redis_port,$(addr_of redis-replica):$REDIS_REPLICA_PORT=$replica_redis_host:$replica_redis_port"
  fi
  # Completion webhooks of jobs are signed with a secret shared by every server (var/webhook-secret,
  # made once); they may only go to the URL prefixes in PORTOPT_CALLBACK_ALLOW (none by default).
  if [[ ! -s "$VAR/webhook-secret" ]]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR/webhook-secret")
  fi
  spawn "$name" env \
    PORTOPT_WEBHOOK_SECRET="$(cat "$VAR/webhook-secret")" PORTOPT_CALLBACK_ALLOW="${PORTOPT_CALLBACK_ALLOW:-}" \
    PORTOPT_SOLVER_THREADS="${PORTOPT_SOLVER_THREADS:-$threads}" \
    PORTOPT_PORT="$port" PORTOPT_MANAGEMENT_PORT="$((port + 1000))" PORTOPT_SERVER_NAME="$name" \
    PORTOPT_DB_URL="$db_url" PORTOPT_REPLICA_URL="$replica_url" \
    PORTOPT_REDIS_URL="$redis_url" PORTOPT_REDIS_ADDRESS_MAP="$redis_map" \
    "$JAVA" -Duser.timezone=UTC -Xms512m -Xmx"$SERVER_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:+ExitOnOutOfMemoryError -jar "$jar"
  # env execs java, so the recorded pid is the JVM's.
}

start_links() { # server-N
  local name="$1" k
  alive "net-$name" && return 0
  # HOST:PORT each link leads to (the links run on the server's host, beside it).
  local targets=("$(addr_of redis):$REDIS_PORT" "$(addr_of postgres-primary):$PRIMARY_PORT"
                 "$(addr_of postgres-replica):$REPLICA_PORT") pairs=() p
  if ha_mode; then
    targets+=("$(addr_of redis-replica):$REDIS_REPLICA_PORT")
    for p in "${SENTINEL_NAMES[@]}"; do targets+=("$(addr_of "$p"):$(sentinel_port "$p")"); done
  fi
  for k in "${!targets[@]}"; do
    port_open_on "$name" "$(link_port "$name" "$k")" && die "$name: link port $(link_port "$name" "$k") is taken"
    pairs+=("$(link_port "$name" "$k"):${targets[$k]}")
  done
  spawn "net-$name" python3 "$OPS/launcher/netlink.py" --name "$name" --state "$NET_STATE" "${pairs[@]}"
  wait_until "net-$name" 10 port_open_on "$name" "$(link_port "$name" $((${#targets[@]} - 1)))" || die "net-$name did not start; see var/log/net-$name.log"
}

# A running JVM loads classes from its jar lazily: rebuilding server/target under it makes its next
# new class a NoClassDefFoundError. So each server runs from a copy named after the build it came
# from; a rebuild takes effect for servers (re)started after it, and running ones are unharmed.
server_jar_copy() {
  local dir="$VAR/lib" tmp sum copy
  mkdir -p "$dir"
  # Copy first, then name the copy by its content: a jar rewritten while it was being copied gets
  # a name of its own, never the name of a good build.
  tmp="$(mktemp "$dir/copy.XXXXXX")"
  cp "$SERVER_JAR" "$tmp" || { rm -f "$tmp"; die "cannot copy $SERVER_JAR"; }
  sum="$(sha256sum "$tmp" | cut -c1-16)"; copy="$dir/portopt-server-$sum.jar"
  if [[ -f "$copy" ]]; then rm -f "$tmp"; else mv -f "$tmp" "$copy"; fi
  echo "$copy"
}

# --- HAProxy -----------------------------------------------------------------------------------
haproxy_server_line() {
  local i="$1"
  printf '    server server-%d %s:%d\n' "$i" "$(addr_of "server-$i")" $((8080 + i))
}

# The certificate HAProxy serves on 8443: $PORTOPT_TLS_PEM (a real certificate chain followed by its
# private key, in one PEM file) or one generated here for the local cluster, valid for localhost
# and 127.0.0.1. Clients can trust var/tls/portopt-local.crt.
tls_pem() {
  if [[ -n "${PORTOPT_TLS_PEM:-}" ]]; then
    [[ -r "$PORTOPT_TLS_PEM" ]] || die "PORTOPT_TLS_PEM=$PORTOPT_TLS_PEM is not a readable file"
    echo "$PORTOPT_TLS_PEM"; return
  fi
  local dir="$VAR/tls"
  if [[ ! -s "$dir/portopt-local.pem" ]]; then
    mkdir -p "$dir"; chmod 700 "$dir"
    say "generating a self-signed TLS certificate for the local cluster in var/tls/"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
      -subj "/O=portopt local cluster/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/portopt-local.key" -out "$dir/portopt-local.crt" >/dev/null 2>&1 \
      || die "openssl could not generate the local certificate"
    (umask 077; cat "$dir/portopt-local.crt" "$dir/portopt-local.key" >"$dir/portopt-local.pem")
  fi
  echo "$dir/portopt-local.pem"
}

render_haproxy() {
  local n="$1" servers="" i pem
  for ((i = 1; i <= n; i++)); do servers+="$(haproxy_server_line "$i")"$'\n'; done
  mkdir -p "$VAR/haproxy"
  pem="$(tls_pem)"
  SERVERS="$servers" VAR_DIR="$VAR" OPS_DIR="$OPS" MAXCONN="$SERVER_MAXCONN" TLS_PEM="$pem" awk '
    { gsub(/@@VAR@@/, ENVIRON["VAR_DIR"]); gsub(/@@OPS@@/, ENVIRON["OPS_DIR"]); gsub(/@@MAXCONN@@/, ENVIRON["MAXCONN"])
      gsub(/@@TLS_PEM@@/, ENVIRON["TLS_PEM"]) }
    /^@@SERVERS@@$/ { printf "%s", ENVIRON["SERVERS"]; next }
    { print }' "$OPS/haproxy/haproxy.cfg.template" | haproxy_on_host >"$VAR/haproxy/haproxy.cfg"
  haproxy -c -q -f "$VAR/haproxy/haproxy.cfg" || die "rendered HAProxy config is invalid: $VAR/haproxy/haproxy.cfg"
}

start_haproxy() {
  alive haproxy && return 0
  render_haproxy "$(server_count)"
  # glibc hands HAProxy's 128 kB buffers back to the kernel as they are freed (they sit at its
  # 128 KiB mmap/trim thresholds) and page-faults them in again on the next request: perf showed
  # page faults under memmove and brk in the profile, and wrk through HAProxy to nginx went from
  # 7-9k to 20k req/s once glibc keeps them (docs/performance.md).
  GLIBC_TUNABLES="glibc.malloc.mmap_threshold=1048576:glibc.malloc.trim_threshold=67108864" \
    spawn haproxy haproxy -db -f "$VAR/haproxy/haproxy.cfg"
}

# In the hosts mode HAProxy runs on its own host and opens its 127.0.0.1 listeners (and reaches
# the benchmark's nginx) in the machine's namespace; its stats are also on its host's address, for
# Prometheus.
haproxy_on_host() {
  if ! hosts_mode; then cat; return; fi
  awk -v ns="$MACHINE_NS" -v addr="$(addr_of haproxy)" '
    /^[ \t]*bind[ \t]+127\.0\.0\.1:/ || /^[ \t]*server[ \t]+[^ \t]+[ \t]+127\.0\.0\.1:/ { print $0 " namespace " ns
      if ($1 == "bind" && $2 == "127.0.0.1:8404") print "    bind " addr ":8404"
      next }
    { print }'
}

haproxy_cmd() { echo "$1" | socat -t 5 - "UNIX-CONNECT:$HAPROXY_SOCK"; }

haproxy_server_field() { # server field-name -> value from `show stat`
  haproxy_cmd "show stat" | awk -F, -v s="$1" -v f="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "servers" && $2 == s { print $(col[f]) }'
}

# --- monitoring --------------------------------------------------------------------------------
render_template() { # template output
  mkdir -p "$(dirname "$2")"
  local hosts_sed=() c
  if hosts_mode; then  # 127.0.0.1:PORT of a component becomes its host's address
    for c in prometheus alertmanager alert-sink redis-exporter postgres-exporter; do
      hosts_sed+=(-e "s#127\.0\.0\.1:\($(component_port "$c")\)\b#$(addr_of "$c"):\1#g")
    done
    hosts_sed+=(-e "s#127\.0\.0\.1:8404#$(addr_of haproxy):8404#g")
  fi
  sed -e "s#@@VAR@@#$VAR#g" -e "s#@@OPS@@#$OPS#g" "${hosts_sed[@]}" "$1" >"$2"
}

write_prometheus_targets() {
  local n i sep="" out
  n="$(server_count)"
  mkdir -p "$VAR/prometheus/targets"
  out='['
  for ((i = 1; i <= n; i++)); do
    out+="$sep{\"targets\": [\"$(addr_of "server-$i"):$((9080 + i))\"], \"labels\": {\"server\": \"server-$i\"}}"
    sep=", "
  done
  out+=']'
  write_targets servers "$out"
  # The HA engines, labelled by the node or member they are.
  local patroni="[]" etcd="[]" c
  if ha_mode; then
    patroni="[$(sep2=""; for c in postgres-primary postgres-replica; do
      printf '%s{"targets": ["%s:%s"], "labels": {"node": "%s"}}' "$sep2" "$(addr_of "$c")" "$(patroni_port "$c")" "$c"; sep2=", "
    done)]"
    etcd="[$(sep2=""; for c in "${ETCD_NAMES[@]}"; do
      printf '%s{"targets": ["%s:%s"], "labels": {"member": "%s"}}' "$sep2" "$(addr_of "$c")" "$(etcd_client_port "$c")" "$c"; sep2=", "
    done)]"
  fi
  write_targets patroni "$patroni"
  write_targets etcd "$etcd"
}
# Prometheus' file_sd list NAME, written whole and renamed so it never reads half a file.
write_targets() {
  echo "$2" >"$VAR/prometheus/targets/$1.json.tmp"
  mv "$VAR/prometheus/targets/$1.json.tmp" "$VAR/prometheus/targets/$1.json"
}

start_prometheus() {
  alive prometheus && return 0
  render_template "$OPS/prometheus/prometheus.yml.template" "$VAR/prometheus/prometheus.yml"
  write_prometheus_targets
  spawn prometheus prometheus --config.file="$VAR/prometheus/prometheus.yml" \
    --storage.tsdb.path="$VAR/prometheus/data" --storage.tsdb.retention.time=2d \
    --web.listen-address="$(addr_of prometheus)":9090 --web.enable-lifecycle
}

start_alertmanager() {
  alive alertmanager && return 0
  render_template "$OPS/alertmanager/alertmanager.yml.template" "$VAR/alertmanager/alertmanager.yml"
  # Silences survive a restart, the notification log does not: it remembers what was sent before
  # the cluster went down and would hold back the same alert after the next start for repeat_interval.
  rm -f "$VAR/alertmanager/data/nflog"
  spawn alertmanager prometheus-alertmanager --config.file="$VAR/alertmanager/alertmanager.yml" \
    --storage.path="$VAR/alertmanager/data" --web.listen-address="$(addr_of alertmanager)":9093 --cluster.listen-address=
}

start_alert_sink() {
  alive alert-sink && return 0
  spawn alert-sink "$JAVA" -Xmx64m -cp "$BENCH_JAR:$ROOT/bench/target/lib/*" io.portopt.bench.AlertSink \
    --bind "$(addr_of alert-sink)" --port 9095 --log "$VAR/log/alerts.jsonl"
}

start_redis_exporter() {
  alive redis-exporter && return 0
  spawn redis-exporter prometheus-redis-exporter --redis.addr="redis://$(addr_of redis):$REDIS_PORT" \
    --web.listen-address="$(addr_of redis-exporter)":9121
}

start_postgres_exporter() {
  alive postgres-exporter && return 0
  spawn postgres-exporter env \
    DATA_SOURCE_NAME="postgresql://postgres@$(addr_of postgres-primary):$PRIMARY_PORT/portopt?sslmode=disable,postgresql://postgres@$(addr_of postgres-replica):$REPLICA_PORT/portopt?sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="$(addr_of postgres-exporter)":9187 --no-collector.database --no-collector.bgwriter
  # Those two collectors of exporter 0.11 break with more than one server (duplicate series); the
  # per-server default metrics (pg_up, pg_stat_replication, pg_stat_database, ...) stay.
}

# --- one component -----------------------------------------------------------------------------
start_component() {
  case "$1" in
    postgres-primary|postgres-replica) if ha_mode; then start_postgres_node "$1"; else start_"${1//-/_}"; fi ;;
    patroni-primary|patroni-replica) ha_mode || die "$1: only in the HA cluster"; start_postgres_node "$(postgres_of "$1")" ;;
    etcd-[1-3]) ha_mode || die "$1: only in the HA cluster"; start_etcd "$1" ;;
    sentinel-[1-3]) ha_mode || die "$1: only in the HA cluster"; start_sentinel "$1" ;;
    redis-replica) ha_mode || die "$1: only in the HA cluster"; start_redis_replica ;;
    redis) start_redis ;;
    server-*) [[ "${1#server-}" =~ ^[0-9]+$ ]] || die "bad server name $1"; start_server "$1" ;;
    haproxy) start_haproxy ;;
    gateway) hosts_mode || die "gateway: only in the cluster across hosts"; start_gateway ;;
    prometheus) start_prometheus ;;
    alertmanager) start_alertmanager ;;
    alert-sink) start_alert_sink ;;
    redis-exporter) start_redis_exporter ;;
    postgres-exporter) start_postgres_exporter ;;
    *) die "unknown component '$1' (see ./portopt status)" ;;
  esac
}

stop_component() {
  # A frozen component cannot act on a stop signal: it is thawed first (SIGCONT is a no-op otherwise).
  local pid; pid="$(pid_of "$1")" && running_pid "$pid" && kill -CONT $(process_tree "$pid") 2>/dev/null
  case "$1" in
    postgres-primary|postgres-replica) if ha_mode; then stop_postgres_node "$1"; else stop_postgres "$1"; fi ;;
    patroni-primary|patroni-replica) stop_postgres_node "$(postgres_of "$1")" ;;
    haproxy) terminate haproxy USR1 10 ;;        # soft stop: finish in-flight requests
    server-*) terminate "$1" TERM 45 ;;           # graceful: not-ready, drain, exit
    *) terminate "$1" TERM 15 ;;
  esac
}

wait_healthy() {
  local name="$1" timeout="${2:-90}"
  wait_until "$name" "$timeout" healthy "$name" || die "$name not healthy after ${timeout}s; see var/log/$name.log"
}

# --- commands ----------------------------------------------------------------------------------
cmd_up() {
  local n="" ha="" hosts="" mode
  while (($#)); do
    case "$1" in
      --servers) n="${2:?--servers needs a number}"; shift 2 ;;
      --ha) ha=ha; shift ;;
      --hosts) hosts=hosts; shift ;;
      *) die "up: unknown argument $1" ;;
    esac
  done
  # --ha --hosts: the HA engines too, each on the host of ha_host_of.
  mode="${ha}${ha:+${hosts:+-}}${hosts}"; mode="${mode:-default}"
  [[ -z "$n" ]] && { n="$(server_count)"; ((n > 0)) || n=2; }
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 50)) || die "up: --servers must be between 1 and 50"
  ensure_cluster_packages
  build
  ensure_pg_installed
  set_server_count "$n"
  rm -f "$NET_STATE"   # a new cluster starts with healthy links
  local was; was="$(cluster_mode)"
  if [[ "$was" != "$mode" ]] && { alive redis || alive haproxy || alive postgres-primary || alive patroni-primary || alive gateway; }; then
    die "up: a cluster in $was mode is running; ./portopt down first"
  fi
  [[ "$mode" != *hosts || $EUID -eq 0 ]] || die "up --hosts: network namespaces need root"
  set_mode "$mode"
  if hosts_mode; then
    say "making the hosts: one network namespace per component on bridge $HOSTS_BRIDGE ($HOSTS_SUBNET.0/24)"
    start_gateway
  fi
  if ha_mode; then
    ha_start_dependencies
  else
    say "starting postgres-primary (:$PRIMARY_PORT) and postgres-replica (:$REPLICA_PORT)"
    start_postgres_primary
    start_postgres_replica
    say "starting redis (:$REDIS_PORT)"
    start_redis
    wait_healthy redis 20
  fi
  PORTOPT_DB_URL="$(cluster_db_url)" PORTOPT_REDIS_URL="$(cluster_redis_url)" PORTOPT_REDIS_ADDRESS_MAP="$(cluster_redis_map)" \
    keys_cli dev-key "$VAR/dev-api-key" || die "could not create the development API key"
  local i
  say "starting $n app servers"
  for ((i = 1; i <= n; i++)); do start_server "server-$i"; done
  say "starting haproxy, prometheus, alertmanager, exporters"
  start_haproxy
  start_alert_sink
  start_alertmanager
  start_prometheus
  start_redis_exporter
  start_postgres_exporter
  for ((i = 1; i <= n; i++)); do wait_healthy "server-$i" 180; say "server-$i ready"; done
  local c
  for c in haproxy prometheus alertmanager alert-sink redis-exporter postgres-exporter postgres-replica; do
    wait_healthy "$c" 60
  done
  wait_until "haproxy backends" 30 haproxy_all_up "$n" || say "warning: not every server is UP in HAProxy yet"
  cat <<EOF
portopt cluster is up ($n servers):
  API (load balancer)    http://127.0.0.1:8080/v1/plans   https://127.0.0.1:8443/v1/plans
  API key (tenant dev)   var/dev-api-key   e.g. curl -H "Authorization: Bearer \$(cat var/dev-api-key)" http://127.0.0.1:8080/v1/ports
  TLS certificate        ${PORTOPT_TLS_PEM:-var/tls/portopt-local.crt}
  HAProxy stats          http://127.0.0.1:8404/stats   (Prometheus: /metrics)
  app servers            $(for ((i = 1; i <= n; i++)); do printf 'http://127.0.0.1:%d ' $((8080 + i)); done)
  server metrics         http://127.0.0.1:9081/metrics ...
  Prometheus             http://127.0.0.1:9090
  Alertmanager           http://127.0.0.1:9093
$(if ha_mode; then cat <<HA
  PostgreSQL (Patroni)   postgres-primary 127.0.0.1:$PRIMARY_PORT, postgres-replica 127.0.0.1:$REPLICA_PORT; leader now: $(patroni_leader) (database portopt)
  Redis (Sentinel)       redis 127.0.0.1:$REDIS_PORT, redis-replica 127.0.0.1:$REDIS_REPLICA_PORT, master now: $(sentinel_master_addr); Sentinels 26380-26382
  etcd                   127.0.0.1:12379, :12389, :12399
HA
else cat <<PLAIN
  PostgreSQL             primary 127.0.0.1:$PRIMARY_PORT, replica 127.0.0.1:$REPLICA_PORT (database portopt)
  Redis                  127.0.0.1:$REDIS_PORT
PLAIN
fi)
EOF
}

cluster_db_url() {
  if ha_mode; then ha_db_url primary; else echo "jdbc:postgresql://127.0.0.1:$PRIMARY_PORT/portopt?connectTimeout=2&socketTimeout=10"; fi
}
cluster_redis_url() { if ha_mode; then ha_redis_url; else echo "redis://127.0.0.1:$REDIS_PORT"; fi; }
# Sentinel names the master by its host's address; from the machine it is reached through the gateway.
cluster_redis_map() {
  ha_mode && hosts_mode || return 0
  echo "$(addr_of redis):$REDIS_PORT=127.0.0.1:$REDIS_PORT,$(addr_of redis-replica):$REDIS_REPLICA_PORT=127.0.0.1:$REDIS_REPLICA_PORT"
}

haproxy_all_up() {
  local n="$1" up
  up="$(haproxy_cmd "show stat" 2>/dev/null | awk -F, '$1 == "servers" && $2 ~ /^server-/ && $18 ~ /^UP/' | wc -l)"
  ((up >= n))
}

cmd_down() {
  local c f p
  say "stopping the cluster"
  stop_component haproxy
  local n i pids=()
  n="$(server_count)"
  for ((i = 1; i <= n; i++)); do stop_component "server-$i" & pids+=($!); done
  # servers scaled away but still recorded
  for f in "$VAR"/run/server-*.pid; do [[ -e "$f" ]] && { c="$(basename "$f" .pid)"; stop_component "$c" & pids+=($!); }; done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for f in "$VAR"/run/net-server-*.pid; do [[ -e "$f" ]] && terminate "$(basename "$f" .pid)" TERM 5; done
  for c in prometheus alertmanager alert-sink redis-exporter postgres-exporter redis; do stop_component "$c"; done
  # Whichever mode ran: the HA engines are stopped if any of them runs.
  ha_stop_dependencies
  stop_postgres postgres-replica
  stop_postgres postgres-primary
  terminate gateway TERM 10
  hosts_net_down
  # Anything left with a pid file is killed for good.
  for f in "$VAR"/run/*.pid; do
    [[ -e "$f" ]] || continue
    c="$(basename "$f" .pid)"
    [[ "$c" == run-* || "$c" == test-* ]] && continue
    terminate "$c" KILL 5
  done
  rm -rf "$VAR/lib"   # the servers' jar copies; no server runs from them any more
  say "cluster stopped"
}

cmd_status() {
  local c pid port health
  for c in $(component_names); do
    pid="$(pid_of "$c" || true)"
    port="$(component_port "$c")"
    if [[ -n "$pid" ]] && running_pid "$pid"; then
      healthy "$c" && health=healthy || health=unhealthy
    else
      pid="-"; health=down
    fi
    local role=""
    if ha_mode && [[ "$health" == healthy ]]; then
      case "$c" in
        postgres-primary|postgres-replica) role="$(patroni_role "$c")" ;;
        redis|redis-replica) role="$(redis-cli -p "$port" ROLE 2>/dev/null | head -1)" ;;
      esac
    fi
    local where=""; hosts_mode && where=" [host $(host_ns "$(host_of "$c")") $(host_addr "$(host_of "$c")")]"
    printf '%-18s %-8s %-6s %s%s%s\n' "$c" "$pid" "$port" "$health" "${role:+ ($role)}" "$where"
  done
}

# A process and all its descendants (PostgreSQL's postmaster and its backends, say), parents first.
process_tree() {
  local pid="$1" child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null); do process_tree "$child"; done
}

cmd_component() { # stop|start|kill|freeze|thaw NAME
  local action="$1" name="${2:-}"
  [[ -n "$name" ]] || die "$action: which component? (see ./portopt status)"
  component_port "$name" >/dev/null || die "unknown component '$name'"
  case "$action" in
    stop) stop_component "$name"; say "$name stopped" ;;
    kill)
      local pid; pid="$(pid_of "$name")" || die "$name is not running"
      kill -9 "$pid" 2>/dev/null || die "$name (pid $pid) is not running"
      say "$name (pid $pid) killed with SIGKILL" ;;
    freeze|thaw)
      local pid pids; pid="$(pid_of "$name")" && running_pid "$pid" || die "$name is not running"
      pids="$(process_tree "$pid" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      if [[ "$action" == freeze ]]; then kill -STOP $pids; else kill -CONT $pids; fi
      say "$name $( [[ "$action" == freeze ]] && echo frozen || echo thawed ) (SIG$( [[ "$action" == freeze ]] && echo STOP || echo CONT ) to pids $pids)" ;;
    start)
      if [[ "$name" == server-* || "$name" == alert-sink ]]; then build; fi
      if [[ "$name" == server-* ]]; then
        local i="${name#server-}"
        ((i <= $(server_count))) || die "$name is not part of the cluster (./portopt scale $i adds it)"
      fi
      start_component "$name"
      wait_healthy "$name" 180
      say "$name started" ;;
  esac
}

cmd_scale() {
  local n="${1:-}" current i
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 50)) || die "scale: give a number of servers between 1 and 50"
  alive haproxy || die "scale: the cluster is not running (./portopt up)"
  build
  current="$(server_count)"
  if ((n > current)); then
    for ((i = current + 1; i <= n; i++)); do start_server "server-$i"; done
    # The gateway forwards the new servers' ports before the launcher checks them through it.
    reload_gateway "$n"
    for ((i = current + 1; i <= n; i++)); do
      wait_healthy "server-$i" 180
      # A slot left in maintenance by an earlier scale-down (still holding idle connections) is reused.
      if haproxy_cmd "add server servers/server-$i $(addr_of "server-$i"):$((8080 + i)) check inter 1s fastinter 500ms downinter 1s fall 2 rise 2 slowstart 10s maxconn $SERVER_MAXCONN observe layer4 error-limit 3 on-error mark-down" | grep -qi "already exists"; then
        haproxy_cmd "set server servers/server-$i state ready" >/dev/null
      fi
      haproxy_cmd "enable health servers/server-$i" >/dev/null
      haproxy_cmd "enable server servers/server-$i" >/dev/null
      set_server_count "$i"
      write_prometheus_targets
      say "server-$i added to the load balancer"
    done
  elif ((n < current)); then
    for ((i = current; i > n; i--)); do
      # Drain: no new requests, in-flight ones finish; then maintenance, stop and remove.
      haproxy_cmd "set server servers/server-$i state drain" >/dev/null
      local deadline=$((SECONDS + 60))
      while (( $(haproxy_server_field "server-$i" scur || echo 0) > 0 && SECONDS < deadline )); do sleep 0.3; done
      haproxy_cmd "set server servers/server-$i state maint" >/dev/null
      set_server_count "$((i - 1))"
      write_prometheus_targets
      stop_component "server-$i"
      terminate "net-server-$i" TERM 5
      haproxy_cmd "del server servers/server-$i" >/dev/null || true
      say "server-$i drained and removed"
    done
    reload_gateway
  fi
  say "cluster has $n servers"
}

# ./portopt net: faults on the servers' links to Redis and PostgreSQL (see ops/launcher/netlink.py).
cmd_net() {
  local action="${1:-show}" target ms=""
  case "$action" in
    delay) ms="${2:-}"; target="${3:-*}"
           [[ "$ms" =~ ^[0-9]+$ ]] && ((ms <= 60000)) || die "net delay: give milliseconds (0-60000)" ;;
    cut) target="${2:-}"; [[ "$target" == server-* ]] || die "net cut: which server? (e.g. server-1)" ;;
    heal) target="${2:-*}"
          if hosts_mode; then
            if [[ "$target" == "*" ]]; then hosts_heal_all; else hosts_partition "$target" up; fi
            [[ "$target" == server-* || "$target" == "*" ]] || { say "host $target's link is up again"; return; }
          fi ;;
    partition) target="${2:-}"; [[ -n "$target" ]] || die "net partition: which host? (e.g. server-1, redis)"
               hosts_partition "$target" down
               say "host $(host_of "$target") ($(addr_of "$target")) partitioned: its link is down, nothing reaches it or leaves it"
               return ;;
    show) [[ -s "$NET_STATE" ]] && cat "$NET_STATE" || echo '{}'
          if hosts_mode; then echo "partitioned hosts: $(hosts_partitioned | tr '\n' ' ')"; fi
          return ;;
    *) die "net: delay MS [server-N] | cut server-N | partition HOST (--hosts) | heal [server-N|HOST] | show" ;;
  esac
  if [[ "$target" != "*" ]]; then
    [[ "${target#server-}" =~ ^[0-9]+$ ]] && ((${target#server-} >= 1 && ${target#server-} <= $(server_count))) \
      || die "net: $target is not a server of this cluster"
  fi
  mkdir -p "$(dirname "$NET_STATE")"
  # Written whole and renamed, so a link never reads half a file.
  python3 - "$NET_STATE" "$action" "$target" "$ms" <<'PY'
import json, os, sys
path, action, target, ms = sys.argv[1:]
try:
    state = json.load(open(path))
except (OSError, ValueError):
    state = {}
if action == "heal":
    if target == "*":
        state = {}
    else:
        state.pop(target, None)
        # healing one server clears its part of a cluster-wide delay too
        if "*" in state:
            state[target] = {"delayMs": 0, "cut": False}
elif action == "delay":
    if target == "*":
        state = {k: {**v, "delayMs": int(ms)} for k, v in state.items()}
        state["*"] = {**state.get("*", {}), "delayMs": int(ms)}
    else:
        state[target] = {**state.get(target, {}), "delayMs": int(ms)}
elif action == "cut":
    state[target] = {**state.get(target, {}), "cut": True}
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(state, f)
os.replace(tmp, path)
PY
  case "$action" in
    delay) say "links of ${target/\*/every server} to Redis and PostgreSQL: +${ms} ms each way" ;;
    cut) say "$target cut off from Redis and PostgreSQL (the load balancer still reaches it)" ;;
    heal) say "links of ${target/\*/every server} healed" ;;
  esac
}
