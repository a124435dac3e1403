// qcc-data-tiling: linalg.matmul with a constant weight -> linalg.mmt4d over
// the tile of the target's microkernel, the weight packed into
// [N/N0, K/K0, N0, K0] panels at compile time: a flat constant (inline
// dense elements up to 64 elements, a resource blob above) expanded to 4-D.
// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-data-tiling))" | FileCheck %s

// AVX2 f32: tile 1x16x1. W[k][n] = 10 k + n; panel element [n1][k][j][0] is
// W[k][16 n1 + j]; N = 20 is padded to 32 with zero columns, so the
// accumulator is padded and the result sliced back.
// CHECK-LABEL: func.func @f32_avx2
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>, %[[C:.*]]: tensor<3x20xf32>)
// CHECK: %[[CP:.*]] = tensor.pad %[[C]] low[0, 0] high[0, 12]
// CHECK: %[[WF:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.600000e+01, 1.700000e+01, 1.800000e+01, 1.900000e+01, 2.000000e+01, 2.100000e+01, 2.200000e+01, 2.300000e+01, 2.400000e+01, 2.500000e+01, 1.600000e+01, 1.700000e+01, 1.800000e+01, 1.900000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 2.600000e+01, 2.700000e+01, 2.800000e+01, 2.900000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<64xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %[[WF]] {{\[\[}}0, 1, 2, 3]] output_shape [2, 2, 16, 1]
// CHECK: %[[A4:.*]] = tensor.expand_shape %[[A]] {{\[\[}}0], [1, 2, 3]] output_shape [3, 2, 1, 1]
// CHECK: %[[C4:.*]] = tensor.expand_shape %[[CP]] {{\[\[}}0], [1, 2, 3]] output_shape [3, 2, 1, 16]
// CHECK: %[[R:.*]] = linalg.mmt4d ins(%[[A4]], %[[W]] : tensor<3x2x1x1xf32>, tensor<2x2x16x1xf32>) outs(%[[C4]] : tensor<3x2x1x16xf32>)
// CHECK: %[[RC:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2, 3]] : tensor<3x2x1x16xf32> into tensor<3x32xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[RC]][0, 0] [3, 20] [1, 1]
// CHECK: return %[[S]]
// CHECK-NOT: linalg.matmul
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @f32_avx2(%a: tensor<3x2xf32>, %c: tensor<3x20xf32>) -> tensor<3x20xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0],
                             [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0]]> : tensor<2x20xf32>
  %m = linalg.matmul ins(%a, %w : tensor<3x2xf32>, tensor<2x20xf32>) outs(%c : tensor<3x20xf32>) -> tensor<3x20xf32>
  return %m : tensor<3x20xf32>
}
}

// -----

// AVX-512 VNNI int8: tile 1x32x4 (k-quads of 32 columns); a dynamic M stays
// dynamic, and N = 16 is padded to 32 (accumulator padded, result sliced).
// Element [0][0][j][i] = W[i][j] = 16 i + j (the quad of column j), then
// zero columns: the blob is 0x08000000 (alignment) and those bytes.
// CHECK-LABEL: func.func @s8_vnni
// CHECK: tensor.pad %arg1 low[0, 0] high[%{{.*}}, 16]
// CHECK: %[[W:.*]] = arith.constant dense_resource<[[BLOB:packed.quk_mmt4d_s8s8s32_32x4_avx512vnni.[0-9]+]]> : tensor<128xi8>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [%{{.*}}, 1, 1, 4] : tensor<?x4xi8> into tensor<?x1x1x4xi8>
// CHECK: linalg.mmt4d ins({{.*}} : tensor<?x1x1x4xi8>, tensor<1x1x32x4xi8>) outs({{.*}} : tensor<?x1x1x32xi32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [%{{.*}}, 16] [1, 1] : tensor<?x32xi32> to tensor<?x16xi32>
// CHECK: [[BLOB]]: "0x08000000001020300111213102122232031323330414243405152535061626360717273708182838091929390A1A2A3A0B1B2B3B0C1C2C3C0D1D2D3D0E1E2E3E0F1F2F3F00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "znver4", features = #llvm.target_features<["+avx2", "+avx512f", "+avx512bw", "+avx512vl", "+avx512vnni", "+fma"]>>} {
func.func @s8_vnni(%a: tensor<?x4xi8>, %c: tensor<?x16xi32>) -> tensor<?x16xi32> {
  %w = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
                             [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31],
                             [32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
                             [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]]> : tensor<4x16xi8>
  %m = linalg.matmul ins(%a, %w : tensor<?x4xi8>, tensor<4x16xi8>) outs(%c : tensor<?x16xi32>) -> tensor<?x16xi32>
  return %m : tensor<?x16xi32>
}
}

// -----

// K = 6 is not a multiple of the VNNI quad: the AVX2 pair kernel (1x16x2).
// CHECK-LABEL: func.func @s8_k_tail
// CHECK: arith.constant dense_resource<packed.quk_mmt4d_s8s8s32_16x2_avx2.{{[0-9]+}}> : tensor<96xi8>
// CHECK: linalg.mmt4d ins({{.*}} : tensor<2x3x1x2xi8>, tensor<1x3x16x2xi8>)
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "znver4", features = #llvm.target_features<["+avx2", "+avx512f", "+avx512bw", "+avx512vl", "+avx512vnni", "+fma"]>>} {
func.func @s8_k_tail(%a: tensor<2x6xi8>, %c: tensor<2x16xi32>) -> tensor<2x16xi32> {
  %w = arith.constant dense<1> : tensor<6x16xi8>
  %m = linalg.matmul ins(%a, %w : tensor<2x6xi8>, tensor<6x16xi8>) outs(%c : tensor<2x16xi32>) -> tensor<2x16xi32>
  return %m : tensor<2x16xi32>
}
}

// -----

// Gemm's transB: a matmul with indexing maps reading W as [N, K]; packing
// transposes it (element [0][k][j][0] = W[j][k] = 4 j + k). The bias
// broadcast stays the accumulator the kernel adds to.
// CHECK-LABEL: func.func @transposed
// CHECK: arith.constant dense<[0.000000e+00, 4.000000e+00, 8.000000e+00, {{.*}}, 6.000000e+01, 1.000000e+00, 5.000000e+00, {{.*}}, 6.300000e+01]> : tensor<64xf32>
// CHECK: linalg.mmt4d ins({{.*}} : tensor<2x4x1x1xf32>, tensor<1x4x16x1xf32>)
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx2", "+fma"]>>} {
func.func @transposed(%a: tensor<2x4xf32>, %c: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0],
                             [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0],
                             [32.0, 33.0, 34.0, 35.0], [36.0, 37.0, 38.0, 39.0], [40.0, 41.0, 42.0, 43.0], [44.0, 45.0, 46.0, 47.0],
                             [48.0, 49.0, 50.0, 51.0], [52.0, 53.0, 54.0, 55.0], [56.0, 57.0, 58.0, 59.0], [60.0, 61.0, 62.0, 63.0]]> : tensor<16x4xf32>
  %m = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
         ins(%a, %w : tensor<2x4xf32>, tensor<16x4xf32>) outs(%c : tensor<2x16xf32>) -> tensor<2x16xf32>
  return %m : tensor<2x16xf32>
}
}

// -----

// A batch_matmul with a broadcast 2-D weight (MatMul of a [B, S, K]
// activation, as transformers export): batch and rows collapse into the
// mmt4d rows, the result expands back; a dynamic batch stays dynamic.
// CHECK-LABEL: func.func @batched_rows
// CHECK: %[[A2:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x3x8xf32> into tensor<?x8xf32>
// CHECK: %[[C2:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2]] : tensor<?x3x16xf32> into tensor<?x16xf32>
// CHECK: linalg.mmt4d ins({{.*}} : tensor<?x8x1x1xf32>, tensor<1x8x16x1xf32>) outs({{.*}} : tensor<?x1x1x16xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [%{{.*}}, 3, 16] : tensor<?x16xf32> into tensor<?x3x16xf32>
// CHECK-NOT: linalg.batch_matmul
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx2", "+fma"]>>} {
func.func @batched_rows(%a: tensor<?x3x8xf32>, %c: tensor<?x3x16xf32>) -> tensor<?x3x16xf32> {
  %w = arith.constant dense<1.0> : tensor<8x16xf32>
  %m = linalg.batch_matmul indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>]
         ins(%a, %w : tensor<?x3x8xf32>, tensor<8x16xf32>) outs(%c : tensor<?x3x16xf32>) -> tensor<?x3x16xf32>
  return %m : tensor<?x3x16xf32>
}
}

// -----

// Left alone: a non-constant weight, an unsigned cast, no target.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: mmt4d
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK-NOT: mmt4d
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx2", "+fma"]>>} {
func.func @untouched(%a: tensor<2x4xf32>, %w: tensor<4x16xf32>, %c: tensor<2x16xf32>, %ai: tensor<2x4xi8>, %ci: tensor<2x16xi32>) -> (tensor<2x16xf32>, tensor<2x16xi32>) {
  %m = linalg.matmul ins(%a, %w : tensor<2x4xf32>, tensor<4x16xf32>) outs(%c : tensor<2x16xf32>) -> tensor<2x16xf32>
  %wi = arith.constant dense<1> : tensor<4x16xi8>
  %u = linalg.matmul {cast = #linalg.type_fn<cast_unsigned>} ins(%ai, %wi : tensor<2x4xi8>, tensor<4x16xi8>) outs(%ci : tensor<2x16xi32>) -> tensor<2x16xi32>
  return %m, %u : tensor<2x16xf32>, tensor<2x16xi32>
}
}

// -----

// CHECK-LABEL: func.func @no_target
// CHECK-NOT: mmt4d
func.func @no_target(%a: tensor<2x4xf32>, %c: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %w = arith.constant dense<1.0> : tensor<4x16xf32>
  %m = linalg.matmul ins(%a, %w : tensor<2x4xf32>, tensor<4x16xf32>) outs(%c : tensor<2x16xf32>) -> tensor<2x16xf32>
  return %m : tensor<2x16xf32>
}

// -----

// A constant LHS times an activation RHS (a pointwise convolution's
// out[f, p] = W[f, c] X[c, p]): X is packed at run time with linalg.pack,
// lowered to expand_shape + linalg.transpose ([K, N] -> [N/N0, K, N0, 1]),
// and the constant is the row-major LHS as it is. N = 40 is padded to 48
// (the pack pads X with zeros, the accumulator is padded, the result
// sliced).
// CHECK-LABEL: func.func @runtime_rhs_avx2
// CHECK-SAME: (%[[X:.*]]: tensor<4x40xf32>, %[[C:.*]]: tensor<2x40xf32>)
// CHECK: %[[XP:.*]] = tensor.pad %[[X]] low[0, 0] high[0, 8]
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[XP]] {{\[\[}}0, 1], [2, 3]] output_shape [4, 1, 3, 16] : tensor<4x48xf32> into tensor<4x1x3x16xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[XE]] : tensor<4x1x3x16xf32>) outs(%{{.*}} : tensor<3x4x16x1xf32>) permutation = [2, 0, 3, 1]
// CHECK: %[[CP:.*]] = tensor.pad %[[C]] low[0, 0] high[0, 8]
// CHECK: %[[A4:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [2, 4, 1, 1] : tensor<2x4xf32> into tensor<2x4x1x1xf32>
// CHECK: %[[C4:.*]] = tensor.expand_shape %[[CP]] {{\[\[}}0], [1, 2, 3]] output_shape [2, 3, 1, 16]
// CHECK: %[[R:.*]] = linalg.mmt4d ins(%[[A4]], %[[XT]] : tensor<2x4x1x1xf32>, tensor<3x4x16x1xf32>) outs(%[[C4]] : tensor<2x3x1x16xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 40] [1, 1]
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.pack
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @runtime_rhs_avx2(%x: tensor<4x40xf32>, %c: tensor<2x40xf32>) -> tensor<2x40xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %m = linalg.matmul ins(%w, %x : tensor<2x4xf32>, tensor<4x40xf32>) outs(%c : tensor<2x40xf32>) -> tensor<2x40xf32>
  return %m : tensor<2x40xf32>
}
}

// -----

// Both operands computed at run time: left alone.
// CHECK-LABEL: func.func @runtime_both
// CHECK: linalg.matmul
// CHECK-NOT: linalg.mmt4d
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @runtime_both(%a: tensor<2x4xf32>, %x: tensor<4x48xf32>, %c: tensor<2x48xf32>) -> tensor<2x48xf32> {
  %m = linalg.matmul ins(%a, %x : tensor<2x4xf32>, tensor<4x48xf32>) outs(%c : tensor<2x48xf32>) -> tensor<2x48xf32>
  return %m : tensor<2x48xf32>
}
}
