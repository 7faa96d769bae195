#!/usr/bin/env python3
"""Reads binding.gyp the way gyp reads it for a macOS target, and prints the
build as JSON (sources, defines, include dirs, flags, libraries) for
scripts/check-macos-build.sh, which has no gyp and no Mac.

Each optional library's `<!(sh native/lib.sh have NAME)` is decided by
whether its header exists in the SDK or a Homebrew-style prefix given on the
command line, not by the Linux host's pkg-config; so with the bare SDK the
optional libraries are left out exactly as they would be on a Mac without
Homebrew packages.

usage: macos-build-plan.py SDK [PREFIX...]
"""
import ast
import json
import os
import re
import sys

HEADERS = {"x264": "x264.h", "libturbojpeg": "turbojpeg.h", "libwebp": "webp/encode.h",
           "libpng": "png.h", "yuv": "libyuv.h"}
LINK_NAMES = {"x264": "x264", "libturbojpeg": "turbojpeg", "libwebp": "webp", "libpng": "png", "yuv": "yuv"}
LIB_SH = re.compile(r"^<!@?\(sh native/lib\.sh (have|include|libs) (\S+)\)$")


def locate(sdk, prefixes, name):
    """(include dir or None for the SDK's own, lib dir or None), or None when absent."""
    header = HEADERS.get(name)
    if header is None:
        sys.exit(f"macos-build-plan: no header known for library '{name}'; add it to HEADERS")
    if os.path.exists(os.path.join(sdk, "usr/include", header)):
        return (None, None)
    for p in prefixes:
        if os.path.exists(os.path.join(p, "include", header)):
            return (os.path.join(p, "include"), os.path.join(p, "lib"))
    return None


def expand(value, sdk, prefixes):
    """Evaluates a `<!` command expansion; returns a string or a list (for `<!@`)."""
    m = LIB_SH.match(value)
    if not m:
        sys.exit(f"macos-build-plan: cannot evaluate {value!r} for a cross build; teach scripts/macos-build-plan.py")
    what, name = m.groups()
    found = locate(sdk, prefixes, name)
    if what == "have":
        return "1" if found else "0"
    if not found:
        return []
    include, lib = found
    if what == "include":
        return [include] if include else []
    return ([f"-L{lib}"] if lib else []) + [f"-l{LINK_NAMES[name]}"]


def resolve(node, sdk, prefixes):
    if isinstance(node, str) and node.startswith("<!"):
        return expand(node, sdk, prefixes)
    if isinstance(node, list):
        out = []
        for item in node:
            r = resolve(item, sdk, prefixes)
            out.extend(r if isinstance(item, str) and item.startswith("<!@") else [r])
        return out
    if isinstance(node, dict):
        return {k: resolve(v, sdk, prefixes) for k, v in node.items()}
    return node


def as_value(v):
    return int(v) if isinstance(v, str) and re.fullmatch(r"-?\d+", v) else v


def merge(into, extra):
    """gyp's merge of a condition's dict into its target: lists append, dicts merge, the rest replace."""
    for key, value in extra.items():
        if key == "conditions":
            continue
        if isinstance(value, list):
            into.setdefault(key, []).extend(value)
        elif isinstance(value, dict):
            merge(into.setdefault(key, {}), value)
        else:
            into[key] = value


def apply_conditions(target, variables):
    for condition in target.get("conditions", []):
        expression, then = condition[0], condition[1]
        chosen = then if eval(expression, {}, dict(variables)) else (condition[2] if len(condition) > 2 else None)
        if chosen:
            merge(target, chosen)
            apply_conditions(chosen, variables)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sdk, prefixes = sys.argv[1], sys.argv[2:]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with open(os.path.join(root, "binding.gyp")) as f:
        gyp = ast.literal_eval(f.read())
    variables = {"OS": "mac"}
    for name, value in gyp.get("variables", {}).items():
        variables[name.rstrip("%")] = as_value(resolve(value, sdk, prefixes))
    (target,) = [t for t in gyp["targets"] if t["target_name"] == "rfbcast"]
    conditions = target.get("conditions", [])
    # The node-addon-api dependency is supplied by the check script itself.
    target = resolve({k: v for k, v in target.items() if k not in ("conditions", "dependencies")}, sdk, prefixes)
    target["conditions"] = resolve(conditions, sdk, prefixes)
    apply_conditions(target, variables)
    xcode = target.get("xcode_settings", {})
    libraries = target.get("libraries", []) + target.get("link_settings", {}).get("libraries", [])
    plan = {
        "sources": target.get("sources", []),
        "defines": target.get("defines", []),
        "include_dirs": [d for d in target.get("include_dirs", []) if d],
        "cflags": xcode.get("OTHER_CFLAGS", []) + [f"-O{xcode.get('GCC_OPTIMIZATION_LEVEL', '3')}"],
        "std": xcode.get("CLANG_CXX_LANGUAGE_STANDARD", "c++17"),
        "objc_arc": xcode.get("CLANG_ENABLE_OBJC_ARC") == "YES",
        "deployment_target": xcode.get("MACOSX_DEPLOYMENT_TARGET", "12.0"),
        "libraries": [part for lib in libraries for part in lib.split()],
        "have": {k: v for k, v in variables.items() if k.startswith("have_")},
    }
    json.dump(plan, sys.stdout, indent=1)
    print()


main()
