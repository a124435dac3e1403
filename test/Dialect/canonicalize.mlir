// RUN: qcc-opt %s --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @cast_noop
func.func @cast_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: qcc.cast
  // CHECK: return %arg0
  %0 = qcc.cast %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reshape_noop
func.func @reshape_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: qcc.reshape
  %0 = qcc.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reshape_constant
func.func @reshape_constant() -> tensor<3x2xi64> {
  // CHECK: %[[C:.*]] = arith.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
  // CHECK-NOT: qcc.reshape
  // CHECK: return %[[C]]
  %c = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = qcc.reshape %c : tensor<2x3xi64> -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}
