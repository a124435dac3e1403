// RUN: qcc-opt %s --qcc-quantize-weights="min-elements=1" --verify-diagnostics
// RUN: not qcc-opt %s --qcc-quantize-weights="bits=5" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: qcc-quantize-weights: bits must be 8, 4, 3 or 2

func.func @badbits(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  // expected-error @+1 {{qcc-quantize-weights: qcc.bits must be 2, 3, 4, 8 or 32}}
  %0 = qcc.matmul %x, %w {qcc.bits = 5 : i64} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
