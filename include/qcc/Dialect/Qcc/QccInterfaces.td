//===- QccInterfaces.td - qcc op interfaces ----------------*- tablegen -*-===//
//
// Op interfaces of the qcc dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_INTERFACES_TD
#define QCC_INTERFACES_TD

include "mlir/IR/OpBase.td"

// The one list of what may have dynamic dimensions: convert-qcc-to-linalg
// rejects a qcc op with dynamic dimensions unless it implements this
// interface and supportsDynamicShapes() holds, and the ONNX importer checks
// the ops it builds for a node with dynamic inputs the same way (its
// registry only lets importers building such ops see dynamic inputs).
def Qcc_DynamicShapeOpInterface : OpInterface<"DynamicShapeOpInterface"> {
  let cppNamespace = "::mlir::qcc";
  let description = [{
    An op whose lowering handles dynamic dimensions of its operands and
    results: elementwise ops, contractions, reductions, transposes and
    gathers take any dynamic dimension (the default); ops with conditions
    (convolution and pooling: a dynamic batch; concatenation: dynamic
    non-axis dimensions; reshape: one dynamic result dimension) implement
    supportsDynamicShapes(). Ops without the interface need static shapes.
    See hasLowerableShapes() (QccInterfaces.h).
  }];
  let methods = [
    InterfaceMethod<[{
        Whether the lowering handles this op's dynamic dimensions (called
        when it has some).
      }],
      "bool", "supportsDynamicShapes", (ins), [{}],
      /*defaultImplementation=*/[{ return true; }]>
  ];
}

// The interface for ops with conditions on their dynamic dimensions: they
// implement supportsDynamicShapes().
def Qcc_ConditionalDynamicShapes
    : DeclareOpInterfaceMethods<Qcc_DynamicShapeOpInterface,
                                ["supportsDynamicShapes"]>;

#endif // QCC_INTERFACES_TD
