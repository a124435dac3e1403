//===- Quant.cpp - quantize / dequantize lowering -------------------------===//
//
// ONNX QuantizeLinear semantics everywhere: q = saturate(round_half_even(x /
// scale) + zero_point), dequantize (q - zero_point) * scale with the
// subtraction done in a wide integer type.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"
#include "qcc/Target/Ukernels.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// Saturation bounds of a quantized value.
struct StorageRange {
  double lo, hi;
};

/// The full range of an integer storage kind.
StorageRange storageRange(ElemKind k) {
  unsigned w = k.type.getIntOrFloatBitWidth();
  if (k.isUnsigned)
    return {0.0, std::ldexp(1.0, w) - 1};
  return {-std::ldexp(1.0, w - 1), std::ldexp(1.0, w - 1) - 1};
}

/// The range of a !quant type, which may be narrower than its storage type
/// (e.g. i8<-127:127>).
StorageRange storageRange(quant::QuantizedType q) {
  return {(double)q.getStorageTypeMin(), (double)q.getStorageTypeMax()};
}

/// A float type in which `range` and every integer inside it are exact:
/// `ft` itself when its significand is wide enough, else f32 or f64. The
/// zero point is added and the result saturated in this type, so that
/// e.g. an f16 input quantized to i16 or any input quantized to i32 does
/// not round the bounds out of range (fptosi of an out-of-range value is
/// poison).
Type saturationType(OpBuilder &b, Type ft, StorageRange range) {
  double mag = std::max(std::fabs(range.lo), std::fabs(range.hi));
  auto fits = [&](Type t) {
    return std::ldexp(1.0, cast<FloatType>(t).getFPMantissaWidth()) > mag;
  };
  if (fits(ft))
    return ft;
  if (fits(b.getF32Type()))
    return b.getF32Type();
  return b.getF64Type();
}

/// saturate(round_half_even(x / scale) + zp) converted to `out`. `zp` is an
/// integer scalar of kind `zpKind`, or null for a zero zero point.
Value quantizeScalar(OpBuilder &b, Location l, Value x, Value scale, Value zp,
                     ElemKind zpKind, ElemKind out, StorageRange range) {
  Type ft = x.getType();
  if (scale.getType() != ft)
    scale = castScalar(b, l, scale, {scale.getType(), false}, {ft, false});
  Value q =
      math::RoundEvenOp::create(b, l, arith::DivFOp::create(b, l, x, scale));
  Type st = saturationType(b, ft, range);
  ElemKind sk{st, false};
  q = castScalar(b, l, q, {ft, false}, sk);
  if (zp)
    q = arith::AddFOp::create(b, l, q, castScalar(b, l, zp, zpKind, sk));
  q = arith::MaximumFOp::create(b, l, q, scalarConst(b, l, st, range.lo));
  q = arith::MinimumFOp::create(b, l, q, scalarConst(b, l, st, range.hi));
  return castScalar(b, l, q, sk, out);
}
Value quantizeScalar(OpBuilder &b, Location l, Value x, Value scale, Value zp,
                     ElemKind zpKind, ElemKind out) {
  return quantizeScalar(b, l, x, scale, zp, zpKind, out, storageRange(out));
}

Value genericWithParams(
    OpBuilder &b, Location loc, RankedTensorType type, Value x, Value scale,
    Value zp, int64_t axis,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value, Value)>
        body) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank), paramMap(ctx, scale, rank, axis),
      paramMap(ctx, zp, rank, axis), b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, scale, zp},
             ValueRange{emptyTensor(b, loc, type)}, maps,
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, body(nb, l, a[0], a[1], a[2]));
             })
      .getResult(0);
}

struct QuantizeLinearLowering : OpConversionPattern<QuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(*typeConverter, op);
    ElemKind out = elemKindOf(op.getOutput().getType());
    ElemKind zk = elemKindOf(op.getZeroPoint().getType());
    rewriter.replaceOp(
        op, genericWithParams(
                rewriter, op.getLoc(), type, adaptor.getInput(),
                adaptor.getScale(), adaptor.getZeroPoint(), op.getAxis(),
                [&](OpBuilder &b, Location l, Value x, Value s, Value zp) {
                  return quantizeScalar(b, l, x, s, zp, zk, out);
                }));
    return success();
  }
};

struct DequantizeLinearLowering : OpConversionPattern<DequantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(*typeConverter, op);
    ElemKind in = elemKindOf(op.getInput().getType());
    ElemKind zk = elemKindOf(op.getZeroPoint().getType());
    Type ft = type.getElementType();
    ElemKind wide{rewriter.getI64Type(), false};
    rewriter.replaceOp(
        op, genericWithParams(
                rewriter, op.getLoc(), type, adaptor.getInput(),
                adaptor.getScale(), adaptor.getZeroPoint(), op.getAxis(),
                [&](OpBuilder &b, Location l, Value x, Value s, Value zp) {
                  Value d =
                      arith::SubIOp::create(b, l, castScalar(b, l, x, in, wide),
                                            castScalar(b, l, zp, zk, wide));
                  Value df = castScalar(b, l, d, wide, {ft, false});
                  if (s.getType() != ft)
                    s = castScalar(b, l, s, {s.getType(), false}, {ft, false});
                  return (Value)arith::MulFOp::create(b, l, df, s);
                }));
    return success();
  }
};

/// Full reduction of `x` to a 0-d tensor with max or min.
Value reduceAll(OpBuilder &b, Location loc, Value x, bool isMax) {
  auto t = cast<RankedTensorType>(x.getType());
  Type ft = t.getElementType();
  auto scalarType = RankedTensorType::get({}, ft);
  Value init =
      filledTensor(b, loc, scalarType,
                   scalarConst(b, loc, ft, isMax ? -INFINITY : INFINITY));
  return linalg::GenericOp::create(
             b, loc, TypeRange{scalarType}, ValueRange{x}, ValueRange{init},
             SmallVector<AffineMap>{
                 b.getMultiDimIdentityMap(t.getRank()),
                 AffineMap::get(t.getRank(), 0, {}, b.getContext())},
             SmallVector<IteratorType>(t.getRank(), IteratorType::reduction),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value r =
                   isMax ? (Value)arith::MaximumFOp::create(nb, l, a[0], a[1])
                         : (Value)arith::MinimumFOp::create(nb, l, a[0], a[1]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

struct DynamicQuantizeLinearLowering
    : OpConversionPattern<DynamicQuantizeLinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type ft = xType.getElementType();
    auto scalarF = RankedTensorType::get({}, ft);
    auto scalarU8 = RankedTensorType::get({}, rewriter.getI8Type());
    ElemKind u8{rewriter.getI8Type(), true};
    // The range always includes zero (ONNX spec).
    Value hi = reduceAll(rewriter, loc, x, true);
    Value lo = reduceAll(rewriter, loc, x, false);
    Value scale = buildElementwise(
        rewriter, loc, scalarF, {hi, lo},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value zero = scalarConst(b, l, ft, 0);
          Value mx = arith::MaximumFOp::create(b, l, s[0], zero);
          Value mn = arith::MinimumFOp::create(b, l, s[1], zero);
          return arith::DivFOp::create(b, l,
                                       arith::SubFOp::create(b, l, mx, mn),
                                       scalarConst(b, l, ft, 255));
        });
    // An all-zero input has scale 0; dividing by it would make NaNs (and
    // fptoui of NaN is poison). The ONNX reference ends with zero point 0
    // and y = 0 there, which dividing by 1 instead reproduces; the scale
    // output itself stays 0.
    auto nonZeroScale = [&](OpBuilder &b, Location l, Value s) -> Value {
      Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, s,
                                           scalarConst(b, l, ft, 0));
      return arith::SelectOp::create(b, l, isZero, scalarConst(b, l, ft, 1), s);
    };
    Value zp = buildElementwise(
        rewriter, loc, scalarU8, {lo, scale},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value zero = scalarConst(b, l, ft, 0);
          Value mn = arith::MinimumFOp::create(b, l, s[0], zero);
          Value neg = arith::SubFOp::create(b, l, zero, mn);
          return quantizeScalar(b, l, neg, nonZeroScale(b, l, s[1]), Value(),
                                u8, u8);
        });
    Value y = buildElementwise(
        rewriter, loc, xType.clone(rewriter.getI8Type()), {x, scale, zp},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          return quantizeScalar(b, l, s[0], nonZeroScale(b, l, s[1]), s[2], u8,
                                u8);
        });
    rewriter.replaceOp(op, ValueRange{y, scale, zp});
    return success();
  }
};

/// Scale and zero-point constants of a per-tensor or per-axis quantized
/// type, as tensors (0-d or 1-D) plus the quantized axis.
struct QuantParams {
  Value scale, zeroPoint;
  int64_t axis = 0;
};
FailureOr<QuantParams> quantParams(OpBuilder &b, Location loc, Type elem) {
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  if (auto u = dyn_cast<quant::UniformQuantizedType>(elem)) {
    return QuantParams{
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, f32),
                                   (float)u.getScale())),
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, i64),
                                   u.getZeroPoint())),
        0};
  }
  if (auto p = dyn_cast<quant::UniformQuantizedPerAxisType>(elem)) {
    SmallVector<float> scales(p.getScales().begin(), p.getScales().end());
    SmallVector<int64_t> zps(p.getZeroPoints().begin(),
                             p.getZeroPoints().end());
    int64_t n = scales.size();
    return QuantParams{
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(RankedTensorType::get({n}, f32),
                                   ArrayRef<float>(scales))),
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(RankedTensorType::get({n}, i64),
                                   ArrayRef<int64_t>(zps))),
        p.getQuantizedDimension()};
  }
  return failure();
}

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type qElem = op.getOutput().getType().getElementType();
    FailureOr<QuantParams> p = quantParams(rewriter, op.getLoc(), qElem);
    if (failed(p))
      return rewriter.notifyMatchFailure(op, "sub-channel quantized types");
    ElemKind out = elemKindOf(op.getOutput().getType());
    StorageRange range = storageRange(cast<quant::QuantizedType>(qElem));
    ElemKind i64k{rewriter.getI64Type(), false};
    rewriter.replaceOp(
        op, genericWithParams(
                rewriter, op.getLoc(), convertedType(*typeConverter, op),
                adaptor.getInput(), p->scale, p->zeroPoint, p->axis,
                [&](OpBuilder &b, Location l, Value x, Value s, Value zp) {
                  return quantizeScalar(b, l, x, s, zp, i64k, out, range);
                }));
    return success();
  }
};

Value dequantizeWith(ConversionPatternRewriter &rewriter, Location loc, Value q,
                     ElemKind in, Type qElem, RankedTensorType type,
                     const QuantParams &p) {
  Type ft = type.getElementType();
  ElemKind wide{rewriter.getI64Type(), false};
  return genericWithParams(
      rewriter, loc, type, q, p.scale, p.zeroPoint, p.axis,
      [&](OpBuilder &b, Location l, Value x, Value s, Value zp) {
        Value d =
            arith::SubIOp::create(b, l, castScalar(b, l, x, in, wide), zp);
        Value df = castScalar(b, l, d, wide, {ft, false});
        s = castScalar(b, l, s, {s.getType(), false}, {ft, false});
        return (Value)arith::MulFOp::create(b, l, df, s);
      });
}

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type qElem = op.getInput().getType().getElementType();
    FailureOr<QuantParams> p = quantParams(rewriter, op.getLoc(), qElem);
    if (failed(p))
      return rewriter.notifyMatchFailure(op, "sub-channel quantized types");
    rewriter.replaceOp(
        op, dequantizeWith(rewriter, op.getLoc(), adaptor.getInput(),
                           elemKindOf(op.getInput().getType()), qElem,
                           convertedType(*typeConverter, op), *p));
    return success();
  }
};

/// requantize = dequantize to f32, then quantize. The integer-only
/// fixed-point form is produced by the quantization passes (issue 4); this
/// lowering is the reference semantics.
struct RequantizeLowering : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type inElem = op.getInput().getType().getElementType();
    Type outElem = op.getOutput().getType().getElementType();
    FailureOr<QuantParams> pin = quantParams(rewriter, loc, inElem);
    FailureOr<QuantParams> pout = quantParams(rewriter, loc, outElem);
    if (failed(pin) || failed(pout))
      return rewriter.notifyMatchFailure(op, "sub-channel quantized types");
    auto outType = convertedType(*typeConverter, op);
    auto f32Type = outType.clone(rewriter.getF32Type());
    Value real = dequantizeWith(rewriter, loc, adaptor.getInput(),
                                elemKindOf(op.getInput().getType()), inElem,
                                f32Type, *pin);
    ElemKind out = elemKindOf(op.getOutput().getType());
    StorageRange range = storageRange(cast<quant::QuantizedType>(outElem));
    ElemKind i64k{rewriter.getI64Type(), false};
    rewriter.replaceOp(
        op, genericWithParams(
                rewriter, loc, outType, real, pout->scale, pout->zeroPoint,
                pout->axis,
                [&](OpBuilder &b, Location l, Value x, Value s, Value zp) {
                  return quantizeScalar(b, l, x, s, zp, i64k, out, range);
                }));
    return success();
  }
};

/// Blockwise dequantization as one all-parallel generic whose maps read the
/// packed storage and the per-block parameters directly (floordiv), so
/// that elementwise fusion can pull it into the consuming contraction.
/// Sub-byte values are unpacked in the body, `j` being the index along the
/// packed dimension: 4- and 2-bit values from the byte at `j floordiv (8 /
/// bits)` shifted right by `bits * (j mod (8 / bits))`; 3-bit values from
/// the 24-bit word of the three bytes at `[j floordiv 8, 0..2]` (three
/// operands: slices of the storage, one per byte) shifted by `3 * (j mod
/// 8)`. Packed along the reduction
/// dimension of the consuming contraction, the fused op reads the packed
/// operand through `(k floordiv n, ...)`, which tiles to one byte row per
/// reduction step and vectorizes along the other dimensions.
struct DequantizeBlockwiseLowering
    : OpConversionPattern<DequantizeBlockwiseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeBlockwiseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*typeConverter, op);
    int64_t rank = outType.getRank();
    ArrayRef<int64_t> block = op.getBlockShape();
    int64_t bits = op.getBits();
    bool packed = bits < 8;
    int64_t packedDim = op.getPackedDimIndex();
    // Values per packed unit (a byte; 3 bytes for 3 bits).
    int64_t perUnit = bits == 8 ? 1 : bits == 4 ? 2 : bits == 2 ? 4 : 8;
    // Bytes of one unit, each read as its own operand.
    int64_t unitBytes = bits == 3 ? 3 : 1;
    bool hasZp = static_cast<bool>(adaptor.getZeroPoint());
    ElemKind storage = elemKindOf(op.getInput().getType());
    SmallVector<AffineExpr> qe, pe;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr e = getAffineDimExpr(d, ctx);
      qe.push_back(d == packedDim && packed ? e.floorDiv(perUnit) : e);
      if (block[d] == outType.getDimSize(d))
        pe.push_back(getAffineConstantExpr(0, ctx));
      else
        pe.push_back(block[d] == 1 ? e : e.floorDiv(block[d]));
    }
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (int64_t byte = 0; byte < unitBytes; ++byte) {
      Value in = adaptor.getInput();
      if (bits == 3) {
        // Byte `byte` of every 3-byte unit: a rank-reducing slice (a strided
        // view once bufferized) dropping the byte dimension after the
        // packed one, so that the maps stay `(.., j floordiv 8, ..)` and
        // simplify in a reduction tile to projected permutations.
        auto inType = cast<RankedTensorType>(in.getType());
        SmallVector<OpFoldResult> offsets(rank + 1, rewriter.getIndexAttr(0)),
            sizes, strides(rank + 1, rewriter.getIndexAttr(1));
        SmallVector<int64_t> sliceShape;
        for (int64_t d = 0; d <= rank; ++d) {
          sizes.push_back(rewriter.getIndexAttr(
              d == packedDim + 1 ? 1 : inType.getDimSize(d)));
          if (d != packedDim + 1)
            sliceShape.push_back(inType.getDimSize(d));
        }
        offsets[packedDim + 1] = rewriter.getIndexAttr(byte);
        in = tensor::ExtractSliceOp::create(
            rewriter, loc,
            RankedTensorType::get(sliceShape, inType.getElementType()), in,
            offsets, sizes, strides);
      }
      inputs.push_back(in);
      maps.push_back(AffineMap::get(rank, 0, qe, ctx));
    }
    inputs.push_back(adaptor.getScale());
    maps.push_back(AffineMap::get(rank, 0, pe, ctx));
    if (hasZp) {
      inputs.push_back(adaptor.getZeroPoint());
      maps.push_back(AffineMap::get(rank, 0, pe, ctx));
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Type i32 = rewriter.getI32Type();
    Type ft = outType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, inputs,
        ValueRange{emptyTensor(rewriter, loc, outType)}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value q;
          Value scale = a[unitBytes];
          if (packed) {
            // The unit (a byte, or the little-endian 24-bit word of three),
            // shifted right by bits * (j mod perUnit) and masked.
            Value unit = arith::ExtUIOp::create(b, l, i32, a[0]);
            for (int64_t byte = 1; byte < unitBytes; ++byte)
              unit = arith::OrIOp::create(
                  b, l, unit,
                  arith::ShLIOp::create(
                      b, l, arith::ExtUIOp::create(b, l, i32, a[byte]),
                      intConst(b, l, i32, 8 * byte)));
            Value j = linalg::IndexOp::create(b, l, packedDim);
            Value pos = arith::RemUIOp::create(
                b, l, j, arith::ConstantIndexOp::create(b, l, perUnit));
            Value shift = arith::IndexCastUIOp::create(
                b, l, i32,
                arith::MulIOp::create(
                    b, l, pos, arith::ConstantIndexOp::create(b, l, bits)));
            q = arith::AndIOp::create(b, l,
                                      arith::ShRUIOp::create(b, l, unit, shift),
                                      intConst(b, l, i32, (1 << bits) - 1));
            if (!hasZp) { // sign-extend: (v ^ half) - half
              Value half = intConst(b, l, i32, 1 << (bits - 1));
              q = arith::SubIOp::create(
                  b, l, arith::XOrIOp::create(b, l, q, half), half);
            }
          } else {
            q = castScalar(b, l, a[0], storage, {i32, false});
          }
          if (hasZp)
            q = arith::SubIOp::create(
                b, l, q,
                castScalar(b, l, a[unitBytes + 1],
                           elemKindOf(op.getZeroPoint().getType()),
                           {i32, false}));
          Value f = arith::SIToFPOp::create(b, l, ft, q);
          linalg::YieldOp::create(b, l,
                                  (Value)arith::MulFOp::create(b, l, f, scale));
        });
    // What the generic computes, for passes that match it (the weight-only
    // microkernels' data tiling): the op's parameters, discardable.
    SmallVector<NamedAttribute> tag = {
        rewriter.getNamedAttr("bits", rewriter.getI64IntegerAttr(bits)),
        rewriter.getNamedAttr("block_shape",
                              rewriter.getDenseI64ArrayAttr(block)),
        rewriter.getNamedAttr("packed_dim",
                              rewriter.getI64IntegerAttr(packedDim))};
    if (hasZp)
      tag.push_back(rewriter.getNamedAttr(
          "zero_point_signed",
          rewriter.getBoolAttr(
              !elemKindOf(op.getZeroPoint().getType()).isUnsigned)));
    generic->setAttr(kDequantizeBlockwiseTag, rewriter.getDictionaryAttr(tag));
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Per-row max |x| (a reduction over the last dimension), the scale, and
/// the elementwise quantization.
struct DynamicQuantizeRowsLowering
    : OpConversionPattern<DynamicQuantizeRowsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DynamicQuantizeRowsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    auto qType = cast<RankedTensorType>(op.getOutput().getType());
    auto sType = cast<RankedTensorType>(op.getScale().getType());
    Type ft = xType.getElementType();
    int64_t rank = xType.getRank();
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, sType, [&](int64_t d) {
      return DimSource{x, d};
    });
    Value init = filledTensor(rewriter, loc, sType,
                              scalarConst(rewriter, loc, ft, 0), dyn);
    SmallVector<AffineExpr> rowExprs;
    for (int64_t d = 0; d + 1 < rank; ++d)
      rowExprs.push_back(getAffineDimExpr(d, ctx));
    rowExprs.push_back(getAffineConstantExpr(0, ctx));
    AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.back() = utils::IteratorType::reduction;
    Value maxAbs =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{sType}, ValueRange{x}, ValueRange{init},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank),
                                   rowMap},
            iters,
            [&](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l,
                  (Value)arith::MaximumFOp::create(
                      b, l, a[1], math::AbsFOp::create(b, l, a[0])));
            })
            .getResult(0);
    Value scale = buildElementwise(
        rewriter, loc, sType, {maxAbs},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          Value zero = scalarConst(b, l, ft, 0);
          Value sc =
              arith::DivFOp::create(b, l, s[0], scalarConst(b, l, ft, 127));
          Value isZero =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, sc, zero);
          return arith::SelectOp::create(b, l, isZero, scalarConst(b, l, ft, 1),
                                         sc);
        });
    ElemKind i8k{rewriter.getI8Type(), false};
    Value q = buildElementwise(
        rewriter, loc, qType, {x, scale},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          return quantizeScalar(b, l, s[0], s[1], Value(), i8k, i8k);
        });
    rewriter.replaceOp(op, ValueRange{q, scale});
    return success();
  }
};

/// Fixed-point requantization: i64 product with the Q31 multiplier, a
/// rounding (half away from zero) right shift, saturation to [lower, upper],
/// truncation to the result type (i8, i16 or i32).
struct RequantizeFixedLowering : OpConversionPattern<RequantizeFixedOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RequantizeFixedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*typeConverter, op);
    int64_t rank = outType.getRank();
    ArrayRef<int32_t> mults = op.getMultipliers(), shifts = op.getShifts();
    int64_t n = mults.size();
    Type i64 = rewriter.getI64Type();
    auto paramType = RankedTensorType::get({n}, i64);
    SmallVector<int64_t> m64(mults.begin(), mults.end());
    SmallVector<int64_t> s64;
    for (int32_t sh : shifts)
      s64.push_back(31 + sh);
    Value mT = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(paramType, ArrayRef<int64_t>(m64)));
    Value sT = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(paramType, ArrayRef<int64_t>(s64)));
    AffineMap pMap =
        n == 1 ? AffineMap::get(rank, 0, {getAffineConstantExpr(0, ctx)}, ctx)
               : AffineMap::get(rank, 0, {getAffineDimExpr(op.getAxis(), ctx)},
                                ctx);
    SmallVector<Value> dyn =
        dynamicSizes(rewriter, loc, outType, [&](int64_t d) {
          return DimSource{adaptor.getInput(), d};
        });
    int64_t lower = op.getLowerBound(), upper = op.getUpperBound();
    Type outElem = outType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType},
        ValueRange{adaptor.getInput(), mT, sT},
        ValueRange{emptyTensor(rewriter, loc, outType, dyn)},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), pMap,
                               pMap, rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = arith::ExtSIOp::create(b, l, i64, a[0]);
          Value p = arith::MulIOp::create(b, l, x, a[1]);
          Value one = intConst(b, l, i64, 1), zero = intConst(b, l, i64, 0);
          Value half = arith::ShLIOp::create(
              b, l, one, arith::SubIOp::create(b, l, a[2], one));
          Value neg =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, p, zero);
          Value mag = arith::SelectOp::create(
              b, l, neg, arith::SubIOp::create(b, l, zero, p), p);
          Value r = arith::ShRSIOp::create(
              b, l, arith::AddIOp::create(b, l, mag, half), a[2]);
          r = arith::SelectOp::create(b, l, neg,
                                      arith::SubIOp::create(b, l, zero, r), r);
          r = arith::MaxSIOp::create(b, l, r, intConst(b, l, i64, lower));
          r = arith::MinSIOp::create(b, l, r, intConst(b, l, i64, upper));
          linalg::YieldOp::create(
              b, l, (Value)arith::TruncIOp::create(b, l, outElem, r));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateQuantPatterns(const TypeConverter &tc,
                                     RewritePatternSet &patterns) {
  patterns
      .add<QuantizeLinearLowering, DequantizeLinearLowering,
           DynamicQuantizeLinearLowering, QuantizeLowering, DequantizeLowering,
           RequantizeLowering, DequantizeBlockwiseLowering,
           DynamicQuantizeRowsLowering, RequantizeFixedLowering>(
          tc, patterns.getContext());
}
