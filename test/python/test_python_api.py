#!/usr/bin/python3
"""Checks the qcc Python package (python/qcc) on a compiled model.

usage: test_python_api.py MODEL.so MODEL.onnx

MODEL.so may be any model compiled by qcc; inputs are random arrays of the
signature's shapes and dtypes. Run by test/e2e/python-package.test (on the
example MLP); needs the qcc driver (QCC_BIN, the build tree or PATH).

  * the package: exports, ABI_VERSION against include/qcc/Runtime/qcc_runtime.h
  * qcc.compile with stand-in drivers: the exact command line of every
    keyword, calibration arrays as a temporary .npz (stored members,
    removed afterwards), the driver's failure message without its progress
    lines; every wrong type or value raises TypeError / ValueError without
    running the driver; every flag of the real driver's --help has its
    keyword (and no keyword emits a flag the driver lacks)
  * qcc.load / Model: signatures, calls by name / position / dict,
    Fortran-ordered inputs, fresh outputs, the error paths, 4 threads
  * the ABI version check, and qcc.compile with the real driver

Needs only numpy. Prints one line per check; exits non-zero on the first
failure.
"""
import inspect
import os
import re
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import qcc  # noqa: E402

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)
    print("ok: " + what)


def expect_error(exc, fn, needle, what):
    try:
        fn()
    except exc as e:
        if type(e) is not exc and not (exc is qcc.RunError or exc is qcc.CompileError):
            print("FAIL: %s: expected %s, got %s: %s" % (what, exc.__name__,
                                                        type(e).__name__, e))
            sys.exit(1)
        if needle not in str(e):
            print("FAIL: %s: %s message %r lacks %r" % (what, exc.__name__, str(e), needle))
            sys.exit(1)
        print("ok: %s -> %s: %s" % (what, exc.__name__, str(e).splitlines()[0]))
        return
    except Exception as e:  # the wrong exception type
        print("FAIL: %s: expected %s, got %s: %s" % (what, exc.__name__, type(e).__name__, e))
        sys.exit(1)
    print("FAIL: %s: no %s raised" % (what, exc.__name__))
    sys.exit(1)


def random_input(info, rng, dynamic=2):
    shape = tuple(dynamic if d < 0 else d for d in info.shape)
    dt = info.dtype
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dt, np.integer):
        return rng.integers(0, 4, size=shape).astype(dt)
    return rng.standard_normal(shape).astype(dt)


def wrong_dtype(dt):
    return np.dtype(np.float64) if dt != np.float64 else np.dtype(np.float32)


def check_package():
    check(isinstance(qcc.__version__, str) and qcc.__version__, "qcc.__version__ = %s" % qcc.__version__)
    for name in ["compile", "load", "Model", "TensorInfo", "CompileError", "RunError",
                 "ABI_VERSION"]:
        check(hasattr(qcc, name), "qcc exports %s" % name)
    header = os.path.join(REPO, "include", "qcc", "Runtime", "qcc_runtime.h")
    m = re.search(r"#define\s+QCC_ABI_VERSION\s+(\d+)", open(header).read())
    check(m and int(m.group(1)) == qcc.ABI_VERSION,
          "qcc.ABI_VERSION %d matches qcc_runtime.h" % qcc.ABI_VERSION)


# ---------------------------------------------------------------------------
# qcc.compile with stand-in drivers
# ---------------------------------------------------------------------------

# Every option of `qcc --help` (qcc options, qcc target options) -> the
# qcc.compile keyword that gives it; None: deliberately not a keyword.
DRIVER_FLAGS = {
    "-O": "opt_level", "-o": "output_path", "--emit": "emit",
    "--input-shape": "input_shapes", "--quant": "quant", "--group-size": "group_size",
    "--asymmetric": "asymmetric", "--per-tensor": "per_tensor",
    "--bias-correction": "bias_correction", "--calib": "calib",
    "--calib-method": "calib_method", "--calib-percentile": "calib_percentile",
    "--size-budget": "size_budget", "--exclude": "exclude", "--report": "report",
    "--ukernels": "ukernels", "--w4-int8-act": "w4_int8_act",
    "--mtriple": "mtriple", "--mcpu": "mcpu", "--mattr": "mattr", "--linker": "linker",
    "--print-target": None,  # prints and exits: no compilation to wrap
}


class FakeDriver:
    """A stand-in `qcc` that records its arguments (one per line) and keeps
    a copy of a --calib=*.npz it was given, then writes the output file."""

    def __init__(self, tmp):
        self.log = os.path.join(tmp, "args.txt")
        self.seen_calib = os.path.join(tmp, "seen_calib.npz")
        self.path = os.path.join(tmp, "fake-qcc")
        with open(self.path, "w") as f:
            f.write('#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "%s"\n'
                    'for a in "$@"; do case "$a" in --calib=*.npz) '
                    'cp "${a#--calib=}" "%s";; esac; done\n'
                    'touch "$3"\n' % (self.log, self.seen_calib))
        os.chmod(self.path, stat.S_IRWXU)

    def reset(self):
        for p in (self.log, self.seen_calib):
            if os.path.exists(p):
                os.remove(p)

    def args(self):
        with open(self.log) as f:
            return f.read().split("\n")[:-1]


def real_driver_flags():
    """Option names in the real driver's --help: {'-O', '--quant', ...}."""
    p = subprocess.run([qcc._find_qcc(None), "--help"], capture_output=True, text=True)
    flags = set()
    section = None
    for line in p.stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            section = line
            continue
        m = re.match(r"^  (-{1,2}[A-Za-z][\w-]*)", line)
        if m and section in ("qcc options:", "qcc target options:"):
            flags.add(m.group(1))
    return flags


def check_compile_driver(tmp):
    """compile() with stand-in drivers: the command line, and failures."""
    fake = FakeDriver(tmp)
    good = fake.path
    out = qcc.compile("m.onnx", os.path.join(tmp, "m.so"), opt_level=3,
                      input_shapes={"x": (1, 3, 224, 224), "s": ()},
                      extra_args=["--mcpu=x86-64"], qcc_binary=good)
    args = fake.args()
    check(out == os.path.join(tmp, "m.so"), "compile returns the output path")
    check(args == ["m.onnx", "-o", os.path.join(tmp, "m.so"), "-O3", "--emit=so",
                   "--input-shape", "x=1x3x224x224", "--input-shape", "s=scalar",
                   "--mcpu=x86-64"],
          "compile runs: qcc %s" % " ".join(args).replace(tmp, "$TMP"))
    old = os.environ.get("QCC_BIN")
    os.environ["QCC_BIN"] = good
    try:
        qcc.compile("m.onnx", "m.ll", emit="llvm", opt_level=0)
    finally:
        if old is None:
            del os.environ["QCC_BIN"]
        else:
            os.environ["QCC_BIN"] = old
    check(fake.args()[:5] == ["m.onnx", "-o", "m.ll", "-O0", "--emit=llvm"],
          "compile finds the driver through $QCC_BIN")

    # Every keyword, one flag each, in a fixed order.
    calib_dir = os.path.join(tmp, "calib")
    os.makedirs(os.path.join(calib_dir, "s0"), exist_ok=True)
    report = os.path.join(tmp, "r.html")
    qcc.compile("m.onnx", "m.so", quant="w4", group_size=32, asymmetric=True,
                calib=calib_dir, calib_method="percentile", calib_percentile=99.9,
                size_budget="800KB", exclude=["Gemm", "/fc1/Gemm"], report=report,
                mtriple="x86_64-linux-gnu", mcpu="x86-64-v3", mattr=["+avx2", "-fma"],
                linker="cc", input_shapes={"x": (4, 64)}, opt_level=1, ukernels=False,
                emit="obj", extra_args=["--extra"], qcc_binary=good)
    weight_only = fake.args()
    check(weight_only == [
        "m.onnx", "-o", "m.so", "-O1", "--emit=obj", "--input-shape", "x=4x64",
        "--ukernels=false", "--quant=w4", "--group-size=32", "--asymmetric", "--calib=" + calib_dir,
        "--calib-method=percentile", "--calib-percentile=99.9", "--size-budget=800KB",
        "--exclude=Gemm,/fc1/Gemm", "--report=" + report, "--mtriple=x86_64-linux-gnu",
        "--mcpu=x86-64-v3", "--mattr=+avx2,-fma", "--linker=cc", "--extra"],
        "weight-only keywords: qcc %s" % " ".join(weight_only).replace(tmp, "$TMP"))

    rng = np.random.default_rng(0)
    samples = [{"x": rng.standard_normal((4, 64)).astype(np.float32),
                "file": rng.integers(0, 9, (3,)).astype(np.int64)} for _ in range(5)]
    tempfile.tempdir = os.path.join(tmp, "tempdir")
    os.makedirs(tempfile.tempdir, exist_ok=True)
    try:
        qcc.compile("m.onnx", "m.so", quant="w8a8", per_tensor=True, bias_correction=False,
                    calib=samples, calib_method="entropy", exclude="Conv,n1",
                    qcc_binary=good)
        leftover = os.listdir(tempfile.tempdir)
    finally:
        tempfile.tempdir = None
    w8a8 = fake.args()
    calib_arg = [a for a in w8a8 if a.startswith("--calib=")]
    check(len(calib_arg) == 1 and calib_arg[0].endswith("calib.npz") and
          [a if not a.startswith("--calib=") else "--calib=$NPZ" for a in w8a8] == [
              "m.onnx", "-o", "m.so", "-O2", "--emit=so", "--quant=w8a8", "--per-tensor",
              "--bias-correction=false", "--calib=$NPZ", "--calib-method=entropy",
              "--exclude=Conv,n1"],
          "w8a8 keywords: qcc %s" % " ".join(w8a8).replace(calib_arg[0], "--calib=$NPZ"))
    check(leftover == [] and not os.path.exists(calib_arg[0][len("--calib="):]),
          "the temporary calibration .npz is removed afterwards")
    with zipfile.ZipFile(fake.seen_calib) as zf:
        stored = all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        members = sorted(zf.namelist())
    npz = np.load(fake.seen_calib)
    check(stored and members == ["file.npy", "x.npy"] and
          npz["x"].dtype == np.float32 and npz["x"].shape == (5, 4, 64) and
          np.array_equal(npz["x"], np.stack([s["x"] for s in samples])) and
          npz["file"].dtype == np.int64 and
          np.array_equal(npz["file"], np.stack([s["file"] for s in samples])),
          "calib samples -> stored .npz, per input [samples, ...]: x %s%s, file %s%s"
          % (npz["x"].dtype, list(npz["x"].shape), npz["file"].dtype,
             list(npz["file"].shape)))

    for budget, flag in ((1000, "1000B"), (np.int64(5), "5B"), (0.25, "0.25"), ("5MB", "5MB"),
                         ("0.3", "0.3"), ("12 kb", "12 kb")):
        qcc.compile("m.onnx", "m.so", size_budget=budget, calib=calib_dir, qcc_binary=good)
        check(fake.args()[5:] == ["--calib=" + calib_dir, "--size-budget=" + flag],
              "size_budget=%r -> --size-budget=%s" % (budget, flag))
    qcc.compile("m.onnx", "m.so", quant="w4", w4_int8_act=True, qcc_binary=good)
    w4i8 = fake.args()
    check(w4i8[5:] == ["--quant=w4", "--w4-int8-act"], "w4_int8_act=True -> --w4-int8-act")
    qcc.compile("m.onnx", "m.so", quant="none", mattr="+avx2", qcc_binary=good)
    check(fake.args()[5:] == ["--mattr=+avx2"], "quant='none' gives no --quant")

    # One keyword per driver flag, and the reverse.
    real = real_driver_flags()
    keywords = set(inspect.signature(qcc.compile).parameters)
    used = {re.match(r"(-O|-o|-{2}[\w-]+)", a).group(1)
            for a in weight_only + w8a8 + w4i8 if a.startswith("-") and a != "--extra"}
    unknown = sorted(used - real)
    check(not unknown, "every flag qcc.compile emits is in `qcc --help` (%d flags)%s"
          % (len(used), ": not " + ", ".join(unknown) if unknown else ""))
    missing = sorted(f for f in real if f not in DRIVER_FLAGS)
    check(not missing, "every `qcc --help` option has a qcc.compile keyword%s"
          % (": missing " + ", ".join(missing) if missing else " (%d options)" % len(real)))
    check(all(k is None or k in keywords for k in DRIVER_FLAGS.values()) and
          sorted(f for f, k in DRIVER_FLAGS.items() if k and f not in used) == [],
          "each keyword of the flag table exists and was exercised above")

    # Failures of the driver: its message, without its progress lines.
    bad = os.path.join(tmp, "failing-qcc")
    with open(bad, "w") as f:
        f.write("#!/bin/sh\nprintf '\\rqcc-calibrate: 1/1 samples, ETA 0.0 s   \\n' >&2\n"
                "echo \"qcc: error: unsupported ONNX op 'Foo' (node 'n')\" >&2\nexit 1\n")
    os.chmod(bad, stat.S_IRWXU)
    try:
        qcc.compile("m.onnx", "m.so", qcc_binary=bad)
        check(False, "failing driver raises")
    except qcc.CompileError as e:
        check(str(e) == "qcc: error: unsupported ONNX op 'Foo' (node 'n')",
              "failing driver -> CompileError %r (progress lines dropped)" % str(e))
    expect_error(qcc.CompileError,
                 lambda: qcc.compile("m.onnx", "m.so", qcc_binary=os.path.join(tmp, "none")),
                 "not an executable file", "missing driver")

    # Wrong types and values: TypeError / ValueError, the driver never runs.
    a = np.zeros((4, 64), np.float32)
    onnx_file = os.path.join(tmp, "m.onnx")
    open(onnx_file, "w").close()
    cases = [
        ("quant='w5'", dict(quant="w5"), ValueError, "quant must be None or one of w8, w4"),
        ("quant=8", dict(quant=8), TypeError, "quant must be None or a str"),
        ("group_size=-1", dict(quant="w4", group_size=-1), ValueError, "group_size must be >= 0"),
        ("group_size=32.0", dict(quant="w4", group_size=32.0), TypeError,
         "group_size must be an int"),
        ("group_size with w8a8", dict(quant="w8a8", calib=[{"x": a}], group_size=32),
         ValueError, "group_size applies to the weight-only modes"),
        ("group_size without quant", dict(group_size=32), ValueError,
         "group_size applies to the weight-only modes"),
        ("asymmetric='yes'", dict(quant="w4", asymmetric="yes"), TypeError,
         "asymmetric must be a bool"),
        ("asymmetric with w8-dynamic", dict(quant="w8-dynamic", asymmetric=True), ValueError,
         "asymmetric applies to the weight-only modes"),
        ("w4_int8_act with w8", dict(quant="w8", w4_int8_act=True), ValueError,
         "w4_int8_act applies to quant='w4' and size_budget"),
        ("w4_int8_act without ukernels", dict(quant="w4", w4_int8_act=True, ukernels=False),
         ValueError, "w4_int8_act needs the microkernels"),
        ("w4_int8_act='yes'", dict(quant="w4", w4_int8_act="yes"), TypeError,
         "w4_int8_act must be a bool"),
        ("per_tensor with w4", dict(quant="w4", per_tensor=True), ValueError,
         "per_tensor applies to quant='w8a8'"),
        ("bias_correction=False with w8", dict(quant="w8", bias_correction=False), ValueError,
         "bias_correction=False applies to quant='w8a8'"),
        ("w8a8 without calib", dict(quant="w8a8"), ValueError,
         "quant='w8a8' needs calibration data (calib=)"),
        ("calib=123", dict(quant="w8a8", calib=123), TypeError,
         "calib must be a directory, a .npz path or a list of samples"),
        ("calib=dict", dict(quant="w8a8", calib={"x": a}), TypeError, "wrap it in a list"),
        ("calib=[]", dict(quant="w8a8", calib=[]), ValueError, "the list of samples is empty"),
        ("calib=[array]", dict(quant="w8a8", calib=[a]), TypeError,
         "calib[0] must be a dict {input name: numpy array}"),
        ("calib=[{}]", dict(quant="w8a8", calib=[{}]), ValueError, "calib[0] is an empty dict"),
        ("calib key 1", dict(quant="w8a8", calib=[{1: a}]), TypeError,
         "calib[0]: key 1 is not an input name"),
        ("calib inputs differ", dict(quant="w8a8", calib=[{"x": a}, {"y": a}]), ValueError,
         "calib[1] has the inputs ['y'], calib[0] has ['x']"),
        ("calib shapes differ", dict(quant="w8a8", calib=[{"x": a}, {"x": a[:2]}]),
         ValueError, "calib[1]['x'] is float32[2, 64], calib[0]['x'] is float32[4, 64]"),
        ("calib dtypes differ", dict(quant="w8a8", calib=[{"x": a}, {"x": a.astype(np.float64)}]),
         ValueError, "every sample of an input must have one shape and dtype"),
        ("calib object array", dict(quant="w8a8", calib=[{"x": np.array([None])}]), TypeError,
         "calib[0]['x']: dtype object is not a numeric tensor type"),
        ("calib missing path", dict(quant="w8a8", calib=os.path.join(tmp, "nope")), ValueError,
         "calib: no such file or directory"),
        ("calib not .npz", dict(quant="w8a8", calib=onnx_file), ValueError,
         "is neither a directory of samples nor a .npz file"),
        ("calib_method='median'", dict(quant="w8a8", calib=calib_dir, calib_method="median"),
         ValueError, "calib_method must be one of minmax, percentile, entropy, mse"),
        ("calib_method without calib", dict(quant="w8", calib_method="mse"), ValueError,
         "calib_method needs calibration data"),
        ("calib_percentile=150", dict(quant="w8a8", calib=calib_dir, calib_method="percentile",
                                      calib_percentile=150), ValueError,
         "calib_percentile must be in (0, 100]"),
        ("calib_percentile='99'", dict(quant="w8a8", calib=calib_dir, calib_method="percentile",
                                       calib_percentile="99"), TypeError,
         "calib_percentile must be a number"),
        ("calib_percentile without percentile", dict(quant="w8a8", calib=calib_dir,
                                                     calib_percentile=99.0), ValueError,
         "calib_percentile needs calib_method='percentile'"),
        ("size_budget=0", dict(calib=calib_dir, size_budget=0), ValueError,
         "size_budget must be positive"),
        ("size_budget=1.5", dict(calib=calib_dir, size_budget=1.5), ValueError,
         "a float is a fraction of the float weights, in (0, 1]"),
        ("size_budget='5 parsecs'", dict(calib=calib_dir, size_budget="5 parsecs"), ValueError,
         "size_budget '5 parsecs': use bytes"),
        ("size_budget='2'", dict(calib=calib_dir, size_budget="2"), ValueError,
         "size_budget '2': use bytes"),
        ("size_budget=[1]", dict(calib=calib_dir, size_budget=[1]), TypeError,
         "size_budget must be an int (bytes)"),
        ("size_budget with w8a8", dict(quant="w8a8", calib=calib_dir, size_budget="5MB"),
         ValueError, "cannot be combined with quant='w8a8'"),
        ("size_budget without calib", dict(quant="w4", size_budget="5MB"), ValueError,
         "size_budget needs calibration data"),
        ("report without quant", dict(report="r.json"), ValueError, "report needs a quant mode"),
        ("report=123", dict(quant="w8", report=123), TypeError, "report must be a path"),
        ("emit='onnx' without quant", dict(emit="onnx"), ValueError,
         "emit='onnx' writes the quantized model"),
        ("emit='exe'", dict(emit="exe"), ValueError, "emit must be one of mlir, onnx"),
        ("exclude=5", dict(quant="w8", exclude=5), TypeError, "exclude must be a str or a list"),
        ("exclude=['a,b']", dict(quant="w8", exclude=["a,b"]), ValueError,
         "exclude: 'a,b' is not a name"),
        ("exclude=''", dict(quant="w8", exclude=""), ValueError, "exclude: '' is not a name"),
        ("mcpu=3", dict(mcpu=3), TypeError, "mcpu must be a str"),
        ("mtriple=''", dict(mtriple=""), ValueError, "mtriple is empty"),
        ("mattr='avx2'", dict(mattr="avx2"), ValueError,
         "mattr: entries are +feature or -feature, got 'avx2'"),
        ("linker=['cc']", dict(linker=["cc"]), TypeError, "linker must be a str"),
        ("opt_level=7", dict(opt_level=7), ValueError, "opt_level must be 0, 1, 2 or 3"),
        ("opt_level='2'", dict(opt_level="2"), TypeError, "opt_level must be an int"),
        ("input_shapes negative", dict(input_shapes={"x": (1, -2)}), ValueError,
         "input_shapes['x']: -2 is not a dimension size"),
        ("input_shapes float", dict(input_shapes={"x": (1, 2.0)}), TypeError,
         "input_shapes['x']: 2.0 is not a dimension size"),
        ("input_shapes list", dict(input_shapes=[(1, 2)]), TypeError,
         "input_shapes must be a dict"),
        ("extra_args str", dict(extra_args="--quant=w8"), TypeError,
         "extra_args must be a list of strings"),
    ]
    for what, kwargs, exc, needle in cases:
        fake.reset()
        expect_error(exc, lambda: qcc.compile("m.onnx", "m.so", qcc_binary=good, **kwargs),
                     needle, what)
        if os.path.exists(fake.log):
            check(False, "%s: the driver ran" % what)
    expect_error(TypeError, lambda: qcc.compile(None, "m.so", qcc_binary=good),
                 "model_path must be a path", "model_path=None")
    check(not os.path.exists(fake.log), "no bad argument ran the driver (%d cases)"
          % (len(cases) + 1))


# ---------------------------------------------------------------------------
# Loading and running
# ---------------------------------------------------------------------------

def check_model(path):
    m = qcc.load(path)
    check(isinstance(m, qcc.Model), "loaded %s: %r" % (os.path.basename(path), m))
    for t in m.inputs + m.outputs:
        check(isinstance(t, qcc.TensorInfo) and isinstance(t.name, str)
              and isinstance(t.dtype, np.dtype) and isinstance(t.shape, tuple),
              "TensorInfo %s: %s %s" % (t.name, t.dtype, t.shape))
    check(isinstance(m.target, str) and m.target and isinstance(m.cpu_features, list),
          "target %r, %d CPU features" % (m.target, len(m.cpu_features)))
    # Threads: load(threads=), set_num_threads (0: the default), bad counts.
    default_threads = m.num_threads
    m3 = qcc.load(path, threads=3)
    check(m3.num_threads == 3, "load(threads=3): %d threads" % m3.num_threads)
    m3.set_num_threads(0)
    check(m3.num_threads == default_threads >= 1,
          "set_num_threads(0) restores the default (%d)" % default_threads)
    for bad in (-1, 1000, 1.5):
        try:
            qcc.load(path, threads=bad)
            check(False, "threads=%r is refused" % (bad,))
        except ValueError:
            pass
    rng = np.random.default_rng(0)
    xs = [random_input(i, rng) for i in m.inputs]
    by_name = {i.name: x for i, x in zip(m.inputs, xs)}

    out = m(**by_name)
    check(isinstance(out, dict) and list(out) == [o.name for o in m.outputs],
          "call by name returns {%s}" % ", ".join(out))
    for o in m.outputs:
        a = out[o.name]
        check(isinstance(a, np.ndarray) and a.dtype == o.dtype and
              all(d < 0 or d == s for d, s in zip(o.shape, a.shape)) and a.ndim == len(o.shape),
              "output %s: %s%s" % (o.name, a.dtype, list(a.shape)))
    out2 = m(*xs)
    check(all(np.array_equal(out[k], out2[k], equal_nan=True) for k in out),
          "positional call gives the same outputs")
    out3 = m.run(by_name)
    check(all(np.array_equal(out[k], out3[k], equal_nan=True) for k in out),
          "Model.run(dict) gives the same outputs")
    out4 = m(*xs[:1], **{i.name: x for i, x in zip(m.inputs[1:], xs[1:])})
    check(all(np.array_equal(out[k], out4[k], equal_nan=True) for k in out),
          "mixed positional and named call")
    # Non-contiguous and Fortran-ordered views are copied to C order.
    views = [np.asfortranarray(x) for x in xs]
    out5 = m(*views)
    check(all(np.array_equal(out[k], out5[k], equal_nan=True) for k in out),
          "Fortran-ordered inputs are accepted")
    strided = [np.repeat(x, 2, axis=-1)[..., ::2] for x in xs]
    out6 = m(*strided)
    check(all(np.array_equal(out[k], out6[k], equal_nan=True) for k in out),
          "strided views are accepted")
    check(out[m.outputs[0].name] is not out2[m.outputs[0].name],
          "every call returns fresh arrays")

    # Error paths: each raises RunError with the ABI's message.
    i0 = m.inputs[0]
    bad = xs[0].astype(wrong_dtype(i0.dtype))
    expect_error(qcc.RunError, lambda: m(bad, *xs[1:]),
                 "input %r: expected dtype %s, got %s" % (i0.name, i0.dtype, bad.dtype),
                 "wrong dtype")
    as_list = xs[0].tolist()
    if np.asarray(as_list).dtype != i0.dtype:
        expect_error(qcc.RunError, lambda: m(as_list, *xs[1:]),
                     "input %r: expected dtype" % i0.name, "python list input is not cast")
    static = [j for j, d in enumerate(i0.shape) if d >= 0]
    if static:
        shape = [2 if d < 0 else d for d in i0.shape]
        shape[static[0]] += 1
        big = np.zeros(shape, i0.dtype)
        expect_error(qcc.RunError, lambda: m(big, *xs[1:]),
                     "qcc_run: input '%s' (#0): expected shape" % i0.name, "wrong shape")
    expect_error(qcc.RunError, lambda: m(xs[0][None], *xs[1:]),
                 "qcc_run: input '%s' (#0): expected rank" % i0.name, "wrong rank")
    expect_error(qcc.RunError, lambda: m(None, *xs[1:]),
                 "no value given for input %r" % i0.name, "None input")
    expect_error(qcc.RunError, lambda: m(*xs[1:]),
                 "no value given for input", "missing input")
    expect_error(qcc.RunError, lambda: m(*xs, **{i0.name: xs[0]}),
                 "input %r given twice" % i0.name, "input given twice")
    expect_error(qcc.RunError, lambda: m(*xs, nonexistent_input=1),
                 "no input named 'nonexistent_input'", "unknown input name")
    expect_error(qcc.RunError, lambda: m(*(xs + [np.zeros(1)])),
                 "inputs given, the model has %d" % len(m.inputs), "too many inputs")

    # Several threads share one model; every call must give the same
    # outputs as the single-threaded one.
    results = [None] * 4

    def worker(k):
        results[k] = all(all(np.array_equal(v, out[n], equal_nan=True)
                             for n, v in m(*xs).items()) for _ in range(50))
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(results), "4 threads x 50 calls: identical outputs")
    return m


def check_load_errors(tmp):
    text = os.path.join(tmp, "not_a_model.so")
    with open(text, "w") as f:
        f.write("not a shared library\n")
    expect_error(qcc.RunError, lambda: qcc.load(text), "cannot load", "load a text file")
    expect_error(qcc.RunError, lambda: qcc.load(os.path.join(tmp, "missing.so")),
                 "cannot load", "load a missing file")
    libm = None
    for cand in ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                 "/lib64/libm.so.6", "/usr/lib/libm.so.6"]:
        if os.path.exists(cand):
            libm = cand
            break
    if libm:
        expect_error(qcc.RunError, lambda: qcc.load(libm), "not a model compiled by qcc",
                     "load a library without the qcc ABI")


def check_abi_version(path):
    saved = qcc.ABI_VERSION
    qcc.ABI_VERSION = saved + 100
    try:
        expect_error(qcc.RunError, lambda: qcc.load(path),
                     "has ABI version %d, this package expects %d" % (saved, saved + 100),
                     "ABI version mismatch")
    finally:
        qcc.ABI_VERSION = saved


def check_compile(onnx_path, tmp):
    so = qcc.compile(onnx_path, os.path.join(tmp, "compiled.so"))
    check(os.path.exists(so), "qcc.compile(%s) wrote %s" % (os.path.basename(onnx_path),
                                                          os.path.basename(so)))
    m = qcc.load(so)
    rng = np.random.default_rng(1)
    out = m(*[random_input(i, rng) for i in m.inputs])
    check(set(out) == {o.name for o in m.outputs}, "compiled model runs: %r" % m)
    # Recompiled to the same path and loaded again in this process: the new
    # code runs (the dynamic loader alone would return the first library).
    xs = [random_input(i, rng) for i in m.inputs]
    before = m(*xs)
    qcc.compile(onnx_path, so, quant="w2")
    again = qcc.load(so)(*xs)
    fresh = qcc.load(qcc.compile(onnx_path, os.path.join(tmp, "w2.so"), quant="w2"))(*xs)
    check(all(np.array_equal(again[k], fresh[k]) and not np.array_equal(again[k], before[k])
              for k in before) and
          all(np.array_equal(m(*xs)[k], before[k]) for k in before),
          "a recompiled .so loaded again runs the new code (the old Model keeps the old)")
    garbage = os.path.join(tmp, "garbage.onnx")
    with open(garbage, "w") as f:
        f.write("this is not a protobuf\n")
    expect_error(qcc.CompileError, lambda: qcc.compile(garbage, os.path.join(tmp, "g.so")),
                 "qcc: error:", "compile a text file")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    model = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        check_package()
        check_compile_driver(tmp)
        check_load_errors(tmp)
        check_model(model)
        check_abi_version(model)
        check_compile(sys.argv[2], tmp)
    print("python package: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
