//===- Elementwise.cpp - unary, binary, select and cast ops ---------------===//
//
// Every unary, binary, select and cast op becomes one all-parallel
// linalg.generic with numpy broadcasting indexing maps and a scalar body
// chosen per op; unsigned arith.constant ops keep their bits as signless.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

//===----------------------------------------------------------------------===//
// Scalar bodies
//===----------------------------------------------------------------------===//

namespace {

Value cmpF(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
Value cmpI(OpBuilder &b, Location l, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, l, p, x, y);
}
Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
Value fconst(OpBuilder &b, Location l, Value like, double v) {
  return scalarConst(b, l, like.getType(), v);
}
Value mulF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value softplus(OpBuilder &b, Location l, Value x) {
  // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): exp never overflows,
  // whatever the float type (exp(12) is already inf in f16), and small
  // results keep their precision through log1p.
  Value negAbs = arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
  Value tail = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
  return addF(b, l, arith::MaximumFOp::create(b, l, x, fconst(b, l, x, 0)),
              tail);
}
Value clampF(OpBuilder &b, Location l, Value x, double lo, double hi) {
  x = arith::MaximumFOp::create(b, l, x, fconst(b, l, x, lo));
  return arith::MinimumFOp::create(b, l, x, fconst(b, l, x, hi));
}

/// Body of a unary op on a float or integer scalar.
Value unaryBody(OpBuilder &b, Location l, Operation *op, Value x,
                ElemKind kind) {
  bool f = kind.isFloat();
  Type t = x.getType();
  auto zero = [&] { return scalarConst(b, l, t, 0); };
  auto one = [&] { return scalarConst(b, l, t, 1); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<AbsOp>([&](auto) -> Value {
        if (f)
          return math::AbsFOp::create(b, l, x);
        if (kind.isUnsigned)
          return x;
        return math::AbsIOp::create(b, l, x);
      })
      .Case<NegOp>([&](auto) -> Value {
        if (f)
          return arith::NegFOp::create(b, l, x);
        return arith::SubIOp::create(b, l, zero(), x);
      })
      .Case<ExpOp>([&](auto) -> Value { return math::ExpOp::create(b, l, x); })
      .Case<LogOp>([&](auto) -> Value { return math::LogOp::create(b, l, x); })
      .Case<SqrtOp>(
          [&](auto) -> Value { return math::SqrtOp::create(b, l, x); })
      .Case<ReciprocalOp>(
          [&](auto) -> Value { return arith::DivFOp::create(b, l, one(), x); })
      .Case<ReluOp>([&](auto) -> Value {
        if (f)
          return arith::MaximumFOp::create(b, l, x, zero());
        if (kind.isUnsigned)
          return x;
        return arith::MaxSIOp::create(b, l, x, zero());
      })
      .Case<SigmoidOp>([&](auto) -> Value {
        Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
        return arith::DivFOp::create(b, l, one(), addF(b, l, one(), e));
      })
      .Case<TanhOp>(
          [&](auto) -> Value { return math::TanhOp::create(b, l, x); })
      .Case<ErfOp>([&](auto) -> Value { return math::ErfOp::create(b, l, x); })
      .Case<FloorOp>(
          [&](auto) -> Value { return math::FloorOp::create(b, l, x); })
      .Case<CeilOp>(
          [&](auto) -> Value { return math::CeilOp::create(b, l, x); })
      .Case<RoundOp>(
          [&](auto) -> Value { return math::RoundEvenOp::create(b, l, x); })
      .Case<SinOp>([&](auto) -> Value { return math::SinOp::create(b, l, x); })
      .Case<CosOp>([&](auto) -> Value { return math::CosOp::create(b, l, x); })
      .Case<TanOp>([&](auto) -> Value { return math::TanOp::create(b, l, x); })
      .Case<AsinOp>(
          [&](auto) -> Value { return math::AsinOp::create(b, l, x); })
      .Case<AcosOp>(
          [&](auto) -> Value { return math::AcosOp::create(b, l, x); })
      .Case<AtanOp>(
          [&](auto) -> Value { return math::AtanOp::create(b, l, x); })
      .Case<SinhOp>(
          [&](auto) -> Value { return math::SinhOp::create(b, l, x); })
      .Case<CoshOp>(
          [&](auto) -> Value { return math::CoshOp::create(b, l, x); })
      .Case<AsinhOp>(
          [&](auto) -> Value { return math::AsinhOp::create(b, l, x); })
      .Case<AcoshOp>(
          [&](auto) -> Value { return math::AcoshOp::create(b, l, x); })
      .Case<AtanhOp>(
          [&](auto) -> Value { return math::AtanhOp::create(b, l, x); })
      .Case<SignOp>([&](auto) -> Value {
        Value minusOne = scalarConst(b, l, t, -1);
        if (f) {
          Value pos = cmpF(b, l, arith::CmpFPredicate::OGT, x, zero());
          Value neg = cmpF(b, l, arith::CmpFPredicate::OLT, x, zero());
          return select(b, l, pos, one(), select(b, l, neg, minusOne, zero()));
        }
        Value pos = cmpI(b, l,
                         kind.isUnsigned ? arith::CmpIPredicate::ugt
                                         : arith::CmpIPredicate::sgt,
                         x, zero());
        Value neg = cmpI(b, l, arith::CmpIPredicate::slt, x, zero());
        if (kind.isUnsigned)
          return select(b, l, pos, one(), zero());
        return select(b, l, pos, one(), select(b, l, neg, minusOne, zero()));
      })
      .Case<NotOp>([&](auto) -> Value {
        return arith::XOrIOp::create(b, l, x, intConst(b, l, t, -1));
      })
      .Case<SoftplusOp>([&](auto) -> Value { return softplus(b, l, x); })
      .Case<SoftsignOp>([&](auto) -> Value {
        return arith::DivFOp::create(
            b, l, x, addF(b, l, one(), math::AbsFOp::create(b, l, x)));
      })
      .Case<GeluOp>([&](auto) -> Value {
        Value e = math::ErfOp::create(
            b, l, mulF(b, l, x, fconst(b, l, x, M_SQRT1_2)));
        return mulF(b, l, mulF(b, l, fconst(b, l, x, 0.5), x),
                    addF(b, l, one(), e));
      })
      .Case<HardSwishOp>([&](auto) -> Value {
        Value h = addF(b, l, mulF(b, l, x, fconst(b, l, x, 1.0 / 6.0)),
                       fconst(b, l, x, 0.5));
        return mulF(b, l, x, clampF(b, l, h, 0, 1));
      })
      .Case<MishOp>([&](auto) -> Value {
        return mulF(b, l, x, math::TanhOp::create(b, l, softplus(b, l, x)));
      })
      .Default([](Operation *) -> Value { return {}; });
}

/// Body of the unary ops with ONNX parameters. The op's `alpha` / `beta`
/// carry these ONNX attributes:
///   leaky_relu       alpha = alpha (slope for x < 0), beta unused
///   elu, celu        alpha = alpha, beta unused
///   thresholded_relu alpha = alpha (threshold), beta unused
///   selu             alpha = alpha, beta = gamma
///   hard_sigmoid     alpha = alpha, beta = beta
///   shrink           alpha = lambd, beta = bias
template <typename OpTy>
Value paramUnaryBody(OpBuilder &b, Location l, OpTy op, Value x,
                     ElemKind kind) {
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  Type t = x.getType();
  Value zero = scalarConst(b, l, t, 0);
  Value a = scalarConst(b, l, t, alpha);
  Value bb = scalarConst(b, l, t, beta);
  if constexpr (std::is_same_v<OpTy, ShrinkOp>) {
    // alpha = lambd, beta = bias.
    if (kind.isFloat()) {
      Value below = cmpF(b, l, arith::CmpFPredicate::OLT, x,
                         arith::NegFOp::create(b, l, a));
      Value above = cmpF(b, l, arith::CmpFPredicate::OGT, x, a);
      return select(
          b, l, below, addF(b, l, x, bb),
          select(b, l, above, arith::SubFOp::create(b, l, x, bb), zero));
    }
    auto lt =
        kind.isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    auto gt =
        kind.isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    Value negA = intConst(b, l, t, -(int64_t)alpha);
    Value ia = intConst(b, l, t, (int64_t)alpha);
    Value ib = intConst(b, l, t, (int64_t)beta);
    Value below =
        kind.isUnsigned ? cmpI(b, l, lt, x, zero) : cmpI(b, l, lt, x, negA);
    Value above = cmpI(b, l, gt, x, ia);
    return select(
        b, l, below, arith::AddIOp::create(b, l, x, ib),
        select(b, l, above, arith::SubIOp::create(b, l, x, ib), zero));
  } else {
    Value one = scalarConst(b, l, t, 1);
    // Built only by the ops that use them, so no dead math.exp is left.
    auto neg = [&] { return cmpF(b, l, arith::CmpFPredicate::OLT, x, zero); };
    auto expm1 = [&]() -> Value {
      return arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x), one);
    };
    if constexpr (std::is_same_v<OpTy, LeakyReluOp>)
      return select(b, l, neg(), mulF(b, l, a, x), x);
    if constexpr (std::is_same_v<OpTy, EluOp>)
      return select(b, l, neg(), mulF(b, l, a, expm1()), x);
    if constexpr (std::is_same_v<OpTy, SeluOp>) {
      // alpha = alpha, beta = gamma.
      Value le = cmpF(b, l, arith::CmpFPredicate::OLE, x, zero);
      return mulF(b, l, bb, select(b, l, le, mulF(b, l, a, expm1()), x));
    }
    if constexpr (std::is_same_v<OpTy, HardSigmoidOp>)
      return clampF(b, l, addF(b, l, mulF(b, l, a, x), bb), 0, 1);
    if constexpr (std::is_same_v<OpTy, CeluOp>) {
      Value e = arith::SubFOp::create(
          b, l, math::ExpOp::create(b, l, arith::DivFOp::create(b, l, x, a)),
          one);
      return addF(b, l, arith::MaximumFOp::create(b, l, x, zero),
                  arith::MinimumFOp::create(b, l, zero, mulF(b, l, a, e)));
    }
    if constexpr (std::is_same_v<OpTy, ThresholdedReluOp>)
      return select(b, l, cmpF(b, l, arith::CmpFPredicate::OGT, x, a), x, zero);
    llvm_unreachable("unhandled parameterised unary op");
  }
}

/// Body of a broadcasting binary op. `kind` describes the lhs element type
/// (the result for arithmetic ops; comparison results are i1).
Value binaryBody(OpBuilder &b, Location l, Operation *op, Value x, Value y,
                 ElemKind kind, ElemKind rhsKind) {
  bool f = kind.isFloat();
  bool u = kind.isUnsigned;
  using P = arith::CmpIPredicate;
  using FP = arith::CmpFPredicate;
  auto cmp = [&](FP fp, P sp, P up) -> Value {
    if (f)
      return cmpF(b, l, fp, x, y);
    return cmpI(b, l, u ? up : sp, x, y);
  };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case<AddOp>([&](auto) -> Value {
        return f ? (Value)addF(b, l, x, y)
                 : (Value)arith::AddIOp::create(b, l, x, y);
      })
      .Case<SubOp>([&](auto) -> Value {
        return f ? (Value)arith::SubFOp::create(b, l, x, y)
                 : (Value)arith::SubIOp::create(b, l, x, y);
      })
      .Case<MulOp>([&](auto) -> Value {
        return f ? (Value)mulF(b, l, x, y)
                 : (Value)arith::MulIOp::create(b, l, x, y);
      })
      .Case<DivOp>([&](auto) -> Value {
        if (f)
          return arith::DivFOp::create(b, l, x, y);
        return u ? (Value)arith::DivUIOp::create(b, l, x, y)
                 : (Value)arith::DivSIOp::create(b, l, x, y);
      })
      .Case<PowOp>([&](auto) -> Value {
        if (f) {
          Value e = castScalar(b, l, y, rhsKind, kind);
          return math::PowFOp::create(b, l, x, e);
        }
        // Integer base: compute in f64 (exact for the ranges ONNX tests
        // use) and convert back.
        ElemKind f64{b.getF64Type(), false};
        Value xb = castScalar(b, l, x, kind, f64);
        Value eb = castScalar(b, l, y, rhsKind, f64);
        return castScalar(b, l, math::PowFOp::create(b, l, xb, eb), f64, kind);
      })
      .Case<MaxOp>([&](auto) -> Value {
        if (f)
          return arith::MaximumFOp::create(b, l, x, y);
        return u ? (Value)arith::MaxUIOp::create(b, l, x, y)
                 : (Value)arith::MaxSIOp::create(b, l, x, y);
      })
      .Case<MinOp>([&](auto) -> Value {
        if (f)
          return arith::MinimumFOp::create(b, l, x, y);
        return u ? (Value)arith::MinUIOp::create(b, l, x, y)
                 : (Value)arith::MinSIOp::create(b, l, x, y);
      })
      .Case<AndOp, BitwiseAndOp>(
          [&](auto) -> Value { return arith::AndIOp::create(b, l, x, y); })
      .Case<OrOp, BitwiseOrOp>(
          [&](auto) -> Value { return arith::OrIOp::create(b, l, x, y); })
      .Case<XorOp, BitwiseXorOp>(
          [&](auto) -> Value { return arith::XOrIOp::create(b, l, x, y); })
      .Case<EqualOp>([&](auto) -> Value { return cmp(FP::OEQ, P::eq, P::eq); })
      .Case<LessOp>([&](auto) -> Value { return cmp(FP::OLT, P::slt, P::ult); })
      .Case<LessEqualOp>(
          [&](auto) -> Value { return cmp(FP::OLE, P::sle, P::ule); })
      .Case<GreaterOp>(
          [&](auto) -> Value { return cmp(FP::OGT, P::sgt, P::ugt); })
      .Case<GreaterEqualOp>(
          [&](auto) -> Value { return cmp(FP::OGE, P::sge, P::uge); })
      .Case<BitshiftLeftOp>(
          [&](auto) -> Value { return arith::ShLIOp::create(b, l, x, y); })
      .Case<BitshiftRightOp>([&](auto) -> Value {
        return u ? (Value)arith::ShRUIOp::create(b, l, x, y)
                 : (Value)arith::ShRSIOp::create(b, l, x, y);
      })
      .Case<PreluOp>([&](auto) -> Value {
        if (f)
          return select(
              b, l, cmpF(b, l, FP::OLT, x, scalarConst(b, l, x.getType(), 0)),
              mulF(b, l, x, y), x);
        if (u)
          return x;
        return select(b, l,
                      cmpI(b, l, P::slt, x, intConst(b, l, x.getType(), 0)),
                      arith::MulIOp::create(b, l, x, y), x);
      })
      .Case<ModOp>([&](ModOp mod) -> Value {
        if (f)
          return arith::RemFOp::create(b, l, x, y);
        if (u)
          return arith::RemUIOp::create(b, l, x, y);
        Value r = arith::RemSIOp::create(b, l, x, y);
        if (mod.getFmod())
          return r;
        // Python-style modulo: the result takes the divisor's sign.
        Value zero = intConst(b, l, x.getType(), 0);
        Value nonZero = cmpI(b, l, P::ne, r, zero);
        Value signsDiffer = arith::XOrIOp::create(
            b, l, cmpI(b, l, P::slt, r, zero), cmpI(b, l, P::slt, y, zero));
        Value fix = arith::AndIOp::create(b, l, nonZero, signsDiffer);
        return select(b, l, fix, arith::AddIOp::create(b, l, r, y), r);
      })
      .Default([](Operation *) -> Value { return {}; });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Any elementwise qcc op (unary, parameterised unary, binary, where, cast,
/// isnan, isinf, broadcast_to) to one linalg.generic.
struct ElementwiseToGeneric : ConversionPattern {
  ElementwiseToGeneric(const TypeConverter &tc, MLIRContext *ctx)
      : ConversionPattern(tc, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isElementwiseOp(op))
      return failure();
    Location loc = op->getLoc();
    auto resultType = convertedType(*getTypeConverter(), op);
    ElemKind in0 = elemKindOf(op->getOperand(0).getType());
    ElemKind in1 = op->getNumOperands() > 1
                       ? elemKindOf(op->getOperand(1).getType())
                       : in0;
    ElemKind out = elemKindOf(op->getResult(0).getType());
    ScalarBodyFn body = [&](OpBuilder &b, Location l, ValueRange s) -> Value {
      if (isa<CastOp>(op))
        return castScalar(b, l, s[0], in0, out);
      if (isa<BroadcastToOp>(op))
        return s[0];
      if (isa<WhereOp>(op))
        return select(b, l, s[0], s[1], s[2]);
      if (isa<IsNaNOp>(op))
        return cmpF(b, l, arith::CmpFPredicate::UNO, s[0], s[0]);
      if (auto isInf = dyn_cast<IsInfOp>(op)) {
        Value inf = scalarConst(b, l, s[0].getType(),
                                std::numeric_limits<double>::infinity());
        Value ninf = scalarConst(b, l, s[0].getType(),
                                 -std::numeric_limits<double>::infinity());
        Value pos = cmpF(b, l, arith::CmpFPredicate::OEQ, s[0], inf);
        Value neg = cmpF(b, l, arith::CmpFPredicate::OEQ, s[0], ninf);
        Value f = intConst(b, l, b.getI1Type(), 0);
        return arith::OrIOp::create(b, l, isInf.getDetectPositive() ? pos : f,
                                    isInf.getDetectNegative() ? neg : f);
      }
      if (s.size() == 1) {
        if (Value r = unaryBody(b, l, op, s[0], in0))
          return r;
        return llvm::TypeSwitch<Operation *, Value>(op)
            .Case<LeakyReluOp, EluOp, SeluOp, HardSigmoidOp, CeluOp,
                  ThresholdedReluOp, ShrinkOp>([&](auto p) -> Value {
              return paramUnaryBody(b, l, p, s[0], in0);
            })
            .Default([](Operation *) -> Value { return {}; });
      }
      return binaryBody(b, l, op, s[0], s[1], in0, in1);
    };
    // Check the body can be built before rewriting (e.g. float-only ops on
    // integers fail cleanly).
    Value result = buildElementwise(rewriter, loc, resultType, operands, body);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// arith.constant with unsigned element types: same bits, signless type.
struct ConvertUnsignedConstant : OpConversionPattern<arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(arith::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type newType = getTypeConverter()->convertType(op.getType());
    if (newType == op.getType())
      return failure();
    auto shaped = dyn_cast<RankedTensorType>(newType);
    TypedAttr value;
    if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue()))
      value = dense.bitcast(shaped.getElementType());
    else if (auto res = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
      value = DenseResourceElementsAttr::get(shaped, res.getRawHandle());
    else if (auto intAttr = dyn_cast<IntegerAttr>(op.getValue()))
      value = IntegerAttr::get(newType, intAttr.getValue());
    if (!value)
      return failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

} // namespace

bool lowering::isElementwiseOp(Operation *op) {
  return isa<AbsOp, NegOp, ExpOp, LogOp, SqrtOp, ReciprocalOp, ReluOp,
             SigmoidOp, TanhOp, ErfOp, FloorOp, CeilOp, RoundOp, SinOp, CosOp,
             TanOp, AsinOp, AcosOp, AtanOp, SinhOp, CoshOp, AsinhOp, AcoshOp,
             AtanhOp, SignOp, NotOp, SoftplusOp, SoftsignOp, GeluOp,
             HardSwishOp, MishOp, LeakyReluOp, EluOp, SeluOp, HardSigmoidOp,
             CeluOp, ThresholdedReluOp, ShrinkOp, IsNaNOp, IsInfOp, CastOp,
             AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp,
             XorOp, EqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp,
             BitshiftLeftOp, BitshiftRightOp, BitwiseAndOp, BitwiseOrOp,
             BitwiseXorOp, PreluOp, ModOp, WhereOp, BroadcastToOp>(op);
}

void lowering::populateElementwisePatterns(const TypeConverter &tc,
                                           RewritePatternSet &patterns) {
  patterns.add<ElementwiseToGeneric>(tc, patterns.getContext());
  patterns.add<ConvertUnsignedConstant>(tc, patterns.getContext());
}
