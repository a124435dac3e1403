#!/usr/bin/python3
"""Writes small ONNX models for the importer lit tests.

usage: make_onnx.py CASE OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def vi(name, shape, dtype=F):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def arr(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


rng = np.random.RandomState(0)
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def elementwise():
    return model([
        helper.make_node("Add", ["x", "b"], ["s"], name="add"),
        helper.make_node("Relu", ["s"], ["r"], name="relu"),
        helper.make_node("LeakyRelu", ["r"], ["l"], name="lrelu", alpha=0.2),
        helper.make_node("Less", ["l", "x"], ["c"], name="less"),
        helper.make_node("Where", ["c", "l", "x"], ["y"], name="where"),
    ], [vi("x", [2, 3])], [vi("y", [2, 3])], [arr("b", np.ones(3, np.float32))])


@case
def conv():
    w = rng.randn(8, 3, 3, 3).astype(np.float32)
    return model([
        helper.make_node("Conv", ["x", "w", "bias"], ["c"], name="conv1",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"],
                         ["n"], name="bn1"),
        helper.make_node("MaxPool", ["n"], ["p"], name="pool1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["y"], name="flat"),
    ], [vi("x", [1, 3, 16, 16])], [vi("y", [1, 8])],
        [arr("w", w), arr("bias", np.zeros(8, np.float32)),
         arr("s", np.ones(8, np.float32)), arr("bb", np.zeros(8, np.float32)),
         arr("m", np.zeros(8, np.float32)), arr("v", np.ones(8, np.float32))])


@case
def transformer():
    w = rng.randn(16, 16).astype(np.float32)
    return model([
        helper.make_node("LayerNormalization", ["x", "g", "b"], ["n"],
                         name="ln", axis=-1, epsilon=1e-5),
        helper.make_node("MatMul", ["n", "w"], ["q"], name="proj"),
        helper.make_node("Transpose", ["q"], ["t"], name="tr", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "t"], ["a"], name="scores"),
        helper.make_node("Softmax", ["a"], ["p"], name="softmax", axis=-1),
        helper.make_node("Reshape", ["p", "shape"], ["y"], name="reshape"),
    ], [vi("x", [2, 4, 16])], [vi("y", [8, 4])],
        [arr("g", np.ones(16, np.float32)), arr("b", np.zeros(16, np.float32)),
         arr("w", w), arr("shape", np.array([8, -1], np.int64))], opset=17)


@case
def shapes():
    return model([
        helper.make_node("Shape", ["x"], ["s"], name="shape"),
        helper.make_node("Gather", ["s", "i0"], ["d0"], name="g0", axis=0),
        helper.make_node("Unsqueeze", ["d0", "ax"], ["d0u"], name="u0"),
        helper.make_node("Concat", ["d0u", "m1"], ["ns"], name="cat", axis=0),
        helper.make_node("Reshape", ["x", "ns"], ["r"], name="reshape"),
        helper.make_node("Slice", ["r", "st", "en", "ax"], ["y"], name="slice"),
    ], [vi("x", [2, 3, 4])], [vi("y", [1, 12])],
        [arr("i0", np.array(0, np.int64)), arr("ax", np.array([0], np.int64)),
         arr("m1", np.array([-1], np.int64)),
         arr("st", np.array([1], np.int64)), arr("en", np.array([2], np.int64))])


@case
def quant():
    return model([
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["d"],
                         name="dq"),
        helper.make_node("DynamicQuantizeLinear", ["d"], ["y", "ys", "yzp"],
                         name="dql"),
        helper.make_node("MatMulInteger", ["y", "w", "yzp", "wzp"], ["mm"],
                         name="mmi"),
    ], [vi("x", [2, 4])], [vi("mm", [2, 3], TensorProto.INT32)],
        [arr("s", np.array(0.1, np.float32)), arr("zp", np.array(3, np.uint8)),
         arr("w", rng.randint(0, 255, (4, 3)).astype(np.uint8)),
         arr("wzp", np.array(128, np.uint8))])


@case
def big_weight():
    w = rng.randn(64, 64).astype(np.float32)
    return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                 [vi("x", [1, 64])], [vi("y", [1, 64])], [arr("w", w)])


@case
def unsupported():
    return model([helper.make_node("Unique", ["x"], ["y"], name="my_unique")],
                 [vi("x", [4])], [vi("y", [None])])


@case
def dynamic():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", ["batch", 8])], [vi("y", ["batch", 8])])


@case
def dynamic_tile():
    return model([helper.make_node("Tile", ["x", "r"], ["y"], name="tile")],
                 [vi("x", ["batch", 8])], [vi("y", ["batch", 16])],
                 [arr("r", np.array([1, 2], np.int64))])


@case
def dynamic_concat():
    return model([helper.make_node("Concat", ["x", "x"], ["y"], name="cat",
                                   axis=0)],
                 [vi("x", ["batch", 8])], [vi("y", ["batch2", 8])])


@case
def dynamic_concat_features():
    return model([helper.make_node("Concat", ["x", "x"], ["y"], name="cat",
                                   axis=1)],
                 [vi("x", ["batch", 8])], [vi("y", ["batch", 16])])


if __name__ == "__main__":
    onnx.save(CASES[sys.argv[1]](), sys.argv[2])
