#!/usr/bin/env bash
# Type-checks and builds the dashboard (web/) into web/dist, which `failsmall serve` serves.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
newest_src=$(find web/src web/index.html web/vite.config.ts -type f -printf '%T@\n' | sort -n | tail -1)
built=$( [ -f web/dist/index.html ] && stat -c '%Y' web/dist/index.html || echo 0)
if [ "${FORCE_WEB_BUILD:-}" = "1" ] || [ "${newest_src%.*}" -ge "$built" ]; then
  npx tsc --noEmit -p web/tsconfig.json
  npx vite build --config web/vite.config.ts --logLevel warn >&2
fi
