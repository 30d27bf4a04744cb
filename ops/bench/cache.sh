# ./portopt bench cache: the cache-hit path through the load balancer, side by side with the same
# HAProxy in front of a static nginx serving the same bytes (DESIGN section 4). Needs the cluster up.
# Sourced by ./portopt.

wrk_figures() { # url -> "requests/s p99"; both sides send the same Authorization header
  wrk -t2 -c32 -d"${PORTOPT_WRK_SECONDS:-15}"s --latency -H "Authorization: Bearer ${PORTOPT_API_KEY:-}" "$1" 2>&1 | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = $2 }
    END { print rps, p99 }'
}

h2load_figures() { # url [connections per-connection-rate seconds h2load-args...] -> "requests/s p50 p99 (n)"
  local url="$1" connections="${2:-20}" rate="${3:-100}" seconds="${4:-${PORTOPT_WRK_SECONDS:-15}}"
  shift $(( $# < 4 ? $# : 4 ))
  local log="$VAR/bench/h2load.log"
  rm -f "$log"
  # h2load paces each connection at a fixed rate but waits for each answer (no correction for
  # coordinated omission); at these light loads an answer takes far less than the pacing interval.
  h2load --h1 -c "$connections" --rps "$rate" -D "$seconds" --warm-up-time 3 --log-file "$log" \
    -H "Authorization: Bearer ${PORTOPT_API_KEY:-}" "$@" "$url" >"$VAR/bench/h2load.out" 2>&1 || true
  local rps; rps="$(awk '/^finished in/ { print $4 }' "$VAR/bench/h2load.out")"
  # The log holds one line per request: start (us), status, duration (us).
  awk '$2 == 200 { print $3 }' "$log" | sort -n | awk -v rps="$rps" '
    { d[NR] = $1 }
    END { if (NR == 0) { print rps, "-", "-"; exit }
          printf "%s %.2fms %.2fms (%d of them 200)\n", rps, d[int(NR * 0.5) + 1] / 1000, d[int(NR * 0.99) + 1] / 1000, NR }'
}

cmd_bench_cache() {
  healthy haproxy || die "bench cache: start the cluster first (./portopt up)"
  command -v wrk >/dev/null && command -v nginx >/dev/null && command -v h2load >/dev/null || {
    [[ $EUID -eq 0 ]] || die "bench cache needs wrk, nginx and h2load (apt-get install wrk nginx-light nghttp2-client)"
    say "installing Debian packages wrk nginx-light nghttp2-client (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light nghttp2-client >&2
  }
  local dir="$VAR/bench"; mkdir -p "$dir" "$VAR/log" "$VAR/run"
  local instance="${PORTOPT_BENCH_INSTANCE:-$ROOT/../shared/data/berth-allocation/kramer2019/f200x15-01.txt}"
  [[ -f "$instance" ]] || die "bench cache: no instance at $instance"
  "$JAVA" -cp "$BENCH_JAR:$ROOT/bench/target/lib/*" io.portopt.bench.KramerRequest "$instance" 1000 >"$dir/request.json"
  local id
  [[ -n "${PORTOPT_API_KEY:-}" ]] || die "bench cache: no API key (var/dev-api-key or PORTOPT_API_KEY)"
  id="$(curl -fsS -XPOST -H 'Content-Type: application/json' -H "Authorization: Bearer $PORTOPT_API_KEY" \
        --data-binary @"$dir/request.json" \
        http://127.0.0.1:8080/v1/plans | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')"
  [[ -n "$id" ]] || die "bench cache: could not create the 200-vessel plan"
  curl -fsS -o "$dir/plan.json" -H "Authorization: Bearer $PORTOPT_API_KEY" "http://127.0.0.1:8080/v1/plans/$id"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $VAR/run/nginx.pid;
error_log $VAR/log/nginx.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 100000;
  server { listen 127.0.0.1:8091; root $dir; location / { } }
}
CONF
  nginx -c "$dir/nginx.conf" || die "nginx did not start"
  wait_until "static reference UP" 15 haproxy_static_up || say "warning: HAProxy has not marked nginx UP"
  local bytes; bytes="$(stat -c %s "$dir/plan.json")"
  say "GET a cached ${bytes}-byte plan through HAProxy: portopt vs static nginx (wrk -t2 -c32)"
  local ours ref
  # Warm-up first: every server's JIT, connection pools and local cache (a plan read once is kept).
  PORTOPT_WRK_SECONDS=5 wrk_figures "http://127.0.0.1:8080/v1/plans/$id" >/dev/null
  PORTOPT_WRK_SECONDS=3 wrk_figures "http://127.0.0.1:8090/plan.json" >/dev/null
  ours="$(wrk_figures "http://127.0.0.1:8080/v1/plans/$id")"
  ref="$(wrk_figures "http://127.0.0.1:8090/plan.json")"
  say "GET the cached plan at a fixed 2,000 requests/s (h2load --rps): latency, portopt vs nginx"
  local ours_fixed ref_fixed
  ours_fixed="$(h2load_figures "http://127.0.0.1:8080/v1/plans/$id")"
  ref_fixed="$(h2load_figures "http://127.0.0.1:8090/plan.json")"
  nginx -c "$dir/nginx.conf" -s stop 2>/dev/null || true
  say "repeated identical POST (exact cache hit) at light load: bench load --mode repeat --rate 50"
  local post seed=$RANDOM
  # The warm-up solves the few repeated problems and warms the load tool's own JVM; then 20 s count.
  post="$(PORTOPT_SKIP_BUILD=1 "$ROOT/portopt" bench load --url http://127.0.0.1:8080 --rate 50 --duration 20 \
          --warmup-s 10 --mode repeat --seed "$seed" --quiet 2>/dev/null | tail -1)"
  say "a repeated POST of the 200-vessel problem from a plain HTTP client (h2load, 5 x 10 req/s, no Idempotency-Key)"
  local plain
  plain="$(h2load_figures http://127.0.0.1:8080/v1/plans 5 10 30 -d "$dir/request.json" -H 'Content-Type: application/json')"
  read -r ours_rps ours_p99 <<<"$ours"
  read -r ref_rps ref_p99 <<<"$ref"
  echo "| path | requests/s | p99 |"
  echo "|---|---|---|"
  echo "| HAProxy -> portopt, GET cached plan ($bytes B) | $ours_rps | $ours_p99 |"
  echo "| HAProxy -> nginx, same bytes | $ref_rps | $ref_p99 |"
  echo "| ratio portopt / nginx | $(python3 -c "print(round($ours_rps / $ref_rps, 3))") | |"
  read -r f_rps f_p50 f_p99 f_rest <<<"$ours_fixed"
  echo "| HAProxy -> portopt, GET cached plan at 2,000 req/s | $f_rps | p50 $f_p50, p99 $f_p99 |"
  read -r f_rps f_p50 f_p99 f_rest <<<"$ref_fixed"
  echo "| HAProxy -> nginx, same bytes at 2,000 req/s | $f_rps | p50 $f_p50, p99 $f_p99 |"
  echo "| repeated POST, exact cache hit, 50 req/s, Java SDK (Idempotency-Key on each) | $(json_field "$post" ok) ok of $(json_field "$post" sent) | p50 $(json_field "$post" latencyMs p50) ms, p99 $(json_field "$post" latencyMs p99) ms |"
  read -r f_rps f_p50 f_p99 f_rest <<<"$plain"
  echo "| repeated POST of the 200-vessel problem, exact cache hit, 50 req/s, plain HTTP (h2load) | $f_rps | p50 $f_p50, p99 $f_p99 $f_rest |"
}

haproxy_static_up() {
  haproxy_cmd "show stat" 2>/dev/null | awk -F, '$1 == "static_reference" && $2 == "nginx" && $18 ~ /^UP/' | grep -q .
}
