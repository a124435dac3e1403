//===- SampleSet.cpp - calibration samples from .npy, .pb and .npz -------===//
//
// Reads the user's samples for the data-driven passes: a directory of
// sample directories (.npy per input name or ONNX TensorProto .pb), or a
// .npz of stacked samples; every read is checked against the input type.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/SampleSet.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;
using namespace mlir::qcc;

namespace {

size_t elementBytes(Type t) {
  return t.isInteger(1) ? 1 : t.getIntOrFloatBitWidth() / 8;
}

/// A parsed .npy array: its shape and raw little-endian data.
struct NpyView {
  SmallVector<int64_t> shape;
  StringRef data;
};

/// Parses .npy bytes (`what` names the source in messages). Returns an
/// error message or "".
std::string parseNpy(StringRef bytes, StringRef what, NpyView &out) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return "'" + what.str() + "' is not a .npy file";
  size_t headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
  size_t offset = 10;
  if ((unsigned char)bytes[6] >= 2) {
    if (bytes.size() < 12)
      return "'" + what.str() + "': truncated .npy header";
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  }
  if (offset + headerLen > bytes.size())
    return "'" + what.str() + "': truncated .npy header";
  StringRef header = bytes.substr(offset, headerLen);
  if (header.contains("True"))
    return "'" + what.str() + "': Fortran-ordered arrays are not supported";
  size_t open = header.find("'shape'");
  size_t l = header.find('(', open), r = header.find(')', l);
  if (open == StringRef::npos || l == StringRef::npos || r == StringRef::npos)
    return "'" + what.str() + "': malformed .npy header";
  SmallVector<StringRef> parts;
  header.slice(l + 1, r).split(parts, ',');
  out.shape.clear();
  for (StringRef p : parts) {
    p = p.trim();
    int64_t v;
    if (!p.empty() && !p.getAsInteger(10, v))
      out.shape.push_back(v);
  }
  out.data = bytes.substr(offset + headerLen);
  return "";
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

/// Copies `data` (one sample of `type`) into `out`, checking its size.
std::string fillBuffer(StringRef data, RankedTensorType type, StringRef what,
                       std::vector<char> &out) {
  size_t need = type.getNumElements() * elementBytes(type.getElementType());
  if (data.size() != need)
    return "calibration file '" + what.str() + "' holds " +
           std::to_string(data.size()) +
           " data bytes, the model input needs " + std::to_string(need) +
           " (wrong dtype?)";
  out.assign(data.begin(), data.end());
  return "";
}

/// Reads `path` (.npy) into `out`, checking element size and shape against
/// `type`. Returns an error message or "".
std::string readNpySample(StringRef path, RankedTensorType type,
                          std::vector<char> &out) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return "cannot read calibration file '" + path.str() +
           "': " + file.getError().message();
  NpyView npy;
  if (std::string err = parseNpy((*file)->getBuffer(), path, npy); !err.empty())
    return err;
  if (ArrayRef<int64_t>(npy.shape) != type.getShape())
    return "calibration file '" + path.str() + "' has shape " +
           shapeText(npy.shape) + ", the model input needs " +
           shapeText(type.getShape());
  return fillBuffer(npy.data, type, path, out);
}

/// The stored (uncompressed) members of a .npz (zip) archive, as written by
/// numpy.savez. Returns an error message or "".
std::string readNpz(StringRef bytes, StringRef path,
                    llvm::StringMap<StringRef> &members) {
  auto u16 = [&](size_t at) {
    return (uint32_t)(unsigned char)bytes[at] |
           ((uint32_t)(unsigned char)bytes[at + 1] << 8);
  };
  auto u32 = [&](size_t at) { return u16(at) | (u16(at + 2) << 16); };
  size_t pos = 0;
  while (pos + 30 <= bytes.size() && u32(pos) == 0x04034b50) {
    uint32_t flags = u16(pos + 6), method = u16(pos + 8);
    uint64_t size = u32(pos + 18);
    size_t nameLen = u16(pos + 26), extraLen = u16(pos + 28);
    if (pos + 30 + nameLen + extraLen > bytes.size())
      break;
    StringRef name = bytes.substr(pos + 30, nameLen);
    StringRef extra = bytes.substr(pos + 30 + nameLen, extraLen);
    if (size == 0xFFFFFFFFu) { // zip64: sizes in the extended information
      for (size_t e = 0; e + 4 <= extra.size();) {
        uint32_t id = (unsigned char)extra[e] | ((unsigned char)extra[e + 1] << 8);
        uint32_t len =
            (unsigned char)extra[e + 2] | ((unsigned char)extra[e + 3] << 8);
        if (id == 1 && len >= 16 && e + 4 + 16 <= extra.size()) {
          size = 0;
          for (int i = 7; i >= 0; --i)
            size = (size << 8) | (unsigned char)extra[e + 4 + 8 + i];
        }
        e += 4 + len;
      }
    }
    if (method != 0)
      return "'" + path.str() + "': member '" + name.str() +
             "' is compressed; write the samples with numpy.savez, not "
             "savez_compressed";
    if (flags & 8)
      return "'" + path.str() + "': streamed zip members are not supported";
    size_t start = pos + 30 + nameLen + extraLen;
    if (start + size > bytes.size())
      return "'" + path.str() + "' is truncated";
    members[name] = bytes.substr(start, size);
    pos = start + size;
  }
  if (members.empty())
    return "'" + path.str() + "' is not a .npz archive";
  return "";
}


/// Reads an ONNX TensorProto `.pb` sample, checking element type and shape
/// against `type`. Returns an error message or "".
std::string readPbSample(StringRef path, RankedTensorType type,
                         std::vector<char> &out) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return "cannot read calibration file '" + path.str() +
           "': " + file.getError().message();
  onnx::TensorProto proto;
  StringRef bytes = (*file)->getBuffer();
  if (!proto.ParseFromArray(bytes.data(), (int)bytes.size()))
    return "calibration file '" + path.str() +
           "' is not an ONNX TensorProto";
  Type elem = type.getElementType();
  int32_t expected = elem.isF32()               ? onnx::TensorProto::FLOAT
                     : elem.isF64()             ? onnx::TensorProto::DOUBLE
                     : elem.isInteger(64)       ? onnx::TensorProto::INT64
                     : elem.isInteger(32)       ? onnx::TensorProto::INT32
                     : elem.isUnsignedInteger(8) ? onnx::TensorProto::UINT8
                     : elem.isInteger(8)        ? onnx::TensorProto::INT8
                                                : -1;
  if (expected < 0)
    return "calibration file '" + path.str() +
           "': inputs of this element type cannot be read from .pb";
  if (proto.data_type() != expected)
    return "calibration file '" + path.str() + "' holds TensorProto data type " +
           std::to_string(proto.data_type()) + ", the model input needs " +
           std::to_string(expected) + " (wrong dtype?)";
  SmallVector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  if (ArrayRef<int64_t>(dims) != type.getShape())
    return "calibration file '" + path.str() + "' has shape " +
           shapeText(dims) + ", the model input needs " +
           shapeText(type.getShape());
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return "calibration file '" + path.str() +
           "': external data is not supported";
  if (proto.has_raw_data())
    return fillBuffer(proto.raw_data(), type, path, out);
  size_t n = type.getNumElements();
  auto copy = [&](const auto &field, size_t elemSize) -> std::string {
    if ((size_t)field.size() != n)
      return "calibration file '" + path.str() + "' holds " +
             std::to_string(field.size()) + " values, the model input needs " +
             std::to_string(n);
    out.resize(n * elemSize);
    for (size_t i = 0; i < n; ++i) {
      auto v = field.Get((int)i);
      if (elemSize == 1) {
        int8_t b = (int8_t)v;
        std::memcpy(out.data() + i, &b, 1);
      } else {
        std::memcpy(out.data() + i * elemSize, &v, elemSize);
      }
    }
    return "";
  };
  switch (expected) {
  case onnx::TensorProto::FLOAT:
    return copy(proto.float_data(), 4);
  case onnx::TensorProto::DOUBLE:
    return copy(proto.double_data(), 8);
  case onnx::TensorProto::INT64:
    return copy(proto.int64_data(), 8);
  case onnx::TensorProto::INT32:
    return copy(proto.int32_data(), 4);
  default:
    return copy(proto.int32_data(), 1); // int8/uint8 live in int32_data
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// SampleSet
//===----------------------------------------------------------------------===//

struct SampleSet::Impl {
  std::unique_ptr<llvm::MemoryBuffer> npzFile;
  SmallVector<NpyView> npzInputs;
  SmallVector<std::string> samples; // sample directories
};

SampleSet::SampleSet() : impl(std::make_unique<Impl>()) {}
SampleSet::~SampleSet() = default;

std::unique_ptr<SampleSet> SampleSet::open(StringRef data, func::FuncOp func,
                                           std::string &error) {
  std::unique_ptr<SampleSet> set(new SampleSet());
  set->data = data.str();
  for (auto [i, t] : llvm::enumerate(func.getFunctionType().getInputs())) {
    auto type = dyn_cast<RankedTensorType>(t);
    if (!type || !type.hasStaticShape()) {
      error = "running the model on samples needs static input shapes; fix "
              "them with --input-shape";
      return nullptr;
    }
    set->inputTypes.push_back(type);
    auto name = func.getArgAttrOfType<StringAttr>(i, "qcc.name");
    set->inputNames.push_back(name ? name.getValue().str()
                                   : "input_" + std::to_string(i));
  }
  Impl &impl = *set->impl;
  std::string path = data.str();
  if (data.ends_with(".npz")) {
    auto file = llvm::MemoryBuffer::getFile(data, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (!file) {
      error = "cannot read calibration data '" + path +
              "': " + file.getError().message();
      return nullptr;
    }
    impl.npzFile = std::move(*file);
    llvm::StringMap<StringRef> members;
    error = readNpz(impl.npzFile->getBuffer(), data, members);
    for (unsigned i = 0; error.empty() && i < set->inputTypes.size(); ++i) {
      const std::string &name = set->inputNames[i];
      auto it = members.find(name + ".npy");
      if (it == members.end()) {
        error = "'" + path + "' has no array named '" + name + "'";
        break;
      }
      NpyView view;
      error = parseNpy(it->second, path + ":" + name + ".npy", view);
      RankedTensorType type = set->inputTypes[i];
      if (error.empty() &&
          (view.shape.empty() ||
           ArrayRef<int64_t>(view.shape).drop_front() != type.getShape()))
        error = "array '" + name + "' in '" + path + "' has shape " +
                shapeText(view.shape) + ", expected [samples]x" +
                shapeText(type.getShape());
      if (error.empty() && i > 0 && view.shape[0] != set->numSamples)
        error = "arrays in '" + path + "' hold different sample counts";
      if (error.empty()) {
        set->numSamples = view.shape[0];
        impl.npzInputs.push_back(view);
      }
    }
    if (!error.empty())
      return nullptr;
  } else {
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(data, ec), end;
         it != end && !ec; it.increment(ec))
      if (llvm::sys::fs::is_directory(it->path()))
        impl.samples.push_back(it->path());
    if (ec || impl.samples.empty()) {
      error = "cannot read calibration data '" + path + "'" +
              (ec ? ": " + ec.message() : ": no sample directories");
      return nullptr;
    }
    llvm::sort(impl.samples);
    set->numSamples = impl.samples.size();
  }
  if (set->numSamples == 0) {
    error = "'" + path + "' holds no samples";
    return nullptr;
  }
  return set;
}

std::string SampleSet::load(int64_t s, unsigned i,
                            std::vector<char> &out) const {
  RankedTensorType type = inputTypes[i];
  if (!impl->npzInputs.empty()) {
    size_t bytes = impl->npzInputs[i].data.size() / numSamples;
    return fillBuffer(impl->npzInputs[i].data.substr(s * bytes, bytes), type,
                      data + ":" + inputNames[i] + ".npy", out);
  }
  // <name>.npy, <name>.pb, or ONNX test-data style input_<i>.pb.
  SmallString<256> path(impl->samples[s]);
  llvm::sys::path::append(path, inputNames[i] + ".npy");
  if (llvm::sys::fs::exists(path))
    return readNpySample(path, type, out);
  for (std::string pb :
       {inputNames[i] + ".pb", "input_" + std::to_string(i) + ".pb"}) {
    SmallString<256> pbPath(impl->samples[s]);
    llvm::sys::path::append(pbPath, pb);
    if (llvm::sys::fs::exists(pbPath))
      return readPbSample(pbPath, type, out);
  }
  return "cannot read calibration file '" + std::string(path) +
         "' (nor " + inputNames[i] + ".pb or input_" + std::to_string(i) +
         ".pb): no such file";
}

