#!/usr/bin/python3
"""Write the example models and the error-test fixtures qcc's examples and tests use.

    /usr/bin/python3 examples/make_models.py [OUT_DIR]     (default: examples/generated)

Writes, deterministically (fixed torch/numpy seeds):
  mlp/model.onnx   3-layer MLP 64->128->64->10 with ReLU; input "x" [4,64], output "logits"
  cnn/model.onnx   small CNN (Conv/BatchNorm/ReLU/MaxPool/Conv/ReLU/GlobalAveragePool/
                   Flatten/Gemm); input "image" [2,3,32,32], output "logits"
  each with test_data_set_0/input_0.pb and output_0.pb (ONNX TensorProto): the input and
  PyTorch's reference output in eval mode.
  bad/truncated.onnx                  the first half of mlp/model.onnx's bytes
  bad/not_onnx.onnx                   a text file
  bad/unsupported_op.onnx             a valid graph with node "my_node" of op "com.example.MyOp"
  bad/unsupported_std_op.onnx         a valid graph with node "my_node" of the standard op "Unique"
  bad/external_data/model.onnx        the MLP with its weights in weights.bin beside it
  bad/missing_external/model.onnx     the same, weights.bin absent

Must run under Debian's /usr/bin/python3 (torch, onnx 1.12, numpy).
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn

OPSET = 13  # supported by Debian's torch 1.13 exporter and by onnx 1.12


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, stride=2, padding=1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))   # [N,8,16,16]
        x = torch.relu(self.conv2(x))                        # [N,16,8,8]
        x = torch.flatten(self.gap(x), 1)                    # [N,16]
        return self.fc(x)


def give_batchnorm_statistics(model):
    """Non-trivial running statistics, so BatchNorm is not an identity in eval mode."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)


def export(model, x, in_name, out_dir, fold=True):
    model.eval()
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    with torch.no_grad():
        ref = model(x).numpy()
        torch.onnx.export(model, (x,), path, input_names=[in_name],
                          output_names=["logits"], opset_version=OPSET,
                          do_constant_folding=fold,
                          # PRESERVE (with the model in eval mode) exports inference-mode
                          # BatchNormalization; EVAL would fold it into the Conv.
                          training=(torch.onnx.TrainingMode.EVAL if fold
                                    else torch.onnx.TrainingMode.PRESERVE))
    m = onnx.load(path)
    onnx.checker.check_model(m)
    # Check the exported signature matches what the examples and tests rely on.
    inp, (out,) = m.graph.input[0], m.graph.output
    assert inp.name == in_name, inp.name
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == list(x.shape), (dims, x.shape)
    odims = [d.dim_value for d in out.type.tensor_type.shape.dim]
    assert out.name == "logits" and odims == list(ref.shape), (out.name, odims)

    data = os.path.join(out_dir, "test_data_set_0")
    for name, arr, fname in ((in_name, x.numpy(), "input_0.pb"),
                             ("logits", ref, "output_0.pb")):
        t = numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name)
        with open(os.path.join(data, fname), "wb") as f:
            f.write(t.SerializeToString())
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"wrote {path}: input {in_name} {list(x.shape)} -> logits {list(ref.shape)}; "
          f"ops: {', '.join(ops)}")
    print(f"wrote {data}/input_0.pb, output_0.pb")
    return path


def write_bad(out, mlp_path):
    bad = os.path.join(out, "bad")
    if os.path.isdir(bad):
        shutil.rmtree(bad)
    os.makedirs(bad)

    with open(mlp_path, "rb") as f:
        blob = f.read()
    p = os.path.join(bad, "truncated.onnx")
    with open(p, "wb") as f:
        f.write(blob[: len(blob) // 2])
    print(f"wrote {p} ({len(blob) // 2} of {len(blob)} bytes)")

    p = os.path.join(bad, "not_onnx.onnx")
    with open(p, "w") as f:
        f.write("this is not an ONNX model\n")
    print(f"wrote {p}")

    def one_node_model(node, opsets):
        graph = helper.make_graph(
            [node], "unsupported",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])])
        return helper.make_model(graph, opset_imports=opsets)

    # A custom-domain op: no ONNX schema, so do not run the checker on it.
    m = one_node_model(
        helper.make_node("MyOp", ["x"], ["y"], name="my_node", domain="com.example"),
        [helper.make_opsetid("", OPSET), helper.make_opsetid("com.example", 1)])
    p = os.path.join(bad, "unsupported_op.onnx")
    onnx.save_model(m, p)
    print(f"wrote {p} (node 'my_node', op com.example.MyOp)")

    # A real standard op qcc does not implement (data-dependent output shape).
    m = one_node_model(helper.make_node("Unique", ["x"], ["y"], name="my_node"),
                       [helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(m)
    p = os.path.join(bad, "unsupported_std_op.onnx")
    onnx.save_model(m, p)
    print(f"wrote {p} (node 'my_node', op Unique)")

    for sub in ("external_data", "missing_external"):
        d = os.path.join(bad, sub)
        os.makedirs(d)
        m = onnx.load(mlp_path)
        onnx.save_model(m, os.path.join(d, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.bin",
                        size_threshold=0)
        shutil.copytree(os.path.join(os.path.dirname(mlp_path), "test_data_set_0"),
                        os.path.join(d, "test_data_set_0"))
    onnx.checker.check_model(os.path.join(bad, "external_data", "model.onnx"))
    os.remove(os.path.join(bad, "missing_external", "weights.bin"))
    print(f"wrote {bad}/external_data/model.onnx + weights.bin "
          f"({os.path.getsize(os.path.join(bad, 'external_data', 'weights.bin'))} bytes)")
    print(f"wrote {bad}/missing_external/model.onnx (weights.bin absent)")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("out_dir", nargs="?", default=os.path.join(here, "generated"))
    args = ap.parse_args()
    out = os.path.abspath(args.out_dir)

    torch.manual_seed(0)
    np.random.seed(0)
    torch.use_deterministic_algorithms(True)

    mlp = MLP()
    x = torch.from_numpy(np.random.randn(4, 64).astype(np.float32))
    mlp_path = export(mlp, x, "x", os.path.join(out, "mlp"))

    cnn = CNN()
    give_batchnorm_statistics(cnn)
    img = torch.from_numpy(np.random.randn(2, 3, 32, 32).astype(np.float32))
    # Keep BatchNormalization as a node (not folded into the Conv) so the example
    # exercises it.
    export(cnn, img, "image", os.path.join(out, "cnn"), fold=False)

    write_bad(out, mlp_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
