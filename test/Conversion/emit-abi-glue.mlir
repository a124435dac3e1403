// RUN: qcc-opt %s --qcc-emit-abi-glue --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-DAG: llvm.mlir.global private constant @__qcc_inputs_0_name("img\00")
// CHECK-DAG: llvm.mlir.global private constant @__qcc_inputs_0_shape(dense<[1, 3]> : tensor<2xi64>)
// The ui8 output keeps its ONNX dtype code (2) although lowering erased it.
// CHECK-DAG: llvm.mlir.constant(2 : i32) : i32
// CHECK-DAG: llvm.mlir.global external constant @__qcc_model_meta()
// CHECK-LABEL: llvm.func @__qcc_model_invoke(%arg0: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %arg0[0]
// CHECK: %[[A0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %arg0[1]
// CHECK: %[[A1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_main(%[[A0]], %[[A1]])
module attributes {qcc.signature = {entry = "main",
    inputs = [{name = "img", type = tensor<1x3xf32>}],
    outputs = [{name = "q", type = tensor<1x3xui8>}]}} {
  llvm.func @_mlir_ciface_main(%a: !llvm.ptr, %b: !llvm.ptr) {
    llvm.return
  }
}

// -----

// expected-error @+1 {{missing qcc.signature module attribute}}
module {
}

// -----

// expected-error @+1 {{C interface function '_mlir_ciface_main' not found}}
module attributes {qcc.signature = {entry = "main", inputs = [], outputs = []}} {
}
