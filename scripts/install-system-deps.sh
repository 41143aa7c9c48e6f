#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: BGP peers (gobgpd, exabgp,
# bird2), nftables and iproute2 (namespaces), tshark (vector checks), flow tools
# (softflowd, nfdump, pmacct) and chromium (dashboard end-to-end tests).
# Idempotent: does nothing when every command is already present.
set -euo pipefail
need=()
check() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
check gobgpd gobgpd
check exabgp exabgp
check bird bird2
check nft nftables
check ip iproute2
check tshark tshark
check softflowd softflowd
check nfcapd nfdump
check sfacctd pmacct
check chromium chromium
check sqlite3 sqlite3
check python3 python3
check pg_ctlcluster postgresql
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "install-system-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
