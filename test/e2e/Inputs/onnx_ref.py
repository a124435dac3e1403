#!/usr/bin/python3
"""A small, independent numpy interpreter of ONNX graphs: the exact
reference the e2e tests compare qcc with for integer and quantized models
(onnx 1.12 has no onnx.reference, and ONNX Runtime's x86 int8 GEMM is not
exact on machines without VNNI: it saturates int16 pair sums).

    import onnx_ref
    outs = onnx_ref.run("model.onnx", {"x": x})     # {output name: array}
    onnx_ref.py model.onnx --input x=x.npy [--output-dir DIR]

Arithmetic:
  * Tensors keep their ONNX element type between nodes (float32 stays
    float32, int8 stays int8, ...).
  * Float ops are computed in float64 and the result is rounded to the
    output's ONNX type. For one elementwise operation (Add, Sub, Mul, Div,
    Sqrt) this is exactly the IEEE float32 result; contractions (MatMul,
    Gemm, Conv, MatMulNBits) and reductions are more accurate than any
    float32 implementation.
  * QuantizeLinear is saturate(round_half_to_even(x / scale) + zero_point)
    with x / scale an IEEE float32 division, as the ONNX spec defines it.
    DequantizeLinear is float32(x - zero_point) * scale in float32.
  * Integer contractions (MatMulInteger, ConvInteger, QLinearConv,
    QLinearMatMul) accumulate exactly in int64; the int32 accumulator the
    ops define is checked to be in range (an error otherwise, never a
    silent wrap). QLinearConv / QLinearMatMul requantize the accumulator
    (plus the int32 bias) by the real multiplier x_scale * w_scale /
    y_scale with exact rational arithmetic, rounded half to even, then add
    the output zero point and saturate.
  * Integer Add/Sub/Mul are computed in int64 and must fit the type.
  * com.microsoft.MatMulNBits (bits 2/4/8, low bits first along K):
    W[n, k] = float32(q - zero_point) * scale of its block (zero point
    default 2^(bits-1); packed uint8 or float zero points), Y = A @ W^T
    (+ bias) in float64. accuracy_level only tells ORT which kernel to use
    and is ignored here.

Any op, opset, attribute or attribute value outside what is implemented
raises Unsupported naming the node: the interpreter is never silently
wrong.
"""
import math
import sys
from fractions import Fraction

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

__all__ = ["run", "Unsupported", "OPS"]


class Unsupported(Exception):
    """An op, attribute or input form onnx_ref does not implement."""


DTYPES = {
    TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64,
    TensorProto.INT8: np.int8, TensorProto.UINT8: np.uint8,
    TensorProto.INT16: np.int16, TensorProto.UINT16: np.uint16,
    TensorProto.INT32: np.int32, TensorProto.UINT32: np.uint32,
    TensorProto.INT64: np.int64, TensorProto.UINT64: np.uint64,
    TensorProto.BOOL: np.bool_,
}
FLOATS = (np.float32, np.float64)
INTS = (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64)


def _is_float(a):
    return a.dtype.type in FLOATS


def _is_int(a):
    return a.dtype.type in INTS


class Node:
    """One node being evaluated: its inputs, attributes and error reporting."""

    def __init__(self, proto, values, opset):
        self.proto, self.opset = proto, opset
        self.op = proto.op_type
        self.name = proto.name or (proto.output[0] if proto.output else "?")
        self.inputs = [values[n] if n else None for n in proto.input]
        self.attrs = {}
        for a in proto.attribute:
            self.attrs[a.name] = onnx.helper.get_attribute_value(a)
        self.used = set()

    def fail(self, msg):
        raise Unsupported("onnx_ref: %s node '%s' (opset %d): %s" % (self.op, self.name,
                                                                    self.opset, msg))

    def input(self, i, required=True):
        v = self.inputs[i] if i < len(self.inputs) else None
        if v is None and required:
            self.fail("input %d is required" % i)
        return v

    def n_inputs(self, lo, hi):
        n = len(self.inputs)
        if not lo <= n <= hi:
            self.fail("%d inputs (expects %d to %d)" % (n, lo, hi))

    def attr(self, name, default=None):
        self.used.add(name)
        v = self.attrs.get(name, default)
        if isinstance(v, bytes):
            v = v.decode()
        return v

    def ints(self, name, default):
        v = self.attr(name, default)
        return None if v is None else [int(i) for i in v]

    def finish(self):
        unknown = sorted(set(self.attrs) - self.used)
        if unknown:
            self.fail("attribute(s) %s not implemented" % ", ".join(unknown))


def _f64(a):
    return np.asarray(a, np.float64)


def _float_out(node, result, like):
    """Round a float64 result to the float type of `like`."""
    if not _is_float(like):
        node.fail("expects a float tensor, got %s" % like.dtype)
    return np.asarray(result, np.float64).astype(like.dtype.type)


def _int_out(node, result, dtype):
    """An int64 result checked to fit `dtype`."""
    info = np.iinfo(dtype)
    result = np.asarray(result)
    if result.size and (result.min() < info.min or result.max() > info.max):
        node.fail("integer result [%d, %d] overflows %s" % (result.min(), result.max(),
                                                            np.dtype(dtype).name))
    return result.astype(dtype)


def _axis(node, axis, rank):
    if not -rank <= axis < max(rank, 1):
        node.fail("axis %d out of range for rank %d" % (axis, rank))
    return axis % rank if rank else 0


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

def _binary(fn_float, fn_int=None):
    def op(node):
        node.n_inputs(2, 2)
        a, b = node.input(0), node.input(1)
        if node.opset < 7:
            node.fail("legacy broadcast semantics (opset < 7) not implemented")
        if a.dtype != b.dtype:
            node.fail("mixed input types %s, %s" % (a.dtype, b.dtype))
        if _is_float(a):
            return _float_out(node, fn_float(_f64(a), _f64(b)), a)
        if _is_int(a) and fn_int is not None:
            return _int_out(node, fn_int(a.astype(np.int64), b.astype(np.int64)), a.dtype.type)
        node.fail("type %s not implemented" % a.dtype)
    return op


def _unary_float(fn):
    def op(node):
        node.n_inputs(1, 1)
        x = node.input(0)
        return _float_out(node, fn(_f64(x)), x)
    return op


_erf = np.vectorize(math.erf, otypes=[np.float64])


def op_relu(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    if _is_float(x):
        return _float_out(node, np.maximum(_f64(x), 0.0), x)
    if x.dtype.type in (np.int8, np.int16, np.int32, np.int64):
        return np.maximum(x, 0).astype(x.dtype)
    node.fail("type %s not implemented" % x.dtype)


def op_abs(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    if _is_float(x):
        return _float_out(node, np.abs(_f64(x)), x)
    if _is_int(x):
        return _int_out(node, np.abs(x.astype(np.int64)), x.dtype.type)
    node.fail("type %s not implemented" % x.dtype)


def op_round(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    return _float_out(node, np.rint(_f64(x)), x)  # half to even


def op_clip(node):
    x = node.input(0)
    if node.opset < 11:
        node.n_inputs(1, 1)
        lo, hi = node.attr("min", -np.inf), node.attr("max", np.inf)
    else:
        node.n_inputs(1, 3)
        lo, hi = node.input(1, False), node.input(2, False)
        for v in (lo, hi):
            if v is not None and (v.size != 1 or v.dtype != x.dtype):
                node.fail("min/max must be scalars of the input type")
    if _is_float(x):
        y = _f64(x)
        if lo is not None:
            y = np.maximum(y, float(np.asarray(lo).reshape(())))
        if hi is not None:
            y = np.minimum(y, float(np.asarray(hi).reshape(())))
        return _float_out(node, y, x)
    if _is_int(x):
        y = x.astype(np.int64)
        if lo is not None:
            y = np.maximum(y, int(lo.reshape(())))
        if hi is not None:
            y = np.minimum(y, int(hi.reshape(())))
        return y.astype(x.dtype)
    node.fail("type %s not implemented" % x.dtype)


def op_cast(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    to = node.attr("to")
    if to not in DTYPES:
        node.fail("cast to type %s not implemented" % to)
    dt = DTYPES[to]
    if dt in INTS and _is_float(x):
        xf = _f64(x)
        if np.isnan(xf).any():
            node.fail("NaN cast to an integer type")
        t = np.trunc(xf)
        info = np.iinfo(dt)
        if t.size and (t.min() < info.min or t.max() > info.max):
            node.fail("value out of the range of %s (undefined in ONNX)" % np.dtype(dt).name)
        return t.astype(dt)
    if dt in INTS and _is_int(x):
        return _int_out(node, x.astype(np.int64) if x.dtype != np.uint64 else x, dt)
    if dt in FLOATS and (_is_float(x) or _is_int(x) or x.dtype == np.bool_):
        return x.astype(dt)
    if dt is np.bool_:
        return x != 0
    node.fail("cast from %s not implemented" % x.dtype)


def op_equal(node):
    node.n_inputs(2, 2)
    a, b = node.input(0), node.input(1)
    if a.dtype != b.dtype:
        node.fail("mixed input types %s, %s" % (a.dtype, b.dtype))
    return np.equal(a, b)


def op_where(node):
    node.n_inputs(3, 3)
    c, a, b = node.input(0), node.input(1), node.input(2)
    if c.dtype != np.bool_ or a.dtype != b.dtype:
        node.fail("types %s, %s, %s" % (c.dtype, a.dtype, b.dtype))
    return np.where(c, a, b)


def op_identity(node):
    node.n_inputs(1, 1)
    return node.input(0)


def op_softmax(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    axis = _axis(node, node.attr("axis", -1 if node.opset >= 13 else 1), x.ndim)
    xf = _f64(x)
    if node.opset >= 13:
        e = np.exp(xf - xf.max(axis=axis, keepdims=True))
        return _float_out(node, e / e.sum(axis=axis, keepdims=True), x)
    # Opset < 13: softmax over the input flattened to 2-D at `axis`.
    flat = xf.reshape(int(np.prod(x.shape[:axis])), -1)
    e = np.exp(flat - flat.max(axis=1, keepdims=True))
    return _float_out(node, (e / e.sum(axis=1, keepdims=True)).reshape(x.shape), x)


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def op_reshape(node):
    if node.opset < 5:
        node.fail("Reshape with a shape attribute (opset < 5) not implemented")
    node.n_inputs(2, 2)
    x, shape = node.input(0), [int(s) for s in node.input(1)]
    allowzero = node.attr("allowzero", 0)
    out = []
    for i, s in enumerate(shape):
        if s == 0 and not allowzero:
            if i >= x.ndim:
                node.fail("shape[%d] = 0 copies a dimension the input lacks" % i)
            s = x.shape[i]
        out.append(s)
    if out.count(-1) > 1:
        node.fail("more than one -1 in the shape")
    try:
        return x.reshape(out)
    except ValueError as e:
        node.fail("cannot reshape %s to %s: %s" % (x.shape, out, e))


def op_transpose(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    perm = node.ints("perm", None)
    return np.transpose(x, perm if perm is not None else None)


def op_flatten(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    axis = node.attr("axis", 1)
    if not -x.ndim <= axis <= x.ndim:
        node.fail("axis %d out of range" % axis)
    if axis < 0:
        axis += x.ndim
    return x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))


def _axes_input_or_attr(node, idx, since):
    if node.opset >= since:
        v = node.input(idx, False)
        return None if v is None else [int(a) for a in v]
    return node.ints("axes", None)


def op_unsqueeze(node):
    x = node.input(0)
    axes = _axes_input_or_attr(node, 1, 13)
    if axes is None:
        node.fail("axes required")
    rank = x.ndim + len(axes)
    axes = sorted(_axis(node, a, rank) for a in axes)
    if len(set(axes)) != len(axes):
        node.fail("repeated axes")
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return x.reshape(shape)


def op_squeeze(node):
    x = node.input(0)
    axes = _axes_input_or_attr(node, 1, 13)
    if axes is None:
        return np.squeeze(x)
    axes = tuple(_axis(node, a, x.ndim) for a in axes)
    if any(x.shape[a] != 1 for a in axes):
        node.fail("squeezed axis is not of size 1")
    return np.squeeze(x, axis=axes)


def op_concat(node):
    xs = [v for v in node.inputs]
    if any(v is None for v in xs):
        node.fail("missing input")
    if node.attr("axis") is None:
        node.fail("axis required")
    axis = _axis(node, node.attr("axis"), xs[0].ndim)
    if len({v.dtype for v in xs}) != 1:
        node.fail("mixed input types")
    return np.concatenate(xs, axis=axis)


def op_shape(node):
    node.n_inputs(1, 1)
    x = node.input(0)
    start, end = node.attr("start", 0), node.attr("end", None)
    if node.opset < 15 and ("start" in node.attrs or "end" in node.attrs):
        node.fail("start/end before opset 15")
    r = x.ndim
    start = min(max(start + r if start < 0 else start, 0), r)
    end = r if end is None else min(max(end + r if end < 0 else end, 0), r)
    return np.array(x.shape[start:end], np.int64)


def op_gather(node):
    node.n_inputs(2, 2)
    x, idx = node.input(0), node.input(1)
    axis = _axis(node, node.attr("axis", 0), x.ndim)
    if not _is_int(idx):
        node.fail("indices must be integers")
    idx = idx.astype(np.int64)
    n = x.shape[axis]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        node.fail("index out of range")
    return np.take(x, np.where(idx < 0, idx + n, idx), axis=axis)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _reduce(fn, axes_input_since):
    def op(node):
        x = node.input(0)
        if node.opset >= axes_input_since:
            node.n_inputs(1, 2)
            v = node.input(1, False)
            axes = None if v is None else [int(a) for a in v]
        else:
            node.n_inputs(1, 1)
            axes = node.ints("axes", None)
        keepdims = node.attr("keepdims", 1)
        if node.attr("noop_with_empty_axes", 0) and not axes:
            return x
        axes = tuple(range(x.ndim)) if not axes else tuple(_axis(node, a, x.ndim) for a in axes)
        if _is_float(x):
            return _float_out(node, fn(_f64(x), axis=axes, keepdims=bool(keepdims)), x)
        if _is_int(x) and fn in (np.max, np.min):
            return fn(x, axis=axes, keepdims=bool(keepdims))
        node.fail("type %s not implemented" % x.dtype)
    return op


# ---------------------------------------------------------------------------
# Float contractions
# ---------------------------------------------------------------------------

def op_matmul(node):
    node.n_inputs(2, 2)
    a, b = node.input(0), node.input(1)
    if a.dtype != b.dtype:
        node.fail("mixed input types")
    if _is_float(a):
        return _float_out(node, np.matmul(_f64(a), _f64(b)), a)
    if a.dtype.type in (np.int32, np.int64, np.uint32, np.uint64):
        return _int_out(node, np.matmul(a.astype(np.int64), b.astype(np.int64)), a.dtype.type)
    node.fail("type %s not implemented" % a.dtype)


def op_gemm(node):
    node.n_inputs(2, 3)
    a, b, c = node.input(0), node.input(1), node.input(2, False)
    if a.ndim != 2 or b.ndim != 2:
        node.fail("A and B must be 2-D")
    if not _is_float(a) or a.dtype != b.dtype:
        node.fail("types %s, %s not implemented" % (a.dtype, b.dtype))
    if node.opset < 7 and "broadcast" in node.attrs:
        node.fail("the broadcast attribute (opset < 7) not implemented")
    alpha, beta = node.attr("alpha", 1.0), node.attr("beta", 1.0)
    A = _f64(a).T if node.attr("transA", 0) else _f64(a)
    B = _f64(b).T if node.attr("transB", 0) else _f64(b)
    if A.shape[1] != B.shape[0]:
        node.fail("inner dimensions %d, %d differ" % (A.shape[1], B.shape[0]))
    y = np.float64(np.float32(alpha)) * (A @ B)
    if c is not None:
        if c.dtype != a.dtype:
            node.fail("C type %s differs from A's" % c.dtype)
        try:
            cb = np.broadcast_to(_f64(c), y.shape)
        except ValueError:
            node.fail("C of shape %s does not broadcast to %s" % (c.shape, y.shape))
        y = y + np.float64(np.float32(beta)) * cb
    return _float_out(node, y, a)


def _spatial_attrs(node, x, kshape, pool=False):
    """(kernel, pads, strides, dilations) of a Conv/Pool node on `x`."""
    nsp = x.ndim - 2
    if nsp < 1:
        node.fail("input of rank %d" % x.ndim)
    ks = node.ints("kernel_shape", None if pool else list(kshape))
    if ks is None:
        node.fail("kernel_shape required")
    if not pool and list(ks) != list(kshape):
        node.fail("kernel_shape %s differs from the weight's %s" % (ks, list(kshape)))
    auto_pad = node.attr("auto_pad", "NOTSET")
    pads = node.ints("pads", [0] * (2 * nsp))
    if auto_pad == "VALID":
        pads = [0] * (2 * nsp)
    elif auto_pad != "NOTSET":
        node.fail("auto_pad %s not implemented" % auto_pad)
    strides = node.ints("strides", [1] * nsp)
    dil = node.ints("dilations", [1] * nsp)
    if len(ks) != nsp or len(pads) != 2 * nsp or len(strides) != nsp or len(dil) != nsp:
        node.fail("attribute lengths do not match %d spatial dims" % nsp)
    if min(pads) < 0 or min(strides) < 1 or min(dil) < 1:
        node.fail("negative pads or non-positive strides/dilations")
    return ks, pads, strides, dil


def _windows(node, xp, ks, strides, dil):
    """Output spatial shape and, per kernel offset, the strided window of
    the padded input `xp` [N, ..., *S] (last len(ks) axes spatial)."""
    nsp = len(ks)
    sp = xp.shape[-nsp:]
    out = [(sp[i] - dil[i] * (ks[i] - 1) - 1) // strides[i] + 1 for i in range(nsp)]
    if min(out) < 1:
        node.fail("empty output (input %s, kernel %s)" % (list(sp), list(ks)))
    lead = (slice(None),) * (xp.ndim - nsp)
    for k in np.ndindex(*ks):
        sl = tuple(slice(k[i] * dil[i], k[i] * dil[i] + strides[i] * (out[i] - 1) + 1,
                         strides[i]) for i in range(nsp))
        yield out, k, xp[lead + sl]


def _conv(node, x, w, pads, strides, dil, group, dtype):
    """Convolution of x [N, C, *S] by w [M, C/group, *K] in `dtype`
    (np.float64 or exact np.int64), zero padding."""
    n, c = x.shape[:2]
    m, nsp = w.shape[0], w.ndim - 2
    if x.ndim != w.ndim or c != w.shape[1] * group or m % group:
        node.fail("input %s, weight %s and group %d do not fit" % (x.shape, w.shape, group))
    xp = np.pad(x.astype(dtype), [(0, 0), (0, 0)] +
                [(pads[i], pads[i + nsp]) for i in range(nsp)])
    cg, mg = c // group, m // group
    xg = xp.reshape((n, group, cg) + xp.shape[2:])
    wg = w.astype(dtype).reshape((group, mg, cg) + w.shape[2:])
    acc = None
    for out, k, win in _windows(node, xg, w.shape[2:], strides, dil):
        term = np.einsum("ngc...,gmc->ngm...", win, wg[(slice(None),) * 3 + k])
        acc = term if acc is None else acc + term
    return acc.reshape((n, m) + acc.shape[3:])


def op_conv(node):
    node.n_inputs(2, 3)
    x, w, b = node.input(0), node.input(1), node.input(2, False)
    if not _is_float(x) or x.dtype != w.dtype:
        node.fail("types %s, %s not implemented" % (x.dtype, w.dtype))
    ks, pads, strides, dil = _spatial_attrs(node, x, w.shape[2:])
    y = _conv(node, x, w, pads, strides, dil, node.attr("group", 1), np.float64)
    if b is not None:
        if b.shape != (w.shape[0],):
            node.fail("bias of shape %s" % (b.shape,))
        y = y + _f64(b).reshape((1, -1) + (1,) * (y.ndim - 2))
    return _float_out(node, y, x)


def op_maxpool(node):
    node.n_inputs(1, 1)
    if len(node.proto.output) > 1 and node.proto.output[1]:
        node.fail("the Indices output not implemented")
    x = node.input(0)
    if node.attr("ceil_mode", 0):
        node.fail("ceil_mode=1 not implemented")
    if node.attr("storage_order", 0):
        node.fail("storage_order=1 not implemented")
    ks, pads, strides, dil = _spatial_attrs(node, x, None, pool=True)
    nsp = len(ks)
    low = -np.inf if _is_float(x) else np.iinfo(x.dtype).min
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + nsp]) for i in range(nsp)],
                constant_values=low)
    y = None
    for out, k, win in _windows(node, xp, ks, strides, dil):
        y = win.copy() if y is None else np.maximum(y, win)
    return y


# ---------------------------------------------------------------------------
# Quantization
# ---------------------------------------------------------------------------

def _qparams_shape(node, x, scale, zp, axis_default=1):
    """Reshape a per-tensor (scalar) or per-axis (1-D) scale / zero point
    to broadcast against x."""
    if node.opset < 13:
        if "axis" in node.attrs:
            node.fail("axis before opset 13")
        if scale.size != 1 or scale.ndim > 1 or (zp is not None and zp.size != 1):
            node.fail("per-axis parameters need opset 13")
        return scale.reshape(()), None if zp is None else zp.reshape(())
    axis = node.attr("axis", axis_default)
    if node.attr("block_size", 0):
        node.fail("blocked quantization (block_size) not implemented")
    # A one-element 1-D scale is per tensor too (as ONNX Runtime reads it).
    if scale.ndim == 0 or (scale.ndim == 1 and scale.size == 1):
        if zp is not None and zp.shape != scale.shape:
            node.fail("scale / zero point shapes differ")
        return scale.reshape(()), None if zp is None else zp.reshape(())
    if scale.ndim != 1:
        node.fail("scale of rank %d" % scale.ndim)
    axis = _axis(node, axis, x.ndim)
    if scale.shape[0] != x.shape[axis]:
        node.fail("%d scales for axis %d of size %d" % (scale.shape[0], axis, x.shape[axis]))
    if zp is not None and zp.shape != scale.shape:
        node.fail("scale / zero point shapes differ")
    shape = [1] * x.ndim
    shape[axis] = -1
    return scale.reshape(shape), None if zp is None else zp.reshape(shape)


def op_quantizelinear(node):
    node.n_inputs(2, 3)
    x, scale, zp = node.input(0), node.input(1), node.input(2, False)
    if node.attr("saturate", 1) != 1:
        node.fail("saturate=0 not implemented")
    if scale.dtype != np.float32:
        node.fail("scale of type %s" % scale.dtype)
    if x.dtype.type not in (np.float32, np.int32):
        node.fail("input of type %s" % x.dtype)
    if zp is None:
        zp = np.zeros(scale.shape, np.uint8)
    if zp.dtype.type not in (np.int8, np.uint8):
        node.fail("zero point of type %s" % zp.dtype)
    s, z = _qparams_shape(node, x, scale, zp)
    if (s <= 0).any() or not np.isfinite(s).all():
        node.fail("non-positive or non-finite scale")
    q = x.astype(np.float32) / s.astype(np.float32)  # IEEE float32 division
    if np.isnan(q).any():
        node.fail("NaN input")
    info = np.iinfo(zp.dtype)
    y = np.clip(np.rint(q.astype(np.float64)) + z.astype(np.float64), info.min, info.max)
    return y.astype(zp.dtype)


def op_dequantizelinear(node):
    node.n_inputs(2, 3)
    x, scale, zp = node.input(0), node.input(1), node.input(2, False)
    if x.dtype.type not in (np.int8, np.uint8, np.int32):
        node.fail("input of type %s" % x.dtype)
    if scale.dtype != np.float32:
        node.fail("scale of type %s" % scale.dtype)
    if zp is not None and zp.dtype != x.dtype:
        node.fail("zero point type %s differs from the input's %s" % (zp.dtype, x.dtype))
    s, z = _qparams_shape(node, x, scale, zp)
    if x.dtype == np.int32 and z is not None and (z != 0).any():
        node.fail("int32 input with a non-zero zero point")
    d = x.astype(np.int64) - (0 if z is None else z.astype(np.int64))
    return d.astype(np.float32) * s.astype(np.float32)  # float32 product


def _zero_point(node, idx, dtype_of):
    zp = node.input(idx, False)
    if zp is None:
        return np.zeros((), np.int64)
    if zp.dtype != dtype_of.dtype:
        node.fail("zero point %d of type %s, input of type %s" % (idx, zp.dtype, dtype_of.dtype))
    return zp.astype(np.int64)


def _int8_input(node, x, what):
    if x.dtype.type not in (np.int8, np.uint8):
        node.fail("%s of type %s" % (what, x.dtype))
    return x.astype(np.int64)


def _matmul_int(node, a, a_zp, b, b_zp):
    """(a - a_zp) @ (b - b_zp) in int64 with MatMulInteger's zero point
    forms: scalar, per row of A ([M] for 2-D A or A's rank with K = 1),
    per column of B ([N] or B's rank with K = 1)."""
    ai, bi = _int8_input(node, a, "A"), _int8_input(node, b, "B")
    if ai.ndim < 2 or bi.ndim < 2:
        node.fail("1-D operands not implemented")
    if a_zp.size > 1:
        if a_zp.ndim == 1 and ai.ndim == 2 and a_zp.shape[0] == ai.shape[0]:
            a_zp = a_zp.reshape(-1, 1)
        elif not (a_zp.ndim == ai.ndim and a_zp.shape[-1] == 1):
            node.fail("A zero point of shape %s for A %s" % (a_zp.shape, ai.shape))
    if b_zp.size > 1:
        if b_zp.ndim == 1 and b_zp.shape[0] == bi.shape[-1]:
            pass
        elif not (b_zp.ndim == bi.ndim and b_zp.shape[-2] == 1):
            node.fail("B zero point of shape %s for B %s" % (b_zp.shape, bi.shape))
    a_zp, b_zp = a_zp.reshape(a_zp.shape if a_zp.size > 1 else ()), \
        b_zp.reshape(b_zp.shape if b_zp.size > 1 else ())
    return np.matmul(ai - a_zp, bi - b_zp)


def op_matmulinteger(node):
    node.n_inputs(2, 4)
    a, b = node.input(0), node.input(1)
    acc = _matmul_int(node, a, _zero_point(node, 2, a), b, _zero_point(node, 3, b))
    return _int_out(node, acc, np.int32)


def _conv_int(node, x, x_zp, w, w_zp):
    xi, wi = _int8_input(node, x, "x"), _int8_input(node, w, "w")
    if x_zp.size != 1:
        node.fail("x zero point must be a scalar")
    m = wi.shape[0]
    if w_zp.size == 1:
        w_zp = w_zp.reshape(())
    elif w_zp.shape == (m,):
        w_zp = w_zp.reshape((m,) + (1,) * (wi.ndim - 1))
    else:
        node.fail("w zero point of shape %s" % (w_zp.shape,))
    ks, pads, strides, dil = _spatial_attrs(node, x, w.shape[2:])
    # Padding is zero in the zero-point-corrected domain.
    return _conv(node, xi - x_zp.reshape(()), wi - w_zp, pads, strides, dil,
                 node.attr("group", 1), np.int64)


def op_convinteger(node):
    node.n_inputs(2, 4)
    x, w = node.input(0), node.input(1)
    acc = _conv_int(node, x, _zero_point(node, 2, x), w, _zero_point(node, 3, w))
    return _int_out(node, acc, np.int32)


def _frac(v):
    return Fraction(float(v))


def _requantize(node, acc, multiplier, y_zp, out_dtype):
    """saturate(round_half_even(acc * multiplier) + y_zp) exactly;
    `multiplier` is an object array (or scalar) of positive Fractions that
    broadcasts against acc."""
    acc_o = np.asarray(acc, np.int64).astype(object)
    num = np.vectorize(lambda f: f.numerator, otypes=[object])(multiplier)
    den = np.vectorize(lambda f: f.denominator, otypes=[object])(multiplier)
    p = acc_o * num
    q = p // den
    r2 = 2 * (p - q * den)
    up = (r2 > den) | ((r2 == den) & (q % 2 == 1))
    y = (q + up.astype(object)).astype(np.float64)  # |y| < 2^53: exact or saturates
    info = np.iinfo(out_dtype)
    return np.clip(y + float(y_zp), info.min, info.max).astype(out_dtype)


def _scale_fracs(node, s, what):
    if s.dtype != np.float32:
        node.fail("%s of type %s" % (what, s.dtype))
    if (s <= 0).any() or not np.isfinite(s).all():
        node.fail("non-positive or non-finite %s" % what)
    return np.vectorize(_frac, otypes=[object])(s)


def _scalar(node, v, what):
    if v.size != 1:
        node.fail("%s must be a scalar (shape %s)" % (what, v.shape))
    return v.reshape(())


def op_qlinearconv(node):
    node.n_inputs(8, 9)
    x, xs, xz, w, ws, wz, ys, yz = [node.input(i) for i in range(8)]
    b = node.input(8, False)
    if xz.dtype != x.dtype or wz.dtype != w.dtype:
        node.fail("zero point types differ from their inputs'")
    if yz.dtype.type not in (np.int8, np.uint8):
        node.fail("output zero point of type %s" % yz.dtype)
    acc = _conv_int(node, x, xz.astype(np.int64), w, wz.astype(np.int64))
    m = w.shape[0]
    if b is not None:
        if b.dtype != np.int32 or b.shape != (m,):
            node.fail("bias must be int32 [%d]" % m)
        acc = acc + b.astype(np.int64).reshape((1, m) + (1,) * (acc.ndim - 2))
    _int_out(node, acc, np.int32)  # the int32 accumulator must not overflow
    if ws.size != 1 and ws.shape != (m,):
        node.fail("w_scale of shape %s" % (ws.shape,))
    mult = _scale_fracs(node, _scalar(node, xs, "x_scale"), "x_scale") * \
        _scale_fracs(node, ws.reshape(()) if ws.size == 1 else ws, "w_scale") / \
        _scale_fracs(node, _scalar(node, ys, "y_scale"), "y_scale")
    if np.ndim(mult):
        mult = mult.reshape((1, m) + (1,) * (acc.ndim - 2))
    return _requantize(node, acc, mult, int(_scalar(node, yz, "y_zero_point")), yz.dtype.type)


def op_qlinearmatmul(node):
    node.n_inputs(8, 8)
    a, as_, az, b, bs, bz, ys, yz = [node.input(i) for i in range(8)]
    if az.dtype != a.dtype or bz.dtype != b.dtype:
        node.fail("zero point types differ from their inputs'")
    if yz.dtype.type not in (np.int8, np.uint8):
        node.fail("output zero point of type %s" % yz.dtype)
    if as_.shape != az.shape or bs.shape != bz.shape:
        node.fail("scale / zero point shapes differ")
    acc = _matmul_int(node, a, az.astype(np.int64), b, bz.astype(np.int64))
    _int_out(node, acc, np.int32)
    sa = _scale_fracs(node, as_, "a_scale")
    sb = _scale_fracs(node, bs, "b_scale")
    if sa.size > 1:
        sa = sa.reshape(-1, 1) if sa.ndim == 1 else sa
    else:
        sa = sa.reshape(())
    sb = sb.reshape(()) if sb.size == 1 else sb
    mult = sa * sb / _scale_fracs(node, _scalar(node, ys, "y_scale"), "y_scale")
    return _requantize(node, acc, mult, int(_scalar(node, yz, "y_zero_point")), yz.dtype.type)


def op_matmulnbits(node):
    node.n_inputs(3, 6)
    a, bq, scales = node.input(0), node.input(1), node.input(2)
    zp = node.input(3, False)
    if node.input(4, False) is not None:
        node.fail("g_idx not implemented")
    bias = node.input(5, False)
    K, N = node.attr("K"), node.attr("N")
    bits, bs = node.attr("bits", 4), node.attr("block_size")
    node.attr("accuracy_level", 0)  # kernel choice in ORT; no effect on the semantics
    if K is None or N is None or bs is None:
        node.fail("K, N and block_size are required")
    if bits not in (2, 4, 8):
        node.fail("bits=%d not implemented" % bits)
    if bs < 16 or bs & (bs - 1):
        node.fail("block_size %d is not a power of 2 >= 16" % bs)
    if not _is_float(a) or a.shape[-1] != K:
        node.fail("A of type %s and shape %s for K=%d" % (a.dtype, a.shape, K))
    nb = (K + bs - 1) // bs
    blob = bs * bits // 8
    if bq.dtype != np.uint8 or bq.shape != (N, nb, blob):
        node.fail("B of type %s shape %s, expected uint8 %s" % (bq.dtype, bq.shape, (N, nb, blob)))
    if scales.dtype != a.dtype or scales.size != N * nb:
        node.fail("scales of type %s and %d elements (expects %d)" %
                  (scales.dtype, scales.size, N * nb))
    per = 8 // bits
    mask = (1 << bits) - 1
    codes = np.stack([(bq >> (bits * i)) & mask for i in range(per)], axis=-1)
    codes = codes.reshape(N, nb * bs).astype(np.int64)  # low bits first along K
    if zp is None:
        z = np.full((N, nb), 1 << (bits - 1), np.float64)
    elif zp.dtype == np.uint8:
        zbytes = (nb * bits + 7) // 8
        if zp.size != N * zbytes:
            node.fail("packed zero points: %d bytes (expects %d)" % (zp.size, N * zbytes))
        zb = zp.reshape(N, zbytes)
        z = np.stack([(zb >> (bits * i)) & mask for i in range(per)], axis=-1)
        z = z.reshape(N, zbytes * per)[:, :nb].astype(np.float64)
    elif zp.dtype == scales.dtype and zp.size == N * nb:
        z = zp.reshape(N, nb).astype(np.float64)
    else:
        node.fail("zero points of type %s and %d elements" % (zp.dtype, zp.size))
    s = scales.reshape(N, nb)
    zk = np.repeat(z, bs, axis=1)
    sk = np.repeat(s, bs, axis=1)
    # (code - zero point) is exact in float32; the product rounds to float32.
    w = ((codes - zk).astype(np.float32) * sk).astype(a.dtype)[:, :K]
    y = np.matmul(_f64(a), _f64(w).T)
    if bias is not None:
        if bias.shape != (N,) or bias.dtype != a.dtype:
            node.fail("bias must be [%d] of A's type" % N)
        y = y + _f64(bias)
    return _float_out(node, y, a)


def op_constant(node):
    node.n_inputs(0, 0)
    given = [k for k in node.attrs]
    if len(given) != 1:
        node.fail("expects exactly one value attribute, got %s" % given)
    k = given[0]
    v = node.attr(k)
    if k == "value":
        return numpy_helper.to_array(v)
    if k == "value_float":
        return np.array(v, np.float32)
    if k == "value_floats":
        return np.array(v, np.float32)
    if k == "value_int":
        return np.array(v, np.int64)
    if k == "value_ints":
        return np.array(v, np.int64)
    node.fail("attribute %s not implemented" % k)


OPS = {
    ("", "Add"): _binary(np.add, np.add),
    ("", "Sub"): _binary(np.subtract, np.subtract),
    ("", "Mul"): _binary(np.multiply, np.multiply),
    ("", "Div"): _binary(np.divide),
    ("", "Relu"): op_relu,
    ("", "Abs"): op_abs,
    ("", "Neg"): _unary_float(np.negative),
    ("", "Sqrt"): _unary_float(np.sqrt),
    ("", "Exp"): _unary_float(np.exp),
    ("", "Tanh"): _unary_float(np.tanh),
    ("", "Erf"): _unary_float(_erf),
    ("", "Round"): op_round,
    ("", "Clip"): op_clip,
    ("", "Cast"): op_cast,
    ("", "Identity"): op_identity,
    ("", "Equal"): op_equal,
    ("", "Where"): op_where,
    ("", "Softmax"): op_softmax,
    ("", "Reshape"): op_reshape,
    ("", "Transpose"): op_transpose,
    ("", "Flatten"): op_flatten,
    ("", "Unsqueeze"): op_unsqueeze,
    ("", "Squeeze"): op_squeeze,
    ("", "Concat"): op_concat,
    ("", "Shape"): op_shape,
    ("", "Gather"): op_gather,
    ("", "ReduceMean"): _reduce(np.mean, 18),
    ("", "ReduceMax"): _reduce(np.max, 18),
    ("", "ReduceMin"): _reduce(np.min, 18),
    ("", "ReduceSum"): _reduce(np.sum, 13),
    ("", "MatMul"): op_matmul,
    ("", "Gemm"): op_gemm,
    ("", "Conv"): op_conv,
    ("", "MaxPool"): op_maxpool,
    ("", "QuantizeLinear"): op_quantizelinear,
    ("", "DequantizeLinear"): op_dequantizelinear,
    ("", "MatMulInteger"): op_matmulinteger,
    ("", "ConvInteger"): op_convinteger,
    ("", "QLinearConv"): op_qlinearconv,
    ("", "QLinearMatMul"): op_qlinearmatmul,
    ("", "Constant"): op_constant,
    ("com.microsoft", "MatMulNBits"): op_matmulnbits,
}


def run(model, inputs, outputs=None):
    """Evaluate `model` (a path or ModelProto) on `inputs` ({name: array});
    returns {name: array} for the graph outputs (or the value names in
    `outputs`)."""
    if not isinstance(model, onnx.ModelProto):
        model = onnx.load(model)
    opsets = {}
    for o in model.opset_import:
        opsets["" if o.domain == "ai.onnx" else o.domain] = o.version
    g = model.graph
    values = {}
    for t in g.initializer:
        if t.data_location == TensorProto.EXTERNAL:
            raise Unsupported("onnx_ref: external initializer data (%s)" % t.name)
        values[t.name] = numpy_helper.to_array(t)
    if g.sparse_initializer:
        raise Unsupported("onnx_ref: sparse initializers")
    for vi in g.input:
        if vi.name in values and vi.name not in inputs:
            continue
        if vi.name not in inputs:
            raise Unsupported("onnx_ref: no value for graph input '%s'" % vi.name)
        tt = vi.type.tensor_type
        arr = np.asarray(inputs[vi.name])
        if tt.elem_type not in DTYPES or arr.dtype != DTYPES[tt.elem_type]:
            raise Unsupported("onnx_ref: input '%s' of type %s, the graph declares %s" %
                              (vi.name, arr.dtype, TensorProto.DataType.Name(tt.elem_type)))
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
        if len(dims) != arr.ndim or any(d is not None and d != s for d, s in zip(dims, arr.shape)):
            raise Unsupported("onnx_ref: input '%s' of shape %s, the graph declares %s" %
                              (vi.name, arr.shape, dims))
        values[vi.name] = arr
    for proto in g.node:
        key = (proto.domain if proto.domain != "ai.onnx" else "", proto.op_type)
        if key not in OPS:
            raise Unsupported("onnx_ref: op %s%s (node '%s') not implemented" %
                              (proto.domain + "." if proto.domain else "", proto.op_type,
                               proto.name))
        if key[0] not in opsets:
            raise Unsupported("onnx_ref: node '%s' in domain '%s' without an opset import" %
                              (proto.name, key[0]))
        missing = [n for n in proto.input if n and n not in values]
        if missing:
            raise Unsupported("onnx_ref: node '%s' reads %s before it is computed (graph not "
                              "topologically sorted?)" % (proto.name, missing))
        node = Node(proto, values, opsets[key[0]])
        out = OPS[key](node)
        node.finish()
        outs = [o for o in proto.output if o]
        if len(outs) != 1:
            node.fail("%d outputs (only single-output nodes are implemented)" % len(outs))
        values[outs[0]] = np.asarray(out)
    names = outputs or [o.name for o in g.output]
    return {n: values[n] for n in names}


def main(argv):
    import argparse
    import os
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("--input", action="append", default=[], help="NAME=FILE.npy")
    p.add_argument("--output-dir")
    a = p.parse_args(argv)
    ins = {}
    for spec in a.input:
        name, f = spec.split("=", 1)
        ins[name] = np.load(f)
    outs = run(a.model, ins)
    for name, v in outs.items():
        if a.output_dir:
            os.makedirs(a.output_dir, exist_ok=True)
            np.save(os.path.join(a.output_dir, name + ".npy"), v)
        print("%s: %s %s" % (name, v.dtype, list(v.shape)))


if __name__ == "__main__":
    main(sys.argv[1:])
