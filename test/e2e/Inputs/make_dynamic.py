#!/usr/bin/python3
"""Exports models with symbolic dimensions for the dynamic-shape tests.

    make_dynamic.py OUT_DIR

  mlp.onnx      Linear-ReLU-Linear-Softmax, x [batch, 64] -> probs [batch, 10]
  cnn.onnx      Conv-BN-ReLU-MaxPool-Flatten-Linear, image [n, 3, 8, 8]
  pair.onnx     Add of x [batch, 4] and y [batch, 4] (both tied to "batch")
  x<B>.npy / img<B>.npy / y<B>.npy inputs for batch sizes 1, 4 and 7
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                          torch.nn.Linear(128, 10), torch.nn.Softmax(-1)).eval()
torch.onnx.export(mlp, (torch.randn(4, 64),), os.path.join(out, "mlp.onnx"),
                  input_names=["x"], output_names=["probs"],
                  dynamic_axes={"x": {0: "batch"}, "probs": {0: "batch"}},
                  opset_version=13)


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        y = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(torch.flatten(y, 1))


torch.onnx.export(CNN().eval(), (torch.randn(2, 3, 8, 8),),
                  os.path.join(out, "cnn.onnx"), input_names=["image"],
                  output_names=["logits"],
                  dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}},
                  opset_version=13)
g = helper.make_graph(
    [helper.make_node("Add", ["x", "y"], ["z"], name="add")], "pair",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4]),
     helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 4])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "pair.onnx"))
for b in (1, 4, 7):
    rng = np.random.RandomState(b)
    np.save(os.path.join(out, "x%d.npy" % b), rng.randn(b, 64).astype(np.float32))
    np.save(os.path.join(out, "img%d.npy" % b), rng.randn(b, 3, 8, 8).astype(np.float32))
    np.save(os.path.join(out, "p%d.npy" % b), rng.randn(b, 4).astype(np.float32))
