// RUN: qcc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize{vector-width=8 row-tile=4 forall-min-work=1024}))" | FileCheck %s
// forall-min-work: ops of at least that many iterations tile their
// outermost parallel loop with two or more tiles as an scf.forall (run on
// the thread pool by qcc-forall-to-thread-pool), the other loops inside
// as before; smaller ops keep sequential loops only.

// 64 x 32 elementwise (2048 iterations): rows across threads (tiles of 1),
// columns vectorized.
// CHECK-LABEL: func.func @relu
// CHECK: scf.forall (%[[I:.*]]) in (64) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<64x32xf32>)
// CHECK-NOT: scf.for %{{.*}} = %{{.*}} to %c1 step
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c8
// CHECK: arith.maximumf %{{.*}} : vector<1x8xf32>
// CHECK: scf.forall.in_parallel
func.func @relu(%x: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x32xf32>) outs(%e : tensor<64x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// -----

// A matmul 16x64x32 (32768 iterations): its rows (tiles of 4) across
// threads; the reduction stays inside each thread's tile.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%{{.*}}) = (0) to (16) step (4) shared_outs
// CHECK: scf.for
// CHECK: vector.multi_reduction <add>
// CHECK: scf.forall.in_parallel
func.func @matmul(%a: tensor<16x64xf32>, %b: tensor<64x32xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// 8 x 32 (256 iterations, under forall-min-work): sequential loops only.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK: scf.for
func.func @small(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}
