"""Measurements shared by qcc's benchmarks and tests.

    from qcc.metrics import sqnr, rodata_bytes
    sqnr(reference, output)      # dB, float('inf') when identical
    rodata_bytes("model.so")     # bytes of read-only data: weights and scales
"""
import re
import subprocess

import numpy as np

__all__ = ["sqnr", "rodata_bytes"]


def sqnr(ref, got):
    """Signal-to-quantization-noise ratio of `got` against `ref` in dB
    (computed in float64)."""
    ref = np.asarray(ref, np.float64)
    err = ((ref - np.asarray(got, np.float64)) ** 2).sum()
    return float("inf") if err == 0 else float(10 * np.log10((ref ** 2).sum() / err))


def rodata_bytes(so):
    """Bytes of read-only data sections in the shared library `so` (qcc
    places weights, scales and zero points there; code and metadata are
    elsewhere), from `readelf -SW`."""
    out = subprocess.run(["readelf", "-SW", so], capture_output=True,
                         text=True, check=True).stdout
    return sum(int(m.group(1), 16)
               for m in re.finditer(r"\.l?rodata\S*\s+PROGBITS\s+\S+\s+\S+\s+(\S+)", out))
