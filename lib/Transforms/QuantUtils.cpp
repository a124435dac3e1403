//===- QuantUtils.cpp - helpers shared by the quantization passes ---------===//

#include "qcc/Transforms/QuantUtils.h"

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::qcc;

std::string mlir::qcc::onnxNodeName(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      loc = fused.getLocations().front();
  if (auto nameLoc = dyn_cast<NameLoc>(loc))
    return nameLoc.getName().str();
  return "";
}

StringRef mlir::qcc::onnxOpType(Operation *op) {
  if (isa<MatMulOp>(op))
    return "MatMul";
  if (isa<GemmOp>(op))
    return "Gemm";
  return "Conv";
}

bool mlir::qcc::isExcludedLayer(Operation *op, ArrayRef<std::string> exclude) {
  if (exclude.empty())
    return false;
  std::string name = onnxNodeName(op);
  StringRef type = onnxOpType(op);
  return llvm::any_of(exclude, [&](const std::string &e) {
    return (!name.empty() && e == name) ||
           StringRef(e).equals_insensitive(type);
  });
}

std::optional<SmallVector<float>>
mlir::qcc::f32ConstantValues(arith::ConstantOp cst) {
  auto type = cst ? dyn_cast<RankedTensorType>(cst.getType()) : nullptr;
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    auto vals = dense.getValues<float>();
    return SmallVector<float>(vals.begin(), vals.end());
  }
  if (auto res = dyn_cast<DenseF32ResourceElementsAttr>(cst.getValue()))
    if (std::optional<ArrayRef<float>> vals = res.tryGetAsArrayRef())
      return SmallVector<float>(vals->begin(), vals->end());
  return std::nullopt;
}

std::optional<SmallVector<float>> mlir::qcc::constantWeightValues(Value v) {
  return f32ConstantValues(v.getDefiningOp<arith::ConstantOp>());
}

std::string mlir::qcc::layerName(Operation *op, unsigned &counter) {
  std::string name = onnxNodeName(op);
  if (!name.empty())
    return name;
  return (onnxOpType(op) + "_" + Twine(counter++)).str();
}

TypedAttr mlir::qcc::rawConstantAttr(RankedTensorType type, StringRef blobName,
                                     ArrayRef<char> raw) {
  if (type.getNumElements() <= 64)
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  return DenseResourceElementsAttr::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, alignof(uint64_t)));
}

Value mlir::qcc::rawConstant(OpBuilder &b, Location loc, RankedTensorType type,
                             StringRef blobName, ArrayRef<char> raw) {
  return arith::ConstantOp::create(b, loc,
                                   rawConstantAttr(type, blobName, raw));
}

Value mlir::qcc::intConstant(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, Type elem,
                             ArrayRef<int64_t> values, StringRef blobName) {
  auto type = RankedTensorType::get(shape, elem);
  unsigned bytes = elem.getIntOrFloatBitWidth() / 8;
  SmallVector<char> raw(values.size() * bytes);
  for (size_t i = 0; i < values.size(); ++i)
    for (unsigned k = 0; k < bytes; ++k)
      raw[i * bytes + k] = (char)(((uint64_t)values[i] >> (8 * k)) & 0xff);
  return rawConstant(b, loc, type, blobName, raw);
}

Value mlir::qcc::f32Constant(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

void LayerRecord::setScales(ArrayRef<float> scales) {
  if (scales.empty())
    return;
  auto [lo, hi] = std::minmax_element(scales.begin(), scales.end());
  scaleMin = *lo;
  scaleMax = *hi;
}

void LayerRecord::attach(Operation *computeOp, Operation *outputOp) const {
  MLIRContext *ctx = computeOp->getContext();
  auto *dialect = ctx->getLoadedDialect<QccDialect>();
  dialect->getQuantAttrHelper().setAttr(
      computeOp, QuantRecordAttr::get(
                     ctx, layer, opType, scheme, bits, granularity, groupSize,
                     symmetric, scaleMin, scaleMax, bytesBefore, bytesAfter,
                     actScale, weightScales, biasCorrection));
  outputOp->setAttr("qcc.layer_output", StringAttr::get(ctx, layer));
}
