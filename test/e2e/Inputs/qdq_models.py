#!/usr/bin/python3
"""Pre-quantized ONNX models (QDQ, QLinear*, *Integer) compiled by qcc and
compared with an exact interpretation of the ONNX graph (onnx_ref.py).

    qdq_models.py WORK_DIR [--only NAME,...]

Models (built with onnx.helper, weights random with a fixed seed, scales
from the float ranges as a post-training quantizer would choose them):

  mlp      x -> QDQ int8 (zero point -5) -> MatMul with int8 weights per
           output column -> Add bias -> Relu -> QDQ int8 -> MatMul per column
           -> Add -> float output
  mlp_u8   uint8 activations (zero points 128 / 0), Gemm transB with per-row
           [N, K] int8 weights and int32 biases (ONNX Runtime quantizer
           style), output QuantizeLinear -> DequantizeLinear
  cnn      QDQ int8: Conv 3->8 k3 (per-channel weights, int32 bias) -> Relu
           -> depthwise Conv k3 stride 2 (per-channel) -> Relu -> MaxPool 2
           -> Flatten -> Gemm (per-tensor weights, float bias)
  qlinear  QuantizeLinear -> QLinearConv (uint8 x, per-channel int8 w, int32
           bias) -> Flatten -> QLinearMatMul -> DequantizeLinear
  qlinear_qdq  the same network written in QDQ form; qcc must compile both
           to the same integer ops, so their outputs must be bit-identical
  integer  ConvInteger (uint8, zero points 100 / 120) and MatMulInteger
           (uint8 x int8, per-column weight zero points): exact i32 outputs

For each: qcc's .so (through the Python package) against onnx_ref.run on
the same model and inputs, and the linalg IR (qcc --emit=linalg -O0, named
linalg ops generalized to show their bodies) must contain one integer
contraction (a reduction with arith.muli) per MatMul/Gemm/Conv and no float
contraction (no reduction with arith.mulf).
One verdict line per model, `NAME ok` or `NAME FAIL`, always printed (an
error in one model is reported on its line and the others still run).

ONNX Runtime (tools/ort-run) runs each model too, but only for an
informational `NAME ort:` line (its difference from onnx_ref), never for
a verdict: ORT's x86 int8 GEMM (MLAS) on CPUs without AVX-512 VNNI /
AVX-VNNI multiplies with vpmaddubsw, whose int16 pair sums saturate, so
there its integer results are off by up to several quantization steps.

Tolerances. Integer outputs (the *Integer ops) must match exactly. The
integer products are exact in qcc and onnx_ref; the float rescale (qcc's
scales multiplied in another order, or fixed-point requantization) differs
in the last bits, which can move a value sitting on a rounding boundary of
a following QuantizeLinear by one step. So: quantized outputs (mlp_u8,
qlinear) may differ by at most one quantization step in at most 1% of the
elements; float outputs (mlp, cnn) must agree to 1e-4 relative to the
output range, except for at most 1% of elements that may be off by the
effect of one step of the last quantized activation (bounded by
`flip_atol` per model, stated below).
"""
import os
import re
import subprocess
import sys
import traceback

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import qcc
import onnx_ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BIN = os.path.join(ROOT, "build", "bin")
QCC = os.environ.get("QCC_BIN", os.path.join(BIN, "qcc"))
QCC_OPT = os.path.join(os.path.dirname(QCC), "qcc-opt")

args = sys.argv[1:]
work = args[0]
only = None
if "--only" in args:
    only = args[args.index("--only") + 1].split(",")
os.makedirs(work, exist_ok=True)
rng = np.random.RandomState(0)

INT_RANGE = {np.int8: (-128, 127), np.uint8: (0, 255), np.int32: (-2**31, 2**31 - 1)}


def quantize(x, scale, zp, dtype, axis=None):
    """ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp)."""
    scale = np.asarray(scale, np.float32)
    zp = np.asarray(zp)
    if axis is not None and scale.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    lo, hi = INT_RANGE[dtype]
    return np.clip(np.rint(x / scale) + zp.astype(np.float32), lo, hi).astype(dtype)


def weight_per_channel(shape, axis, scale_mul=1.0):
    """Random float weights quantized to int8 symmetrically per channel
    along `axis` (axis=None: per tensor). Returns (q, scales)."""
    w = (rng.randn(*shape) * scale_mul).astype(np.float32)
    if axis is None:
        s = np.float32(np.abs(w).max() / 127)
        return quantize(w, s, 0, np.int8), np.array(s, np.float32)
    red = tuple(d for d in range(w.ndim) if d != axis)
    s = (np.abs(w).max(axis=red) / 127).astype(np.float32)
    return quantize(w, s, np.zeros_like(s, np.int8), np.int8, axis), s


def act_params(lo, hi, dtype):
    """Asymmetric activation scale / zero point for the range [lo, hi]."""
    qlo, qhi = INT_RANGE[dtype]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    s = np.float32((hi - lo) / (qhi - qlo))
    zp = int(np.clip(np.rint(qlo - lo / s), qlo, qhi))
    return s, np.array(zp, dtype)


class Graph:
    """Small onnx.helper graph builder."""

    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def const(self, value, name=None):
        name = name or "c%d" % len(self.inits)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, n_out=1, **attrs):
        outs = ["t%d" % (self.n + i) for i in range(n_out)]
        self.n += n_out
        self.nodes.append(helper.make_node(op, inputs, outs, name="%s_%d" % (op, self.n), **attrs))
        return outs[0] if n_out == 1 else outs

    def qdq(self, x, s, zp):
        sn, zn = self.const(s), self.const(zp)
        return self.node("DequantizeLinear", [self.node("QuantizeLinear", [x, sn, zn]), sn, zn])

    def dq(self, q, s, zp=None, axis=None):
        if zp is None:
            zp = np.zeros(np.shape(s), q.dtype)
        attrs = {} if axis is None else {"axis": axis}
        return self.node("DequantizeLinear", [self.const(q), self.const(s), self.const(zp)], **attrs)

    def save(self, path, inputs, outputs):
        g = helper.make_graph(
            self.nodes, "g",
            [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
            [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs], self.inits)
        # Rename the last node outputs to the graph output names.
        for (name, _, _), out in zip(outputs, self.outputs):
            for nd in g.node:
                for i, o in enumerate(nd.output):
                    if o == out:
                        nd.output[i] = name
                for i, o in enumerate(nd.input):
                    if o == out:
                        nd.input[i] = name
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(m)
        onnx.save(m, path)


def bias_i32(b, s):
    """An int32 bias with scale s (input scale x weight scale), as the ONNX
    Runtime quantizer writes it."""
    return np.rint(b / s).astype(np.int32), s.astype(np.float32)


# ---------------------------------------------------------------------------
# Models. Each returns (onnx path, {input: array}, spec) with spec holding
# the number of contractions and the comparison tolerances.
# ---------------------------------------------------------------------------

def build_mlp(d):
    x = rng.randn(8, 64).astype(np.float32)
    g = Graph()
    sx, _ = act_params(x.min(), x.max(), np.int8)
    zx = np.array(-5, np.int8)  # an asymmetric int8 activation
    w1, s1 = weight_per_channel((64, 128), 1, 0.1)
    w2, s2 = weight_per_channel((128, 10), 1, 0.1)
    b1 = (rng.randn(128) * 0.1).astype(np.float32)
    b2 = (rng.randn(10) * 0.1).astype(np.float32)
    # Float forward pass for the hidden range.
    h = np.maximum(x @ (w1 * s1) + b1, 0)
    sh, zh = act_params(0.0, float(h.max()), np.int8)
    t = g.qdq("x", sx, zx)
    t = g.node("MatMul", [t, g.dq(w1, s1, axis=1)])
    t = g.node("Relu", [g.node("Add", [t, g.const(b1)])])
    t = g.qdq(t, sh, zh)
    t = g.node("MatMul", [t, g.dq(w2, s2, axis=1)])
    g.outputs = [g.node("Add", [t, g.const(b2)])]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.FLOAT, [8, 64])], [("y", TensorProto.FLOAT, [8, 10])])
    # One step of the hidden activation changes an output by at most
    # sh * max|w2| (a flipped rounding moves one element by one step).
    flip = float(sh * np.abs(w2 * s2).max()) * 1.01
    return path, {"x": x}, {"contractions": 2, "flip_atol": flip}


def build_mlp_u8(d):
    x = rng.randn(8, 64).astype(np.float32)
    g = Graph()
    sx, zx = act_params(x.min(), x.max(), np.uint8)
    w1, s1 = weight_per_channel((128, 64), 0, 0.1)   # Gemm transB: [N, K]
    w2, s2 = weight_per_channel((10, 128), 0, 0.1)
    b1f = (rng.randn(128) * 0.1).astype(np.float32)
    b2f = (rng.randn(10) * 0.1).astype(np.float32)
    h = np.maximum(x @ (w1 * s1[:, None]).T + b1f, 0)
    sh, zh = act_params(0.0, float(h.max()), np.uint8)
    y = h @ (w2 * s2[:, None]).T + b2f
    sy, zy = act_params(float(y.min()), float(y.max()), np.uint8)
    b1, sb1 = bias_i32(b1f, sx * s1)
    b2, sb2 = bias_i32(b2f, sh * s2)
    t = g.qdq("x", sx, zx)
    t = g.node("Gemm", [t, g.dq(w1, s1, axis=0), g.dq(b1, sb1, axis=0)], transB=1)
    t = g.qdq(g.node("Relu", [t]), sh, zh)
    t = g.node("Gemm", [t, g.dq(w2, s2, axis=0), g.dq(b2, sb2, axis=0)], transB=1)
    g.outputs = [g.qdq(t, sy, zy)]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.FLOAT, [8, 64])], [("y", TensorProto.FLOAT, [8, 10])])
    return path, {"x": x}, {"contractions": 2, "quantum": float(sy)}


def build_cnn(d):
    x = rng.randn(2, 3, 16, 16).astype(np.float32)
    g = Graph()
    sx = np.float32(np.abs(x).max() / 127)
    zx = np.array(3, np.int8)
    w1, s1 = weight_per_channel((8, 3, 3, 3), 0, 0.3)
    w2, s2 = weight_per_channel((8, 1, 3, 3), 0, 0.3)   # depthwise
    w3, s3 = weight_per_channel((10, 8 * 4 * 4), None, 0.1)
    b1f = (rng.randn(8) * 0.1).astype(np.float32)
    b2f = (rng.randn(8) * 0.1).astype(np.float32)
    b3 = (rng.randn(10) * 0.1).astype(np.float32)
    b1, sb1 = bias_i32(b1f, sx * s1)
    b2 = b2f  # float bias on the depthwise conv (not an int32 DQ)
    # Activation ranges from the float network (torch).
    import torch
    tx = torch.from_numpy(x)
    h1 = torch.relu(torch.nn.functional.conv2d(tx, torch.from_numpy(w1 * s1[:, None, None, None]),
                                               torch.from_numpy(b1f), padding=1))
    h2 = torch.relu(torch.nn.functional.conv2d(h1, torch.from_numpy(w2 * s2[:, None, None, None]),
                                               torch.from_numpy(b2f), stride=2, padding=1, groups=8))
    sh1, zh1 = act_params(0.0, float(h1.max()), np.int8)
    sh2, zh2 = act_params(0.0, float(h2.max()), np.int8)
    t = g.qdq("x", sx, zx)
    t = g.node("Conv", [t, g.dq(w1, s1, axis=0), g.dq(b1, sb1, axis=0)],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    t = g.qdq(g.node("Relu", [t]), sh1, zh1)
    t = g.node("Conv", [t, g.dq(w2, s2, axis=0), g.const(b2)], kernel_shape=[3, 3],
               pads=[1, 1, 1, 1], strides=[2, 2], group=8)
    t = g.qdq(g.node("Relu", [t]), sh2, zh2)
    t = g.qdq(g.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2]), sh2, zh2)
    t = g.node("Flatten", [t], axis=1)
    g.outputs = [g.node("Gemm", [t, g.dq(w3, s3), g.const(b3)], transB=1)]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.FLOAT, [2, 3, 16, 16])], [("y", TensorProto.FLOAT, [2, 10])])
    flip = float(sh2 * np.abs(w3 * s3).max()) * 1.01
    return path, {"x": x}, {"contractions": 3, "flip_atol": flip}


def qlinear_params():
    """Shared parameters of the qlinear / qlinear_qdq pair."""
    p = {}
    p["x"] = rng.randn(2, 4, 8, 8).astype(np.float32)
    p["sx"], p["zx"] = act_params(float(p["x"].min()), float(p["x"].max()), np.uint8)
    p["w1"], p["s1"] = weight_per_channel((6, 4, 3, 3), 0, 0.3)
    p["b1"], p["sb1"] = bias_i32((rng.randn(6) * 0.1).astype(np.float32), p["sx"] * p["s1"])
    p["sh"], p["zh"] = np.float32(0.05), np.array(100, np.uint8)
    p["w2"], p["s2"] = weight_per_channel((6 * 4 * 4, 5), None, 0.1)
    p["sy"], p["zy"] = np.float32(0.1), np.array(128, np.uint8)
    return p


def build_qlinear(d, p):
    g = Graph()
    c = g.const
    xq = g.node("QuantizeLinear", ["x", c(p["sx"]), c(p["zx"])])
    t = g.node("QLinearConv", [xq, c(p["sx"]), c(p["zx"]), c(p["w1"]), c(p["s1"]),
                               c(np.zeros(6, np.int8)), c(p["sh"]), c(p["zh"]), c(p["b1"])],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    t = g.node("Flatten", [t], axis=1)
    t = g.node("QLinearMatMul", [t, c(p["sh"]), c(p["zh"]), c(p["w2"]), c(p["s2"]),
                                 c(np.array(0, np.int8)), c(p["sy"]), c(p["zy"])])
    g.outputs = [g.node("DequantizeLinear", [t, c(p["sy"]), c(p["zy"])])]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.FLOAT, [2, 4, 8, 8])], [("y", TensorProto.FLOAT, [2, 5])])
    return path, {"x": p["x"]}, {"contractions": 2, "quantum": float(p["sy"])}


def build_qlinear_qdq(d, p):
    g = Graph()
    t = g.qdq("x", p["sx"], p["zx"])
    t = g.node("Conv", [t, g.dq(p["w1"], p["s1"], axis=0), g.dq(p["b1"], p["sb1"], axis=0)],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    t = g.qdq(t, p["sh"], p["zh"])
    t = g.node("Flatten", [t], axis=1)
    t = g.node("MatMul", [t, g.dq(p["w2"], p["s2"])])
    g.outputs = [g.qdq(t, p["sy"], p["zy"])]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.FLOAT, [2, 4, 8, 8])], [("y", TensorProto.FLOAT, [2, 5])])
    return path, {"x": p["x"]}, {"contractions": 2, "quantum": float(p["sy"])}


def build_integer(d):
    g = Graph()
    c = g.const
    x = rng.randint(0, 256, (1, 2, 6, 6)).astype(np.uint8)
    a = rng.randint(0, 256, (3, 16)).astype(np.uint8)
    w = rng.randint(0, 256, (4, 2, 3, 3)).astype(np.uint8)
    b = rng.randint(-128, 128, (16, 5)).astype(np.int8)
    y1 = g.node("ConvInteger", ["x", c(w), c(np.array(100, np.uint8)), c(np.array(120, np.uint8))],
                kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    y2 = g.node("MatMulInteger", ["a", c(b), c(np.array(7, np.uint8)),
                                  c(rng.randint(-3, 4, 5).astype(np.int8))])
    g.outputs = [y1, y2]
    path = os.path.join(d, "model.onnx")
    g.save(path, [("x", TensorProto.UINT8, [1, 2, 6, 6]), ("a", TensorProto.UINT8, [3, 16])],
           [("y1", TensorProto.INT32, [1, 4, 6, 6]), ("y2", TensorProto.INT32, [3, 5])])
    return path, {"x": x, "a": a}, {"contractions": 2, "exact": True}


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def run_ort(model, inputs, d):
    out_dir = os.path.join(d, "ort")
    cmd = ["node", os.path.join(ROOT, "tools", "ort-run", "ort-run.js"), model,
           "--output-dir", out_dir]
    for name, arr in inputs.items():
        f = os.path.join(d, name + ".npy")
        np.save(f, arr)
        cmd += ["--input", "%s=%s" % (name, f)]
    subprocess.run(cmd, check=True, capture_output=True)
    return {f[:-4]: np.load(os.path.join(out_dir, f)) for f in os.listdir(out_dir)}


def ort_info(name, model, inputs, d, ref, spec):
    """One informational line: ONNX Runtime against onnx_ref (no verdict;
    nothing ORT does can fail the test)."""
    note = "(informational; ORT's x86 int8 GEMM saturates without VNNI)"
    try:
        ort = run_ort(model, inputs, d)
        parts = []
        for k in sorted(ref):
            o, r = ort[k].astype(np.float64), ref[k].astype(np.float64)
            diff = np.abs(o - r)
            if "quantum" in spec:
                steps = np.rint(diff / spec["quantum"])
                parts.append("%s max %d step(s) in %.2f%% of elements" %
                             (k, steps.max(), 100 * np.mean(steps > 0)))
            elif spec.get("exact"):
                parts.append("%s max |diff| %d in %.2f%% of elements" %
                             (k, diff.max(), 100 * np.mean(diff > 0)))
            else:
                parts.append("%s max |diff| %.3g (%.2g of the range)" %
                             (k, diff.max(), diff.max() / max(np.abs(r).max(), 1e-30)))
    except Exception as e:
        print("%s ort: not compared (%s) %s" % (name, type(e).__name__, note))
        return
    print("%s ort: vs onnx_ref %s %s" % (name, "; ".join(parts), note))


def contractions(model):
    """(integer, float) reductions with a multiply in qcc's linalg IR, named
    ops (linalg.matmul, convolutions, ...) generalized first."""
    ir = subprocess.run([QCC, model, "--emit=linalg", "-O0", "-o", "-"], check=True,
                        capture_output=True, text=True).stdout
    ir = subprocess.run([QCC_OPT, "--linalg-generalize-named-ops"], input=ir, check=True,
                        capture_output=True, text=True).stdout
    n_int = n_float = 0
    for m in re.finditer(r"linalg\.generic \{[^\n]*iterator_types = \[([^\]]*)\][^\n]*\n(.*?)\n\s*\} ->",
                         ir, re.S):
        if "reduction" not in m.group(1):
            continue
        body = m.group(2)
        n_int += "arith.muli" in body
        n_float += "arith.mulf" in body
    return n_int, n_float


def compare(name, got, ref, spec):
    ok = True
    for k in sorted(ref):
        g, r = got[k], ref[k]
        if g.shape != r.shape or g.dtype != r.dtype:
            print("%s %s: shape/dtype %s %s vs %s %s" % (name, k, g.shape, g.dtype, r.shape, r.dtype))
            return False
        diff = np.abs(g.astype(np.float64) - r.astype(np.float64))
        if spec.get("exact"):
            good = diff.max() == 0
            print("%s %s: integer outputs %s" % (name, k, "identical" if good else
                                                 "differ (max %g)" % diff.max()))
        elif "quantum" in spec:
            steps = np.rint(diff / spec["quantum"])
            frac = float(np.mean(steps > 0))
            good = steps.max() <= 1 and frac <= 0.01 and np.allclose(diff, steps * spec["quantum"], atol=1e-6)
            print("%s %s: max %d quantization step(s), %.2f%% of elements differ (vs onnx_ref)" %
                  (name, k, steps.max(), 100 * frac))
        else:
            tight = 1e-4 * max(np.abs(r).max(), 1e-30)
            off = diff > tight
            frac = float(np.mean(off))
            good = frac <= 0.01 and (not off.any() or diff.max() <= spec["flip_atol"])
            print("%s %s: max |diff| %.3g (range %.3g) vs onnx_ref; %.2f%% beyond 1e-4 of the "
                  "range, all within one activation step (%.3g): %s" %
                  (name, k, diff.max(), np.abs(r).max(), 100 * frac, spec["flip_atol"],
                   "yes" if diff.max() <= max(tight, spec["flip_atol"]) else "no"))
        ok = ok and good
    return ok


def run_case(name, build, work, outputs):
    """Build, compile and check one model; True when it passes."""
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    model, inputs, spec = build(d)
    ref = onnx_ref.run(model, inputs)
    m = qcc.load(qcc.compile(model, os.path.join(d, "model.so"), opt_level=2))
    got = m(**inputs)
    outputs[name] = got
    ok = compare(name, got, ref, spec)
    ort_info(name, model, inputs, d, ref, spec)
    n_int, n_float = contractions(model)
    print("%s: %d integer contraction(s), %d float" % (name, n_int, n_float))
    return ok and n_int == spec["contractions"] and n_float == 0


def main():
    failed = []
    p = qlinear_params()
    builders = [("mlp", build_mlp), ("mlp_u8", build_mlp_u8), ("cnn", build_cnn),
                ("qlinear", lambda d: build_qlinear(d, p)),
                ("qlinear_qdq", lambda d: build_qlinear_qdq(d, p)),
                ("integer", build_integer)]
    outputs = {}
    for name, build in builders:
        if only and name not in only:
            continue
        try:
            ok = run_case(name, build, work, outputs)
        except Exception as e:
            print("%s: error: %s" % (name, "; ".join(
                traceback.format_exception_only(type(e), e)).strip().replace("\n", " ")))
            ok = False
        print("%s %s" % (name, "ok" if ok else "FAIL"))
        if not ok:
            failed.append(name)
    if "qlinear" in outputs and "qlinear_qdq" in outputs:
        same = np.array_equal(outputs["qlinear"]["y"], outputs["qlinear_qdq"]["y"])
        print("qlinear vs qlinear_qdq: %s" % ("bit-identical ok" if same else "outputs differ FAIL"))
        if not same:
            failed.append("qlinear vs qlinear_qdq")
    print("qdq models: %s" % ("failed: %s FAIL" % ", ".join(failed) if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
