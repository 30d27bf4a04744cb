#!/usr/bin/env bash
# Every PromQL query of the Grafana dashboards in ops/grafana/dashboards/.
#
#   ops/grafana/queries.sh                 one line per query: <dashboard>\t<panel title>\t<expr>
#   ops/grafana/queries.sh --check         offline: every dashboard is valid JSON with the expected
#                                          shape, and every expr parses (promtool check rules on a
#                                          temporary rules file that records each expr)
#   ops/grafana/queries.sh --live [URL]    runs every query as an instant query against a live
#                                          Prometheus (default http://127.0.0.1:9090); prints
#                                          ok/empty/error per query; fails on any error or when more
#                                          than a quarter come back empty
#
# Uses jq when installed, python3 otherwise.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DASHBOARDS="${PORTOPT_DASHBOARDS_DIR:-$DIR/dashboards}"   # overridable for testing this script
TMP_DIR=""
trap '[[ -n "$TMP_DIR" ]] && rm -rf "$TMP_DIR"' EXIT

have_jq() { command -v jq >/dev/null 2>&1; }

# Panels may sit inside collapsed rows (.panels[].panels[]); newlines and tabs in an expr become spaces.
JQ_QUERIES='
  [.panels[]?, (.panels[]?.panels[]?)] | .[] | . as $p
  | ($p.targets // [])[] | select(.expr != null and .expr != "")
  | "\($d)\t\($p.title // "")\t\(.expr | gsub("[\n\t]"; " "))"'

PY_QUERIES='
import json, sys
name, path = sys.argv[1], sys.argv[2]
board = json.load(open(path))
panels = []
for p in board.get("panels", []):
    panels.append(p)
    panels.extend(p.get("panels", []))
for p in panels:
    for t in p.get("targets", []) or []:
        expr = t.get("expr")
        if expr:
            print("%s\t%s\t%s" % (name, p.get("title", ""), " ".join(expr.replace("\t", " ").split("\n"))))
'

dashboards() {
  shopt -s nullglob
  local files=("$DASHBOARDS"/*.json)
  shopt -u nullglob
  ((${#files[@]})) || { echo "queries.sh: no dashboards in $DASHBOARDS" >&2; exit 1; }
  printf '%s\n' "${files[@]}"
}

list_queries() { # [dashboard files...] (default: all)
  local f name files=()
  if (($# == 0)); then
    mapfile -t files < <(dashboards)
    ((${#files[@]})) || exit 1
    set -- "${files[@]}"
  fi
  for f in "$@"; do
    name="$(basename "$f" .json)"
    if have_jq; then
      jq -r --arg d "$name" "$JQ_QUERIES" "$f"
    else
      python3 -c "$PY_QUERIES" "$name" "$f"
    fi
  done
}

# Structure checks of one dashboard; prints problems, one per line.
JQ_SHAPE='
  def panels: [.panels[]?, (.panels[]?.panels[]?)];
  (if (.uid | type) != "string" or .uid == "" then "no uid" else empty end),
  (if (.title | type) != "string" or .title == "" then "no title" else empty end),
  (if (.panels | type) != "array" or (.panels | length) == 0 then "no panels" else empty end),
  (panels | map(.id) | group_by(.) | map(select(length > 1) | "duplicate panel id \(.[0])") | .[]),
  (panels[] | select(.type != "row") | . as $p
    | (if ($p.targets // [] | length) == 0 then "panel \"\($p.title)\": no targets" else empty end),
      (if $p.datasource.uid != "prometheus" then "panel \"\($p.title)\": datasource is not uid prometheus" else empty end),
      (($p.targets // [])[] |
        (if (.expr // "") == "" then "panel \"\($p.title)\" target \(.refId): no expr" else empty end),
        (if (.expr // "") | test("\\$") then "panel \"\($p.title)\": expr uses a template variable" else empty end),
        (if .datasource.uid != "prometheus" then "panel \"\($p.title)\" target \(.refId): datasource is not uid prometheus" else empty end)))'

PY_SHAPE='
import json, sys
board = json.load(open(sys.argv[1]))
def out(m): print(m)
if not isinstance(board.get("uid"), str) or not board["uid"]: out("no uid")
if not isinstance(board.get("title"), str) or not board["title"]: out("no title")
top = board.get("panels")
if not isinstance(top, list) or not top: out("no panels"); top = []
panels = []
for p in top:
    panels.append(p); panels.extend(p.get("panels", []))
ids = [p.get("id") for p in panels]
for i in sorted(set(x for x in ids if ids.count(x) > 1), key=str): out("duplicate panel id %s" % i)
for p in panels:
    if p.get("type") == "row": continue
    title = p.get("title")
    targets = p.get("targets") or []
    if not targets: out("panel \"%s\": no targets" % title)
    if (p.get("datasource") or {}).get("uid") != "prometheus": out("panel \"%s\": datasource is not uid prometheus" % title)
    for t in targets:
        expr = t.get("expr") or ""
        if not expr: out("panel \"%s\" target %s: no expr" % (title, t.get("refId")))
        if "$" in expr: out("panel \"%s\": expr uses a template variable" % title)
        if (t.get("datasource") or {}).get("uid") != "prometheus": out("panel \"%s\" target %s: datasource is not uid prometheus" % (title, t.get("refId")))
'

check() {
  command -v promtool >/dev/null || { echo "queries.sh --check: promtool is not installed" >&2; exit 2; }
  local tmp f name problems failures=0 n=0 valid=()
  TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portopt-dashboards.XXXXXX")"
  tmp="$TMP_DIR"

  while read -r f; do
    name="$(basename "$f" .json)"
    if have_jq; then
      if ! jq empty "$f" 2>"$tmp/err"; then
        echo "FAILED: $name.json is not valid JSON: $(cat "$tmp/err")" >&2; failures=$((failures + 1)); continue
      fi
      problems="$(jq -r "$JQ_SHAPE" "$f" 2>&1)" || problems="${problems:-cannot be read as a dashboard}"
    else
      if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" 2>"$tmp/err"; then
        echo "FAILED: $name.json is not valid JSON: $(tail -1 "$tmp/err")" >&2; failures=$((failures + 1)); continue
      fi
      problems="$(python3 -c "$PY_SHAPE" "$f" 2>&1)" || problems="${problems:-cannot be read as a dashboard}"
    fi
    if [[ -n "$problems" ]]; then
      sed "s/^/FAILED: $name.json: /" <<<"$problems" >&2
      failures=$((failures + $(wc -l <<<"$problems")))
    fi
    valid+=("$f")
  done < <(dashboards)
  ((${#valid[@]})) || { echo "queries.sh --check: no valid dashboard" >&2; exit 1; }

  # One recording rule per query: promtool parses every expr. Exprs are written as JSON strings,
  # which are valid YAML double-quoted scalars.
  list_queries "${valid[@]}" >"$tmp/queries.tsv"
  {
    echo "groups:"
    echo "  - name: dashboard-queries"
    echo "    rules:"
    local dash title expr
    while IFS=$'\t' read -r dash title expr; do
      n=$((n + 1))
      printf '      - record: dashboard_query:%s:q%d\n        expr: %s\n' "$dash" "$n" \
        "$(if have_jq; then jq -Rn --arg e "$expr" '$e'; else python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$expr"; fi)"
    done <"$tmp/queries.tsv"
  } >"$tmp/rules.yml"
  if promtool check rules "$tmp/rules.yml" >"$tmp/promtool.out" 2>&1; then
    echo "ok: $n dashboard queries parse"
  else
    failures=$((failures + 1))
    echo "FAILED: some dashboard queries do not parse:" >&2
    # Pinpoint: check each query on its own.
    local i=0
    while IFS=$'\t' read -r dash title expr; do
      i=$((i + 1))
      printf 'groups:\n  - name: q\n    rules:\n      - record: q\n        expr: %s\n' \
        "$(if have_jq; then jq -Rn --arg e "$expr" '$e'; else python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$expr"; fi)" >"$tmp/one.yml"
      if ! promtool check rules "$tmp/one.yml" >"$tmp/one.out" 2>&1; then
        printf '  %s / %s: %s\n    %s\n' "$dash" "$title" "$expr" "$(grep -v '^Checking\|^ *$' "$tmp/one.out" | tail -1)" >&2
      fi
    done <"$tmp/queries.tsv"
  fi
  if ((failures > 0)); then
    echo "queries.sh --check: $failures problem(s)" >&2
    exit 1
  fi
  echo "ok: ${#valid[@]} dashboards are valid"
}

live() {
  local url="${1:-http://127.0.0.1:9090}" dash title expr body status count
  local total=0 empty=0 errors=0
  while IFS=$'\t' read -r dash title expr; do
    total=$((total + 1))
    body="$(curl -sS --max-time 20 --data-urlencode "query=$expr" "$url/api/v1/query" 2>&1)" || true
    if have_jq; then
      status="$(jq -r '.status // "error"' <<<"$body" 2>/dev/null || echo error)"
      count="$(jq -r '.data.result | if type == "array" then length else 1 end' <<<"$body" 2>/dev/null || echo 0)"
    else
      read -r status count < <(python3 -c '
import json, sys
try:
    d = json.loads(sys.stdin.read())
    r = d.get("data", {}).get("result")
    print(d.get("status", "error"), len(r) if isinstance(r, list) else 1)
except Exception:
    print("error", 0)' <<<"$body")
    fi
    if [[ "$status" != success ]]; then
      errors=$((errors + 1)); printf 'error\t%s\t%s\t%s\n\t%s\n' "$dash" "$title" "$expr" "${body:0:300}"
    elif [[ "$count" == 0 ]]; then
      empty=$((empty + 1)); printf 'empty\t%s\t%s\t%s\n' "$dash" "$title" "$expr"
    else
      printf 'ok\t%s\t%s\t%s\n' "$dash" "$title" "$expr"
    fi
  done < <(list_queries)
  echo "queries.sh --live: $total queries against $url: $((total - empty - errors)) with data, $empty empty, $errors errors"
  ((errors == 0 && empty * 4 <= total))
}

case "${1:-}" in
  "") list_queries ;;
  --check) check ;;
  --live) live "${2:-}" ;;
  -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 [--check | --live [PROMETHEUS_URL]]" >&2; exit 2 ;;
esac
