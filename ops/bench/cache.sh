# ./portopt bench cache: the cache-hit path through the load balancer, side by side in one run with
# two references serving the same bytes from a static nginx: the cluster's own HAProxy (the price of
# the serving path) and a minimal HAProxy (same binary, 1 thread, no logging: the price of our LB
# configuration) (DESIGN section 4, issue 17). Latency at fixed rates is measured twice: on a quiet
# machine and beside one CPU-bound process at nice 19. Needs the cluster up. Sourced by ./portopt.

MINIMAL_LB_PORT=8190

wrk_figures() { # url -> "requests/s p99"; every side sends the same Authorization header
  wrk -t1 -c32 -d"${PORTOPT_WRK_SECONDS:-10}"s --latency -H "Authorization: Bearer ${PORTOPT_API_KEY:-}" "$1" 2>&1 | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = $2 }
    END { print rps, p99 }'
}

start_minimal_lb() { # the baseline: HAProxy with nothing but a frontend, a backend and nginx
  cat >"$VAR/bench/minimal-haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn 4000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend minimal
    bind 127.0.0.1:$MINIMAL_LB_PORT
    default_backend nginx
backend nginx
    server nginx 127.0.0.1:8091
CONF
  haproxy -D -p "$VAR/run/minimal-haproxy.pid" -f "$VAR/bench/minimal-haproxy.cfg" || die "the minimal HAProxy did not start"
}

stop_minimal_lb() {
  if [[ -f "$VAR/run/minimal-haproxy.pid" ]]; then kill "$(cat "$VAR/run/minimal-haproxy.pid")" 2>/dev/null || true; fi
  rm -f "$VAR/run/minimal-haproxy.pid"
}

start_noise() { # one CPU-bound process at nice 19: a production box is never quiet
  nice -n 19 bash -c 'while :; do :; done' &
  NOISE_PID=$!
}

stop_noise() {
  if [[ -n "${NOISE_PID:-}" ]]; then kill "$NOISE_PID" 2>/dev/null || true; wait "$NOISE_PID" 2>/dev/null || true; fi
  NOISE_PID=""
}

ratio() { python3 -c "print(round($1 / $2, 3))"; }

stop_references() { # everything the benchmark started beside the cluster
  stop_noise
  stop_minimal_lb
  nginx -c "$VAR/bench/nginx.conf" -s stop 2>/dev/null || true
}

fixed_row() { # label "h2load figures, quiet" "h2load figures, noisy" -> a table row of p50, p99 each
  local q50 q99 n50 n99
  read -r _ q50 q99 _ <<<"$2"
  read -r _ n50 n99 _ <<<"$3"
  echo "| $1 | $q50, $q99 | $n50, $n99 |"
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
  trap stop_references EXIT
  start_minimal_lb
  wait_until "static reference UP" 15 haproxy_static_up || say "warning: HAProxy has not marked nginx UP"
  local bytes; bytes="$(stat -c %s "$dir/plan.json")"
  local portopt_url="http://127.0.0.1:8080/v1/plans/$id" cluster_url="http://127.0.0.1:8090/plan.json"
  local minimal_url="http://127.0.0.1:$MINIMAL_LB_PORT/plan.json"
  say "GET a cached ${bytes}-byte plan: minimal HAProxy -> nginx, cluster HAProxy -> nginx, cluster HAProxy -> portopt (wrk -t1 -c32)"
  # Warm-up first: every server's JIT, connection pools and local cache (a plan read once is kept).
  PORTOPT_WRK_SECONDS=5 wrk_figures "$portopt_url" >/dev/null
  PORTOPT_WRK_SECONDS=2 wrk_figures "$cluster_url" >/dev/null
  PORTOPT_WRK_SECONDS=2 wrk_figures "$minimal_url" >/dev/null
  local minimal cluster ours
  minimal="$(wrk_figures "$minimal_url")"
  cluster="$(wrk_figures "$cluster_url")"
  ours="$(wrk_figures "$portopt_url")"
  local -A fixed
  local noise
  for noise in quiet noisy; do
    [[ $noise == noisy ]] && { say "the same at fixed rates beside one CPU-bound process at nice 19"; start_noise; }
    say "GET the cached plan at a fixed 2,000 requests/s (h2load --rps, $noise): portopt vs nginx"
    fixed[get-$noise]="$(h2load_figures "$portopt_url")"
    fixed[ref-$noise]="$(h2load_figures "$cluster_url")"
    say "repeated identical POST (exact cache hit), 50 requests/s, SDK and plain HTTP ($noise)"
    # The warm-up solves the few repeated problems and warms the load tool's own JVM; then 20 s count.
    fixed[sdk-$noise]="$(PORTOPT_SKIP_BUILD=1 "$ROOT/portopt" bench load --url http://127.0.0.1:8080 --rate 50 --duration 20 \
          --warmup-s 10 --mode repeat --seed "$RANDOM" --quiet 2>/dev/null | tail -1)"
    fixed[plain-$noise]="$(h2load_figures http://127.0.0.1:8080/v1/plans 5 10 30 -d "$dir/request.json" -H 'Content-Type: application/json')"
    stop_noise
  done
  stop_references
  trap - EXIT
  read -r min_rps min_p99 <<<"$minimal"
  read -r cl_rps cl_p99 <<<"$cluster"
  read -r ours_rps ours_p99 <<<"$ours"
  echo "| path (GET $bytes B, wrk -t1 -c32) | requests/s | p99 | of the minimal baseline |"
  echo "|---|---|---|---|"
  echo "| minimal HAProxy (1 thread, no logging) -> nginx | $min_rps | $min_p99 | 1 |"
  echo "| cluster HAProxy -> nginx | $cl_rps | $cl_p99 | $(ratio "$cl_rps" "$min_rps") (target >= 0.8) |"
  echo "| cluster HAProxy -> portopt, cached plan | $ours_rps | $ours_p99 | $(ratio "$ours_rps" "$min_rps") (target >= 0.5; of cluster -> nginx: $(ratio "$ours_rps" "$cl_rps")) |"
  echo
  echo "| at a fixed rate | quiet p50, p99 | beside a nice-19 CPU hog p50, p99 |"
  echo "|---|---|---|"
  fixed_row "GET cached plan via portopt, 2,000 req/s (h2load)" "${fixed[get-quiet]}" "${fixed[get-noisy]}"
  fixed_row "GET the same bytes via nginx, 2,000 req/s (h2load)" "${fixed[ref-quiet]}" "${fixed[ref-noisy]}"
  local q="${fixed[sdk-quiet]}" n="${fixed[sdk-noisy]}"
  echo "| repeated POST, exact hit, 50 req/s, Java SDK | $(json_field "$q" latencyMs p50) ms, $(json_field "$q" latencyMs p99) ms ($(json_field "$q" ok) ok of $(json_field "$q" sent)) | $(json_field "$n" latencyMs p50) ms, $(json_field "$n" latencyMs p99) ms ($(json_field "$n" ok) ok of $(json_field "$n" sent)) |"
  fixed_row "repeated POST, exact hit, 50 req/s, plain HTTP (h2load)" "${fixed[plain-quiet]}" "${fixed[plain-noisy]}"
}

haproxy_static_up() {
  haproxy_cmd "show stat" 2>/dev/null | awk -F, '$1 == "static_reference" && $2 == "nginx" && $18 ~ /^UP/' | grep -q .
}
