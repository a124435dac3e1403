#!/usr/bin/python3
"""Static W8A8 on a small residual network: the residual Adds, the average
pooling and the global average pooling run integer-only between the int8
layers. Calibrates on 16 samples, evaluates on 16 other inputs.

    w8a8_resnet_check.py WORK_DIR

Model (PyTorch default initialisation, seed 0), x[2, 3, 16, 16]:
  stem   Conv 3->16 k3 -> ReLU
  block  relu(Conv 16->16 k3 (ReLU) Conv 16->16 k3 + x)
  down   relu(Conv 16->32 k3 s2 (ReLU) Conv 32->32 k3 + Conv 16->32 k1 s2 (x))
  AveragePool k3 s1 pad 1 (count_include_pad = 0: border windows divide by
         fewer elements)
  block  relu(Conv 32->32 k3 (ReLU) Conv 32->32 k3 + x)
  GlobalAveragePool -> Flatten -> Gemm 32->10
Writes WORK_DIR/resnet.onnx and WORK_DIR/resnet_calib for the IR checks of
w8a8-resnet.test. Prints the output SQNR of the W8A8 .so against qcc fp32
(required: >= 30 dB; measured 37.7 dB), and, where ONNX Runtime is
installed, qcc fp32 against ORT fp32 (max |diff| <= 1e-4 * max |ref|) and
the --emit=onnx QDQ model in ORT against the W8A8 .so (>= 30 dB: ORT adds
and pools in float, where qcc keeps the int8 block input as the shortcut
operand and rounds the sums and averages in fixed point).
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import torch

import qcc
from qcc.metrics import sqnr
from ort_util import ort_run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
QCC = os.environ.get("QCC_BIN", os.path.join(ROOT, "build", "bin", "qcc"))
ORT_MODULE = os.path.join(ROOT, "build", "ort", "node_modules", "onnxruntime-node")

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)


class Block(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = torch.nn.Conv2d(cin, cout, 3, stride, padding=1)
        self.c2 = torch.nn.Conv2d(cout, cout, 3, 1, padding=1)
        self.down = (torch.nn.Conv2d(cin, cout, 1, stride)
                     if stride != 1 or cin != cout else None)

    def forward(self, x):
        y = self.c2(torch.relu(self.c1(x)))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.b1 = Block(16, 16, 1)
        self.b2 = Block(16, 32, 2)
        self.pool = torch.nn.AvgPool2d(3, 1, padding=1, count_include_pad=False)
        self.b3 = Block(32, 32, 1)
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, x):
        y = self.b3(self.pool(self.b2(self.b1(torch.relu(self.stem(x))))))
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1)
        return self.fc(torch.flatten(y, 1))


shape = (2, 3, 16, 16)
model = os.path.join(work, "resnet.onnx")
torch.onnx.export(Net().eval(), (torch.randn(*shape),), model, input_names=["x"],
                  output_names=["y"], opset_version=13)
rng = np.random.RandomState(0)
calib = os.path.join(work, "resnet_calib")
for i in range(16):
    os.makedirs(os.path.join(calib, "s%02d" % i), exist_ok=True)
    np.save(os.path.join(calib, "s%02d" % i, "x.npy"),
            rng.randn(*shape).astype(np.float32))
tests = [rng.randn(*shape).astype(np.float32) for _ in range(16)]
flags = ["--quant=w8a8", "--calib=" + calib, "--calib-method=minmax"]
fp32 = qcc.load(qcc.compile(model, os.path.join(work, "fp32.so")))
q = qcc.load(qcc.compile(model, os.path.join(work, "w8a8.so"), extra_args=flags))
ref = np.concatenate([fp32(x=t)["y"].ravel() for t in tests])
got = np.concatenate([q(x=t)["y"].ravel() for t in tests])
failed = False
db = sqnr(ref, got)
ok = db >= 30.0
failed |= not ok
print("resnet w8a8 SQNR %.1f dB (>= 30) %s" % (db, "ok" if ok else "FAIL"))

if shutil.which("node") and os.path.isdir(ORT_MODULE):
    xs = tests[:4]
    ort_ref = np.concatenate([ort_run(model, x, os.path.join(work, "ort_fp32_%d" % i))
                              for i, x in enumerate(xs)])
    mine = np.concatenate([fp32(x=x)["y"] for x in xs])
    diff = np.abs(mine - ort_ref).max()
    ok = diff <= 1e-4 * np.abs(ort_ref).max()
    failed |= not ok
    print("resnet fp32 vs ORT max|diff| %.2g %s" % (diff, "ok" if ok else "FAIL"))
    exported = os.path.join(work, "resnet_w8a8.onnx")
    subprocess.run([QCC, model, "--emit=onnx", "-o", exported] + flags, check=True,
                   stderr=subprocess.DEVNULL)
    ort_q = np.concatenate([ort_run(exported, x, os.path.join(work, "ort_w8a8_%d" % i))
                            for i, x in enumerate(xs)])
    db = sqnr(np.concatenate([q(x=x)["y"] for x in xs]), ort_q)
    ok = db >= 30.0
    failed |= not ok
    print("resnet emit-onnx QDQ in ORT vs .so SQNR %.1f dB (>= 30) %s"
          % (db, "ok" if ok else "FAIL"))
else:
    print("resnet ORT checks skipped")
print("w8a8 resnet: %s" % ("FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
