#!/usr/bin/python3
"""Checks an installed copy of the qcc package (pip install python/ into a venv).

usage: python_installed.py SRC_ROOT EXAMPLES_DIR WORK_DIR [--quick]

Run from a directory outside the source tree, without PYTHONPATH or QCC_BIN:
the package must come from the venv's site-packages with no source tree
beside it, report the header's ABI version (SRC_ROOT/include/qcc/Runtime/
qcc_runtime.h) and the installed metadata's version, find the driver on
PATH, and compile + run the example MLP (fp32 against PyTorch's reference;
without --quick also w8a8 with calibration arrays and w4 g32). Prints one
line per check; any failed check raises.
"""
import importlib.metadata
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper

import qcc
from qcc.metrics import sqnr

src, examples, work = (os.path.realpath(p) for p in sys.argv[1:4])
quick = "--quick" in sys.argv[4:]
os.makedirs(work, exist_ok=True)

pkg = os.path.dirname(os.path.realpath(qcc.__file__))
assert pkg.startswith(os.path.realpath(sys.prefix) + os.sep), (pkg, sys.prefix)
assert not pkg.startswith(os.path.join(src, "python") + os.sep), pkg  # not the checkout's
assert sys.prefix != sys.base_prefix, "not in a virtual environment"
assert not os.path.exists(os.path.join(pkg, "..", "..", "include", "qcc")), pkg
assert "PYTHONPATH" not in os.environ and "QCC_BIN" not in os.environ
print("imported from the venv's site-packages (%s), no source tree beside it"
      % os.path.relpath(pkg, sys.prefix))

with open(os.path.join(src, "include", "qcc", "Runtime", "qcc_runtime.h")) as f:
    header = int(re.search(r"#define\s+QCC_ABI_VERSION\s+(\d+)", f.read()).group(1))
assert qcc.ABI_VERSION == header, (qcc.ABI_VERSION, header)
print("installed qcc.ABI_VERSION %d == QCC_ABI_VERSION of qcc_runtime.h" % qcc.ABI_VERSION)
meta = importlib.metadata.version("qcc")
assert meta == qcc.__version__, (meta, qcc.__version__)
print("installed metadata version == qcc.__version__")

driver = qcc._find_qcc(None)
print("driver from PATH: %s" % os.path.basename(driver))

mlp = os.path.join(examples, "mlp")
model = os.path.join(mlp, "model.onnx")
x0 = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "input_0.pb")))
ref0 = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "output_0.pb")))
fp32 = qcc.load(qcc.compile(model, os.path.join(work, "fp32.so")))
np.testing.assert_allclose(fp32(x=x0)["logits"], ref0, rtol=1e-4, atol=1e-5)
print("fp32: compiled, loaded, matches the PyTorch reference")

if not quick:
    rng = np.random.default_rng(2026)
    calib = [{"x": rng.standard_normal((4, 64)).astype(np.float32)} for _ in range(8)]
    xs = [rng.standard_normal((4, 64)).astype(np.float32) for _ in range(16)]
    ref = np.concatenate([fp32(x=x)["logits"] for x in xs])
    for label, kwargs, threshold in [("w8a8", dict(quant="w8a8", calib=calib), 30),
                                     ("w4 g32", dict(quant="w4", group_size=32), 17)]:
        m = qcc.load(qcc.compile(model, os.path.join(work, label.replace(" ", "_") + ".so"),
                                 **kwargs))
        got = sqnr(ref, np.concatenate([m(x=x)["logits"] for x in xs]))
        assert got >= threshold, (label, got)
        print("%s: SQNR %.1f dB >= %d: ok" % (label, got, threshold))
print("installed package: ok")
