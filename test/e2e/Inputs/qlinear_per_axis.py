#!/usr/bin/python3
"""QLinearMatMul with per-row A and per-column B parameters (ONNX allows
them; ONNX Runtime's CPU kernel does not), with a numpy reference that
follows the ONNX definition: saturate(round_half_even((A - a_zp) (B - b_zp)
* a_scale * b_scale / y_scale) + y_zp).

    qlinear_per_axis.py OUT_DIR   -> model.onnx, a.npy, expected.npy
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(0)
M, K, N = 3, 8, 5
a_scale = np.array([0.02, 0.03, 0.05], np.float32)
a_zp = np.array([120, 128, 130], np.uint8)
b = rng.randint(0, 256, (K, N)).astype(np.uint8)
b_scale = np.linspace(0.01, 0.02, N).astype(np.float32)
b_zp = rng.randint(100, 150, (N,)).astype(np.uint8)
y_scale, y_zp = np.float32(0.5), np.uint8(128)
inits = [numpy_helper.from_array(v, n) for v, n in [
    (a_scale, "as"), (a_zp, "az"), (b, "b"), (b_scale, "bs"), (b_zp, "bz"),
    (np.array(y_scale), "ys"), (np.array(y_zp), "yz")]]
g = helper.make_graph(
    [helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
                      ["y"], name="qmm")], "qlinear",
    [helper.make_tensor_value_info("a", TensorProto.UINT8, [M, K])],
    [helper.make_tensor_value_info("y", TensorProto.UINT8, [M, N])], inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "model.onnx"))
a = rng.randint(0, 256, (M, K)).astype(np.uint8)
acc = (a.astype(np.int64) - a_zp[:, None]) @ (b.astype(np.int64) - b_zp[None, :])
real = acc.astype(np.float32) * (a_scale[:, None] * b_scale[None, :])
y = np.clip(np.rint(real / y_scale) + y_zp, 0, 255).astype(np.uint8)
np.save(os.path.join(out, "a.npy"), a)
np.save(os.path.join(out, "expected.npy"), y)
