//===- Scatter.cpp - gather_nd, scatter_elements, scatter_nd --------------===//
//
// GatherND is a linalg.generic over the result reading both operands with
// tensor.extract. The scatters are sequential by definition (later updates
// win, reductions accumulate), so they become one scf.for over the update
// elements carrying the result tensor, which bufferizes to in-place stores.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

Value cidx(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// Index scalar from an integer tensor element, with negative values
/// wrapped by `dimSize`.
Value wrappedIndex(OpBuilder &b, Location l, Value v, int64_t dimSize) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
  Value neg =
      arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, cidx(b, l, 0));
  return arith::SelectOp::create(
      b, l, neg, arith::AddIOp::create(b, l, i, cidx(b, l, dimSize)), i);
}

/// Multi-index of linear position `linear` in a row-major `shape`.
SmallVector<Value> delinearize(OpBuilder &b, Location l, Value linear,
                               ArrayRef<int64_t> shape) {
  SmallVector<Value> idx(shape.size());
  Value rest = linear;
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    Value size = cidx(b, l, shape[d]);
    idx[d] = arith::RemUIOp::create(b, l, rest, size);
    rest = arith::DivUIOp::create(b, l, rest, size);
  }
  return idx;
}

Value combine(OpBuilder &b, Location l, ScatterReduction reduction, Value cur,
              Value upd) {
  bool f = isa<FloatType>(upd.getType());
  switch (reduction) {
  case ScatterReduction::Add:
    return f ? (Value)arith::AddFOp::create(b, l, cur, upd)
             : (Value)arith::AddIOp::create(b, l, cur, upd);
  case ScatterReduction::Mul:
    return f ? (Value)arith::MulFOp::create(b, l, cur, upd)
             : (Value)arith::MulIOp::create(b, l, cur, upd);
  case ScatterReduction::None:
    break;
  }
  return upd;
}

/// scf.for over every element of `updatesType`, calling `target` for the
/// destination index and writing (or combining) the update there.
Value scatterLoop(OpBuilder &b, Location loc, Value input, Value updates,
                  ScatterReduction reduction,
                  llvm::function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                        ArrayRef<Value>)>
                      target) {
  auto uType = cast<RankedTensorType>(updates.getType());
  int64_t count = uType.getNumElements();
  auto loop = scf::ForOp::create(
      b, loc, cidx(b, loc, 0), cidx(b, loc, count), cidx(b, loc, 1),
      ValueRange{input},
      [&](OpBuilder &nb, Location l, Value iv, ValueRange iter) {
        SmallVector<Value> src = delinearize(nb, l, iv, uType.getShape());
        SmallVector<Value> dst = target(nb, l, src);
        Value upd = tensor::ExtractOp::create(nb, l, updates, src);
        if (reduction != ScatterReduction::None)
          upd = combine(nb, l, reduction,
                        tensor::ExtractOp::create(nb, l, iter[0], dst), upd);
        Value next = tensor::InsertOp::create(nb, l, upd, iter[0], dst);
        scf::YieldOp::create(nb, l, next);
      });
  return loop.getResult(0);
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t axis = op.getAxis();
    Value indices = adaptor.getIndices();
    Value r = scatterLoop(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> src) {
          SmallVector<Value> dst(src);
          dst[axis] =
              wrappedIndex(b, l, tensor::ExtractOp::create(b, l, indices, src),
                           inType.getDimSize(axis));
          return dst;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!inType.hasStaticShape() || !idxType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t q = idxType.getRank() - 1, k = idxType.getDimSize(q);
    Value indices = adaptor.getIndices();
    Value r = scatterLoop(
        rewriter, op.getLoc(), adaptor.getInput(), adaptor.getUpdates(),
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> src) {
          // updates index = row (q dims) ++ position inside the slice.
          SmallVector<Value> dst;
          SmallVector<Value> row(src.begin(), src.begin() + q);
          row.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            row[q] = cidx(b, l, j);
            dst.push_back(wrappedIndex(
                b, l, tensor::ExtractOp::create(b, l, indices, row),
                inType.getDimSize(j)));
          }
          dst.append(src.begin() + q, src.end());
          return dst;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = convertedType(*typeConverter, op);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    if (!outType.hasStaticShape() || !idxType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t bdims = op.getBatchDims();
    int64_t q = idxType.getRank() - 1, k = idxType.getDimSize(q);
    int64_t rank = outType.getRank();
    Value data = adaptor.getInput(), indices = adaptor.getIndices();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, outType)},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> o;
          for (int64_t d = 0; d < rank; ++d)
            o.push_back(linalg::IndexOp::create(b, l, d));
          SmallVector<Value> row(o.begin(), o.begin() + q);
          row.push_back(Value());
          SmallVector<Value> src(o.begin(), o.begin() + bdims);
          for (int64_t j = 0; j < k; ++j) {
            row[q] = cidx(b, l, j);
            src.push_back(wrappedIndex(
                b, l, tensor::ExtractOp::create(b, l, indices, row),
                inType.getDimSize(bdims + j)));
          }
          src.append(o.begin() + q, o.end());
          linalg::YieldOp::create(
              b, l, (Value)tensor::ExtractOp::create(b, l, data, src));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void lowering::populateScatterPatterns(const TypeConverter &tc,
                                       RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering, GatherNDLowering>(
      tc, patterns.getContext());
}
