#!/usr/bin/env bash
# Sets up everything rfbcast needs, doing only what is missing:
#   1. system packages (apt on Debian/Ubuntu; on macOS it names the Homebrew ones),
#   2. npm ci when node_modules is missing or older than package-lock.json,
#   3. then scripts/build.sh: the native addon, the TypeScript and the browser bundle,
#      each when its sources changed.
# A run with nothing to do takes well under a second. All output goes to stderr.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*"; }

APT_PACKAGES=(build-essential pkg-config python3 libx264-dev libyuv-dev libturbojpeg0-dev libwebp-dev libpng-dev ffmpeg chromium firefox-esr openssl nats-server)
BREW_PACKAGES=(pkg-config x264 jpeg-turbo webp libpng ffmpeg)

system_packages() {
  if [[ "$(uname -s)" == Darwin ]]; then
    command -v brew >/dev/null || { say "Homebrew not found; install it, then: brew install ${BREW_PACKAGES[*]}"; return; }
    local missing=()
    for p in "${BREW_PACKAGES[@]}"; do brew list --versions "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
      say "missing Homebrew packages: ${missing[*]} -- run: brew install ${missing[*]}"
      say "(libyuv is optional on macOS: without it NV12/I420 -> RGB conversion is unavailable)"
    fi
    return
  fi
  command -v dpkg-query >/dev/null || { say "not a Debian/Ubuntu system: install the equivalents of ${APT_PACKAGES[*]} yourself"; return; }
  local missing=()
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
  for p in "${APT_PACKAGES[@]}"; do grep -q "^$p ii" <<<"$installed" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n)
    else
      say "missing packages: ${missing[*]}"
      say "cannot install them without root: run 'sudo apt-get install -y ${missing[*]}' and try again"
      exit 1
    fi
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

npm_dependencies() {
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=warn
  fi
}

system_packages
npm_dependencies
bash scripts/build.sh
