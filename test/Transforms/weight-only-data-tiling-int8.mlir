// qcc-weight-only-data-tiling{int8-activations=true}: the activation is
// quantized per row and weight group to int8 (scale max|a| / 127, round
// half to even, clamp to +-127) by three generics, and the contraction
// becomes the target's s8 x u4 microkernel, whose nibble panels are
// [N/N0, K/8, N0, 4]: byte i of a column's 8-k block holds k = i (low
// nibble) and k = 4 + i (high nibble), the order vpdpbusd/vpmaddubsw
// take four bytes per 32-bit lane.
// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-weight-only-data-tiling{int8-activations=true}))" | FileCheck %s

// AVX2, N0 = 16, K = G = 8 (one group: the scale map is the constant 0),
// one column. Signed nibbles 1..7, 0 stored
// offset (s + 8): 9..15, 8; bytes 9 | 13 << 4 = 0xD9 = -39, 10 | 14 << 4 =
// -22, 11 | 15 << 4 = -5, 12 | 8 << 4 = 0x8C = -116; columns 1 to 15 are
// padding.
// CHECK-LABEL: func.func @sym_int8
// CHECK-SAME: (%[[A:.*]]: tensor<2x8xf32>
// CHECK: %[[A3:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 8] : tensor<2x8xf32> into tensor<2x1x8xf32>
// CHECK: %[[AMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A3]] : tensor<2x1x8xf32>) outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: %[[SA:.*]] = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<2x1xf32>)
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: %[[AQ3:.*]] = linalg.generic {{.*}} ins(%[[A3]], %[[SA]] : tensor<2x1x8xf32>, tensor<2x1xf32>) outs(%{{.*}} : tensor<2x1x8xi8>)
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : f32 to i8
// CHECK: %[[AQ:.*]] = tensor.collapse_shape %[[AQ3]] {{\[\[}}0], [1, 2]] : tensor<2x1x8xi8> into tensor<2x8xi8>
// CHECK: arith.constant dense<[-39, -22, -5, -116, 0, 0, 0, 0, {{.*}}]> : tensor<64xi8>
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 1, 16, 4]
// CHECK: linalg.generic {{.*}} ins(%[[AQ]], %[[SA]], %{{.*}}, %{{.*}} : tensor<2x8xi8>, tensor<2x1xf32>, tensor<1x1x16x4xi8>, tensor<1x1x16xf32>) outs(%{{.*}} : tensor<2x1x16xf32>) attrs = {qcc.ukernel = "quk_w4_s8_16_avx2"}
// CHECK: arith.sitofp {{.*}} : i8 to f32
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 1] [1, 1]
// CHECK-NOT: linalg.matmul
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @sym_int8(%a: tensor<2x8xf32>, %c: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : i32
  %c8 = arith.constant 8 : i32
  %q = arith.constant dense<[[33], [67], [101], [7]]> : tensor<4x1xi8>
  %s = arith.constant dense<[[0.5]]> : tensor<1x1xf32>
  %e = tensor.empty() : tensor<8x1xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<4x1xi8>, tensor<1x1xf32>) outs(%e : tensor<8x1xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64}} {
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
  } -> tensor<8x1xf32>
  %m = linalg.matmul ins(%a, %w : tensor<2x8xf32>, tensor<8x1xf32>) outs(%c : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %m : tensor<2x1xf32>
}
}

// -----

// Groups of 4 take the f32-activation kernel: the int8 kernels take k in
// blocks of 8 inside one group. No activation quantization.
// CHECK-LABEL: func.func @group4
// CHECK-NOT: math.roundeven
// CHECK-NOT: linalg.matmul
// CHECK: qcc.ukernel = "quk_w4_f32_16_avx2"
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @group4(%a: tensor<1x8xf32>, %c: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %q = arith.constant dense<1> : tensor<4x1xi8>
  %s = arith.constant dense<1.0> : tensor<2x1xf32>
  %e = tensor.empty() : tensor<8x1xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (d0 floordiv 4, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<4x1xi8>, tensor<2x1xf32>) outs(%e : tensor<8x1xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 4, 1>, packed_dim = 0 : i64}} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %m = linalg.matmul ins(%a, %w : tensor<1x8xf32>, tensor<8x1xf32>) outs(%c : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %m : tensor<1x1xf32>
}
}

// -----

// More activation rows than int8-max-rows (64 > 32), groups of 8: the f32
// kernel, which is faster there than quantizing the activations.
// CHECK-LABEL: func.func @rows64
// CHECK-NOT: math.roundeven
// CHECK-NOT: linalg.matmul
// CHECK: qcc.ukernel = "quk_w4_f32_16_avx2"
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @rows64(%a: tensor<64x8xf32>, %c: tensor<64x1xf32>) -> tensor<64x1xf32> {
  %q = arith.constant dense<1> : tensor<4x1xi8>
  %s = arith.constant dense<1.0> : tensor<1x1xf32>
  %e = tensor.empty() : tensor<8x1xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 floordiv 2, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%q, %s : tensor<4x1xi8>, tensor<1x1xf32>) outs(%e : tensor<8x1xf32>) attrs = {qcc.dequantize_blockwise = {bits = 4 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64}} {
  ^bb0(%in: i8, %sc: f32, %out: f32):
    %0 = arith.sitofp %in : i8 to f32
    %1 = arith.mulf %0, %sc : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %m = linalg.matmul ins(%a, %w : tensor<64x8xf32>, tensor<8x1xf32>) outs(%c : tensor<64x1xf32>) -> tensor<64x1xf32>
  return %m : tensor<64x1xf32>
}
}
