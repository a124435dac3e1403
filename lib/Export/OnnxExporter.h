//===- OnnxExporter.h - internals of the ONNX exporter ----------*- C++ -*-===//
//
// Internal to lib/Export: the exporter class whose parts live in
// OnnxExport.cpp (reading the model, graph, opsets, output),
// ExportWeightOnly.cpp and ExportActivations.cpp (static and dynamic int8).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_EXPORT_ONNXEXPORTER_H
#define QCC_LIB_EXPORT_ONNXEXPORTER_H

#include "qcc/Export/OnnxExport.h"

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InterleavedRange.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>
#include <optional>
#include <set>

namespace mlir::qcc::onnx_export {

using TP = onnx::TensorProto;

/// The bytes of a constant tensor (dense, splat or dense_resource) in
/// row-major order, one element after another.
FailureOr<std::vector<char>> constantBytes(Value v);

template <typename T> FailureOr<std::vector<T>> constantValues(Value v) {
  FailureOr<std::vector<char>> bytes = constantBytes(v);
  if (failed(bytes) || bytes->size() % sizeof(T))
    return failure();
  std::vector<T> out(bytes->size() / sizeof(T));
  std::memcpy(out.data(), bytes->data(), bytes->size());
  return out;
}

int64_t product(ArrayRef<int64_t> dims);

/// The MatMulNBits block size for groups of `group` elements of a
/// reduction dimension of size `k`, if one exists (see OnnxExport.cpp).
std::optional<int64_t> nbitsBlockSize(int64_t group, int64_t k);

class OnnxExporter {
public:
  OnnxExporter(ModuleOp module, StringRef modelPath)
      : module(module), modelPath(modelPath.str()),
        modelDir(llvm::sys::path::parent_path(modelPath).str()) {}

  LogicalResult run(StringRef outPath);

private:
  /// One layer recorded by the quantization passes.
  struct Layer {
    Operation *op;
    QuantRecordAttr quant;
    std::string name, opType, scheme;
    int nodeIndex;
  };

  LogicalResult loadModel();
  LogicalResult exportWeightOnly(const Layer &l);
  LogicalResult exportStatic(const Layer &l);
  LogicalResult exportDynamic(const Layer &l);
  LogicalResult finishGraph();
  LogicalResult setOpsets();
  LogicalResult inlineExternalData();
  LogicalResult write(StringRef outPath);

  InFlightDiagnostic layerError(const Layer &l) {
    return emitError(l.op->getLoc())
           << "--emit=onnx: layer '" << l.name << "' (" << l.opType << ", "
           << l.scheme << "): ";
  }

  /// A value or initializer name not used in the graph yet.
  std::string fresh(StringRef base) {
    std::string name = base.str();
    for (unsigned i = 1; !names.insert(name).second; ++i)
      name = (base + "_" + Twine(i)).str();
    return name;
  }
  std::string freshNodeName(StringRef base) {
    std::string name = base.str();
    for (unsigned i = 1; !nodeNames.insert(name).second; ++i)
      name = (base + "_" + Twine(i)).str();
    return name;
  }

  std::string addInitializer(StringRef base, int32_t dtype,
                             ArrayRef<int64_t> dims, const void *data,
                             size_t bytes) {
    std::string name = fresh(base);
    TP *t = model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(dtype);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(data, bytes);
    return name;
  }
  std::string addF32(StringRef base, ArrayRef<int64_t> dims,
                     ArrayRef<float> values) {
    return addInitializer(base, TP::FLOAT, dims, values.data(),
                          values.size() * sizeof(float));
  }
  std::string addI64(StringRef base, ArrayRef<int64_t> values) {
    return addInitializer(base, TP::INT64, {(int64_t)values.size()},
                          values.data(), values.size() * sizeof(int64_t));
  }
  std::string addBytes(StringRef base, int32_t dtype, ArrayRef<int64_t> dims,
                       ArrayRef<uint8_t> values) {
    return addInitializer(base, dtype, dims, values.data(), values.size());
  }

  onnx::NodeProto &addNode(std::vector<onnx::NodeProto> &list, StringRef opType,
                           ArrayRef<std::string> inputs,
                           ArrayRef<std::string> outputs, StringRef nameBase,
                           StringRef domain = "") {
    onnx::NodeProto &n = list.emplace_back();
    n.set_op_type(opType.str());
    n.set_name(freshNodeName((nameBase + "/" + opType).str()));
    if (!domain.empty())
      n.set_domain(domain.str());
    for (const std::string &i : inputs)
      n.add_input(i);
    for (const std::string &o : outputs)
      n.add_output(o);
    return n;
  }
  static void setInt(onnx::NodeProto &n, StringRef name, int64_t v) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void setInts(onnx::NodeProto &n, StringRef name, ArrayRef<int64_t> v) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  static const onnx::AttributeProto *findAttr(const onnx::NodeProto &n,
                                              StringRef name) {
    for (const auto &a : n.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  static int64_t attrInt(const onnx::NodeProto &n, StringRef name,
                         int64_t dflt) {
    const onnx::AttributeProto *a = findAttr(n, name);
    return a ? a->i() : dflt;
  }
  static float attrFloat(const onnx::NodeProto &n, StringRef name, float dflt) {
    const onnx::AttributeProto *a = findAttr(n, name);
    return a ? a->f() : dflt;
  }

  /// Emits DequantizeLinear of the integer weight `values` (shape `dims`,
  /// INT8 or UINT8) with `scales`/`zeroPoints` per index of `axis`
  /// (std::nullopt: one for the whole tensor) into `list`; returns the
  /// float output's name. Models below opset 13 (no per-axis
  /// DequantizeLinear) get DequantizeLinear with scale 1, then Sub of the
  /// zero points and Mul by the scales, broadcast along `axis`: the same
  /// float values, (q - zp) * scale, without raising the opset.
  std::string dequantize(std::vector<onnx::NodeProto> &list, StringRef base,
                         int32_t dtype, ArrayRef<int64_t> dims,
                         ArrayRef<uint8_t> values, ArrayRef<float> scales,
                         ArrayRef<uint8_t> zeroPoints,
                         std::optional<int64_t> axis) {
    needOpset = std::max<int64_t>(needOpset, 10);
    std::string q = addBytes((base + "_quantized").str(), dtype, dims, values);
    std::string out = fresh((base + "_dequantized").str());
    if (axis && modelOpset < 13) {
      SmallVector<int64_t> bcast(dims.size(), 1);
      bcast[*axis] = scales.size();
      float one = 1.0f;
      std::string f = fresh((base + "_integers").str());
      addNode(list, "DequantizeLinear",
              {q, addF32((base + "_unit_scale").str(), {}, one)}, {f}, base);
      if (!zeroPoints.empty()) {
        SmallVector<float> zpF(zeroPoints.begin(), zeroPoints.end());
        std::string centered = fresh((base + "_centered").str());
        addNode(list, "Sub",
                {f, addF32((base + "_zero_point").str(), bcast, zpF)},
                {centered}, base);
        f = centered;
      }
      addNode(list, "Mul", {f, addF32((base + "_scale").str(), bcast, scales)},
              {out}, base);
      return out;
    }
    SmallVector<int64_t> paramDims;
    if (axis)
      paramDims.push_back(scales.size());
    std::string s = addF32((base + "_scale").str(), paramDims, scales);
    SmallVector<std::string> inputs = {q, s};
    if (!zeroPoints.empty())
      inputs.push_back(
          addBytes((base + "_zero_point").str(), dtype, paramDims, zeroPoints));
    onnx::NodeProto &n = addNode(list, "DequantizeLinear", inputs, {out}, base);
    if (axis)
      setInt(n, "axis", *axis);
    return out;
  }

  ModuleOp module;
  std::string modelPath, modelDir;
  onnx::ModelProto model;
  int64_t modelOpset = 1;
  /// Layer name (node name, else output 0) -> node index; -1: ambiguous.
  llvm::StringMap<int> nodeByName;
  llvm::StringSet<> names, nodeNames;
  /// Default-domain op types of the original model (any level).
  std::set<std::string> originalOps;
  /// Per original node: nodes inserted before it, its replacement and
  /// nodes inserted after it.
  std::vector<std::vector<onnx::NodeProto>> before, after;
  std::vector<std::optional<std::vector<onnx::NodeProto>>> replacement;
  std::vector<bool> exported;
  /// Values a rewritten node no longer reads (float weights), removed at
  /// the end if nothing else reads them.
  std::vector<std::string> detached;
  int64_t needOpset = 0;
  bool needMsDomain = false;
};

} // namespace mlir::qcc::onnx_export

#endif // QCC_LIB_EXPORT_ONNXEXPORTER_H
