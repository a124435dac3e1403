//===- Contractions.cpp - matmul, gemm, conv, pooling, reductions ---------===//
//
// Contractions and windowed ops become linalg.generic ops whose indexing
// maps encode numpy batch broadcasting, transposition, strides, dilations
// and groups; padding is a tensor.pad in front. Integer operands are
// extended to the accumulator type inside the body.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// The lowest (or highest) value of `kind`: -inf/+inf for floats, the
/// signed or unsigned integer limits otherwise. Identity of max/min.
Value extremeValue(OpBuilder &b, Location loc, ElemKind kind, bool lowest) {
  if (kind.isFloat())
    return scalarConst(b, loc, kind.type,
                       lowest ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity());
  unsigned w = kind.type.getIntOrFloatBitWidth();
  APInt v = lowest ? (kind.isUnsigned ? APInt::getMinValue(w)
                                      : APInt::getSignedMinValue(w))
                   : (kind.isUnsigned ? APInt::getMaxValue(w)
                                      : APInt::getSignedMaxValue(w));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(kind.type, v));
}

/// Reads `v` (converted operand) as a 0-d/1-element or 1-D zero point along
/// iteration dim `dim`; returns the indexing map for it.
AffineMap vectorParamMap(MLIRContext *ctx, Value v, unsigned numLoops,
                         unsigned dim) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 0)
    return AffineMap::get(numLoops, 0, {}, ctx);
  if (type.getNumElements() == 1)
    return AffineMap::get(
        numLoops, 0,
        SmallVector<AffineExpr>(type.getRank(), getAffineConstantExpr(0, ctx)),
        ctx);
  return AffineMap::get(numLoops, 0, {getAffineDimExpr(dim, ctx)}, ctx);
}

/// Accumulation `acc + ext(a) * ext(b)` in the accumulator type.
Value multiplyAccumulate(OpBuilder &b, Location l, Value a, Value bv, Value acc,
                         ElemKind aKind, ElemKind bKind) {
  ElemKind accKind{acc.getType(), false};
  a = castScalar(b, l, a, aKind, accKind);
  bv = castScalar(b, l, bv, bKind, accKind);
  if (accKind.isFloat())
    return arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, a, bv));
  return arith::AddIOp::create(b, l, acc, arith::MulIOp::create(b, l, a, bv));
}

/// Builds the numpy-matmul contraction generic; `zeroPoints` (optional,
/// MatMulInteger) are subtracted from the extended operands.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  RankedTensorType resultType, ElemKind lk, ElemKind rk,
                  Value lhsZp = {}, Value rhsZp = {}) {
  MLIRContext *ctx = b.getContext();
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  int64_t la = lt.getRank(), ra = rt.getRank();
  bool hasM = la >= 2, hasN = ra >= 2;
  int64_t nb = resultType.getRank() - (hasM ? 1 : 0) - (hasN ? 1 : 0);
  unsigned numLoops = nb + (hasM ? 1 : 0) + (hasN ? 1 : 0) + 1;
  unsigned mDim = nb, nDim = nb + (hasM ? 1 : 0), kDim = numLoops - 1;
  auto batchExprs = [&](RankedTensorType t, int64_t rank) {
    SmallVector<AffineExpr> e;
    int64_t tb = rank - 2;
    for (int64_t i = 0; i < tb; ++i) {
      int64_t dim = nb - tb + i;
      if (t.getDimSize(i) == 1 && resultType.getDimSize(dim) != 1)
        e.push_back(getAffineConstantExpr(0, ctx));
      else
        e.push_back(getAffineDimExpr(dim, ctx));
    }
    return e;
  };
  SmallVector<AffineExpr> le, re, oe;
  if (hasM) {
    le = batchExprs(lt, la);
    le.push_back(getAffineDimExpr(mDim, ctx));
  }
  le.push_back(getAffineDimExpr(kDim, ctx));
  if (hasN) {
    re = batchExprs(rt, ra);
    re.push_back(getAffineDimExpr(kDim, ctx));
    re.push_back(getAffineDimExpr(nDim, ctx));
  } else {
    re.push_back(getAffineDimExpr(kDim, ctx));
  }
  for (int64_t i = 0; i < nb; ++i)
    oe.push_back(getAffineDimExpr(i, ctx));
  if (hasM)
    oe.push_back(getAffineDimExpr(mDim, ctx));
  if (hasN)
    oe.push_back(getAffineDimExpr(nDim, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, le, ctx),
                                 AffineMap::get(numLoops, 0, re, ctx)};
  SmallVector<Value> inputs = {lhs, rhs};
  if (lhsZp) {
    inputs.push_back(lhsZp);
    maps.push_back(vectorParamMap(ctx, lhsZp, numLoops, mDim));
    inputs.push_back(rhsZp);
    maps.push_back(vectorParamMap(ctx, rhsZp, numLoops, nDim));
  }
  maps.push_back(AffineMap::get(numLoops, 0, oe, ctx));
  SmallVector<IteratorType> iters(numLoops, IteratorType::parallel);
  iters.back() = IteratorType::reduction;
  Type accType = resultType.getElementType();
  SmallVector<Value> dyn = dynamicSizes(b, loc, resultType, [&](int64_t d) {
    if (hasN && d == (int64_t)nDim)
      return DimSource{rhs, ra - 1};
    if (hasM && d == (int64_t)mDim)
      return DimSource{lhs, la - 2};
    // Batch dimension: whichever operand has it dynamic.
    int64_t li = d - (nb - (la - 2)), ri = d - (nb - (ra - 2));
    if (hasM && li >= 0 && lt.isDynamicDim(li))
      return DimSource{lhs, li};
    return DimSource{rhs, ri};
  });
  Value init =
      filledTensor(b, loc, resultType, scalarConst(b, loc, accType, 0), dyn);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             iters,
             [&](OpBuilder &nb2, Location l, ValueRange args) {
               Value a = args[0], bv = args[1], acc = args.back();
               ElemKind accKind{accType, false};
               if (lhsZp) {
                 a = castScalar(nb2, l, a, lk, accKind);
                 bv = castScalar(nb2, l, bv, rk, accKind);
                 a = arith::SubIOp::create(
                     nb2, l, a, castScalar(nb2, l, args[2], lk, accKind));
                 bv = arith::SubIOp::create(
                     nb2, l, bv, castScalar(nb2, l, args[3], rk, accKind));
                 Value r =
                     multiplyAccumulate(nb2, l, a, bv, acc, accKind, accKind);
                 linalg::YieldOp::create(nb2, l, r);
                 return;
               }
               linalg::YieldOp::create(
                   nb2, l, multiplyAccumulate(nb2, l, a, bv, acc, lk, rk));
             })
      .getResult(0);
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildMatmul(rewriter, op.getLoc(), adaptor.getLhs(),
                                       adaptor.getRhs(),
                                       convertedType(*typeConverter, op),
                                       elemKindOf(op.getLhs().getType()),
                                       elemKindOf(op.getRhs().getType())));
    return success();
  }
};

struct MatMulIntegerLowering : OpConversionPattern<MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildMatmul(rewriter, op.getLoc(), adaptor.getLhs(),
                        adaptor.getRhs(), convertedType(*typeConverter, op),
                        elemKindOf(op.getLhs().getType()),
                        elemKindOf(op.getRhs().getType()),
                        adaptor.getLhsZeroPoint(), adaptor.getRhsZeroPoint()));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = convertedType(*typeConverter, op);
    Type et = type.getElementType();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value init;
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, type, [&](int64_t d) {
      return d == 0 ? DimSource{adaptor.getA(), op.getTransA() ? 1 : 0}
                    : DimSource{adaptor.getB(), op.getTransB() ? 0 : 1};
    });
    if (adaptor.getC() && beta != 0) {
      Value betaV = scalarConst(rewriter, loc, et, beta);
      init = buildElementwise(
          rewriter, loc, type, {adaptor.getC()},
          [&](OpBuilder &b, Location l, ValueRange s) {
            return (Value)arith::MulFOp::create(b, l, s[0], betaV);
          },
          ValueRange(dyn));
    } else {
      init = filledTensor(rewriter, loc, type,
                          scalarConst(rewriter, loc, et, 0), dyn);
    }
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0,
                       op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                      : ArrayRef<AffineExpr>{m, k},
                       ctx),
        AffineMap::get(3, 0,
                       op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                      : ArrayRef<AffineExpr>{k, n},
                       ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction};
    Value alphaV = scalarConst(rewriter, loc, et, alpha);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{adaptor.getA(), adaptor.getB()}, ValueRange{init}, maps,
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(b, l, args[0], args[1]);
          if (alpha != 1.0)
            p = arith::MulFOp::create(b, l, p, alphaV);
          linalg::YieldOp::create(
              b, l, (Value)arith::AddFOp::create(b, l, args[2], p));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Pads the spatial dims (2..) of an NC... tensor with `padValue`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, Value padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t ns = type.getRank() - 2;
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < ns; ++i) {
    low.push_back(b.getIndexAttr(pads[i]));
    high.push_back(b.getIndexAttr(pads[i + ns]));
    shape[i + 2] += pads[i] + pads[i + ns];
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               padValue);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Ungrouped convolution as im2col + a plain contraction: the
  /// windows of the padded input are copied to Col[N, C, k..., o...]
  /// (a strided gather), which collapses to [N, C*K, O]; the convolution is
  /// then out[n, f, o] = sum_r W[f, r] * Col[n, r, o], whose maps are
  /// projected permutations, so it tiles and vectorizes like a matmul.
  /// Integer convolutions gather the integers and extend them (minus their
  /// zero points `xZp` / `wZp`, if any) to the accumulator type in the
  /// contraction.
  static Value lowerAsIm2colMatmul(OpBuilder &b, Location loc, ConvOp op,
                                   Value input, Value weight, Value bias,
                                   RankedTensorType outType, ElemKind xk,
                                   ElemKind wk, int64_t xZp, int64_t wZp) {
    MLIRContext *ctx = b.getContext();
    auto inType = cast<RankedTensorType>(input.getType());
    auto wType = cast<RankedTensorType>(weight.getType());
    Type et = outType.getElementType();
    int64_t ns = outType.getRank() - 2;
    int64_t c = wType.getDimSize(1), f = wType.getDimSize(0);
    int64_t kSize = 1, oSize = 1;
    SmallVector<int64_t> colShape = {outType.getDimSize(0), c};
    for (int64_t i = 0; i < ns; ++i) {
      colShape.push_back(wType.getDimSize(2 + i));
      kSize *= wType.getDimSize(2 + i);
    }
    for (int64_t i = 0; i < ns; ++i) {
      colShape.push_back(outType.getDimSize(2 + i));
      oSize *= outType.getDimSize(2 + i);
    }
    auto colType = RankedTensorType::get(colShape, inType.getElementType());
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned rank = colShape.size();
    SmallVector<AffineExpr> xe = {d(0), d(1)};
    for (int64_t i = 0; i < ns; ++i)
      xe.push_back(d(2 + ns + i) * op.getStrides()[i] +
                   d(2 + i) * op.getDilations()[i]);
    SmallVector<Value> nDyn = dynamicSizes(b, loc, colType, [&](int64_t) {
      return DimSource{input, 0};
    });
    Value col = linalg::GenericOp::create(
                    b, loc, TypeRange{colType}, ValueRange{input},
                    ValueRange{emptyTensor(b, loc, colType, nDyn)},
                    SmallVector<AffineMap>{AffineMap::get(rank, 0, xe, ctx),
                                           b.getMultiDimIdentityMap(rank)},
                    SmallVector<IteratorType>(rank, IteratorType::parallel),
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      linalg::YieldOp::create(nb, l, a[0]);
                    })
                    .getResult(0);
    // [N] [C, k...] [o...]
    SmallVector<ReassociationIndices> colRe = {{0}, {}, {}};
    for (int64_t i = 1; i <= 1 + ns; ++i)
      colRe[1].push_back(i);
    for (int64_t i = 2 + ns; i < 2 + 2 * ns; ++i)
      colRe[2].push_back(i);
    auto flatColType =
        RankedTensorType::get({outType.getDimSize(0), c * kSize, oSize},
                              inType.getElementType());
    Value flatCol =
        tensor::CollapseShapeOp::create(b, loc, flatColType, col, colRe);
    SmallVector<ReassociationIndices> wRe = {{0}, {}};
    for (int64_t i = 1; i < 2 + ns; ++i)
      wRe[1].push_back(i);
    Value flatW = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({f, c * kSize}, wType.getElementType()),
        weight, wRe);
    auto flatOutType =
        RankedTensorType::get({outType.getDimSize(0), f, oSize}, et);
    SmallVector<Value> outDyn = dynamicSizes(b, loc, flatOutType, [&](int64_t) {
      return DimSource{input, 0};
    });
    Value init;
    if (bias) {
      init = linalg::GenericOp::create(
                 b, loc, TypeRange{flatOutType}, ValueRange{bias},
                 ValueRange{emptyTensor(b, loc, flatOutType, outDyn)},
                 SmallVector<AffineMap>{AffineMap::get(3, 0, {d(1)}, ctx),
                                        b.getMultiDimIdentityMap(3)},
                 SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   linalg::YieldOp::create(nb, l, a[0]);
                 })
                 .getResult(0);
    } else {
      init =
          filledTensor(b, loc, flatOutType, scalarConst(b, loc, et, 0), outDyn);
    }
    // Loops n, f, o, r.
    Value out = linalg::GenericOp::create(
                    b, loc, TypeRange{flatOutType}, ValueRange{flatW, flatCol},
                    ValueRange{init},
                    SmallVector<AffineMap>{
                        AffineMap::get(4, 0, {d(1), d(3)}, ctx),
                        AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
                        AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
                    SmallVector<IteratorType>{
                        IteratorType::parallel, IteratorType::parallel,
                        IteratorType::parallel, IteratorType::reduction},
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      if (isa<FloatType>(et)) {
                        Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
                        linalg::YieldOp::create(
                            nb, l,
                            (Value)arith::AddFOp::create(nb, l, a[2], p));
                        return;
                      }
                      ElemKind accKind{et, false};
                      Value w = castScalar(nb, l, a[0], wk, accKind);
                      Value x = castScalar(nb, l, a[1], xk, accKind);
                      if (wZp)
                        w = arith::SubIOp::create(nb, l, w,
                                                  intConst(nb, l, et, wZp));
                      if (xZp)
                        x = arith::SubIOp::create(nb, l, x,
                                                  intConst(nb, l, et, xZp));
                      linalg::YieldOp::create(
                          nb, l,
                          multiplyAccumulate(nb, l, w, x, a[2], accKind,
                                             accKind));
                    })
                    .getResult(0);
    SmallVector<ReassociationIndices> outRe = {{0}, {1}, {}};
    for (int64_t i = 2; i < 2 + ns; ++i)
      outRe[2].push_back(i);
    return tensor::ExpandShapeOp::create(b, loc, outType, out, outRe);
  }
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*typeConverter, op);
    Type accType = outType.getElementType();
    ElemKind xk = elemKindOf(op.getInput().getType());
    ElemKind wk = elemKindOf(op.getWeight().getType());
    auto wType = cast<RankedTensorType>(adaptor.getWeight().getType());
    int64_t ns = outType.getRank() - 2;
    int64_t group = op.getGroup();
    int64_t fg = wType.getDimSize(0) / group, cg = wType.getDimSize(1);
    int64_t xZp = op.getInputZeroPoint().value_or(0);
    int64_t wZp = op.getWeightZeroPoint().value_or(0);

    Value padValue = xk.isFloat() ? scalarConst(rewriter, loc, xk.type, 0)
                                  : intConst(rewriter, loc, xk.type, xZp);
    Value input =
        padSpatial(rewriter, loc, adaptor.getInput(), op.getPads(), padValue);
    // Integer convolutions take this path only without zero points: a
    // subtraction in the body would keep the contraction from being tiled
    // and vectorized as one (qcc-fold-qdq removes constant zero points).
    if (group == 1 && ((xk.isFloat() && wk.isFloat()) ||
                       (!xk.isFloat() && !wk.isFloat() && !xZp && !wZp))) {
      rewriter.replaceOp(op, lowerAsIm2colMatmul(
                                 rewriter, loc, op, input, adaptor.getWeight(),
                                 adaptor.getBias(), outType, xk, wk, xZp, wZp));
      return success();
    }

    // Iteration space: n, g, f, o_1..o_ns, c, k_1..k_ns.
    unsigned numLoops = 3 + 2 * ns + 1;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned cDim = 3 + ns;
    SmallVector<AffineExpr> xe = {d(0), d(1) * cg + d(cDim)};
    SmallVector<AffineExpr> we = {d(1) * fg + d(2), d(cDim)};
    SmallVector<AffineExpr> oe = {d(0), d(1), d(2)};
    for (int64_t i = 0; i < ns; ++i) {
      xe.push_back(d(3 + i) * op.getStrides()[i] +
                   d(cDim + 1 + i) * op.getDilations()[i]);
      we.push_back(d(cDim + 1 + i));
      oe.push_back(d(3 + i));
    }
    // Output as [N, G, F/G, spatial...], collapsed to [N, F, ...] after.
    SmallVector<int64_t> gShape = {outType.getDimSize(0), group, fg};
    gShape.append(outType.getShape().begin() + 2, outType.getShape().end());
    auto gType = RankedTensorType::get(gShape, accType);
    // Only the batch dimension may be dynamic (checked by the pass).
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, gType, [&](int64_t) {
      return DimSource{adaptor.getInput(), 0};
    });
    Value init;
    if (adaptor.getBias()) {
      SmallVector<AffineExpr> be = {d(1) * fg + d(2)};
      unsigned outLoops = 3 + ns;
      SmallVector<AffineExpr> ident;
      for (unsigned i = 0; i < outLoops; ++i)
        ident.push_back(d(i));
      init =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{gType}, ValueRange{adaptor.getBias()},
              ValueRange{emptyTensor(rewriter, loc, gType, dyn)},
              SmallVector<AffineMap>{AffineMap::get(outLoops, 0, be, ctx),
                                     AffineMap::get(outLoops, 0, ident, ctx)},
              SmallVector<IteratorType>(outLoops, IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(b, l, args[0]);
              })
              .getResult(0);
    } else {
      init = filledTensor(rewriter, loc, gType,
                          scalarConst(rewriter, loc, accType, 0), dyn);
    }
    SmallVector<IteratorType> iters(numLoops, IteratorType::parallel);
    for (unsigned i = cDim; i < numLoops; ++i)
      iters[i] = IteratorType::reduction;
    ElemKind accKind{accType, false};
    bool integer = !xk.isFloat();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{gType}, ValueRange{input, adaptor.getWeight()},
        ValueRange{init},
        SmallVector<AffineMap>{AffineMap::get(numLoops, 0, xe, ctx),
                               AffineMap::get(numLoops, 0, we, ctx),
                               AffineMap::get(numLoops, 0, oe, ctx)},
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], w = args[1];
          if (integer) {
            x = castScalar(b, l, x, xk, accKind);
            w = castScalar(b, l, w, wk, accKind);
            if (xZp)
              x = arith::SubIOp::create(b, l, x, intConst(b, l, accType, xZp));
            if (wZp)
              w = arith::SubIOp::create(b, l, w, intConst(b, l, accType, wZp));
            linalg::YieldOp::create(
                b, l,
                multiplyAccumulate(b, l, x, w, args[2], accKind, accKind));
            return;
          }
          linalg::YieldOp::create(
              b, l, multiplyAccumulate(b, l, x, w, args[2], xk, wk));
        });
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}};
    for (int64_t i = 0; i < ns; ++i)
      reassoc.push_back({3 + i});
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, outType, generic.getResult(0), reassoc);
    return success();
  }
};

struct PoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*typeConverter, op);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type et = outType.getElementType();
    ElemKind kind = elemKindOf(op.getInput().getType());
    bool isMax = op.getKind() == "max";
    // Integer average pooling (signed, result type = input type) sums the
    // window in i32 (i64 for i32 inputs, so no sum can overflow), divides by
    // the count rounding half away from zero and saturates to the type.
    bool intAvg = !isMax && !kind.isFloat();
    if (intAvg && (kind.isUnsigned || kind.isBool() ||
                   cast<RankedTensorType>(op.getInput().getType())
                           .getElementType() !=
                       cast<RankedTensorType>(op.getType()).getElementType()))
      return rewriter.notifyMatchFailure(
          op, "integer average pooling needs a signed input of the result type");
    Type sumType = et;
    if (intAvg)
      sumType = et.getIntOrFloatBitWidth() >= 32 ? rewriter.getI64Type()
                                                 : rewriter.getI32Type();
    int64_t ns = outType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    ArrayRef<int64_t> pads = op.getPads();
    Value lowest = isMax ? extremeValue(rewriter, loc, kind, /*lowest=*/true)
                         : scalarConst(rewriter, loc, et, 0);
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), pads, lowest);
    // Iteration space: n, c, o..., k...; the window tensor gives the k
    // loops their bounds.
    unsigned numLoops = 2 + 2 * ns;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe = {d(0), d(1)}, ke, oe = {d(0), d(1)};
    for (int64_t i = 0; i < ns; ++i) {
      xe.push_back(d(2 + i) * op.getStrides()[i] +
                   d(2 + ns + i) * op.getDilations()[i]);
      ke.push_back(d(2 + ns + i));
      oe.push_back(d(2 + i));
    }
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, et);
    SmallVector<Value> dyn =
        dynamicSizes(rewriter, loc, outType, [&](int64_t d) {
          return DimSource{adaptor.getInput(), d}; // N and C only
        });
    auto sumTensorType = outType.clone(sumType);
    Value init =
        intAvg ? filledTensor(rewriter, loc, sumTensorType,
                              intConst(rewriter, loc, sumType, 0), dyn)
               : filledTensor(rewriter, loc, outType, lowest, dyn);
    SmallVector<IteratorType> iters(numLoops, IteratorType::parallel);
    for (unsigned i = 2 + ns; i < numLoops; ++i)
      iters[i] = IteratorType::reduction;
    Value pooled =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{sumTensorType}, ValueRange{input, window},
            ValueRange{init},
            SmallVector<AffineMap>{AffineMap::get(numLoops, 0, xe, ctx),
                                   AffineMap::get(numLoops, 0, ke, ctx),
                                   AffineMap::get(numLoops, 0, oe, ctx)},
            iters,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value r;
              if (intAvg)
                r = arith::AddIOp::create(
                    b, l, args[2],
                    arith::ExtSIOp::create(b, l, sumType, args[0]));
              else if (!isMax)
                r = arith::AddFOp::create(b, l, args[2], args[0]);
              else if (kind.isFloat())
                r = arith::MaximumFOp::create(b, l, args[2], args[0]);
              else if (kind.isUnsigned)
                r = arith::MaxUIOp::create(b, l, args[2], args[0]);
              else
                r = arith::MaxSIOp::create(b, l, args[2], args[0]);
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    if (isMax) {
      rewriter.replaceOp(op, pooled);
      return success();
    }
    // Average: divide by the number of counted window elements, a
    // compile-time constant per output position (static shapes).
    SmallVector<int64_t> outSpatial(outType.getShape().begin() + 2,
                                    outType.getShape().end());
    int64_t numOut = 1;
    for (int64_t s : outSpatial)
      numOut *= s;
    SmallVector<float> counts(numOut);
    for (int64_t idx = 0; idx < numOut; ++idx) {
      int64_t rem = idx, count = 1;
      for (int64_t i = ns - 1; i >= 0; --i) {
        int64_t o = rem % outSpatial[i];
        rem /= outSpatial[i];
        int64_t inSize = inType.getDimSize(2 + i);
        int64_t lo = op.getCountIncludePad() ? -pads[i] : 0;
        int64_t hi = op.getCountIncludePad() ? inSize + pads[i + ns] : inSize;
        int64_t c = 0;
        for (int64_t k = 0; k < kernel[i]; ++k) {
          int64_t pos =
              o * op.getStrides()[i] + k * op.getDilations()[i] - pads[i];
          if (pos >= lo && pos < hi)
            ++c;
        }
        count *= std::max<int64_t>(c, 1);
      }
      counts[idx] = (float)count;
    }
    if (intAvg) {
      // round(sum / count) half away from zero: (|sum| + count / 2) / count
      // with the sign of sum, then saturation to the result type.
      SmallVector<int64_t> icounts(counts.begin(), counts.end());
      auto countType = RankedTensorType::get(outSpatial, sumType);
      Value countTensor =
          sumType.isInteger(64)
              ? arith::ConstantOp::create(
                    rewriter, loc,
                    DenseElementsAttr::get(countType, ArrayRef<int64_t>(icounts)))
              : arith::ConstantOp::create(
                    rewriter, loc,
                    DenseElementsAttr::get(
                        countType,
                        ArrayRef<int32_t>(SmallVector<int32_t>(
                            icounts.begin(), icounts.end()))));
      unsigned bits = et.getIntOrFloatBitWidth();
      int64_t tmin = -(int64_t(1) << (bits - 1));
      int64_t tmax = (int64_t(1) << (bits - 1)) - 1;
      Value result = buildElementwise(
          rewriter, loc, outType, {pooled, countTensor},
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            Value sum = s[0], c = s[1];
            Value zero = intConst(b, l, sumType, 0);
            Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              sum, zero);
            Value mag = arith::SelectOp::create(
                b, l, neg, arith::SubIOp::create(b, l, zero, sum), sum);
            Value half =
                arith::ShRSIOp::create(b, l, c, intConst(b, l, sumType, 1));
            Value q = arith::DivSIOp::create(
                b, l, arith::AddIOp::create(b, l, mag, half), c);
            q = arith::SelectOp::create(b, l, neg,
                                        arith::SubIOp::create(b, l, zero, q), q);
            if (sumType != et) {
              q = arith::MaxSIOp::create(b, l, q, intConst(b, l, sumType, tmin));
              q = arith::MinSIOp::create(b, l, q, intConst(b, l, sumType, tmax));
              q = arith::TruncIOp::create(b, l, et, q);
            }
            return q;
          });
      rewriter.replaceOp(op, result);
      return success();
    }
    auto countType = RankedTensorType::get(outSpatial, rewriter.getF32Type());
    Value countTensor = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(countType, ArrayRef<float>(counts)));
    ElemKind f32Kind{rewriter.getF32Type(), false};
    Value result = buildElementwise(
        rewriter, loc, outType, {pooled, countTensor},
        [&](OpBuilder &b, Location l, ValueRange s) -> Value {
          return arith::DivFOp::create(b, l, s[0],
                                       castScalar(b, l, s[1], f32Kind, kind));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The input dimension that result dimension `d` of a reduction over `axes`
/// comes from.
int64_t inputDimOfReduced(int64_t rank, ArrayRef<int64_t> axes, bool keepdims,
                          int64_t d) {
  if (keepdims)
    return d;
  for (int64_t i = 0, r = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i))
      continue;
    if (r++ == d)
      return i;
  }
  llvm_unreachable("result dimension out of range");
}

/// Output indexing map of a reduction over `axes` with or without kept dims.
AffineMap reductionOutputMap(MLIRContext *ctx, int64_t rank,
                             ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<AffineExpr> e;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d))
      e.push_back(getAffineDimExpr(d, ctx));
    else if (keepdims)
      e.push_back(getAffineConstantExpr(0, ctx));
  }
  return AffineMap::get(rank, 0, e, ctx);
}

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, ReduceKind K>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*this->typeConverter, op);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type et = outType.getElementType();
    ElemKind kind = elemKindOf(op.getInput().getType());
    ArrayRef<int64_t> axes = op.getAxes();
    bool f = kind.isFloat();
    Value identity;
    if (K == ReduceKind::Sum || K == ReduceKind::Mean)
      identity = scalarConst(rewriter, loc, et, 0);
    else if (K == ReduceKind::Prod)
      identity = scalarConst(rewriter, loc, et, 1);
    else
      identity = extremeValue(rewriter, loc, kind, K == ReduceKind::Max);
    int64_t rank = inType.getRank();
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    for (int64_t a : axes)
      iters[a] = IteratorType::reduction;
    SmallVector<Value> dyn =
        dynamicSizes(rewriter, loc, outType, [&](int64_t d) {
          return DimSource{
              adaptor.getInput(),
              inputDimOfReduced(inType.getRank(), axes, op.getKeepdims(), d)};
        });
    Value init = filledTensor(rewriter, loc, outType, identity, dyn);
    Value reduced =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{adaptor.getInput()},
            ValueRange{init},
            SmallVector<AffineMap>{
                rewriter.getMultiDimIdentityMap(rank),
                reductionOutputMap(ctx, rank, axes, op.getKeepdims())},
            iters,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = args[0], acc = args[1], r;
              switch (K) {
              case ReduceKind::Sum:
              case ReduceKind::Mean:
                r = f ? (Value)arith::AddFOp::create(b, l, acc, x)
                      : (Value)arith::AddIOp::create(b, l, acc, x);
                break;
              case ReduceKind::Prod:
                r = f ? (Value)arith::MulFOp::create(b, l, acc, x)
                      : (Value)arith::MulIOp::create(b, l, acc, x);
                break;
              case ReduceKind::Max:
                r = f ? (Value)arith::MaximumFOp::create(b, l, acc, x)
                    : kind.isUnsigned
                        ? (Value)arith::MaxUIOp::create(b, l, acc, x)
                        : (Value)arith::MaxSIOp::create(b, l, acc, x);
                break;
              case ReduceKind::Min:
                r = f ? (Value)arith::MinimumFOp::create(b, l, acc, x)
                    : kind.isUnsigned
                        ? (Value)arith::MinUIOp::create(b, l, acc, x)
                        : (Value)arith::MinSIOp::create(b, l, acc, x);
                break;
              }
              linalg::YieldOp::create(b, l, r);
            })
            .getResult(0);
    if (K == ReduceKind::Mean) {
      // Element count of the reduced dimensions (at run time if dynamic).
      int64_t count = 1;
      Value dynCount;
      for (int64_t a : axes) {
        if (!inType.isDynamicDim(a)) {
          count *= inType.getDimSize(a);
          continue;
        }
        Value dim = tensor::DimOp::create(rewriter, loc, adaptor.getInput(), a);
        dynCount = dynCount
                       ? arith::MulIOp::create(rewriter, loc, dynCount, dim)
                       : dim;
      }
      Value c = scalarConst(rewriter, loc, et, (double)count);
      if (dynCount) {
        Value n = arith::IndexCastOp::create(rewriter, loc,
                                             rewriter.getI64Type(), dynCount);
        ElemKind i64k{rewriter.getI64Type(), false};
        c = f ? arith::MulFOp::create(rewriter, loc, c,
                                      castScalar(rewriter, loc, n, i64k, kind))
                    .getResult()
              : arith::MulIOp::create(rewriter, loc, c,
                                      castScalar(rewriter, loc, n, i64k, kind))
                    .getResult();
      }
      reduced = buildElementwise(
          rewriter, loc, outType, {reduced},
          [&](OpBuilder &b, Location l, ValueRange s) -> Value {
            return f ? (Value)arith::DivFOp::create(b, l, s[0], c)
                   : kind.isUnsigned
                       ? (Value)arith::DivUIOp::create(b, l, s[0], c)
                       : (Value)arith::DivSIOp::create(b, l, s[0], c);
          });
    }
    rewriter.replaceOp(op, reduced);
    return success();
  }
};

struct ArgExtremumLowering : OpConversionPattern<ArgExtremumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgExtremumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = convertedType(*typeConverter, op);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type et = inType.getElementType();
    ElemKind kind = elemKindOf(op.getInput().getType());
    bool isMax = op.getIsMax(), last = op.getSelectLastIndex();
    int64_t axis = op.getAxis(), rank = inType.getRank();
    bool f = kind.isFloat();
    Value start = extremeValue(rewriter, loc, kind, /*lowest=*/isMax);
    auto valType = outType.clone(et);
    SmallVector<Value> dyn =
        dynamicSizes(rewriter, loc, outType, [&](int64_t d) {
          return DimSource{
              adaptor.getInput(),
              inputDimOfReduced(rank, {axis}, op.getKeepdims(), d)};
        });
    Value valInit = filledTensor(rewriter, loc, valType, start, dyn);
    Value idxInit =
        filledTensor(rewriter, loc, outType,
                     intConst(rewriter, loc, rewriter.getI64Type(), -1), dyn);
    AffineMap outMap = reductionOutputMap(ctx, rank, {axis}, op.getKeepdims());
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters[axis] = IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, outType},
        ValueRange{adaptor.getInput()}, ValueRange{valInit, idxInit},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                               outMap},
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], cur = args[1], curIdx = args[2];
          Value idx = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value better;
          if (f) {
            auto p = isMax ? (last ? arith::CmpFPredicate::OGE
                                   : arith::CmpFPredicate::OGT)
                           : (last ? arith::CmpFPredicate::OLE
                                   : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, p, x, cur);
          } else {
            using P = arith::CmpIPredicate;
            bool u = kind.isUnsigned;
            P p = isMax
                      ? (last ? (u ? P::uge : P::sge) : (u ? P::ugt : P::sgt))
                      : (last ? (u ? P::ule : P::sle) : (u ? P::ult : P::slt));
            better = arith::CmpIOp::create(b, l, p, x, cur);
          }
          // The first element always wins (covers +-inf/limit values).
          Value first =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, curIdx,
                                    intConst(b, l, b.getI64Type(), 0));
          better = arith::OrIOp::create(b, l, better, first);
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  (Value)arith::SelectOp::create(b, l, better, x, cur),
                  (Value)arith::SelectOp::create(b, l, better, idx, curIdx)});
        });
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

} // namespace

void lowering::populateContractionPatterns(const TypeConverter &tc,
                                           RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<MatMulLowering, MatMulIntegerLowering, GemmLowering,
               ConvLowering, PoolLowering, ArgExtremumLowering,
               ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>>(tc, ctx);
}
