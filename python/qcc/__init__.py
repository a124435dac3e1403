"""qcc: compile ONNX models to native shared libraries and run them.

    import qcc
    qcc.compile("model.onnx", "model.so", opt_level=2,
                input_shapes={"x": (1, 3, 224, 224)})
    m = qcc.load("model.so")
    print(m.inputs, m.outputs)
    outs = m(x=np.zeros((1, 3, 224, 224), np.float32))   # dict name -> array

`load` talks to the compiled model through its C ABI
(include/qcc/Runtime/qcc_runtime.h) with ctypes; `compile` runs the `qcc`
driver. Only numpy is required.
"""
import ctypes
import os
import shutil
import subprocess
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

__version__ = "0.1.0"
__all__ = ["compile", "load", "Model", "TensorInfo", "CompileError",
           "RunError", "ABI_VERSION"]

ABI_VERSION = 1

# qcc_dtype codes (ONNX TensorProto data types) <-> numpy dtypes.
_DTYPES = {
    1: np.dtype(np.float32), 2: np.dtype(np.uint8), 3: np.dtype(np.int8),
    4: np.dtype(np.uint16), 5: np.dtype(np.int16), 6: np.dtype(np.int32),
    7: np.dtype(np.int64), 9: np.dtype(np.bool_), 10: np.dtype(np.float16),
    11: np.dtype(np.float64), 12: np.dtype(np.uint32), 13: np.dtype(np.uint64),
}
_CODES = {v: k for k, v in _DTYPES.items()}


class CompileError(RuntimeError):
    """The qcc driver rejected the model; the message is its diagnostics."""


class RunError(RuntimeError):
    """A compiled model refused its inputs or failed to run."""


class TensorInfo(NamedTuple):
    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]  # -1 marks a dynamic dimension


class _TensorInfoC(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


class _TensorC(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


def _find_qcc(explicit: Optional[str]) -> str:
    candidates = [explicit, os.environ.get("QCC_BIN"),
                  os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "..", "build", "bin", "qcc"),
                  shutil.which("qcc")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise CompileError("qcc driver not found: build it (scripts/setup.sh) or "
                       "set QCC_BIN")


def compile(model_path: str, output_path: str, *, opt_level: int = 2,
            emit: str = "so", input_shapes: Optional[Dict[str, Sequence[int]]] = None,
            extra_args: Sequence[str] = (), qcc_binary: Optional[str] = None) -> str:
    """Compiles `model_path` with the qcc driver; returns `output_path`."""
    cmd = [_find_qcc(qcc_binary), os.fspath(model_path), "-o",
           os.fspath(output_path), "-O%d" % opt_level, "--emit=%s" % emit]
    for name, shape in (input_shapes or {}).items():
        cmd.append("--input-shape=%s=%s" % (name, "x".join(str(int(d)) for d in shape)))
    cmd += list(extra_args)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise CompileError(p.stderr.strip() or "qcc failed with status %d" % p.returncode)
    return os.fspath(output_path)


class Model:
    """A compiled model loaded from its shared library."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        try:
            lib = ctypes.CDLL(self.path)
        except OSError as e:
            raise RunError("cannot load %s: %s" % (path, e)) from None
        try:
            lib.qcc_abi_version.restype = ctypes.c_uint32
            lib.qcc_num_inputs.restype = ctypes.c_int64
            lib.qcc_num_outputs.restype = ctypes.c_int64
            for fn in (lib.qcc_input_info, lib.qcc_output_info):
                fn.restype = ctypes.POINTER(_TensorInfoC)
                fn.argtypes = [ctypes.c_int64]
            lib.qcc_run.restype = ctypes.c_int32
            lib.qcc_run.argtypes = [ctypes.POINTER(_TensorC), ctypes.c_int64,
                                    ctypes.POINTER(_TensorC), ctypes.c_int64,
                                    ctypes.c_char_p, ctypes.c_size_t]
        except AttributeError as e:
            raise RunError("%s is not a qcc model: %s" % (path, e)) from None
        version = lib.qcc_abi_version()
        if version != ABI_VERSION:
            raise RunError("%s has ABI version %d, this package expects %d"
                           % (path, version, ABI_VERSION))
        self._lib = lib
        self.inputs = [self._info(lib.qcc_input_info(i)) for i in range(lib.qcc_num_inputs())]
        self.outputs = [self._info(lib.qcc_output_info(i)) for i in range(lib.qcc_num_outputs())]

    @staticmethod
    def _info(p) -> TensorInfo:
        info = p.contents
        dtype = _DTYPES.get(info.dtype)
        if dtype is None:
            raise RunError("tensor %s has dtype code %d that numpy cannot hold"
                           % (info.name.decode(), info.dtype))
        return TensorInfo(info.name.decode(), dtype,
                          tuple(info.shape[i] for i in range(info.rank)))

    def __repr__(self):
        fmt = lambda ts: ", ".join("%s: %s%s" % (t.name, t.dtype, list(t.shape)) for t in ts)
        return "<qcc.Model %s (%s) -> (%s)>" % (os.path.basename(self.path),
                                                 fmt(self.inputs), fmt(self.outputs))

    def __call__(self, *args, **kwargs) -> Dict[str, np.ndarray]:
        """Runs the model; inputs by position or by name. Arrays must have
        the model's dtype exactly (no silent casts); shapes are checked by
        the model itself."""
        if len(args) > len(self.inputs):
            raise RunError("%d inputs given, the model has %d" % (len(args), len(self.inputs)))
        values = {}
        for info, a in zip(self.inputs, args):
            values[info.name] = a
        for name, a in kwargs.items():
            if name not in {i.name for i in self.inputs}:
                raise RunError("the model has no input named %r" % name)
            if name in values:
                raise RunError("input %r given twice" % name)
            values[name] = a
        arrays, keep = [], []
        for info in self.inputs:
            if info.name not in values:
                raise RunError("no value given for input %r" % info.name)
            a = np.asarray(values[info.name])
            if a.dtype != info.dtype:
                raise RunError("input %r: expected dtype %s, got %s"
                               % (info.name, info.dtype, a.dtype))
            arrays.append(np.ascontiguousarray(a))
        in_c = (_TensorC * max(1, len(arrays)))()
        for i, a in enumerate(arrays):
            shape = (ctypes.c_int64 * max(1, a.ndim))(*a.shape)
            keep.append(shape)
            in_c[i] = _TensorC(a.ctypes.data, _CODES[a.dtype], a.ndim, shape)
        outs = [np.empty(o.shape, o.dtype) for o in self.outputs]
        out_c = (_TensorC * max(1, len(outs)))()
        for i, o in enumerate(outs):
            shape = (ctypes.c_int64 * max(1, o.ndim))(*o.shape)
            keep.append(shape)
            out_c[i] = _TensorC(o.ctypes.data, _CODES[o.dtype], o.ndim, shape)
        err = ctypes.create_string_buffer(1024)
        rc = self._lib.qcc_run(in_c, len(arrays), out_c, len(outs), err, len(err))
        if rc != 0:
            raise RunError(err.value.decode(errors="replace") or "qcc_run failed (%d)" % rc)
        return {info.name: o for info, o in zip(self.outputs, outs)}


def load(path: str) -> Model:
    """Loads a model compiled by qcc (`qcc model.onnx -o model.so`)."""
    return Model(path)
