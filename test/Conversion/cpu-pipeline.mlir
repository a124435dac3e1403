// RUN: qcc-opt %s --qcc-cpu-pipeline | FileCheck %s
// The whole CPU pipeline ends in the LLVM dialect with the C ABI glue.

// CHECK: llvm.func @_mlir_ciface_main(
// CHECK-DAG: llvm.mlir.global private constant @__qcc_inputs_0_name("x\00")
// CHECK-DAG: llvm.mlir.global private constant @__qcc_outputs_0_shape(dense<[4, 8]> : tensor<2xi64>)
// CHECK-DAG: llvm.mlir.global external constant @__qcc_model_meta()
// CHECK: llvm.func @__qcc_model_invoke(%{{.*}}: !llvm.ptr)
// CHECK: llvm.call @_mlir_ciface_main
// CHECK-NOT: qcc.
func.func @main(%x: tensor<4x8xf32> {qcc.name = "x"}) -> (tensor<4x8xf32> {qcc.name = "y"}) {
  %0 = qcc.relu %x : tensor<4x8xf32>
  %1 = qcc.tanh %0 : tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
