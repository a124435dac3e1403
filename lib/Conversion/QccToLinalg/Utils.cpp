//===- Utils.cpp - shared helpers of the qcc-to-linalg lowering -----------===//
//
// Element kinds and scalar casts with ONNX semantics, constants, tensor
// builders, dynamic sizes, numpy broadcasting maps, the all-parallel
// elementwise generic and the small pieces several op families share.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

Type lowering::toSignless(Type t) {
  if (auto shaped = dyn_cast<RankedTensorType>(t))
    return shaped.clone(toSignless(shaped.getElementType()));
  if (auto q = dyn_cast<quant::QuantizedType>(t))
    return toSignless(q.getStorageType());
  if (auto it = dyn_cast<IntegerType>(t))
    if (!it.isSignless())
      return IntegerType::get(t.getContext(), it.getWidth());
  return t;
}

ElemKind lowering::elemKindOf(Type qccType) {
  Type elem = getElementTypeOrSelf(qccType);
  if (auto q = dyn_cast<quant::QuantizedType>(elem))
    return {toSignless(q.getStorageType()), !q.isSigned()};
  return {toSignless(elem), elem.isUnsignedInteger()};
}

Value lowering::scalarConst(OpBuilder &b, Location loc, Type type,
                            double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value != 0));
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt(type.getIntOrFloatBitWidth(),
                                   (uint64_t)(int64_t)value, true)));
}

Value lowering::intConst(OpBuilder &b, Location loc, Type type, int64_t v) {
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(type, APInt(type.getIntOrFloatBitWidth(), v, true)));
}

Value lowering::castScalar(OpBuilder &b, Location loc, Value v, ElemKind from,
                           ElemKind to) {
  Type src = from.type, dst = to.type;
  if (src == dst)
    return v;
  auto srcF = dyn_cast<FloatType>(src), dstF = dyn_cast<FloatType>(dst);
  if (srcF && dstF) {
    // f16 <-> bf16 have the same width, so neither extf nor truncf accepts
    // them directly; go through f32, which holds both exactly.
    if (srcF.getWidth() == dstF.getWidth()) {
      ElemKind f32{b.getF32Type(), false};
      return castScalar(b, loc, castScalar(b, loc, v, from, f32), f32, to);
    }
    return srcF.getWidth() < dstF.getWidth()
               ? (Value)arith::ExtFOp::create(b, loc, dst, v)
               : (Value)arith::TruncFOp::create(b, loc, dst, v);
  }
  if (!srcF && dstF) {
    if (from.isUnsigned || from.isBool())
      return arith::UIToFPOp::create(b, loc, dst, v);
    return arith::SIToFPOp::create(b, loc, dst, v);
  }
  if (srcF && !dstF) {
    if (to.isBool())
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalarConst(b, loc, src, 0));
    if (to.isUnsigned)
      return arith::FPToUIOp::create(b, loc, dst, v);
    return arith::FPToSIOp::create(b, loc, dst, v);
  }
  // Integer to integer.
  if (to.isBool())
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 intConst(b, loc, src, 0));
  unsigned sw = src.getIntOrFloatBitWidth(), dw = dst.getIntOrFloatBitWidth();
  if (sw < dw)
    return (from.isUnsigned || from.isBool())
               ? (Value)arith::ExtUIOp::create(b, loc, dst, v)
               : (Value)arith::ExtSIOp::create(b, loc, dst, v);
  if (sw > dw)
    return arith::TruncIOp::create(b, loc, dst, v);
  return v;
}

Value lowering::emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                            ValueRange dynSizes) {
  assert((int64_t)dynSizes.size() == type.getNumDynamicDims() &&
         "dynamic sizes must be given for every dynamic dimension");
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynSizes);
}

Value lowering::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                             Value value, ValueRange dynSizes) {
  return linalg::FillOp::create(b, loc, ValueRange{value},
                                ValueRange{emptyTensor(b, loc, type, dynSizes)})
      .getResult(0);
}

SmallVector<Value>
lowering::dynamicSizes(OpBuilder &b, Location loc, RankedTensorType type,
                       llvm::function_ref<DimSource(int64_t)> source) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      continue;
    DimSource src = source(d);
    sizes.push_back(tensor::DimOp::create(b, loc, src.value, src.dim));
  }
  return sizes;
}

/// Dynamic result dimension `d` of a broadcasting op: the first operand
/// whose aligned dimension is dynamic.
static DimSource broadcastDimSource(ValueRange operands, int64_t rank,
                                    int64_t d) {
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    int64_t i = d - (rank - t.getRank());
    if (i >= 0 && t.isDynamicDim(i))
      return {v, i};
  }
  // The pass's dynamic-shape check (hasLowerableShapes) assumes this
  // invariant: a dynamic result dimension comes from a dynamic operand one.
  llvm::report_fatal_error("dynamic result dimension without a dynamic "
                           "operand dimension");
}

AffineMap lowering::broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> resultShape) {
  unsigned rank = resultShape.size();
  unsigned offset = rank - shape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(shape)) {
    unsigned dim = offset + i;
    if (d == 1 && resultShape[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(dim, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value lowering::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType,
                                 ValueRange operands, const ScalarBodyFn &body,
                                 std::optional<ValueRange> dynSizes) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : operands)
    maps.push_back(broadcastMap(ctx,
                                cast<RankedTensorType>(v.getType()).getShape(),
                                resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iters(resultType.getRank(),
                                         utils::IteratorType::parallel);
  SmallVector<Value> dyn =
      dynSizes ? SmallVector<Value>(dynSizes->begin(), dynSizes->end())
               : dynamicSizes(b, loc, resultType, [&](int64_t d) {
                   return broadcastDimSource(operands, resultType.getRank(), d);
                 });
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, operands,
      ValueRange{emptyTensor(b, loc, resultType, dyn)}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

AffineMap lowering::paramMap(MLIRContext *ctx, Value param, unsigned numLoops,
                             unsigned dim) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0)
    return AffineMap::get(numLoops, 0, {}, ctx);
  if (type.getNumElements() == 1)
    return AffineMap::get(
        numLoops, 0,
        SmallVector<AffineExpr>(type.getRank(), getAffineConstantExpr(0, ctx)),
        ctx);
  return AffineMap::get(numLoops, 0, {getAffineDimExpr(dim, ctx)}, ctx);
}

Value lowering::extremeValue(OpBuilder &b, Location loc, ElemKind kind,
                             bool lowest) {
  if (kind.isFloat())
    return scalarConst(b, loc, kind.type,
                       lowest ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity());
  unsigned w = kind.type.getIntOrFloatBitWidth();
  APInt v = lowest ? (kind.isUnsigned ? APInt::getMinValue(w)
                                      : APInt::getSignedMinValue(w))
                   : (kind.isUnsigned ? APInt::getMaxValue(w)
                                      : APInt::getSignedMaxValue(w));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(kind.type, v));
}

Value lowering::multiplyAccumulate(OpBuilder &b, Location l, Value a, Value bv,
                                   Value acc, ElemKind aKind, ElemKind bKind) {
  ElemKind accKind{acc.getType(), false};
  a = castScalar(b, l, a, aKind, accKind);
  bv = castScalar(b, l, bv, bKind, accKind);
  if (accKind.isFloat())
    return arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, a, bv));
  return arith::AddIOp::create(b, l, acc, arith::MulIOp::create(b, l, a, bv));
}

std::optional<linalg::TypeFn> lowering::namedCast(ElemKind lk, ElemKind rk,
                                                  Type accType) {
  if (isa<FloatType>(accType)) {
    // castScalar converts between float types through f32 where they have
    // the same width; named ops only take operands of the accumulator type.
    if (lk.type != accType || rk.type != accType)
      return std::nullopt;
    return linalg::TypeFn::cast_signed;
  }
  if (lk.isFloat() || rk.isFloat())
    return std::nullopt;
  // Only a narrower operand is extended (sign or zero); a wider one is
  // truncated either way.
  unsigned accWidth = accType.getIntOrFloatBitWidth();
  bool zext = false, sext = false;
  for (ElemKind k : {lk, rk}) {
    if (k.type.getIntOrFloatBitWidth() >= accWidth)
      continue;
    if (k.isUnsigned || k.isBool())
      zext = true;
    else
      sext = true;
  }
  if (zext && sext)
    return std::nullopt;
  return zext ? linalg::TypeFn::cast_unsigned : linalg::TypeFn::cast_signed;
}

Value lowering::buildContraction(OpBuilder &b, Location loc, Value lhs,
                                 Value rhs, Value init,
                                 ArrayRef<AffineMap> maps, ElemKind lk,
                                 ElemKind rk) {
  MLIRContext *ctx = b.getContext();
  auto resultType = cast<RankedTensorType>(init.getType());
  Type accType = resultType.getElementType();
  std::optional<linalg::TypeFn> castFn = namedCast(lk, rk, accType);
  bool projected = llvm::all_of(
      maps, [](AffineMap m) { return m.isProjectedPermutation(); });
  if (castFn && projected) {
    SmallVector<NamedAttribute> attrs;
    if (*castFn != linalg::TypeFn::cast_signed)
      attrs.push_back(
          b.getNamedAttr("cast", linalg::TypeFnAttr::get(ctx, *castFn)));
    ArrayAttr mapsAttr = b.getAffineMapArrayAttr(maps);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned numLoops = maps[0].getNumDims();
    auto isMap = [&](AffineMap m, ArrayRef<AffineExpr> e) {
      return m == AffineMap::get(numLoops, 0, e, ctx);
    };
    // (m, n, k): any transposition of the 2-D operands.
    if (numLoops == 3 && maps[0].getNumResults() == 2 &&
        maps[1].getNumResults() == 2 && isMap(maps[2], {d(0), d(1)})) {
      auto op = linalg::MatmulOp::create(b, loc, TypeRange{resultType},
                                         ValueRange{lhs, rhs}, ValueRange{init},
                                         attrs);
      if (!linalg::MatmulOp::isDefaultIndexingMaps(mapsAttr))
        op.setIndexingMapsAttr(mapsAttr);
      return op.getResult(0);
    }
    // (batch, m, n, k): 3-D operands, or one 2-D operand broadcast along
    // the batch.
    if (numLoops == 4 && isMap(maps[2], {d(0), d(1), d(2)}) &&
        (isMap(maps[0], {d(0), d(1), d(3)}) || isMap(maps[0], {d(1), d(3)})) &&
        (isMap(maps[1], {d(0), d(3), d(2)}) || isMap(maps[1], {d(3), d(2)})) &&
        maps[0].getNumResults() + maps[1].getNumResults() > 4) {
      auto op = linalg::BatchMatmulOp::create(b, loc, TypeRange{resultType},
                                              ValueRange{lhs, rhs},
                                              ValueRange{init}, attrs);
      if (!linalg::BatchMatmulOp::isDefaultIndexingMaps(mapsAttr))
        op.setIndexingMapsAttr(mapsAttr);
      return op.getResult(0);
    }
    return linalg::ContractOp::create(b, loc, TypeRange{resultType},
                                      ValueRange{lhs, rhs}, ValueRange{init},
                                      mapsAttr, attrs)
        .getResult(0);
  }
  unsigned numLoops = maps[0].getNumDims();
  SmallVector<utils::IteratorType> iters(numLoops,
                                         utils::IteratorType::reduction);
  for (AffineExpr e : maps[2].getResults())
    iters[cast<AffineDimExpr>(e).getPosition()] = utils::IteratorType::parallel;
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{lhs, rhs},
             ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l,
                                       multiplyAccumulate(nb, l, args[0],
                                                          args[1], args[2], lk,
                                                          rk));
             })
      .getResult(0);
}

Value lowering::padSpatial(OpBuilder &b, Location loc, Value input,
                           ArrayRef<int64_t> pads, Value padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t ns = type.getRank() - 2;
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t i = 0; i < ns; ++i) {
    low.push_back(b.getIndexAttr(pads[i]));
    high.push_back(b.getIndexAttr(pads[i + ns]));
    shape[i + 2] += pads[i] + pads[i + ns];
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), input, low, high,
                               padValue);
}
