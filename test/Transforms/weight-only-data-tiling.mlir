// qcc-weight-only-data-tiling: a float contraction whose weight is a tagged
// 4-bit blockwise dequantization of constants -> the generic of the
// target's int4 weight-only microkernel, over nibble panels [N/N0, K/2, N0]
// and parameter panels [N/N0, K/G, N0] packed at compile time.
// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-weight-only-data-tiling))" | FileCheck %s

// AVX2: N0 = 16. Symmetric nibbles are stored offset (u ^ 8): byte 33 =
// 0x21 (k = 0: 1, k = 1: 2) becomes 0xA9 = -87, 127 = 0x7F becomes 0xF7 =
// -9, -128 = 0x80 becomes 0x08; in the second k-pair 15 = 0x0F becomes
// 0x87 = -121, -120 = 0x88 becomes 0x00, 0 becomes 0x88 = -120. Columns 3
// to 15 are padding (byte 0, scale 0). Groups of 2: scale rows 1 2 3 and
// 4 5 6. The body subtracts the zero point 8.
// CHECK-LABEL: func.func @sym_avx2
// CHECK-SAME: (%[[A:.*]]: tensor<5x4xf32>, %[[C:.*]]: tensor<5x3xf32>)
// CHECK: %[[CP:.*]] = tensor.pad %[[C]] low[0, 0] high[0, 13]
// CHECK: %[[QF:.*]] = arith.constant dense<[-87, -9, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -121, 0, -120, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<32xi8>
// CHECK: %[[Q:.*]] = tensor.expand_shape %[[QF]] {{\[\[}}0, 1, 2]] output_shape [1, 2, 16]
// CHECK: %[[SF:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, {{.*}}, 4.000000e+00, 5.000000e+00, 6.000000e+00, 0.000000e+00, {{.*}}]> : tensor<32xf32>
// CHECK: %[[S:.*]] = tensor.expand_shape %[[SF]] {{\[\[}}0, 1, 2]] output_shape [1, 2, 16]
// CHECK: %[[C3:.*]] = tensor.expand_shape %[[CP]] {{\[\[}}0], [1, 2]] output_shape [5, 1, 16]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[MA:.*]], #[[MQ:.*]], #[[MQ]], #[[MC:.*]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[Q]], %[[S]] : tensor<5x4xf32>, tensor<1x2x16xi8>, tensor<1x2x16xf32>) outs(%[[C3]] : tensor<5x1x16xf32>) attrs = {qcc.ukernel = "quk_w4_f32_16_avx2"}
// CHECK: arith.uitofp
// CHECK: arith.constant 8.000000e+00 : f32
// CHECK: arith.subf
// CHECK: %[[RC:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<5x1x16xf32> into tensor<5x16xf32>
// CHECK: %[[RS:.*]] = tensor.extract_slice %[[RC]][0, 0] [5, 3] [1, 1]
// CHECK: return %[[RS]]
// CHECK-NOT: linalg.matmul
#q = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
#p = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @sym_avx2(%a: tensor<5x4xf32>, %c: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : i32
  %c8 = arith.constant 8 : i32
  %q = arith.constant dense<[[33, 127, -128], [15, -120, 0]]> : tensor<2x3xi8>
  %s = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %w = linalg.generic {indexing_maps = [#q, #p, #id], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<2x3xi8>, tensor<2x3xf32>) outs(%e : tensor<4x3xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 2, 1>, packed_dim = 0 : i64}} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.extui %in : i8 to i32
    %1 = linalg.index 0 : index
    %2 = arith.remui %1, %c2 : index
    %3 = arith.muli %2, %c4 : index
    %4 = arith.index_castui %3 : index to i32
    %5 = arith.shrui %0, %4 : i32
    %6 = arith.andi %5, %c15 : i32
    %7 = arith.xori %6, %c8 : i32
    %8 = arith.subi %7, %c8 : i32
    %9 = arith.sitofp %8 : i32 to f32
    %10 = arith.mulf %9, %sc : f32
    linalg.yield %10 : f32
  } -> tensor<4x3xf32>
  %m = linalg.matmul ins(%a, %w : tensor<5x4xf32>, tensor<4x3xf32>) outs(%c : tensor<5x3xf32>) -> tensor<5x3xf32>
  return %m : tensor<5x3xf32>
}
}

// -----

// aarch64: the portable kernel, N0 = 8. Zero points: the _zp entry point
// and a third panel of zero points (3, 12), stored as unsigned bytes. The weight is [N, K]
// (Gemm's transB), packed along K (packed_dim 1), one group spanning K
// (the constant 0 map); the rows of a 3-D activation are collapsed and
// the result expanded back. Unsigned nibbles are stored as they are.
// CHECK-LABEL: func.func @asym_transposed
// CHECK: %[[A:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: arith.constant dense<[33, -16, 0, 0, 0, 0, 0, 0, 67, 15, 0, 0, 0, 0, 0, 0]> : tensor<16xi8>
// CHECK: arith.constant dense<[5.000000e-01, 2.500000e-01, 0.000000e+00, {{.*}}]> : tensor<8xf32>
// CHECK: arith.constant dense<[3, 12, 0, 0, 0, 0, 0, 0]> : tensor<8xi8>
// CHECK: linalg.generic {{.*}} ins(%[[A]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<6x4xf32>, tensor<1x2x8xi8>, tensor<1x1x8xf32>, tensor<1x1x8xi8>) outs(%{{.*}} : tensor<6x1x8xf32>) attrs = {qcc.ukernel = "quk_w4_f32_8_generic_zp"}
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [6, 2] [1, 1]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 3, 2]
// CHECK-NOT: qcc.dequantize_blockwise
module attributes {llvm.target = #llvm.target<triple = "aarch64-unknown-linux-gnu", chip = "generic", features = #llvm.target_features<["+neon"]>>} {
func.func @asym_transposed(%a: tensor<2x3x4xf32>, %c: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : i32
  %q = arith.constant dense<[[33, 67], [-16, 15]]> : tensor<2x2xi8>
  %s = arith.constant dense<[[0.5], [0.25]]> : tensor<2x1xf32>
  %z = arith.constant dense<[[3], [12]]> : tensor<2x1xi8>
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1 floordiv 2)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s, %z : tensor<2x2xi8>, tensor<2x1xf32>, tensor<2x1xi8>) outs(%e : tensor<2x4xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 1, 4>, packed_dim = 1 : i64, zero_point_signed = false}} {
  ^bb0(%in: i8, %sc: f32, %zp: i8, %out: f32):
    %0 = arith.extui %in : i8 to i32
    %1 = linalg.index 1 : index
    %2 = arith.remui %1, %c2 : index
    %3 = arith.muli %2, %c4 : index
    %4 = arith.index_castui %3 : index to i32
    %5 = arith.shrui %0, %4 : i32
    %6 = arith.andi %5, %c15 : i32
    %7 = arith.extui %zp : i8 to i32
    %8 = arith.subi %6, %7 : i32
    %9 = arith.sitofp %8 : i32 to f32
    %10 = arith.mulf %9, %sc : f32
    linalg.yield %10 : f32
  } -> tensor<2x4xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %w : tensor<2x3x4xf32>, tensor<2x4xf32>) outs(%c : tensor<2x3x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x3x2xf32>
  return %m : tensor<2x3x2xf32>
}
}

// -----

// Left alone: a dequantization without the tag, and a tagged one with an
// odd group (a nibble pair would straddle two groups).
// CHECK-LABEL: func.func @untagged
// CHECK: linalg.matmul
// CHECK-NOT: qcc.ukernel
// CHECK-LABEL: func.func @odd_group
// CHECK: linalg.matmul
// CHECK-NOT: qcc.ukernel
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @untagged(%a: tensor<1x4xf32>, %c: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %q = arith.constant dense<1> : tensor<2x3xi8>
  %s = arith.constant dense<1.0> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<2x3xi8>, tensor<2x3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<4x3xf32>
  %m = linalg.matmul ins(%a, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%c : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %m : tensor<1x3xf32>
}
func.func @odd_group(%a: tensor<1x6xf32>, %c: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %q = arith.constant dense<1> : tensor<3x3xi8>
  %s = arith.constant dense<1.0> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<6x3xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (d0 floordiv 3, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<3x3xi8>, tensor<2x3xf32>) outs(%e : tensor<6x3xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 3, 1>, packed_dim = 0 : i64}} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<6x3xf32>
  %m = linalg.matmul ins(%a, %w : tensor<1x6xf32>, tensor<6x3xf32>) outs(%c : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %m : tensor<1x3xf32>
}
}
