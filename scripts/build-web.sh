#!/usr/bin/env bash
# Type-checks and builds the dashboard (web/) into web/dist, which `failsmall serve` and
# `failsmall demo` serve, when web/dist is missing or older than its sources. Concurrent
# callers (demo + the browser test) wait for one another instead of writing web/dist together.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
mkdir -p node_modules
exec 9>node_modules/.failsmall-web-build.lock
flock 9
newest_src=$(find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f -printf '%T@\n' | sort -n | tail -1)
built=$( [ -f web/dist/index.html ] && stat -c '%Y' web/dist/index.html || echo 0)
if [ "${FORCE_WEB_BUILD:-}" = "1" ] || [ "${newest_src%.*}" -ge "$built" ]; then
  echo "build-web: building the dashboard into web/dist" >&2
  npx tsc --noEmit -p web/tsconfig.json
  npx vite build --config web/vite.config.ts --logLevel warn >&2
fi
