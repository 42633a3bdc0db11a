#!/usr/bin/env bash
# `npm test`: every check, each counted, ending with one plain line `N passed, N failed`.
#   typecheck · lint · theme check · unit · integration on SQLite · integration on PostgreSQL · browser (Chromium)
# Exits non-zero if anything failed. Vitest's JSON reports land in .ci/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
out=.ci/out
mkdir -p "$out"
rm -f "$out"/*.json
passed=0
failed=0

step() { echo; echo "=== $* ==="; }
count_check() { # a check that is one test: exit code decides
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $*"; fi
}
count_vitest() { # name, then the vitest arguments
  local name="$1"; shift
  local report="$out/$name.json"
  npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="$report"
  local code=$?
  if [ -f "$report" ]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests,r.numFailedTests)' "$PWD/$report")
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); echo "FAILED: vitest $name exited $code"; fi
  else
    failed=$((failed + 1)); echo "FAILED: vitest $name wrote no report (exit $code)"
  fi
}

bash scripts/ensure-system-deps.sh || { failed=$((failed + 1)); echo "FAILED: system packages"; }

step "prisma generate (SQLite)"
npx prisma generate --schema prisma/schema.prisma >/dev/null || { failed=$((failed + 1)); echo "FAILED: prisma generate"; }

step typecheck
count_check npx tsc --noEmit
step lint
count_check npx eslint --max-warnings 0 .
step "theme check (extensions/keepsake-theme: any offense of severity error fails)"
count_check npx tsx scripts/storefront/theme-check.ts

step "unit + integration (SQLite)"
count_vitest sqlite --project unit --project integration

step "integration (PostgreSQL)"
pg_env="$(bash scripts/pg-test-server.sh start)" && eval "$pg_env"
if [ -n "${DATABASE_URL:-}" ] && [[ "$DATABASE_URL" == postgres* ]]; then
  npx prisma generate --schema prisma/postgres/schema.prisma >/dev/null
  count_vitest postgres --project integration
  bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true
  unset DATABASE_URL
  npx prisma generate --schema prisma/schema.prisma >/dev/null
else
  failed=$((failed + 1)); echo "FAILED: could not start PostgreSQL"
fi

if ls tests/e2e/*.test.ts >/dev/null 2>&1; then
  step "browser (Chromium): the demo, and the storefront widget on a test database (SQLite)"
  count_vitest e2e --project e2e --project storefront
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
