#!/usr/bin/python3
"""w4 convolutions whose 4-bit values cannot pack along the kernel: a
first layer (3 inputs x 3x3 = 27 values per output channel) and a depthwise
3x3 convolution (9 per channel) pack along the output channels instead.
The .so must match the float model run (PyTorch) with weights quantized by
numpy (symmetric int4 per output channel, round half to even) to 1e-5 of
the output range, and the IR must show both convolutions quantized.

    weight_quant_conv_check.py WORK_DIR QCC
"""
import os
import subprocess
import sys

import numpy as np
import torch

import qcc

work, qcc_bin = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.ReLU(),
                          torch.nn.Conv2d(32, 32, 3, padding=1, groups=32))
net.eval()
x = torch.randn(1, 3, 16, 16)
model = os.path.join(work, "m.onnx")
torch.onnx.export(net, (x,), model, input_names=["x"], output_names=["y"], opset_version=13)
so = os.path.join(work, "m.so")
subprocess.run([qcc_bin, model, "--quant=w4", "-o", so], check=True)
ir = subprocess.run([qcc_bin, model, "--quant=w4", "--emit=mlir", "-o", "-"],
                    check=True, capture_output=True, text=True).stdout
packed = ir.count("packed_dim = 0")
got = qcc.load(so)(x=x.numpy())["y"]


def fake_quant(w):
    w = w.detach().numpy().astype(np.float64)
    rows = w.reshape(w.shape[0], -1)
    s = np.abs(rows).max(1, keepdims=True) / 7
    s[s == 0] = 1
    return torch.from_numpy((np.clip(np.round(rows / s), -8, 7) * s)
                            .reshape(w.shape).astype(np.float32))


with torch.no_grad():
    for i in (0, 2):
        net[i].weight.copy_(fake_quant(net[i].weight))
    ref = net(x).numpy()
err = float(np.abs(got - ref).max() / np.abs(ref).max())
ok = packed == 2 and err <= 1e-5
print("w4 conv packed along output channels: %d layers, max error %.2g of the range: %s"
      % (packed, err, "ok" if ok else "FAIL"))
sys.exit(0 if ok else 1)
