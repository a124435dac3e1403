// RUN: qcc-opt %s --qcc-fuse-elementwise | FileCheck %s

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#win = affine_map<(d0, d1) -> (d0 + d1)>
#row = affine_map<(d0, d1) -> (d1)>
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>

// A window gather (im2col-like copy) feeding a contraction stays a separate
// op, so the contraction keeps projected-permutation maps.
// CHECK-LABEL: func.func @window_not_fused
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
func.func @window_not_fused(%x: tensor<12xf32>, %w: tensor<4x5xf32>, %acc: tensor<8x5xf32>) -> tensor<8x5xf32> {
  %e = tensor.empty() : tensor<8x4xf32>
  %col = linalg.generic {indexing_maps = [#win, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<12xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8x4xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%col, %w : tensor<8x4xf32>, tensor<4x5xf32>) outs(%acc : tensor<8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x5xf32>
  return %r : tensor<8x5xf32>
}

// A broadcast producer (single-loop maps) still fuses.
// CHECK-LABEL: func.func @broadcast_fused
// CHECK: linalg.generic
// CHECK-NOT: linalg.generic
func.func @broadcast_fused(%x: tensor<8x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %e = tensor.empty() : tensor<8x4xf32>
  %0 = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<8x4xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  return %1 : tensor<8x4xf32>
}
