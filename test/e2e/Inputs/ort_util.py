"""ONNX Runtime through tools/ort-run (Node), for the e2e test scripts."""
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
ORT_RUN = os.path.join(ROOT, "tools", "ort-run", "ort-run.js")


def ort_run(model, x, out_dir, input_name="x", output_name="y"):
    """ONNX Runtime's `output_name` for `model` on the single input `x`."""
    xf = os.path.join(out_dir, input_name + ".npy")
    os.makedirs(out_dir, exist_ok=True)
    np.save(xf, x)
    p = subprocess.run(["node", ORT_RUN, model, "--input", "%s=%s" % (input_name, xf),
                        "--output-dir", out_dir], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit("ONNX Runtime failed on %s" % model)
    return np.load(os.path.join(out_dir, output_name + ".npy"))
