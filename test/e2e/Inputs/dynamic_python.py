#!/usr/bin/python3
"""Loads a model with a dynamic batch through the Python package and runs it
with a batch size that was never seen at compile time."""
import sys

import numpy as np

import qcc

m = qcc.load(sys.argv[1])
print(m.inputs[0].shape, m.outputs[0].shape)
print(m(x=np.zeros((5, 64), np.float32))["probs"].shape)
