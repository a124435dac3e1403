#!/usr/bin/python3
"""The same models compiled for different targets give the same results.

    targets_check.py WORK x86        x86-64 levels on this machine
    targets_check.py WORK aarch64    AArch64 cross-compilation, run in qemu

Models: the example MLP and CNN (examples/make_models.py), ResNet-18 and the
GPT-2-style decode step with a KV cache (test/models/make_models.py), and
quantized variants of the MLP and CNN (weight-only w8/w4/w3/w2, w4
asymmetric, w8-dynamic, static w8a8 calibrated on 8 random samples).

x86: every model is compiled for --mcpu=x86-64 (SSE2), x86-64-v2,
x86-64-v3 (AVX2 + FMA, what an AVX2-only machine runs), x86-64-v4
(AVX-512; skipped with the reason where this CPU lacks it) and native, run
with qcc-run, and compared with the native build's outputs.

aarch64: every model is compiled for --mtriple=aarch64-linux-gnu
--mcpu=cortex-a76, run with the cross-built qcc-run under
`qemu-aarch64 -L /usr/aarch64-linux-gnu`, and compared with this machine's
native build. Also: the MLP run through the C ABI alone (abi_check.c
cross-compiled with aarch64-linux-gnu-gcc); a cortex-a76 build on a
cortex-a53 (ARMv8.0: no dotprod, fp16, LSE) refused with the missing
features named.

Tolerance: outputs agree within 1e-5 of the output's range (float
summation order differs with the vector width), integer outputs exactly.
Each case prints one line ending in its verdict: ok, FAIL, or skipped (with
the reason).
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BIN = os.path.join(ROOT, "build", "bin")
QCC = os.environ.get("QCC_BIN", os.path.join(BIN, "qcc"))
QCC_RUN = os.path.join(BIN, "qcc-run")
CROSS_RUN = os.path.join(BIN, "aarch64-linux-gnu", "qcc-run")
SYSROOT = "/usr/aarch64-linux-gnu"
PY = "/usr/bin/python3"
RTOL = 1e-5

work, mode = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def pb_to_npy(pb, npy):
    t = onnx.TensorProto()
    with open(pb, "rb") as f:
        t.ParseFromString(f.read())
    np.save(npy, numpy_helper.to_array(t))


def make_models():
    """name -> (model.onnx, [input .npy], [output names], calib dir or None)."""
    ex, real = os.path.join(work, "ex"), os.path.join(work, "real")
    subprocess.run([PY, os.path.join(ROOT, "examples", "make_models.py"), ex],
                   check=True, capture_output=True)
    names = ["mlp", "cnn"]
    if mode == "x86" or os.environ.get("QCC_TARGETS_QUICK") != "1":
        subprocess.run([PY, os.path.join(ROOT, "test", "models", "make_models.py"), real,
                        "--only", "resnet18,gpt2_decode"], check=True, capture_output=True)
        names += ["resnet18", "gpt2_decode"]
    models = {}
    for name in names:
        d = os.path.join(ex if name in ("mlp", "cnn") else real, name)
        m = onnx.load(os.path.join(d, "model.onnx"), load_external_data=False)
        inits = {i.name for i in m.graph.initializer}
        in_names = [i.name for i in m.graph.input if i.name not in inits]
        npys = []
        for j, n in enumerate(in_names):
            npy = os.path.join(d, "%s.npy" % n)
            pb_to_npy(os.path.join(d, "test_data_set_0", "input_%d.pb" % j), npy)
            npys.append((n, npy))
        models[name] = (os.path.join(d, "model.onnx"), npys,
                        [o.name for o in m.graph.output])
    # Calibration samples for w8a8: 8 random inputs of each example model.
    rng = np.random.RandomState(0)
    calib = {}
    for name in ("mlp", "cnn"):
        c = os.path.join(work, "calib_" + name)
        for s in range(8):
            os.makedirs(os.path.join(c, "s%d" % s), exist_ok=True)
            for n, npy in models[name][1]:
                x = np.load(npy)
                np.save(os.path.join(c, "s%d" % s, n + ".npy"),
                        rng.randn(*x.shape).astype(x.dtype))
        calib[name] = c
    return models, calib


def variants(models, calib):
    """(case name, model name, extra qcc flags)."""
    cases = [(n, n, []) for n in models]
    for flags in (["--quant=w8"], ["--quant=w4", "--group-size=32"],
                  ["--quant=w4", "--group-size=32", "--asymmetric"],
                  ["--quant=w3", "--group-size=32"], ["--quant=w2", "--group-size=32"],
                  ["--quant=w8-dynamic"], ["--quant=w8a8", "--calib=" + calib["mlp"]]):
        cases.append(("mlp " + " ".join(f for f in flags if not f.startswith("--calib")),
                      "mlp", flags))
    for flags in (["--quant=w8"], ["--quant=w4", "--group-size=32"],
                  ["--quant=w8a8", "--calib=" + calib["cnn"]]):
        cases.append(("cnn " + " ".join(f for f in flags if not f.startswith("--calib")),
                      "cnn", flags))
    return cases


def compile_so(model, so, flags):
    p = run([QCC, model, "-o", so] + flags)
    return None if p.returncode == 0 else p.stderr.strip()


def run_so(runner, so, inputs, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = runner + [so, "--output-dir", out_dir]
    for n, npy in inputs:
        cmd += ["--input", "%s=%s" % (n, npy)]
    p = run(cmd)
    return p.returncode, (p.stderr + p.stdout).strip()


def compare(out_a, out_b, names):
    """(ok, message) comparing the outputs written to two directories."""
    worst = 0.0
    for n in names:
        a, b = np.load(os.path.join(out_a, n + ".npy")), np.load(os.path.join(out_b, n + ".npy"))
        if a.shape != b.shape or a.dtype != b.dtype:
            return False, "%s: %s %s vs %s %s" % (n, a.shape, a.dtype, b.shape, b.dtype)
        if a.dtype.kind in "iub":
            if not np.array_equal(a, b):
                return False, "%s: integer outputs differ" % n
            continue
        rng = max(float(np.abs(a).max()), 1e-30)
        rel = float(np.abs(a.astype(np.float64) - b).max()) / rng
        worst = max(worst, rel)
        if rel > RTOL:
            return False, "%s: max |diff| %.2g of the range (> %g)" % (n, rel, RTOL)
    return True, "max |diff| %.2g of the range" % worst


def host_lacks(so):
    """Features the .so needs that this CPU lacks (qcc-run says), or None."""
    p = run([QCC_RUN, so])
    if "this CPU lacks" in p.stderr:
        return p.stderr.split("lacks", 1)[1].split("that the model")[0].strip()
    return None


failed = False


def verdict(case, ok, msg):
    global failed
    failed |= ok is False
    word = "ok" if ok else ("skipped" if ok is None else "FAIL")
    print("%s: %s %s" % (case, msg, word))


models, calib = make_models()
for case, name, flags in variants(models, calib):
    model, inputs, outs = models[name]
    tag = case.replace(" ", "_").replace("=", "").replace("--", "")
    ref_so = os.path.join(work, tag + ".native.so")
    err = compile_so(model, ref_so, flags)
    if err:
        verdict(case + " native", False, "qcc failed: " + err)
        continue
    ref_dir = os.path.join(work, tag + ".native.out")
    rc, msg = run_so([QCC_RUN], ref_so, inputs, ref_dir)
    if rc != 0:
        verdict(case + " native", False, "qcc-run failed: " + msg)
        continue
    if mode == "x86":
        targets = [(c, [QCC_RUN], ["--mcpu=" + c])
                   for c in ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4")]
    else:
        targets = [("aarch64 cortex-a76", ["qemu-aarch64", "-L", SYSROOT, CROSS_RUN],
                    ["--mtriple=aarch64-linux-gnu", "--mcpu=cortex-a76"])]
    for tname, runner, tflags in targets:
        label = "%s %s" % (case, tname)
        so = os.path.join(work, "%s.%s.so" % (tag, tname.replace(" ", "_")))
        err = compile_so(model, so, flags + tflags)
        if err:
            verdict(label, False, "qcc failed: " + err)
            continue
        if mode == "x86":
            lacks = host_lacks(so)
            if lacks:
                verdict(label, None, "this CPU lacks %s;" % lacks)
                continue
        out_dir = so[:-3] + ".out"
        rc, msg = run_so(runner, so, inputs, out_dir)
        if rc != 0:
            verdict(label, False, "run failed (exit %d): %s" % (rc, msg))
            continue
        ok, msg = compare(ref_dir, out_dir, outs)
        verdict(label, ok, "vs native " + msg)

if mode == "aarch64":
    # The documented C ABI alone: abi_check.c cross-compiled, under qemu.
    abi_src = os.path.join(ROOT, "test", "e2e", "Inputs", "abi_check.c")
    inc = os.path.join(ROOT, "include")
    model = models["mlp"][0]
    arm_abi, x86_abi = os.path.join(work, "abi_check.arm"), os.path.join(work, "abi_check.x86")
    subprocess.run(["aarch64-linux-gnu-gcc", "-O1", "-I" + inc, abi_src, "-o", arm_abi,
                    "-ldl", "-lpthread"], check=True)
    subprocess.run(["cc", "-O1", "-I" + inc, abi_src, "-o", x86_abi, "-ldl", "-lpthread"],
                   check=True)
    arm_so, x86_so = os.path.join(work, "abi_mlp.arm.so"), os.path.join(work, "abi_mlp.x86.so")
    assert compile_so(model, arm_so, ["--mtriple=aarch64-linux-gnu", "--mcpu=cortex-a76"]) is None
    assert compile_so(model, x86_so, []) is None
    pa = run(["qemu-aarch64", "-L", SYSROOT, arm_abi, arm_so, "--dump", arm_so + ".bin"])
    px = run([x86_abi, x86_so, "--dump", x86_so + ".bin"])
    if pa.returncode or px.returncode:
        verdict("c abi mlp aarch64", False, "abi_check failed: %s %s" % (pa.stdout, px.stdout))
    else:
        a = np.fromfile(arm_so + ".bin", np.float32)
        b = np.fromfile(x86_so + ".bin", np.float32)
        rel = float(np.abs(a - b).max() / np.abs(b).max())
        checks = pa.stdout.count("ok:")
        verdict("c abi mlp aarch64", a.shape == b.shape and rel <= RTOL,
                "%d abi checks passed under qemu, outputs vs x86 max |diff| %.2g of the range"
                % (checks, rel))
    # A cortex-a76 build on an ARMv8.0 core: refused, features named.
    p = run(["qemu-aarch64", "-cpu", "cortex-a53", "-L", SYSROOT, CROSS_RUN, arm_so,
             "--input", "x=" + models["mlp"][1][0][1]])
    named = all(f in p.stderr for f in ("dotprod", "fullfp16", "lse"))
    verdict("aarch64 cpu check on cortex-a53", p.returncode == 1 and named,
            "exit %d: %s" % (p.returncode, p.stderr.strip()))

print("targets %s: %s" % (mode, "FAIL" if failed else "ok"))
sys.exit(1 if failed else 0)
