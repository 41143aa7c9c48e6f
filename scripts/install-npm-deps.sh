#!/usr/bin/env bash
# Installs the npm dependencies from package-lock.json when node_modules is missing or stale.
# `npm install` rather than `npm ci`: npm 11 records only this platform's optional packages
# (rollup's native builds) in the lockfile and `npm ci` then refuses the lockfile as out of
# sync; `npm install` keeps the locked versions and adds the platform's optional package.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
if [ ! -d node_modules/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-npm-deps: npm install (from package-lock.json)" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi
