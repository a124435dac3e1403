#!/usr/bin/python3
"""Weight-only quantization end to end: accuracy (output SQNR against the
float model) and shared-library size, for w8 per channel, w4 per group and
asymmetric variants.

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

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.GELU(),
                          torch.nn.Linear(1024, 256)).eval()
model = os.path.join(work, "mlp.onnx")
torch.onnx.export(net, (torch.randn(16, 1024),), model, input_names=["x"],
                  output_names=["y"], opset_version=13)
x = np.random.RandomState(1).randn(16, 1024).astype(np.float32)


def weight_bytes(so):
    """Bytes of read-only data in the .so: the weights and their scales
    (code and metadata are elsewhere)."""
    out = subprocess.run(["readelf", "-SW", so], capture_output=True,
                         text=True, check=True).stdout
    return sum(int(m.group(1), 16)
               for m in re.finditer(r"\.l?rodata\S*\s+PROGBITS\s+\S+\s+\S+\s+(\S+)", out))


def sqnr(ref, got):
    return 10 * np.log10((ref ** 2).sum() / ((ref - got) ** 2).sum())


fp32_so = qcc.compile(model, os.path.join(work, "fp32.so"))
ref = qcc.load(fp32_so)(x=x)["y"]
with torch.no_grad():
    torch_ref = net(torch.from_numpy(x)).numpy()
np.testing.assert_allclose(ref, torch_ref, rtol=1e-4, atol=1e-5)
fp32_size = weight_bytes(fp32_so)

# variant: (flags, minimum SQNR dB, minimum size ratio vs fp32)
variants = [
    ("w8", ["--quant=w8"], 38.0, 3.9),
    ("w8-asym", ["--quant=w8", "--asymmetric"], 38.0, 3.8),
    ("w4-g128", ["--quant=w4", "--group-size=128"], 14.0, 7.0),
    ("w4-g32", ["--quant=w4", "--group-size=32"], 16.0, 6.0),
    ("w4-g32-asym", ["--quant=w4", "--group-size=32", "--asymmetric"], 16.0, 5.5),
    # int8 activations per token at run time, int8 weights per channel.
    ("w8-dynamic", ["--quant=w8-dynamic"], 35.0, 3.9),
]
failed = False
for name, flags, min_db, min_ratio in variants:
    so = qcc.compile(model, os.path.join(work, name + ".so"), extra_args=flags)
    got = qcc.load(so)(x=x)["y"]
    db, ratio = sqnr(ref, got), fp32_size / weight_bytes(so)
    ok = db >= min_db and ratio >= min_ratio
    failed |= not ok
    print("%-12s SQNR %5.1f dB (>= %.0f)  weight bytes %5.2fx smaller (>= %.1f)  %s"
          % (name, db, min_db, ratio, min_ratio, "ok" if ok else "FAIL"))
print("weight quantization: %s" % ("FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
