#!/usr/bin/env bash
# The project's own rules (STYLE.md): dangerous constructs that ruff cannot see.
set -u
status=0
rule() {  # rule "<message>" <grep -E pattern> <paths...>
  local message=$1 pattern=$2; shift 2
  local hits
  hits=$(grep -rnE --include='*.py' "$pattern" "$@" 2>/dev/null | grep -v '# lint-ok' || true)
  if [ -n "$hits" ]; then
    echo "$message"; echo "$hits" | sed 's/^/  /'; status=1
  fi
}
# Views, API and commands reach case records only through the access selectors.
rule "Use the access selectors (cases.selectors), not Case.objects, in views/API/commands:" \
  '\b(Case|Child|Episode|Placement|Hearing|Ftm|Visit|Screening|Service)\.objects\.(get|filter|all)\(' \
  cases/views.py cases/api.py teams/views.py teams/api.py assessments/views.py familytime/views.py cqi/views.py
# The application never imports the developer tooling (only the commands that are its interface).
rule "Import safebabies.dev only from safebabies/dev/ and management commands:" \
  '^\s*(from|import) safebabies(\.dev\b| import dev\b)' \
  $(ls -d safebabies/* cases teams assessments familytime cqi | grep -v '^safebabies/dev$') \
  --exclude-dir=commands
# No raw SQL built with string formatting.
rule "Raw SQL with string formatting:" '\.(execute|raw)\(f["'"'"']' safebabies cases teams assessments familytime cqi
# csrf_exempt only on the token API (documented there).
rule "csrf_exempt outside the API:" 'csrf_exempt' cases teams/views.py assessments familytime cqi
# No 'visitation' in what users read.
rule "Say 'family time', not 'visitation':" '[Vv]isitation' templates cases teams assessments familytime cqi
exit $status
