//===- Contractions.cpp - matmul, matmul_integer, gemm --------------------===//
//
// numpy matmul (batch broadcasting, rank-1 promotion), MatMulInteger (zero
// points subtracted in the body) and Gemm (transposes in the maps, beta * C
// as the init). Integer operands are extended to the accumulator type.
// Contractions without zero points or alpha become linalg.matmul /
// linalg.batch_matmul / linalg.contract (buildContraction), the others
// linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// The numpy-matmul contraction: a named op where one expresses it
/// (buildContraction), else a generic; zero points (`lhsZp` / `rhsZp`,
/// MatMulInteger) are subtracted from the extended operands in the body of
/// a generic.
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
    maps.push_back(paramMap(ctx, lhsZp, numLoops, mDim));
    inputs.push_back(rhsZp);
    maps.push_back(paramMap(ctx, rhsZp, numLoops, nDim));
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
  if (!lhsZp)
    return buildContraction(b, loc, lhs, rhs, init, maps, lk, rk);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             iters,
             [&](OpBuilder &nb2, Location l, ValueRange args) {
               Value a = args[0], bv = args[1], acc = args.back();
               ElemKind accKind{accType, false};
               a = castScalar(nb2, l, a, lk, accKind);
               bv = castScalar(nb2, l, bv, rk, accKind);
               a = arith::SubIOp::create(
                   nb2, l, a, castScalar(nb2, l, args[2], lk, accKind));
               bv = arith::SubIOp::create(
                   nb2, l, bv, castScalar(nb2, l, args[3], rk, accKind));
               linalg::YieldOp::create(
                   nb2, l,
                   multiplyAccumulate(nb2, l, a, bv, acc, accKind, accKind));
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
    // Without alpha the body is the plain multiply-accumulate: a
    // linalg.matmul, the transposes in its indexing maps.
    if (alpha == 1.0) {
      rewriter.replaceOp(op, buildContraction(rewriter, loc, adaptor.getA(),
                                              adaptor.getB(), init, maps,
                                              elemKindOf(op.getA().getType()),
                                              elemKindOf(op.getB().getType())));
      return success();
    }
    SmallVector<IteratorType> iters = {IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction};
    Value alphaV = scalarConst(rewriter, loc, et, alpha);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type},
        ValueRange{adaptor.getA(), adaptor.getB()}, ValueRange{init}, maps,
        iters, [&](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(b, l, args[0], args[1]);
          p = arith::MulFOp::create(b, l, p, alphaV);
          linalg::YieldOp::create(
              b, l, (Value)arith::AddFOp::create(b, l, args[2], p));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateContractionPatterns(const TypeConverter &tc,
                                           RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, MatMulIntegerLowering, GemmLowering>(
      tc, patterns.getContext());
}
