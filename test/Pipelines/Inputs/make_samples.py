#!/usr/bin/python3
"""make_samples.py DIR NAME D0xD1x... N: N random float32 samples of input
NAME as DIR/s<i>/NAME.npy (fixed seed)."""
import os
import sys

import numpy as np

out, name, shape, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = np.random.RandomState(0)
dims = [int(d) for d in shape.split("x")]
for i in range(n):
    d = os.path.join(out, "s%d" % i)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, name + ".npy"), rng.randn(*dims).astype(np.float32))
