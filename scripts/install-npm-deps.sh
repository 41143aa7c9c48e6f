#!/usr/bin/env bash
# Installs the npm dependencies from package-lock.json when node_modules is missing or stale.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
if [ ! -d node_modules/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-npm-deps: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
