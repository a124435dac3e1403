//===- SampleSet.cpp - calibration samples from .npy, .pb and .npz -------===//
//
// Reads the user's samples for the data-driven passes: a directory of
// sample directories (.npy per input name or ONNX TensorProto .pb), or a
// .npz of stacked samples; every read is checked against the input type.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/SampleSet.h"
#include "qcc/Support/TensorFile.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::qcc;

namespace {

size_t elementBytes(Type t) {
  return t.isInteger(1) ? 1 : t.getIntOrFloatBitWidth() / 8;
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
  tensorfile::NpyView npy;
  if (std::string err =
          tensorfile::parseNpy((*file)->getBuffer(), path.str(), npy);
      !err.empty())
    return err;
  if (ArrayRef<int64_t>(npy.shape) != type.getShape())
    return "calibration file '" + path.str() + "' has shape " +
           shapeText(npy.shape) + ", the model input needs " +
           shapeText(type.getShape());
  return fillBuffer(npy.data, type, path, out);
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
  // The library's messages start with the quoted file name.
  tensorfile::Tensor t;
  if (std::string err =
          tensorfile::parsePb((*file)->getBuffer(), path.str(), t);
      !err.empty())
    return "calibration file " + err;
  Type elem = type.getElementType();
  int32_t expected = elem.isF32()                ? QCC_DTYPE_F32
                     : elem.isF64()              ? QCC_DTYPE_F64
                     : elem.isInteger(64)        ? QCC_DTYPE_I64
                     : elem.isInteger(32)        ? QCC_DTYPE_I32
                     : elem.isUnsignedInteger(8) ? QCC_DTYPE_U8
                     : elem.isInteger(8)         ? QCC_DTYPE_I8
                                                 : -1;
  if (expected < 0)
    return "calibration file '" + path.str() +
           "': inputs of this element type cannot be read from .pb";
  if (t.dtype != expected)
    return "calibration file '" + path.str() +
           "' holds TensorProto data type " + std::to_string(t.dtype) +
           ", the model input needs " + std::to_string(expected) +
           " (wrong dtype?)";
  if (ArrayRef<int64_t>(t.shape) != type.getShape())
    return "calibration file '" + path.str() + "' has shape " +
           shapeText(t.shape) + ", the model input needs " +
           shapeText(type.getShape());
  return fillBuffer(
      StringRef(reinterpret_cast<const char *>(t.data.data()), t.data.size()),
      type, path, out);
}

} // namespace

//===----------------------------------------------------------------------===//
// SampleSet
//===----------------------------------------------------------------------===//

struct SampleSet::Impl {
  std::unique_ptr<llvm::MemoryBuffer> npzFile;
  SmallVector<tensorfile::NpyView> npzInputs;
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
    std::vector<tensorfile::NpzMember> list;
    error = tensorfile::parseNpz(impl.npzFile->getBuffer(), path, list);
    llvm::StringMap<std::string_view> members;
    for (const tensorfile::NpzMember &m : list)
      members[m.name] = m.data;
    for (unsigned i = 0; error.empty() && i < set->inputTypes.size(); ++i) {
      const std::string &name = set->inputNames[i];
      auto it = members.find(name + ".npy");
      if (it == members.end()) {
        error = "'" + path + "' has no array named '" + name + "'";
        break;
      }
      tensorfile::NpyView view;
      error =
          tensorfile::parseNpy(it->second, path + ":" + name + ".npy", view);
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

