// RUN: qcc-opt %s --convert-qcc-to-linalg | FileCheck %s
// The ops with DynamicShapeOpInterface lower with their dynamic dimensions:
// pooling a dynamic batch and channels, concatenation dynamic non-axis
// dimensions, reshape one dynamic result dimension, reductions and
// transposes any (the dynamic matmul, convolution batch, gather and
// elementwise cases are in QccToLinalg/).

// CHECK-LABEL: func.func @pool
// CHECK: linalg.pooling_nchw_max {{.*}} outs(%{{.*}} : tensor<?x?x2x2xf32>) -> tensor<?x?x2x2xf32>
func.func @pool(%x: tensor<?x?x4x4xf32>) -> tensor<?x?x2x2xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<?x?x4x4xf32> -> tensor<?x?x2x2xf32>
  return %0 : tensor<?x?x2x2xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0] [%{{.*}}, 3] [1, 1] : tensor<?x3xf32> into tensor<?x8xf32>
// CHECK: tensor.insert_slice %arg1 into %{{.*}}[0, 3] [%{{.*}}, 5] [1, 1] : tensor<?x5xf32> into tensor<?x8xf32>
func.func @concat(%a: tensor<?x3xf32>, %b: tensor<?x5xf32>) -> tensor<?x8xf32> {
  %0 = qcc.concat %a, %b {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @reshape
// CHECK: tensor.reshape %arg0(%{{.*}}) : (tensor<?x4x2xf32>, tensor<2xi64>) -> tensor<?x8xf32>
func.func @reshape(%x: tensor<?x4x2xf32>) -> tensor<?x8xf32> {
  %0 = qcc.reshape %x : tensor<?x4x2xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @reduce_transpose
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<?x4xf32>)
// CHECK: linalg.transpose
func.func @reduce_transpose(%x: tensor<?x4xf32>) -> tensor<4x1xf32> {
  %0 = qcc.reduce_sum %x {axes = array<i64: 0>} : tensor<?x4xf32> -> tensor<1x4xf32>
  %1 = qcc.transpose %0 {perm = array<i64: 1, 0>} : tensor<1x4xf32> -> tensor<4x1xf32>
  return %1 : tensor<4x1xf32>
}
