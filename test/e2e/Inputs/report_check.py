#!/usr/bin/python3
"""Checks qcc's --report against independent measurements.

    report_check.py WORK_DIR MODEL.onnx MODE [QCC_FLAGS...]

Writes 16 random calibration samples (seed 0) for the model's single input
as WORK_DIR/cal.npz, compiles with `qcc --calib=cal.npz --report=...` in
JSON and HTML, then checks:
  - every MatMul/Gemm/Conv node with at least `min` weight elements is a
    report layer, with bytes_before = 4 x its ONNX weight's element count;
  - the model's output SQNR in the report equals the SQNR of the compiled
    .so (run through the Python API) against ONNX Runtime's float outputs on
    the same samples, within 0.05 dB;
  - the HTML holds one table row and one SVG bar per layer.
Prints `report MODE: ok` or the failures.
"""
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import onnx
from onnx import numpy_helper

import qcc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
work, model_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
flags = sys.argv[4:]
os.makedirs(work, exist_ok=True)
model = onnx.load(model_path)
inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
inp = model.graph.input[0]
shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
rng = np.random.RandomState(0)
samples = rng.randn(16, *shape).astype(np.float32)
cal = os.path.join(work, "cal.npz")
np.savez(cal, **{inp.name: samples})

qcc_bin = os.path.join(ROOT, "build", "bin", "qcc")
so = os.path.join(work, mode + ".so")
rj, rh = os.path.join(work, mode + ".json"), os.path.join(work, mode + ".html")
for report in (rj, rh):
    subprocess.run([qcc_bin, model_path, "--calib=" + cal, "--report=" + report,
                    "-o", so] + flags, check=True, stderr=subprocess.DEVNULL)
report = json.load(open(rj))
failures = []

# Layers against the ONNX graph.
min_elements = 256 if "--quant=w8a8" in flags else 1024
layers = {l["layer"]: l for l in report["layers"]}
for node in model.graph.node:
    if node.op_type not in ("MatMul", "Gemm", "Conv"):
        continue
    w = inits.get(node.input[1])
    if w is None or w.size < min_elements:
        continue
    name = node.name or node.output[0]
    if name not in layers:
        failures.append("layer %s missing" % name)
        continue
    if layers[name]["bytes_before"] != 4 * w.size:
        failures.append("%s: bytes_before %d, ONNX weight has %d bytes" %
                        (name, layers[name]["bytes_before"], 4 * w.size))
    if layers[name]["bytes_after"] >= layers[name]["bytes_before"] / 3:
        failures.append("%s: bytes_after %d is not smaller" %
                        (name, layers[name]["bytes_after"]))
if not layers:
    failures.append("no layers in the report")

# Output SQNR against ONNX Runtime's float model on the same samples.
ort_dir = os.path.join(work, "ort")
m = qcc.load(so)
signal = noise = 0.0
for s in range(len(samples)):
    x = os.path.join(work, "x%d.npy" % s)
    np.save(x, samples[s])
    out = os.path.join(ort_dir, str(s))
    subprocess.run(["node", os.path.join(ROOT, "tools", "ort-run", "ort-run.js"),
                    model_path, "--input", "%s=%s" % (inp.name, x),
                    "--output-dir", out], check=True, capture_output=True)
    ref = np.load(os.path.join(out, model.graph.output[0].name + ".npy"))
    got = m(**{inp.name: samples[s]})[model.graph.output[0].name]
    signal += float(np.sum(ref.astype(np.float64) ** 2))
    noise += float(np.sum((ref.astype(np.float64) - got) ** 2))
measured = 10 * np.log10(signal / noise)
reported = report["model"]["outputs"][0]["sqnr_db"]
if report["model"]["samples"] != 16 or abs(measured - reported) > 0.05:
    failures.append("output SQNR: report %s dB on %d samples, measured %.2f dB"
                    % (reported, report["model"]["samples"], measured))
for l in report["layers"]:
    if not (l.get("sqnr_db") and 10 < l["sqnr_db"] < 80):
        failures.append("%s: implausible layer SQNR %s" % (l["layer"], l.get("sqnr_db")))


class Counter(HTMLParser):
    rows = bars = 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows += 1
        if tag == "rect":
            self.bars += 1


html = open(rh).read()
c = Counter()
c.feed(html)
n = len(report["layers"])
# One header row + one per layer; SQNR bars + two byte bars per layer.
if c.rows != n + 1 or c.bars != 3 * n:
    failures.append("html: %d rows, %d bars for %d layers" % (c.rows, c.bars, n))
embedded = json.loads(re.search(r'id="report">\n(.*)\n</script>', html, re.S).group(1))
if embedded["layers"] != report["layers"]:
    failures.append("html: embedded JSON differs from the JSON report")

print("report %s: %d layers, output SQNR %.2f dB (measured %.2f), %.2fx smaller: %s"
      % (mode, n, reported, measured, report["model"]["compression"],
         "ok" if not failures else "FAIL"))
for f in failures:
    print("  " + f)
sys.exit(1 if failures else 0)
