#!/usr/bin/python3
"""Weight-only quantization end to end: accuracy (output SQNR against the
float model) and shared-library size, for w8 per channel, w4/w3/w2 per
group and asymmetric variants. For w3 and w2 the .so must moreover match,
to a tight tolerance, the float model run (float64) on weights quantized
and dequantized here in numpy: this checks the 3- and 2-bit packing and
its unpacking in the compiled contraction exactly.

    weight_quant_check.py WORK_DIR

Size is the .so's read-only data (weights, scales, zero points). Model:
Linear(1024, 1024) -> GELU -> Linear(1024, 256), PyTorch's default
initialisation with seed 0, 16 inputs. Prints one line per variant and
fails (exit 1) when a threshold is missed.
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch

import qcc
from qcc.metrics import rodata_bytes as weight_bytes, sqnr

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.GELU(),
                          torch.nn.Linear(1024, 256)).eval()
model = os.path.join(work, "mlp.onnx")
torch.onnx.export(net, (torch.randn(16, 1024),), model, input_names=["x"],
                  output_names=["y"], opset_version=13)
x = np.random.RandomState(1).randn(16, 1024).astype(np.float32)


fp32_so = qcc.compile(model, os.path.join(work, "fp32.so"))
ref = qcc.load(fp32_so)(x=x)["y"]
with torch.no_grad():
    torch_ref = net(torch.from_numpy(x)).numpy()
np.testing.assert_allclose(ref, torch_ref, rtol=1e-4, atol=1e-5)
fp32_size = weight_bytes(fp32_so)

# 3 and 2 bits (measured: w3-g64 13.4 dB, w3-g32-asym 14.5, w2-g64 5.8,
# w2-g64-asym 6.6; the weights are PyTorch's uniform initialisation, so
# every 1 bit less costs ~6 dB from w4's ~20).
W3_DB, W3_ASYM_DB, W2_DB, W2_ASYM_DB = 12.0, 13.0, 5.0, 5.5
# variant: (flags, minimum SQNR dB, minimum size ratio vs fp32)
variants = [
    ("w8", ["--quant=w8"], 38.0, 3.9),
    ("w8-asym", ["--quant=w8", "--asymmetric"], 38.0, 3.8),
    ("w4-g128", ["--quant=w4", "--group-size=128"], 14.0, 7.0),
    ("w4-g32", ["--quant=w4", "--group-size=32"], 16.0, 6.0),
    ("w4-g32-asym", ["--quant=w4", "--group-size=32", "--asymmetric"], 16.0, 5.5),
    # int8 activations per token at run time, int8 weights per channel.
    ("w8-dynamic", ["--quant=w8-dynamic"], 35.0, 3.9),
    # Default group size 64 for w3 and w2.
    ("w3-g64", ["--quant=w3"], W3_DB, 8.8),
    ("w3-g32-asym", ["--quant=w3", "--group-size=32", "--asymmetric"], W3_ASYM_DB, 7.0),
    ("w2-g64", ["--quant=w2"], W2_DB, 12.0),
    ("w2-g64-asym", ["--quant=w2", "--asymmetric"], W2_ASYM_DB, 11.5),
]


def fake_quant(w, bits, group, symmetric):
    """Blockwise quantize-dequantize of a [out, in] weight with groups of
    `group` along `in`, in float32 like qcc-quantize-weights. 4 bits: the
    block range (including 0), symmetric on [-7, 7] with scale max|w| / 7,
    asymmetric on [0, 15] with scale (max - min) / 15 and a zero point. 3
    and 2 bits: the block range includes 0; symmetric uses the whole signed range
    [-2^(b-1), 2^(b-1) - 1] with a negative scale when the positive tail is
    the larger; the range is clipped by the ratio in 1, 0.95, ..., 0.45
    with the least squared error per block; round half to even, saturate."""
    f32 = np.float32
    out, k = w.shape
    blocks = w.reshape(out * k // group, group).astype(f32)
    lo = np.minimum(blocks.min(axis=1, keepdims=True), f32(0))
    hi = np.maximum(blocks.max(axis=1, keepdims=True), f32(0))
    if bits == 4:
        if symmetric:
            s = np.maximum(-lo, hi) / f32(7)
            s = np.where(s > 0, s, f32(1))
            q = np.clip(np.rint(blocks / s), -7, 7).astype(f32)
            return (q * s).astype(f32).reshape(out, k)
        s = (hi - lo) / f32(15)
        s = np.where(s > 0, s, f32(1))
        zp = np.clip(np.rint(-lo / s), 0, 15).astype(f32)
        q = np.clip(np.rint(blocks / s) + zp, 0, 15).astype(f32)
        return ((q - zp) * s).astype(f32).reshape(out, k)
    if symmetric:
        qmin, qmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    else:
        qmin, qmax = 0, 2 ** bits - 1
    best = best_deq = None
    for c in range(12):
        r = f32(1) - f32(0.05) * f32(c)
        if symmetric:
            neg = -lo >= hi
            s = np.where(neg, -lo, hi) * r / f32(-qmin)
            s = np.where(s > 0, np.where(neg, s, -s), f32(1))
            zp = np.zeros_like(s)
        else:
            l, h = lo * r, hi * r
            s = (h - l) / f32(qmax)
            s = np.where(s > 0, s, f32(1))
            zp = np.clip(np.rint(-l / s), 0, qmax).astype(f32)
        q = np.clip(np.rint(blocks / s) + zp, qmin, qmax).astype(f32)
        deq = ((q - zp) * s).astype(f32)
        err = ((blocks - deq).astype(np.float64) ** 2).sum(axis=1, keepdims=True)
        if best is None:
            best, best_deq = err, deq
        else:
            better = err < best
            best = np.where(better, err, best)
            best_deq = np.where(better, deq, best_deq)
    return best_deq.reshape(out, k)


def numpy_model(bits, group, symmetric):
    """The MLP in float64 on numpy-dequantized weights."""
    with torch.no_grad():
        h = x.astype(np.float64) @ fake_quant(net[0].weight.numpy(), bits, group, symmetric).T.astype(np.float64)
        h = torch.nn.functional.gelu(torch.from_numpy(h + net[0].bias.numpy())).numpy()
        return h @ fake_quant(net[2].weight.numpy(), bits, group, symmetric).T.astype(np.float64) + net[2].bias.numpy()


failed = False
for name, flags, min_db, min_ratio in variants:
    so = qcc.compile(model, os.path.join(work, name + ".so"), extra_args=flags)
    got = qcc.load(so)(x=x)["y"]
    db, ratio = sqnr(ref, got), fp32_size / weight_bytes(so)
    ok = db >= min_db and ratio >= min_ratio
    extra = ""
    if name[:2] in ("w3", "w2"):
        m = re.search(r"group-size=(\d+)", " ".join(flags))
        want = numpy_model(int(name[1]), int(m.group(1)) if m else 64,
                           "--asymmetric" not in flags)
        err = np.abs(got - want).max() / np.abs(want).max()
        ok &= bool(err < 1e-5)
        extra = "  vs numpy %.1e (< 1e-5)" % err
    failed |= not ok
    print("%-12s SQNR %5.1f dB (>= %.0f)  weight bytes %5.2fx smaller (>= %.1f)%s  %s"
          % (name, db, min_db, ratio, min_ratio, extra, "ok" if ok else "FAIL"))

# The same MLP (ReLU instead of GELU) as ONNX MatMul nodes on [K, N]
# weights, whose sub-byte values qcc packs along K (the reduction) rather
# than along the last dimension as for the Gemm (transB) weights above:
# the .so must match the float64 model on numpy-dequantized weights.
import onnx
from onnx import TensorProto, helper, numpy_helper

w1, b1 = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
w2, b2 = net[2].weight.detach().numpy(), net[2].bias.detach().numpy()
inits = [numpy_helper.from_array(np.ascontiguousarray(w1.T), "w1"),
         numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(np.ascontiguousarray(w2.T), "w2"),
         numpy_helper.from_array(b2, "b2")]


def matmul_model(batch):
    path = os.path.join(work, "mlp_matmul_%d.onnx" % batch)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["h0"], name="mm1"),
         helper.make_node("Add", ["h0", "b1"], ["h1"]),
         helper.make_node("Relu", ["h1"], ["h2"]),
         helper.make_node("MatMul", ["h2", "w2"], ["h3"], name="mm2"),
         helper.make_node("Add", ["h3", "b2"], ["y"])],
        "mlp_matmul", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 256])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              path)
    return path


# Batch 16, and batch 1 (a vector-matrix product, whose tiles run the
# reduction loop outside the output-channel loop).
mm_models = {16: matmul_model(16), 1: matmul_model(1)}
for name, bits, group, symmetric, batches in [
        ("w4-g128", 4, 128, True, (16, 1)),
        ("w4-g32-asym", 4, 32, False, (16,)),
        ("w3-g64", 3, 64, True, (16, 1)),
        ("w3-g32-asym", 3, 32, False, (16,)),
        ("w2-g64", 2, 64, True, (16,)),
        ("w2-g64-asym", 2, 64, False, (16, 1))]:
    flags = ["--quant=w%d" % bits, "--group-size=%d" % group]
    if not symmetric:
        flags.append("--asymmetric")
    h = np.maximum(x.astype(np.float64) @ fake_quant(w1, bits, group, symmetric).T.astype(np.float64) + b1, 0)
    want = h @ fake_quant(w2, bits, group, symmetric).T.astype(np.float64) + b2
    for batch in batches:
        so = qcc.compile(mm_models[batch],
                         os.path.join(work, "mm%d-%s.so" % (batch, name)),
                         extra_args=flags)
        got = qcc.load(so)(x=x[:batch])["y"]
        err = np.abs(got - want[:batch]).max() / np.abs(want[:batch]).max()
        ok = bool(err < 1e-5)
        failed |= not ok
        print("matmul %-12s batch %2d vs numpy %.1e (< 1e-5)  %s"
              % (name, batch, err, "ok" if ok else "FAIL"))
print("weight quantization: %s" % ("FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
