#!/usr/bin/python3
"""Independent numpy implementation of the calibration range estimators,
compared with qcc-calib-stats on the same data.

    reference.py WORK_DIR QCC_CALIB_STATS

Data: 200000 N(0, 1) samples plus 20 outliers around +-30 (seed 0), one
file (so both sides bin the same histogram: width = max|x| / 2048). Prints
one line per method and exits 1 if any threshold differs by more than one
bin width (floating-point ties may pick a neighbouring bin).
"""
import os
import subprocess
import sys

import numpy as np

work, tool = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
rng = np.random.RandomState(0)
x = np.concatenate([rng.randn(200000), rng.randn(20) * 30]).astype(np.float32)
path = os.path.join(work, "x.npy")
np.save(path, x)
out = dict(line.split() for line in subprocess.run(
    [tool, path], capture_output=True, text=True, check=True).stdout.splitlines())

BINS, LEVELS = 2048, 127
a = np.abs(x.astype(np.float64))
width = a.max() / BINS
hist = np.bincount(np.minimum((a / width).astype(np.int64), BINS - 1),
                   minlength=BINS).astype(np.float64)


def percentile(p):
    cum = np.cumsum(hist)
    return (np.searchsorted(cum, hist.sum() * p / 100.0) + 1) * width


def entropy():
    best, best_i = np.inf, BINS
    for i in range(LEVELS, BINS + 1):
        p = hist[:i].copy()
        p[-1] += hist[i:].sum()
        q = np.zeros(i)
        for g in range(LEVELS):
            s, e = g * i // LEVELS, (g + 1) * i // LEVELS
            seg = hist[s:e]
            nz = np.count_nonzero(seg)
            if nz:
                q[s:e] = np.where(seg != 0, seg.sum() / nz, 0)
        mask = p != 0
        if np.any(q[mask] == 0):
            continue
        pn, qn = p / p.sum(), q / q.sum()
        kl = np.sum(pn[mask] * np.log(pn[mask] / qn[mask]))
        if kl < best:
            best, best_i = kl, i
    return best_i * width


def mse():
    centres = (np.arange(BINS) + 0.5) * width
    best, best_t = np.inf, BINS * width
    for i in range(1, BINS + 1):
        t = i * width
        step = t / LEVELS
        err = np.where(centres > t, hist * (centres - t) ** 2, hist * step * step / 12).sum()
        if err < best:
            best, best_t = err, t
    return best_t


ref = {"minmax": a.max(), "percentile": percentile(99.99), "entropy": entropy(), "mse": mse()}
ok = True
for name, want in ref.items():
    got = float(out[name])
    good = abs(got - want) <= width * 1.0001
    ok &= good
    print("%-10s qcc %.6f  numpy %.6f  %s" % (name, got, want, "ok" if good else "DIFFERENT"))
print("calibration estimators: %s" % ("ok" if ok else "FAIL"))
sys.exit(0 if ok else 1)
