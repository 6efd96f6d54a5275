#!/bin/sh
# Debian's headless Chromium for the browser tests (tests/e2e, marked `browser`).
# Idempotent: does nothing when the packages are already installed.
set -eu

if dpkg-query -W -f='${Status}\n' chromium chromium-driver 2>/dev/null | grep -qv "install ok installed" \
   || ! dpkg-query -W chromium chromium-driver >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
fi
/usr/bin/chromium --version
