// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8 min-elements=1" | FileCheck %s --check-prefix=W8
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=4 group-size=2 min-elements=1" | FileCheck %s --check-prefix=W4
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8 symmetric=false min-elements=1" | FileCheck %s --check-prefix=ASYM
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8" | FileCheck %s --check-prefix=SMALL

// Per output channel (column) int8: column 0 has max |w| 1.27, scale 0.01;
// column 1 max 2.54, scale 0.02. Values round half to even.
// W8: module attributes {qcc.weight_bytes = {float = 24 : i64, quantized = 14 : i64}}
// W8-LABEL: func.func @matmul
// W8: %[[Q:.*]] = arith.constant dense<{{\[\[}}127, -64], [-100, 127], [0, 1]]> : tensor<3x2xi8>
// W8: %[[S:.*]] = arith.constant dense<{{\[\[}}0.00999999977, 2.000000e-02]]> : tensor<1x2xf32>
// W8: %[[D:.*]] = qcc.dequantize_blockwise %[[Q]], %[[S]] {block_shape = array<i64: 3, 1>} : (tensor<3x2xi8>, tensor<1x2xf32>) -> tensor<3x2xf32>
// W8: qcc.matmul %arg0, %[[D]]

// Two 4-bit values per byte along the last dimension; a group size that
// does not divide the reduction dimension (3) falls back to per channel.
// W4-LABEL: func.func @matmul
// W4: qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 3, 1>} : (tensor<3x1xi8>, tensor<1x2xf32>) -> tensor<3x2xf32>

// Asymmetric: unsigned storage and a zero point per block.
// ASYM-LABEL: func.func @matmul
// ASYM: qcc.dequantize_blockwise {{.*}} : (tensor<3x2xui8>, tensor<1x2xf32>, tensor<1x2xui8>) -> tensor<3x2xf32>

// Weights below min-elements stay in float.
// SMALL-LABEL: func.func @matmul
// SMALL-NOT: qcc.dequantize_blockwise
func.func @matmul(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.27, -1.28], [-1.0, 2.54], [0.0, 0.02]]> : tensor<3x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Gemm with transB: rows of B are the output channels.
// W8-LABEL: func.func @gemm
// W8: qcc.dequantize_blockwise {{.*}} {block_shape = array<i64: 1, 4>} : (tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<2x4xf32>
// Groups of 2 along the reduction dimension (the rows of B).
// W4-LABEL: func.func @gemm
// W4: qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 1, 2>} : (tensor<2x2xi8>, tensor<2x2xf32>) -> tensor<2x4xf32>
func.func @gemm(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>
  %0 = qcc.gemm %x, %w {trans_b = true} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
