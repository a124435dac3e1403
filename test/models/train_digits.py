#!/usr/bin/python3
"""Trains a small CNN on real data (the 8x8 handwritten digits that ship with
scikit-learn, Debian's python3-sklearn) and exports it for qcc's
quantization quality tests and benchmarks.

    /usr/bin/python3 test/models/train_digits.py OUT_DIR [--epochs 12]

Data: sklearn.datasets.load_digits (1797 images, 10 classes, pixel values
0..16, scaled to [0, 1]), split once with train_test_split(test_size=0.25,
random_state=0, stratify=labels): 1347 training and 450 held-out test
images. Training is deterministic (torch.manual_seed(0),
torch.use_deterministic_algorithms(True), one thread, a seeded shuffle;
about 10-20 s on one core).

Network (90k parameters; every weight has >= 256 elements, so
qcc-quantize-static's min-elements=256 leaves no layer in float under
--quant=w8a8):

    x [N, 1, 8, 8]
    Conv 1->32 3x3 pad 1 + ReLU        288 weights
    Conv 32->64 3x3 pad 1 + ReLU     18432
    MaxPool 2x2                      -> [N, 64, 4, 4]
    Conv 64->64 3x3 + ReLU           36864 -> [N, 64, 2, 2]
    Flatten, Gemm 256->128 + ReLU    32768
    Gemm 128->10 -> logits            1280

Writes to OUT_DIR:
    model.onnx    opset 13, input "x" [N, 1, 8, 8] with a dynamic batch N,
                  output "logits" [N, 10]
    calib.npz     "x": [128, 1, 1, 8, 8], the first 128 training images (each
                  sample is one batch-1 input; compile with
                  --input-shape x=1x1x8x8 to calibrate)
    test_x.npy    [450, 1, 8, 8] float32 held-out images
    test_y.npy    [450] int64 labels
and prints the PyTorch fp32 test accuracy.
"""
import argparse
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1)
        self.c3 = nn.Conv2d(64, 64, 3)
        self.fc1 = nn.Linear(256, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.c2(torch.relu(self.c1(x))))
        x = torch.relu(self.c3(nn.functional.max_pool2d(x, 2)))
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--calib-samples", type=int, default=128)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    digits = load_digits()
    x = (digits.data.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=0,
                                              stratify=y)
    start = time.time()
    net = DigitsCNN()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    gen = torch.Generator().manual_seed(0)
    for epoch in range(args.epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
    net.eval()
    with torch.no_grad():
        pred = net(torch.from_numpy(x_te)).argmax(1).numpy()
        train_pred = net(xt).argmax(1).numpy()
    acc = 100.0 * (pred == y_te).mean()
    print("trained %d epochs in %.1f s: train accuracy %.2f%%, test accuracy %.2f%% "
          "(%d/%d)" % (args.epochs, time.time() - start, 100.0 * (train_pred == y_tr).mean(),
                       acc, (pred == y_te).sum(), len(y_te)))

    model = os.path.join(args.out, "model.onnx")
    torch.onnx.export(net, (torch.from_numpy(x_te[:1]),), model, input_names=["x"],
                      output_names=["logits"], opset_version=13,
                      dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}})
    onnx.checker.check_model(model)
    np.savez(os.path.join(args.out, "calib.npz"),
             x=x_tr[:args.calib_samples].reshape(args.calib_samples, 1, 1, 8, 8))
    np.save(os.path.join(args.out, "test_x.npy"), x_te)
    np.save(os.path.join(args.out, "test_y.npy"), y_te)
    print("fp32 test accuracy (PyTorch): %.2f" % acc)
    print("wrote %s, calib.npz, test_x.npy, test_y.npy" % model)


if __name__ == "__main__":
    main()
