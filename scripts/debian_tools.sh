#!/usr/bin/env bash
# Installs the Debian packages whose programs the tests run, each when its
# program is missing. Arguments are PROGRAM=PACKAGE pairs:
#   chromium=chromium           the reconcile page's headless render (reconcile/html_test.go)
#   promtool=prometheus         promtool check metrics (cmd/shopetl/metrics_test.go)
#   prometheus-pushgateway=prometheus-pushgateway   the push test's gateway
#   /usr/share/java/zookeeper.jar=zookeeper   the cluster's ZooKeeper (a PROGRAM
#                               starting with / is a file the package installs)
# Without root or sudo it says so and leaves those tests to skip (they
# fail under CI=true).
set -euo pipefail

missing=()
for pair in "$@"; do
    program=${pair%%=*} package=${pair#*=}
    if [[ $program == /* ]]; then
        [ -e "$program" ] || missing+=("$package") # a file the package installs
    else
        command -v "$program" >/dev/null 2>&1 || missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
        echo "debian_tools: ${missing[*]} not installed and we are not root; the tests that need them will skip" >&2
        exit 0
    fi
    sudo=(sudo -n)
fi
echo "debian_tools: installing Debian's ${missing[*]} with apt-get" >&2
"${sudo[@]}" apt-get update >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
