#!/usr/bin/python3
"""load_model.py MODEL.so: qcc.load() it and print what it was built for
(target, whether it uses avx2 / avx512f); a refused model raises."""
import sys

import qcc

m = qcc.load(sys.argv[1])
print(m.target, "avx2" in m.cpu_features, "avx512f" in m.cpu_features)
