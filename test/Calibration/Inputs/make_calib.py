#!/usr/bin/python3
"""Calibration samples for the example MLP and the expected activation
ranges computed independently with numpy from the ONNX initializers.

    make_calib.py MODEL.onnx OUT_DIR N

Writes OUT_DIR/sample_<i>/x.npy (N samples of shape [4, 64]) and prints,
for the input of each Gemm in graph order, `expect <min> <max>`, then the
first Gemm input's per-channel means of channels 0 and 1 (`mean a b`).
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
out, n = sys.argv[2], int(sys.argv[3])
inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
rng = np.random.RandomState(3)
samples = [rng.randn(4, 64).astype(np.float32) * 2 for _ in range(n)]
for i, x in enumerate(samples):
    os.makedirs(os.path.join(out, "sample_%d" % i), exist_ok=True)
    np.save(os.path.join(out, "sample_%d" % i, "x.npy"), x)

lo, hi, sums, rows = {}, {}, {}, {}
for x in samples:
    values = {model.graph.input[0].name: x.astype(np.float64)}
    values.update({k: v.astype(np.float64) for k, v in inits.items()})
    gemm = 0
    for node in model.graph.node:
        ins = [values[i] for i in node.input]
        if node.op_type == "Gemm":
            a = ins[0]
            lo[gemm] = min(lo.get(gemm, np.inf), a.min())
            hi[gemm] = max(hi.get(gemm, -np.inf), a.max())
            sums[gemm] = sums.get(gemm, 0) + a.sum(axis=0)
            rows[gemm] = rows.get(gemm, 0) + a.shape[0]
            gemm += 1
            attrs = {a.name: a for a in node.attribute}
            b = ins[1].T if "transB" in attrs and attrs["transB"].i else ins[1]
            values[node.output[0]] = a @ b + (ins[2] if len(ins) > 2 else 0)
        elif node.op_type == "Relu":
            values[node.output[0]] = np.maximum(ins[0], 0)
        else:
            raise SystemExit("unexpected op " + node.op_type)
for g in sorted(lo):
    print("expect %.4f %.4f" % (lo[g], hi[g]))
# Per-input-channel means (for bias correction) of the first Gemm's input.
print("mean %s" % " ".join("%.4f" % v for v in (sums[0] / rows[0])[:2]))
