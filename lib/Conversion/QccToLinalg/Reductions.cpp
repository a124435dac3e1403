//===- Reductions.cpp - reduce_* and arg_extremum -------------------------===//
//
// Reductions over a set of axes (kept as size 1 or dropped) into a tensor
// filled with the reduction's identity; the mean divides afterwards by the
// element count (at run time for dynamic dimensions). ArgMax/ArgMin carry
// the running extremum and its index as two results of one generic.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

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

void lowering::populateReductionPatterns(const TypeConverter &tc,
                                         RewritePatternSet &patterns) {
  patterns
      .add<ArgExtremumLowering, ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
           ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
           ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
           ReduceLowering<ReduceMinOp, ReduceKind::Min>,
           ReduceLowering<ReduceProdOp, ReduceKind::Prod>>(
          tc, patterns.getContext());
}
