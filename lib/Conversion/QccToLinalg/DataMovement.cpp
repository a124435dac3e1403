//===- DataMovement.cpp - reshape, transpose, concat, slice, gather, pad --===//

#include "Patterns.h"
#include "Utils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// Reshape through tensor.collapse_shape / tensor.expand_shape: directly
/// when the shapes have a reassociation, else through a 1-D tensor.
Value reshapeTensor(OpBuilder &b, Location loc, Value v,
                    RankedTensorType target) {
  auto src = cast<RankedTensorType>(v.getType());
  if (src == target)
    return v;
  if (src.getRank() > target.getRank())
    if (auto re = getReassociationIndicesForCollapse(src.getShape(),
                                                     target.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, target, v, *re);
  if (src.getRank() < target.getRank())
    if (auto re = getReassociationIndicesForCollapse(target.getShape(),
                                                     src.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, target, v, *re);
  auto flat =
      RankedTensorType::get({src.getNumElements()}, src.getElementType());
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < src.getRank(); ++i)
    all[0].push_back(i);
  Value f = src.getRank() == 1
                ? v
                : (Value)tensor::CollapseShapeOp::create(b, loc, flat, v, all);
  SmallVector<ReassociationIndices> allOut(1);
  for (int64_t i = 0; i < target.getRank(); ++i)
    allOut[0].push_back(i);
  if (target.getRank() == 1)
    return f;
  return tensor::ExpandShapeOp::create(b, loc, target, f, allOut);
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(*typeConverter, op);
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (type.hasStaticShape() && inType.hasStaticShape()) {
      rewriter.replaceOp(
          op, reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(), type));
      return success();
    }
    if (type.getNumDynamicDims() != 1)
      return rewriter.notifyMatchFailure(
          op, "reshape to more than one dynamic dimension");
    // The one dynamic result dimension is the input's element count divided
    // by the product of the static result dimensions.
    Location loc = op.getLoc();
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = 0; d < inType.getRank(); ++d) {
      Value dim = inType.isDynamicDim(d)
                      ? (Value)tensor::DimOp::create(rewriter, loc,
                                                     adaptor.getInput(), d)
                      : (Value)arith::ConstantIndexOp::create(
                            rewriter, loc, inType.getDimSize(d));
      count = arith::MulIOp::create(rewriter, loc, count, dim);
    }
    int64_t known = 1;
    SmallVector<Value> shapeValues;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!type.isDynamicDim(d))
        known *= type.getDimSize(d);
    Value missing = arith::DivUIOp::create(
        rewriter, loc, count,
        arith::ConstantIndexOp::create(rewriter, loc, known));
    for (int64_t d = 0; d < type.getRank(); ++d) {
      Value v = type.isDynamicDim(d) ? missing
                                     : (Value)arith::ConstantIndexOp::create(
                                           rewriter, loc, type.getDimSize(d));
      shapeValues.push_back(
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), v));
    }
    Value shape = tensor::FromElementsOp::create(
        rewriter, loc,
        RankedTensorType::get({type.getRank()}, rewriter.getI64Type()),
        shapeValues);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, type, adaptor.getInput(),
                                                   shape);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(*typeConverter, op);
    SmallVector<Value> dyn =
        dynamicSizes(rewriter, op.getLoc(), type, [&](int64_t d) {
          return DimSource{adaptor.getInput(), op.getPerm()[d]};
        });
    Value init = emptyTensor(rewriter, op.getLoc(), type, dyn);
    auto t = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPerm());
    rewriter.replaceOp(op, t->getResults());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(*typeConverter, op);
    int64_t axis = op.getAxis();
    // Only non-axis dimensions may be dynamic (checked by the pass).
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, type, [&](int64_t d) {
      return DimSource{adaptor.getInputs()[0], d};
    });
    Value result = emptyTensor(rewriter, loc, type, dyn);
    int64_t offset = 0;
    for (Value in : adaptor.getInputs()) {
      auto t = cast<RankedTensorType>(in.getType());
      SmallVector<OpFoldResult> offsets(t.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes,
          strides(t.getRank(), rewriter.getIndexAttr(1));
      for (int64_t d = 0; d < t.getRank(); ++d)
        sizes.push_back(
            t.isDynamicDim(d)
                ? OpFoldResult(
                      tensor::DimOp::create(rewriter, loc, in, d).getResult())
                : OpFoldResult(rewriter.getIndexAttr(t.getDimSize(d))));
      offsets[axis] = rewriter.getIndexAttr(offset);
      offset += t.getDimSize(axis);
      if (t.getDimSize(axis) == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offsets,
                                             sizes, strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// linalg.index of every loop of a rank-`rank` all-parallel generic.
SmallVector<Value> loopIndices(OpBuilder &b, Location l, int64_t rank) {
  SmallVector<Value> idx;
  for (int64_t d = 0; d < rank; ++d)
    idx.push_back(linalg::IndexOp::create(b, l, d));
  return idx;
}

/// A generic over `resultType` whose body reads `source` at indices
/// computed by `indexFn` from the loop indices (and the scalar operands of
/// `inputs`, mapped with `inputMaps`).
Value gatherGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                    Value source, ValueRange inputs,
                    ArrayRef<AffineMap> inputMaps, ValueRange dynSizes,
                    llvm::function_ref<SmallVector<Value>(
                        OpBuilder &, Location, ValueRange, ValueRange)>
                        indexFn) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs,
      ValueRange{emptyTensor(b, loc, resultType, dynSizes)}, maps,
      SmallVector<IteratorType>(resultType.getRank(), IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> loops = loopIndices(nb, l, resultType.getRank());
        SmallVector<Value> idx = indexFn(nb, l, loops, args.drop_back());
        linalg::YieldOp::create(
            nb, l, (Value)tensor::ExtractOp::create(nb, l, source, idx));
      });
  return generic.getResult(0);
}

Value indexConst(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(*typeConverter, op);
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (auto [s, n, st] : llvm::zip(starts, type.getShape(), steps)) {
        offsets.push_back(rewriter.getIndexAttr(s));
        sizes.push_back(rewriter.getIndexAttr(n));
        strides.push_back(rewriter.getIndexAttr(st));
      }
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), offsets, sizes, strides);
      return success();
    }
    Value r = gatherGeneric(
        rewriter, loc, type, adaptor.getInput(), {}, {}, {},
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange) {
          SmallVector<Value> idx;
          for (auto [i, s, st] : llvm::enumerate(starts, steps)) {
            Value scaled =
                arith::MulIOp::create(b, l, loops[i], indexConst(b, l, st));
            idx.push_back(
                arith::AddIOp::create(b, l, scaled, indexConst(b, l, s)));
          }
          return idx;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Converts an integer index scalar to `index`, wrapping negative values by
/// `dimSize` (an index value; ONNX Gather semantics).
Value wrapIndex(OpBuilder &b, Location l, Value v, Value dimSize) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), v);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i,
                                    indexConst(b, l, 0));
  Value wrapped = arith::AddIOp::create(b, l, i, dimSize);
  return arith::SelectOp::create(b, l, neg, wrapped, i);
}

/// Size of dimension `d` of `v` as an index value: a constant when static,
/// tensor.dim otherwise (dynamic gather axes wrap by the run-time size).
Value dimSizeValue(OpBuilder &b, Location l, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.isDynamicDim(d))
    return tensor::DimOp::create(b, l, v, d);
  return indexConst(b, l, t.getDimSize(d));
}

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(*typeConverter, op);
    auto idxType = cast<RankedTensorType>(adaptor.getIndices().getType());
    int64_t axis = op.getAxis(), ri = idxType.getRank();
    Value axisSize = dimSizeValue(rewriter, loc, adaptor.getInput(), axis);
    MLIRContext *ctx = op.getContext();
    SmallVector<AffineExpr> ie;
    for (int64_t i = 0; i < ri; ++i)
      ie.push_back(getAffineDimExpr(axis + i, ctx));
    AffineMap idxMap = AffineMap::get(type.getRank(), 0, ie, ctx);
    SmallVector<Value> dyn = dynamicSizes(rewriter, loc, type, [&](int64_t d) {
      if (d < axis)
        return DimSource{adaptor.getInput(), d};
      if (d < axis + ri)
        return DimSource{adaptor.getIndices(), d - axis};
      return DimSource{adaptor.getInput(), d - ri + 1};
    });
    Value r = gatherGeneric(
        rewriter, loc, type, adaptor.getInput(), {adaptor.getIndices()},
        {idxMap}, dyn,
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          SmallVector<Value> idx(loops.begin(), loops.begin() + axis);
          idx.push_back(wrapIndex(b, l, args[0], axisSize));
          idx.append(loops.begin() + axis + ri, loops.end());
          return idx;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = convertedType(*typeConverter, op);
    int64_t axis = op.getAxis();
    Value axisSize =
        dimSizeValue(rewriter, op.getLoc(), adaptor.getInput(), axis);
    Value r = gatherGeneric(
        rewriter, op.getLoc(), type, adaptor.getInput(), {adaptor.getIndices()},
        {rewriter.getMultiDimIdentityMap(type.getRank())}, {},
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange args) {
          SmallVector<Value> idx(loops);
          idx[axis] = wrapIndex(b, l, args[0], axisSize);
          return idx;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = convertedType(*typeConverter, op);
    Value input = adaptor.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::Constant) {
      // Negative pads crop first.
      SmallVector<int64_t> lo(pads.take_front(rank)), hi(pads.drop_front(rank));
      if (llvm::any_of(pads, [](int64_t p) { return p < 0; })) {
        SmallVector<OpFoldResult> offsets, sizes,
            strides(rank, rewriter.getIndexAttr(1));
        SmallVector<int64_t> shape;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t off = lo[d] < 0 ? -lo[d] : 0;
          int64_t size = inType.getDimSize(d) - off - (hi[d] < 0 ? -hi[d] : 0);
          offsets.push_back(rewriter.getIndexAttr(off));
          sizes.push_back(rewriter.getIndexAttr(size));
          shape.push_back(size);
          lo[d] = std::max<int64_t>(lo[d], 0);
          hi[d] = std::max<int64_t>(hi[d], 0);
        }
        input = tensor::ExtractSliceOp::create(
            rewriter, loc, inType.clone(shape), input, offsets, sizes, strides);
      }
      // The pad value is a 0-d or one-element tensor.
      auto valueType = cast<RankedTensorType>(adaptor.getValue().getType());
      SmallVector<Value> origin;
      if (valueType.getRank() > 0)
        origin.assign(valueType.getRank(), indexConst(rewriter, loc, 0));
      Value value =
          tensor::ExtractOp::create(rewriter, loc, adaptor.getValue(), origin);
      SmallVector<OpFoldResult> low, high;
      for (int64_t d = 0; d < rank; ++d) {
        low.push_back(rewriter.getIndexAttr(lo[d]));
        high.push_back(rewriter.getIndexAttr(hi[d]));
      }
      rewriter.replaceOpWithNewOp<tensor::PadOp>(op, type, input, low, high,
                                                 value);
      return success();
    }
    bool reflect = op.getMode() == PadMode::Reflect;
    Value r = gatherGeneric(
        rewriter, loc, type, input, {}, {}, {},
        [&](OpBuilder &b, Location l, ValueRange loops, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t d = 0; d < rank; ++d) {
            int64_t n = inType.getDimSize(d);
            Value i = arith::SubIOp::create(b, l, loops[d],
                                            indexConst(b, l, pads[d]));
            Value zero = indexConst(b, l, 0), last = indexConst(b, l, n - 1);
            if (reflect) {
              // -i before the start, 2(n-1)-i past the end.
              Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                i, zero);
              i = arith::SelectOp::create(
                  b, l, neg, arith::SubIOp::create(b, l, zero, i), i);
              Value past = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sgt, i, last);
              Value mirrored =
                  arith::SubIOp::create(b, l, indexConst(b, l, 2 * (n - 1)), i);
              i = arith::SelectOp::create(b, l, past, mirrored, i);
            }
            i = arith::MaxSIOp::create(b, l, i, zero);
            i = arith::MinSIOp::create(b, l, i, last);
            idx.push_back(i);
          }
          return idx;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void lowering::populateDataMovementPatterns(const TypeConverter &tc,
                                            RewritePatternSet &patterns) {
  patterns
      .add<ReshapeLowering, TransposeLowering, ConcatLowering, SliceLowering,
           GatherLowering, GatherElementsLowering, PadLowering>(
          tc, patterns.getContext());
}
