// RUN: not qcc-opt %s --qcc-quantize-weights="bits=5" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: qcc-quantize-weights: bits must be 8, 4, 3 or 2
// (A per-op qcc.bits outside 2, 3, 4, 8 and 32 is rejected by the dialect's
// verifier: test/Dialect/invalid.mlir.)

func.func @f(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
