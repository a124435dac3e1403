#!/usr/bin/python3
"""qcc vs ONNX Runtime: latency on the same model, inputs, machine and
thread count.

    /usr/bin/python3 bench/run.py [--cases a,b|--group fp32,int8,int4]
                                  [--threads 2] [--rounds 5] [--repeat 20]
                                  [--work DIR]

For every case: compile the model with qcc (compile time and peak RSS are
measured), then run qcc's .so (tools qcc-run --threads N) and ONNX Runtime
(tools/ort-run, onnxruntime-node, CPU EP, graph optimisations on, --threads
N) alternately for --rounds rounds of --repeat timed runs after warm-up, on
the same input files, and qcc once more with 1 thread (scaling). Printed per
case: medians over rounds, qcc/ORT (> 1: qcc is slower), and for the
matrix-vector cases the weight bytes streamed per run as a fraction of the
DRAM read bandwidth this script measures (numpy, N threads), for the
matrix-matrix cases GFLOP/s.

ORT runs the float model for fp32 cases; for w8-dynamic MatMul its own
dynamic form (DynamicQuantizeLinear + MatMulInteger, u8 activations); for
w4 MatMul the MatMulNBits model qcc exports (--emit=onnx) with
accuracy_level 4 (int8 compute, ORT's fastest); for w8a8 qcc's QDQ export
and the float model; for GPT-2 decode the float model.

Cases (name: qcc flags / ORT model):
  matmul_MxKxN            fp32 MatMul, weights as initializers / float
  dyn_matmul_MxKxN        --quant=w8-dynamic / export
  w4_matmul_MxKxN         --quant=w4 --group-size=32 / export
  w4i8_matmul_MxKxN       ... --w4-int8-act (int8 activations, as ORT's
                          accuracy_level 4) / export
  resnet18, mobilenet_v2  fp32, batch 1 / float
  resnet18_w8a8           --quant=w8a8 --calib=<its input> / export and float
  gpt2_decode             GPT-2-style decode step, KV cache, ~110M params
  gpt2_decode_w8dyn, gpt2_decode_w4, gpt2_decode_w4i8   / float
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
GROUPS = {
    "fp32": ["matmul_1x4096x4096", "matmul_128x4096x4096", "resnet18", "mobilenet_v2",
             "gpt2_decode"],
    "int8": ["dyn_matmul_1x4096x4096", "dyn_matmul_128x4096x4096", "resnet18_w8a8",
             "gpt2_decode_w8dyn"],
    "int4": ["w4_matmul_1x4096x4096", "w4_matmul_128x4096x4096", "gpt2_decode_w4",
             "w4i8_matmul_1x4096x4096", "w4i8_matmul_128x4096x4096", "gpt2_decode_w4i8"],
}
ALL_CASES = GROUPS["fp32"] + GROUPS["int8"] + GROUPS["int4"]


def make_matmul(out_dir, m, k, n):
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    rng = np.random.RandomState(0)
    w = numpy_helper.from_array(rng.randn(k, n).astype(np.float32) / np.sqrt(k), "w")
    g = helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")],
                          "matmul", [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out_dir, "model.onnx"))
    a = numpy_helper.from_array(rng.randn(m, k).astype(np.float32), "a")
    with open(os.path.join(out_dir, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(a.SerializeToString())


def make_ort_dynamic(model_path, out_path):
    """ONNX Runtime's own dynamic int8 form of a one-MatMul model (what
    onnxruntime.quantization.quantize_dynamic emits, per-column weights):
    DynamicQuantizeLinear (u8 activations) -> MatMulInteger with the int8
    weight -> Cast -> x activation scale -> x weight scales."""
    m = onnx.load(model_path)
    w = numpy_helper.to_array(m.graph.initializer[0]).astype(np.float32)
    sw = np.abs(w).max(axis=0) / 127.0
    sw[sw == 0] = 1
    wq = np.clip(np.rint(w / sw), -127, 127).astype(np.int8)
    a, y = m.graph.input[0].name, m.graph.output[0].name
    nodes = [helper.make_node("DynamicQuantizeLinear", [a], ["aq", "as", "az"]),
             helper.make_node("MatMulInteger", ["aq", "wq", "az"], ["acc"]),
             helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["accf", "as"], ["ya"]),
             helper.make_node("Mul", ["ya", "sw"], [y])]
    g = helper.make_graph(nodes, "dyn", list(m.graph.input), list(m.graph.output),
                          [numpy_helper.from_array(wq, "wq"),
                           numpy_helper.from_array(sw.astype(np.float32), "sw")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), out_path)


def set_accuracy_level(path, level=4):
    """MatMulNBits with int8 compute (accuracy_level 4), ORT's fast path."""
    m = onnx.load(path)
    for node in m.graph.node:
        if node.op_type == "MatMulNBits":
            attrs = [a for a in node.attribute if a.name != "accuracy_level"]
            del node.attribute[:]
            node.attribute.extend(attrs + [helper.make_attribute("accuracy_level", level)])
    onnx.save(m, path)


def case_spec(case):
    """(model directory name, qcc flags, ORT model: 'float' | 'export' |
    'both', shape (m, k, n) for the MatMul cases or None)."""
    m = re.match(r"^(dyn_|w4_|w4i8_)?matmul_(\d+)x(\d+)x(\d+)$", case)
    if m:
        flags = {None: [], "dyn_": ["--quant=w8-dynamic"],
                 "w4_": ["--quant=w4", "--group-size=32"],
                 "w4i8_": ["--quant=w4", "--group-size=32", "--w4-int8-act"]}[m.group(1)]
        shape = tuple(int(x) for x in m.groups()[1:])
        return ("matmul_%dx%dx%d" % shape, flags, "export" if flags else "float", shape)
    if case == "resnet18_w8a8":
        return ("resnet18", ["--quant=w8a8", "--calib=CALIB"], "both", None)
    if case == "gpt2_decode_w8dyn":
        return ("gpt2_decode", ["--quant=w8-dynamic"], "float", None)
    if case == "gpt2_decode_w4":
        return ("gpt2_decode", ["--quant=w4", "--group-size=32"], "float", None)
    if case == "gpt2_decode_w4i8":
        return ("gpt2_decode", ["--quant=w4", "--group-size=32", "--w4-int8-act"], "float",
                None)
    if case in ("resnet18", "mobilenet_v2", "gpt2_decode"):
        return (case, [], "float", None)
    raise SystemExit("unknown case '%s' (known: %s)" % (case, ", ".join(ALL_CASES)))


def prepare(name, work):
    d = os.path.join(work, name)
    if os.path.exists(os.path.join(d, "model.onnx")):
        return d
    if name.startswith("matmul_"):
        m, k, n = map(int, name.split("_")[1].split("x"))
        make_matmul(d, m, k, n)
    else:
        cfg = ["--gpt2-config", "base"] if name == "gpt2_decode" else []
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "models", "make_models.py"),
                        work, "--only", name] + cfg, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return d


def run_qcc(model, out, flags, extra=()):
    start = time.time()
    p = subprocess.Popen([os.path.join(BIN, "qcc"), model, "-O3", "-o", out] + flags + list(extra),
                         stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    err = p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("qcc failed on %s:\n%s" % (model, err))
    return time.time() - start, usage.ru_maxrss / 1024.0


def latency(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"latency: median ([0-9.]+) ms", p.stdout)
    if p.returncode != 0 or not m:
        raise SystemExit("benchmark command failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return float(m.group(1))


def dram_bandwidth(threads, mib=1024):
    """Read bandwidth in GB/s: `threads` numpy threads each summing its part
    of a `mib` MiB array (numpy releases the GIL in the reduction); best of
    5. Measured in a child process, so that this one stays small (a fork
    of it would count the array in the compiler's peak RSS)."""
    code = ("import sys; sys.path.insert(0, %r); import run; print(run._bandwidth(%d, %d))"
            % (os.path.dirname(os.path.abspath(__file__)), threads, mib))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return float(out.split()[-1])


def _bandwidth(threads, mib):
    a = np.ones(mib * 1024 * 1024 // 8)
    parts = np.array_split(a, threads)
    best = 0.0
    for _ in range(5):
        ts = [threading.Thread(target=np.sum, args=(p,)) for p in parts]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        best = max(best, a.nbytes / (time.perf_counter() - t0) / 1e9)
    return best


def weight_bytes(flags, k, n):
    if "--quant=w8-dynamic" in flags:
        return k * n + 4 * n
    if "--quant=w4" in flags:
        return k * n // 2 + 4 * n * (k // 32)
    return 4 * k * n


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=None)
    ap.add_argument("--group", default=None, help="fp32,int8,int4")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    args = ap.parse_args()
    if args.cases:
        cases = args.cases.split(",")
    elif args.group:
        cases = [c for g in args.group.split(",") for c in GROUPS[g]]
    else:
        cases = ALL_CASES
    os.makedirs(args.work, exist_ok=True)
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        cpu = re.search(r"model name\s*:\s*(.*)", info).group(1)
        fam = re.search(r"cpu family\s*:\s*(\d+)", info).group(1)
        model = re.search(r"^model\s*:\s*(\d+)", info, re.M).group(1)
        flags = re.search(r"flags\s*:\s*(.*)", info).group(1).split()
        isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
        if "avx512_vnni" in flags:
            isa += " VNNI"
        if "amx_tile" in flags:
            isa += " AMX"
        cpu = "%s (family %s model %s, %s)" % (cpu, fam, model, isa)
    except (OSError, AttributeError):
        pass
    bw = dram_bandwidth(args.threads)
    print("qcc vs ONNX Runtime (onnxruntime-node, CPU EP) on %s, %d cores, %s"
          % (cpu, os.cpu_count(), time.strftime("%Y-%m-%d")))
    print("threads: %d for both (qcc also with 1); measured DRAM read bandwidth "
          "%.1f GB/s with %d threads\n" % (args.threads, bw, args.threads))
    rows = []
    for case in cases:
        name, flags, ort_kind, shape = case_spec(case)
        d = prepare(name, args.work)
        model = os.path.join(d, "model.onnx")
        so = os.path.join(args.work, case + ".so")
        flags = [f.replace("CALIB", d) for f in flags]  # d/test_data_set_0: one sample
        ctime, rss = run_qcc(model, so, flags)
        ort_models = []
        if ort_kind in ("export", "both") and "--quant=w8-dynamic" in flags:
            peer = os.path.join(args.work, case + ".ort-dynamic.onnx")
            make_ort_dynamic(model, peer)
            ort_models.append(("ORT DynamicQuantizeLinear+MatMulInteger", peer))
        elif ort_kind in ("export", "both"):
            exported = os.path.join(args.work, case + ".qdq.onnx")
            run_qcc(model, exported, flags, ["--emit=onnx"])
            label = "ORT on qcc's QDQ export"
            if "--quant=w4" in flags:
                set_accuracy_level(exported, 4)
                label = "ORT MatMulNBits (qcc export, accuracy_level 4)"
            ort_models.append((label, exported))
        if ort_kind in ("float", "both"):
            ort_models.append(("ORT fp32", model))
        inputs = sorted(f for f in os.listdir(os.path.join(d, "test_data_set_0"))
                        if f.startswith("input_"))
        in_args = []
        for f in inputs:
            in_args += ["--input", os.path.join(d, "test_data_set_0", f)]

        def qcc_cmd(t):
            return [os.path.join(BIN, "qcc-run"), so, "--threads", str(t),
                    "--repeat", str(args.repeat)] + in_args

        def ort_cmd(m):
            return ["node", os.path.join(ROOT, "tools", "ort-run", "ort-run.js"), m,
                    "--threads", str(args.threads), "--repeat", str(args.repeat)] + in_args

        q, q1, o = [], [], [[] for _ in ort_models]
        for _ in range(args.rounds):  # alternate to share machine noise
            q.append(latency(qcc_cmd(args.threads)))
            for i, (_, m) in enumerate(ort_models):
                o[i].append(latency(ort_cmd(m)))
            q1.append(latency(qcc_cmd(1)))
        qm, q1m = statistics.median(q), statistics.median(q1)
        print("case: %s (qcc %s)" % (case, " ".join(flags).replace(args.work, "$WORK") or "fp32"))
        print("  qcc: %.3f ms with %d threads, %.3f ms with 1 (scaling %.2fx); "
              "compile %.1f s, peak RSS %.0f MB" % (qm, args.threads, q1m, q1m / qm, ctime, rss))
        for (label, _), times in zip(ort_models, o):
            om = statistics.median(times)
            print("  %s: %.3f ms   qcc/ORT %.2f" % (label, om, qm / om))
            rows.append((case, label, qm, om))
        if shape:
            m, k, n = shape
            if m == 1:
                gbs = weight_bytes(flags, k, n) / (qm * 1e-3) / 1e9
                print("  weights streamed at %.1f GB/s = %.0f%% of measured DRAM bandwidth"
                      % (gbs, 100 * gbs / bw))
            else:
                print("  %.1f GFLOP/s" % (2.0 * m * k * n / (qm * 1e-3) / 1e9))
        print()
    print("summary (%d threads)" % args.threads)
    print("| case | peer | qcc ms | peer ms | qcc/peer |")
    print("|---|---|---|---|---|")
    for case, label, qm, om in rows:
        print("| %s | %s | %.3f | %.3f | %.2f |" % (case, label, qm, om, qm / om))


if __name__ == "__main__":
    main()
