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
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

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
        rawConstantAttr(storageType, (name + ".q").str(),
             ArrayRef<char>((const char *)bytes.data(), bytes.size())));
    auto scaleType = RankedTensorType::get(scaleShape, b.getF32Type());
    Value scale = arith::ConstantOp::create(
        b, loc,
        rawConstantAttr(scaleType, (name + ".scale").str(),
             ArrayRef<char>((const char *)scales.data(),
                            scales.size() * sizeof(float))));
    Value zp;
    if (!symmetric)
      zp = arith::ConstantOp::create(
          b, loc,
          rawConstantAttr(scaleType.clone(IntegerType::get(ctx, 8, IntegerType::Unsigned)),
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
    auto bitsAttr =
        getContext().getLoadedDialect<QccDialect>()->getBitsAttrHelper();
    getOperation().walk([&](Operation *op) {
      if (!isa<MatMulOp, GemmOp, ConvOp>(op) || isExcludedLayer(op, exclude))
        return;
      // A per-op `qcc.bits` (from --qcc-mixed-precision; 2, 3, 4, 8 or 32 by
      // the dialect's verifier) overrides `bits`; 32 keeps the op in float.
      bits = defaultBits;
      if (BitsAttr attr = bitsAttr.getAttr(op)) {
        bits = attr.getValue();
        bitsAttr.removeAttr(op);
      }
      if (bits == 32)
        return;
      WeightQuantizer &quantizer =
          quantizers[bits == 8 ? 0 : bits == 4 ? 1 : bits == 3 ? 2 : 3];
      for (OpOperand &use : op->getOpOperands()) {
        Value w = use.get();
        std::optional<BlockedWeight> bw = blocking(op, w);
        if (!bw || bw->type.getNumElements() < minElements)
          continue;
        std::optional<SmallVector<float>> values = constantWeightValues(w);
        if (!values)
          continue;
        OpBuilder b(op);
        std::string name = "qw" + std::to_string(counter++);
        if (auto nameLoc = dyn_cast<NameLoc>(w.getLoc()))
          name = nameLoc.getName().str();
        LayerRecord record;
        record.layer = layerName(op, layerCounter);
        record.opType = onnxOpType(op);
        record.scheme = QuantScheme::WeightOnly;
        record.granularity = bw->groupSize ? QuantGranularity::PerGroup
                                           : QuantGranularity::PerChannel;
        record.groupSize = bw->groupSize;
        Value dq = quantizer.quantize(b, w.getLoc(), *values, *bw, name,
                                      record);
        if (dq.getType() != w.getType()) // a flattened convolution weight
          dq = ReshapeOp::create(b, w.getLoc(), w.getType(), dq);
        use.set(dq);
        record.attach(op, op);
      }
    });
    bits = defaultBits;
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
