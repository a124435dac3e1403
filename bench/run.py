#!/usr/bin/python3
"""qcc vs ONNX Runtime: latency on the same model, inputs and machine.

    /usr/bin/python3 bench/run.py [--cases a,b] [--threads 2] [--rounds 5]
                                  [--repeat 20] [--work DIR]

For every case: compile the model with qcc (compile time and peak RSS are
measured), then run qcc's .so (tools qcc-run) and ONNX Runtime (tools/ort-run,
onnxruntime-node, CPU, graph optimisations on) alternately for --rounds
rounds of --repeat timed runs after warm-up, on the same input files. One
table per case: the median over rounds of each runtime's median latency and
the qcc/ORT ratio (> 1 means qcc is slower).

Cases: matmul_1x4096x4096, matmul_128x4096x4096 (fp32, weights as
initializers), resnet18 (batch 1), gpt2_decode (GPT-2-style decode step with
a KV cache, ~100M parameters; also the compile time/memory case).
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bin")
ALL_CASES = ["matmul_1x4096x4096", "matmul_128x4096x4096", "resnet18", "gpt2_decode"]


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


def prepare(case, work):
    d = os.path.join(work, case)
    if os.path.exists(os.path.join(d, "model.onnx")):
        return d
    if case.startswith("matmul_"):
        m, k, n = map(int, case.split("_")[1].split("x"))
        make_matmul(d, m, k, n)
    else:
        only = case
        cfg = ["--gpt2-config", "base"] if case == "gpt2_decode" else []
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "models", "make_models.py"),
                        work, "--only", only] + cfg, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return d


def compile_model(model_dir, so):
    start = time.time()
    p = subprocess.Popen([os.path.join(BIN, "qcc"), os.path.join(model_dir, "model.onnx"),
                          "-O3", "-o", so], stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    err = p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("qcc failed on %s:\n%s" % (model_dir, err))
    return time.time() - start, usage.ru_maxrss / 1024.0


def latency(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"latency: median ([0-9.]+) ms", p.stdout)
    if p.returncode != 0 or not m:
        raise SystemExit("benchmark command failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(ALL_CASES))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    print("qcc vs ONNX Runtime 1.20.1 (onnxruntime-node, CPU EP) on %s, %d cores, %s"
          % (cpu, os.cpu_count(), time.strftime("%Y-%m-%d")))
    print("ORT threads: %d; qcc: 1 thread (generated code is single-threaded)\n" % args.threads)
    rows = []
    for case in args.cases.split(","):
        d = prepare(case, args.work)
        so = os.path.join(args.work, case + ".so")
        ctime, rss = compile_model(d, so)
        inputs = sorted(f for f in os.listdir(os.path.join(d, "test_data_set_0"))
                        if f.startswith("input_"))
        in_args = []
        for f in inputs:
            in_args += ["--input", os.path.join(d, "test_data_set_0", f)]
        qcc_cmd = [os.path.join(BIN, "qcc-run"), so, "--repeat", str(args.repeat)] + in_args
        ort_cmd = ["node", os.path.join(ROOT, "tools", "ort-run", "ort-run.js"),
                   os.path.join(d, "model.onnx"), "--threads", str(args.threads),
                   "--repeat", str(args.repeat)] + in_args
        q, o = [], []
        for _ in range(args.rounds):  # alternate to share machine noise
            q.append(latency(qcc_cmd))
            o.append(latency(ort_cmd))
        qm, om = statistics.median(q), statistics.median(o)
        rows.append((case, qm, om))
        print("case: %s" % case)
        print("  | runtime | median latency (ms) |")
        print("  |---|---|")
        print("  | qcc | %.3f |" % qm)
        print("  | ORT | %.3f |" % om)
        print("  qcc/ORT ratio: %.2f   qcc compile: %.1f s, peak RSS %.0f MB\n"
              % (qm / om, ctime, rss))
    print("summary")
    print("| case | qcc ms | ORT ms | qcc/ORT |")
    print("|---|---|---|---|")
    for case, qm, om in rows:
        print("| %s | %.3f | %.3f | %.2f |" % (case, qm, om, qm / om))


if __name__ == "__main__":
    main()
