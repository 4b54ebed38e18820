#!/usr/bin/env bash
# Installs Debian's chromium when it is missing: the reconcile page's test
# renders the page in it headless (reconcile/html_test.go). Without root
# or sudo it says so and leaves the test to skip (it fails under CI=true).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
        echo "chromium: not installed and we are not root; the reconcile page's browser test will skip" >&2
        exit 0
    fi
    sudo=(sudo -n)
fi
echo "chromium: not found; installing Debian's chromium with apt-get" >&2
"${sudo[@]}" apt-get update >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2
