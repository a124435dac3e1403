//===- QccTraits.h - qcc op traits ------------------------------*- C++ -*-===//
//
// The C++ side of QccTraits.td.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_QCC_QCCTRAITS_H
#define QCC_DIALECT_QCC_QCCTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::OpTrait::qcc {

namespace impl {
LogicalResult verifyBroadcastResultShape(Operation *op);
LogicalResult verifyReductionShape(Operation *op, ArrayRef<int64_t> axes,
                                   bool keepdims);
} // namespace impl

/// The single result's shape is exactly the numpy broadcast of the operand
/// shapes (see Qcc_BroadcastResultShape in QccTraits.td).
template <typename ConcreteType>
class BroadcastResultShape
    : public TraitBase<ConcreteType, BroadcastResultShape> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return impl::verifyBroadcastResultShape(op);
  }
};

/// A reduction of operand 0 over the op's sorted, unique `axes` into the
/// single result, keeping the reduced dimensions with `keepdims`.
template <typename ConcreteType>
class ReductionShape : public TraitBase<ConcreteType, ReductionShape> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    auto reduction = cast<ConcreteType>(op);
    return impl::verifyReductionShape(op, reduction.getAxes(),
                                      reduction.getKeepdims());
  }
};

} // namespace mlir::OpTrait::qcc

#endif // QCC_DIALECT_QCC_QCCTRAITS_H
