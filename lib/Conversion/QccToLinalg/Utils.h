//===- Utils.h - shared helpers of the qcc-to-linalg lowering ---*- C++ -*-===//
#ifndef QCC_LIB_CONVERSION_QCCTOLINALG_UTILS_H
#define QCC_LIB_CONVERSION_QCCTOLINALG_UTILS_H

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace mlir::qcc::lowering {

/// Element type description kept from the qcc (pre-conversion) types:
/// signless storage type plus whether ONNX treats it as unsigned.
struct ElemKind {
  Type type; // signless storage type (i8, f32, i1, ...)
  bool isUnsigned = false;
  bool isFloat() const { return isa<FloatType>(type); }
  bool isBool() const { return type.isInteger(1); }
};

/// ElemKind of the element type of a qcc-level value type.
ElemKind elemKindOf(Type qccType);
/// Signless version of `t` (tensors and scalars).
Type toSignless(Type t);

/// Scalar constants.
Value scalarConst(OpBuilder &b, Location loc, Type type, double value);
Value intConst(OpBuilder &b, Location loc, Type type, int64_t value);

/// Casts scalar `v` (of kind `from`) to kind `to` with ONNX Cast semantics.
Value castScalar(OpBuilder &b, Location loc, Value v, ElemKind from,
                 ElemKind to);

/// tensor.empty of `type`; `dynSizes` gives its dynamic dimensions in order.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynSizes = {});
/// tensor.empty + linalg.fill with `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value, ValueRange dynSizes = {});

/// Where a dynamic result dimension comes from: dimension `dim` of `value`.
struct DimSource {
  Value value;
  int64_t dim;
};
/// The dynamic sizes of `type` (tensor.dim of the sources `source(d)` names
/// for each dynamic dimension d), in the order tensor.empty wants them.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc,
                                RankedTensorType type,
                                llvm::function_ref<DimSource(int64_t)> source);

/// Indexing map reading an operand of `shape` broadcast (numpy rules, right
/// aligned) into an iteration space equal to `resultShape`.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                       ArrayRef<int64_t> resultShape);

using ScalarBodyFn =
    std::function<Value(OpBuilder &, Location, ValueRange /*scalars*/)>;

/// An all-parallel linalg.generic computing `body` over broadcast
/// `operands` into a fresh tensor of `resultType`.
/// Dynamic result sizes come from the operands unless `dynSizes` is given.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, const ScalarBodyFn &body,
                       std::optional<ValueRange> dynSizes = std::nullopt);

/// Indexing map (over `numLoops` loops) of a per-tensor (0-d or one
/// element) or per-axis (1-D, along loop `dim`) parameter such as a scale or
/// a zero point.
AffineMap paramMap(MLIRContext *ctx, Value param, unsigned numLoops,
                   unsigned dim);

/// The lowest (or highest) value of `kind`: -inf/+inf for floats, the
/// signed or unsigned integer limits otherwise. Identity of max/min.
Value extremeValue(OpBuilder &b, Location loc, ElemKind kind, bool lowest);

/// Accumulation `acc + ext(a) * ext(b)` in the accumulator type.
Value multiplyAccumulate(OpBuilder &b, Location l, Value a, Value bv, Value acc,
                         ElemKind aKind, ElemKind bKind);

/// The `cast` of a named linalg contraction, convolution or pooling op
/// that converts operands of kinds `lk` and `rk` to `accType` exactly as
/// castScalar does: cast_signed (sign extension; also for floats of the
/// accumulator type) or cast_unsigned (zero extension); none when the
/// operands need different extensions or are not all floats or all
/// integers like the accumulator.
std::optional<linalg::TypeFn> namedCast(ElemKind lk, ElemKind rk, Type accType);

/// `init + ext(lhs) * ext(rhs)`, summed over the loops that `maps[2]` (the
/// output map) does not use: `linalg.matmul` or `linalg.batch_matmul`
/// (with transposed or broadcast operand maps where those are the maps),
/// else `linalg.contract`, when namedCast finds a cast and every map is a
/// projected permutation; otherwise (size-1 batch dimensions broadcast
/// through constant map results, mixed extensions) a linalg.generic with
/// the same maps and multiplyAccumulate as its body.
Value buildContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       Value init, ArrayRef<AffineMap> maps, ElemKind lk,
                       ElemKind rk);

/// Pads the spatial dims (2..) of an NC... tensor with `padValue`; `pads`
/// holds the begin pads of every spatial dim, then the ends.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, Value padValue);

/// Converted (signless) result type of `op`'s result `i`.
inline RankedTensorType convertedType(const TypeConverter &tc, Operation *op,
                                      unsigned i = 0) {
  return cast<RankedTensorType>(tc.convertType(op->getResult(i).getType()));
}

} // namespace mlir::qcc::lowering

#endif // QCC_LIB_CONVERSION_QCCTOLINALG_UTILS_H
