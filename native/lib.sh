#!/bin/sh
# Library discovery for binding.gyp, so a missing library leaves its feature
# out of the build instead of breaking it.
#   lib.sh have NAME      prints 1 when NAME can be compiled against, else 0
#   lib.sh include NAME   prints its include directories (nothing if absent)
#   lib.sh libs NAME      prints its linker flags (nothing if absent)
# NAME is a pkg-config package, or "yuv": libyuv ships no .pc file, so it is
# found by compiling its header and linked with -lyuv.
set -u
what=$1 name=$2

prefix_flags() {
  # Homebrew on Apple Silicon installs outside the default search paths.
  for p in /opt/homebrew /usr/local; do [ -d "$p/include" ] && printf ' -I%s/include' "$p"; done
}

have() {
  if [ "$name" = yuv ]; then
    echo '#include <libyuv.h>' | ${CXX:-c++} -x c++ -fsyntax-only $(prefix_flags) - >/dev/null 2>&1
  else
    pkg-config --exists "$name" 2>/dev/null
  fi
}

if ! have; then
  [ "$what" = have ] && echo 0
  exit 0
fi
case "$what" in
  have) echo 1 ;;
  include)
    if [ "$name" = yuv ]; then prefix_flags | sed 's/ -I/ /g'
    else pkg-config --cflags-only-I "$name" | sed 's/-I//g'; fi ;;
  libs)
    if [ "$name" = yuv ]; then
      for p in /opt/homebrew /usr/local; do [ -d "$p/lib" ] && printf -- '-L%s/lib ' "$p"; done
      echo -lyuv
    else pkg-config --libs "$name"; fi ;;
esac
