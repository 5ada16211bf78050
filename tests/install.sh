#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine: Chromium for the browser
# tests, Java and the W3C Nu checker for the HTML tests, and the Python package with its test
# extra. Safe to run again: it skips what is already there. Needs root or passwordless sudo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive PIP_NO_INPUT=1 npm_config_fund=false npm_config_audit=false

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(nodejs npm)
# actionlint runs shellcheck over the workflows' run: scripts.
command -v shellcheck >/dev/null || missing+=(shellcheck)
if ((${#missing[@]})); then
    sudo=()
    ((EUID == 0)) || sudo=(sudo --non-interactive)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --ignore-scripts: vnu-jar's postinstall would download a Java runtime; Debian's is used.
npm ci --ignore-scripts --prefix tests
pip install -e '.[test]'
