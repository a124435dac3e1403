//===- Convolution.cpp - conv (float, ConvInteger, grouped) ---------------===//
//
// Padding is a tensor.pad in front (with the input zero point for integer
// convolutions). Ungrouped convolutions without zero points become an
// im2col gather (a linalg.generic, windows last) and a contraction with the
// weight as a transposed right operand (a linalg.contract; the microkernels
// take it through qcc-data-tiling), transposed back to NC...; 2-D grouped ones
// linalg.conv_2d_ngchw_gfchw; the others one windowed linalg.generic whose
// maps encode strides, dilations and groups and whose body extends the
// integer operands (minus their zero points) to the accumulator type.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

using utils::IteratorType;

/// The accumulator a convolution starts from: `bias` (if any) broadcast to
/// `type`, element `channel` (an expression of `type`'s dimensions, the
/// output channel) of it at every position; zeros without a bias. `dyn`:
/// the dynamic sizes of `type`.
static Value initAccumulator(OpBuilder &b, Location loc, Value bias,
                             RankedTensorType type, AffineExpr channel,
                             ValueRange dyn) {
  if (!bias)
    return filledTensor(b, loc, type,
                        scalarConst(b, loc, type.getElementType(), 0), dyn);
  unsigned rank = type.getRank();
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias},
             ValueRange{emptyTensor(b, loc, type, dyn)},
             SmallVector<AffineMap>{
                 AffineMap::get(rank, 0, channel, b.getContext()),
                 b.getMultiDimIdentityMap(rank)},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, a[0]);
             })
      .getResult(0);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Ungrouped convolution as im2col + a plain contraction: the windows of
  /// the padded input are copied to Col[N, o..., C, k...] (a strided
  /// gather), which collapses to [N, O, C*K]; the convolution is then
  ///   outT[n, o, f] = sum_r Col[n, o, r] * W[f, r]
  /// (rows n, o; the weight indexed [f, r] as a transposed matmul operand,
  /// so qcc-data-tiling packs it for the microkernels like a Linear
  /// layer's), transposed back to [N, F, O] and expanded to the output.
  /// All maps are projected permutations, so without microkernels it tiles
  /// and vectorizes like a matmul. Integer convolutions (without zero
  /// points) gather the integers and extend them in the contraction.
  ///
  /// Convolutions no microkernel takes (a weight computed at run time, as
  /// weight-only quantization dequantizes it; unsigned or wider integers)
  /// keep the form without the transpose, `weightFirst`:
  /// Col[N, C, k..., o...] and out[n, f, o] = sum_r W[f, r] * Col[n, r, o].
  /// (The transposed form through qcc-tile-and-vectorize gave wrong results
  /// for a fused dequantization on AArch64 and for u8 ConvInteger; not
  /// investigated yet.)
  /// Whether the transposed im2col form serves a microkernel: a constant
  /// weight, f32 x f32 or signed i8 x i8 (Ukernels.def).
  static bool packableWeight(ConvOp op, ElemKind xk, ElemKind wk) {
    if (!op.getWeight().getDefiningOp<arith::ConstantOp>())
      return false;
    if (xk.isFloat() && wk.isFloat())
      return xk.type.isF32() && wk.type.isF32();
    return xk.type.isInteger(8) && wk.type.isInteger(8) && !xk.isUnsigned &&
           !wk.isUnsigned;
  }

  static Value lowerAsIm2colMatmul(OpBuilder &b, Location loc, ConvOp op,
                                   Value input, Value weight, Value bias,
                                   RankedTensorType outType, ElemKind xk,
                                   ElemKind wk, bool weightFirst) {
    MLIRContext *ctx = b.getContext();
    auto inType = cast<RankedTensorType>(input.getType());
    auto wType = cast<RankedTensorType>(weight.getType());
    Type et = outType.getElementType();
    int64_t ns = outType.getRank() - 2;
    int64_t c = wType.getDimSize(1), f = wType.getDimSize(0);
    int64_t kSize = 1, oSize = 1;
    SmallVector<int64_t> oDims, kDims;
    for (int64_t i = 0; i < ns; ++i) {
      oDims.push_back(outType.getDimSize(2 + i));
      oSize *= outType.getDimSize(2 + i);
      kDims.push_back(wType.getDimSize(2 + i));
      kSize *= wType.getDimSize(2 + i);
    }
    // Col dims: n, o..., c, k... (or n, c, k..., o... with weightFirst).
    SmallVector<int64_t> colShape = {outType.getDimSize(0)};
    if (weightFirst) {
      colShape.push_back(c);
      llvm::append_range(colShape, kDims);
      llvm::append_range(colShape, oDims);
    } else {
      llvm::append_range(colShape, oDims);
      colShape.push_back(c);
      llvm::append_range(colShape, kDims);
    }
    unsigned cDim = weightFirst ? 1 : 1 + ns;
    unsigned kDim0 = cDim + 1, oDim0 = weightFirst ? 2 + ns : 1;
    auto colType = RankedTensorType::get(colShape, inType.getElementType());
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned rank = colShape.size();
    SmallVector<AffineExpr> xe = {d(0), d(cDim)};
    for (int64_t i = 0; i < ns; ++i)
      xe.push_back(d(oDim0 + i) * op.getStrides()[i] +
                   d(kDim0 + i) * op.getDilations()[i]);
    // Every dynamic size here is the batch.
    auto batch = [&](int64_t) { return DimSource{input, 0}; };
    SmallVector<Value> nDyn = dynamicSizes(b, loc, colType, batch);
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
    // [N] [o...] [C, k...] (or [N] [C, k...] [o...]): the second group ends
    // where the third starts.
    int64_t split = weightFirst ? 2 + ns : 1 + ns;
    SmallVector<ReassociationIndices> colRe = {{0}, {}, {}};
    for (int64_t i = 1; i < 2 + 2 * ns; ++i)
      colRe[i < split ? 1 : 2].push_back(i);
    auto flatColType = RankedTensorType::get(
        weightFirst
            ? ArrayRef<int64_t>{outType.getDimSize(0), c * kSize, oSize}
            : ArrayRef<int64_t>{outType.getDimSize(0), oSize, c * kSize},
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
    auto outTType =
        weightFirst
            ? flatOutType
            : RankedTensorType::get({outType.getDimSize(0), oSize, f}, et);
    SmallVector<Value> outDyn = dynamicSizes(b, loc, outTType, batch);
    Value init =
        initAccumulator(b, loc, bias, outTType, d(weightFirst ? 1 : 2), outDyn);
    SmallVector<ReassociationIndices> outRe = {{0}, {1}, {}};
    for (int64_t i = 2; i < 2 + ns; ++i)
      outRe[2].push_back(i);
    if (weightFirst) {
      // Loops n, f, o, r: a batch_matmul with the weight broadcast.
      Value out =
          buildContraction(b, loc, flatW, flatCol, init,
                           {AffineMap::get(4, 0, {d(1), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
                           wk, xk);
      return tensor::ExpandShapeOp::create(b, loc, outType, out, outRe);
    }
    // Loops n, o, f, r.
    Value outT =
        buildContraction(b, loc, flatCol, flatW, init,
                         {AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                          AffineMap::get(4, 0, {d(2), d(3)}, ctx),
                          AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
                         xk, wk);
    Value out = linalg::TransposeOp::create(
                    b, loc, outT,
                    emptyTensor(b, loc, flatOutType,
                                dynamicSizes(b, loc, flatOutType, batch)),
                    ArrayRef<int64_t>{0, 2, 1})
                    .getResult()[0];
    return tensor::ExpandShapeOp::create(b, loc, outType, out, outRe);
  }
  /// Whether `op` is a pointwise f32 convolution of one image: every kernel
  /// extent and stride 1, a constant weight, a static batch of 1, and a
  /// spatial size that is a multiple of 32, so that every target's f32
  /// microkernel panel (8, 16 or 32 columns) divides it and the generated
  /// loops get full vectors. Smaller images keep the im2col form: measured
  /// on MobileNetV2's 14x14 and 7x7 layers, the zero-padded panels of the
  /// matrix form cost more than the transposes it saves.
  static bool isPointwise(ConvOp op, RankedTensorType outType, ElemKind xk,
                          ElemKind wk) {
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    if (!outType.hasStaticShape())
      return false;
    int64_t spatial = 1;
    for (int64_t d : outType.getShape().drop_front(2))
      spatial *= d;
    return op.getGroup() == 1 && xk.isFloat() && wk.isFloat() &&
           spatial % 32 == 0 && xk.type.isF32() && wk.type.isF32() &&
           outType.getDimSize(0) == 1 &&
           op.getWeight().getDefiningOp<arith::ConstantOp>() &&
           llvm::all_of(wType.getShape().drop_front(2),
                        [](int64_t k) { return k == 1; }) &&
           llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
  }

  /// A pointwise convolution of one image is a matrix product on the NCHW
  /// tensors as they are, p the flattened spatial index:
  ///   out[f, p] = bias[f] + sum_c W[f, c] * X[c, p]
  /// a linalg.matmul with the weight on the left: no im2col copy, no
  /// transposes. qcc-data-tiling packs X for the f32 microkernel.
  static Value lowerPointwise(OpBuilder &b, Location loc, Value input,
                              Value weight, Value bias,
                              RankedTensorType outType) {
    MLIRContext *ctx = b.getContext();
    Type et = outType.getElementType();
    int64_t rank = outType.getRank();
    int64_t c = cast<RankedTensorType>(input.getType()).getDimSize(1),
            f = outType.getDimSize(1), p = 1;
    SmallVector<ReassociationIndices> re = {{0, 1}, {}}, wRe = {{0}, {}};
    for (int64_t i = 2; i < rank; ++i) {
      p *= outType.getDimSize(i);
      re[1].push_back(i);
    }
    for (int64_t i = 1; i < rank; ++i)
      wRe[1].push_back(i);
    Value x = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({c, p}, et), input, re);
    Value w = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({f, c}, et), weight, wRe);
    auto matType = RankedTensorType::get({f, p}, et);
    Value init =
        initAccumulator(b, loc, bias, matType, getAffineDimExpr(0, ctx), {});
    Value out = linalg::MatmulOp::create(b, loc, TypeRange{matType},
                                         ValueRange{w, x}, ValueRange{init})
                    .getResult(0);
    return tensor::ExpandShapeOp::create(b, loc, outType, out, re);
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
    if (isPointwise(op, outType, xk, wk)) {
      rewriter.replaceOp(op, lowerPointwise(rewriter, loc, input,
                                            adaptor.getWeight(),
                                            adaptor.getBias(), outType));
      return success();
    }
    // Integer convolutions take this path only without zero points: a
    // subtraction in the body would keep the contraction from being tiled
    // and vectorized as one (qcc-fold-qdq removes constant zero points).
    if (group == 1 && ((xk.isFloat() && wk.isFloat()) ||
                       (!xk.isFloat() && !wk.isFloat() && !xZp && !wZp))) {
      rewriter.replaceOp(
          op, lowerAsIm2colMatmul(rewriter, loc, op, input, adaptor.getWeight(),
                                  adaptor.getBias(), outType, xk, wk,
                                  /*weightFirst=*/!packableWeight(op, xk, wk)));
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
    Value init = initAccumulator(rewriter, loc, adaptor.getBias(), gType,
                                 d(1) * fg + d(2), dyn);
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}};
    for (int64_t i = 0; i < ns; ++i)
      reassoc.push_back({3 + i});
    // 2-D grouped (and depthwise) convolutions without zero points whose
    // operands sign-extend (or are floats): linalg.conv_2d_ngchw_gfchw on
    // the input viewed as [N, G, C/G, H, W] and the weights as
    // [G, F/G, C/G, KH, KW]. Its loops are those above, in the same order;
    // depthwise_conv_2d_nchw_chw would iterate the channels innermost.
    if (ns == 2 && !xZp && !wZp &&
        namedCast(xk, wk, accType) == linalg::TypeFn::cast_signed) {
      auto inType = cast<RankedTensorType>(input.getType());
      Value gInput = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({inType.getDimSize(0), group, cg,
                                 inType.getDimSize(2), inType.getDimSize(3)},
                                inType.getElementType()),
          input, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value gWeight = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(
              {group, fg, cg, wType.getDimSize(2), wType.getDimSize(3)},
              wType.getElementType()),
          adaptor.getWeight(),
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value conv =
          linalg::Conv2DNgchwGfchwOp::create(
              rewriter, loc, TypeRange{gType}, ValueRange{gInput, gWeight},
              ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
              rewriter.getI64TensorAttr(op.getDilations()))
              .getResult(0);
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, conv,
                                                           reassoc);
      return success();
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
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, outType, generic.getResult(0), reassoc);
    return success();
  }
};

} // namespace

void lowering::populateConvolutionPatterns(const TypeConverter &tc,
                                           RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(tc, patterns.getContext());
}
