"""qcc: compile ONNX models to native shared libraries and run them.

    import qcc
    qcc.compile("model.onnx", "model.so", opt_level=2,
                input_shapes={"x": (1, 3, 224, 224)})
    qcc.compile("model.onnx", "model.w8a8.so", quant="w8a8",
                calib=[{"x": sample} for sample in samples])   # numpy arrays
    qcc.compile("model.onnx", "model.w4.so", quant="w4", group_size=32)
    m = qcc.load("model.so")
    print(m.inputs, m.outputs)
    outs = m(x=np.zeros((1, 3, 224, 224), np.float32))   # dict name -> array

`load` talks to the compiled model through its C ABI
(include/qcc/Runtime/qcc_runtime.h, ABI_VERSION) with ctypes; `compile`
runs the `qcc` driver ($QCC_BIN, the checkout's build/bin/qcc, or PATH),
one keyword per driver flag. Only numpy is required; `pip install ./python`
installs it.

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
import tempfile
import threading
import zipfile
from collections.abc import Mapping
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

__version__ = "0.1.0"
__all__ = ["compile", "load", "Model", "TensorInfo", "CompileError",
           "RunError", "ABI_VERSION", "__version__"]


# The C ABI version this package implements: QCC_ABI_VERSION of
# include/qcc/Runtime/qcc_runtime.h (3: qcc_check_cpu, qcc_target,
# qcc_cpu_features, QCC_ERR_CPU). A model of any other version is refused.
# test/e2e/python-package.test fails when the two differ.
ABI_VERSION = 4

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
    """The qcc driver: `explicit`, $QCC_BIN, <checkout>/build/bin/qcc (when
    this package is python/qcc of a source checkout), PATH."""
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
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.isfile(os.path.join(here, "..", "pyproject.toml")):
        in_tree = os.path.join(here, "..", "..", "build", "bin", "qcc")
        if usable(in_tree):
            return os.path.abspath(in_tree)
    on_path = shutil.which("qcc")
    if on_path:
        return on_path
    raise CompileError("qcc driver not found: build it (build/bin/qcc), put it "
                       "on PATH, or set QCC_BIN")


_QUANT_MODES = ("w8", "w4", "w3", "w2", "w8-dynamic", "w8a8")
_WEIGHT_ONLY = ("w8", "w4", "w3", "w2")
_CALIB_METHODS = ("minmax", "percentile", "entropy", "mse")
_EMIT_KINDS = ("mlir", "onnx", "linalg", "llvm-dialect", "llvm", "obj", "so")
_BUDGET_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(GB|MB|KB|B)?\s*$", re.I)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_))


def _path(what: str, v) -> str:
    if not isinstance(v, (str, bytes, os.PathLike)):
        raise TypeError("%s must be a path (str or os.PathLike), got %s"
                        % (what, type(v).__name__))
    p = os.fsdecode(os.fspath(v))
    if not p:
        raise ValueError("%s is an empty path" % what)
    return p


def _text(what: str, v) -> str:
    if not isinstance(v, str):
        raise TypeError("%s must be a str, got %s" % (what, type(v).__name__))
    if not v.strip():
        raise ValueError("%s is empty" % what)
    return v


def _shape_arg(name: str, shape) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError("input_shapes: keys must be input names (non-empty str), "
                        "got %r" % (name,))
    if _is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError("input_shapes[%r] must be a tuple of dimension sizes, got %s"
                        % (name, type(shape).__name__))
    dims = []
    for d in shape:
        if not _is_int(d):
            raise TypeError("input_shapes[%r]: %r is not a dimension size (an int)"
                            % (name, d))
        if d < 0:
            raise ValueError("input_shapes[%r]: %r is not a dimension size (>= 0)"
                             % (name, d))
        dims.append(str(int(d)))
    return "%s=%s" % (name, "x".join(dims) if dims else "scalar")


def _budget_arg(v) -> str:
    """--size-budget: bytes (int or '5MB'/'800KB'/'123456B') or a fraction of
    the float weights (a float or str in (0, 1])."""
    if _is_int(v):
        if v <= 0:
            raise ValueError("size_budget must be positive, got %r" % (v,))
        return "%dB" % int(v)
    if isinstance(v, (float, np.floating)):
        if not 0 < v <= 1:
            raise ValueError("size_budget %r: a float is a fraction of the float "
                             "weights, in (0, 1]; give bytes as an int or a str "
                             "such as '5MB'" % (v,))
        return repr(float(v))
    if isinstance(v, str):
        m = _BUDGET_RE.match(v)
        if not m or float(m.group(1)) <= 0 or (not m.group(2) and float(m.group(1)) > 1):
            raise ValueError("size_budget %r: use bytes (123456, '123456B', '800KB', "
                             "'5MB', '1GB') or a fraction of the float weights in "
                             "(0, 1] (0.3)" % (v,))
        return v.strip()
    raise TypeError("size_budget must be an int (bytes), a float (fraction) or a "
                    "str ('5MB'), got %s" % type(v).__name__)


def _name_list(what: str, v) -> str:
    """A comma-separated driver list from a str ('a,b') or a sequence of str."""
    items = v.split(",") if isinstance(v, str) else v
    if not isinstance(items, (list, tuple)):
        raise TypeError("%s must be a str or a list of str, got %s"
                        % (what, type(v).__name__))
    out = []
    for s in items:
        if not isinstance(s, str):
            raise TypeError("%s: %r is not a str" % (what, s))
        s = s.strip()
        if not s or (not isinstance(v, str) and "," in s):
            raise ValueError("%s: %r is not a name" % (what, s))
        out.append(s)
    if not out:
        raise ValueError("%s is empty" % what)
    return ",".join(out)


def _calib_npz(samples, directory: str) -> str:
    """Writes calibration samples [{input name: array}, ...] as the .npz the
    driver reads (each input's samples stacked on a leading axis, stored
    members: what np.savez writes) in `directory`; returns its path."""
    if len(samples) == 0:
        raise ValueError("calib: the list of samples is empty")
    names = None
    stacked = {}
    for i, sample in enumerate(samples):
        if not isinstance(sample, Mapping):
            raise TypeError("calib[%d] must be a dict {input name: numpy array}, "
                            "got %s" % (i, type(sample).__name__))
        if not sample:
            raise ValueError("calib[%d] is an empty dict" % i)
        for k in sample:
            if not isinstance(k, str) or not k:
                raise TypeError("calib[%d]: key %r is not an input name (str)" % (i, k))
        if names is None:
            names = list(sample)
            stacked = {k: [] for k in names}
        elif set(sample) != set(names):
            raise ValueError("calib[%d] has the inputs %s, calib[0] has %s: every "
                             "sample must give the same inputs"
                             % (i, sorted(sample), sorted(names)))
        for k in names:
            a = np.asarray(sample[k])
            if a.dtype.kind not in "biuf":
                raise TypeError("calib[%d][%r]: dtype %s is not a numeric tensor type"
                                % (i, k, a.dtype))
            if stacked[k]:
                first = stacked[k][0]
                if a.shape != first.shape or a.dtype != first.dtype:
                    raise ValueError("calib[%d][%r] is %s%s, calib[0][%r] is %s%s: "
                                     "every sample of an input must have one shape "
                                     "and dtype" % (i, k, a.dtype, list(a.shape), k,
                                                    first.dtype, list(first.shape)))
            stacked[k].append(a)
    path = os.path.join(directory, "calib.npz")
    # As np.savez writes it (which cannot take an input named 'file').
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for k in names:
            with zf.open(k + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(
                    f, np.ascontiguousarray(np.stack(stacked[k])), allow_pickle=False)
    return path


def _calib_arg(calib, tmp_factory):
    """The --calib value: a directory or .npz path as given, or the samples
    written to a temporary .npz. Returns (value, temporary path or None)."""
    if isinstance(calib, (str, bytes, os.PathLike)):
        p = _path("calib", calib)
        if os.path.isdir(p):
            return p, None
        if not os.path.exists(p):
            raise ValueError("calib: no such file or directory: %r" % p)
        if not p.endswith(".npz"):
            raise ValueError("calib: %r is neither a directory of samples nor a "
                             ".npz file" % p)
        return p, None
    if isinstance(calib, Mapping):
        raise TypeError("calib must be a directory, a .npz path or a list of "
                        "samples [{input name: array}, ...]; got a dict (one sample? "
                        "wrap it in a list)")
    if isinstance(calib, (list, tuple)):
        directory = tmp_factory()
        return _calib_npz(calib, directory), directory
    raise TypeError("calib must be a directory, a .npz path or a list of samples "
                    "[{input name: array}, ...], got %s" % type(calib).__name__)


def _driver_message(stderr: bytes) -> str:
    """The driver's diagnostics without its progress lines ('\\r...ETA')."""
    text = stderr.decode("utf-8", errors="replace")
    lines = [l for l in text.split("\n") if l.strip() and not l.startswith("\r")]
    return "\n".join(lines).strip()


def compile(model_path, output_path, *, quant: Optional[str] = None,
            group_size: Optional[int] = None, asymmetric: bool = False,
            per_tensor: bool = False, bias_correction: bool = True,
            calib=None, calib_method: Optional[str] = None,
            calib_percentile: Optional[float] = None, size_budget=None,
            exclude=None, report=None, mtriple: Optional[str] = None,
            mcpu: Optional[str] = None, mattr=None, linker: Optional[str] = None,
            input_shapes: Optional[Dict[str, Sequence[int]]] = None,
            opt_level: int = 2, ukernels: Optional[bool] = None,
            w4_int8_act: bool = False, emit: str = "so", extra_args: Sequence[str] = (),
            qcc_binary: Optional[str] = None) -> str:
    """Compiles the ONNX model `model_path` into `output_path` with the qcc
    driver. Each keyword is one driver flag (None/default: the flag is not
    given, so the driver's default holds):

      quant="w8"|"w4"|"w3"|"w2"|"w8-dynamic"|"w8a8"  --quant=...
      group_size=N            --group-size=N (weight-only modes; 0: per channel)
      asymmetric=True         --asymmetric (weight-only modes)
      per_tensor=True         --per-tensor (w8a8)
      bias_correction=False   --bias-correction=false (w8a8)
      calib=...               --calib=: a directory of samples, a .npz path, or
                              a list of samples [{input name: numpy array}, ...]
                              (written to a temporary .npz, removed afterwards)
      calib_method="minmax"|"percentile"|"entropy"|"mse"   --calib-method=
      calib_percentile=99.9   --calib-percentile= (with calib_method="percentile")
      size_budget=            --size-budget=: bytes (int, or "5MB"/"800KB"/"123B")
                              or a fraction of the float weights (0.3); needs calib
      exclude="Gemm,fc1"      --exclude= (a str, or a list of node names / op types)
      report="r.json"|"r.html"  --report=
      mtriple=, mcpu=, mattr=   --mtriple=, --mcpu=, --mattr= (mattr: "+avx2,-fma"
                              or ["+avx2", "-fma"])
      linker=                 --linker=
      input_shapes={"x": (1, 3, 224, 224)}   --input-shape x=1x3x224x224 (() scalar)
      opt_level=0..3          -O<n>
      ukernels=False          --ukernels=false (generated loops instead of the
                              runtime's packed multithreaded microkernels)
      w4_int8_act=True        --w4-int8-act (quant="w4" or size_budget: int8
                              activations at run time, integer int4 kernels)
      emit="so"|"obj"|"llvm"|"llvm-dialect"|"linalg"|"mlir"|"onnx"   --emit=
      extra_args=[...]        appended verbatim

    Arguments of the wrong type raise TypeError, wrong values and
    combinations the driver would ignore or refuse raise ValueError, both
    before the driver runs. Returns `output_path`; raises CompileError with
    qcc's diagnostics when the driver fails."""
    model = _path("model_path", model_path)
    out = _path("output_path", output_path)
    if not _is_int(opt_level):
        raise TypeError("opt_level must be an int, got %s" % type(opt_level).__name__)
    if not 0 <= opt_level <= 3:
        raise ValueError("opt_level must be 0, 1, 2 or 3, got %r" % (opt_level,))
    if not isinstance(emit, str):
        raise TypeError("emit must be a str, got %s" % type(emit).__name__)
    if emit not in _EMIT_KINDS:
        raise ValueError("emit must be one of %s, got %r" % (", ".join(_EMIT_KINDS), emit))
    if isinstance(extra_args, (str, bytes)) or not isinstance(extra_args, (list, tuple)):
        raise TypeError("extra_args must be a list of strings, got %s"
                        % type(extra_args).__name__)
    for a in extra_args:
        if not isinstance(a, (str, os.PathLike)):
            raise TypeError("extra_args: %r is not a str" % (a,))
    if input_shapes is not None and not isinstance(input_shapes, Mapping):
        raise TypeError("input_shapes must be a dict {input name: shape}, got %s"
                        % type(input_shapes).__name__)

    if quant is not None and not isinstance(quant, str):
        raise TypeError("quant must be None or a str, got %s" % type(quant).__name__)
    if quant == "none":
        quant = None
    if quant is not None and quant not in _QUANT_MODES:
        raise ValueError("quant must be None or one of %s, got %r"
                         % (", ".join(_QUANT_MODES), quant))
    for name, v in (("asymmetric", asymmetric), ("per_tensor", per_tensor),
                    ("bias_correction", bias_correction), ("w4_int8_act", w4_int8_act)):
        if not _is_bool(v):
            raise TypeError("%s must be a bool, got %s" % (name, type(v).__name__))
    # Mixed precision (size_budget) chooses weight-only bits per layer.
    weight_only = quant in _WEIGHT_ONLY or (quant is None and size_budget is not None)
    if group_size is not None:
        if not _is_int(group_size):
            raise TypeError("group_size must be an int, got %s" % type(group_size).__name__)
        if group_size < 0:
            raise ValueError("group_size must be >= 0 (0: one scale per output "
                             "channel), got %r" % (group_size,))
        if not weight_only:
            raise ValueError("group_size applies to the weight-only modes (quant="
                             "'w8', 'w4', 'w3', 'w2') and size_budget, not quant=%r"
                             % (quant,))
    if asymmetric and not weight_only:
        raise ValueError("asymmetric applies to the weight-only modes (quant='w8', "
                         "'w4', 'w3', 'w2') and size_budget, not quant=%r" % (quant,))
    if w4_int8_act and not (quant == "w4" or (quant is None and size_budget is not None)):
        raise ValueError("w4_int8_act applies to quant='w4' and size_budget, not "
                         "quant=%r" % (quant,))
    if w4_int8_act and ukernels is False:
        raise ValueError("w4_int8_act needs the microkernels (not ukernels=False)")
    if per_tensor and quant != "w8a8":
        raise ValueError("per_tensor applies to quant='w8a8', not quant=%r" % (quant,))
    if not bias_correction and quant != "w8a8":
        raise ValueError("bias_correction=False applies to quant='w8a8', not "
                         "quant=%r" % (quant,))
    if calib_method is not None:
        if not isinstance(calib_method, str):
            raise TypeError("calib_method must be a str, got %s"
                            % type(calib_method).__name__)
        if calib_method not in _CALIB_METHODS:
            raise ValueError("calib_method must be one of %s, got %r"
                             % (", ".join(_CALIB_METHODS), calib_method))
        if calib is None:
            raise ValueError("calib_method needs calibration data (calib=)")
    if calib_percentile is not None:
        if _is_bool(calib_percentile) or not isinstance(
                calib_percentile, (int, float, np.integer, np.floating)):
            raise TypeError("calib_percentile must be a number, got %s"
                            % type(calib_percentile).__name__)
        if not 0 < calib_percentile <= 100:
            raise ValueError("calib_percentile must be in (0, 100], got %r"
                             % (calib_percentile,))
        if calib_method != "percentile":
            raise ValueError("calib_percentile needs calib_method='percentile'")
    if quant == "w8a8" and calib is None:
        raise ValueError("quant='w8a8' needs calibration data (calib=)")
    budget = None
    if size_budget is not None:
        budget = _budget_arg(size_budget)
        if quant in ("w8a8", "w8-dynamic"):
            raise ValueError("size_budget chooses weight-only bits per layer; it "
                             "cannot be combined with quant=%r" % quant)
        if calib is None:
            raise ValueError("size_budget needs calibration data (calib=) to measure "
                             "each layer's sensitivity")
    quantized = quant is not None or size_budget is not None
    if report is not None:
        report = _path("report", report)
        if not quantized:
            raise ValueError("report needs a quant mode")
    if emit == "onnx" and not quantized:
        raise ValueError("emit='onnx' writes the quantized model; give a quant mode")
    excl = _name_list("exclude", exclude) if exclude is not None else None
    target = []
    for name, flag, v in (("mtriple", "--mtriple", mtriple), ("mcpu", "--mcpu", mcpu)):
        if v is not None:
            target.append("%s=%s" % (flag, _text(name, v)))
    if mattr is not None:
        attrs = _name_list("mattr", mattr)
        for a in attrs.split(","):
            if a[0] not in "+-":
                raise ValueError("mattr: entries are +feature or -feature, got %r" % a)
        target.append("--mattr=" + attrs)
    if linker is not None:
        target.append("--linker=" + _text("linker", linker))

    cmd = [_find_qcc(qcc_binary), model, "-o", out, "-O%d" % opt_level,
           "--emit=%s" % emit]
    for name, shape in (input_shapes or {}).items():
        cmd += ["--input-shape", _shape_arg(name, shape)]
    if ukernels is not None:
        if not isinstance(ukernels, bool):
            raise TypeError("ukernels must be a bool, got %s" % type(ukernels).__name__)
        cmd.append("--ukernels=%s" % ("true" if ukernels else "false"))
    if quant is not None:
        cmd.append("--quant=" + quant)
    if group_size is not None:
        cmd.append("--group-size=%d" % int(group_size))
    if asymmetric:
        cmd.append("--asymmetric")
    if w4_int8_act:
        cmd.append("--w4-int8-act")
    if per_tensor:
        cmd.append("--per-tensor")
    if not bias_correction:
        cmd.append("--bias-correction=false")
    tmp = None
    try:
        if calib is not None:
            value, tmp = _calib_arg(calib, lambda: tempfile.mkdtemp(prefix="qcc-calib-"))
            cmd.append("--calib=" + value)
        if calib_method is not None:
            cmd.append("--calib-method=" + calib_method)
        if calib_percentile is not None:
            cmd.append("--calib-percentile=%r" % float(calib_percentile))
        if budget is not None:
            cmd.append("--size-budget=" + budget)
        if excl is not None:
            cmd.append("--exclude=" + excl)
        if report is not None:
            cmd.append("--report=" + report)
        cmd += target
        cmd += [os.fspath(a) for a in extra_args]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
        except OSError as e:
            raise CompileError("cannot run %s: %s" % (cmd[0], e)) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if p.returncode != 0:
        msg = _driver_message(p.stderr) or _driver_message(p.stdout)
        if tmp is not None:
            # The temporary file is gone; name what the caller gave.
            msg = msg.replace(os.path.join(tmp, "calib.npz"), "<calib samples>")
        if p.returncode < 0:
            msg = (msg + "\n" if msg else "") + \
                "qcc was killed by signal %d" % -p.returncode
        raise CompileError(msg or "qcc failed with status %d" % p.returncode)
    return os.fspath(output_path)


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

# What was dlopen'ed under each real path: (device, inode, size, mtime).
_loaded: Dict[str, Tuple[int, int, int, int]] = {}
_loaded_lock = threading.Lock()


def _dlopen(path: str) -> ctypes.CDLL:
    """ctypes.CDLL(path), but a file recompiled since this process loaded
    that path is really loaded: the dynamic loader would hand back the old
    library for the same name, so the new file is loaded from a private copy
    (removed again once mapped)."""
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return ctypes.CDLL(real)  # raises the loader's message
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _loaded_lock:
        first = _loaded.get(real)
        if first is None or first == ident:
            lib = ctypes.CDLL(real)
            _loaded.setdefault(real, ident)
            return lib
    tmp = tempfile.mkdtemp(prefix="qcc-load-")
    try:
        copy = os.path.join(tmp, os.path.basename(real))
        shutil.copyfile(real, copy)
        return ctypes.CDLL(copy)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Model:
    """A compiled model loaded from its shared library.

    `inputs` / `outputs` list its TensorInfo; calling it runs the model:
    `m(x=a, y=b)` or `m(a, b)` returns a dict output name -> numpy array
    (fresh arrays on every call)."""

    def __init__(self, path, threads=None):
        path = os.fspath(path)
        self.path = os.path.abspath(path)
        try:
            lib = _dlopen(self.path)
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
        self.target = (lib.qcc_target() or b"").decode()
        self.cpu_features = [f for f in (lib.qcc_cpu_features() or b"").decode().split(",")
                             if f]
        lib.qcc_set_num_threads.restype = ctypes.c_int32
        lib.qcc_set_num_threads.argtypes = [ctypes.c_int32]
        lib.qcc_num_threads.restype = ctypes.c_int32
        lib.qcc_num_threads.argtypes = []
        self._lib = lib
        self._run = lib.qcc_run
        if threads is not None:
            self.set_num_threads(threads)
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

    @property
    def num_threads(self) -> int:
        """Threads the model's kernels use (the calling thread included)."""
        return self._lib.qcc_num_threads()

    def set_num_threads(self, n: int) -> None:
        """Sets the kernels' thread count for this library (0: the default,
        $QCC_NUM_THREADS or the CPUs this process may use)."""
        if not _is_int(n) or n < 0:
            raise ValueError("threads must be an int >= 0, got %r" % (n,))
        if self._lib.qcc_set_num_threads(n) != 0:
            raise ValueError("threads must be at most 256, got %r" % (n,))

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


def load(path, threads=None) -> Model:
    """Loads a model compiled by qcc (`qcc model.onnx -o model.so`).
    `threads`: the kernels' thread count (default: $QCC_NUM_THREADS, else
    the CPUs this process may use); one pool per loaded library."""
    return Model(path, threads=threads)
