#!/usr/bin/python3
"""Compare two tensors, each a .npy file or an ONNX TensorProto .pb file.

    compare_npy.py ACTUAL EXPECTED [--rtol R] [--atol A] [--show N] [--label-a S] [--label-b S]

Passes when shapes and dtypes agree and |a - b| <= atol + rtol * |b| elementwise
(numpy.isclose, NaN == NaN). Prints one summary line (`match: ...` or `MISMATCH: ...`)
and, with --show N, the first N values side by side. Exit 0 match, 1 mismatch, 2 error.
For the lit e2e tests and examples/run_example.sh; run with /usr/bin/python3.
"""
import argparse
import sys

import numpy as np


def load(path):
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    from onnx import TensorProto, numpy_helper
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("actual")
    ap.add_argument("expected")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--show", type=int, default=0, metavar="N",
                    help="print the first N values side by side")
    ap.add_argument("--label-a", default="actual")
    ap.add_argument("--label-b", default="expected")
    args = ap.parse_args()
    try:
        a, b = load(args.actual), load(args.expected)
    except Exception as e:
        print("compare_npy: error: %s" % e, file=sys.stderr)
        return 2

    if a.shape != b.shape:
        print("MISMATCH: shape %s vs %s" % (list(a.shape), list(b.shape)))
        return 1
    if a.dtype != b.dtype:
        print("MISMATCH: dtype %s vs %s" % (a.dtype, b.dtype))
        return 1

    fa, fb = a.ravel(), b.ravel()
    if args.show > 0:
        n = min(args.show, fa.size)
        print("%8s  %16s  %16s  %12s" % ("index", args.label_a, args.label_b, "abs diff"))
        for i in range(n):
            idx = np.unravel_index(i, a.shape) if a.ndim else ()
            try:
                d = abs(float(fa[i]) - float(fb[i]))
                ds = "%12.3g" % d
            except (TypeError, ValueError):
                ds = "%12s" % ("" if fa[i] == fb[i] else "differs")
            print("%8s  %16s  %16s  %s" % (",".join(map(str, idx)) or "-",
                                           fmt(fa[i]), fmt(fb[i]), ds))
        if fa.size > n:
            print("%8s  (%d more values)" % ("...", fa.size - n))

    if a.dtype.kind in "fc":
        ok = np.isclose(a, b, rtol=args.rtol, atol=args.atol, equal_nan=True)
    else:
        ok = a == b
    if a.size == 0:
        print("match: empty %s%s" % (a.dtype, list(a.shape)))
        return 0
    if a.dtype.kind in "fciub":
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        diff = np.where(np.isnan(diff) & np.isnan(a) & np.isnan(b), 0, diff)
        stats = "max abs diff %.3g, %d/%d elements outside rtol %g atol %g" % (
            np.nanmax(diff), int((~ok).sum()), a.size, args.rtol, args.atol)
    else:
        stats = "%d/%d elements differ" % (int((~ok).sum()), a.size)
    if ok.all():
        print("match: %s%s, %s" % (a.dtype, list(a.shape), stats))
        return 0
    first = np.unravel_index(int(np.argmin(ok.ravel())), a.shape)
    print("MISMATCH: %s%s, %s; first at [%s]: %s vs %s" % (
        a.dtype, list(a.shape), stats, ",".join(map(str, first)), a[first], b[first]))
    return 1


def fmt(v):
    if isinstance(v, (np.floating, float)):
        return "%.7g" % v
    return str(v)


if __name__ == "__main__":
    sys.exit(main())
