#!/usr/bin/python3
"""The microkernel path (qcc-data-tiling, qcc-weight-only-data-tiling +
qcc-lower-to-ukernels) against independent references, for every kernel
this CPU can run.

    ukernel_check.py WORKDIR

For MatMul models with constant weights of shapes that hit the register
block, its tails, N padding and the one-row (GEMV) path, and for each
--mcpu whose kernels this CPU runs (x86-64: the portable kernel; x86-64-v3:
AVX2+FMA; native: AVX-512 / VNNI where present):
  - fp32: the .so against numpy in float64, |err| <= 1e-4 * (|A| |W|)
    elementwise (a bound on the float32 rounding of a K-term dot product);
  - w8-dynamic: the .so against the exact integer reference
    (onnx_ref.dynamic_matmul: DynamicQuantizeLinear semantics of qcc's
    symmetric per-row activations, int32 accumulation, then the same two
    float multiplies), and bit-identical to the --ukernels=false build
    (the tiled generated loops checked by the other tests);
  - w4 (--quant=w4 --group-size=32, symmetric and --asymmetric): the .so
    against numpy in float64 with the weight quantized and dequantized by
    fake_quant_w4 (qcc-quantize-weights' 4-bit rule), within
    1e-4 * (|A| |W_deq|) elementwise, and within the same bound of the
    --ukernels=false build (the fused generated loops);
  - w4 with --w4-int8-act: the activation quantized in numpy as the
    kernels' generated prologue does (per row and group of 32: sa =
    max|a| / 127 in float32, aq = rint(a / sa)), then the same bound
    against (aq * sa) @ W_deq in float64;
  - with 1 and 2 threads (qcc.load threads=): identical outputs;
  - 4 Python threads calling one model at once: the same outputs.
Prints one line per case ending in "ok" or "FAIL ...", and a summary.
"""
import os
import subprocess
import sys
import threading

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import qcc  # noqa: E402

QCC = os.path.join(ROOT, "build", "bin", "qcc")


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def make_model(path, m, k, n, seed, gemm=False):
    """MatMul(a, w); with gemm, Gemm(a, w^T stored [N, K], transB=1) with a
    zero bias (the same product, through the transposed-weight path)."""
    rng = np.random.RandomState(seed)
    w = (rng.randn(k, n) / np.sqrt(k)).astype(np.float32)
    if gemm:
        node = helper.make_node("Gemm", ["a", "wt", "b"], ["y"], name="fc", transB=1)
        inits = [numpy_helper.from_array(np.ascontiguousarray(w.T), "wt"),
                 numpy_helper.from_array(np.zeros(n, np.float32), "b")]
    else:
        node = helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")
        inits = [numpy_helper.from_array(w, "w")]
    g = helper.make_graph(
        [node], "mm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return w, rng.randn(m, k).astype(np.float32)


def compile_so(model, out, args):
    subprocess.run([QCC, model, "-o", out] + args, check=True)
    return out


def dynamic_ref(a, w):
    """qcc's w8-dynamic: per-output-channel symmetric int8 weights (scale
    max|w|/127), per-row symmetric int8 activations (scale max|a|/127, 1
    where 0), exact int32 products, y = acc * sa * sw."""
    sw = np.abs(w).max(axis=0) / np.float32(127)
    sw = np.where(sw == 0, np.float32(1), sw).astype(np.float32)
    wq = np.clip(np.rint(w / sw), -127, 127).astype(np.int64)
    sa = (np.abs(a).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
    sa = np.where(sa == 0, np.float32(1), sa).astype(np.float32)
    aq = np.clip(np.rint(a / sa), -128, 127).astype(np.int64)
    acc = (aq @ wq).astype(np.int32)
    return acc, sa, sw


def fake_quant_w4(w, group, symmetric):
    """4-bit blockwise quantize-dequantize of a [K, N] weight in groups of
    `group` along K, in float32 as qcc-quantize-weights does it: the block
    range including 0; symmetric on [-7, 7] with scale max|w| / 7,
    asymmetric on [0, 15] with scale (max - min) / 15 and a rounded zero
    point; round half to even."""
    f32 = np.float32
    k, n = w.shape
    blocks = np.ascontiguousarray(w.T).reshape(n * k // group, group).astype(f32)
    lo = np.minimum(blocks.min(axis=1, keepdims=True), f32(0))
    hi = np.maximum(blocks.max(axis=1, keepdims=True), f32(0))
    if symmetric:
        s = np.maximum(-lo, hi) / f32(7)
        s = np.where(s > 0, s, f32(1))
        deq = np.clip(np.rint(blocks / s), -7, 7).astype(f32) * s
    else:
        s = (hi - lo) / f32(15)
        s = np.where(s > 0, s, f32(1))
        zp = np.clip(np.rint(-lo / s), 0, 15).astype(f32)
        q = np.clip(np.rint(blocks / s) + zp, 0, 15).astype(f32)
        deq = (q - zp) * s
    return deq.astype(f32).reshape(n, k).T


def report(tag, msg):
    """Prints `tag: ok` or `tag: FAIL <problems>`; 1 for a failure."""
    if msg:
        print("%s: FAIL %s" % (tag, "; ".join(msg)))
        return 1
    print("%s: ok" % tag)
    return 0


def called_kernels(ll, prefix):
    return sorted(set(l.split("@_mlir_ciface_" + prefix)[1].split("(")[0]
                      for l in ll.splitlines()
                      if "call void @_mlir_ciface_" + prefix in l))


def run_threads(so, a):
    outs = []
    for threads in (1, 2):
        mod = qcc.load(so, threads=threads)
        assert mod.num_threads == threads, (mod.num_threads, threads)
        outs.append(mod(a)["y"])
    return outs


def quantize_act(a, group):
    """Per row and group: sa = max|a| / 127 (1 if 0) in float32, aq =
    round-half-even(a / sa) clipped to [-127, 127]; returns aq * sa."""
    f32 = np.float32
    m, k = a.shape
    g = a.reshape(m, k // group, group).astype(f32)
    amax = np.abs(g).max(axis=2, keepdims=True)
    sa = np.where(amax == 0, f32(1), amax / f32(127)).astype(f32)
    aq = np.clip(np.rint(g / sa), -127, 127)
    return (aq.astype(np.float64) * sa.astype(np.float64)).reshape(m, k)


def check_w4(work, mcpus, avx512, vnni):
    """int4 weight-only: shapes through the one-row path (M < 4), the
    unpacked-tile path, N padding, several K blocks and Gemm's transposed
    weight; each --mcpu's kernel. With --w4-int8-act the int8 kernels serve
    products of at most 32 rows and groups of whole 8-k blocks; the others
    (64 rows, groups of 4) keep the f32-activation kernel and its numerics."""
    shapes = [(1, 64, 48), (1, 256, 100, "asym"), (3, 64, 64), (5, 64, 40, "asym"),
              (13, 128, 130), (64, 1024, 96, "asym"), (2, 96, 50, "gemm"),
              (6, 96, 50, "gemm", "asym"), (1, 64, 48, "g4")]
    names = {"x86-64": "f32_8_generic", "x86-64-v3": "f32_16_avx2",
             "native": "f32_32_avx512" if avx512 else "f32_16_avx2"}
    names8 = {"x86-64": "s8_8_generic", "x86-64-v3": "s8_16_avx2",
              "native": "s8_32_avx512vnni" if avx512 and vnni else "s8_16_avx2"}
    failures = 0
    for si, shape in enumerate(shapes):
        m, k, n = shape[:3]
        gemm, sym = "gemm" in shape, "asym" not in shape
        group = 4 if "g4" in shape else 32
        model = os.path.join(work, "w4_%d.onnx" % si)
        w, a = make_model(model, m, k, n, 100 + si, gemm)
        wd = fake_quant_w4(w, group, sym).astype(np.float64)
        args = ["--quant=w4", "--group-size=%d" % group] + ([] if sym else ["--asymmetric"])
        for mcpu, int8_flag in [(c, False) for c in mcpus] + [(c, True) for c in mcpus]:
            int8 = int8_flag and m <= 32 and group % 8 == 0
            act = quantize_act(a, group) if int8 else a.astype(np.float64)
            exact = act @ wd
            bound = 1e-4 * (np.abs(act) @ np.abs(wd)) + 1e-6
            tag = "%s%dx%dx%d w4%s%s%s %s" % ("gemm " if gemm else "", m, k, n,
                                              "" if sym else "-asym",
                                              " g4" if group == 4 else "",
                                              " int8-act" if int8_flag else "", mcpu)
            margs = args + ["--mcpu=" + mcpu] + (["--w4-int8-act"] if int8_flag else [])
            so = compile_so(model, os.path.join(work, "w4_%d_%s%s.so"
                                                % (si, mcpu, "_i8" if int8_flag else "")), margs)
            ll = subprocess.run([QCC, model, "-o", "-", "--emit=llvm"] + margs, check=True,
                                capture_output=True, text=True).stdout
            called = called_kernels(ll, "quk_w4_")
            tag += " [%s]" % ",".join(called)
            kernel = (names8 if int8 else names)[mcpu] + ("" if sym else "_zp")
            outs = run_threads(so, a)
            msg = []
            if called != [kernel]:
                msg.append("expected a call of %s" % kernel)
            if not np.array_equal(outs[0], outs[1]):
                msg.append("1 vs 2 threads differ")
            err = np.abs(outs[0] - exact)
            if not (err <= bound).all():
                msg.append("max err %.3g > bound" % err.max())
            if not int8_flag:  # the generated loops compute the f32 form
                gen = compile_so(model, so[:-3] + "_gen.so", margs + ["--ukernels=false"])
                yg = qcc.load(gen)(a)["y"]
                if not (np.abs(outs[0] - yg) <= bound).all():
                    msg.append("differs from --ukernels=false by %.3g"
                               % np.abs(outs[0] - yg).max())
            failures += report(tag, msg)
    return failures


def check_pointwise(work, mcpus):
    """1x1 f32 convolutions of one image (Conv with a bias): those whose
    spatial size is a multiple of 32 are matrix products on the NCHW
    tensors, X packed at run time (linalg.pack) for the f32 kernel; others
    (5x5) keep the im2col form. Each within a float32 rounding bound of
    numpy's float64 product, through the f32 kernel of its --mcpu."""
    names = {"x86-64": "f32_8x1_generic", "x86-64-v3": "f32_16x1_avx2",
             "native": "f32_32x1_avx512"}
    failures = 0
    for si, (c, f, h, w) in enumerate([(24, 40, 8, 8), (16, 96, 16, 12),
                                       (7, 5, 4, 8), (24, 40, 5, 5)]):
        rng = np.random.RandomState(200 + si)
        wt = (rng.randn(f, c, 1, 1) / np.sqrt(c)).astype(np.float32)
        b = rng.randn(f).astype(np.float32)
        x = rng.randn(1, c, h, w).astype(np.float32)
        g = helper.make_graph(
            [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="pw")], "pw",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, f, h, w])],
            [numpy_helper.from_array(wt, "w"), numpy_helper.from_array(b, "b")])
        model = os.path.join(work, "pw_%d.onnx" % si)
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), model)
        w2 = wt.reshape(f, c).astype(np.float64)
        x2 = x.reshape(c, h * w).astype(np.float64)
        exact = (w2 @ x2 + b[:, None]).reshape(1, f, h, w)
        bound = 1e-4 * (np.abs(w2) @ np.abs(x2) + np.abs(b)[:, None]).reshape(exact.shape) + 1e-6
        for mcpu in mcpus:
            tag = "conv1x1 %dx%dx%dx%d %s" % (c, f, h, w, mcpu)
            args = ["--mcpu=" + mcpu]
            so = compile_so(model, os.path.join(work, "pw_%d_%s.so" % (si, mcpu)), args)
            ll = subprocess.run([QCC, model, "-o", "-", "--emit=llvm"] + args, check=True,
                                capture_output=True, text=True).stdout
            called = called_kernels(ll, "quk_mmt4d_")
            tag += " [%s]" % ",".join(called)
            outs = []
            for threads in (1, 2):
                outs.append(qcc.load(so, threads=threads)(x)["y"])
            msg = []
            if called != [names[mcpu]]:
                msg.append("expected a call of %s" % names[mcpu])
            if not np.array_equal(outs[0], outs[1]):
                msg.append("1 vs 2 threads differ")
            err = np.abs(outs[0] - exact)
            if not (err <= bound).all():
                msg.append("max err %.3g > bound" % err.max())
            failures += report(tag, msg)
    return failures


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    flags = cpu_flags()
    mcpus = ["x86-64"]
    if {"avx2", "fma"} <= flags:
        mcpus.append("x86-64-v3")
    avx512 = {"avx512f", "avx512bw", "avx512vl", "fma"} <= flags
    if avx512:
        mcpus.append("native")
    else:
        print("native (AVX-512 kernels): skipped, this CPU lacks AVX-512 F/BW/VL")
    if "avx512_vnni" not in flags:
        print("VNNI kernel: skipped, this CPU has no avx512_vnni")
    shapes = [(1, 64, 48), (1, 256, 100), (3, 64, 64), (7, 100, 33),
              (5, 66, 40), (13, 128, 130), (64, 520, 96), (6, 96, 50, "gemm")]
    # The kernel each --mcpu calls (Ukernels.def), by K % 4 and K % 2.
    def expected_kernel(mcpu, quant, k):
        if quant == "none":
            return {"x86-64": "f32_8x1_generic", "x86-64-v3": "f32_16x1_avx2",
                    "native": "f32_32x1_avx512"}[mcpu]
        if mcpu == "native" and "avx512_vnni" in flags and k % 4 == 0:
            return "s8s8s32_32x4_avx512vnni"
        if mcpu != "x86-64" and k % 2 == 0:
            return "s8s8s32_16x2_avx2"
        return "s8s8s32_8x1_generic"
    failures = 0
    for si, shape in enumerate(shapes):
        m, k, n = shape[:3]
        gemm = len(shape) > 3
        model = os.path.join(work, "mm_%d.onnx" % si)
        w, a = make_model(model, m, k, n, si, gemm)
        exact = a.astype(np.float64) @ w.astype(np.float64)
        bound = 1e-4 * (np.abs(a).astype(np.float64) @ np.abs(w).astype(np.float64)) + 1e-6
        for mcpu in mcpus:
            for quant in ["none", "w8-dynamic"]:
                tag = "%s%dx%dx%d %s %s" % ("gemm " if gemm else "", m, k, n, quant, mcpu)
                args = ["--mcpu=" + mcpu, "--quant=" + quant]
                so = compile_so(model, os.path.join(work, "%d_%s_%s.so" % (si, quant, mcpu)), args)
                ll = subprocess.run([QCC, model, "-o", "-", "--emit=llvm"] + args, check=True,
                                    capture_output=True, text=True).stdout
                kernel = expected_kernel(mcpu, quant, k)
                called = called_kernels(ll, "quk_mmt4d_")
                tag += " [%s]" % ",".join(called)
                outs = run_threads(so, a)
                msg = []
                if called != [kernel]:
                    msg.append("expected a call of %s" % kernel)
                if not np.array_equal(outs[0], outs[1]):
                    msg.append("1 vs 2 threads differ")
                y = outs[0]
                if quant == "none":
                    err = np.abs(y - exact)
                    if not (err <= bound).all():
                        msg.append("max err %.3g > bound" % err.max())
                else:
                    acc, sa, sw = dynamic_ref(a, w)
                    ref = (acc.astype(np.float32) * sa) * sw
                    if not np.allclose(y, ref, rtol=1e-6, atol=1e-6):
                        msg.append("vs exact reference max err %.3g"
                                   % np.abs(y - ref).max())
                    gen = compile_so(model, so[:-3] + "_gen.so", args + ["--ukernels=false"])
                    yg = qcc.load(gen)(a)["y"]
                    if not np.array_equal(y, yg):
                        msg.append("differs from --ukernels=false by %.3g"
                                   % np.abs(y - yg).max())
                failures += report(tag, msg)
    failures += check_w4(work, mcpus, avx512, "avx512_vnni" in flags)
    failures += check_pointwise(work, mcpus)
    # Concurrency: 4 Python threads calling one model (pool of 2) at once
    # get the single-threaded results.
    model = os.path.join(work, "mm_conc.onnx")
    w, a = make_model(model, 64, 520, 96, 99)
    so = compile_so(model, os.path.join(work, "conc.so"), [])
    mod = qcc.load(so, threads=2)
    ref = qcc.load(so, threads=1)(a)["y"]
    bad = []

    def worker():
        for _ in range(20):
            if not np.array_equal(mod(a)["y"], ref):
                bad.append(1)
    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if bad:
        failures += 1
        print("concurrent calls: FAIL %d of 80 differ" % len(bad))
    else:
        print("concurrent calls: 4 threads x 20 calls, pool of 2: ok")
    print("ukernels: %s" % ("ok" if failures == 0 else "%d FAILED" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
