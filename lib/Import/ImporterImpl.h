//===- ImporterImpl.h - ONNX importer internals -----------------*- C++ -*-===//
//
// Shared between the graph walker (OnnxImporter.cpp) and the per-op-family
// builders (Ops*.cpp). Not a public header.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_IMPORT_IMPORTERIMPL_H
#define QCC_LIB_IMPORT_IMPORTERIMPL_H

#include "qcc/Dialect/Qcc/QccOps.h"
#include "qcc/Import/OnnxImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <optional>

namespace mlir::qcc::importer {

class GraphImporter;

/// Everything a per-op builder needs about the node being imported.
class NodeContext {
public:
  NodeContext(GraphImporter &imp, const onnx::NodeProto &node, Location loc);

  const onnx::NodeProto &node() const { return nodeProto; }
  StringRef opType() const { return nodeProto.op_type(); }
  int64_t opset() const;
  Location loc() const { return location; }
  OpBuilder &builder();
  MLIRContext *context();

  /// Number of inputs as written (trailing optional inputs may be absent).
  unsigned numInputs() const { return inputs.size(); }
  /// The `i`th input, or a null Value when absent or empty.
  Value input(unsigned i) const { return i < inputs.size() ? inputs[i] : Value(); }
  RankedTensorType inputType(unsigned i) const {
    return cast<RankedTensorType>(input(i).getType());
  }
  bool hasInput(unsigned i) const { return static_cast<bool>(input(i)); }
  unsigned numOutputs() const { return nodeProto.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < numOutputs() && !nodeProto.output(i).empty();
  }

  /// The constant value of input `i` if it is known at import time.
  std::optional<DenseElementsAttr> constantInput(unsigned i) const;
  /// Input `i` as a list of integers; fails with a diagnostic when the
  /// input is not an import-time constant.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);
  FailureOr<double> constantScalar(unsigned i, StringRef what);

  bool hasAttr(StringRef name) const { return findAttr(name) != nullptr; }
  int64_t attrInt(StringRef name, int64_t dflt) const;
  double attrFloat(StringRef name, double dflt) const;
  std::string attrString(StringRef name, StringRef dflt) const;
  SmallVector<int64_t> attrInts(StringRef name) const;
  SmallVector<double> attrFloats(StringRef name) const;
  const onnx::TensorProto *attrTensor(StringRef name) const;

  /// The shape-inferred type of output `i`, if fully static (or, with
  /// `allowDynamic`, with unknown dimensions dynamic).
  RankedTensorType inferredType(unsigned i, bool allowDynamic = false) const;
  /// The type of output `i`: the inferred one, else `fallback` if given,
  /// else an error.
  FailureOr<RankedTensorType> outputType(unsigned i,
                                         RankedTensorType fallback = {});

  void setResult(unsigned i, Value v);
  void setResults(ValueRange values);

  InFlightDiagnostic emitError() const;
  LogicalResult unsupported(const Twine &what) const;

  /// Creates a splat constant of `type`.
  Value splat(RankedTensorType type, double value);
  /// Creates a rank-0 tensor constant with element type `elemType`.
  Value scalar(Type elemType, double value);
  Value intConstant(ArrayRef<int64_t> values);
  /// Builds the constant for a TensorProto (Constant node attributes).
  FailureOr<Value> importTensor(const onnx::TensorProto &t);

  template <typename OpTy, typename... Args>
  OpTy create(Args &&...args) {
    return OpTy::create(builder(), location, std::forward<Args>(args)...);
  }

private:
  const onnx::AttributeProto *findAttr(StringRef name) const;

  GraphImporter &imp;
  const onnx::NodeProto &nodeProto;
  Location location;
  SmallVector<Value> inputs;
};

using OpImporterFn = LogicalResult (*)(NodeContext &);

/// The importer of one ONNX op type. Importers are only given inputs with
/// dynamic dimensions when registered with dynamicShapeImporter; the others
/// (which compute static shapes) reject such nodes before they run.
struct OpImporter {
  OpImporter(OpImporterFn fn = nullptr) : fn(fn) {}

  OpImporterFn fn;
  bool dynamicShapes = false;
};

/// An importer that handles dynamic dimensions and builds (besides
/// constants) only the qcc ops `OpTys`, which must take dynamic dimensions
/// (implement DynamicShapeOpInterface). The ops it builds for a node with
/// dynamic inputs are checked against the interface (the conditional ones:
/// convolution, pooling, concatenation, reshape).
template <typename... OpTys>
OpImporter dynamicShapeImporter(OpImporterFn fn) {
  static_assert(
      (OpTys::template hasTrait<DynamicShapeOpInterface::Trait>() && ...),
      "an importer of dynamic shapes builds an op without "
      "DynamicShapeOpInterface");
  OpImporter importer(fn);
  importer.dynamicShapes = true;
  return importer;
}

using OpImporterTable = llvm::StringMap<OpImporter>;

/// Per-op-family registration: each adds its ONNX op types to `table`.
void registerElementwiseOps(OpImporterTable &table);
void registerNNOps(OpImporterTable &table);
void registerShapeOps(OpImporterTable &table);
void registerQuantOps(OpImporterTable &table);
void registerCompositeOps(OpImporterTable &table);

/// ONNX element type code to MLIR type (unsigned kept as ui<N>, bool i1).
Type convertElementType(MLIRContext *ctx, int32_t onnxType);
/// Numpy broadcast of two static shapes; failure if incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);
/// Normalises a possibly negative axis against `rank`.
int64_t normalizeAxis(int64_t axis, int64_t rank);

/// Elementwise helpers used by several families.
Value createReshape(NodeContext &ctx, Value v, ArrayRef<int64_t> shape);

/// Builds a qcc.conv from the node's Conv-style attributes (kernel_shape,
/// strides, pads, dilations, group, auto_pad).
FailureOr<Value> buildConv(NodeContext &ctx, Value input, Value weight,
                           Value bias, Type resultElem,
                           IntegerAttr inputZeroPoint,
                           IntegerAttr weightZeroPoint);

/// Creates the broadcasting binary op `OpTy` with the numpy broadcast shape
/// of its operands; null (after a diagnostic) if they do not broadcast.
template <typename OpTy>
Value broadcastBinary(NodeContext &ctx, Value lhs, Value rhs,
                      Type resultElemType = {}) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(lhsType.getShape(), rhsType.getShape());
  if (failed(shape)) {
    ctx.emitError() << "operand shapes " << lhsType << " and " << rhsType
                    << " do not broadcast";
    return {};
  }
  auto type = RankedTensorType::get(
      *shape, resultElemType ? resultElemType : lhsType.getElementType());
  return ctx.create<OpTy>(type, lhs, rhs);
}

} // namespace mlir::qcc::importer

#endif // QCC_LIB_IMPORT_IMPORTERIMPL_H
