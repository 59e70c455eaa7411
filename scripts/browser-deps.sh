#!/usr/bin/env bash
# What the real-browser test (tests/test_web_browser.py) needs: Debian's chromium, its driver, and a CJK font so
# screenshots show Chinese. Idempotent: returns at once when everything is already installed.
set -euo pipefail

packages=(chromium chromium-driver fonts-wqy-microhei)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "browser deps: already installed (${packages[*]})"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty on a fresh container; install fails without them.
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
test -x /usr/bin/chromium && test -x /usr/bin/chromedriver
echo "browser deps: installed ${missing[*]}"
