#!/usr/bin/env bash
# Cross-compiles the native addon for macOS from Linux, as a check that the
# macOS build (VideoToolbox, Metal, Objective-C++) compiles and links:
# every source binding.gyp builds on a Mac, for arm64 and x86_64
# (macOS 12), with Debian's clang and -Wall -Werror, linked as a Mach-O
# bundle by ld64.lld with Node's symbols left to load time.
#
#   MACOS_SDK=/path/to/MacOSX12.sdk scripts/check-macos-build.sh
#
# MACOS_SDK     a macOS SDK folder (System/Library/Frameworks, usr/include,
#               .tbd stubs); without it the check says so and exits 0.
# MACOS_PREFIXES  space-separated Homebrew-style prefixes with macOS builds of
#               the optional libraries (x264, libyuv, ...). When unset, the
#               check runs twice: without them, then with a stub prefix.
# ARCHS         default "arm64 x86_64".
# Output goes to build/macos-check/<arch>/rfbcast.node.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'check-macos-build: %s\n' "$*"; }

if [[ -z ${MACOS_SDK:-} ]]; then
  say "skipped: MACOS_SDK is not set (point it at a macOS SDK folder to cross-compile the addon for macOS)"
  exit 0
fi
[[ -d $MACOS_SDK/System/Library/Frameworks/VideoToolbox.framework ]] ||
  { say "MACOS_SDK=$MACOS_SDK has no VideoToolbox.framework: not a macOS SDK"; exit 1; }

# Without MACOS_PREFIXES, check twice: with the bare SDK (the optional
# libraries absent, as on a Mac without Homebrew packages), then with a stub
# prefix that provides them all (scripts/macos-stub-prefix.sh), so that every
# native source is compiled and linked for macOS.
if [[ -z ${MACOS_PREFIXES+set} ]]; then
  status=0
  say "pass 1: the SDK alone"
  MACOS_PREFIXES='' bash "$0" || status=1
  prefix=$(bash scripts/macos-stub-prefix.sh "$PWD/build/macos-prefix") || exit 1
  say "pass 2: the SDK and the optional libraries (headers from this system, link stubs from their exports)"
  MACOS_PREFIXES=$prefix bash "$0" || status=1
  exit "$status"
fi

CXX=${CXX_FOR_MACOS:-clang++}
LD64=${LD64:-$(command -v ld64.lld || echo /usr/lib/llvm-14/bin/ld64.lld)}
OBJDUMP=${OBJDUMP:-$(command -v llvm-objdump || echo /usr/lib/llvm-14/bin/llvm-objdump)}
NODE_INCLUDE=${NODE_INCLUDE:-/usr/include/node}
ADDON_API=node_modules/node-addon-api
for need in "$CXX" "$LD64" "$OBJDUMP" python3; do command -v "$need" >/dev/null || { say "missing $need"; exit 1; }; done
[[ -f $NODE_INCLUDE/node_api.h ]] || { say "no Node headers in $NODE_INCLUDE (set NODE_INCLUDE)"; exit 1; }
[[ -f $ADDON_API/napi.h ]] || { say "no node-addon-api: run npm ci first"; exit 1; }

# shellcheck disable=SC2086
plan=$(python3 scripts/macos-build-plan.py "$MACOS_SDK" ${MACOS_PREFIXES:-})
# field NAME: a plan value, one line per list item (no line at all for an empty list).
field() {
  python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; sys.stdout.write("".join(f"{x}\n" for x in (v if isinstance(v,list) else [v])))' "$1" <<<"$plan"
}
mapfile -t sources < <(field sources)
mapfile -t defines < <(field defines)
mapfile -t includes < <(field include_dirs)
mapfile -t cflags < <(field cflags)
mapfile -t libraries < <(field libraries)
std=$(field std)
arc=$(field objc_arc)
target=$(field deployment_target)

say "SDK $MACOS_SDK; optional libraries: $(python3 -c 'import json,sys; print(", ".join(f"{k[5:]}={v}" for k,v in json.load(sys.stdin)["have"].items()))' <<<"$plan")"
mapfile -t everything < <(find native -name '*.cc' -o -name '*.mm' | sort)
for f in "${everything[@]}"; do
  printf '%s\n' "${sources[@]}" | grep -qxF "$f" || say "not part of the macOS build with this SDK: $f"
done

common=(-std="$std" -stdlib=libc++ -fexceptions -fvisibility=hidden -Werror "${cflags[@]}"
  -DNAPI_CPP_EXCEPTIONS -DNODE_GYP_MODULE_NAME=rfbcast -DBUILDING_NODE_EXTENSION
  -D_DARWIN_USE_64_BIT_INODE=1 -D_LARGEFILE_SOURCE -D_FILE_OFFSET_BITS=64
  "${defines[@]/#/-D}" -I"$NODE_INCLUDE" -I"$ADDON_API" "${includes[@]/#/-I}")

# compile ARCH SRC OBJ: one translation unit, diagnostics to OBJ.log.
compile() {
  local extra=()
  [[ $2 == *.mm && $arc == True ]] && extra=(-fobjc-arc)
  "$CXX" -target "$1-apple-macos$target" -isysroot "$MACOS_SDK" "${common[@]}" "${extra[@]}" -c "$2" -o "$3" \
    2>"$3.log" || true
}

status=0
for arch in ${ARCHS:-arm64 x86_64}; do
  out=build/macos-check/$arch
  rm -rf "$out" && mkdir -p "$out"
  objects=()
  for src in "${sources[@]}"; do
    obj=$out/$(tr / _ <<<"${src%.*}").o
    objects+=("$obj")
    compile "$arch" "$src" "$obj" &
    while (($(jobs -rp | wc -l) >= $(nproc))); do wait -n || true; done
  done
  wait
  cat "$out"/*.log >"$out/compile.log"
  missing=$(for o in "${objects[@]}"; do [[ -f $o ]] || echo "$o"; done)
  if [[ -s $out/compile.log || -n $missing ]]; then
    cat "$out/compile.log"
    say "$arch: compile failed or printed diagnostics"
    status=1
    continue
  fi
  "$LD64" -arch "$arch" -platform_version macos "$target" "$target" -syslibroot "$MACOS_SDK" -bundle \
    -undefined dynamic_lookup -fatal_warnings -o "$out/rfbcast.node" "${objects[@]}" -lc++ -lSystem \
    "${libraries[@]}" 2>"$out/link.log" || { cat "$out/link.log"; say "$arch: link failed"; status=1; continue; }
  if [[ -s $out/link.log ]]; then cat "$out/link.log"; say "$arch: the linker printed warnings"; status=1; continue; fi
  # dynamic_lookup must cover Node's API and nothing else: any other symbol
  # left to flat lookup is a missing library or framework.
  stray=$("$OBJDUMP" --macho --bind --lazy-bind "$out/rfbcast.node" 2>/dev/null |
    awk '/flat-namespace/ {print $NF}' | grep -Ev '^_(napi|node_api)_' | sort -u || true)
  if [[ -n $stray ]]; then say "$arch: symbols no linked library provides: $stray"; status=1; continue; fi
  napi=$("$OBJDUMP" --macho --bind --lazy-bind "$out/rfbcast.node" 2>/dev/null | grep -c flat-namespace || true)
  say "$arch: ${#objects[@]} sources compiled with -Wall -Werror, no warnings; linked $(file -b "$out/rfbcast.node" | cut -d, -f1) ($napi Node-API imports left to load time)"
done
exit "$status"
