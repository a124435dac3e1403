//===- QuantizeWeights.cpp - weight-only int8/int4 quantization -----------===//
//
// Rewrites the constant weights of qcc.matmul, qcc.gemm and qcc.conv into
// integer storage plus one scale (and, asymmetric, one zero point) per
// block, read back through qcc.dequantize_blockwise:
//
//   %w = arith.constant dense_resource<w> : tensor<KxNxf32>
//   qcc.matmul %x, %w
// becomes
//   %q = arith.constant dense_resource<w.q> : tensor<KxN/2xi8>   (4-bit)
//   %s = arith.constant ... : tensor<K/GxNxf32>
//   %d = qcc.dequantize_blockwise %q, %s {block_shape = [G, 1], bits = 4}
//   qcc.matmul %x, %d
//
// Blocks are per output channel (the whole reduction dimension) or, with a
// group size, `group-size` consecutive elements of the reduction dimension.
// Rounding is round-half-to-even with saturation. The lowering fuses the
// dequantization into the contraction, so no float copy of the weights is
// ever materialised.
//
//===----------------------------------------------------------------------===//

#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <numeric>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCQUANTIZEWEIGHTS
#define GEN_PASS_DEF_QCCQUANTIZEDYNAMIC
#define GEN_PASS_DEF_QCCQUANTIZESTATIC
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

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
    return (!name.empty() && e == name) || StringRef(e).equals_insensitive(type);
  });
}

namespace {

/// The float values of a constant weight, or std::nullopt.
std::optional<SmallVector<float>> weightValues(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
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

/// The ONNX node name of `op`, or "<OpType>_<n>".
std::string layerName(Operation *op, unsigned &counter) {
  std::string name = onnxNodeName(op);
  if (!name.empty())
    return name;
  return (onnxOpType(op) + "_" + Twine(counter++)).str();
}

bool isExcluded(Operation *op, ArrayRef<std::string> exclude) {
  return isExcludedLayer(op, exclude);
}

/// What a quantization pass did to one layer, recorded as the `qcc.quant`
/// dictionary on the op that now computes it (read by the report, the
/// ONNX exporter and tests); the op producing the layer's float output is
/// tagged `qcc.layer_output`.
struct LayerRecord {
  std::string layer;
  StringRef opType, scheme, granularity;
  int64_t bits = 8, groupSize = 0;
  bool symmetric = true;
  float scaleMin = 0, scaleMax = 0;
  int64_t bytesBefore = 0, bytesAfter = 0;
  std::optional<float> actScale;
  ArrayRef<float> weightScales; // static only
  ArrayRef<float> biasCorrection; // static: per-channel shift subtracted

  void setScales(ArrayRef<float> scales) {
    if (scales.empty())
      return;
    auto [lo, hi] = std::minmax_element(scales.begin(), scales.end());
    scaleMin = *lo;
    scaleMax = *hi;
  }

  void attach(Operation *computeOp, Operation *outputOp) const {
    Builder b(computeOp->getContext());
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("layer", b.getStringAttr(layer)),
        b.getNamedAttr("op", b.getStringAttr(opType)),
        b.getNamedAttr("scheme", b.getStringAttr(scheme)),
        b.getNamedAttr("bits", b.getI64IntegerAttr(bits)),
        b.getNamedAttr("granularity", b.getStringAttr(granularity)),
        b.getNamedAttr("group_size", b.getI64IntegerAttr(groupSize)),
        b.getNamedAttr("symmetric", b.getBoolAttr(symmetric)),
        b.getNamedAttr("scale_min", b.getF32FloatAttr(scaleMin)),
        b.getNamedAttr("scale_max", b.getF32FloatAttr(scaleMax)),
        b.getNamedAttr("bytes_before", b.getI64IntegerAttr(bytesBefore)),
        b.getNamedAttr("bytes_after", b.getI64IntegerAttr(bytesAfter))};
    if (actScale)
      fields.push_back(
          b.getNamedAttr("act_scale", b.getF32FloatAttr(*actScale)));
    if (!weightScales.empty())
      fields.push_back(b.getNamedAttr(
          "weight_scales", b.getDenseF32ArrayAttr(weightScales)));
    if (!biasCorrection.empty())
      fields.push_back(b.getNamedAttr(
          "bias_correction", b.getDenseF32ArrayAttr(biasCorrection)));
    computeOp->setAttr("qcc.quant", b.getDictionaryAttr(fields));
    outputOp->setAttr("qcc.layer_output", b.getStringAttr(layer));
  }
};

/// A weight tensor and how it is blocked: `block[d]` consecutive elements
/// of dimension d share a scale.
struct BlockedWeight {
  RankedTensorType type;
  SmallVector<int64_t> block;
  int64_t groupSize = 0; // 0: one block per output channel
};

class WeightQuantizer {
public:
  WeightQuantizer(int64_t bits, bool symmetric)
      : bits(bits), symmetric(symmetric) {}

  /// Quantizes `w` blockwise and returns the dequantized value that
  /// replaces it; fills the scale range and byte counts of `record`.
  Value quantize(OpBuilder &b, Location loc, ArrayRef<float> w,
                 const BlockedWeight &bw, StringRef name,
                 LayerRecord &record) {
    ArrayRef<int64_t> shape = bw.type.getShape();
    int64_t rank = shape.size();
    SmallVector<int64_t> scaleShape;
    for (int64_t d = 0; d < rank; ++d)
      scaleShape.push_back(shape[d] / bw.block[d]);
    int64_t numBlocks = 1;
    for (int64_t s : scaleShape)
      numBlocks *= s;
    // Block index of every element (row-major walk).
    SmallVector<int64_t> blockOf(w.size());
    SmallVector<int64_t> idx(rank, 0);
    for (size_t i = 0; i < w.size(); ++i) {
      int64_t blk = 0;
      for (int64_t d = 0; d < rank; ++d)
        blk = blk * scaleShape[d] + idx[d] / bw.block[d];
      blockOf[i] = blk;
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++idx[d] < shape[d])
          break;
        idx[d] = 0;
      }
    }
    SmallVector<float> lo(numBlocks, 0.f), hi(numBlocks, 0.f);
    for (size_t i = 0; i < w.size(); ++i) {
      lo[blockOf[i]] = std::min(lo[blockOf[i]], w[i]);
      hi[blockOf[i]] = std::max(hi[blockOf[i]], w[i]);
    }
    int64_t qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    int64_t qmin = symmetric ? -qmax : 0;
    SmallVector<float> scales(numBlocks);
    SmallVector<uint8_t> zeroPoints(numBlocks, 0);
    for (int64_t k = 0; k < numBlocks; ++k) {
      float range = symmetric ? std::max(-lo[k], hi[k]) : hi[k] - lo[k];
      float s = range / (symmetric ? qmax : qmax - qmin);
      scales[k] = s > 0 ? s : 1.0f;
      if (!symmetric)
        zeroPoints[k] = (uint8_t)std::clamp<float>(
            std::nearbyint(-lo[k] / scales[k]), 0, qmax);
    }
    SmallVector<int64_t> q(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      int64_t k = blockOf[i];
      float v = std::nearbyint(w[i] / scales[k]) + zeroPoints[k];
      q[i] = (int64_t)std::clamp<float>(v, qmin, qmax);
    }
    // Storage: one byte per value, or two 4-bit values per byte along the
    // last dimension (even index in the low nibble).
    SmallVector<int64_t> storageShape(shape);
    SmallVector<uint8_t> bytes;
    if (bits == 4) {
      storageShape.back() /= 2;
      bytes.reserve(w.size() / 2);
      for (size_t i = 0; i < w.size(); i += 2)
        bytes.push_back((uint8_t)((q[i] & 0xF) | ((q[i + 1] & 0xF) << 4)));
    } else {
      for (int64_t v : q)
        bytes.push_back((uint8_t)v);
    }
    MLIRContext *ctx = b.getContext();
    Type storageElem = IntegerType::get(
        ctx, 8, symmetric ? IntegerType::Signless : IntegerType::Unsigned);
    auto storageType = RankedTensorType::get(storageShape, storageElem);
    Value storage = arith::ConstantOp::create(
        b, loc,
        blob(storageType, (name + ".q").str(),
             ArrayRef<char>((const char *)bytes.data(), bytes.size())));
    auto scaleType = RankedTensorType::get(scaleShape, b.getF32Type());
    Value scale = arith::ConstantOp::create(
        b, loc,
        blob(scaleType, (name + ".scale").str(),
             ArrayRef<char>((const char *)scales.data(),
                            scales.size() * sizeof(float))));
    Value zp;
    if (!symmetric)
      zp = arith::ConstantOp::create(
          b, loc,
          blob(scaleType.clone(IntegerType::get(ctx, 8, IntegerType::Unsigned)),
               (name + ".zp").str(),
               ArrayRef<char>((const char *)zeroPoints.data(),
                              zeroPoints.size())));
    record.bits = bits;
    record.symmetric = symmetric;
    record.setScales(scales);
    record.bytesBefore = w.size() * sizeof(float);
    record.bytesAfter = bytes.size() + scales.size() * sizeof(float) +
                        (symmetric ? 0 : zeroPoints.size());
    bytesBefore += record.bytesBefore;
    bytesAfter += record.bytesAfter;
    return DequantizeBlockwiseOp::create(
        b, loc, bw.type, storage, scale, zp, b.getDenseI64ArrayAttr(bw.block),
        b.getI64IntegerAttr(bits));
  }

  int64_t bytesBefore = 0, bytesAfter = 0;

private:
  /// Large constants go to a resource blob, small ones stay inline.
  static TypedAttr blob(RankedTensorType type, std::string name,
                        ArrayRef<char> data) {
    if (type.getNumElements() <= 64)
      return DenseElementsAttr::getFromRawBuffer(type, data);
    return DenseResourceElementsAttr::get(
        type, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(float)));
  }

  int64_t bits;
  bool symmetric;
};

struct QccQuantizeWeightsPass
    : qcc::impl::QccQuantizeWeightsBase<QccQuantizeWeightsPass> {
  using QccQuantizeWeightsBase::QccQuantizeWeightsBase;

  /// Blocking of `weight` used by `op` as operand `operandIndex`, or
  /// std::nullopt if the op/operand is not a quantizable weight.
  std::optional<BlockedWeight> blocking(Operation *op, Value weight) {
    auto type = cast<RankedTensorType>(weight.getType());
    // Reduction dimension and output-channel dimension of the weight.
    int64_t red, chan;
    if (auto mm = dyn_cast<MatMulOp>(op)) {
      if (mm.getRhs() != weight || type.getRank() != 2)
        return std::nullopt;
      red = 0, chan = 1;
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      if (gemm.getB() != weight)
        return std::nullopt;
      red = gemm.getTransB() ? 1 : 0;
      chan = 1 - red;
    } else if (auto conv = dyn_cast<ConvOp>(op)) {
      if (conv.getWeight() != weight || conv.getInputZeroPoint())
        return std::nullopt;
      // Per output channel: one block spans all of [C/G, k...].
      SmallVector<int64_t> block(type.getShape());
      block[0] = 1;
      if (bits == 4 && type.getShape().back() % 2)
        return std::nullopt;
      return BlockedWeight{type, block, 0};
    } else {
      return std::nullopt;
    }
    SmallVector<int64_t> block(2, 1);
    int64_t k = type.getDimSize(red);
    // A group size that does not divide the reduction dimension falls back
    // to one scale per output channel.
    block[red] = groupSize > 0 && k % groupSize == 0 ? (int64_t)groupSize : k;
    (void)chan;
    if (k % block[red] || (bits == 4 && type.getShape().back() % 2))
      return std::nullopt;
    return BlockedWeight{type, block, block[red] == k ? 0 : block[red]};
  }

  void runOnOperation() override {
    if (bits != 8 && bits != 4) {
      getOperation().emitError("qcc-quantize-weights: bits must be 8 or 4");
      return signalPassFailure();
    }
    int64_t defaultBits = bits;
    WeightQuantizer quantizers[2] = {WeightQuantizer(8, symmetric),
                                     WeightQuantizer(4, symmetric)};
    unsigned counter = 0, layerCounter = 0;
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isa<MatMulOp, GemmOp, ConvOp>(op) || isExcluded(op, exclude))
        return WalkResult::advance();
      // A per-op `qcc.bits` (from --qcc-mixed-precision) overrides `bits`;
      // 32 keeps the op in float.
      bits = defaultBits;
      if (auto attr = op->getAttrOfType<IntegerAttr>("qcc.bits")) {
        bits = attr.getInt();
        if (bits != 32 && bits != 8 && bits != 4) {
          op->emitError("qcc-quantize-weights: qcc.bits must be 4, 8 or 32");
          return WalkResult::interrupt();
        }
        op->removeAttr("qcc.bits");
      }
      if (bits == 32)
        return WalkResult::advance();
      WeightQuantizer &quantizer = quantizers[bits == 8 ? 0 : 1];
      for (OpOperand &use : op->getOpOperands()) {
        Value w = use.get();
        std::optional<BlockedWeight> bw = blocking(op, w);
        if (!bw || bw->type.getNumElements() < minElements)
          continue;
        std::optional<SmallVector<float>> values = weightValues(w);
        if (!values)
          continue;
        OpBuilder b(op);
        std::string name = "qw" + std::to_string(counter++);
        if (auto nameLoc = dyn_cast<NameLoc>(w.getLoc()))
          name = nameLoc.getName().str();
        LayerRecord record;
        record.layer = layerName(op, layerCounter);
        record.opType = onnxOpType(op);
        record.scheme = "weight-only";
        record.granularity = bw->groupSize ? "per-group" : "per-channel";
        record.groupSize = bw->groupSize;
        use.set(quantizer.quantize(b, w.getLoc(), *values, *bw, name, record));
        record.attach(op, op);
      }
      return WalkResult::advance();
    });
    bits = defaultBits;
    if (result.wasInterrupted())
      return signalPassFailure();
    int64_t bytesBefore = quantizers[0].bytesBefore + quantizers[1].bytesBefore;
    int64_t bytesAfter = quantizers[0].bytesAfter + quantizers[1].bytesAfter;
    getOperation()->setAttr(
        "qcc.weight_bytes",
        DictionaryAttr::get(
            &getContext(),
            {NamedAttribute(StringAttr::get(&getContext(), "float"),
                            IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                             bytesBefore)),
             NamedAttribute(StringAttr::get(&getContext(), "quantized"),
                            IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                             bytesAfter))}));
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Dynamic quantization
//===----------------------------------------------------------------------===//

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
  auto asBlob = [](RankedTensorType t, StringRef name, ArrayRef<char> data)
      -> TypedAttr {
    if (t.getNumElements() <= 64)
      return DenseElementsAttr::getFromRawBuffer(t, data);
    return DenseResourceElementsAttr::get(
        t, name,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(float)));
  };
  Value qv = arith::ConstantOp::create(
      b, loc,
      asBlob(qType, "dq.weight",
             ArrayRef<char>((const char *)q.data(), q.size())));
  Value sv = arith::ConstantOp::create(
      b, loc,
      asBlob(sType, "dq.scale",
             ArrayRef<char>((const char *)scales.data(),
                            scales.size() * sizeof(float))));
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
    record.scheme = "dynamic";
    record.granularity = "per-channel";
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
      if (isa<MatMulOp, GemmOp>(op) && !isExcluded(op, exclude))
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
        std::optional<SmallVector<float>> w = weightValues(mm.getRhs());
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
      std::optional<SmallVector<float>> w = weightValues(gemm.getB());
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

//===----------------------------------------------------------------------===//
// Static W8A8
//===----------------------------------------------------------------------===//

namespace {

/// A rank-0 or 1-D f32 constant.
Value f32Constant(OpBuilder &b, Location loc, ArrayRef<float> values,
                  bool scalar) {
  auto type = scalar ? RankedTensorType::get({}, b.getF32Type())
                     : RankedTensorType::get({(int64_t)values.size()},
                                             b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

struct QccQuantizeStaticPass
    : qcc::impl::QccQuantizeStaticBase<QccQuantizeStaticPass> {
  using QccQuantizeStaticBase::QccQuantizeStaticBase;

  /// What an int8 layer produced, for the next layer to requantize its i32
  /// accumulator directly (integer-only) instead of going through float.
  struct Produced {
    Value acc;                 // i32 accumulator
    SmallVector<float> scale;  // real value of one accumulator unit, per channel
    int64_t axis;              // channel axis of `acc`
    SmallVector<int64_t> biasShape;
    SmallVector<float> bias;   // float bias per channel (empty: none)
  };
  llvm::DenseMap<Value, Produced> produced;

  /// Splits a positive real multiplier into a Q31 mantissa in [2^30, 2^31)
  /// and a right shift beyond 31 bits.
  static std::pair<int32_t, int32_t> fixedPoint(double m) {
    int exp;
    double mant = std::frexp(m, &exp); // m = mant * 2^exp, mant in [0.5, 1)
    int64_t q = std::llround(mant * (double)(1ll << 31));
    if (q == (1ll << 31)) {
      q /= 2;
      ++exp;
    }
    return {(int32_t)q, -exp};
  }

  /// The int8 input of a layer whose input is (a ReLU of) another int8
  /// layer's output: that layer's accumulator plus its quantized bias,
  /// requantized with fixed-point multipliers; null if not applicable.
  Value integerInput(OpBuilder &b, Location loc, Value x, float sx) {
    // Look through ReLU (folded into the requantization's lower bound) and
    // max pooling, which commutes with the monotonic quantization and so
    // runs on the int8 values.
    Value src = x;
    bool relu = false;
    SmallVector<PoolOp> pools; // outermost first
    while (true) {
      if (auto r = src.getDefiningOp<ReluOp>()) {
        src = r.getInput();
        relu = true;
      } else if (auto pool = src.getDefiningOp<PoolOp>();
                 pool && pool.getKind() == "max") {
        pools.push_back(pool);
        src = pool.getInput();
      } else {
        break;
      }
    }
    auto it = produced.find(src);
    if (it == produced.end())
      return {};
    const Produced &p = it->second;
    SmallVector<int32_t> mults, shifts;
    for (float s : p.scale) {
      auto [m, sh] = fixedPoint((double)s / sx);
      if (sh < -30 || sh > 32)
        return {};
      mults.push_back(m);
      shifts.push_back(sh);
    }
    Value acc = p.acc;
    auto accType = cast<RankedTensorType>(acc.getType());
    if (!p.bias.empty()) {
      SmallVector<int32_t> biasQ;
      for (auto [bv, s] : llvm::zip(p.bias, p.scale))
        biasQ.push_back((int32_t)std::nearbyint(bv / s));
      auto bType = RankedTensorType::get(p.biasShape, b.getI32Type());
      Value bc = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(bType, ArrayRef<int32_t>(biasQ)));
      acc = AddOp::create(b, loc, accType, acc, bc);
    }
    Value q = RequantizeFixedOp::create(
        b, loc, accType.clone(b.getI8Type()), acc,
        b.getDenseI32ArrayAttr(mults), b.getDenseI32ArrayAttr(shifts),
        b.getI64IntegerAttr(p.axis), b.getI64IntegerAttr(relu ? 0 : -127));
    for (PoolOp pool : llvm::reverse(pools)) {
      Operation *intPool = b.clone(*pool.getOperation());
      intPool->setOperand(0, q);
      intPool->getResult(0).setType(
          cast<RankedTensorType>(pool.getType()).clone(b.getI8Type()));
      q = intPool->getResult(0);
    }
    return q;
  }

  /// Float values of a constant bias, or std::nullopt.
  static std::optional<SmallVector<float>> constantBias(Value bias) {
    if (!bias)
      return SmallVector<float>();
    return weightValues(bias);
  }

  /// int8 activation with the calibrated scale.
  Value quantizeActivation(OpBuilder &b, Location loc, Value x, float scale) {
    auto type = cast<RankedTensorType>(x.getType());
    Value s = f32Constant(b, loc, {scale}, true);
    Value zp = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI8Type()),
                               b.getI8IntegerAttr(0).getValue()));
    return QuantizeLinearOp::create(b, loc, type.clone(b.getI8Type()), x, s,
                                    zp, b.getI64IntegerAttr(0));
  }

  /// Per output channel int8 weights along `chanDim` of `w` (shape
  /// `shape`): values and scales.
  static std::pair<SmallVector<int8_t>, SmallVector<float>>
  quantizePerChannel(ArrayRef<float> w, ArrayRef<int64_t> shape,
                     int64_t chanDim, bool perChannel) {
    int64_t channels = shape[chanDim], inner = 1;
    for (size_t d = chanDim + 1; d < shape.size(); ++d)
      inner *= shape[d];
    auto chanOf = [&](size_t i) { return (i / inner) % channels; };
    SmallVector<float> scales(channels, 0.f);
    for (size_t i = 0; i < w.size(); ++i)
      scales[chanOf(i)] = std::max(scales[chanOf(i)], std::fabs(w[i]));
    if (!perChannel) // one scale for the whole tensor
      scales.assign(channels, *std::max_element(scales.begin(), scales.end()));
    for (float &s : scales)
      s = s > 0 ? s / 127.0f : 1.0f;
    SmallVector<int8_t> q(w.size());
    for (size_t i = 0; i < w.size(); ++i)
      q[i] = (int8_t)std::clamp<float>(std::nearbyint(w[i] / scales[chanOf(i)]),
                                       -127, 127);
    return {q, scales};
  }

  /// The expected output shift per output channel that weight rounding
  /// causes, E[x] . (dequant(q) - w), for weights laid out as `outC` rows
  /// of `inPerGroup` x `window` values; input channel of row o, column c is
  /// (o / groupOut) * inPerGroup + c.
  static SmallVector<float> biasShift(ArrayRef<float> w, ArrayRef<int8_t> q,
                                      ArrayRef<float> scales,
                                      ArrayRef<float> mean, int64_t outC,
                                      int64_t inPerGroup, int64_t window,
                                      int64_t groupOut) {
    SmallVector<float> shift(outC, 0.f);
    for (int64_t o = 0; o < outC; ++o) {
      double sum = 0;
      for (int64_t c = 0; c < inPerGroup; ++c) {
        int64_t in = (o / groupOut) * inPerGroup + c;
        if (in >= (int64_t)mean.size())
          return {};
        for (int64_t t = 0; t < window; ++t) {
          int64_t i = (o * inPerGroup + c) * window + t;
          sum += (double)mean[in] * ((double)q[i] * scales[o] - w[i]);
        }
      }
      shift[o] = sum;
    }
    if (llvm::all_of(shift, [](float v) { return v == 0; }))
      return {};
    return shift;
  }

  static SmallVector<float> negate(ArrayRef<float> v) {
    SmallVector<float> out;
    for (float x : v)
      out.push_back(-x);
    return out;
  }

  /// `bias` (empty: none) minus `shift` (empty: no correction).
  static SmallVector<float> corrected(ArrayRef<float> bias,
                                      ArrayRef<float> shift) {
    if (shift.empty())
      return SmallVector<float>(bias);
    SmallVector<float> out(shift.size(), 0.f);
    for (size_t i = 0; i < shift.size(); ++i)
      out[i] = (bias.empty() ? 0.f : bias[i]) - shift[i];
    return out;
  }

  static Value i8Constant(OpBuilder &b, Location loc, ArrayRef<int8_t> q,
                          ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, b.getI8Type());
    ArrayRef<char> raw((const char *)q.data(), q.size());
    TypedAttr attr =
        q.size() <= 64
            ? (TypedAttr)DenseElementsAttr::getFromRawBuffer(type, raw)
            : (TypedAttr)DenseResourceElementsAttr::get(
                  type, "w8a8.weight",
                  HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, 8));
    return arith::ConstantOp::create(b, loc, attr);
  }

  void runOnOperation() override {
    SmallVector<Operation *> targets;
    getOperation().walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp, ConvOp>(op) &&
          op->hasAttr("qcc.calibration") && !isExcluded(op, exclude))
        targets.push_back(op);
    });
    unsigned layerCounter = 0;
    for (Operation *op : targets) {
      LayerRecord record;
      record.layer = layerName(op, layerCounter);
      record.opType = onnxOpType(op);
      record.scheme = "static";
      record.granularity = perChannel ? "per-channel" : "per-tensor";
      auto calib = op->getAttrOfType<DictionaryAttr>("qcc.calibration");
      auto threshold = calib.getAs<FloatAttr>("threshold");
      if (!threshold)
        continue;
      float sx = threshold.getValueAsDouble() / 127.0;
      if (!(sx > 0))
        sx = 1.0f;
      OpBuilder b(op);
      Location loc = op->getLoc();
      Value x = op->getOperand(0);
      auto xType = cast<RankedTensorType>(x.getType());
      if (!xType.getElementType().isF32())
        continue;
      Value w = op->getOperand(1);
      auto wType = cast<RankedTensorType>(w.getType());
      std::optional<SmallVector<float>> wv = weightValues(w);
      if (!wv || wType.getNumElements() < minElements)
        continue;
      Value y, acc;
      SmallVector<float> weightScales, outputShift;
      if (auto conv = dyn_cast<ConvOp>(op)) {
        auto [q, ws] = quantizePerChannel(*wv, wType.getShape(), 0, perChannel);
        Value wq = i8Constant(b, loc, q, wType.getShape());
        weightScales = ws;
        Value xq = integerInput(b, loc, x, sx);
        if (!xq)
          xq = quantizeActivation(b, loc, x, sx);
        auto outType = cast<RankedTensorType>(conv.getType());
        acc = ConvOp::create(
            b, loc, outType.clone(b.getI32Type()), xq, wq, Value(),
            conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
            conv.getGroupAttr(), IntegerAttr(), IntegerAttr());
        SmallVector<float> combined;
        for (float s : ws)
          combined.push_back(s * sx);
        SmallVector<int64_t> chanShape(outType.getRank() - 1, 1);
        chanShape[0] = ws.size();
        Value scale = ReshapeOp::create(
            b, loc, RankedTensorType::get(chanShape, b.getF32Type()),
            f32Constant(b, loc, combined, false));
        y = CastOp::create(b, loc, outType, acc);
        y = MulOp::create(b, loc, outType, y, scale);
        if (Value bias = conv.getBias())
          y = AddOp::create(
              b, loc, outType, y,
              ReshapeOp::create(
                  b, loc, RankedTensorType::get(chanShape, b.getF32Type()),
                  bias));
        SmallVector<float> corr;
        if (biasCorrection) {
          // E[x] . (Wq - W) per output channel, from the calibrated
          // per-input-channel means (padding ignored).
          ArrayRef<int64_t> ws4 = wType.getShape();
          int64_t outC = ws4[0], inPerGroup = ws4[1];
          int64_t window = wType.getNumElements() / (outC * inPerGroup);
          int64_t groupOut = outC / conv.getGroup();
          if (auto mean = calib.getAs<DenseF32ArrayAttr>("channel_mean"))
            corr = biasShift(*wv, q, ws, mean.asArrayRef(), outC, inPerGroup,
                             window, groupOut);
        }
        if (!corr.empty())
          y = AddOp::create(
              b, loc, outType, y,
              ReshapeOp::create(
                  b, loc, RankedTensorType::get(chanShape, b.getF32Type()),
                  f32Constant(b, loc, negate(corr), false)));
        outputShift = corr;
        if (auto bias = constantBias(conv.getBias()))
          produced[y] = {acc, combined, 1, chanShape,
                         corrected(*bias, corr)};
      } else {
        bool transB = false;
        if (auto gemm = dyn_cast<GemmOp>(op)) {
          if (gemm.getTransA())
            continue;
          transB = gemm.getTransB();
        } else if (wType.getRank() != 2) {
          continue;
        }
        int64_t k = transB ? wType.getDimSize(1) : wType.getDimSize(0);
        int64_t n = transB ? wType.getDimSize(0) : wType.getDimSize(1);
        SmallVector<float> wKN(*wv);
        if (transB)
          for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < n; ++j)
              wKN[i * n + j] = (*wv)[j * k + i];
        auto [q, ws] = quantizePerChannel(wKN, {k, n}, 1, perChannel);
        Value wq = i8Constant(b, loc, q, {k, n});
        weightScales = ws;
        Value xq = integerInput(b, loc, x, sx);
        if (!xq)
          xq = quantizeActivation(b, loc, x, sx);
        SmallVector<int64_t> outShape(xType.getShape());
        outShape.back() = n;
        auto accType = RankedTensorType::get(outShape, b.getI32Type());
        acc = MatMulOp::create(b, loc, accType, xq, wq);
        SmallVector<float> combined;
        for (float s : ws)
          combined.push_back(s * sx);
        auto fType = accType.clone(b.getF32Type());
        y = CastOp::create(b, loc, fType, acc);
        y = MulOp::create(b, loc, fType, y, f32Constant(b, loc, combined, false));
        bool plain = true;
        Value biasValue;
        if (auto gemm = dyn_cast<GemmOp>(op)) {
          double alpha = gemm.getAlpha().convertToDouble();
          double beta = gemm.getBeta().convertToDouble();
          plain = alpha == 1.0 && (!gemm.getC() || beta == 1.0);
          biasValue = gemm.getC();
          if (alpha != 1.0)
            y = MulOp::create(b, loc, fType, y,
                              f32Constant(b, loc, {(float)alpha}, true));
          if (gemm.getC() && beta != 0) {
            Value c = gemm.getC();
            if (beta != 1.0)
              c = MulOp::create(b, loc, cast<RankedTensorType>(c.getType()), c,
                                f32Constant(b, loc, {(float)beta}, true));
            y = AddOp::create(b, loc, fType, y, c);
          }
        }
        SmallVector<float> corr;
        if (biasCorrection)
          if (auto mean = calib.getAs<DenseF32ArrayAttr>("channel_mean"))
            if ((int64_t)mean.size() == k) {
              // [K, N] as N output channels of K inputs each.
              SmallVector<float> wNK(k * n);
              SmallVector<int8_t> qNK(k * n);
              for (int64_t i = 0; i < k; ++i)
                for (int64_t j = 0; j < n; ++j) {
                  wNK[j * k + i] = wKN[i * n + j];
                  qNK[j * k + i] = q[i * n + j];
                }
              corr = biasShift(wNK, qNK, ws, mean.asArrayRef(), n, k, 1, n);
            }
        if (!corr.empty())
          y = AddOp::create(b, loc, fType, y,
                            f32Constant(b, loc, negate(corr), false));
        outputShift = corr;
        std::optional<SmallVector<float>> bias = constantBias(biasValue);
        if (plain && bias && (bias->empty() || (int64_t)bias->size() == n))
          produced[y] = {acc, combined, accType.getRank() - 1, {n},
                         corrected(*bias, corr)};
      }
      record.setScales(weightScales);
      record.weightScales = weightScales;
      record.biasCorrection = outputShift;
      record.actScale = sx;
      record.bytesBefore = wType.getNumElements() * sizeof(float);
      record.bytesAfter = wType.getNumElements() +
                          (perChannel ? weightScales.size() : 1) * sizeof(float);
      record.attach(acc.getDefiningOp(), y.getDefiningOp());
      op->getResult(0).replaceAllUsesWith(y);
      op->erase();
    }
  }
};
} // namespace
