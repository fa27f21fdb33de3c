#!/usr/bin/env python3
"""Checks that every file under src/ includes only its own library's headers and those of the
libraries its CMakeLists.txt declares as direct dependencies (sluice_library(... DEPS ...)),
and third-party headers only of the packages it declares.

    tests/layering/check_includes.py [SOURCE_DIR]

Prints one line per wrong include and exits 1 if there is any; prints a summary and exits 0
otherwise. The build enforces the same layering for project headers (each library sees only
its own and its dependencies' folders); this check also catches an include that compiles only
because a dependency's dependency is visible, and third-party headers.
"""
import os
import re
import sys

# Third-party targets and the include prefixes they own.
EXTERNAL = {
    "OpenSSL::Crypto": ("openssl/",),
    "OpenSSL::SSL": ("openssl/",),
    "simdjson::simdjson": ("simdjson.h",),
    "ZLIB::ZLIB": ("zlib.h",),
    "PkgConfig::NGHTTP2": ("nghttp2/",),
    "PkgConfig::ZSTD": ("zstd.h",),
    "fmt::fmt": ("fmt/",),
    "CLI11::CLI11": ("CLI/",),
}
# OpenSSL::SSL brings OpenSSL::Crypto.
IMPLIES = {"OpenSSL::SSL": ("OpenSSL::Crypto",)}

LIBRARY = re.compile(r"sluice_library\(\s*(\w+)((?:\s+DEPS)?[^)]*)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def libraries(src):
    """{folder relative to src: (library, [sluice deps], {external targets})}"""
    found = {}
    for root, _, files in os.walk(src):
        if "CMakeLists.txt" not in files:
            continue
        text = open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8").read()
        m = LIBRARY.search(text)
        if not m:
            continue
        words = m.group(2).replace("DEPS", " ").split()
        deps = [w for w in words if w.startswith("sluice_")]
        externals = {w for w in words if w in EXTERNAL}
        for w in list(externals):
            externals.update(IMPLIES.get(w, ()))
        found[os.path.relpath(root, src)] = (m.group(1), deps, externals)
    return found


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../.."))
    src = os.path.join(root, "src")
    libs = libraries(src)
    folder_of = {lib: folder for folder, (lib, _, _) in libs.items()}
    # Longest folder first, so storage/testing wins over storage.
    folders = sorted(libs, key=len, reverse=True)
    errors = []
    checked = 0
    for folder in folders:
        lib, deps, externals = libs[folder]
        allowed = {folder} | {folder_of[d] for d in deps if d in folder_of}
        base = os.path.join(src, folder)
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name)
            if not (os.path.isfile(path) and name.endswith((".h", ".cc"))):
                continue
            checked += 1
            for inc in INCLUDE.findall(open(path, encoding="utf-8").read()):
                owner = next((f for f in folders if inc.startswith(f + "/")), None)
                rel = os.path.relpath(path, root)
                if owner is not None:
                    if owner not in allowed:
                        errors.append(f"{rel}: includes {inc}, but {lib} does not declare "
                                      f"{libs[owner][0]} (src/{folder}/CMakeLists.txt)")
                    continue
                owners = [t for t, prefixes in EXTERNAL.items() if inc.startswith(prefixes)]
                if owners and not externals.intersection(owners):
                    errors.append(f"{rel}: includes <{inc}>, but {lib} does not declare {owners[0]}")
    for e in sorted(set(errors)):
        print(e)
    if errors:
        print(f"layering: {len(set(errors))} wrong include(s) in {checked} files")
        return 1
    print(f"layering: {checked} files in {len(libs)} libraries include only what their libraries declare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
