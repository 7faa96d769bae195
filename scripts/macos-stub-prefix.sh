#!/usr/bin/env bash
# Builds a Homebrew-style prefix in which the optional libraries (x264,
# libjpeg-turbo, libpng, libwebp, libyuv) "exist" for a macOS cross build:
#   include/  this system's headers of those libraries (they are portable C),
#   lib/      a .tbd link stub per library, listing exactly the symbols this
#             system's shared library exports, for arm64 and x86_64 macOS.
# With it, scripts/check-macos-build.sh compiles every native source with the
# features a Mac with the Homebrew packages would have, and the link proves
# the addon needs nothing those libraries do not export.
#   macos-stub-prefix.sh OUT   prints OUT when done; exits 1 if a library is missing here.
set -euo pipefail
out=${1:?usage: macos-stub-prefix.sh OUT}
rm -rf "$out" && mkdir -p "$out/include" "$out/lib"

libdir() { dirname "$(ldconfig -p 2>/dev/null | awk -v n="lib$1.so" '$1 == n {print $NF; exit}')"; }

# name, link name, header files or folders to copy (relative to /usr/include)
copy_headers() {
  for h in "$@"; do
    local src
    src=$(find /usr/include -maxdepth 2 -name "$(basename "$h")" -path "*$h" -print -quit)
    [[ -n $src ]] || { echo "macos-stub-prefix: header $h not found (install the -dev package)" >&2; exit 1; }
    mkdir -p "$out/include/$(dirname "$h")"
    cp -rL "$src" "$out/include/$h"
  done
}

stub() {
  local name=$1 so
  so=$(libdir "$name")/lib$name.so
  [[ -f $so ]] || { echo "macos-stub-prefix: lib$name.so not found" >&2; exit 1; }
  {
    echo '--- !tapi-tbd'
    echo 'tbd-version: 4'
    echo 'targets: [ x86_64-macos, arm64-macos ]'
    echo "install-name: '/opt/homebrew/lib/lib$name.dylib'"
    echo 'exports:'
    echo '  - targets: [ x86_64-macos, arm64-macos ]'
    echo '    symbols: ['
    nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print "      _" $3 ","}' | sed 's/@.*,$/,/' | LC_ALL=C sort -u | sed '$ s/,$/ ]/'
    echo '...'
  } >"$out/lib/lib$name.tbd"
}

copy_headers x264.h x264_config.h
copy_headers turbojpeg.h
copy_headers png.h pngconf.h pnglibconf.h
copy_headers webp
copy_headers libyuv.h libyuv
# libpng's headers live in libpng16/ here, at the top of include/ in Homebrew.
stub x264
stub turbojpeg
stub png16 && mv "$out/lib/libpng16.tbd" "$out/lib/libpng.tbd"
stub webp
stub yuv
echo "$out"
