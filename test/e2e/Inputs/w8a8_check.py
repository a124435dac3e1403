#!/usr/bin/python3
"""Static W8A8 end to end: calibrate on 16 samples, evaluate on 16 other
inputs, output SQNR against the float model.

    w8a8_check.py WORK_DIR

Models (PyTorch default initialisation, seed 0): an MLP (Linear 256->512 ->
ReLU -> Linear 512->64) and a small CNN (Conv 3->16 k3 -> ReLU -> MaxPool 2
-> Conv 16->32 k3 stride 2 -> ReLU -> GlobalAveragePool -> Linear 32->10;
the ReLU and max pool between the convolutions run on int8).
"""
import os
import sys

import numpy as np
import torch

import qcc

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = torch.nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        y = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        y = torch.relu(self.c2(y))
        return self.fc(y.mean((2, 3)))


cases = [
    ("mlp", torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 64)).eval(), (8, 256), 30.0),
    ("cnn", CNN().eval(), (2, 3, 16, 16), 30.0),
]
failed = False
for name, net, shape, min_db in cases:
    model = os.path.join(work, name + ".onnx")
    torch.onnx.export(net, (torch.randn(*shape),), model, input_names=["x"],
                      output_names=["y"], opset_version=13)
    rng = np.random.RandomState(0)
    calib = os.path.join(work, name + "_calib")
    for i in range(16):
        os.makedirs(os.path.join(calib, "s%02d" % i), exist_ok=True)
        np.save(os.path.join(calib, "s%02d" % i, "x.npy"),
                rng.randn(*shape).astype(np.float32))
    tests = [rng.randn(*shape).astype(np.float32) for _ in range(16)]
    fp32 = qcc.load(qcc.compile(model, os.path.join(work, name + "_fp32.so")))
    q = qcc.load(qcc.compile(model, os.path.join(work, name + "_w8a8.so"),
                             extra_args=["--quant=w8a8", "--calib=" + calib,
                                         "--calib-method=minmax"]))
    nobc = qcc.load(qcc.compile(model, os.path.join(work, name + "_w8a8_nobc.so"),
                                extra_args=["--quant=w8a8", "--calib=" + calib,
                                            "--calib-method=minmax",
                                            "--bias-correction=false"]))
    ref = np.concatenate([fp32(x=t)["y"].ravel() for t in tests])
    got = np.concatenate([q(x=t)["y"].ravel() for t in tests])
    got_nobc = np.concatenate([nobc(x=t)["y"].ravel() for t in tests])
    db = 10 * np.log10((ref ** 2).sum() / ((ref - got) ** 2).sum())
    db_nobc = 10 * np.log10((ref ** 2).sum() / ((ref - got_nobc) ** 2).sum())
    # Bias correction removes the mean output error of weight rounding; it
    # must not make the held-out error worse beyond noise.
    ok = db >= min_db and db >= db_nobc - 0.2
    failed |= not ok
    print("%s w8a8 SQNR %.1f dB (>= %.0f; %.1f dB without bias correction) %s"
          % (name, db, min_db, db_nobc, "ok" if ok else "FAIL"))
print("w8a8: %s" % ("FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
