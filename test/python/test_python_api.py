#!/usr/bin/python3
"""Checks the qcc Python package (python/qcc) on a compiled model.

usage: test_python_api.py MODEL.so [MODEL.onnx]

MODEL.so may be any model compiled by qcc (or test/fixtures/fake_add_model.c
linked with lib/Runtime/ModelABI.c, for which z = x + y is checked too).
Inputs are random arrays of the signature's shapes and dtypes. With
MODEL.onnx, qcc.compile is run on it (needs the qcc driver: QCC_BIN, the
build tree or PATH) and the result is loaded and run.

Needs only numpy. Prints one line per check; exits non-zero on the first
failure.
"""
import os
import re
import stat
import sys
import tempfile
import threading

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
    for name in ["compile", "load", "Model", "TensorInfo", "CompileError", "RunError"]:
        check(hasattr(qcc, name), "qcc exports %s" % name)
    header = os.path.join(REPO, "include", "qcc", "Runtime", "qcc_runtime.h")
    if os.path.exists(header):
        m = re.search(r"#define\s+QCC_ABI_VERSION\s+(\d+)", open(header).read())
        check(m and int(m.group(1)) == qcc.ABI_VERSION,
              "qcc.ABI_VERSION %d matches qcc_runtime.h" % qcc.ABI_VERSION)


def check_compile_driver(tmp):
    """compile() with stand-in drivers: the command line, and failures."""
    log = os.path.join(tmp, "args.txt")
    good = os.path.join(tmp, "fake-qcc")
    with open(good, "w") as f:
        f.write('#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "%s"\n'
                'touch "$3"\n' % log)
    os.chmod(good, stat.S_IRWXU)
    out = qcc.compile("m.onnx", os.path.join(tmp, "m.so"), opt_level=3,
                      input_shapes={"x": (1, 3, 224, 224), "s": ()},
                      extra_args=["--mcpu=x86-64"], qcc_binary=good)
    args = open(log).read().split("\n")[:-1]
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
    check(open(log).read().split("\n")[:5] == ["m.onnx", "-o", "m.ll", "-O0", "--emit=llvm"],
          "compile finds the driver through $QCC_BIN")

    bad = os.path.join(tmp, "failing-qcc")
    with open(bad, "w") as f:
        f.write("#!/bin/sh\necho \"qcc: error: unsupported ONNX op 'Foo' (node 'n')\" >&2\nexit 1\n")
    os.chmod(bad, stat.S_IRWXU)
    expect_error(qcc.CompileError, lambda: qcc.compile("m.onnx", "m.so", qcc_binary=bad),
                 "qcc: error: unsupported ONNX op 'Foo' (node 'n')", "failing driver")
    expect_error(qcc.CompileError,
                 lambda: qcc.compile("m.onnx", "m.so", qcc_binary=os.path.join(tmp, "none")),
                 "not an executable file", "missing driver")
    expect_error(qcc.CompileError,
                 lambda: qcc.compile("m.onnx", "m.so", input_shapes={"x": (1, -2)}, qcc_binary=good),
                 "not a dimension size", "negative input shape")
    expect_error(qcc.CompileError,
                 lambda: qcc.compile("m.onnx", "m.so", opt_level=7, qcc_binary=good),
                 "opt_level", "opt_level out of range")


def check_model(path):
    m = qcc.load(path)
    check(isinstance(m, qcc.Model), "loaded %s: %r" % (os.path.basename(path), m))
    for t in m.inputs + m.outputs:
        check(isinstance(t, qcc.TensorInfo) and isinstance(t.name, str)
              and isinstance(t.dtype, np.dtype) and isinstance(t.shape, tuple),
              "TensorInfo %s: %s %s" % (t.name, t.dtype, t.shape))
    rng = np.random.default_rng(0)
    xs = [random_input(i, rng) for i in m.inputs]
    by_name = {i.name: x for i, x in zip(m.inputs, xs)}
    dynamic = [o.name for o in m.outputs if any(d < 0 for d in o.shape)]
    if dynamic:
        # Outputs are allocated by the caller, from the signature's shapes.
        expect_error(qcc.RunError, lambda: m(*xs), "has the dynamic shape",
                     "dynamic output shape")
        return m

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
    if xs:
        out4 = m(*xs[:1], **{i.name: x for i, x in zip(m.inputs[1:], xs[1:])})
        check(all(np.array_equal(out[k], out4[k], equal_nan=True) for k in out),
              "mixed positional and named call")
        # Non-contiguous and Fortran-ordered views are copied to C order.
        views = [np.asfortranarray(x) for x in xs]
        out5 = m(*views)
        check(all(np.array_equal(out[k], out5[k], equal_nan=True) for k in out),
              "Fortran-ordered inputs are accepted")
        check(out[m.outputs[0].name] is not out2[m.outputs[0].name],
              "every call returns fresh arrays")

    if [i.name for i in m.inputs] == ["x", "y"] and [o.name for o in m.outputs] == ["z"]:
        np.testing.assert_array_equal(out["z"], xs[0] + xs[1])
        check(True, "fake add model: z == x + y")
        x = np.arange(6, dtype=np.float32).reshape(2, 3)
        strided = np.arange(12, dtype=np.float32).reshape(2, 6)[:, ::2]
        np.testing.assert_array_equal(m(x=strided, y=x)["z"], strided + x)
        check(True, "strided view input: z == x + y")

    # Error paths: each raises RunError with the ABI's message.
    if m.inputs:
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
    garbage = os.path.join(tmp, "garbage.onnx")
    with open(garbage, "w") as f:
        f.write("this is not a protobuf\n")
    expect_error(qcc.CompileError, lambda: qcc.compile(garbage, os.path.join(tmp, "g.so")),
                 "qcc: error:", "compile a text file")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    model = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        check_package()
        check_compile_driver(tmp)
        check_load_errors(tmp)
        check_model(model)
        check_abi_version(model)
        if len(sys.argv) == 3:
            check_compile(sys.argv[2], tmp)
    print("python api: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
