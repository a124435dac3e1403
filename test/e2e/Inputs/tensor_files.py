#!/usr/bin/python3
"""Writes the tensor files of tensor-files.test into DIR.

    tensor_files.py DIR

For the MLP's input x (float32 [4, 64]): x.npy and the same array with a
version 2.0 header (x_v2.npy); a .npy whose data is 4 bytes short
(short.npy), a Fortran-ordered one (fortran.npy), a big-endian one
(big.npy); TensorProtos whose raw_data (short_raw.pb) or float_data
(short_float.pb) is one element short; calibration samples with those
defects (cal_short/s0/x.npy, cal_raw/s0/input_0.pb); a .npz whose x.npy
member is not a .npy file (junk_member.npz) and one cut off inside its
member (cut.npz).
"""
import io
import os
import sys
import zipfile

import numpy as np
from onnx import numpy_helper

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
x = np.random.RandomState(0).randn(4, 64).astype(np.float32)
np.save(os.path.join(d, "x.npy"), x)
with open(os.path.join(d, "x_v2.npy"), "wb") as f:
    np.lib.format.write_array(f, x, version=(2, 0))

buf = io.BytesIO()
np.save(buf, x)
good = buf.getvalue()
with open(os.path.join(d, "short.npy"), "wb") as f:
    f.write(good[:-4])
np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(x))
np.save(os.path.join(d, "big.npy"), x.astype(">f4"))

t = numpy_helper.from_array(x)
t.raw_data = t.raw_data[:-4]
with open(os.path.join(d, "short_raw.pb"), "wb") as f:
    f.write(t.SerializeToString())
t = numpy_helper.from_array(x)
t.ClearField("raw_data")
t.float_data.extend(x.flatten()[:-1].tolist())
with open(os.path.join(d, "short_float.pb"), "wb") as f:
    f.write(t.SerializeToString())

os.makedirs(os.path.join(d, "cal_short", "s0"), exist_ok=True)
with open(os.path.join(d, "cal_short", "s0", "x.npy"), "wb") as f:
    f.write(good[:-4])
os.makedirs(os.path.join(d, "cal_raw", "s0"), exist_ok=True)
t = numpy_helper.from_array(x)
t.raw_data = t.raw_data[:-4]
with open(os.path.join(d, "cal_raw", "s0", "input_0.pb"), "wb") as f:
    f.write(t.SerializeToString())

with zipfile.ZipFile(os.path.join(d, "junk_member.npz"), "w",
                     zipfile.ZIP_STORED) as z:
    z.writestr("x.npy", b"not an array")
buf = io.BytesIO()
np.savez(buf, x=np.stack([x, x]))
with open(os.path.join(d, "cut.npz"), "wb") as f:
    f.write(buf.getvalue()[:1000])
