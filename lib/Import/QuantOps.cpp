//===- QuantOps.cpp - ONNX quantization operators to qcc ------------------===//
//
// QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear map 1:1 onto qcc
// ops with ONNX semantics. The integer contractions (MatMulInteger,
// ConvInteger) keep integer operands and accumulate in i32; the QLinear*
// ops become the integer contraction followed by a float rescale and a
// QuantizeLinear, which is how the ONNX reference defines them.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

/// The zero point input `i`, or a zero scalar of `elemType` when absent.
static Value zeroPointOrDefault(NodeContext &ctx, unsigned i, Type elemType) {
  if (ctx.hasInput(i))
    return ctx.input(i);
  return ctx.scalar(elemType, 0);
}

/// Axis of a per-axis scale of `scaleType` against an input of rank `rank`;
/// per-tensor parameters get axis 0 (unused).
static FailureOr<int64_t> quantAxis(NodeContext &ctx, RankedTensorType scale,
                                    int64_t rank) {
  if (scale.getNumElements() == 1 && scale.getRank() <= 1)
    return 0;
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 1), rank);
  if (axis < 0 || axis >= rank)
    return ctx.emitError() << "axis out of range", failure();
  if (scale.getRank() != 1)
    return ctx.emitError() << "per-axis scale must be 1-D", failure();
  return axis;
}

static LogicalResult importQuantizeLinear(NodeContext &ctx) {
  auto x = ctx.inputType(0);
  Type storage = ctx.hasInput(2)
                     ? ctx.inputType(2).getElementType()
                     : IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  FailureOr<int64_t> axis = quantAxis(ctx, ctx.inputType(1), x.getRank());
  if (failed(axis))
    return failure();
  Value zp = zeroPointOrDefault(ctx, 2, storage);
  ctx.setResult(0, ctx.create<QuantizeLinearOp>(
                       x.clone(storage), ctx.input(0), ctx.input(1), zp,
                       ctx.builder().getI64IntegerAttr(*axis)));
  return success();
}

static LogicalResult importDequantizeLinear(NodeContext &ctx) {
  auto x = ctx.inputType(0);
  Type floatType = ctx.inputType(1).getElementType();
  FailureOr<int64_t> axis = quantAxis(ctx, ctx.inputType(1), x.getRank());
  if (failed(axis))
    return failure();
  Value zp = zeroPointOrDefault(ctx, 2, x.getElementType());
  ctx.setResult(0, ctx.create<DequantizeLinearOp>(
                       x.clone(floatType), ctx.input(0), ctx.input(1), zp,
                       ctx.builder().getI64IntegerAttr(*axis)));
  return success();
}

static LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  auto x = ctx.inputType(0);
  auto u8 = IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  auto op = ctx.create<DynamicQuantizeLinearOp>(
      x.clone(u8), RankedTensorType::get({}, ctx.builder().getF32Type()),
      RankedTensorType::get({}, u8), ctx.input(0));
  ctx.setResults(op->getResults());
  return success();
}

static LogicalResult importMatMulInteger(NodeContext &ctx) {
  auto a = ctx.inputType(0), b = ctx.inputType(1);
  FailureOr<RankedTensorType> outType = ctx.outputType(0);
  if (failed(outType))
    return failure();
  Value aZp = zeroPointOrDefault(ctx, 2, a.getElementType());
  Value bZp = zeroPointOrDefault(ctx, 3, b.getElementType());
  ctx.setResult(0, ctx.create<MatMulIntegerOp>(*outType, ctx.input(0),
                                               ctx.input(1), aZp, bZp));
  return success();
}

/// Zero points of an integer convolution: constant scalars become the
/// qcc.conv zero-point attributes (the fast form); runtime or per-channel
/// zero points are subtracted in i32 before an ordinary i32 convolution
/// (padding with 0 after the subtraction equals padding with the zero point).
struct ConvOperands {
  Value input, weight;
  IntegerAttr inputZp, weightZp;
};

static std::optional<int64_t> constantScalarZeroPoint(NodeContext &ctx,
                                                      unsigned i) {
  if (!ctx.hasInput(i))
    return 0;
  std::optional<DenseElementsAttr> attr = ctx.constantInput(i);
  if (!attr || !isa<IntegerType>(attr->getElementType()))
    return std::nullopt;
  SmallVector<int64_t> v;
  bool isUnsigned = attr->getElementType().isUnsignedInteger();
  for (const APInt &a : attr->getValues<APInt>())
    v.push_back(isUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue());
  if (v.empty() || llvm::any_of(v, [&](int64_t z) { return z != v[0]; }))
    return std::nullopt;
  return v[0];
}

/// `x - zp` in i32, with `zp` broadcast along dim `axis` when 1-D.
static Value subtractZeroPointI32(NodeContext &ctx, Value x, Value zp,
                                  int64_t axis) {
  auto type = cast<RankedTensorType>(x.getType());
  auto i32 = ctx.builder().getI32Type();
  Value xi = ctx.create<CastOp>(type.clone(i32), x);
  if (!zp)
    return xi;
  auto zType = cast<RankedTensorType>(zp.getType());
  Value zi = ctx.create<CastOp>(zType.clone(i32), zp);
  if (zType.getNumElements() == 1) {
    zi = createReshape(ctx, zi, {});
  } else {
    SmallVector<int64_t> shape(type.getRank() - axis, 1);
    shape[0] = zType.getNumElements();
    zi = createReshape(ctx, zi, shape);
  }
  return ctx.create<SubOp>(type.clone(i32), xi, zi);
}

static ConvOperands convOperands(NodeContext &ctx, unsigned x, unsigned xZp,
                                 unsigned w, unsigned wZp) {
  std::optional<int64_t> xz = constantScalarZeroPoint(ctx, xZp);
  std::optional<int64_t> wz = constantScalarZeroPoint(ctx, wZp);
  OpBuilder &b = ctx.builder();
  if (xz && wz)
    return {ctx.input(x), ctx.input(w), b.getI64IntegerAttr(*xz),
            b.getI64IntegerAttr(*wz)};
  return {subtractZeroPointI32(ctx, ctx.input(x), ctx.input(xZp), 1),
          subtractZeroPointI32(ctx, ctx.input(w), ctx.input(wZp), 0),
          IntegerAttr(), IntegerAttr()};
}

static LogicalResult importConvInteger(NodeContext &ctx) {
  ConvOperands ops = convOperands(ctx, 0, 2, 1, 3);
  FailureOr<Value> conv =
      buildConv(ctx, ops.input, ops.weight, Value(),
                ctx.builder().getI32Type(), ops.inputZp, ops.weightZp);
  if (failed(conv))
    return failure();
  ctx.setResult(0, *conv);
  return success();
}

/// Rescales an i32 accumulator by `scaleProduct` (float, broadcastable) and
/// quantizes it with the output scale and zero point.
static Value requantizeAccumulator(NodeContext &ctx, Value acc,
                                   Value scaleProduct, Value yScale,
                                   Value yZeroPoint, int64_t axis) {
  auto accType = cast<RankedTensorType>(acc.getType());
  Type f32 = ctx.builder().getF32Type();
  auto floatType = accType.clone(f32);
  Value accF = ctx.create<CastOp>(floatType, acc);
  Value real = broadcastBinary<MulOp>(ctx, accF, scaleProduct);
  Type storage = cast<RankedTensorType>(yZeroPoint.getType()).getElementType();
  return ctx.create<QuantizeLinearOp>(accType.clone(storage), real, yScale,
                                      yZeroPoint,
                                      ctx.builder().getI64IntegerAttr(axis));
}

/// Multiplies two scale tensors (scalars or 1-D) into one broadcastable
/// against an output where the per-channel axis is `axis` of rank `rank`.
static Value combineScales(NodeContext &ctx, Value a, Value b, int64_t axis,
                           int64_t rank) {
  auto shapeFor = [&](Value s) {
    auto t = cast<RankedTensorType>(s.getType());
    if (t.getNumElements() == 1)
      return createReshape(ctx, s, {});
    SmallVector<int64_t> shape(rank - axis, 1);
    shape[0] = t.getNumElements();
    return createReshape(ctx, s, shape);
  };
  return broadcastBinary<MulOp>(ctx, shapeFor(a), shapeFor(b));
}

/// A scalar or 1-D quantization parameter of a 2-D+ matmul operand, shaped
/// to broadcast along `dimFromEnd` (1: rows, 0: columns) of the result.
static Value matmulParam(NodeContext &ctx, Value p, int64_t dimFromEnd) {
  auto t = cast<RankedTensorType>(p.getType());
  if (t.getNumElements() == 1)
    return createReshape(ctx, p, {});
  SmallVector<int64_t> shape = {t.getNumElements()};
  shape.append(dimFromEnd, 1);
  return createReshape(ctx, p, shape);
}

static LogicalResult importQLinearMatMul(NodeContext &ctx) {
  // a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp. Scales and zero
  // points are per tensor, per row of A and per column of B.
  FailureOr<RankedTensorType> outType = ctx.outputType(0);
  if (failed(outType))
    return failure();
  if (ctx.inputType(0).getRank() < 2 || ctx.inputType(3).getRank() < 2)
    return ctx.unsupported("1-D operands");
  auto accType = outType->clone(ctx.builder().getI32Type());
  auto vectorZp = [&](unsigned i) {
    Value zp = ctx.input(i);
    return cast<RankedTensorType>(zp.getType()).getNumElements() == 1
               ? createReshape(ctx, zp, {})
               : zp;
  };
  Value acc = ctx.create<MatMulIntegerOp>(accType, ctx.input(0), ctx.input(3),
                                          vectorZp(2), vectorZp(5));
  Value scale = broadcastBinary<MulOp>(ctx, matmulParam(ctx, ctx.input(1), 1),
                                       matmulParam(ctx, ctx.input(4), 0));
  if (!scale)
    return failure();
  ctx.setResult(0, requantizeAccumulator(ctx, acc, scale, ctx.input(6),
                                         ctx.input(7), 0));
  return success();
}

static LogicalResult importQLinearConv(NodeContext &ctx) {
  // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B
  ConvOperands ops = convOperands(ctx, 0, 2, 3, 5);
  FailureOr<Value> acc =
      buildConv(ctx, ops.input, ops.weight, ctx.input(8),
                ctx.builder().getI32Type(), ops.inputZp, ops.weightZp);
  if (failed(acc))
    return failure();
  int64_t rank = cast<RankedTensorType>(acc->getType()).getRank();
  Value scale = combineScales(ctx, ctx.input(1), ctx.input(4), 1, rank);
  ctx.setResult(0, requantizeAccumulator(ctx, *acc, scale, ctx.input(6),
                                         ctx.input(7), 1));
  return success();
}

void importer::registerQuantOps(OpImporterTable &t) {
  t["QuantizeLinear"] = importQuantizeLinear;
  t["DequantizeLinear"] = importDequantizeLinear;
  t["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  t["MatMulInteger"] = importMatMulInteger;
  t["ConvInteger"] = importConvInteger;
  t["QLinearMatMul"] = importQLinearMatMul;
  t["QLinearConv"] = importQLinearConv;
}
