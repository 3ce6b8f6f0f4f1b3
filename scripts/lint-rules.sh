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
# Every interface file (pages, API, admin, calendar feeds, PDFs, the home page) reaches case
# records only through the access module (cases.access): never a model's manager directly.
RECORDS='Case|Child|Person|Relationship|TeamMember|Episode|Placement|PermanencyPlan|Hearing|HearingOrder|MaltreatmentReport|Consent|Ftm|FtmActionItem|FtmAttendance|Visit|FamilyTimePlan|Screening|Goal|Service|Assessment|MarkerRating'
mapfile -t INTERFACES < <(find safebabies cases teams assessments familytime workforce community cqi \
  -path '*/migrations' -prune -o -path 'safebabies/dev' -prune -o \
  \( -name views.py -o -name api.py -o -path '*/api/*.py' -o -name admin.py -o -name home.py \
     -o -name pdf.py -o -name feeds.py -o -name urls.py \) -print | sort)
rule "Interfaces reach case records through the access module (cases.access), not a manager:" \
  "\\b($RECORDS)\\.(objects|_default_manager|_base_manager)\\b" "${INTERFACES[@]}"
# No raw SQL built with string formatting.
rule "Raw SQL with string formatting:" '\.(execute|raw)\(f["'"'"']' safebabies cases teams assessments familytime workforce community cqi
# csrf_exempt only on the token API (documented there).
rule "csrf_exempt outside the API:" 'csrf_exempt' cases teams/views.py assessments familytime workforce community cqi
# No 'visitation' in what users read.
rule "Say 'family time', not 'visitation':" '[Vv]isitation' templates cases teams assessments familytime workforce community cqi
# Every CSV for people goes through safebabies.lib.csvsafe (formula injection); the data package
# (a machine format that must round-trip) is the one documented exception.
rule "csv.writer outside safebabies.lib.csvsafe (use csvsafe.writer):" '\bcsv\.(writer|DictWriter)\(' \
  $(find safebabies cases teams assessments familytime workforce community cqi -name '*.py' \
      ! -path 'safebabies/lib/csvsafe.py' ! -path 'cases/package/exporter.py' ! -path '*/migrations/*')
# No style attribute in a page: the Content-Security-Policy blocks inline styles, so the style
# would silently not apply (a class in static/css/app.css instead).
hits=$(grep -rnE --include='*.html' '[[:space:]]style="' templates 2>/dev/null | grep -v 'lint-ok' || true)
if [ -n "$hits" ]; then
  echo "A style attribute in a template (the CSP blocks it; use a class in static/css/app.css):"
  echo "$hits" | sed 's/^/  /'; status=1
fi
exit $status
