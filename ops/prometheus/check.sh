#!/usr/bin/env bash
# Offline checks of the monitoring configuration; no running cluster needed.
#
#   1. promtool check config   on prometheus.yml.template, rendered the way ./portopt renders it
#                              (@@VAR@@ -> a temp dir holding an empty file_sd target list,
#                              @@OPS@@ -> this ops/ directory); this also checks its rule files
#   2. promtool check rules    on ops/prometheus/rules/*.yml
#   3. promtool test rules     on ops/prometheus/rules/tests/*.yml
#   4. every alert has a unit test where it fires and one where it stays quiet, and a runbook
#      section in docs/operations.md
#   5. amtool check-config     on alertmanager.yml.template, rendered the same way
#   6. ops/grafana/queries.sh --check: dashboards are valid JSON and every panel query parses
#
# Prints each step and its outcome; exits non-zero when any step fails (all steps still run).
# Usage: ops/prometheus/check.sh
set -uo pipefail

PROM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OPS="$(cd "$PROM_DIR/.." && pwd)"
ROOT="$(cd "$OPS/.." && pwd)"
RULES="$PROM_DIR/rules"

failures=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }

for tool in promtool amtool; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool is not installed (apt-get install prometheus prometheus-alertmanager)" >&2; exit 2; }
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/portopt-check.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

render() { # template output
  mkdir -p "$(dirname "$2")"
  sed -e "s#@@VAR@@#$TMP/var#g" -e "s#@@OPS@@#$OPS#g" "$1" >"$2"
}

shopt -s nullglob
rule_files=("$RULES"/*.yml)
test_files=("$RULES"/tests/*.yml)
shopt -u nullglob

step "1. promtool check config: ops/prometheus/prometheus.yml.template (rendered)"
mkdir -p "$TMP/var/prometheus/targets"
for f in servers patroni etcd; do echo '[]' >"$TMP/var/prometheus/targets/$f.json"; done
render "$PROM_DIR/prometheus.yml.template" "$TMP/var/prometheus/prometheus.yml"
if grep -q '@@' "$TMP/var/prometheus/prometheus.yml"; then
  fail "prometheus.yml.template has placeholders other than @@VAR@@ and @@OPS@@"
fi
if promtool check config "$TMP/var/prometheus/prometheus.yml"; then
  ok "prometheus.yml.template"
else
  fail "promtool check config"
fi

step "2. promtool check rules: ${rule_files[*]#"$ROOT/"}"
if ((${#rule_files[@]} == 0)); then
  fail "no rule files in $RULES"
elif promtool check rules "${rule_files[@]}"; then
  ok "${#rule_files[@]} rule files"
else
  fail "promtool check rules"
fi

step "3. promtool test rules: ${test_files[*]#"$ROOT/"}"
if ((${#test_files[@]} == 0)); then
  fail "no rule unit tests in $RULES/tests"
elif (cd "$RULES" && promtool test rules "${test_files[@]#"$RULES/"}"); then
  ok "${#test_files[@]} test files"
else
  fail "promtool test rules"
fi

step "4. every alert is tested firing and quiet, and has a runbook section"
alerts="$(awk '/^[[:space:]]*-[[:space:]]*alert:/ { print $NF }' "${rule_files[@]}" | sort -u)"
# In the tests: after `alertname: X`, an `- exp_labels:` line means X fires there, and
# `exp_alerts: []` means X must stay quiet there.
tested="$(awk '
  /^[[:space:]]*alertname:/ { name = $2 }
  /^[[:space:]]*-[[:space:]]*exp_labels:/ && name != "" { print name, "fires" }
  /^[[:space:]]*exp_alerts:[[:space:]]*\[\]/ && name != "" { print name, "quiet" }' "${test_files[@]}" | sort -u)"
runbook="$ROOT/docs/operations.md"
count=0
for a in $alerts; do
  count=$((count + 1))
  grep -qx "$a fires" <<<"$tested" || fail "alert $a has no unit test where it fires"
  grep -qx "$a quiet" <<<"$tested" || fail "alert $a has no unit test where it stays quiet"
  anchor="$(tr '[:upper:]' '[:lower:]' <<<"$a")"
  if [[ ! -f "$runbook" ]] || ! grep -Eq "^#+ +$a\$|id=\"$anchor\"" "$runbook"; then
    fail "alert $a has no runbook section in docs/operations.md (#$anchor)"
  fi
done
# Every runbook annotation points at docs/operations.md#<alert name, lowercased>.
while read -r name link; do
  [[ "$link" == "docs/operations.md#$(tr '[:upper:]' '[:lower:]' <<<"$name")" ]] || fail "alert $name: runbook '$link' is not docs/operations.md#<alert, lowercased>"
done < <(awk '
  /^[[:space:]]*-[[:space:]]*alert:/ { name = $NF }
  /^[[:space:]]*runbook:/ { gsub(/"/, "", $2); print name, $2 }' "${rule_files[@]}")
((count >= 8)) || fail "only $count alerts defined (at least 8 expected)"
ok "$count alerts: $(tr '\n' ' ' <<<"$alerts")"

step "5. amtool check-config: ops/alertmanager/alertmanager.yml.template (rendered)"
render "$OPS/alertmanager/alertmanager.yml.template" "$TMP/var/alertmanager/alertmanager.yml"
if amtool check-config "$TMP/var/alertmanager/alertmanager.yml"; then
  ok "alertmanager.yml.template"
else
  fail "amtool check-config"
fi

step "6. Grafana dashboards: JSON and PromQL syntax (ops/grafana/queries.sh --check)"
if [[ -x "$OPS/grafana/queries.sh" ]]; then
  if "$OPS/grafana/queries.sh" --check; then
    ok "dashboards"
  else
    fail "ops/grafana/queries.sh --check"
  fi
else
  fail "ops/grafana/queries.sh is missing or not executable"
fi

echo
if ((failures > 0)); then
  echo "check.sh: $failures check(s) FAILED" >&2
  exit 1
fi
echo "check.sh: all monitoring checks passed"
