#!/usr/bin/python3
"""Every compiled model depends on the C library only.

    check_so_symbols.py DIR...

Finds every model .so under DIR (a shared library exporting
qcc_abi_version: what the e2e tests compiled) and checks, with `nm -D` and
`readelf -d`, that
  - it needs no shared library beyond libc, libm, libdl, libpthread (and
    the dynamic loader): no libgcc_s, libstdc++, compiler-rt, MLIR runtime;
  - every undefined symbol it uses is a versioned glibc symbol (GLIBC_*),
    or weak (the loader's optional hooks): an unversioned undefined symbol
    is one nothing on the target system is guaranteed to define (the
    __truncsfbf2 libcall that Debian 12's libgcc lacks was one).
Prints one line per offending library and a summary
`so symbols: N models checked, M with problems`; exits non-zero if M > 0
or if no model was found (nothing checked is not a pass).
"""
import os
import re
import subprocess
import sys

ALLOWED_NEEDED = re.compile(r"^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|"
                            r"ld-linux[-\w.]*\.so\.\d+)$")


def is_model(path):
    p = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True)
    return p.returncode == 0 and re.search(r"\sT qcc_abi_version$", p.stdout, re.M)


def problems(path):
    out = []
    nm = subprocess.run(["nm", "-D", "--undefined-only", path], capture_output=True,
                        text=True, check=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        kind, sym = parts
        if kind in ("w", "v"):
            continue
        if "@GLIBC_" not in sym:
            out.append("undefined symbol %s (not a glibc symbol)" % sym)
    dyn = subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                         check=True).stdout
    for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
        if not ALLOWED_NEEDED.match(lib):
            out.append("needs %s" % lib)
    return out


def main():
    models, bad = 0, 0
    for root in sys.argv[1:]:
        for d, _, files in os.walk(root):
            for f in files:
                path = os.path.join(d, f)
                if not f.endswith(".so") or os.path.islink(path) or not is_model(path):
                    continue
                models += 1
                p = problems(path)
                if p:
                    bad += 1
                    print("%s: %s" % (path, "; ".join(p)))
    print("so symbols: %d models checked, %d with problems" % (models, bad))
    return 0 if models > 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
