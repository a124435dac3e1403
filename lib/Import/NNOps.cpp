//===- NNOps.cpp - ONNX contractions, conv, pooling, norms, reductions ----===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

/// numpy matmul result shape; failure if the operands do not contract.
static FailureOr<SmallVector<int64_t>> matmulShape(ArrayRef<int64_t> a,
                                                   ArrayRef<int64_t> b) {
  if (a.empty() || b.empty())
    return failure();
  SmallVector<int64_t> lhs(a), rhs(b);
  bool squeezeLhs = lhs.size() == 1, squeezeRhs = rhs.size() == 1;
  if (squeezeLhs)
    lhs.insert(lhs.begin(), 1);
  if (squeezeRhs)
    rhs.push_back(1);
  if (lhs.back() != rhs[rhs.size() - 2])
    return failure();
  FailureOr<SmallVector<int64_t>> batch = broadcastShapes(
      ArrayRef<int64_t>(lhs).drop_back(2), ArrayRef<int64_t>(rhs).drop_back(2));
  if (failed(batch))
    return failure();
  SmallVector<int64_t> out(*batch);
  if (!squeezeLhs)
    out.push_back(lhs[lhs.size() - 2]);
  if (!squeezeRhs)
    out.push_back(rhs.back());
  return out;
}

static LogicalResult importMatMul(NodeContext &ctx) {
  auto a = ctx.inputType(0), b = ctx.inputType(1);
  FailureOr<SmallVector<int64_t>> shape =
      matmulShape(a.getShape(), b.getShape());
  if (failed(shape))
    return ctx.emitError() << "operand shapes " << a << " and " << b
                           << " do not contract";
  ctx.setResult(0, ctx.create<MatMulOp>(a.clone(*shape), ctx.input(0),
                                        ctx.input(1)));
  return success();
}

static LogicalResult importGemm(NodeContext &ctx) {
  auto a = ctx.inputType(0), b = ctx.inputType(1);
  bool transA = ctx.attrInt("transA", 0), transB = ctx.attrInt("transB", 0);
  if (a.getRank() != 2 || b.getRank() != 2)
    return ctx.emitError() << "A and B must be 2-D";
  int64_t m = transA ? a.getDimSize(1) : a.getDimSize(0);
  int64_t n = transB ? b.getDimSize(0) : b.getDimSize(1);
  auto type = a.clone({m, n});
  OpBuilder &bld = ctx.builder();
  ctx.setResult(0, ctx.create<GemmOp>(
                       type, ctx.input(0), ctx.input(1), ctx.input(2),
                       bld.getF64FloatAttr(ctx.attrFloat("alpha", 1.0)),
                       bld.getF64FloatAttr(ctx.attrFloat("beta", 1.0)),
                       bld.getBoolAttr(transA), bld.getBoolAttr(transB)));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Resolved window parameters for Conv and the pooling ops.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations, outSpatial;
};

/// Reads kernel/strides/pads/dilations/auto_pad with ONNX defaults and
/// computes the output spatial sizes (floor, or ceil with `ceilMode`).
static FailureOr<Window> resolveWindow(NodeContext &ctx,
                                       ArrayRef<int64_t> inSpatial,
                                       ArrayRef<int64_t> kernel,
                                       bool ceilMode) {
  size_t n = inSpatial.size();
  if (llvm::any_of(inSpatial, ShapedType::isDynamic))
    return ctx.emitError() << "dynamic spatial dimensions are not supported; "
                              "fix them with --input-shape",
           failure();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = ctx.attrInts("strides");
  w.dilations = ctx.attrInts("dilations");
  w.pads = ctx.attrInts("pads");
  if (w.strides.empty())
    w.strides.assign(n, 1);
  if (w.dilations.empty())
    w.dilations.assign(n, 1);
  if (w.pads.empty())
    w.pads.assign(2 * n, 0);
  if (w.kernel.size() != n || w.strides.size() != n ||
      w.dilations.size() != n || w.pads.size() != 2 * n)
    return ctx.emitError() << "kernel/strides/dilations/pads do not match "
                           << n << " spatial dimensions",
           failure();
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  for (size_t i = 0; i < n; ++i) {
    int64_t effK = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inSpatial[i] + w.strides[i] - 1) / w.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.strides[i] + effK - inSpatial[i]);
      int64_t small = total / 2, big = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : big;
      w.pads[i + n] = autoPad == "SAME_UPPER" ? big : small;
    } else if (autoPad == "VALID") {
      w.pads[i] = w.pads[i + n] = 0;
    } else if (autoPad != "NOTSET") {
      return ctx.emitError() << "unknown auto_pad '" << autoPad << "'",
             failure();
    }
    int64_t span = inSpatial[i] + w.pads[i] + w.pads[i + n] - effK;
    if (span < 0)
      return ctx.emitError() << "kernel larger than the padded input",
             failure();
    int64_t out = (ceilMode ? (span + w.strides[i] - 1) / w.strides[i]
                            : span / w.strides[i]) +
                  1;
    // With ceil_mode the last window must start inside the input or the
    // begin padding (ONNX/PyTorch rule).
    if (ceilMode && (out - 1) * w.strides[i] >= inSpatial[i] + w.pads[i])
      --out;
    // Windows that run past the end padding read extra end padding.
    int64_t needed = (out - 1) * w.strides[i] + effK;
    int64_t have = inSpatial[i] + w.pads[i] + w.pads[i + n];
    if (needed > have)
      w.pads[i + n] += needed - have;
    w.outSpatial.push_back(out);
  }
  return w;
}

FailureOr<Value> importer::buildConv(NodeContext &ctx, Value input,
                                     Value weight, Value bias, Type resultElem,
                                     IntegerAttr inputZeroPoint,
                                     IntegerAttr weightZeroPoint) {
  auto x = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  if (x.getRank() < 3 || wType.getRank() != x.getRank())
    return ctx.emitError() << "expected N-d input and weight of equal rank",
           failure();
  int64_t group = ctx.attrInt("group", 1);
  SmallVector<int64_t> kernel = ctx.attrInts("kernel_shape");
  if (kernel.empty())
    kernel.assign(wType.getShape().begin() + 2, wType.getShape().end());
  FailureOr<Window> w =
      resolveWindow(ctx, x.getShape().drop_front(2), kernel, false);
  if (failed(w))
    return failure();
  if (group <= 0 || x.getDimSize(1) != wType.getDimSize(1) * group ||
      wType.getDimSize(0) % group != 0)
    return ctx.emitError() << "input channels " << x.getDimSize(1)
                           << " do not match weight channels "
                           << wType.getDimSize(1) << " x group " << group,
           failure();
  SmallVector<int64_t> outShape = {x.getDimSize(0), wType.getDimSize(0)};
  outShape.append(w->outSpatial);
  OpBuilder &b = ctx.builder();
  auto outType = RankedTensorType::get(outShape, resultElem);
  return ctx
      .create<ConvOp>(outType, input, weight, bias,
                      b.getDenseI64ArrayAttr(w->strides),
                      b.getDenseI64ArrayAttr(w->pads),
                      b.getDenseI64ArrayAttr(w->dilations),
                      b.getI64IntegerAttr(group), inputZeroPoint,
                      weightZeroPoint)
      .getResult();
}

static LogicalResult importConv(NodeContext &ctx) {
  FailureOr<Value> conv =
      buildConv(ctx, ctx.input(0), ctx.input(1), ctx.input(2),
                ctx.inputType(0).getElementType(), {}, {});
  if (failed(conv))
    return failure();
  ctx.setResult(0, *conv);
  return success();
}

static LogicalResult importPool(NodeContext &ctx, PoolKind kind) {
  auto x = ctx.inputType(0);
  if (x.getRank() < 3)
    return ctx.emitError() << "expected an N-d input in NC... layout";
  if (ctx.hasOutput(1))
    return ctx.unsupported("the Indices output of MaxPool");
  if (ctx.attrInt("storage_order", 0) != 0)
    return ctx.unsupported("storage_order=1");
  SmallVector<int64_t> kernel = ctx.attrInts("kernel_shape");
  FailureOr<Window> w = resolveWindow(ctx, x.getShape().drop_front(2), kernel,
                                      ctx.attrInt("ceil_mode", 0) != 0);
  if (failed(w))
    return failure();
  SmallVector<int64_t> outShape = {x.getDimSize(0), x.getDimSize(1)};
  outShape.append(w->outSpatial);
  OpBuilder &b = ctx.builder();
  auto kindAttr = b.getAttr<PoolKindAttr>(kind);
  ctx.setResult(0, ctx.create<PoolOp>(
                       x.clone(outShape), ctx.input(0), kindAttr,
                       b.getDenseI64ArrayAttr(w->kernel),
                       b.getDenseI64ArrayAttr(w->strides),
                       b.getDenseI64ArrayAttr(w->pads),
                       b.getDenseI64ArrayAttr(w->dilations),
                       b.getBoolAttr(ctx.attrInt("count_include_pad", 0))));
  return success();
}

static LogicalResult importMaxPool(NodeContext &ctx) {
  return importPool(ctx, PoolKind::Max);
}
static LogicalResult importAveragePool(NodeContext &ctx) {
  return importPool(ctx, PoolKind::Avg);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Builds reduce op `OpTy` of `x` over `axes` (normalised, sorted).
template <typename OpTy>
static Value reduce(NodeContext &ctx, Value x, ArrayRef<int64_t> axes,
                    bool keepdims) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  return ctx.create<OpTy>(type.clone(shape), x,
                          ctx.builder().getDenseI64ArrayAttr(axes),
                          ctx.builder().getBoolAttr(keepdims));
}

/// Reads the reduction axes (attribute, or second input for ReduceSum from
/// opset 13 and for all reductions from opset 18). Returns std::nullopt when
/// the reduction is a no-op (empty axes with noop_with_empty_axes).
static FailureOr<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  SmallVector<int64_t> axes;
  bool axesAsInput = ctx.opset() >= 18 ||
                     (ctx.opType() == "ReduceSum" && ctx.opset() >= 13);
  if (axesAsInput) {
    if (ctx.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> in = ctx.constantInts(1, "axes");
      if (failed(in))
        return failure();
      axes = *in;
    }
  } else {
    axes = ctx.attrInts("axes");
  }
  if (axes.empty()) {
    if (ctx.attrInt("noop_with_empty_axes", 0))
      return std::optional<SmallVector<int64_t>>();
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &a : axes) {
    a = normalizeAxis(a, rank);
    if (a < 0 || a >= rank)
      return ctx.emitError() << "axis out of range", failure();
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return std::optional<SmallVector<int64_t>>(axes);
}

template <typename OpTy>
static LogicalResult importReduce(NodeContext &ctx) {
  auto axes = reductionAxes(ctx);
  if (failed(axes))
    return failure();
  Value x = ctx.input(0);
  if (!*axes) {
    ctx.setResult(0, x);
    return success();
  }
  bool keep = ctx.attrInt("keepdims", 1);
  StringRef op = ctx.opType();
  auto type = ctx.inputType(0);
  if (op == "ReduceL1")
    x = ctx.create<AbsOp>(type, x);
  else if (op == "ReduceL2" || op == "ReduceSumSquare")
    x = ctx.create<MulOp>(type, x, x);
  Value maxForLse;
  if (op == "ReduceLogSumExp") {
    // log(sum(exp(x - m))) + m, with m the max, for stability.
    maxForLse = reduce<ReduceMaxOp>(ctx, x, **axes, /*keepdims=*/true);
    x = ctx.create<ExpOp>(type, ctx.create<SubOp>(type, x, maxForLse));
  }
  Value r = reduce<OpTy>(ctx, x, **axes, keep);
  auto rType = cast<RankedTensorType>(r.getType());
  if (op == "ReduceL2")
    r = ctx.create<SqrtOp>(rType, r);
  else if (op == "ReduceLogSum")
    r = ctx.create<LogOp>(rType, r);
  else if (op == "ReduceLogSumExp")
    r = ctx.create<AddOp>(rType, ctx.create<LogOp>(rType, r),
                          createReshape(ctx, maxForLse, rType.getShape()));
  ctx.setResult(0, r);
  return success();
}

static LogicalResult importArgExtremum(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), type.getRank());
  if (axis < 0 || axis >= type.getRank())
    return ctx.emitError() << "axis out of range";
  bool keep = ctx.attrInt("keepdims", 1);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != axis)
      shape.push_back(type.getDimSize(d));
    else if (keep)
      shape.push_back(1);
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<ArgExtremumOp>(
                       RankedTensorType::get(shape, b.getI64Type()),
                       ctx.input(0), b.getI64IntegerAttr(axis),
                       b.getBoolAttr(ctx.opType() == "ArgMax"),
                       b.getBoolAttr(keep),
                       b.getBoolAttr(ctx.attrInt("select_last_index", 0))));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation and softmax (decomposed into primitive qcc ops)
//===----------------------------------------------------------------------===//

/// Reshapes a per-channel [C] parameter to [C, 1, ..., 1] for broadcasting
/// against an NC... tensor of rank `rank`.
static Value channelParam(NodeContext &ctx, Value p, int64_t rank) {
  auto type = cast<RankedTensorType>(p.getType());
  SmallVector<int64_t> shape = {type.getNumElements()};
  shape.append(rank - 2, 1);
  return createReshape(ctx, p, shape);
}

static LogicalResult importBatchNormTraining(NodeContext &ctx);

static LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.attrInt("training_mode", 0) || ctx.hasOutput(1))
    return importBatchNormTraining(ctx);
  auto type = ctx.inputType(0);
  if (type.getRank() < 2)
    return ctx.emitError() << "input must have a channel dimension";
  int64_t rank = type.getRank();
  Type elem = type.getElementType();
  double eps = ctx.attrFloat("epsilon", 1e-5);
  Value scale = channelParam(ctx, ctx.input(1), rank);
  Value bias = channelParam(ctx, ctx.input(2), rank);
  Value mean = channelParam(ctx, ctx.input(3), rank);
  Value var = channelParam(ctx, ctx.input(4), rank);
  auto pType = cast<RankedTensorType>(var.getType());
  // y = (x - mean) * (scale / sqrt(var + eps)) + bias
  Value invStd = ctx.create<DivOp>(
      pType, scale,
      ctx.create<SqrtOp>(pType,
                         ctx.create<AddOp>(pType, var, ctx.scalar(elem, eps))));
  Value centered = ctx.create<SubOp>(type, ctx.input(0), mean);
  Value y = ctx.create<AddOp>(type, ctx.create<MulOp>(type, centered, invStd),
                              bias);
  ctx.setResult(0, y);
  return success();
}

/// LayerNormalization over the trailing axes from `axis`; optional Mean and
/// InvStdDev outputs.
static LogicalResult importLayerNorm(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", -1), rank);
  if (axis < 0 || axis >= rank)
    return ctx.emitError() << "axis out of range";
  if (ctx.attrInt("stash_type", 1) != 1)
    return ctx.unsupported("stash_type other than float");
  Type elem = type.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  Value x = ctx.input(0);
  Value mean = reduce<ReduceMeanOp>(ctx, x, axes, true);
  Value d = ctx.create<SubOp>(type, x, mean);
  Value var = reduce<ReduceMeanOp>(ctx, ctx.create<MulOp>(type, d, d), axes,
                                   true);
  auto sType = cast<RankedTensorType>(var.getType());
  Value invStd = ctx.create<ReciprocalOp>(
      sType,
      ctx.create<SqrtOp>(
          sType, ctx.create<AddOp>(
                     sType, var,
                     ctx.scalar(elem, ctx.attrFloat("epsilon", 1e-5)))));
  Value y = ctx.create<MulOp>(type, d, invStd);
  y = ctx.create<MulOp>(type, y, ctx.input(1));
  if (ctx.hasInput(2))
    y = ctx.create<AddOp>(type, y, ctx.input(2));
  ctx.setResult(0, y);
  ctx.setResult(1, mean);
  ctx.setResult(2, invStd);
  return success();
}

static LogicalResult importInstanceNorm(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 3)
    return ctx.emitError() << "expected an N-d input in NC... layout";
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Value x = ctx.input(0);
  Value mean = reduce<ReduceMeanOp>(ctx, x, axes, true);
  Value d = ctx.create<SubOp>(type, x, mean);
  Value var =
      reduce<ReduceMeanOp>(ctx, ctx.create<MulOp>(type, d, d), axes, true);
  auto sType = cast<RankedTensorType>(var.getType());
  Value std = ctx.create<SqrtOp>(
      sType,
      ctx.create<AddOp>(sType, var,
                        ctx.scalar(type.getElementType(),
                                   ctx.attrFloat("epsilon", 1e-5))));
  Value y = ctx.create<DivOp>(type, d, std);
  y = ctx.create<MulOp>(type, y, channelParam(ctx, ctx.input(1), rank));
  y = ctx.create<AddOp>(type, y, channelParam(ctx, ctx.input(2), rank));
  ctx.setResult(0, y);
  return success();
}

/// Softmax / LogSoftmax. From opset 13 they normalise along `axis`; before,
/// the input is coerced to 2-D [prod(d < axis), prod(d >= axis)].
static LogicalResult importSoftmax(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  bool legacy = ctx.opset() < 13;
  int64_t axis = normalizeAxis(ctx.attrInt("axis", legacy ? 1 : -1), rank);
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return ctx.emitError() << "axis out of range";
  Value x = ctx.input(0);
  SmallVector<int64_t> axes;
  if (legacy && !type.hasStaticShape())
    return ctx.emitError() << "opset < 13 Softmax coerces its input to 2-D, "
                              "which needs static shapes; use --input-shape";
  if (legacy) {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? outer : inner) *= type.getDimSize(d);
    x = createReshape(ctx, x, {outer, inner});
    axes = {1};
  } else {
    axes = {axis};
  }
  auto xType = cast<RankedTensorType>(x.getType());
  Value m = reduce<ReduceMaxOp>(ctx, x, axes, true);
  Value shifted = ctx.create<SubOp>(xType, x, m);
  Value e = ctx.create<ExpOp>(xType, shifted);
  Value s = reduce<ReduceSumOp>(ctx, e, axes, true);
  Value y;
  if (ctx.opType() == "LogSoftmax")
    y = ctx.create<SubOp>(xType, shifted,
                          ctx.create<LogOp>(s.getType(), s));
  else
    y = ctx.create<DivOp>(xType, e, s);
  ctx.setResult(0, createReshape(ctx, y, type.getShape()));
  return success();
}

/// GlobalAveragePool / GlobalMaxPool: a keepdims reduction over the
/// spatial dimensions.
template <typename OpTy>
static LogicalResult importGlobalPool(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < type.getRank(); ++d)
    axes.push_back(d);
  ctx.setResult(0, reduce<OpTy>(ctx, ctx.input(0), axes, true));
  return success();
}

/// Inserts `stride - 1` zeros between the elements of spatial dim `dim`
/// (reshape to [..., n, 1, ...], pad the new axis to `stride`, merge, drop
/// the trailing zeros) using only reshape, pad and slice.
static Value interleaveZeros(NodeContext &ctx, Value x, int64_t dim,
                             int64_t stride) {
  if (stride == 1)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank(), n = type.getDimSize(dim);
  SmallVector<int64_t> split(type.getShape());
  split.insert(split.begin() + dim + 1, 1);
  Value v = createReshape(ctx, x, split);
  SmallVector<int64_t> pads(2 * (rank + 1), 0);
  pads[(rank + 1) + dim + 1] = stride - 1;
  SmallVector<int64_t> padded(split);
  padded[dim + 1] = stride;
  v = ctx.create<PadOp>(type.clone(padded), v,
                        ctx.scalar(type.getElementType(), 0),
                        ctx.builder().getDenseI64ArrayAttr(pads),
                        ctx.builder().getAttr<PadModeAttr>(PadMode::Constant));
  SmallVector<int64_t> merged(type.getShape());
  merged[dim] = n * stride;
  v = createReshape(ctx, v, merged);
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1), kept(merged);
  kept[dim] = (n - 1) * stride + 1;
  return ctx.create<SliceOp>(type.clone(kept), v,
                             ctx.builder().getDenseI64ArrayAttr(starts),
                             ctx.builder().getDenseI64ArrayAttr(steps));
}

/// ConvTranspose as a stride-1 convolution of the zero-interleaved input
/// with the spatially flipped, group-transposed kernel; the ONNX pads and
/// output_padding become (possibly negative) pads of that input.
static LogicalResult importConvTranspose(NodeContext &ctx) {
  auto xType = ctx.inputType(0), wType = ctx.inputType(1);
  int64_t rank = xType.getRank(), ns = rank - 2;
  if (rank < 3 || wType.getRank() != rank)
    return ctx.emitError() << "expected N-d input and weight of equal rank";
  int64_t group = ctx.attrInt("group", 1);
  int64_t cin = xType.getDimSize(1), coutPerGroup = wType.getDimSize(1);
  if (group <= 0 || wType.getDimSize(0) != cin || cin % group)
    return ctx.emitError() << "weight does not match the input channels";
  SmallVector<int64_t> kernel = ctx.attrInts("kernel_shape");
  if (kernel.empty())
    kernel.assign(wType.getShape().begin() + 2, wType.getShape().end());
  auto orDefault = [&](StringRef name, int64_t n, int64_t v) {
    SmallVector<int64_t> a = ctx.attrInts(name);
    if (a.empty())
      a.assign(n, v);
    return a;
  };
  SmallVector<int64_t> strides = orDefault("strides", ns, 1);
  SmallVector<int64_t> dilations = orDefault("dilations", ns, 1);
  SmallVector<int64_t> outPad = orDefault("output_padding", ns, 0);
  SmallVector<int64_t> pads = orDefault("pads", 2 * ns, 0);
  SmallVector<int64_t> outputShape = ctx.attrInts("output_shape");
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (outputShape.size() > (size_t)ns)
    outputShape.erase(outputShape.begin(), outputShape.end() - ns);
  for (int64_t i = 0; i < ns; ++i) {
    int64_t in = xType.getDimSize(2 + i);
    int64_t full = strides[i] * (in - 1) + outPad[i] +
                   (kernel[i] - 1) * dilations[i] + 1;
    int64_t target = -1;
    if (!outputShape.empty())
      target = outputShape[i];
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      target = in * strides[i];
    if (target >= 0) {
      // The larger half of the padding goes to the end except for
      // SAME_LOWER; a negative total (output_shape larger than the natural
      // size) extends the end with zeros.
      int64_t total = full - target;
      bool lower = autoPad == "SAME_LOWER";
      pads[i] = lower ? total - total / 2 : total / 2;
      pads[i + ns] = total - pads[i];
    } else if (autoPad == "VALID") {
      pads[i] = pads[i + ns] = 0;
    }
  }
  // Zero-interleaved input, padded by (k - 1) * d - pad on each side.
  Value x = ctx.input(0);
  for (int64_t i = 0; i < ns; ++i)
    x = interleaveZeros(ctx, x, 2 + i, strides[i]);
  auto upType = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> convPads(2 * rank, 0), paddedShape(upType.getShape());
  for (int64_t i = 0; i < ns; ++i) {
    int64_t edge = (kernel[i] - 1) * dilations[i];
    convPads[2 + i] = edge - pads[i];
    convPads[rank + 2 + i] = edge - pads[i + ns] + outPad[i];
    paddedShape[2 + i] += convPads[2 + i] + convPads[rank + 2 + i];
  }
  OpBuilder &b = ctx.builder();
  x = ctx.create<PadOp>(upType.clone(paddedShape), x,
                        ctx.scalar(xType.getElementType(), 0),
                        b.getDenseI64ArrayAttr(convPads),
                        b.getAttr<PadModeAttr>(PadMode::Constant));
  // Weight [Cin, Cout/G, k...] -> [Cout, Cin/G, k...], flipped spatially.
  int64_t cinPerGroup = cin / group;
  SmallVector<int64_t> ks(wType.getShape().begin() + 2, wType.getShape().end());
  SmallVector<int64_t> grouped = {group, cinPerGroup, coutPerGroup};
  grouped.append(ks);
  Value w = createReshape(ctx, ctx.input(1), grouped);
  SmallVector<int64_t> perm = {0, 2, 1};
  SmallVector<int64_t> swapped = {group, coutPerGroup, cinPerGroup};
  for (int64_t i = 0; i < ns; ++i) {
    perm.push_back(3 + i);
    swapped.push_back(ks[i]);
  }
  w = ctx.create<TransposeOp>(wType.clone(swapped), w,
                              b.getDenseI64ArrayAttr(perm));
  SmallVector<int64_t> convW = {group * coutPerGroup, cinPerGroup};
  convW.append(ks);
  w = createReshape(ctx, w, convW);
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1);
  for (int64_t i = 0; i < ns; ++i) {
    starts[2 + i] = ks[i] - 1;
    steps[2 + i] = -1;
  }
  w = ctx.create<SliceOp>(wType.clone(convW), w, b.getDenseI64ArrayAttr(starts),
                          b.getDenseI64ArrayAttr(steps));
  SmallVector<int64_t> outShape = {xType.getDimSize(0), group * coutPerGroup};
  for (int64_t i = 0; i < ns; ++i)
    outShape.push_back(paddedShape[2 + i] - (ks[i] - 1) * dilations[i]);
  SmallVector<int64_t> ones(ns, 1), zeros(2 * ns, 0);
  ctx.setResult(0, ctx.create<ConvOp>(
                       xType.clone(outShape), x, w, ctx.input(2),
                       b.getDenseI64ArrayAttr(ones),
                       b.getDenseI64ArrayAttr(zeros),
                       b.getDenseI64ArrayAttr(dilations),
                       b.getI64IntegerAttr(group), IntegerAttr(),
                       IntegerAttr()));
  return success();
}

/// Training-mode BatchNormalization: normalise with the batch statistics
/// and return the updated running statistics.
static LogicalResult importBatchNormTraining(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  Type elem = type.getElementType();
  double eps = ctx.attrFloat("epsilon", 1e-5);
  double momentum = ctx.attrFloat("momentum", 0.9);
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  SmallVector<int64_t> kept(type.getShape());
  for (int64_t a : axes)
    kept[a] = 1;
  OpBuilder &b = ctx.builder();
  auto keptType = type.clone(kept);
  Value x = ctx.input(0);
  Value mean = ctx.create<ReduceMeanOp>(keptType, x, b.getDenseI64ArrayAttr(axes),
                                        b.getBoolAttr(true));
  Value d = ctx.create<SubOp>(type, x, mean);
  Value var = ctx.create<ReduceMeanOp>(keptType, ctx.create<MulOp>(type, d, d),
                                       b.getDenseI64ArrayAttr(axes),
                                       b.getBoolAttr(true));
  Value invStd = ctx.create<ReciprocalOp>(
      keptType, ctx.create<SqrtOp>(
                    keptType, ctx.create<AddOp>(keptType, var,
                                                ctx.scalar(elem, eps))));
  Value y = ctx.create<MulOp>(type, d, invStd);
  y = ctx.create<MulOp>(type, y, channelParam(ctx, ctx.input(1), rank));
  y = ctx.create<AddOp>(type, y, channelParam(ctx, ctx.input(2), rank));
  ctx.setResult(0, y);
  int64_t c = type.getDimSize(1);
  auto update = [&](Value running, Value batch) {
    auto pType = cast<RankedTensorType>(running.getType());
    Value bflat = createReshape(ctx, batch, {c});
    return ctx.create<AddOp>(
        pType, ctx.create<MulOp>(pType, running, ctx.scalar(elem, momentum)),
        ctx.create<MulOp>(pType, bflat, ctx.scalar(elem, 1 - momentum)));
  };
  ctx.setResult(1, update(ctx.input(3), mean));
  ctx.setResult(2, update(ctx.input(4), var));
  return success();
}

// The importers registered with dynamicShapeImporter handle dynamic
// dimensions (convolution and pooling reject dynamic spatial ones);
// ConvTranspose, the other reductions and InstanceNormalization need static
// shapes.
void importer::registerNNOps(OpImporterTable &t) {
  t["MatMul"] = dynamicShapeImporter<MatMulOp>(importMatMul);
  t["Gemm"] = dynamicShapeImporter<GemmOp>(importGemm);
  t["Conv"] = dynamicShapeImporter<ConvOp>(importConv);
  t["ConvTranspose"] = importConvTranspose;
  t["MaxPool"] = dynamicShapeImporter<PoolOp>(importMaxPool);
  t["AveragePool"] = dynamicShapeImporter<PoolOp>(importAveragePool);
  t["GlobalAveragePool"] =
      dynamicShapeImporter<ReduceMeanOp>(importGlobalPool<ReduceMeanOp>);
  t["GlobalMaxPool"] =
      dynamicShapeImporter<ReduceMaxOp>(importGlobalPool<ReduceMaxOp>);
  t["ReduceSum"] = dynamicShapeImporter<ReduceSumOp>(importReduce<ReduceSumOp>);
  t["ReduceMean"] =
      dynamicShapeImporter<ReduceMeanOp>(importReduce<ReduceMeanOp>);
  t["ReduceMax"] = dynamicShapeImporter<ReduceMaxOp>(importReduce<ReduceMaxOp>);
  t["ReduceMin"] = dynamicShapeImporter<ReduceMinOp>(importReduce<ReduceMinOp>);
  t["ReduceProd"] =
      dynamicShapeImporter<ReduceProdOp>(importReduce<ReduceProdOp>);
  t["ReduceL1"] = importReduce<ReduceSumOp>;
  t["ReduceL2"] = importReduce<ReduceSumOp>;
  t["ReduceSumSquare"] = importReduce<ReduceSumOp>;
  t["ReduceLogSum"] = importReduce<ReduceSumOp>;
  t["ReduceLogSumExp"] = importReduce<ReduceSumOp>;
  t["ArgMax"] = dynamicShapeImporter<ArgExtremumOp>(importArgExtremum);
  t["ArgMin"] = dynamicShapeImporter<ArgExtremumOp>(importArgExtremum);
  t["BatchNormalization"] =
      dynamicShapeImporter<ReshapeOp, AddOp, SubOp, MulOp, DivOp, SqrtOp,
                           ReciprocalOp, ReduceMeanOp>(importBatchNorm);
  t["LayerNormalization"] =
      dynamicShapeImporter<ReduceMeanOp, AddOp, SubOp, MulOp, SqrtOp,
                           ReciprocalOp>(importLayerNorm);
  t["InstanceNormalization"] = importInstanceNorm;
  t["Softmax"] = dynamicShapeImporter<ReshapeOp, ReduceMaxOp, ReduceSumOp,
                                      SubOp, ExpOp, DivOp>(importSoftmax);
  t["LogSoftmax"] = dynamicShapeImporter<ReshapeOp, ReduceMaxOp, ReduceSumOp,
                                         SubOp, ExpOp, LogOp>(importSoftmax);
}
