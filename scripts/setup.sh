#!/usr/bin/env bash
# Installs what the demo and the test suite need, idempotently: Debian packages (media peers,
# nats-server, libsrt, GStreamer's RTSP server, chromium for the console's browser test) and the
# npm workspaces (which bring Node 24).
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ffmpeg nats-server libsrt1.5-openssl srt-tools openssl unzip
  gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-tools
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  chromium fonts-dejavu-core
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present"
fi

# Install exactly the lock (`npm ci`), and only when it changed since the last install
# (node_modules/.package-lock.json is written by every install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: node_modules up to date"
fi

node_version=$(node_modules/.bin/node --version)
case "$node_version" in
  v24.*) echo "setup: Node $node_version (pinned, node_modules/.bin/node)" ;;
  *) echo "setup: expected Node 24 in node_modules/.bin, found $node_version" >&2; exit 1 ;;
esac
