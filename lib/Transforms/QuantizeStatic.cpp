//===- QuantizeStatic.cpp - static W8A8 quantization ----------------------===//
//
// --qcc-quantize-static: the calibrated MatMul/Gemm/Conv layers get int8
// activations (the calibrated symmetric threshold), int8 weights per output
// channel (or per tensor) and i32 accumulation; consecutive int8 layers are
// chained integer-only through qcc.requantize_fixed (see the pass
// description in Passes.td).
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
#define GEN_PASS_DEF_QCCQUANTIZESTATIC
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// A rank-0 (`scalar`) or 1-D f32 constant.
Value f32Constant(OpBuilder &b, Location loc, ArrayRef<float> values,
                  bool scalar) {
  if (scalar)
    return qcc::f32Constant(b, loc, {}, values);
  return qcc::f32Constant(b, loc, {(int64_t)values.size()}, values);
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
      if (pool.getKind() == PoolKind::Max) {
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
    return constantWeightValues(bias);
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
    return rawConstant(b, loc, RankedTensorType::get(shape, b.getI8Type()),
                       "w8a8.weight",
                       ArrayRef<char>((const char *)q.data(), q.size()));
  }

  void runOnOperation() override {
    DominanceInfo dominanceInfo(getOperation());
    dominance = &dominanceInfo;
    auto calibrationAttr =
        getContext().getLoadedDialect<QccDialect>()->getCalibrationAttrHelper();
    SmallVector<Operation *> targets;
    getOperation().walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp, ConvOp>(op) &&
          calibrationAttr.isAttrPresent(op) && !isExcludedLayer(op, exclude))
        targets.push_back(op);
    });
    unsigned layerCounter = 0;
    for (Operation *op : targets) {
      LayerRecord record;
      record.layer = layerName(op, layerCounter);
      record.opType = onnxOpType(op);
      record.scheme = QuantScheme::Static;
      record.granularity = perChannel ? QuantGranularity::PerChannel
                                      : QuantGranularity::PerTensor;
      CalibrationAttr calib = calibrationAttr.getAttr(op);
      float sx = (double)calib.getThreshold() / 127.0;
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
      std::optional<SmallVector<float>> wv = constantWeightValues(w);
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
          if (ArrayRef<float> mean = calib.getChannelMean(); !mean.empty())
            corr =
                biasShift(*wv, q, ws, mean, outC, inPerGroup, window, groupOut);
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
        ArrayRef<float> mean = calib.getChannelMean();
        if (biasCorrection && !mean.empty() && (int64_t)mean.size() == k) {
          // [K, N] as N output channels of K inputs each.
          SmallVector<float> wNK(k * n);
          SmallVector<int8_t> qNK(k * n);
          for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < n; ++j) {
              wNK[j * k + i] = wKN[i * n + j];
              qNK[j * k + i] = q[i * n + j];
            }
          corr = biasShift(wNK, qNK, ws, mean, n, k, 1, n);
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
