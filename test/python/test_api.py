#!/usr/bin/python3
"""Checks the Python package end to end on the example MLP.

usage: test_api.py EXAMPLES_DIR WORK_DIR   (EXAMPLES_DIR from make_models.py)
Prints one line per check; any failed check raises.
"""
import os
import sys
import threading

import numpy as np
from onnx import numpy_helper
import onnx

import qcc

examples, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
mlp = os.path.join(examples, "mlp")

so = qcc.compile(os.path.join(mlp, "model.onnx"), os.path.join(work, "mlp.so"), opt_level=3)
print("compiled", os.path.basename(so))
m = qcc.load(so)
print("inputs", [(i.name, str(i.dtype), i.shape) for i in m.inputs])
print("outputs", [(o.name, str(o.dtype), o.shape) for o in m.outputs])

x = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "input_0.pb")))
ref = numpy_helper.to_array(onnx.load_tensor(os.path.join(mlp, "test_data_set_0", "output_0.pb")))
out = m(x=x)
assert set(out) == {"logits"}, out.keys()
np.testing.assert_allclose(out["logits"], ref, rtol=1e-4, atol=1e-5)
print("by name: matches the PyTorch reference")
np.testing.assert_allclose(m(x)["logits"], ref, rtol=1e-4, atol=1e-5)
print("positional: matches")
# Non-contiguous input views are accepted (copied to C order).
xt = np.asfortranarray(x)
np.testing.assert_allclose(m(x=xt)["logits"], ref, rtol=1e-4, atol=1e-5)
print("fortran-ordered input: matches")


def expect_error(exc, fn, needle):
    try:
        fn()
    except exc as e:
        assert needle in str(e), (needle, str(e))
        print("%s: %s" % (exc.__name__, e))
        return
    raise AssertionError("no %s raised" % exc.__name__)


expect_error(qcc.RunError, lambda: m(x=x.astype(np.float64)), "expected dtype float32, got float64")
expect_error(qcc.RunError, lambda: m(x=x[:2]), "expected shape [4,64], got [2,64]")
expect_error(qcc.RunError, lambda: m(y=x), "no input named 'y'")
expect_error(qcc.RunError, lambda: m(), "no value given for input 'x'")
expect_error(qcc.CompileError, lambda: qcc.compile(os.path.join(examples, "bad", "unsupported_std_op.onnx"),
                                                   os.path.join(work, "bad.so")),
             "unsupported ONNX op 'Unique'")
expect_error(qcc.RunError, lambda: qcc.load(os.path.join(mlp, "model.onnx")), "cannot load")

# Several threads share one model.
results = [None] * 4
def worker(i):
    results[i] = all(np.allclose(m(x=x)["logits"], ref, rtol=1e-4, atol=1e-5) for _ in range(25))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert all(results), results
print("4 threads x 25 calls: all match")
print("python api: ok")
