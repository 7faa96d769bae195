#!/usr/bin/env bash
# Builds everything rfbcast ships, doing only what is out of date:
#   1. the native addon, when its sources or the system libraries found changed,
#   2. the TypeScript (dist/) and the browser viewer (dist/client), when their sources changed.
# `npm run build` and `npm pack` (prepack) run it; scripts/bootstrap.sh runs it after
# installing what is missing. All output goes to stderr.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."

say() { printf 'build: %s\n' "$*"; }

native_addon() {
  local libs addon=build/Release/rfbcast.node stamp=build/libraries.txt
  libs=$(for l in x264 libturbojpeg libwebp libpng yuv; do printf '%s=%s\n' "$l" "$(sh native/lib.sh have "$l")"; done)
  if [[ -f $addon && -f $stamp && "$(cat "$stamp")" == "$libs" ]] &&
    [[ -z $(find native binding.gyp -newer "$addon" -print -quit) ]]; then
    return
  fi
  say "building the native addon"
  npx --no-install node-gyp rebuild >build.log 2>&1 || { cat build.log; say "native build failed (log above)"; exit 1; }
  printf '%s\n' "$libs" >"$stamp"
  rm -f build.log
}

typescript() {
  local stamp=dist/.built
  if [[ -f $stamp && -f dist/client/rfbcast.js ]] &&
    [[ -z $(find src bench examples test/helpers scripts/build-client.js tsconfig.json package.json -newer "$stamp" -print -quit 2>/dev/null) ]]; then
    return
  fi
  say "compiling TypeScript and bundling the browser viewer"
  npx --no-install tsc -p tsconfig.json
  node scripts/build-client.js
  touch "$stamp"
}

native_addon
typescript
