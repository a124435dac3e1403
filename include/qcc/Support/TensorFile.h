//===- TensorFile.h - .npy, .npz and ONNX TensorProto files -----*- C++ -*-===//
//
// Reading and writing the tensor files qcc's tools take: numpy .npy (C
// order, format versions 1-3), the stored members of a numpy .npz, and
// ONNX TensorProto .pb. Plain C++17, no MLIR or LLVM dependency, so that
// the runner cross-compiled for a target without them can use it too.
//
// Element types are the QCC_DTYPE_* codes of qcc_runtime.h, which are
// ONNX's TensorProto.DataType numbers. Every function returns an error
// message, or "" on success; each message names the file (`what`).
//
// Libraries: QccSupport (TensorFile.cpp) for all but the .pb functions,
// which live in TensorFilePb.cpp (QccSupportPb), the only part that needs
// ONNX's protobuf messages; a build without protobuf leaves that file out.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_SUPPORT_TENSORFILE_H
#define QCC_SUPPORT_TENSORFILE_H

#include "qcc/Runtime/qcc_runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::qcc::tensorfile {

/// An element type: its QCC_DTYPE_* code, numpy type code (without the
/// byte-order character), byte size and name.
struct DtypeInfo {
  int32_t dtype;
  const char *npy;
  size_t size;
  const char *name;
};

/// The element types the files can hold; null for any other code.
/// bfloat16 is among them although numpy has none: .npy files carry its
/// bits as uint16 (a "u2" array reads back as QCC_DTYPE_U16).
const DtypeInfo *findDtype(int32_t dtype);

/// "float32", "int64", ...; "unknown" for an unsupported code.
const char *dtypeName(int32_t dtype);

/// "[2,3]"; dynamic (negative) dimensions print as '?'.
std::string shapeString(const int64_t *shape, size_t rank);
std::string shapeString(const std::vector<int64_t> &shape);

/// Byte size of `shape` x `elemSize`, or false when it does not fit in
/// int64_t (or a dimension is negative).
bool byteSize(const std::vector<int64_t> &shape, size_t elemSize,
              size_t &bytes);

/// A dense host tensor: row-major (C order), little-endian data.
struct Tensor {
  int32_t dtype = QCC_DTYPE_UNDEFINED;
  std::vector<int64_t> shape;
  std::vector<unsigned char> data;
  int64_t numel() const;
};

/// Reads the whole of `path` into `bytes`.
std::string readFile(const std::string &path, std::string &bytes);

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// A .npy array parsed in place: `data` is the part of the parsed bytes
/// that the header's dtype and shape describe (bytes after it are ignored).
struct NpyView {
  int32_t dtype = QCC_DTYPE_UNDEFINED;
  std::vector<int64_t> shape;
  std::string_view data;
};

/// Parses the .npy file `bytes`; `what` names it in messages. Rejects
/// Fortran order, big-endian and structured arrays, dtypes without a
/// QCC_DTYPE_* code, malformed headers and truncated data.
std::string parseNpy(std::string_view bytes, const std::string &what,
                     NpyView &out);

/// Reads and parses the .npy file `path`.
std::string readNpy(const std::string &path, Tensor &out);

/// Writes `t` to `path` as a version 1.0 .npy file.
std::string writeNpy(const std::string &path, const Tensor &t);

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

/// One member of a .npz (zip) archive: its name ("x.npy") and bytes.
struct NpzMember {
  std::string name;
  std::string_view data;
};

/// Lists the members of the .npz archive `bytes`, in archive order, as
/// numpy.savez writes them: stored, not deflated (numpy.savez_compressed's
/// members are rejected with a message saying so), zip64 sizes allowed.
/// The members' data points into `bytes`.
std::string parseNpz(std::string_view bytes, const std::string &what,
                     std::vector<NpzMember> &members);

//===----------------------------------------------------------------------===//
// ONNX TensorProto .pb (TensorFilePb.cpp, library QccSupportPb)
//===----------------------------------------------------------------------===//

/// Parses the serialized TensorProto `bytes`: raw_data or the typed field
/// that holds its data type (float_data, int32_data, ...), checked against
/// its dims. External data is rejected.
std::string parsePb(std::string_view bytes, const std::string &what,
                    Tensor &out);

/// Reads and parses the TensorProto file `path`.
std::string readPb(const std::string &path, Tensor &out);

} // namespace mlir::qcc::tensorfile

#endif // QCC_SUPPORT_TENSORFILE_H
