#!/usr/bin/python3
"""--emit=onnx end to end: export quantized models as ONNX, validate them
with onnx.checker, run them in ONNX Runtime and in onnx_ref.py (an exact
numpy interpretation of ONNX) and compare.

    emit_onnx_check.py WORK_DIR

Models (PyTorch default initialisation, seed 0):
  mlp  x[4, 8, 96] -> Linear 96->256 (MatMul + Add) -> ReLU -> [32, 256]
       -> Linear 256->512 (Gemm, transB) -> GELU -> Linear 512->64 (Gemm)
  cnn  x[4, 3, 16, 16] -> Conv 3->16 k3 -> ReLU -> Conv 16->32 k4 s2 -> ReLU
       -> mean -> Linear 32->48 (Gemm)
For every variant, one line ending in its verdict, `ok` or `FAIL`, with:
  so    onnx_ref(exported) vs qcc's own .so for the same flags. Weight-only
        and dynamic modes use the same integers and scales in the same
        float operations, so the outputs agree up to float summation order:
        max |diff| <= 1e-5 * max |so| + 1e-6. W8A8 rounds activations in
        the float QDQ graph where qcc requantizes integers (fixed-point
        multipliers, i32 biases): SQNR(so vs onnx_ref) >= 40 dB.
  fp32  onnx_ref(exported) vs ONNX Runtime on the float model: output SQNR
        above the thresholds of weight_quant_check.py / w8a8_check.py.
  bytes initializer bytes of the float model / of the exported model.
  graph every quantized layer (read from qcc --emit=mlir) has the expected
        form: MatMulNBits (int4 MatMul/Gemm), DequantizeLinear on the weight,
        QuantizeLinear -> DequantizeLinear on the input (w8a8), MatMulInteger
        (dynamic); no float weight of a quantized layer is left. `graph
        clean`, or `graph:` and the problems.
  ort   the exported model must run in ONNX Runtime; its SQNR against
        onnx_ref is informational only (no verdict): ORT's x86 int8 GEMM
        (MatMulInteger, MatMulNBits' int8 paths) saturates int16 pair sums on
        CPUs without AVX-512 VNNI / AVX-VNNI and is not exact there.
A model or variant that raises reports the error on its line (FAIL) and
the others still run.
Also writes dup.onnx (two nodes with one name) and opset10.onnx (MatMul +
Softmax at opset 10) for the error tests in emit-onnx.test.
"""
import os
import re
import subprocess
import sys
import traceback

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import qcc
from qcc.metrics import sqnr
import onnx_ref
from ort_util import ort_run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
QCC = os.environ.get("QCC_BIN", os.path.join(ROOT, "build", "bin", "qcc"))

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(96, 256)
        self.l2 = torch.nn.Linear(256, 512)
        self.l3 = torch.nn.Linear(512, 64)

    def forward(self, x):
        h = torch.relu(self.l1(x)).reshape(-1, 256)
        return self.l3(torch.nn.functional.gelu(self.l2(h)))


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        # kernel width 4: int4 packs two per byte along it
        self.c2 = torch.nn.Conv2d(16, 32, 4, stride=2, padding=1)
        self.fc = torch.nn.Linear(32, 48)

    def forward(self, x):
        y = torch.relu(self.c2(torch.relu(self.c1(x))))
        return self.fc(y.mean((2, 3)))


def init_bytes(model):
    return sum(len(numpy_helper.to_array(t).tobytes()) for t in model.graph.initializer)


def quant_layers(model, flags):
    """(layer, op, scheme, bits, group size) of every qcc.quant record in
    the IR (group size 0: one scale per output channel)."""
    ir = subprocess.run([QCC, model, "--emit=mlir", "-o", "-"] + flags,
                        capture_output=True, text=True, check=True).stdout
    layers = []
    for rec in re.findall(r"qcc\.quant = #qcc\.quant<([^>]*)>", ir):
        get = lambda k: re.search(r"\b%s = \"?([^\",]+)\"?" % k, rec).group(1)
        layers.append((get("layer"), get("op"), get("scheme"),
                       int(get("bits")), int(get("group_size"))))
    return layers


def check_graph(exported, original, layers):
    """Problems with the exported graph's form, as strings."""
    problems = []
    nodes = {n.name: n for n in exported.graph.node}
    producer = {o: n for n in exported.graph.node for o in n.output}
    orig_nodes = {n.name: n for n in original.graph.node}
    inits = {t.name for t in exported.graph.initializer}
    ops = {n.op_type for n in exported.graph.node}

    def dq_chain(name):
        # DequantizeLinear, possibly followed by Reshape/Transpose (per
        # group) or Sub/Mul (below opset 13).
        n = producer.get(name)
        while n is not None and n.op_type in ("Reshape", "Transpose", "Mul", "Sub"):
            n = producer.get(n.input[0])
        return n is not None and n.op_type == "DequantizeLinear"

    def nbits(op, scheme, bits, group):
        # MatMulNBits blocks: powers of 2 from 16 to 256 inside a group.
        return scheme == "weight-only" and bits == 4 and op != "Conv" and group % 16 == 0

    for layer, op, scheme, bits, group in layers:
        if orig_nodes[layer].input[1] in inits:
            problems.append("%s: float weight left" % layer)
        n = nodes.get(layer)
        if nbits(op, scheme, bits, group):
            if n is None or n.op_type != "MatMulNBits" or n.domain != "com.microsoft":
                problems.append("%s: not MatMulNBits" % layer)
        elif scheme == "dynamic":
            if n is None or n.op_type != "MatMulInteger":
                problems.append("%s: not MatMulInteger" % layer)
        else:
            if n is None or n.op_type != op or not dq_chain(n.input[1]):
                problems.append("%s: weight not dequantized" % layer)
            elif scheme == "static":
                dq = producer.get(n.input[0])
                if dq is None or dq.op_type != "DequantizeLinear" or \
                        producer.get(dq.input[0]) is None or \
                        producer[dq.input[0]].op_type != "QuantizeLinear":
                    problems.append("%s: input not QuantizeLinear -> DequantizeLinear" % layer)
    if not layers:
        problems.append("no quantized layers")
    if any(nbits(*l[1:]) for l in layers) and "MatMulNBits" not in ops:
        problems.append("no MatMulNBits")
    return problems


def make_calib(name, shape):
    rng = np.random.RandomState(0)
    calib = os.path.join(work, name + "_calib")
    for i in range(16):
        os.makedirs(os.path.join(calib, "s%02d" % i), exist_ok=True)
        np.save(os.path.join(calib, "s%02d" % i, "x.npy"),
                rng.randn(*shape).astype(np.float32))
    return calib


# (name, flags, minimum SQNR vs fp32 in dB, minimum initializer bytes ratio)
MLP_VARIANTS = [
    ("w8", ["--quant=w8"], 38.0, 3.5),
    ("w8-asym", ["--quant=w8", "--asymmetric"], 38.0, 3.5),
    ("w8-g32", ["--quant=w8", "--group-size=32"], 38.0, 3.0),
    ("w4-g128", ["--quant=w4", "--group-size=128"], 14.0, 6.0),
    ("w4-g32", ["--quant=w4", "--group-size=32"], 16.0, 5.0),
    ("w4-g32-asym", ["--quant=w4", "--group-size=32", "--asymmetric"], 16.0, 5.0),
    # MatMulNBits blocks of 16 sharing each group's scale (48 = 3 x 16).
    # (Compiled at the default -O2: group sizes that are not a multiple of
    # the vector tile once gave wrong .so outputs there.)
    ("w4-g48", ["--quant=w4", "--group-size=48"], 14.0, 5.0),
    # No MatMulNBits block fits groups of 8: int8 values, DequantizeLinear
    # per group (with a warning).
    ("w4-g8", ["--quant=w4", "--group-size=8"], 16.0, 2.5),
    ("w8-dynamic", ["--quant=w8-dynamic"], 35.0, 3.5),
    ("w8a8", ["--quant=w8a8", "--calib-method=minmax"], 30.0, 3.5),
    ("w8a8-per-tensor", ["--quant=w8a8", "--per-tensor"], 30.0, 3.5),
]
CNN_VARIANTS = [
    ("w8", ["--quant=w8"], 38.0, 3.0),
    ("w4", ["--quant=w4"], 14.0, 3.0),
    ("w4-asym", ["--quant=w4", "--asymmetric"], 14.0, 3.0),
    ("w8a8", ["--quant=w8a8", "--calib-method=minmax"], 30.0, 3.0),
]

def error_text(e):
    return " ".join(traceback.format_exception_only(type(e), e)).strip().replace("\n", " ")


def check_variant(mname, vname, model, original, x, ref, fp32_bytes, flags, min_db,
                  min_ratio, so_opt):
    """One exported variant: (ok, line without the verdict)."""
    tag = "%s_%s" % (mname, vname)
    out = os.path.join(work, tag + ".onnx")
    p = subprocess.run([QCC, model, "--emit=onnx", "-o", out] + flags,
                       capture_output=True, text=True)
    if p.returncode != 0:
        return False, "%s %s: qcc --emit=onnx failed: %s" % (mname, vname, p.stderr.strip())
    exported = onnx.load(out)
    onnx.checker.check_model(exported, full_check=True)
    exact = onnx_ref.run(exported, {"x": x})["y"]
    so = qcc.load(qcc.compile(model, os.path.join(work, tag + ".so"),
                              opt_level=(so_opt or [2])[0],
                              extra_args=flags))(x=x)["y"]
    if "--quant=w8a8" in flags:
        so_db = sqnr(exact, so)
        so_ok = so_db >= 40.0
        so_msg = "SQNR %.1f dB (>= 40)" % so_db
    else:
        diff = np.abs(so - exact).max()
        so_ok = diff <= 1e-5 * np.abs(so).max() + 1e-6
        so_msg = "max|diff| %.2g (rel %.2g)" % (diff, diff / np.abs(so).max())
    # ONNX Runtime must run the exported model; its numbers are informational.
    ort_db = sqnr(exact, ort_run(out, x, os.path.join(work, tag)))
    db = sqnr(ref, exact)
    ratio = fp32_bytes / init_bytes(exported)
    problems = check_graph(exported, original, quant_layers(model, flags))
    ok = so_ok and db >= min_db and ratio >= min_ratio and not problems
    return ok, ("%s %-15s so %-28s fp32 SQNR %5.1f dB (>= %.0f)  bytes %5.2fx (>= %.1f)  "
                "file %5.2fx  %s  ort %5.1f dB (info)"
                % (mname, vname, so_msg, db, min_db, ratio, min_ratio,
                   os.path.getsize(model) / os.path.getsize(out),
                   "graph: " + "; ".join(problems) if problems else "graph clean", ort_db))


failed = False
for mname, net, shape, variants in [("mlp", MLP().eval(), (4, 8, 96), MLP_VARIANTS),
                                     ("cnn", CNN().eval(), (4, 3, 16, 16), CNN_VARIANTS)]:
    model = os.path.join(work, mname + ".onnx")
    try:
        torch.onnx.export(net, (torch.randn(*shape),), model, input_names=["x"],
                          output_names=["y"], opset_version=13)
        original = onnx.load(model)
        calib = make_calib(mname, shape)
        x = np.random.RandomState(1).randn(*shape).astype(np.float32)
        ref = ort_run(model, x, os.path.join(work, mname + "_fp32"))
        with torch.no_grad():
            np.testing.assert_allclose(ref, net(torch.from_numpy(x)).numpy(),
                                       rtol=1e-4, atol=1e-5)
        fp32_bytes = init_bytes(original)
    except (Exception, SystemExit) as e:
        print("%s: float model: %s FAIL" % (mname, error_text(e)))
        failed = True
        continue
    for vname, flags, min_db, min_ratio, *so_opt in variants:
        if "--quant=w8a8" in flags:
            flags = flags + ["--calib=" + calib]
        try:
            ok, line = check_variant(mname, vname, model, original, x, ref, fp32_bytes,
                                     flags, min_db, min_ratio, so_opt)
        except (Exception, SystemExit) as e:
            ok, line = False, "%s %s: %s" % (mname, vname, error_text(e))
        failed |= not ok
        print("%s  %s" % (line, "ok" if ok else "FAIL"))

# Error-test fixtures.
rng = np.random.RandomState(2)
w = numpy_helper.from_array(rng.randn(32, 32).astype(np.float32), "w")
X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 32])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 32])
dup = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
     helper.make_node("MatMul", ["h", "w"], ["y"], name="mm")],
    "dup", [X], [Y], [w])
onnx.save(helper.make_model(dup, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(work, "dup.onnx"))
old = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
     helper.make_node("Softmax", ["h"], ["y"], name="sm", axis=1)],
    "old", [X], [Y], [w])
m10 = helper.make_model(old, opset_imports=[helper.make_opsetid("", 10)])
m10.ir_version = 5
onnx.save(m10, os.path.join(work, "opset10.onnx"))

# Below opset 13 per-channel weights are DequantizeLinear (scale 1) + Mul,
# and the opset stays 10.
m10_path, out10 = os.path.join(work, "opset10.onnx"), os.path.join(work, "opset10_w8.onnx")
try:
    subprocess.run([QCC, m10_path, "--quant=w8", "--emit=onnx", "-o", out10], check=True)
    e10 = onnx.load(out10)
    onnx.checker.check_model(e10, full_check=True)
    x10 = np.random.RandomState(3).randn(4, 32).astype(np.float32)
    exact10 = onnx_ref.run(e10, {"x": x10})["y"]
    ort10 = sqnr(exact10, ort_run(out10, x10, os.path.join(work, "opset10_w8")))
    so10 = qcc.load(qcc.compile(m10_path, os.path.join(work, "opset10_w8.so"),
                                extra_args=["--quant=w8"]))(x=x10)["y"]
    diff10 = np.abs(so10 - exact10).max()
    opset10 = [o.version for o in e10.opset_import if o.domain in ("", "ai.onnx")]
    ops10 = [n.op_type for n in e10.graph.node]
    ok10 = opset10 == [10] and diff10 <= 1e-5 * np.abs(so10).max() + 1e-6 and \
        ops10 == ["DequantizeLinear", "Mul", "MatMul", "Softmax"]
    line10 = "opset10 w8 opset %s so max|diff| %.2g  ops %s  ort %.1f dB (info)" % (
        opset10, diff10, ",".join(ops10), ort10)
except (Exception, SystemExit) as e:
    ok10, line10 = False, "opset10 w8: %s" % error_text(e)
failed |= not ok10
print("%s  %s" % (line10, "ok" if ok10 else "FAIL"))

print("emit onnx: %s" % ("FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
