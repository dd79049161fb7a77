#!/usr/bin/env bash
# Makes sure the Chromium used by the admin UI browser tests (test/ui) is installed at /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "[ensure-chromium] installing chromium (Debian package)"
$SUDO apt-get install -y chromium >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y chromium >/dev/null; }
test -x /usr/bin/chromium
