//===- QuantUtils.h - helpers shared by the quantization passes -*- C++ -*-===//
#ifndef QCC_TRANSFORMS_QUANTUTILS_H
#define QCC_TRANSFORMS_QUANTUTILS_H

#include "qcc/Dialect/Qcc/QccAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir::qcc {

/// The ONNX node name an imported op carries as its NameLoc (possibly
/// inside a FusedLoc), or "".
std::string onnxNodeName(Operation *op);

/// The ONNX op type a quantizable qcc op (matmul, gemm, conv) came from.
StringRef onnxOpType(Operation *op);

/// Whether `exclude` (node names or ONNX op types, the latter matched
/// case-insensitively) keeps `op` in float.
bool isExcludedLayer(Operation *op, ArrayRef<std::string> exclude);

/// The values of `cst` if it is a statically shaped f32 tensor constant
/// (dense elements or a dense resource), else std::nullopt (also for null).
std::optional<SmallVector<float>> f32ConstantValues(arith::ConstantOp cst);

/// The float values of `v` if it is such a constant (a constant weight).
std::optional<SmallVector<float>> constantWeightValues(Value v);

/// The ONNX node name of `op`, or "<OpType>_<n>" (n from `counter`).
std::string layerName(Operation *op, unsigned &counter);

/// A tensor constant of `type` from its raw little-endian bytes: inline
/// dense elements up to 64 elements, else a resource blob named `blobName`
/// (so large weights never appear as text).
TypedAttr rawConstantAttr(RankedTensorType type, StringRef blobName,
                          ArrayRef<char> raw);
Value rawConstant(OpBuilder &b, Location loc, RankedTensorType type,
                  StringRef blobName, ArrayRef<char> raw);
/// An integer tensor constant (8, 16 or 32-bit `elem`) of `values`.
Value intConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elem, ArrayRef<int64_t> values,
                  StringRef blobName = "qdq");
/// A small f32 tensor constant (inline dense elements).
Value f32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<float> values);

/// What a quantization pass did to one layer, recorded as the `qcc.quant`
/// attribute (#qcc.quant<...>, QuantRecordAttr) on the op that now computes
/// it (read by the report, the ONNX exporter and tests); the op producing
/// the layer's float output is tagged `qcc.layer_output`.
struct LayerRecord {
  std::string layer;
  StringRef opType;
  QuantScheme scheme = QuantScheme::WeightOnly;
  QuantGranularity granularity = QuantGranularity::PerChannel;
  int64_t bits = 8, groupSize = 0;
  bool symmetric = true;
  float scaleMin = 0, scaleMax = 0;
  int64_t bytesBefore = 0, bytesAfter = 0;
  std::optional<float> actScale;
  ArrayRef<float> weightScales;   // static only
  ArrayRef<float> biasCorrection; // static: per-channel shift subtracted

  /// Sets scaleMin/scaleMax from `scales` (unchanged if empty).
  void setScales(ArrayRef<float> scales);
  /// Writes the record onto `computeOp` and tags `outputOp`.
  void attach(Operation *computeOp, Operation *outputOp) const;
};

} // namespace mlir::qcc

#endif // QCC_TRANSFORMS_QUANTUTILS_H
