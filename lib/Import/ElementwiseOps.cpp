//===- ElementwiseOps.cpp - ONNX elementwise ops to qcc -------------------===//

#include "ImporterImpl.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

template <typename OpTy>
static LogicalResult importUnary(NodeContext &ctx) {
  Value x = ctx.input(0);
  ctx.setResult(0, ctx.create<OpTy>(x.getType(), x));
  return success();
}

/// Unary ops with ONNX float parameters mapped onto the qcc `alpha`/`beta`.
template <typename OpTy>
static LogicalResult importParamUnary(NodeContext &ctx, double alpha,
                                      double beta) {
  Value x = ctx.input(0);
  ctx.setResult(0, ctx.create<OpTy>(x.getType(), x,
                                    ctx.builder().getF64FloatAttr(alpha),
                                    ctx.builder().getF64FloatAttr(beta)));
  return success();
}

static LogicalResult importLeakyRelu(NodeContext &ctx) {
  return importParamUnary<LeakyReluOp>(ctx, ctx.attrFloat("alpha", 0.01), 0);
}
static LogicalResult importElu(NodeContext &ctx) {
  return importParamUnary<EluOp>(ctx, ctx.attrFloat("alpha", 1.0), 0);
}
// Selu: alpha = alpha, beta = gamma.
static LogicalResult importSelu(NodeContext &ctx) {
  return importParamUnary<SeluOp>(ctx,
                                  ctx.attrFloat("alpha", 1.67326319217681884765625),
                                  ctx.attrFloat("gamma", 1.05070102214813232421875));
}
static LogicalResult importHardSigmoid(NodeContext &ctx) {
  return importParamUnary<HardSigmoidOp>(ctx, ctx.attrFloat("alpha", 0.2),
                                         ctx.attrFloat("beta", 0.5));
}
static LogicalResult importCelu(NodeContext &ctx) {
  return importParamUnary<CeluOp>(ctx, ctx.attrFloat("alpha", 1.0), 0);
}
static LogicalResult importThresholdedRelu(NodeContext &ctx) {
  return importParamUnary<ThresholdedReluOp>(ctx, ctx.attrFloat("alpha", 1.0),
                                             0);
}
// Shrink: alpha = lambd, beta = bias.
static LogicalResult importShrink(NodeContext &ctx) {
  return importParamUnary<ShrinkOp>(ctx, ctx.attrFloat("lambd", 0.5),
                                    ctx.attrFloat("bias", 0.0));
}

/// Folds integer Add/Sub/Mul/Div of import-time constants (the shape
/// arithmetic exporters emit, e.g. `size(-1) / 3` for a chunk), so that ops
/// consuming the result (Slice ends, Reshape shapes) see constants.
static bool foldIntegerArithmetic(NodeContext &ctx) {
  auto lhs = ctx.constantInput(0), rhs = ctx.constantInput(1);
  if (!lhs || !rhs || lhs->getElementType() != rhs->getElementType() ||
      !lhs->getElementType().isSignlessInteger() ||
      lhs->getElementType().getIntOrFloatBitWidth() < 32)
    return false;
  int64_t n = std::max(lhs->getNumElements(), rhs->getNumElements());
  if (n > 64 || (lhs->getNumElements() != n && lhs->getNumElements() != 1) ||
      (rhs->getNumElements() != n && rhs->getNumElements() != 1))
    return false;
  SmallVector<APInt> a(lhs->getValues<APInt>()), b(rhs->getValues<APInt>());
  StringRef op = ctx.opType();
  SmallVector<APInt> out;
  for (int64_t i = 0; i < n; ++i) {
    const APInt &x = a[a.size() == 1 ? 0 : i], &y = b[b.size() == 1 ? 0 : i];
    if (op == "Add")
      out.push_back(x + y);
    else if (op == "Sub")
      out.push_back(x - y);
    else if (op == "Mul")
      out.push_back(x * y);
    else if (op == "Div" && !y.isZero())
      out.push_back(x.sdiv(y));
    else
      return false;
  }
  auto shape = lhs->getNumElements() == n ? lhs->getType().getShape()
                                          : rhs->getType().getShape();
  auto type = RankedTensorType::get(shape, lhs->getElementType());
  ctx.setResult(0, ctx.create<arith::ConstantOp>(DenseElementsAttr::get(type, out)));
  return true;
}

template <typename OpTy>
static LogicalResult importBinary(NodeContext &ctx) {
  if (foldIntegerArithmetic(ctx))
    return success();
  Value r = broadcastBinary<OpTy>(ctx, ctx.input(0), ctx.input(1));
  if (!r)
    return failure();
  ctx.setResult(0, r);
  return success();
}

template <typename OpTy>
static LogicalResult importComparison(NodeContext &ctx) {
  Value r = broadcastBinary<OpTy>(ctx, ctx.input(0), ctx.input(1),
                                  ctx.builder().getI1Type());
  if (!r)
    return failure();
  ctx.setResult(0, r);
  return success();
}

static LogicalResult importMod(NodeContext &ctx) {
  auto lhsType = ctx.inputType(0);
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(lhsType.getShape(), ctx.inputType(1).getShape());
  if (failed(shape))
    return ctx.emitError() << "operands do not broadcast";
  bool fmod = ctx.attrInt("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(lhsType.getElementType()))
    return ctx.emitError() << "fmod=0 is invalid for floating point inputs";
  ctx.setResult(0, ctx.create<ModOp>(lhsType.clone(*shape), ctx.input(0),
                                     ctx.input(1),
                                     ctx.builder().getBoolAttr(fmod)));
  return success();
}

static LogicalResult importBitShift(NodeContext &ctx) {
  std::string dir = ctx.attrString("direction", "");
  if (dir == "LEFT")
    return importBinary<BitshiftLeftOp>(ctx);
  if (dir == "RIGHT")
    return importBinary<BitshiftRightOp>(ctx);
  return ctx.emitError() << "direction must be LEFT or RIGHT, got '" << dir
                         << "'";
}

/// Max/Min/Sum/Mean take one or more inputs, broadcast together.
template <typename OpTy>
static LogicalResult importVariadic(NodeContext &ctx) {
  Value acc = ctx.input(0);
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    acc = broadcastBinary<OpTy>(ctx, acc, ctx.input(i));
    if (!acc)
      return failure();
  }
  if (ctx.opType() == "Mean" && ctx.numInputs() > 1) {
    auto type = cast<RankedTensorType>(acc.getType());
    acc = ctx.create<DivOp>(type, acc,
                            ctx.scalar(type.getElementType(), ctx.numInputs()));
  }
  ctx.setResult(0, acc);
  return success();
}

static LogicalResult importIdentity(NodeContext &ctx) {
  ctx.setResult(0, ctx.input(0));
  return success();
}

/// Inference-mode Dropout is the identity; the optional mask is all true.
static LogicalResult importDropout(NodeContext &ctx) {
  if (ctx.hasInput(2)) {
    std::optional<DenseElementsAttr> training = ctx.constantInput(2);
    if (!training || training->getSplatValue<bool>())
      return ctx.unsupported("training mode");
  }
  Value x = ctx.input(0);
  ctx.setResult(0, x);
  if (ctx.hasOutput(1)) {
    auto type = ctx.inputType(0);
    if (!type.hasStaticShape())
      return ctx.unsupported("the mask output with dynamic dimensions");
    ctx.setResult(1, ctx.splat(type.clone(ctx.builder().getI1Type()), 1));
  }
  return success();
}

static LogicalResult importCastTo(NodeContext &ctx, Type elem) {
  Value x = ctx.input(0);
  auto type = ctx.inputType(0);
  if (type.getElementType() == elem) {
    ctx.setResult(0, x);
    return success();
  }
  ctx.setResult(0, ctx.create<CastOp>(type.clone(elem), x));
  return success();
}

static LogicalResult importCast(NodeContext &ctx) {
  int64_t to = ctx.attrInt("to", 0);
  Type elem = convertElementType(ctx.context(), to);
  if (!elem)
    return ctx.unsupported("cast to data type " + Twine(to));
  return importCastTo(ctx, elem);
}

static LogicalResult importCastLike(NodeContext &ctx) {
  return importCastTo(ctx, ctx.inputType(1).getElementType());
}

static LogicalResult importWhere(NodeContext &ctx) {
  auto c = ctx.inputType(0), x = ctx.inputType(1), y = ctx.inputType(2);
  auto s1 = broadcastShapes(c.getShape(), x.getShape());
  if (failed(s1))
    return ctx.emitError() << "operands do not broadcast";
  auto s2 = broadcastShapes(*s1, y.getShape());
  if (failed(s2))
    return ctx.emitError() << "operands do not broadcast";
  ctx.setResult(0, ctx.create<WhereOp>(x.clone(*s2), ctx.input(0),
                                       ctx.input(1), ctx.input(2)));
  return success();
}

/// Clip(x, min, max) = Min(Max(x, min), max); bounds are attributes before
/// opset 11 and optional scalar inputs from 11 on.
static LogicalResult importClip(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto type = ctx.inputType(0);
  Type elem = type.getElementType();
  Value lo, hi;
  if (ctx.opset() < 11) {
    if (ctx.hasAttr("min"))
      lo = ctx.scalar(elem, ctx.attrFloat("min", 0));
    if (ctx.hasAttr("max"))
      hi = ctx.scalar(elem, ctx.attrFloat("max", 0));
  } else {
    lo = ctx.input(1);
    hi = ctx.input(2);
  }
  if (lo)
    x = ctx.create<MaxOp>(type, x, lo);
  if (hi)
    x = ctx.create<MinOp>(type, x, hi);
  ctx.setResult(0, x);
  return success();
}

static LogicalResult importIsNaN(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  ctx.setResult(0, ctx.create<IsNaNOp>(type.clone(ctx.builder().getI1Type()),
                                       ctx.input(0)));
  return success();
}

static LogicalResult importIsInf(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  ctx.setResult(0, ctx.create<IsInfOp>(
                       type.clone(ctx.builder().getI1Type()), ctx.input(0),
                       ctx.builder().getBoolAttr(ctx.attrInt("detect_positive", 1)),
                       ctx.builder().getBoolAttr(ctx.attrInt("detect_negative", 1))));
  return success();
}

// Every elementwise importer handles dynamic dimensions (the broadcast
// shapes keep them); the registrations name the qcc ops each builds.
template <typename OpTy>
static OpImporter unary() {
  return dynamicShapeImporter<OpTy>(importUnary<OpTy>);
}
template <typename OpTy>
static OpImporter binary() {
  return dynamicShapeImporter<OpTy>(importBinary<OpTy>);
}
template <typename OpTy>
static OpImporter comparison() {
  return dynamicShapeImporter<OpTy>(importComparison<OpTy>);
}

void importer::registerElementwiseOps(OpImporterTable &t) {
  t["Abs"] = unary<AbsOp>();
  t["Neg"] = unary<NegOp>();
  t["Exp"] = unary<ExpOp>();
  t["Log"] = unary<LogOp>();
  t["Sqrt"] = unary<SqrtOp>();
  t["Reciprocal"] = unary<ReciprocalOp>();
  t["Relu"] = unary<ReluOp>();
  t["Sigmoid"] = unary<SigmoidOp>();
  t["Tanh"] = unary<TanhOp>();
  t["Erf"] = unary<ErfOp>();
  t["Floor"] = unary<FloorOp>();
  t["Ceil"] = unary<CeilOp>();
  t["Round"] = unary<RoundOp>();
  t["Sin"] = unary<SinOp>();
  t["Cos"] = unary<CosOp>();
  t["Tan"] = unary<TanOp>();
  t["Asin"] = unary<AsinOp>();
  t["Acos"] = unary<AcosOp>();
  t["Atan"] = unary<AtanOp>();
  t["Sinh"] = unary<SinhOp>();
  t["Cosh"] = unary<CoshOp>();
  t["Asinh"] = unary<AsinhOp>();
  t["Acosh"] = unary<AcoshOp>();
  t["Atanh"] = unary<AtanhOp>();
  t["Sign"] = unary<SignOp>();
  t["Not"] = unary<NotOp>();
  t["Softplus"] = unary<SoftplusOp>();
  t["Softsign"] = unary<SoftsignOp>();
  t["HardSwish"] = unary<HardSwishOp>();
  t["Mish"] = unary<MishOp>();
  t["Gelu"] = unary<GeluOp>();
  t["LeakyRelu"] = dynamicShapeImporter<LeakyReluOp>(importLeakyRelu);
  t["Elu"] = dynamicShapeImporter<EluOp>(importElu);
  t["Selu"] = dynamicShapeImporter<SeluOp>(importSelu);
  t["HardSigmoid"] = dynamicShapeImporter<HardSigmoidOp>(importHardSigmoid);
  t["Celu"] = dynamicShapeImporter<CeluOp>(importCelu);
  t["ThresholdedRelu"] =
      dynamicShapeImporter<ThresholdedReluOp>(importThresholdedRelu);
  t["Shrink"] = dynamicShapeImporter<ShrinkOp>(importShrink);
  t["Add"] = binary<AddOp>();
  t["Sub"] = binary<SubOp>();
  t["Mul"] = binary<MulOp>();
  t["Div"] = binary<DivOp>();
  t["Pow"] = binary<PowOp>();
  t["PRelu"] = binary<PreluOp>();
  t["BitwiseAnd"] = binary<BitwiseAndOp>();
  t["BitwiseOr"] = binary<BitwiseOrOp>();
  t["BitwiseXor"] = binary<BitwiseXorOp>();
  t["And"] = comparison<AndOp>();
  t["Or"] = comparison<OrOp>();
  t["Xor"] = comparison<XorOp>();
  t["Equal"] = comparison<EqualOp>();
  t["Less"] = comparison<LessOp>();
  t["LessOrEqual"] = comparison<LessEqualOp>();
  t["Greater"] = comparison<GreaterOp>();
  t["GreaterOrEqual"] = comparison<GreaterEqualOp>();
  t["Mod"] = dynamicShapeImporter<ModOp>(importMod);
  t["BitShift"] =
      dynamicShapeImporter<BitshiftLeftOp, BitshiftRightOp>(importBitShift);
  t["Max"] = dynamicShapeImporter<MaxOp>(importVariadic<MaxOp>);
  t["Min"] = dynamicShapeImporter<MinOp>(importVariadic<MinOp>);
  t["Sum"] = dynamicShapeImporter<AddOp>(importVariadic<AddOp>);
  t["Mean"] = dynamicShapeImporter<AddOp, DivOp>(importVariadic<AddOp>);
  t["Identity"] = dynamicShapeImporter<>(importIdentity);
  t["Dropout"] = dynamicShapeImporter<>(importDropout);
  t["Cast"] = dynamicShapeImporter<CastOp>(importCast);
  t["CastLike"] = dynamicShapeImporter<CastOp>(importCastLike);
  t["Where"] = dynamicShapeImporter<WhereOp>(importWhere);
  t["Clip"] = dynamicShapeImporter<MaxOp, MinOp>(importClip);
  t["IsNaN"] = dynamicShapeImporter<IsNaNOp>(importIsNaN);
  t["IsInf"] = dynamicShapeImporter<IsInfOp>(importIsInf);
}
