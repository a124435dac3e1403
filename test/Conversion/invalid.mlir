// RUN: not qcc-opt %s --convert-qcc-to-linalg 2>&1 | FileCheck %s
// Ops the lowering cannot handle fail with their location instead of
// producing wrong code.

// Average pooling of unsigned integers is not implemented (signed integer
// average pooling is: qcc-quantize-static uses it in i32).
// CHECK: failed to legalize operation 'qcc.pool'
func.func @uint_avg_pool(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xui8> -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}
