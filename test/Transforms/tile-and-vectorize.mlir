// RUN: qcc-opt %s --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize),canonicalize)" | FileCheck %s

// A 8x64x32 matmul: tiled to 4 rows x 16 columns x 8 reduction elements and
// vectorized.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<4x8xf32>, vector<4x16x8xf32>
// CHECK: vector.multi_reduction <add>, {{.*}} [2] : vector<4x16x8xf32> to vector<4x16xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// Elementwise with a broadcast operand: one row of 16 lanes per tile.
// CHECK-LABEL: func.func @bias_tanh
// CHECK: scf.for
// CHECK: math.tanh {{.*}} : vector<1x16xf32>
// CHECK-NOT: linalg.generic
func.func @bias_tanh(%x: tensor<8x32xf32>, %bias: tensor<32xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%x, %bias : tensor<8x32xf32>, tensor<32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// Short odd innermost dimensions are vectorized whole.
// CHECK-LABEL: func.func @odd
// CHECK: math.exp {{.*}} : vector<1x5xf32>
func.func @odd(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%x : tensor<3x5xf32>) outs(%e : tensor<3x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.exp %a : f32
    linalg.yield %t : f32
  } -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}
