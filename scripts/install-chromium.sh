#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright drives it; no browser download),
# with a Latin and a Chinese font so that zh_CN pages render as people read them.
set -euo pipefail
PACKAGES=(chromium fonts-dejavu-core fonts-wqy-microhei)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
