# portopt across hosts (./portopt up --hosts): every component on a host of its own. Sourced by
# cluster.sh.
#
# A host is a named network namespace (ip netns: po-<component>) with one interface, eth0, at its
# own address on a private bridge (po-br0, HOSTS_SUBNET.0/24). The bridge has no address on the
# machine and no host has a default route, so nothing outside these hosts is reachable from them.
# Components talk over the hosts' addresses only; a server's links (netlink.py) run on the server's
# own host, beside it, so `./portopt net delay|cut` still hits one server's path, and
# `./portopt net partition HOST` takes a host's link down in the kernel.
#
# The machine keeps the launcher contract at 127.0.0.1:
# - the edge, HAProxy, runs on host po-haproxy and opens its public listeners (8080, 8443, 8404)
#   in the machine's namespace (HAProxy's `namespace` bind option), as an edge with a foot in the
#   public network would; Prometheus scrapes its stats on its host address;
# - every other component's port is forwarded from 127.0.0.1 by `gateway`, a TCP-mode HAProxy on
#   the machine whose connections leave from a host of their own (po-gateway): the operator's and
#   the tests' way in. Nothing on the hosts can connect to the machine.

HOSTS_SUBNET="${PORTOPT_HOSTS_SUBNET:-10.77.0}"
HOSTS_BRIDGE=po-br0
MACHINE_NS=po-machine
GATEWAY_SOCK="$VAR/run/gateway.sock"

hosts_mode() { [[ "$(cluster_mode)" == hosts || "$(cluster_mode)" == ha-hosts ]]; }

# The host a component runs on: its own; a server's links run on the server's host. In the HA
# cluster across hosts the engines share the hosts of ha_host_of (db-1: etcd-1, Patroni and its
# PostgreSQL; cache-1: Redis and a Sentinel; ...), so a crash of db-1 takes all of them at once.
host_of() {
  case "$1" in
    net-server-*) echo "${1#net-}" ;;
    *) ha_mode && ha_host_of "$1" && return 0; echo "$1" ;;
  esac
}
host_octet() {
  case "$1" in
    haproxy) echo 2 ;;
    redis) echo 3 ;;
    postgres-primary) echo 4 ;;
    postgres-replica) echo 5 ;;
    prometheus) echo 6 ;;
    alertmanager) echo 7 ;;
    alert-sink) echo 8 ;;
    redis-exporter) echo 9 ;;
    postgres-exporter) echo 10 ;;
    server-*) [[ "${1#server-}" =~ ^[0-9]+$ ]] && ((${1#server-} <= 50)) || return 1; echo $((100 + ${1#server-})) ;;
    db-1) echo 11 ;;
    db-2) echo 12 ;;
    cache-1) echo 13 ;;
    cache-2) echo 14 ;;
    witness) echo 15 ;;
    gateway) echo 250 ;;
    *) return 1 ;;
  esac
}
host_ns() { echo "po-$1"; }
host_addr() { local o; o="$(host_octet "$1")" || return 1; echo "$HOSTS_SUBNET.$o"; }
host_veth() { echo "po-h$(host_octet "$1")"; }   # the bridge's end of the host's link
# Where the other hosts reach component C: its host's address, or loopback in the other modes.
addr_of() { if hosts_mode; then host_addr "$(host_of "$1")"; else echo 127.0.0.1; fi; }
# The namespace a component is spawned in, or nothing (the machine's own). It makes nothing: the
# caller makes the host (ensure_host_of), outside a command substitution, so a failure stops it.
spawn_ns_of() {
  hosts_mode || return 1
  [[ "$1" == gateway ]] && return 1
  local h; h="$(host_of "$1")"; host_octet "$h" >/dev/null || return 1
  host_ns "$h"
}
ensure_host_of() { ensure_host "$(host_of "$1")"; }

ensure_bridge() {
  if ! ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1; then
    ip link add "$HOSTS_BRIDGE" type bridge || die "cannot create bridge $HOSTS_BRIDGE (the hosts mode needs root)"
    ip link set "$HOSTS_BRIDGE" up
  fi
  # A name for the machine's own namespace, where the edge opens its public listeners.
  [[ -e "/run/netns/$MACHINE_NS" ]] || ip netns attach "$MACHINE_NS" $$ || die "cannot name the machine's namespace"
}

ensure_host() {
  local h="$1" ns veth addr
  ns="$(host_ns "$h")"; veth="$(host_veth "$h")"; addr="$(host_addr "$h")" || die "no host for $h"
  # (Not `ip | grep -q`: under pipefail, grep leaving early can fail the pipe with SIGPIPE.)
  [[ "$(ip -n "$ns" addr show dev eth0 2>/dev/null)" == *"inet $addr/"* ]] && return 0
  # Made, or completed when an earlier failure left it half made; a live host is never replaced.
  ensure_bridge
  [[ -e "/run/netns/$ns" ]] || ip netns add "$ns" || die "host $h: cannot add network namespace $ns"
  if ! ip -n "$ns" link show dev eth0 >/dev/null 2>&1; then
    ip link del "$veth" 2>/dev/null || true
    ip link add "$veth" type veth peer name eth0 netns "$ns" || die "host $h: cannot add its link $veth"
  fi
  ip link set "$veth" master "$HOSTS_BRIDGE" up || die "host $h: cannot join $veth to $HOSTS_BRIDGE"
  ip -n "$ns" addr add "$addr/24" dev eth0 || die "host $h: cannot give eth0 address $addr"
  ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up || die "host $h: cannot bring its interfaces up"
}

# Runs a command on component C's host (on the machine in the other modes).
in_host_of() {
  local c="$1" ns; shift
  if ns="$(spawn_ns_of "$c")"; then ensure_host_of "$c"; ip netns exec "$ns" "$@"; else "$@"; fi
}
# A TCP port open on 127.0.0.1 of C's host.
port_open_on() {
  in_host_of "$1" bash -c '(exec 3<>"/dev/tcp/127.0.0.1/$0") 2>/dev/null' "$2"
}

hosts_listed() { local f; for f in /run/netns/po-*; do [[ -e "$f" && "$f" != "/run/netns/$MACHINE_NS" ]] && basename "$f"; done; }

# Every process left on the hosts is killed, then the hosts, the bridge and the machine's name go.
hosts_net_down() {
  local ns pids
  for ns in $(hosts_listed); do
    host_octet "${ns#po-}" >/dev/null || continue   # only the hosts this launcher makes
    pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')" || true
    # shellcheck disable=SC2086
    [[ -n "${pids// }" ]] && { kill -9 $pids 2>/dev/null || true; }
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1 && ip link del "$HOSTS_BRIDGE"
  [[ -e "/run/netns/$MACHINE_NS" ]] && ip netns del "$MACHINE_NS"
  return 0
}

# --- the gateway: the machine's 127.0.0.1 ports forwarded onto the hosts ------------------------------
gateway_forwards() { # [SERVERS] -> lines: NAME PORT
  local n="${1:-$(server_count)}" i c
  for ((i = 1; i <= n; i++)); do echo "server-$i $((8080 + i))"; echo "server-$i $((9080 + i))"; done
  for c in redis postgres-primary postgres-replica prometheus alertmanager alert-sink redis-exporter postgres-exporter \
           $(ha_mode && ha_component_names); do
    echo "$c $(component_port "$c")"
  done
}

render_gateway() { # [SERVERS]
  local out="$VAR/gateway/gateway.cfg" name port
  mkdir -p "$VAR/gateway"
  {
    cat <<EOF
# Rendered by ./portopt (ops/launcher/hosts.sh): 127.0.0.1 on the machine, forwarded onto the hosts.
global
    maxconn 4096
    stats socket $GATEWAY_SOCK mode 600 level admin
defaults
    mode tcp
    # Transparent: a refused connection is the client's at once, as it would be without the
    # gateway (HAProxy's default of 3 retries, a second apart, made a crashed host look 3 s slower).
    retries 0
    timeout connect 3s
    timeout client 1h
    timeout server 1h
EOF
    while read -r name port; do
      printf 'listen %s-%s\n    bind 127.0.0.1:%s\n    server %s %s:%s namespace %s\n' \
        "$name" "$port" "$port" "$name" "$(addr_of "$name")" "$port" "$(host_ns gateway)"
    done < <(gateway_forwards "${1:-}")
  } >"$out.tmp"
  haproxy -c -q -f "$out.tmp" || die "rendered gateway config is invalid: $out.tmp"
  mv -f "$out.tmp" "$out"
}

start_gateway() {
  alive gateway && return 0
  ensure_host gateway
  render_gateway
  # Master-worker: `scale` reloads it (SIGUSR2) with the new servers' ports, keeping open connections.
  spawn gateway haproxy -W -db -f "$VAR/gateway/gateway.cfg"
  wait_until gateway 10 gateway_healthy || die "gateway did not start; see var/log/gateway.log"
}

gateway_healthy() { [[ "$(echo "show info" | socat -t 2 - "UNIX-CONNECT:$GATEWAY_SOCK" 2>/dev/null)" == *$'\n'Pid:* ]]; }

reload_gateway() { # [SERVERS]: the servers to forward, the cluster's count by default
  hosts_mode && alive gateway || return 0
  render_gateway "${1:-}"
  kill -USR2 "$(pid_of gateway)"
  sleep 0.5
  # The reload took when the master answers and every port of the new configuration is bound.
  wait_until gateway 10 gateway_forwarding "${1:-}" || say "warning: the gateway did not come back after its reload"
}
gateway_forwarding() { # [SERVERS]
  gateway_healthy || return 1
  local name port
  while read -r name port; do port_open "$port" || return 1; done < <(gateway_forwards "${1:-}")
}

# --- faults on the hosts' links --------------------------------------------------------------------
# ./portopt net partition HOST: the host's link taken down at the bridge (the kernel's partition:
# nothing in or out, connections hang until their own timeouts). heal brings it back.
hosts_partition() { # HOST|COMPONENT up|down
  local h state="$2"
  hosts_mode || die "net partition: needs the cluster across hosts (./portopt up --hosts)"
  h="$(host_of "$1")"
  [[ -e "/run/netns/$(host_ns "$h")" ]] || die "net partition: no host $h (one of: $(hosts_listed | sed 's/^po-//' | tr '\n' ' '))"
  ip link set dev "$(host_veth "$h")" "$state"
}

hosts_partitioned() {
  local ns
  for ns in $(hosts_listed); do
    [[ "$(ip link show dev "$(host_veth "${ns#po-}")" 2>/dev/null)" == *"state DOWN"* ]] && echo "${ns#po-}"
  done
}

hosts_heal_all() { local h; for h in $(hosts_partitioned); do ip link set dev "$(host_veth "$h")" up; done; }

# ./portopt crash C in the hosts mode: every process on C's host killed with SIGKILL.
hosts_crash() {
  local name="$1" host ns pids c
  host="$(host_of "$name")"; ns="$(host_ns "$host")"
  # Never the machine's own namespace: its pids are every process on the machine.
  host_octet "$host" >/dev/null && [[ "$ns" != "$MACHINE_NS" && -e "/run/netns/$ns" ]] || die "crash: no host $host"
  pids="$(ip netns pids "$ns" | tr '\n' ' ')"
  [[ -n "${pids// }" ]] || die "crash: nothing runs on host $host"
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
  for c in "$host" "net-$host" $(ha_mode && ha_host_members "$host"); do rm -f "$VAR/run/$c.pid"; done
  say "host $host ($(host_addr "$host")) crashed: SIGKILL to pids $pids"
}
