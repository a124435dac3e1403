// Stock mlir-opt-22 loads qcc's dialect and passes from the plugin and runs
// a qcc pass (plugin passes are only reachable through --pass-pipeline,
// because they are registered after the command line is parsed).
// RUN: %mlir_opt %s --load-dialect-plugin=%qcc_plugin \
// RUN:   --load-pass-plugin=%qcc_plugin \
// RUN:   --pass-pipeline="builtin.module(qcc-export-signature)" | FileCheck %s

// CHECK: module attributes {qcc.signature = {entry = "main", inputs = [{name = "x", type = tensor<4xui8>}], outputs = [{name = "output_0", type = tensor<4xui8>}]}}
// CHECK: func.func @main(%{{.*}}: tensor<4xui8>) -> tensor<4xui8> attributes {llvm.emit_c_interface}
// CHECK: qcc.relu
func.func @main(%x: tensor<4xui8> {qcc.name = "x"}) -> tensor<4xui8> {
  %0 = qcc.relu %x : tensor<4xui8>
  return %0 : tensor<4xui8>
}
