//===- Pooling.cpp - max and average pooling ------------------------------===//
//
// Pooling reduces over a window tensor (whose shape gives the window loops
// their bounds) with strides and dilations in the input map, after a
// tensor.pad with the identity of the reduction: linalg.pooling_nchw_max /
// pooling_nchw_sum (pooling_ncw_* in 1-D) where they express it, else a
// linalg.generic. Averages divide by a per-position count computed at
// compile time.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// linalg.pooling_nc{w,hw}_{max,sum} for 1-D and 2-D windows, where their
/// bodies are the op's: the max of floats or of signed integers, the sum of
/// floats or of signed integers sign-extended to `resultType`'s element
/// type. Null otherwise (3-D windows, which upstream has only as NDHWC,
/// unsigned or boolean max).
Value buildNamedPooling(OpBuilder &b, Location loc, int64_t ns, bool isMax,
                        ElemKind kind, RankedTensorType resultType, Value input,
                        Value window, Value init, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations) {
  if ((ns != 1 && ns != 2) || kind.isUnsigned || kind.isBool())
    return {};
  // Named storage: TypeRange / ValueRange do not own their elements.
  SmallVector<Type> types = {resultType};
  SmallVector<Value> ins = {input, window}, outs = {init};
  Attribute s = b.getI64TensorAttr(strides), d = b.getI64TensorAttr(dilations);
  if (ns == 2)
    return isMax ? linalg::PoolingNchwMaxOp::create(b, loc, types, ins, outs, s,
                                                    d)
                       .getResult(0)
                 : linalg::PoolingNchwSumOp::create(b, loc, types, ins, outs, s,
                                                    d)
                       .getResult(0);
  return isMax ? linalg::PoolingNcwMaxOp::create(b, loc, types, ins, outs, s, d)
                     .getResult(0)
               : linalg::PoolingNcwSumOp::create(b, loc, types, ins, outs, s, d)
                     .getResult(0);
}

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
    bool isMax = op.getKind() == PoolKind::Max;
    // Integer average pooling (signed, result type = input type) sums the
    // window in i32 (i64 for i32 inputs, so no sum can overflow), divides by
    // the count rounding half away from zero and saturates to the type.
    bool intAvg = !isMax && !kind.isFloat();
    if (intAvg &&
        (kind.isUnsigned || kind.isBool() ||
         cast<RankedTensorType>(op.getInput().getType()).getElementType() !=
             cast<RankedTensorType>(op.getType()).getElementType()))
      return rewriter.notifyMatchFailure(
          op,
          "integer average pooling needs a signed input of the result type");
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
    Value init = intAvg ? filledTensor(rewriter, loc, sumTensorType,
                                       intConst(rewriter, loc, sumType, 0), dyn)
                        : filledTensor(rewriter, loc, outType, lowest, dyn);
    Value pooled =
        buildNamedPooling(rewriter, loc, ns, isMax, kind, sumTensorType, input,
                          window, init, op.getStrides(), op.getDilations());
    SmallVector<IteratorType> iters(numLoops, IteratorType::parallel);
    for (unsigned i = 2 + ns; i < numLoops; ++i)
      iters[i] = IteratorType::reduction;
    if (!pooled)
      pooled = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{sumTensorType},
                   ValueRange{input, window}, ValueRange{init},
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
                    DenseElementsAttr::get(countType,
                                           ArrayRef<int64_t>(icounts)))
              : arith::ConstantOp::create(
                    rewriter, loc,
                    DenseElementsAttr::get(
                        countType, ArrayRef<int32_t>(SmallVector<int32_t>(
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
            q = arith::SelectOp::create(
                b, l, neg, arith::SubIOp::create(b, l, zero, q), q);
            if (sumType != et) {
              q = arith::MaxSIOp::create(b, l, q,
                                         intConst(b, l, sumType, tmin));
              q = arith::MinSIOp::create(b, l, q,
                                         intConst(b, l, sumType, tmax));
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

} // namespace

void lowering::populatePoolingPatterns(const TypeConverter &tc,
                                       RewritePatternSet &patterns) {
  patterns.add<PoolLowering>(tc, patterns.getContext());
}
