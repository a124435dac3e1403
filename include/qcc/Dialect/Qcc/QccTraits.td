//===- QccTraits.td - qcc op traits ------------------------*- tablegen -*-===//
//
// Verifier traits shared by whole op families, for checks upstream has no
// exact trait for.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TRAITS_TD
#define QCC_TRAITS_TD

include "mlir/IR/OpBase.td"

class Qcc_NativeOpTrait<string name, list<Trait> traits = []>
    : NativeOpTrait<name, traits> {
  let cppNamespace = "::mlir::OpTrait::qcc";
}

// The result shape is exactly the numpy broadcast of the operand shapes:
// same rank, and every static dimension equal to the broadcast one.
// Upstream's ResultsBroadcastableShape, a dependent trait listed before this
// one, checks that the operands broadcast together and that the result's
// trailing dimensions match, but accepts a result of higher rank (which
// broadcasts further); the lowering relies on the exact shape.
def Qcc_BroadcastResultShape
    : Qcc_NativeOpTrait<"BroadcastResultShape", [ResultsBroadcastableShape]>;

// A reduction over the `axes` attribute (sorted, unique, in range) of
// operand 0; with `keepdims` the result keeps the rank, otherwise it loses
// one dimension per axis. The op has `getAxes()` and `getKeepdims()`.
def Qcc_ReductionShape : Qcc_NativeOpTrait<"ReductionShape">;

#endif // QCC_TRAITS_TD
