#!/usr/bin/python3
"""Quantization quality and size: what each qcc --quant mode costs in accuracy
and saves in bytes, on a CNN trained on real data and on two ImageNet-shaped
networks.

    /usr/bin/python3 bench/quality.py [--parts digits,resnet18,mobilenet_v2]
        [--methods minmax,percentile,entropy,mse] [--work DIR] [--check]

digits: the CNN of test/models/train_digits.py (trained here, deterministic,
  on scikit-learn's 8x8 handwritten digits; 450 held-out test images).
  Compiled with qcc in every mode (batch 1, --input-shape x=1x1x8x8), the
  test set is run through each .so (python/qcc). Reported: top-1 accuracy,
  its change vs qcc fp32 in points, agreement of the predictions with fp32,
  logit SQNR vs fp32, .so size, the .so's read-only data (weights, scales),
  layers quantized. ONNX Runtime (tools/ort-run) computes the fp32 accuracy
  independently. W8A8 calibrates on 128 training images.
resnet18, mobilenet_v2: the random-weight torchvision graphs of
  test/models/make_models.py. Inputs are smooth random images (fixed seed):
  the sum of five octaves of Gaussian noise on 4x4..64x64 grids with 1/f
  amplitudes, bilinearly upsampled to 224x224, scaled to [0, 1] per image
  and ImageNet-normalised (mean 0.485/0.456/0.406, std 0.229/0.224/0.225);
  32 of them calibrate, 32 others are the test set. Reported: output SQNR
  vs the fp32 .so for W8A8 per channel with every calibration method, W8A8
  per tensor (--per-tensor, minmax), W8 and W4 g128, with .so sizes.

Targets (--check exits 1 when one is missed):
  digits  W8A8 per channel (default calibration, mse): accuracy drop vs
          fp32 <= 0.5 points
  digits  W4 g32 weight-only: accuracy drop <= 1.5 points
  digits  qcc fp32 accuracy == ONNX Runtime fp32 accuracy (when ORT exists)
  resnet18, mobilenet_v2: W8A8 per channel (default calibration, mse)
          SQNR >= 30 dB, per-tensor minmax SQNR below it, and the weights
          (quantized layers' integers + scales, float layers as they are)
          >= 3.9x smaller than fp32 at W8 and >= 7x at W4 g128
The last line of output is one JSON object with every number.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import qcc  # noqa: E402
from qcc.metrics import rodata_bytes, sqnr  # noqa: E402

QCC = os.environ.get("QCC_BIN", os.path.join(ROOT, "build", "bin", "qcc"))
PY = "/usr/bin/python3"
ORT_RUN = os.path.join(ROOT, "tools", "ort-run", "ort-run.js")
METHODS = ["minmax", "percentile", "entropy", "mse"]
DEFAULT_METHOD = "mse"  # qcc's --calib-method default
ALL_IMAGENET = ["resnet18", "mobilenet_v2", "resnet18-bn", "mobilenet_v2-bn"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def compile_so(model, so, flags):
    start = time.time()
    # qcc's stderr (calibration progress) is shown as it comes and kept for
    # the error message.
    p = subprocess.Popen([QCC, model, "-o", so] + flags, stderr=subprocess.PIPE)
    chunks = []
    for chunk in iter(lambda: p.stderr.read1(4096), b""):
        chunks.append(chunk)
        sys.stderr.buffer.write(chunk)
        sys.stderr.flush()
    p.wait()
    if p.returncode != 0:
        err = b"".join(chunks).decode(errors="replace").replace("\r", "\n")
        err = "\n".join(l for l in err.splitlines() if "samples, ETA" not in l)
        how = ("crashed (signal %d)" % -p.returncode if p.returncode < 0
               else "failed (status %d)" % p.returncode)
        return None, "qcc %s\n%s:\n%s" % (how, " ".join(flags), err[-3000:])
    return time.time() - start, None


def build_mode(model, work, part, name, flags, res):
    """Compiles `model` with `flags` into WORK/<name>.so and loads it:
    (path, qcc.Model, compile seconds), or (path, None, None) with the
    error recorded in res["modes"][name]."""
    so = os.path.join(work, re.sub(r"[^a-z0-9]+", "_", name) + ".so")
    log("%s: %s" % (part, name))
    ctime, err = compile_so(model, so, flags)
    if err:
        res["modes"][name] = {"error": err}
        log(err)
        return so, None, None
    return so, qcc.load(so), ctime


_coverage_cache = {}


def layer_coverage(model, flags, layers):
    """Which layers `flags` quantize and the model's weight bytes after it,
    from the qcc.quant records of --emit=mlir (each records the bytes of its
    weight before and after quantization, scales and zero points
    included). `layers` is onnx_layers(model)."""
    names_all, fp32_bytes = layers
    # The records do not depend on the calibration method.
    key = (model, tuple(f for f in flags if not f.startswith("--calib-method")))
    if key in _coverage_cache:
        return _coverage_cache[key]
    p = subprocess.run([QCC, model, "--emit=mlir", "-o", "-"] + flags,
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    names, before, after = [], 0, 0
    for rec in re.finditer(r"qcc\.quant = #qcc\.quant<([^>]*)>", p.stdout):
        body = rec.group(1)
        names.append(re.search(r'layer = "([^"]*)"', body).group(1))
        before += int(re.search(r"bytes_before = (\d+)", body).group(1))
        after += int(re.search(r"bytes_after = (\d+)", body).group(1))
    cov = {"quantized": len(names), "layers": len(names_all),
           "float": [n for n in names_all if n not in names],
           "weight_bytes": fp32_bytes - before + after}
    _coverage_cache[key] = cov
    return cov


def onnx_layers(model):
    """Names of the model's Conv/Gemm/MatMul nodes and the bytes of all its
    initializers (the fp32 model's weights)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(model)
    return ([n.name for n in m.graph.node if n.op_type in ("Conv", "Gemm", "MatMul")],
            sum(numpy_helper.to_array(t).nbytes for t in m.graph.initializer))


def run_ort(model, inputs, out_dir):
    """ONNX Runtime's outputs for `inputs` (name -> .npy path), or None when
    ORT is not installed."""
    mods = os.environ.get("QCC_ORT_MODULES",
                          os.path.join(ROOT, "build", "ort", "node_modules"))
    if not shutil.which("node") or not os.path.isdir(os.path.join(mods, "onnxruntime-node")):
        return None
    cmd = ["node", ORT_RUN, model, "--output-dir", out_dir]
    for name, path in inputs.items():
        cmd += ["--input", "%s=%s" % (name, path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return {f[:-4]: np.load(os.path.join(out_dir, f)) for f in os.listdir(out_dir)
            if f.endswith(".npy")}


def fmt_bytes(n):
    return "%.1f KB" % (n / 1e3) if n < 1e6 else "%.2f MB" % (n / 1e6)


def fmt_weights(r, fp32):
    """Weight bytes, and how much smaller than fp32's."""
    if not r.get("weight_bytes"):
        return "?"
    if r is fp32 or not fp32.get("weight_bytes"):
        return fmt_bytes(r["weight_bytes"])
    return "%s (%.2fx smaller)" % (fmt_bytes(r["weight_bytes"]),
                                   fp32["weight_bytes"] / r["weight_bytes"])


# ---------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------

def digits_modes(methods):
    modes = [("fp32", [])]
    for m in methods:
        modes.append(("w8a8 per-channel %s" % m,
                      ["--quant=w8a8", "--calib=CALIB", "--calib-method=" + m]))
    modes.append(("w8a8 per-tensor minmax",
                  ["--quant=w8a8", "--calib=CALIB", "--calib-method=minmax", "--per-tensor"]))
    modes += [("w8", ["--quant=w8"]),
              ("w4 g32", ["--quant=w4", "--group-size=32"]),
              ("w4 g128", ["--quant=w4", "--group-size=128"]),
              ("w3 g64", ["--quant=w3", "--group-size=64"]),
              ("w2 g64", ["--quant=w2", "--group-size=64"]),
              ("w8-dynamic", ["--quant=w8-dynamic"])]
    return modes


def bench_digits(args, results, targets):
    d = os.path.join(args.work, "digits")
    model = os.path.join(d, "model.onnx")
    if not os.path.exists(os.path.join(d, "test_y.npy")):
        log("digits: training (test/models/train_digits.py)")
        start = time.time()
        p = subprocess.run([PY, os.path.join(ROOT, "test", "models", "train_digits.py"), d],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("train_digits.py failed:\n" + p.stderr[-3000:])
        log("digits: trained in %.1f s" % (time.time() - start))
    x = np.load(os.path.join(d, "test_x.npy"))
    y = np.load(os.path.join(d, "test_y.npy"))
    calib = os.path.join(d, "calib.npz")
    layers = onnx_layers(model)
    res = {"test_images": int(len(y)), "modes": {}}
    results["digits"] = res

    ort = run_ort(model, {"x": os.path.join(d, "test_x.npy")}, os.path.join(d, "ort"))
    if ort is not None:
        res["ort_fp32_accuracy"] = float(100.0 * (ort["logits"].argmax(1) == y).mean())

    ref_logits = ref_pred = None
    for name, flags in digits_modes(args.methods):
        flags = [f.replace("CALIB", calib) for f in flags] + ["--input-shape", "x=1x1x8x8"]
        so, m, ctime = build_mode(model, d, "digits", name, flags, res)
        if m is None:
            continue
        logits = np.concatenate([m(x=x[i:i + 1])["logits"] for i in range(len(x))])
        pred = logits.argmax(1)
        r = {"accuracy": float(100.0 * (pred == y).mean()),
             "so_bytes": os.path.getsize(so), "rodata_bytes": rodata_bytes(so),
             "compile_s": round(ctime, 2)}
        if name == "fp32":
            ref_logits, ref_pred = logits, pred
            r["weight_bytes"] = layers[1]
            if ort is not None:
                r["max_abs_diff_vs_ort"] = float(np.abs(logits - ort["logits"]).max())
        else:
            r["delta_points"] = r["accuracy"] - res["modes"]["fp32"]["accuracy"]
            r["agreement"] = float(100.0 * (pred == ref_pred).mean())
            r["logit_sqnr_db"] = sqnr(ref_logits, logits)
            r["coverage"] = layer_coverage(model, flags, layers)
            r["weight_bytes"] = r["coverage"]["weight_bytes"] if r["coverage"] else None
        res["modes"][name] = r

    fp = res["modes"].get("fp32", {})
    print("\n## digits CNN (test/models/train_digits.py): %d held-out images" % len(y))
    if "ort_fp32_accuracy" in res:
        print("ONNX Runtime fp32 accuracy: %.2f%% (qcc fp32 %.2f%%, max |logit diff| %.2g)"
              % (res["ort_fp32_accuracy"], fp.get("accuracy", float("nan")),
                 fp.get("max_abs_diff_vs_ort", float("nan"))))
    else:
        print("ONNX Runtime: not installed (scripts/setup.sh installs it), no reference")
    print("| mode | accuracy | vs fp32 | agrees with fp32 | logit SQNR | .so | weights "
          "| layers quantized |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in res["modes"].items():
        if "error" in r:
            print("| %s | %s | | | | | | |" % (name, r["error"].splitlines()[0]))
            continue
        cov = r.get("coverage")
        covs = "" if not cov else "%d/%d%s" % (
            cov["quantized"], cov["layers"],
            " (float: %s)" % ", ".join(cov["float"]) if cov["float"] else "")
        print("| %s | %.2f%% | %s | %s | %s | %s | %s | %s |" % (
            name, r["accuracy"],
            "" if name == "fp32" else "%+.2f" % r["delta_points"],
            "" if name == "fp32" else "%.2f%%" % r["agreement"],
            "" if name == "fp32" else "%.1f dB" % r["logit_sqnr_db"],
            fmt_bytes(r["so_bytes"]), fmt_weights(r, fp), covs))

    def drop_target(mode, limit, label):
        r = res["modes"].get(mode, {})
        if "accuracy" not in r or "accuracy" not in fp:
            targets.append({"name": label, "ok": False, "value": None, "limit": limit})
            return
        drop = fp["accuracy"] - r["accuracy"]
        targets.append({"name": label, "ok": drop <= limit + 1e-9, "value": round(drop, 4),
                        "limit": limit})

    if DEFAULT_METHOD in args.methods:
        drop_target("w8a8 per-channel " + DEFAULT_METHOD, 0.5,
                    "digits w8a8 per-channel accuracy drop <= 0.5 points")
    drop_target("w4 g32", 1.5, "digits w4 g32 accuracy drop <= 1.5 points")
    if "ort_fp32_accuracy" in res and "accuracy" in fp:
        targets.append({"name": "digits qcc fp32 accuracy == ONNX Runtime fp32 accuracy",
                        "ok": abs(res["ort_fp32_accuracy"] - fp["accuracy"]) < 1e-9,
                        "value": fp["accuracy"], "limit": res["ort_fp32_accuracy"]})


# ---------------------------------------------------------------------------
# resnet18 / mobilenet_v2
# ---------------------------------------------------------------------------

def smooth_images(n, seed):
    """n smooth random 3x224x224 images (see the module docstring)."""
    import torch
    rng = np.random.RandomState(seed)
    out = np.zeros((n, 3, 224, 224), np.float32)
    for i in range(n):
        img = torch.zeros(1, 3, 224, 224)
        for g in (4, 8, 16, 32, 64):
            noise = torch.from_numpy(rng.randn(1, 3, g, g).astype(np.float32)) * (4.0 / g)
            img += torch.nn.functional.interpolate(noise, size=(224, 224), mode="bilinear",
                                                   align_corners=False)
        a = img[0].numpy()
        a = (a - a.min()) / (a.max() - a.min())
        mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(3, 1, 1)
        std = np.array([0.229, 0.224, 0.225], np.float32).reshape(3, 1, 1)
        out[i] = (a - mean) / std
    return out


def export_bn_variant(base, model):
    """torchvision `base` with PyTorch's random initialisation (seed 0) and
    its BatchNorm statistics estimated on 64 smooth random images (seed 1,
    none of them a calibration or test image), as a trained network's would
    be: folded into the convolutions they give per-channel weight scales
    that differ, and activations of a trained network's magnitude."""
    import torch
    import torchvision
    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = getattr(torchvision.models, base)()
    for mod in net.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None  # cumulative average over all batches
    imgs = torch.from_numpy(smooth_images(64, seed=1))
    net.train()
    with torch.no_grad():
        for i in range(0, 64, 16):
            net(imgs[i:i + 16])
    net.eval()
    os.makedirs(os.path.dirname(model), exist_ok=True)
    torch.onnx.export(net, (imgs[:1],), model, input_names=["image"],
                      output_names=["logits"], opset_version=13, do_constant_folding=True)


def bench_imagenet(case, args, results, targets):
    d = os.path.join(args.work, case)
    model = os.path.join(d, "model.onnx")
    if not os.path.exists(model) and case.endswith("-bn"):
        log("%s: exporting with estimated BatchNorm statistics" % case)
        export_bn_variant(case[:-3], model)
    elif not os.path.exists(model):
        log("%s: exporting (test/models/make_models.py)" % case)
        subprocess.run([PY, os.path.join(ROOT, "test", "models", "make_models.py"),
                        args.work, "--only", case], check=True, capture_output=True)
    tag = "%d_%d" % (args.calib_samples, args.test_samples)
    calib = os.path.join(d, "calib_%s.npz" % tag)
    calib1 = os.path.join(d, "calib1_%s.npz" % tag)
    test_file = os.path.join(d, "test_%s.npy" % tag)
    if not os.path.exists(test_file):
        imgs = smooth_images(args.calib_samples + args.test_samples, seed=0)
        np.savez(calib, image=imgs[:args.calib_samples, None])
        np.savez(calib1, image=imgs[:1, None])
        np.save(test_file, imgs[args.calib_samples:])
    tests = np.load(test_file)
    layers = onnx_layers(model)
    res = {"calib_samples": args.calib_samples, "test_samples": int(len(tests)), "modes": {}}
    results[case] = res

    modes = [("fp32", [])]
    for m in args.methods:
        modes.append(("w8a8 per-channel %s" % m,
                      ["--quant=w8a8", "--calib=" + calib, "--calib-method=" + m]))
    modes.append(("w8a8 per-tensor minmax",
                  ["--quant=w8a8", "--calib=" + calib, "--calib-method=minmax", "--per-tensor"]))
    modes += [("w8", ["--quant=w8"]), ("w4 g128", ["--quant=w4", "--group-size=128"])]
    ref = None
    for name, flags in modes:
        so, m, ctime = build_mode(model, d, case, name, flags, res)
        if m is None:
            continue
        out = np.concatenate([m(image=tests[i:i + 1])["logits"] for i in range(len(tests))])
        r = {"so_bytes": os.path.getsize(so), "rodata_bytes": rodata_bytes(so),
             "compile_s": round(ctime, 2)}
        if name == "fp32":
            ref = out
            r["weight_bytes"] = layers[1]
        elif ref is not None:
            r["sqnr_db"] = sqnr(ref, out)
            r["top1_agreement"] = float(100.0 * (out.argmax(1) == ref.argmax(1)).mean())
            # Layer coverage does not depend on the calibration data: one
            # sample is enough to get the records.
            r["coverage"] = layer_coverage(
                model, [f.replace(calib, calib1) for f in flags], layers)
            r["weight_bytes"] = r["coverage"]["weight_bytes"] if r["coverage"] else None
        res["modes"][name] = r

    print("\n## %s (random weights%s), %d smooth random test images, calibrated on %d others"
          % (case, ", BatchNorm statistics estimated on 64 other images"
             if case.endswith("-bn") else "", len(tests), args.calib_samples))
    print("| mode | output SQNR vs fp32 | top-1 agrees with fp32 | .so | weights "
          "| layers quantized |")
    print("|---|---|---|---|---|---|")
    fp = res["modes"].get("fp32", {})
    for name, r in res["modes"].items():
        if "error" in r:
            print("| %s | %s | | | | |" % (name, r["error"].splitlines()[0]))
            continue
        cov = r.get("coverage")
        print("| %s | %s | %s | %s | %s | %s |" % (
            name, "" if name == "fp32" else "%.1f dB" % r["sqnr_db"],
            "" if name == "fp32" else "%d/%d" % (round(r["top1_agreement"] * len(tests) / 100),
                                                 len(tests)),
            fmt_bytes(r["so_bytes"]), fmt_weights(r, fp),
            "" if not cov else "%d/%d" % (cov["quantized"], cov["layers"])))

    pc = res["modes"].get("w8a8 per-channel " + DEFAULT_METHOD, {})
    pt = res["modes"].get("w8a8 per-tensor minmax", {})
    for mode, limit in (("w8", 3.9), ("w4 g128", 7.0)):
        r = res["modes"].get(mode, {})
        ratio = (fp["weight_bytes"] / r["weight_bytes"]
                 if fp.get("weight_bytes") and r.get("weight_bytes") else None)
        targets.append({"name": "%s %s weight bytes >= %.1fx smaller than fp32"
                                % (case, mode, limit),
                        "ok": ratio is not None and ratio >= limit,
                        "value": None if ratio is None else round(ratio, 3),
                        "limit": limit})
    if DEFAULT_METHOD in args.methods:
        targets.append({"name": "%s w8a8 per-channel %s SQNR >= 30 dB"
                                % (case, DEFAULT_METHOD),
                        "ok": pc.get("sqnr_db", -1) >= 30.0,
                        "value": pc.get("sqnr_db"), "limit": 30.0})
        targets.append({"name": "%s w8a8 per-tensor minmax SQNR < per-channel %s"
                                % (case, DEFAULT_METHOD),
                        "ok": "sqnr_db" in pc and "sqnr_db" in pt
                              and pt["sqnr_db"] < pc["sqnr_db"],
                        "value": pt.get("sqnr_db"), "limit": pc.get("sqnr_db")})


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default="digits,resnet18,mobilenet_v2")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="calibration methods for W8A8 per channel")
    ap.add_argument("--calib-samples", type=int, default=32)
    ap.add_argument("--test-samples", type=int, default=32)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench", "quality"))
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    args.methods = [m for m in args.methods.split(",") if m]
    os.makedirs(args.work, exist_ok=True)
    start = time.time()
    print("qcc quantization quality and size (%s, %s)" % (QCC, time.strftime("%Y-%m-%d")))
    results, targets = {}, []
    for part in args.parts.split(","):
        if part == "digits":
            bench_digits(args, results, targets)
        elif part in ALL_IMAGENET:
            bench_imagenet(part, args, results, targets)
        else:
            raise SystemExit("unknown part '%s'" % part)
    print("\n## targets")
    for t in targets:
        print("target: %s: %s %s" % (t["name"], t["value"], "ok" if t["ok"] else "FAIL"))
    ok = all(t["ok"] for t in targets)
    print("quality: %s (%.0f s)" % ("ok" if ok else "FAIL", time.time() - start))
    results["targets"] = targets
    results["ok"] = ok
    print(json.dumps(results, sort_keys=True))
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
