#!/usr/bin/env bash
# The whole test suite: installs what it needs, type-checks, runs every test
# (unit, vectors, integration, interop with real gobgpd/exabgp/bird2/nftables, scenarios,
# browser end-to-end) and ends with one line "N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
bash scripts/install-system-deps.sh
bash scripts/install-npm-deps.sh
if [ -f web/package.json ]; then bash scripts/build-web.sh; fi
echo "== typecheck" >&2
npx tsc --noEmit -p tsconfig.json
echo "== tests" >&2
npx vitest run "$@"
