// RUN: qcc-opt %s --qcc-quantize-weights="min-elements=1" --verify-diagnostics

func.func @badbits(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x2xf32>
  // expected-error @+1 {{qcc-quantize-weights: qcc.bits must be 4, 8 or 32}}
  %0 = qcc.matmul %x, %w {qcc.bits = 3 : i64} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
