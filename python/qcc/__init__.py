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

Inputs must have the model's dtype exactly: nothing is cast silently. numpy
has no bfloat16, so bfloat16 tensors are exchanged as their uint16 bit
patterns (TensorInfo.dtype is uint16 for them).

A Model holds no mutable state: several threads may call it at once.
"""
import ctypes
import os
import re
import shutil
import subprocess
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

__version__ = "0.1.0"
__all__ = ["compile", "load", "Model", "TensorInfo", "CompileError",
           "RunError", "ABI_VERSION", "__version__"]


def _header_abi_version(default: int) -> int:
    """QCC_ABI_VERSION from qcc_runtime.h when the source tree is beside
    the package (python/qcc/../../include), else `default`."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                          "include", "qcc", "Runtime", "qcc_runtime.h")
    try:
        with open(header) as f:
            m = re.search(r"#define\s+QCC_ABI_VERSION\s+(\d+)", f.read())
    except OSError:
        return default
    return int(m.group(1)) if m else default


# The ABI version this package speaks: QCC_ABI_VERSION of qcc_runtime.h.
ABI_VERSION = _header_abi_version(3)

_BF16 = 16
# qcc_dtype codes (ONNX TensorProto data types) <-> numpy dtypes.
_DTYPES = {
    1: np.dtype(np.float32), 2: np.dtype(np.uint8), 3: np.dtype(np.int8),
    4: np.dtype(np.uint16), 5: np.dtype(np.int16), 6: np.dtype(np.int32),
    7: np.dtype(np.int64), 9: np.dtype(np.bool_), 10: np.dtype(np.float16),
    11: np.dtype(np.float64), 12: np.dtype(np.uint32), 13: np.dtype(np.uint64),
    _BF16: np.dtype(np.uint16),  # bit patterns; numpy has no bfloat16
}


class CompileError(RuntimeError):
    """The qcc driver rejected the model; the message is its diagnostics."""


class RunError(RuntimeError):
    """A compiled model could not be loaded, refused its inputs or failed."""


class TensorInfo(NamedTuple):
    """One input or output of a compiled model."""
    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]  # -1 marks a dynamic dimension


class _TensorInfoC(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


class _TensorC(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("shape", ctypes.POINTER(ctypes.c_int64))]


# ---------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------

def _find_qcc(explicit: Optional[str]) -> str:
    """The qcc driver: `explicit`, $QCC_BIN, <repo>/build/bin/qcc, PATH."""
    def usable(p):
        return p and os.path.isfile(p) and os.access(p, os.X_OK)

    if explicit is not None:
        explicit = os.fspath(explicit)
        if not usable(explicit):
            raise CompileError("qcc driver %r is not an executable file" % explicit)
        return os.path.abspath(explicit)
    env = os.environ.get("QCC_BIN")
    if env:
        if not usable(env):
            raise CompileError("QCC_BIN=%r is not an executable file" % env)
        return os.path.abspath(env)
    in_tree = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "..", "build", "bin", "qcc")
    if usable(in_tree):
        return os.path.abspath(in_tree)
    on_path = shutil.which("qcc")
    if on_path:
        return on_path
    raise CompileError("qcc driver not found: build it (build/bin/qcc), put it "
                       "on PATH, or set QCC_BIN")


def _shape_arg(name: str, shape) -> str:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    dims = []
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0:
            raise CompileError("input_shapes[%r]: %r is not a dimension size"
                               % (name, d))
        dims.append(str(int(d)))
    return "%s=%s" % (name, "x".join(dims) if dims else "scalar")


def compile(model_path, output_path, *, opt_level: int = 2, emit: str = "so",
            input_shapes: Optional[Dict[str, Sequence[int]]] = None,
            extra_args: Sequence[str] = (),
            qcc_binary: Optional[str] = None) -> str:
    """Compiles the ONNX model `model_path` into `output_path` with the qcc
    driver:

        qcc MODEL -o OUT -O<opt_level> --emit=<emit> [--input-shape N=AxB]...

    `input_shapes` maps input names to static shapes (tuples; () for a
    scalar). Returns `output_path`; raises CompileError with qcc's
    diagnostics when it fails."""
    if isinstance(opt_level, bool) or not isinstance(opt_level, int) \
            or not 0 <= opt_level <= 3:
        raise CompileError("opt_level must be 0, 1, 2 or 3, got %r" % (opt_level,))
    if isinstance(extra_args, str):
        raise CompileError("extra_args must be a sequence of strings, not a string")
    cmd = [_find_qcc(qcc_binary), os.fspath(model_path), "-o",
           os.fspath(output_path), "-O%d" % opt_level, "--emit=%s" % emit]
    for name, shape in (input_shapes or {}).items():
        cmd += ["--input-shape", _shape_arg(name, shape)]
    cmd += [os.fspath(a) for a in extra_args]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, text=True, errors="replace")
    except OSError as e:
        raise CompileError("cannot run %s: %s" % (cmd[0], e)) from None
    if p.returncode != 0:
        msg = p.stderr.strip() or p.stdout.strip()
        if p.returncode < 0:
            msg = (msg + "\n" if msg else "") + \
                "qcc was killed by signal %d" % -p.returncode
        raise CompileError(msg or "qcc failed with status %d" % p.returncode)
    return os.fspath(output_path)


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

class Model:
    """A compiled model loaded from its shared library.

    `inputs` / `outputs` list its TensorInfo; calling it runs the model:
    `m(x=a, y=b)` or `m(a, b)` returns a dict output name -> numpy array
    (fresh arrays on every call)."""

    def __init__(self, path):
        path = os.fspath(path)
        self.path = os.path.abspath(path)
        try:
            lib = ctypes.CDLL(self.path)
        except OSError as e:
            raise RunError("cannot load %s: %s" % (path, e)) from None
        try:
            lib.qcc_abi_version.restype = ctypes.c_uint32
            lib.qcc_abi_version.argtypes = []
            lib.qcc_num_inputs.restype = ctypes.c_int64
            lib.qcc_num_inputs.argtypes = []
            lib.qcc_num_outputs.restype = ctypes.c_int64
            lib.qcc_num_outputs.argtypes = []
            for fn in (lib.qcc_input_info, lib.qcc_output_info):
                fn.restype = ctypes.POINTER(_TensorInfoC)
                fn.argtypes = [ctypes.c_int64]
            lib.qcc_run.restype = ctypes.c_int32
            lib.qcc_run.argtypes = [ctypes.POINTER(_TensorC), ctypes.c_int64,
                                    ctypes.POINTER(_TensorC), ctypes.c_int64,
                                    ctypes.c_char_p, ctypes.c_size_t]
            lib.qcc_output_shape.restype = ctypes.c_int32
            lib.qcc_output_shape.argtypes = [
                ctypes.POINTER(_TensorC), ctypes.c_int64, ctypes.c_int64,
                ctypes.POINTER(ctypes.c_int64), ctypes.c_char_p, ctypes.c_size_t]
        except AttributeError as e:
            raise RunError("%s is not a model compiled by qcc: %s" % (path, e)) from None
        version = lib.qcc_abi_version()
        if version != ABI_VERSION:
            raise RunError("%s has ABI version %d, this package expects %d"
                           % (path, version, ABI_VERSION))
        # Before anything runs: a model compiled for CPU features this
        # machine lacks names them instead of dying of SIGILL.
        lib.qcc_check_cpu.restype = ctypes.c_int32
        lib.qcc_check_cpu.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        for fn in (lib.qcc_target, lib.qcc_cpu_features):
            fn.restype = ctypes.c_char_p
            fn.argtypes = []
        err = ctypes.create_string_buffer(512)
        if lib.qcc_check_cpu(err, len(err)) != 0:
            raise RunError("%s: %s" % (path, err.value.decode(errors="replace")))
        #: what the model was compiled for: "triple cpu", and the CPU
        #: features its code may use (LLVM names)
        self.target = lib.qcc_target().decode()
        self.cpu_features = [f for f in lib.qcc_cpu_features().decode().split(",") if f]
        self._lib = lib
        self._run = lib.qcc_run
        ins = [self._info(lib.qcc_input_info(i), "input", i)
               for i in range(lib.qcc_num_inputs())]
        outs = [self._info(lib.qcc_output_info(i), "output", i)
                for i in range(lib.qcc_num_outputs())]
        # Immutable after construction, so calls need no lock.
        self.inputs = [info for info, _ in ins]
        self.outputs = [info for info, _ in outs]
        self._in_codes = tuple(code for _, code in ins)
        self._out_codes = tuple(code for _, code in outs)
        self._in_index = {info.name: i for i, info in enumerate(self.inputs)}
        self._out_shapes = []
        for info in self.outputs:
            if any(d < 0 for d in info.shape):
                # Allocation needs the shape; refuse at call time only.
                self._out_shapes.append(None)
            else:
                self._out_shapes.append(info.shape)

    def _info(self, p, kind, index):
        if not p:
            raise RunError("%s: %s #%d has no signature" % (self.path, kind, index))
        info = p.contents
        name = info.name.decode("utf-8", errors="replace") if info.name else ""
        dtype = _DTYPES.get(info.dtype)
        if dtype is None:
            raise RunError("%s '%s' has dtype code %d that numpy cannot hold"
                           % (kind, name, info.dtype))
        if info.rank < 0 or (info.rank > 0 and not info.shape):
            raise RunError("%s '%s' has a malformed signature" % (kind, name))
        shape = tuple(int(info.shape[i]) for i in range(info.rank))
        return TensorInfo(name, dtype, tuple(-1 if d < 0 else d for d in shape)), info.dtype

    def __repr__(self):
        def fmt(ts):
            return ", ".join("%s: %s%s" % (t.name, t.dtype, list(t.shape)) for t in ts)
        return "<qcc.Model %s (%s) -> (%s)>" % (os.path.basename(self.path),
                                                 fmt(self.inputs), fmt(self.outputs))

    def _gather(self, args, kwargs):
        """The input values in signature order."""
        if len(args) > len(self.inputs):
            raise RunError("%d inputs given, the model has %d"
                           % (len(args), len(self.inputs)))
        values = [None] * len(self.inputs)
        given = [False] * len(self.inputs)
        for i, a in enumerate(args):
            values[i], given[i] = a, True
        for name, a in kwargs.items():
            i = self._in_index.get(name)
            if i is None:
                raise RunError("the model has no input named %r (inputs: %s)"
                               % (name, ", ".join(repr(t.name) for t in self.inputs)))
            if given[i]:
                raise RunError("input %r given twice" % name)
            values[i], given[i] = a, True
        for i, info in enumerate(self.inputs):
            if not given[i] or values[i] is None:
                raise RunError("no value given for input %r" % info.name)
        return values

    def __call__(self, *args, **kwargs) -> Dict[str, np.ndarray]:
        """Runs the model; inputs by position and/or by name. Arrays must
        have the model's dtype exactly (no silent casts); shapes are checked
        by the model itself. Returns a dict output name -> new array."""
        values = self._gather(args, kwargs)
        arrays, keep = [], []
        for info, v in zip(self.inputs, values):
            a = v if isinstance(v, np.ndarray) else np.asarray(v)
            if a.dtype != info.dtype:
                raise RunError("input %r: expected dtype %s, got %s"
                               % (info.name, info.dtype, a.dtype))
            # Dense, C order, aligned, native byte order (dtype equality
            # above already rules out a swapped byte order).
            arrays.append(np.require(a, requirements=["C_CONTIGUOUS", "ALIGNED"]))
        in_c = (_TensorC * max(1, len(arrays)))()
        for i, a in enumerate(arrays):
            shape = (ctypes.c_int64 * max(1, a.ndim))(*a.shape)
            keep.append(shape)
            in_c[i] = _TensorC(a.ctypes.data, self._in_codes[i], a.ndim, shape)
        outs = []
        for i, (info, shape) in enumerate(zip(self.outputs, self._out_shapes)):
            if shape is None:
                # Dynamic dimensions: the model computes them from the
                # inputs' shapes (and reports inconsistent inputs).
                dims = (ctypes.c_int64 * max(1, len(info.shape)))()
                err = ctypes.create_string_buffer(1024)
                rc = self._lib.qcc_output_shape(in_c, len(arrays), i, dims, err,
                                                len(err))
                if rc != 0:
                    raise RunError(err.value.decode("utf-8", errors="replace")
                                   or "qcc_output_shape failed with status %d" % rc)
                shape = tuple(dims[d] for d in range(len(info.shape)))
            outs.append(np.empty(shape, info.dtype))
        out_c = (_TensorC * max(1, len(outs)))()
        for i, o in enumerate(outs):
            shape = (ctypes.c_int64 * max(1, o.ndim))(*o.shape)
            keep.append(shape)
            out_c[i] = _TensorC(o.ctypes.data, self._out_codes[i], o.ndim, shape)
        err = ctypes.create_string_buffer(1024)
        rc = self._run(in_c, len(arrays), out_c, len(outs), err, len(err))
        if rc != 0:
            raise RunError(err.value.decode("utf-8", errors="replace")
                           or "qcc_run failed with status %d" % rc)
        return {info.name: o for info, o in zip(self.outputs, outs)}

    def run(self, inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        """Same as `self(**inputs)`, for names that are not identifiers."""
        return self(**inputs)


def load(path) -> Model:
    """Loads a model compiled by qcc (`qcc model.onnx -o model.so`)."""
    return Model(path)
