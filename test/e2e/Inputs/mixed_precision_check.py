#!/usr/bin/python3
"""Mixed precision under a size budget, checked independently with numpy.

    mixed_precision_check.py WORK_DIR

Model: x [8, 256] -> MatMul W1 -> Relu -> MatMul W2 -> Relu -> MatMul W3,
all weights [256, 256]; W2 has a few large outliers per column, so int4
hurts it most. numpy measures each layer's int4 (g128, symmetric, round half
to even) output error alone; with a budget that allows exactly one layer at
int8, qcc must pick the layer numpy finds most sensitive, stay within the
budget (in the report's byte count), and its .so must be at least as
accurate as all-int4 and no more accurate than all-int8 (SQNR vs float on
the calibration inputs).
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

import qcc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
QCC = os.path.join(ROOT, "build", "bin", "qcc")
work = sys.argv[1]
os.makedirs(work, exist_ok=True)
rng = np.random.RandomState(0)
W = [rng.randn(256, 256).astype(np.float32) * 0.06 for _ in range(3)]
for j in range(256):  # outliers: one in each of 4 rows per column
    W[1][rng.randint(0, 256, 4), j] *= 12
nodes, inits = [], []
prev = "x"
for i, w in enumerate(W):
    inits.append(numpy_helper.from_array(w, "w%d" % (i + 1)))
    out = "y" if i == 2 else "h%d" % (i + 1)
    nodes.append(helper.make_node("MatMul", [prev, "w%d" % (i + 1)], [out + ("" if i == 2 else "m")],
                                  name="mm%d" % (i + 1)))
    if i < 2:
        nodes.append(helper.make_node("Relu", [out + "m"], [out], name="relu%d" % (i + 1)))
    prev = out
graph = helper.make_graph(nodes, "mp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 256])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 256])], inits)
model_path = os.path.join(work, "model.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), model_path)
xs = rng.randn(16, 8, 256).astype(np.float32)
np.savez(os.path.join(work, "cal.npz"), x=xs)


def forward(ws, x):
    h = x.astype(np.float64)
    for i, w in enumerate(ws):
        h = h @ w.astype(np.float64)
        if i < 2:
            h = np.maximum(h, 0)
    return h


def int4(w, g=128):
    k, n = w.shape
    blocks = w.reshape(k // g, g, n)
    s = np.abs(blocks).max(axis=1, keepdims=True) / 7
    s[s == 0] = 1
    return (np.clip(np.round(blocks / s), -7, 7) * s).reshape(k, n)


ref = forward(W, xs)
errors = []
for i in range(3):
    ws = list(W)
    ws[i] = int4(W[i])
    errors.append(float(np.sum((forward(ws, xs) - ref) ** 2)))
expected = int(np.argmax(errors))


def compile_and_measure(flags, name):
    so = os.path.join(work, name + ".so")
    rep = os.path.join(work, name + ".json")
    p = subprocess.run([QCC, model_path, "--calib=" + os.path.join(work, "cal.npz"),
                        "--report=" + rep, "-o", so] + flags, capture_output=True, text=True)
    if p.returncode:
        sys.exit("qcc failed: " + p.stderr)
    m = qcc.load(so)
    got = np.stack([m(x=x)["y"] for x in xs]).astype(np.float64)
    sqnr = 10 * np.log10(np.sum(ref ** 2) / np.sum((got - ref) ** 2))
    return json.load(open(rep)), sqnr


failures = []
r4, s4 = compile_and_measure(["--quant=w4"], "all4")
r8, s8 = compile_and_measure(["--quant=w8"], "all8")
budget = 140000
rm, sm = compile_and_measure(["--size-budget=%dB" % budget], "mixed")
bits = {l["layer"]: l["bits"] for l in rm["layers"]}
int8 = sorted(k for k, b in bits.items() if b == 8)
print("numpy int4 errors per layer:", ", ".join("%.3g" % e for e in errors))
print("chosen bits:", bits)
if int8 != ["mm%d" % (expected + 1)]:
    failures.append("int8 layers %s, numpy says mm%d is the most sensitive" % (int8, expected + 1))
if rm["model"]["weight_bytes_quantized"] > budget:
    failures.append("%d weight bytes exceed the budget %d" % (rm["model"]["weight_bytes_quantized"], budget))
if not (s4 < sm <= s8 + 0.01):
    failures.append("SQNR all-int4 %.2f, mixed %.2f, all-int8 %.2f not ordered" % (s4, sm, s8))
print("SQNR vs float: all-int4 %.2f dB, mixed %.2f dB, all-int8 %.2f dB; bytes %d <= %d"
      % (s4, sm, s8, rm["model"]["weight_bytes_quantized"], budget))
print("mixed precision:", "ok" if not failures else "FAIL")
for f in failures:
    print("  " + f)
sys.exit(1 if failures else 0)
