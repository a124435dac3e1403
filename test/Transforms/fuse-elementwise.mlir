// RUN: qcc-opt %s --qcc-fuse-elementwise | FileCheck %s

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#win = affine_map<(d0, d1) -> (d0 + d1)>
#row = affine_map<(d0, d1) -> (d1)>
#lhs = affine_map<(d0, d1, d2) -> (d0, d2)>
#rhs = affine_map<(d0, d1, d2) -> (d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1)>

// The flat grouped convolution maps of @dequant_into_named_depthwise.
// CHECK-DAG: #[[GX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[GW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1 + d2, d5, d6, d7)>

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

// Upstream fuses into generic consumers only: a named contraction with a
// dequantization producer is generalized, and the weights are read as i8
// in the fused contraction.
// CHECK-LABEL: func.func @dequant_into_named_matmul
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x5xi8>)
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.{{generic|matmul|conv}}
// CHECK: return
func.func @dequant_into_named_matmul(%x: tensor<4x8xf32>, %q: tensor<8x5xi8>, %acc: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %e = tensor.empty() : tensor<8x5xf32>
  %w = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<8x5xi8>) outs(%e : tensor<8x5xf32>) {
  ^bb0(%a: i8, %o: f32):
    %f = arith.sitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x5xf32>
  %r = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x5xf32>) outs(%acc : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// The dequantization becomes fusable only once the per-column scale is
// fused into it; the matmul is generalized in the next round.
// CHECK-LABEL: func.func @dequant_chain_into_named_matmul
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<4x8xf32>, tensor<8x5xi8>, tensor<5xf32>)
// CHECK-NOT: linalg.{{generic|matmul|conv}}
// CHECK: return
func.func @dequant_chain_into_named_matmul(%x: tensor<4x8xf32>, %q: tensor<8x5xi8>, %s: tensor<5xf32>, %acc: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %e = tensor.empty() : tensor<8x5xf32>
  %d = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<8x5xi8>) outs(%e : tensor<8x5xf32>) {
  ^bb0(%a: i8, %o: f32):
    %f = arith.sitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<8x5xf32>
  %w = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]} ins(%d, %s : tensor<8x5xf32>, tensor<5xf32>) outs(%e : tensor<8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<8x5xf32>
  %r = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x5xf32>) outs(%acc : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// A float producer does not fuse into a contraction, which stays named.
// CHECK-LABEL: func.func @named_matmul_kept
// CHECK: math.tanh
// CHECK: linalg.matmul
func.func @named_matmul_kept(%x: tensor<4x8xf32>, %w: tensor<8x5xf32>, %acc: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %e = tensor.empty() : tensor<8x5xf32>
  %t = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<8x5xf32>) outs(%e : tensor<8x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %f = math.tanh %a : f32
    linalg.yield %f : f32
  } -> tensor<8x5xf32>
  %r = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x5xf32>) outs(%acc : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

// A named depthwise convolution reads its weights through the grouped view
// [G, F/G, C/G, KH, KW]: generalized, the views fold into the maps (the
// flat grouped generic: channel g * (C/G) + c, filter g * (F/G) + f) and
// the weight dequantization fuses through them (maps GX, GW at the top).
// CHECK-LABEL: func.func @dequant_into_named_depthwise
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {indexing_maps = [#[[GX]], #[[GW]], #{{.*}}], {{.*}} ins(%arg0, %arg1 : tensor<1x4x10x10xf32>, tensor<4x1x3x3xi8>)
// CHECK: arith.sitofp
// CHECK-NOT: linalg.{{generic|matmul|conv}}
// CHECK: tensor.collapse_shape
func.func @dequant_into_named_depthwise(%x: tensor<1x4x10x10xf32>, %q: tensor<4x1x3x3xi8>, %acc: tensor<1x4x1x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %e = tensor.empty() : tensor<4x1x3x3xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<4x1x3x3xi8>) outs(%e : tensor<4x1x3x3xf32>) {
  ^bb0(%a: i8, %o: f32):
    %f = arith.sitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<4x1x3x3xf32>
  %xg = tensor.expand_shape %x [[0], [1, 2], [3], [4]] output_shape [1, 4, 1, 10, 10] : tensor<1x4x10x10xf32> into tensor<1x4x1x10x10xf32>
  %wg = tensor.expand_shape %w [[0, 1], [2], [3], [4]] output_shape [4, 1, 1, 3, 3] : tensor<4x1x3x3xf32> into tensor<4x1x1x3x3xf32>
  %r = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xg, %wg : tensor<1x4x1x10x10xf32>, tensor<4x1x1x3x3xf32>) outs(%acc : tensor<1x4x1x8x8xf32>) -> tensor<1x4x1x8x8xf32>
  %c = tensor.collapse_shape %r [[0], [1, 2], [3], [4]] : tensor<1x4x1x8x8xf32> into tensor<1x4x8x8xf32>
  return %c : tensor<1x4x8x8xf32>
}
