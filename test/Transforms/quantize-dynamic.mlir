// RUN: qcc-opt %s --split-input-file --qcc-quantize-dynamic="min-elements=1" | FileCheck %s

// Columns are the output channels: column 0 max |w| 1.27 -> scale 0.01,
// column 1 max 2.54 -> scale 0.02. The activation is quantized per row at
// run time and the i32 product rescaled by both scales.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}127, -64], [-100, 127], [0, 1]]> : tensor<3x2xi8>
// CHECK-DAG: %[[WS:.*]] = arith.constant dense<[0.00999999977, 2.000000e-02]> : tensor<2xf32>
// CHECK: %[[Q:.*]], %[[S:.*]] = qcc.dynamic_quantize_rows %arg0 : (tensor<4x3xf32>) -> (tensor<4x3xi8>, tensor<4x1xf32>)
// CHECK: %[[ACC:.*]] = qcc.matmul %[[Q]], %[[W]] {qcc.quant = #qcc.quant<layer = "MatMul_0", op = "MatMul", scheme = "dynamic", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.00999999977, scale_max = 2.000000e-02, bytes_before = 24, bytes_after = 14>} : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]] : tensor<4x2xi32> -> tensor<4x2xf32>
// CHECK: %[[R:.*]] = qcc.mul %[[F]], %[[S]]
// CHECK: %[[Y:.*]] = qcc.mul %[[R]], %[[WS]]
// CHECK: return %[[Y]]
func.func @matmul(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.27, -1.28], [-1.0, 2.54], [0.0, 0.02]]> : tensor<3x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Gemm with transB: the weight is transposed at compile time; bias added.
// CHECK-LABEL: func.func @gemm
// CHECK: arith.constant dense<{{\[\[}}32, -32], [64, -64], [95, -95], [127, -127]]> : tensor<4x2xi8>
// CHECK: qcc.dynamic_quantize_rows
// CHECK: qcc.add
// CHECK-NOT: qcc.gemm
func.func @gemm(%x: tensor<1x4xf32>, %c: tensor<2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>
  %0 = qcc.gemm %x, %w, %c {trans_b = true} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
