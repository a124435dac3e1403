//===- QuantizeDynamic.cpp - dynamic int8 quantization --------------------===//
//
// --qcc-quantize-dynamic: MatMul/Gemm weights become int8 per output channel
// at compile time; activations are quantized per row (token) at run time by
// qcc.dynamic_quantize_rows; the contraction accumulates in i32 and is
// rescaled by the row and column scales.
//
//===----------------------------------------------------------------------===//

#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Dominance.h"

#include <cmath>
#include <numeric>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCQUANTIZEDYNAMIC
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// Symmetric int8 per output channel of a [K, N] weight (columns are the
/// channels): the i8 constant and the [N] scales.
std::pair<Value, Value> quantizeColumns(OpBuilder &b, Location loc,
                                        ArrayRef<float> w, int64_t k,
                                        int64_t n,
                                        SmallVector<float> &scales) {
  scales.assign(n, 0.f);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      scales[j] = std::max(scales[j], std::fabs(w[i * n + j]));
  for (float &s : scales)
    s = s > 0 ? s / 127.0f : 1.0f;
  SmallVector<int8_t> q(k * n);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      q[i * n + j] = (int8_t)std::clamp<float>(
          std::nearbyint(w[i * n + j] / scales[j]), -127, 127);
  auto qType = RankedTensorType::get({k, n}, b.getI8Type());
  auto sType = RankedTensorType::get({n}, b.getF32Type());
  Value qv = rawConstant(b, loc, qType, "dq.weight",
                         ArrayRef<char>((const char *)q.data(), q.size()));
  Value sv = rawConstant(b, loc, sType, "dq.scale",
                         ArrayRef<char>((const char *)scales.data(),
                                        scales.size() * sizeof(float)));
  return {qv, sv};
}

struct QccQuantizeDynamicPass
    : qcc::impl::QccQuantizeDynamicBase<QccQuantizeDynamicPass> {
  using QccQuantizeDynamicBase::QccQuantizeDynamicBase;

  /// x (float, [..., K]) times the quantized [K, N] weight, rescaled.
  Value quantizedProduct(OpBuilder &b, Location loc, Value x,
                         ArrayRef<float> wKN, int64_t k, int64_t n,
                         LayerRecord &record, Operation *&acc) {
    auto xType = cast<RankedTensorType>(x.getType());
    SmallVector<float> scales;
    auto [wq, ws] = quantizeColumns(b, loc, wKN, k, n, scales);
    record.scheme = QuantScheme::Dynamic;
    record.granularity = QuantGranularity::PerChannel;
    record.setScales(scales);
    record.bytesBefore = k * n * sizeof(float);
    record.bytesAfter = k * n + n * sizeof(float);
    SmallVector<int64_t> rowShape(xType.getShape());
    rowShape.back() = 1;
    auto rows = DynamicQuantizeRowsOp::create(
        b, loc, xType.clone(b.getI8Type()), xType.clone(rowShape), x);
    SmallVector<int64_t> outShape(xType.getShape());
    outShape.back() = n;
    auto accType = RankedTensorType::get(outShape, b.getI32Type());
    auto mm = MatMulOp::create(b, loc, accType, rows.getOutput(), wq);
    acc = mm;
    auto fType = accType.clone(xType.getElementType());
    Value y = CastOp::create(b, loc, fType, mm);
    y = MulOp::create(b, loc, fType, y, rows.getScale());
    return MulOp::create(b, loc, fType, y, ws);
  }

  void runOnOperation() override {
    SmallVector<Operation *> targets;
    getOperation().walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp>(op) && !isExcludedLayer(op, exclude))
        targets.push_back(op);
    });
    unsigned layerCounter = 0;
    for (Operation *op : targets) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      LayerRecord record;
      record.layer = layerName(op, layerCounter);
      record.opType = onnxOpType(op);
      Operation *acc = nullptr;
      if (auto mm = dyn_cast<MatMulOp>(op)) {
        auto wType = cast<RankedTensorType>(mm.getRhs().getType());
        auto xType = cast<RankedTensorType>(mm.getLhs().getType());
        std::optional<SmallVector<float>> w = constantWeightValues(mm.getRhs());
        if (!w || wType.getRank() != 2 || xType.getRank() < 2 ||
            !xType.getElementType().isF32() ||
            wType.getNumElements() < minElements)
          continue;
        Value y =
            quantizedProduct(b, loc, mm.getLhs(), *w, wType.getDimSize(0),
                             wType.getDimSize(1), record, acc);
        record.attach(acc, y.getDefiningOp());
        mm.replaceAllUsesWith(y);
        mm.erase();
        continue;
      }
      auto gemm = cast<GemmOp>(op);
      auto bType = cast<RankedTensorType>(gemm.getB().getType());
      std::optional<SmallVector<float>> w = constantWeightValues(gemm.getB());
      if (!w || gemm.getTransA() || bType.getNumElements() < minElements)
        continue;
      int64_t k = gemm.getTransB() ? bType.getDimSize(1) : bType.getDimSize(0);
      int64_t n = gemm.getTransB() ? bType.getDimSize(0) : bType.getDimSize(1);
      SmallVector<float> wKN(*w);
      if (gemm.getTransB())
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < n; ++j)
            wKN[i * n + j] = (*w)[j * k + i];
      Value y = quantizedProduct(b, loc, gemm.getA(), wKN, k, n, record, acc);
      auto yType = cast<RankedTensorType>(y.getType());
      Type ft = yType.getElementType();
      auto scalar = [&](double v) -> Value {
        return arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, ft),
                                   FloatAttr::get(ft, v).getValue()));
      };
      double alpha = gemm.getAlpha().convertToDouble();
      double beta = gemm.getBeta().convertToDouble();
      if (alpha != 1.0)
        y = MulOp::create(b, loc, yType, y, scalar(alpha));
      if (gemm.getC() && beta != 0) {
        Value c = gemm.getC();
        if (beta != 1.0)
          c = MulOp::create(b, loc, cast<RankedTensorType>(c.getType()), c,
                            scalar(beta));
        y = AddOp::create(b, loc, yType, y, c);
      }
      record.attach(acc, y.getDefiningOp());
      gemm.replaceAllUsesWith(y);
      gemm.erase();
    }
  }
};
} // namespace
