#!/usr/bin/python3
"""Compiles an ONNX model with qcc and checks it against ONNX Runtime.

    ort_compare.py MODEL_DIR [--rtol 1e-4] [--atol 1e-5] [--work DIR]
                   [-- QCC_FLAGS...]

MODEL_DIR holds model.onnx and test_data_set_0/input_<i>.pb. ONNX Runtime
(tools/ort-run/ort-run.js, onnxruntime-node) computes the reference outputs
on the same input files; qcc-run compares the compiled model's outputs with
them elementwise (|qcc - ort| <= atol + rtol |ort|), and every output's
largest error must also stay within --scaled-tol of its largest magnitude
(max |qcc - ort| <= scaled_tol * max |ort|), which keeps the check
meaningful for outputs far below atol (a random-weight network's logits).
Exit status 0 when every output passes both.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "bin")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 and p.returncode != 2:
        sys.stderr.write("failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
        sys.exit(1)
    return p


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--rtol", default="1e-4")
    ap.add_argument("--atol", default="1e-5")
    ap.add_argument("--scaled-tol", type=float, default=1e-4)
    ap.add_argument("--work", default="")
    args = ap.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="qcc-ort-")
    os.makedirs(work, exist_ok=True)
    model = os.path.join(args.model_dir, "model.onnx")
    inputs = sorted(glob.glob(os.path.join(args.model_dir, "test_data_set_0", "input_*.pb")),
                    key=lambda f: int(re.search(r"(\d+)\.pb$", f).group(1)))
    so = os.path.join(work, "model.so")
    qcc = os.environ.get("QCC_BIN", os.path.join(BIN, "qcc"))
    run([qcc, model, "-o", so] + extra)
    ort_out = os.path.join(work, "ort")
    cmd = ["node", os.path.join(ROOT, "tools", "ort-run", "ort-run.js"), model,
           "--output-dir", ort_out]
    for f in inputs:
        cmd += ["--input", f]
    run(cmd)
    qcc_out = os.path.join(work, "qcc")
    cmd = [os.path.join(os.path.dirname(qcc), "qcc-run"), so, "--rtol", args.rtol,
           "--atol", args.atol, "--output-dir", qcc_out]
    for f in inputs:
        cmd += ["--input", f]
    for f in sorted(glob.glob(os.path.join(ort_out, "*.npy"))):
        cmd += ["--expect", "%s=%s" % (os.path.basename(f)[:-4], f)]
    p = run(cmd)
    sys.stdout.write(p.stdout)
    status = p.returncode
    import numpy as np
    for f in sorted(glob.glob(os.path.join(ort_out, "*.npy"))):
        name = os.path.basename(f)[:-4]
        ref = np.load(f).astype(np.float64)
        got = np.load(os.path.join(qcc_out, name + ".npy")).astype(np.float64)
        scale = float(np.abs(ref).max()) if ref.size else 0.0
        err = float(np.abs(got - ref).max()) if ref.size else 0.0
        ok = got.shape == ref.shape and err <= args.scaled_tol * scale
        print("%s: max error %.3g of max |ref| %.3g: %s" % (
            name, err, scale, "ok" if ok else "FAIL (> %g of it)" % args.scaled_tol))
        if not ok:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
