// RUN: qcc-opt %s --qcc-emit-abi-glue --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-DAG: llvm.mlir.global private constant @__qcc_inputs_0_name("img\00")
// CHECK-DAG: llvm.mlir.global private constant @__qcc_inputs_0_shape(dense<[1, 3]> : tensor<2xi64>)
// The ui8 output keeps its ONNX dtype code (2) although lowering erased it.
// CHECK-DAG: llvm.mlir.constant(2 : i32) : i32
// CHECK-DAG: llvm.mlir.global external constant @__qcc_model_meta()
// Without an llvm.target nothing is recorded for the runtime's CPU check.
// CHECK-DAG: llvm.mlir.global private constant @__qcc_target("\00")
// CHECK-DAG: llvm.mlir.global private constant @__qcc_cpu_features("\00")
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

// With a target: its triple and CPU, and of its features those the runtime
// checks (CpuFeatures.def), in order; "64bit" and the tuning flag are not.
// CHECK-DAG: llvm.mlir.global private constant @__qcc_target("x86_64-pc-linux-gnu x86-64-v3\00")
// CHECK-DAG: llvm.mlir.global private constant @__qcc_cpu_features("avx,avx2,fma,sse2\00")
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+64bit", "+avx", "+avx2", "+fast-gather", "+fma", "+sse2"]>>,
    qcc.signature = {entry = "main", inputs = [], outputs = []}} {
  llvm.func @_mlir_ciface_main() {
    llvm.return
  }
}

// -----

// AArch64: hwcap-checked features only (v8a is an architecture level).
// CHECK-DAG: llvm.mlir.global private constant @__qcc_cpu_features("dotprod,fp-armv8,neon\00")
module attributes {llvm.target = #llvm.target<triple = "aarch64-unknown-linux-gnu", chip = "cortex-a76", features = #llvm.target_features<["+dotprod", "+fp-armv8", "+neon", "+v8a"]>>,
    qcc.signature = {entry = "main", inputs = [], outputs = []}} {
  llvm.func @_mlir_ciface_main() {
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
