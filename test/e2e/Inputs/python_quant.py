#!/usr/bin/python3
"""qcc.compile's quantization keywords with the real driver, on the example MLP.

usage: python_quant.py EXAMPLES_DIR WORK_DIR   (EXAMPLES_DIR from make_models.py)

Calibration samples are numpy arrays (8 random [4,64] inputs, fixed seed);
every quantized .so is run on 16 other random inputs and its output SQNR
against the fp32 .so's (which matches PyTorch) must reach the mode's
threshold (a few dB under what was measured, see python-quant.test). A
deliberately miscalibrated w8a8 model (samples 20x too small) must fall
below its threshold, so the check can fail. Prints one line per check; any
failed check raises.
"""
import json
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

import qcc
from qcc.metrics import rodata_bytes, sqnr

examples, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
mlp = os.path.join(examples, "mlp")
model = os.path.join(mlp, "model.onnx")
# Temporary files of compile() land here, to check they are removed.
tempfile.tempdir = os.path.join(work, "tmp")
os.makedirs(tempfile.tempdir, exist_ok=True)


def no_temporaries(what):
    left = os.listdir(tempfile.tempdir)
    assert not left, (what, left)


def so(name):
    return os.path.join(work, name + ".so")


x0 = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "input_0.pb")))
ref0 = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "output_0.pb")))
fp32 = qcc.load(qcc.compile(model, so("fp32")))
np.testing.assert_allclose(fp32(x=x0)["logits"], ref0, rtol=1e-4, atol=1e-5)
print("fp32: matches the PyTorch reference")

rng = np.random.default_rng(2026)
calib = [{"x": rng.standard_normal((4, 64)).astype(np.float32)} for _ in range(8)]
held_out = [rng.standard_normal((4, 64)).astype(np.float32) for _ in range(16)]
reference = np.concatenate([fp32(x=x)["logits"] for x in held_out])


def outputs(m):
    return np.concatenate([m(x=x)["logits"] for x in held_out])


def check_sqnr(label, path, threshold):
    got = sqnr(reference, outputs(qcc.load(path)))
    verdict = "ok" if got >= threshold else "FAIL"
    print("%s: SQNR %.1f dB >= %g: %s" % (label, got, threshold, verdict))
    assert got >= threshold, (label, got, threshold)
    return got


# W8A8 with the calibration samples as arrays.
qcc.compile(model, so("w8a8"), quant="w8a8", calib=calib)
no_temporaries("w8a8")
check_sqnr("w8a8 calib=[8 x {'x': array}]", so("w8a8"), 30)
w8a8 = outputs(qcc.load(so("w8a8")))

# The same samples as a .npz and as a directory give the same model.
npz = os.path.join(work, "calib.npz")
np.savez(npz, x=np.stack([s["x"] for s in calib]))
qcc.compile(model, so("w8a8_npz"), quant="w8a8", calib=npz)
calib_dir = os.path.join(work, "calib")
for i, s in enumerate(calib):
    os.makedirs(os.path.join(calib_dir, "s%d" % i), exist_ok=True)
    np.save(os.path.join(calib_dir, "s%d" % i, "x.npy"), s["x"])
qcc.compile(model, so("w8a8_dir"), quant="w8a8", calib=calib_dir)
assert np.array_equal(outputs(qcc.load(so("w8a8_npz"))), w8a8)
assert np.array_equal(outputs(qcc.load(so("w8a8_dir"))), w8a8)
print("w8a8 calib=.npz and calib=DIR: outputs identical to calib=arrays")

# A miscalibrated model (activation ranges 20x too small) fails the threshold.
qcc.compile(model, so("w8a8_bad"), quant="w8a8", calib=[{"x": s["x"] * 0.05} for s in calib])
bad = sqnr(reference, outputs(qcc.load(so("w8a8_bad"))))
assert bad < 30, bad
print("w8a8 miscalibrated (samples x0.05): SQNR %.1f dB < 30: the threshold can fail" % bad)

qcc.compile(model, so("w8a8_percentile"), quant="w8a8", calib=calib,
            calib_method="percentile", calib_percentile=99.9)
check_sqnr("w8a8 calib_method=percentile 99.9", so("w8a8_percentile"), 26)
qcc.compile(model, so("w8a8_per_tensor"), quant="w8a8", calib=calib, per_tensor=True,
            bias_correction=False)
check_sqnr("w8a8 per_tensor bias_correction=False", so("w8a8_per_tensor"), 30)
assert rodata_bytes(so("w8a8_per_tensor")) < rodata_bytes(so("w8a8"))
print("w8a8 per_tensor: fewer scale bytes than per channel")

# Weight-only int4 in groups of 32.
qcc.compile(model, so("w4_g32"), quant="w4", group_size=32)
check_sqnr("w4 group_size=32", so("w4_g32"), 17)
qcc.compile(model, so("w4"), quant="w4")
g32, g128 = rodata_bytes(so("w4_g32")), rodata_bytes(so("w4"))
assert g32 > g128, (g32, g128)
print("w4 group_size=32: %d read-only bytes > %d with the default group (more scales)"
      % (g32, g128))
qcc.compile(model, so("w4_g32_asym"), quant="w4", group_size=32, asymmetric=True)
check_sqnr("w4 group_size=32 asymmetric", so("w4_g32_asym"), 17)
assert rodata_bytes(so("w4_g32_asym")) > g32
print("w4 asymmetric: zero points add bytes")

qcc.compile(model, so("w8"), quant="w8", mcpu="x86-64-v3")
check_sqnr("w8 mcpu=x86-64-v3", so("w8"), 40)
assert qcc.load(so("w8")).target.endswith(" x86-64-v3"), qcc.load(so("w8")).target
qcc.compile(model, so("w8dyn"), quant="w8-dynamic")
check_sqnr("w8-dynamic", so("w8dyn"), 38)
qcc.compile(model, so("w8_excl"), quant="w8", exclude=["Gemm"])
assert np.array_equal(outputs(qcc.load(so("w8_excl"))), reference)
print("w8 exclude=['Gemm']: identical to fp32")

# Mixed precision within half the float weights, with a report.
report = os.path.join(work, "report.json")
qcc.compile(model, so("mixed"), calib=calib, size_budget=0.5, report=report)
no_temporaries("mixed")
check_sqnr("size_budget=0.5", so("mixed"), 20)
with open(report) as f:
    layers = json.load(f)["layers"]
assert len(layers) == 3, layers
print("report=report.json: %d layers" % len(layers))

# Failures of the driver on array samples: CompileError with its message,
# naming the samples (the temporary file is gone), nothing left behind.
for what, samples, needle in [
        ("wrong input name", [{"y": s["x"]} for s in calib],
         "qcc: error: qcc-calibrate: '<calib samples>' has no array named 'x'"),
        ("wrong shape", [{"x": s["x"][:2]} for s in calib],
         "array 'x' in '<calib samples>' has shape 8x2x64, expected [samples]x4x64"),
        ("wrong dtype", [{"x": s["x"].astype(np.float64)} for s in calib], "wrong dtype?")]:
    try:
        qcc.compile(model, so("fail"), quant="w8a8", calib=samples)
        raise AssertionError("no CompileError for " + what)
    except qcc.CompileError as e:
        assert needle in str(e), (needle, str(e))
        print("calib %s: CompileError: %s" % (what, str(e).splitlines()[0]))
    no_temporaries(what)
print("python quant: ok")
