//===- TensorFilePb.cpp - ONNX TensorProto .pb files ----------------------===//
//
// The .pb reader of TensorFile.h, the only part of it that needs ONNX's
// protobuf messages. Builds without protobuf (the runner cross-compiled for
// aarch64) leave this file out.
//
//===----------------------------------------------------------------------===//

#include "qcc/Support/TensorFile.h"

#include "Format.h"

#include <onnx/onnx_pb.h>

#include <cinttypes>
#include <cstring>
#include <type_traits>

namespace mlir::qcc::tensorfile {

using detail::format;

std::string parsePb(std::string_view bytes, const std::string &what,
                    Tensor &out) {
  const char *file = what.c_str();
  onnx::TensorProto proto;
  if (bytes.size() > INT32_MAX ||
      !proto.ParseFromArray(bytes.data(), (int)bytes.size()))
    return format("'%s' is not an ONNX TensorProto", file);
  Tensor t;
  t.dtype = proto.data_type();
  const DtypeInfo *d = findDtype(t.dtype);
  if (!d)
    return format("'%s': unsupported TensorProto data type %d", file,
                  (int)t.dtype);
  if (proto.dims_size() > 64)
    return format("'%s': rank %d is too large", file, proto.dims_size());
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return format("'%s': negative dimension %" PRId64, file, dim);
    t.shape.push_back(dim);
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return format("'%s': external data is not supported for inputs", file);
  size_t bytesNeeded;
  if (!byteSize(t.shape, d->size, bytesNeeded))
    return format("'%s': shape %s is too large", file,
                  shapeString(t.shape).c_str());
  size_t n = bytesNeeded / d->size;
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytesNeeded)
      return format("'%s': raw_data has %zu bytes, %s%s needs %zu", file,
                    proto.raw_data().size(), d->name,
                    shapeString(t.shape).c_str(), bytesNeeded);
    t.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    out = std::move(t);
    return "";
  }
  std::string error;
  auto fill = [&](const auto &field, const char *fieldName, auto convert) {
    if ((size_t)field.size() != n) {
      error = format("'%s': %s has %d values, %s%s needs %zu", file, fieldName,
                     field.size(), d->name, shapeString(t.shape).c_str(), n);
      return;
    }
    t.data.resize(bytesNeeded);
    for (size_t i = 0; i < n; ++i) {
      auto v = convert(field.Get((int)i));
      static_assert(std::is_trivially_copyable<decltype(v)>::value, "");
      std::memcpy(t.data.data() + i * d->size, &v, d->size);
    }
  };
  // Where the typed fields keep each element type (onnx.proto).
  switch (t.dtype) {
  case QCC_DTYPE_F32:
    fill(proto.float_data(), "float_data", [](float v) { return v; });
    break;
  case QCC_DTYPE_F64:
    fill(proto.double_data(), "double_data", [](double v) { return v; });
    break;
  case QCC_DTYPE_I64:
    fill(proto.int64_data(), "int64_data", [](int64_t v) { return v; });
    break;
  case QCC_DTYPE_U32:
    fill(proto.uint64_data(), "uint64_data",
         [](uint64_t v) { return (uint32_t)v; });
    break;
  case QCC_DTYPE_U64:
    fill(proto.uint64_data(), "uint64_data", [](uint64_t v) { return v; });
    break;
  case QCC_DTYPE_I32:
    fill(proto.int32_data(), "int32_data", [](int32_t v) { return v; });
    break;
  case QCC_DTYPE_I16:
  case QCC_DTYPE_U16:
  case QCC_DTYPE_F16:  // the IEEE bits, zero-extended
  case QCC_DTYPE_BF16: // likewise
    fill(proto.int32_data(), "int32_data",
         [](int32_t v) { return (uint16_t)v; });
    break;
  case QCC_DTYPE_BOOL:
    fill(proto.int32_data(), "int32_data",
         [](int32_t v) { return (uint8_t)(v != 0); });
    break;
  default: // i8, u8
    fill(proto.int32_data(), "int32_data",
         [](int32_t v) { return (uint8_t)v; });
    break;
  }
  if (!error.empty())
    return error;
  out = std::move(t);
  return "";
}

std::string readPb(const std::string &path, Tensor &out) {
  std::string bytes;
  if (std::string err = readFile(path, bytes); !err.empty())
    return err;
  return parsePb(bytes, path, out);
}

} // namespace mlir::qcc::tensorfile
