// The register block of a contraction follows the module's llvm.target (what
// qcc --mcpu/--mattr write): two f32 vectors across and as many rows as keep
// the accumulators within half the vector registers.
// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize),canonicalize)" | FileCheck %s
// The pass options override the target.
// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize{vector-width=8 row-tile=2}),canonicalize)" | FileCheck %s --check-prefix=OPT

// AVX2 (x86-64-v3): 256-bit vectors, 16 registers -> 4 rows x 16 columns.
// CHECK-LABEL: func.func @avx2
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: tensor.extract_slice {{.*}} [4, 16] [1, 1] : tensor<8x32xf32> to tensor<4x16xf32>
// CHECK: arith.mulf {{.*}} : vector<4x16x1xf32>
// CHECK: vector.transfer_write {{.*}} : vector<4x16xf32>, tensor<4x16xf32>
// OPT-LABEL: func.func @avx2
// OPT: arith.mulf {{.*}} : vector<2x8x1xf32>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @avx2(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}
}

// -----

// AVX-512 (512-bit, 32 registers): 8 rows x 32 columns.
// CHECK-LABEL: func.func @avx512
// CHECK: arith.mulf {{.*}} : vector<8x32x1xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v4", features = #llvm.target_features<["+avx", "+avx2", "+avx512f", "+fma"]>>} {
func.func @avx512(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}
}

// -----

// AVX-512 cores LLVM tunes for 256-bit vectors (prefer-256-bit, e.g.
// sapphirerapids): ymm-sized tiles, 32 registers -> 8 rows x 16 columns.
// CHECK-LABEL: func.func @prefer256
// CHECK: arith.mulf {{.*}} : vector<8x16x1xf32>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "sapphirerapids", features = #llvm.target_features<["+avx2", "+avx512f", "+prefer-256-bit"]>>} {
func.func @prefer256(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}
}

// -----

// AArch64 NEON (128-bit, 32 registers): 8 rows x 8 columns.
// CHECK-LABEL: func.func @neon
// CHECK: arith.mulf {{.*}} : vector<8x8x1xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x8xf32>, tensor<8x8xf32>
module attributes {llvm.target = #llvm.target<triple = "aarch64-unknown-linux-gnu", chip = "cortex-a76", features = #llvm.target_features<["+neon", "+dotprod"]>>} {
func.func @neon(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}
}

// -----

// SSE2 only (x86-64 baseline): 128-bit, 16 registers -> 4 rows x 8 columns.
// CHECK-LABEL: func.func @sse2
// CHECK: arith.mulf {{.*}} : vector<4x8x1xf32>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64", features = #llvm.target_features<["+sse", "+sse2"]>>} {
func.func @sse2(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}
}
