//===- QuantizeWeights.cpp - weight-only int8/int4 quantization -----------===//
//
// Rewrites the constant weights of qcc.matmul, qcc.gemm and qcc.conv into
// integer storage plus one scale (and, asymmetric, one zero point) per
// block, read back through qcc.dequantize_blockwise:
//
//   %w = arith.constant dense_resource<w> : tensor<KxNxf32>
//   qcc.matmul %x, %w
// becomes
//   %q = arith.constant dense_resource<w.q> : tensor<K/2xNxi8>   (4-bit)
//   %s = arith.constant ... : tensor<K/GxNxf32>
//   %d = qcc.dequantize_blockwise %q, %s {block_shape = [G, 1], bits = 4,
//                                         packed_dim = 0}
//   qcc.matmul %x, %d
//
// Blocks are per output channel (the whole reduction dimension) or, with a
// group size, `group-size` consecutive elements of the reduction dimension.
// 2-bit values are packed four per byte, 3-bit values eight per 3 bytes
// (tensor<K/8x3xNxi8>); see qcc.dequantize_blockwise. Sub-byte values are
// packed along the reduction dimension (K of a MatMul's [K, N] weight, the
// last dimension of a Gemm transB [N, K] weight or a convolution's [F, C*k]
// matrix), so that the fused contraction reads one row of packed bytes per
// reduction step and vectorizes along the output channels; a reduction
// dimension that the packing does not divide packs along the last one.
// Rounding is round-half-to-even with saturation. The lowering fuses the
// dequantization into the contraction, so no float copy of the weights is
// ever materialised.
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

namespace {

/// The float values of a constant weight, or std::nullopt.
std::optional<SmallVector<float>> weightValues(Value v) {
  return f32ConstantValues(v.getDefiningOp<arith::ConstantOp>());
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

/// Values per packed storage unit along the packed dimension: a byte holds
/// one 8-bit, two 4-bit or four 2-bit values; 3 bytes hold eight 3-bit
/// values. The packed dimension must be a multiple of it.
int64_t valuesPerUnit(int64_t bits) {
  return bits == 8 ? 1 : bits == 4 ? 2 : bits == 2 ? 4 : 8;
}

/// A weight tensor and how it is blocked: `block[d]` consecutive elements
/// of dimension d share a scale.
struct BlockedWeight {
  RankedTensorType type;
  SmallVector<int64_t> block;
  int64_t groupSize = 0; // 0: one block per output channel
  int64_t packDim = -1;  // sub-byte packing dimension; -1: the last
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
    // 8 and 4 bits: the block's range, symmetric on [-qmax, qmax]. 3 and 2
    // bits, where the grid is coarse: symmetric uses the whole signed range
    // [-2^(b-1), 2^(b-1) - 1] with the scale's sign chosen so that the
    // longer (negative) side covers the larger tail, and both schemes clip
    // the range by the ratio r in {1, 0.95, ..., 0.45} with the least squared
    // error of the block.
    bool lowBits = bits <= 3;
    int64_t qmax = symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    int64_t qmin = symmetric ? (lowBits ? -qmax - 1 : -qmax) : 0;
    auto params = [&](int64_t k, float r, float &s, uint8_t &zp) {
      zp = 0;
      if (lowBits && symmetric) {
        bool negSide = -lo[k] >= hi[k];
        s = (negSide ? -lo[k] : hi[k]) * r / (float)-qmin;
        s = s > 0 ? (negSide ? s : -s) : 1.0f;
      } else if (lowBits) {
        float l = lo[k] * r, h = hi[k] * r;
        s = (h - l) / (float)qmax;
        s = s > 0 ? s : 1.0f;
        zp = (uint8_t)std::clamp<float>(std::nearbyint(-l / s), 0, qmax);
      } else {
        float range = symmetric ? std::max(-lo[k], hi[k]) : hi[k] - lo[k];
        s = range / (symmetric ? qmax : qmax - qmin);
        s = s > 0 ? s : 1.0f;
        if (!symmetric)
          zp = (uint8_t)std::clamp<float>(std::nearbyint(-lo[k] / s), 0,
                                          qmax);
      }
    };
    auto quantizeValue = [&](float v, float s, uint8_t zp) {
      return (int64_t)std::clamp<float>(std::nearbyint(v / s) + zp, qmin,
                                        qmax);
    };
    SmallVector<float> scales(numBlocks);
    SmallVector<uint8_t> zeroPoints(numBlocks, 0);
    SmallVector<float> ratio(numBlocks, 1.0f);
    if (lowBits) {
      SmallVector<double> best(numBlocks, 0), err(numBlocks);
      for (int c = 0; c < 12; ++c) {
        float r = 1.0f - 0.05f * c;
        for (int64_t k = 0; k < numBlocks; ++k)
          params(k, r, scales[k], zeroPoints[k]);
        std::fill(err.begin(), err.end(), 0.0);
        for (size_t i = 0; i < w.size(); ++i) {
          int64_t k = blockOf[i];
          int64_t qv = quantizeValue(w[i], scales[k], zeroPoints[k]);
          float d = (float)(qv - zeroPoints[k]) * scales[k];
          double e = (double)(w[i] - d);
          err[k] += e * e;
        }
        for (int64_t k = 0; k < numBlocks; ++k)
          if (c == 0 || err[k] < best[k])
            best[k] = err[k], ratio[k] = r;
      }
    }
    for (int64_t k = 0; k < numBlocks; ++k)
      params(k, ratio[k], scales[k], zeroPoints[k]);
    SmallVector<int64_t> q(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      int64_t k = blockOf[i];
      q[i] = quantizeValue(w[i], scales[k], zeroPoints[k]);
    }
    // Storage: one byte per value; two 4-bit or four 2-bit values per byte
    // along the packed dimension p (element j at bit bits * (j % n)); eight
    // 3-bit values in 3 bytes, a little-endian 24-bit word with element i
    // at bit 3 * i, as an extra dimension of 3 right after p.
    SmallVector<int64_t> storageShape(shape);
    SmallVector<uint8_t> bytes;
    int64_t packDim = bw.packDim < 0 ? rank + bw.packDim : bw.packDim;
    if (bits < 8) {
      int64_t n = valuesPerUnit(bits), mask = (1 << bits) - 1;
      int64_t unitBytes = bits == 3 ? 3 : 1;
      int64_t outer = 1, inner = 1, len = shape[packDim], units = len / n;
      for (int64_t d = 0; d < packDim; ++d)
        outer *= shape[d];
      for (int64_t d = packDim + 1; d < rank; ++d)
        inner *= shape[d];
      storageShape[packDim] = units;
      if (bits == 3)
        storageShape.insert(storageShape.begin() + packDim + 1, 3);
      bytes.assign(outer * units * unitBytes * inner, 0);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t m = 0; m < units; ++m)
          for (int64_t r = 0; r < inner; ++r) {
            uint32_t word = 0;
            for (int64_t j = 0; j < n; ++j)
              word |= (uint32_t)(q[(o * len + m * n + j) * inner + r] & mask)
                      << (bits * j);
            for (int64_t by = 0; by < unitBytes; ++by)
              bytes[((o * units + m) * unitBytes + by) * inner + r] =
                  (uint8_t)(word >> (8 * by));
          }
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
    SmallVector<float> scaleMagnitudes; // 2 and 3 bits: signed scales
    for (float sc : scales)
      scaleMagnitudes.push_back(std::fabs(sc));
    record.setScales(scaleMagnitudes);
    record.bytesBefore = w.size() * sizeof(float);
    record.bytesAfter = bytes.size() + scales.size() * sizeof(float) +
                        (symmetric ? 0 : zeroPoints.size());
    bytesBefore += record.bytesBefore;
    bytesAfter += record.bytesAfter;
    // The default packed dimension (the last) is left implicit.
    return DequantizeBlockwiseOp::create(
        b, loc, bw.type, storage, scale, zp, b.getDenseI64ArrayAttr(bw.block),
        b.getI64IntegerAttr(bits),
        bits < 8 && packDim != rank - 1 ? b.getI64IntegerAttr(packDim)
                                        : IntegerAttr());
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
  /// The first of `candidates` (dimensions of `shape`) whose static size
  /// is a whole number of `bits`-bit packing units, or std::nullopt.
  std::optional<int64_t> packingDim(ArrayRef<int64_t> shape,
                                    ArrayRef<int64_t> candidates) const {
    for (int64_t d : candidates)
      if (!ShapedType::isDynamic(shape[d]) &&
          shape[d] % valuesPerUnit(bits) == 0)
        return d;
    return std::nullopt;
  }

  std::optional<BlockedWeight> blocking(Operation *op, Value weight) {
    auto type = cast<RankedTensorType>(weight.getType());
    // Reduction dimension of the weight.
    int64_t red;
    if (auto mm = dyn_cast<MatMulOp>(op)) {
      if (mm.getRhs() != weight || type.getRank() != 2)
        return std::nullopt;
      red = 0;
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      if (gemm.getB() != weight)
        return std::nullopt;
      red = gemm.getTransB() ? 1 : 0;
    } else if (auto conv = dyn_cast<ConvOp>(op)) {
      if (conv.getWeight() != weight || conv.getInputZeroPoint())
        return std::nullopt;
      // Ungrouped: quantized as the [F, C * k...] matrix that the im2col
      // lowering contracts (reshaped back after the dequantization, which
      // folds away there), so a group runs along the whole reduction
      // (C * k...) and 4-bit packing needs only an even C * k..., not an
      // even kernel width (3x3 kernels).
      if (conv.getGroup() == 1 && type.hasStaticShape() &&
          type.getRank() > 2) {
        int64_t f = type.getDimSize(0), k = type.getNumElements() / f;
        int64_t g = groupSize > 0 && k % groupSize == 0 ? (int64_t)groupSize : k;
        // Sub-byte values pack along C * k..., else along the output
        // channels (e.g. a first layer's 3 * 3x3 = 27 inputs).
        std::optional<int64_t> packDim = packingDim({f, k}, {1, 0});
        if (!packDim)
          return std::nullopt;
        return BlockedWeight{
            RankedTensorType::get({f, k}, type.getElementType()), {1, g},
            g == k ? 0 : g, *packDim};
      }
      // Per output channel: one block spans all of [C/G, k...]. Sub-byte
      // values pack along the last dimension, else along the output
      // channels (depthwise 3x3 kernels: 9 values per channel).
      SmallVector<int64_t> block(type.getShape());
      block[0] = 1;
      std::optional<int64_t> packDim =
          packingDim(type.getShape(), {type.getRank() - 1, 0});
      if (!packDim)
        return std::nullopt;
      return BlockedWeight{type, block, 0, *packDim};
    } else {
      return std::nullopt;
    }
    SmallVector<int64_t> block(2, 1);
    int64_t k = type.getDimSize(red);
    // A group size that does not divide the reduction dimension falls back
    // to one scale per output channel.
    block[red] = groupSize > 0 && k % groupSize == 0 ? (int64_t)groupSize : k;
    if (k % block[red])
      return std::nullopt;
    // Sub-byte values pack along the reduction dimension (the fused
    // contraction then vectorizes along the output channels), or along the
    // last dimension when the reduction is not a multiple of the packing.
    std::optional<int64_t> packDim = packingDim(type.getShape(), {red, 1});
    if (!packDim)
      return std::nullopt;
    return BlockedWeight{type, block, block[red] == k ? 0 : block[red],
                         *packDim};
  }

  void runOnOperation() override {
    if (bits != 8 && bits != 4 && bits != 3 && bits != 2) {
      getOperation().emitError(
          "qcc-quantize-weights: bits must be 8, 4, 3 or 2");
      return signalPassFailure();
    }
    int64_t defaultBits = bits;
    WeightQuantizer quantizers[4] = {
        WeightQuantizer(8, symmetric), WeightQuantizer(4, symmetric),
        WeightQuantizer(3, symmetric), WeightQuantizer(2, symmetric)};
    unsigned counter = 0, layerCounter = 0;
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isa<MatMulOp, GemmOp, ConvOp>(op) || isExcluded(op, exclude))
        return WalkResult::advance();
      // A per-op `qcc.bits` (from --qcc-mixed-precision) overrides `bits`;
      // 32 keeps the op in float.
      bits = defaultBits;
      if (auto attr = op->getAttrOfType<IntegerAttr>("qcc.bits")) {
        bits = attr.getInt();
        if (bits != 32 && bits != 8 && bits != 4 && bits != 3 && bits != 2) {
          op->emitError(
              "qcc-quantize-weights: qcc.bits must be 2, 3, 4, 8 or 32");
          return WalkResult::interrupt();
        }
        op->removeAttr("qcc.bits");
      }
      if (bits == 32)
        return WalkResult::advance();
      WeightQuantizer &quantizer =
          quantizers[bits == 8 ? 0 : bits == 4 ? 1 : bits == 3 ? 2 : 3];
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
        Value dq = quantizer.quantize(b, w.getLoc(), *values, *bw, name,
                                      record);
        if (dq.getType() != w.getType()) // a flattened convolution weight
          dq = ReshapeOp::create(b, w.getLoc(), w.getType(), dq);
        use.set(dq);
        record.attach(op, op);
      }
      return WalkResult::advance();
    });
    bits = defaultBits;
    if (result.wasInterrupted())
      return signalPassFailure();
    int64_t bytesBefore = 0, bytesAfter = 0;
    for (const WeightQuantizer &quantizer : quantizers) {
      bytesBefore += quantizer.bytesBefore;
      bytesAfter += quantizer.bytesAfter;
    }
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

  /// How a consumer wants a float value in integer form: real value
  /// ~= q * scale, q of type `elem` saturated to [relu ? 0 : -bound, bound].
  struct IntRequest {
    double scale;
    Type elem;
    bool relu;
    int64_t bound;
    bool narrow() const { return elem.getIntOrFloatBitWidth() < 32; }
    bool operator==(const IntRequest &o) const {
      return scale == o.scale && elem == o.elem && relu == o.relu &&
             bound == o.bound;
    }
  };
  /// Integer forms already built, per float value (the block input of a
  /// residual block is quantized once for its first convolution and reused
  /// by the shortcut Add).
  struct IntEntry {
    Value value;
    IntRequest request;
  };
  llvm::DenseMap<Value, SmallVector<IntEntry, 1>> intCache;
  llvm::DenseMap<Value, bool> representableMemo;
  DominanceInfo *dominance = nullptr;

  /// Extra fractional bits of the i32 intermediates when the final result
  /// is 8-bit: Add operands at scale / 2^10, average pooling at scale / 2^8
  /// (global average pooling: fewer for large windows, see below).
  static constexpr int kAddBits = 10, kPoolBits = 8;
  static constexpr int64_t kI32Max = 2147483647;

  /// Whether `v` (f32) can be computed integer-only from int8 layers'
  /// accumulators: through ReLU, max/average pooling, global average
  /// pooling (reduce_mean), reshapes and Adds of such values.
  bool representable(Value v) {
    if (produced.count(v))
      return true;
    auto memo = representableMemo.find(v);
    if (memo != representableMemo.end())
      return memo->second;
    representableMemo[v] = false; // no cycles in SSA; guards re-entry
    auto type = dyn_cast<RankedTensorType>(v.getType());
    bool ok = false;
    if (type && type.getElementType().isF32()) {
      Operation *def = v.getDefiningOp();
      if (auto r = dyn_cast_or_null<ReluOp>(def))
        ok = representable(r.getInput());
      else if (auto pool = dyn_cast_or_null<PoolOp>(def))
        ok = type.hasStaticShape() && representable(pool.getInput());
      else if (auto reshape = dyn_cast_or_null<ReshapeOp>(def))
        ok = type.hasStaticShape() && representable(reshape.getInput());
      else if (auto add = dyn_cast_or_null<AddOp>(def))
        ok = representable(add.getLhs()) && representable(add.getRhs());
      else if (auto mean = dyn_cast_or_null<ReduceMeanOp>(def))
        ok = cast<RankedTensorType>(mean.getInput().getType())
                 .hasStaticShape() &&
             representable(mean.getInput());
    }
    representableMemo[v] = ok;
    return ok;
  }

  /// `in` (integer) times `ratios[c]` along `axis` (one ratio: whole
  /// tensor) as fixed-point multipliers, saturated as `r` asks; null if a
  /// ratio is out of the multipliers' range.
  Value rescale(OpBuilder &b, Location loc, Value in, ArrayRef<double> ratios,
                int64_t axis, const IntRequest &r) {
    SmallVector<int32_t> mults, shifts;
    for (double ratio : ratios) {
      if (!(ratio > 0))
        return {};
      auto [m, sh] = fixedPoint(ratio);
      if (sh < -30 || sh > 32)
        return {};
      mults.push_back(m);
      shifts.push_back(sh);
    }
    auto type = cast<RankedTensorType>(in.getType());
    unsigned bits = r.elem.getIntOrFloatBitWidth();
    int64_t typeBound = (int64_t(1) << (bits - 1)) - 1;
    int64_t lower = r.relu ? 0 : -r.bound;
    // Bounds equal to the result type's symmetric default stay implicit.
    IntegerAttr lowerAttr =
        lower != -typeBound ? b.getI64IntegerAttr(lower) : IntegerAttr();
    IntegerAttr upperAttr =
        r.bound != typeBound ? b.getI64IntegerAttr(r.bound) : IntegerAttr();
    return RequantizeFixedOp::create(
        b, loc, type.clone(r.elem), in, b.getDenseI32ArrayAttr(mults),
        b.getDenseI32ArrayAttr(shifts), b.getI64IntegerAttr(axis), lowerAttr,
        upperAttr);
  }

  /// An int8 layer's accumulator plus its quantized bias at `r`.
  Value fromAccumulator(OpBuilder &b, Location loc, const Produced &p,
                        const IntRequest &r) {
    SmallVector<double> ratios;
    for (float s : p.scale)
      ratios.push_back((double)s / r.scale);
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
    return rescale(b, loc, acc, ratios, p.axis, r);
  }

  /// Builds `v` (representable) in integer form as `r` asks, integer-only;
  /// null if some fixed-point multiplier is out of range.
  Value materialize(OpBuilder &b, Location loc, Value v, const IntRequest &r) {
    Operation *at = &*b.getInsertionPoint();
    auto usable = [&](const IntEntry &e) {
      return dominance->properlyDominates(e.value, at);
    };
    for (const IntEntry &e : intCache.lookup(v))
      if (e.request == r && usable(e))
        return e.value;
    Value res = buildInteger(b, loc, v, r, usable);
    if (res)
      intCache[v].push_back({res, r});
    return res;
  }

  Value buildInteger(OpBuilder &b, Location loc, Value v, const IntRequest &r,
                     llvm::function_ref<bool(const IntEntry &)> usable) {
    auto type = cast<RankedTensorType>(v.getType());
    auto it = produced.find(v);
    if (it != produced.end())
      return fromAccumulator(b, loc, it->second, r);
    Operation *def = v.getDefiningOp();
    if (!def)
      return {};
    if (auto relu = dyn_cast<ReluOp>(def)) {
      // ReLU is the lower saturation bound.
      IntRequest in = r;
      in.relu = true;
      return materialize(b, loc, relu.getInput(), in);
    }
    // A value built before at another scale (the int8 block input of a
    // residual block, made for its first convolution) is rescaled rather
    // than computed again, like a tensor with one quantization in TFLite.
    for (const IntEntry &e : intCache.lookup(v))
      if ((!e.request.relu || r.relu) && usable(e))
        if (Value q =
                rescale(b, loc, e.value, {e.request.scale / r.scale}, 0, r))
          return q;
    if (auto pool = dyn_cast<PoolOp>(def)) {
      auto poolType = type.clone(r.elem);
      if (pool.getKind() == "max") {
        // Commutes with the monotonic requantization.
        Value in = materialize(b, loc, pool.getInput(), r);
        if (!in)
          return {};
        Operation *intPool = b.clone(*pool.getOperation());
        intPool->setOperand(0, in);
        intPool->getResult(0).setType(poolType);
        return intPool->getResult(0);
      }
      // Average: the window, unclipped, at a finer i32 scale; the integer
      // pool sums in i64 and divides by the count with rounding; then the
      // requested scale and bounds.
      int kp = r.narrow() ? kPoolBits : 0;
      IntRequest inReq{r.scale / std::ldexp(1.0, kp), b.getI32Type(), false,
                       kI32Max};
      Value in = materialize(b, loc, pool.getInput(), inReq);
      if (!in)
        return {};
      Operation *intPool = b.clone(*pool.getOperation());
      intPool->setOperand(0, in);
      intPool->getResult(0).setType(type.clone(b.getI32Type()));
      return rescale(b, loc, intPool->getResult(0), {std::ldexp(1.0, -kp)}, 0,
                     r);
    }
    if (auto mean = dyn_cast<ReduceMeanOp>(def)) {
      // Global average pooling: an exact i32 sum, the 1/count folded into
      // the final multiplier. Inputs are saturated so that no sum of
      // `count` of them overflows; the fractional bits shrink for large
      // windows to keep 256x the consumer's range as headroom.
      auto inType = cast<RankedTensorType>(mean.getInput().getType());
      int64_t count = 1;
      for (int64_t a : mean.getAxes())
        count *= inType.getDimSize(a);
      if (count <= 0)
        return {};
      int kp = 0;
      if (r.narrow())
        while (kp < kPoolBits &&
               (double)count * 127 * 256 * std::ldexp(1.0, kp + 1) <=
                   (double)kI32Max)
          ++kp;
      IntRequest inReq{r.scale / std::ldexp(1.0, kp), b.getI32Type(), false,
                       kI32Max / count};
      Value in = materialize(b, loc, mean.getInput(), inReq);
      if (!in)
        return {};
      Value sum = ReduceSumOp::create(b, loc, type.clone(b.getI32Type()), in,
                                      mean.getAxesAttr(),
                                      mean.getKeepdimsAttr());
      return rescale(b, loc, sum, {std::ldexp(1.0, -kp) / (double)count}, 0,
                     r);
    }
    if (auto reshape = dyn_cast<ReshapeOp>(def)) {
      Value in = materialize(b, loc, reshape.getInput(), r);
      if (!in)
        return {};
      return ReshapeOp::create(b, loc, type.clone(r.elem), in);
    }
    if (auto add = dyn_cast<AddOp>(def)) {
      // Both operands at a common finer i32 scale (saturated to 2^30 so the
      // sum cannot wrap), added in i32, requantized once (ReLU folded).
      int ka = r.narrow() ? kAddBits : 0;
      IntRequest inReq{r.scale / std::ldexp(1.0, ka), b.getI32Type(), false,
                       (int64_t(1) << 30) - 1};
      Value lhs = materialize(b, loc, add.getLhs(), inReq);
      Value rhs = lhs ? materialize(b, loc, add.getRhs(), inReq) : Value();
      if (!rhs)
        return {};
      Value sum = AddOp::create(b, loc, type.clone(b.getI32Type()), lhs, rhs);
      return rescale(b, loc, sum, {std::ldexp(1.0, -ka)}, 0, r);
    }
    return {};
  }

  /// The int8 input of a layer whose input is computed (through ReLU,
  /// pooling, reshapes and residual Adds) from other int8 layers' outputs:
  /// built from their i32 accumulators with fixed-point arithmetic only;
  /// null if not applicable.
  Value integerInput(OpBuilder &b, Location loc, Value x, float sx) {
    representableMemo.clear();
    if (!representable(x))
      return {};
    return materialize(b, loc, x, {sx, b.getI8Type(), false, 127});
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
    DominanceInfo dominanceInfo(getOperation());
    dominance = &dominanceInfo;
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
