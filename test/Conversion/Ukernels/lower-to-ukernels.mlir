// qcc-lower-to-ukernels: linalg.mmt4d on memrefs -> a call of the target's
// microkernel for its element types and tile, operands cast to dynamic
// strided memrefs; the declaration is private and has the C interface.
// RUN: qcc-opt %s --split-input-file --qcc-lower-to-ukernels | FileCheck %s

// CHECK-LABEL: func.func @f32_avx2
// CHECK-SAME: (%[[A:.*]]: memref<3x2x1x1xf32>, %[[B:.*]]: memref<2x2x16x1xf32>, %[[C:.*]]: memref<3x2x1x16xf32>)
// CHECK: %[[CA:.*]] = memref.cast %[[A]] : memref<3x2x1x1xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[CB:.*]] = memref.cast %[[B]]
// CHECK: %[[CC:.*]] = memref.cast %[[C]]
// CHECK: call @quk_mmt4d_f32_16x1_avx2(%[[CA]], %[[CB]], %[[CC]])
// CHECK-NOT: linalg.mmt4d
// CHECK: func.func private @quk_mmt4d_f32_16x1_avx2(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @f32_avx2(%a: memref<3x2x1x1xf32>, %b: memref<2x2x16x1xf32>, %c: memref<3x2x1x16xf32>) {
  linalg.mmt4d ins(%a, %b : memref<3x2x1x1xf32>, memref<2x2x16x1xf32>) outs(%c : memref<3x2x1x16xf32>)
  return
}
}

// -----

// Two calls of one kernel share the declaration; a tile no kernel has
// (N0 = 4) stays an mmt4d; the VNNI kernel needs avx512vnni.
// CHECK-LABEL: func.func @s8
// CHECK: call @quk_mmt4d_s8s8s32_16x2_avx2(
// CHECK: call @quk_mmt4d_s8s8s32_16x2_avx2(
// CHECK: linalg.mmt4d {{.*}} memref<1x1x4x2xi8>
// CHECK-COUNT-1: func.func private @quk_mmt4d_s8s8s32_16x2_avx2
// CHECK-NOT: func.func private
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx2", "+fma"]>>} {
func.func @s8(%a: memref<?x3x1x2xi8, strided<[?, 2, 2, 1], offset: ?>>, %b: memref<1x3x16x2xi8>, %c: memref<?x1x1x16xi32, strided<[?, 16, 16, 1], offset: ?>>,
              %b4: memref<1x1x4x2xi8>, %a4: memref<2x1x1x2xi8>, %c4: memref<2x1x1x4xi32>) {
  linalg.mmt4d ins(%a, %b : memref<?x3x1x2xi8, strided<[?, 2, 2, 1], offset: ?>>, memref<1x3x16x2xi8>) outs(%c : memref<?x1x1x16xi32, strided<[?, 16, 16, 1], offset: ?>>)
  linalg.mmt4d ins(%a, %b : memref<?x3x1x2xi8, strided<[?, 2, 2, 1], offset: ?>>, memref<1x3x16x2xi8>) outs(%c : memref<?x1x1x16xi32, strided<[?, 16, 16, 1], offset: ?>>)
  linalg.mmt4d ins(%a4, %b4 : memref<2x1x1x2xi8>, memref<1x1x4x2xi8>) outs(%c4 : memref<2x1x1x4xi32>)
  return
}
}

// -----

// Without llvm.target nothing is lowered.
// CHECK-LABEL: func.func @no_target
// CHECK: linalg.mmt4d
// CHECK-NOT: call
func.func @no_target(%a: memref<3x2x1x1xf32>, %b: memref<2x2x16x1xf32>, %c: memref<3x2x1x16xf32>) {
  linalg.mmt4d ins(%a, %b : memref<3x2x1x1xf32>, memref<2x2x16x1xf32>) outs(%c : memref<3x2x1x16xf32>)
  return
}

// -----

// Generics tagged by qcc-weight-only-data-tiling: the f32 int4 kernel, the
// int8-activation kernel with zero points (the _zp entry takes Z), and a
// tagged generic whose panels are not the kernel's N0 (8 where the AVX2
// kernel has 16), which stays a loop.
// CHECK-LABEL: func.func @w4
// CHECK: call @quk_w4_f32_16_avx2(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) -> ()
// CHECK: call @quk_w4_s8_16_avx2_zp(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<?x?xi8, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xi8, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) -> ()
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : memref<1x8xf32>, memref<1x4x8xi8>, memref<1x1x8xf32>) {{.*}} attrs = {qcc.ukernel = "quk_w4_f32_16_avx2"}
// CHECK-DAG: func.func private @quk_w4_f32_16_avx2({{.*}}) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @quk_w4_s8_16_avx2_zp({{.*}}) attributes {llvm.emit_c_interface}
#wa = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
#wg = affine_map<(d0, d1, d2, d3) -> (d0, d3 floordiv 8)>
#wb = affine_map<(d0, d1, d2, d3) -> (d1, d3 floordiv 2, d2)>
#wb4 = affine_map<(d0, d1, d2, d3) -> (d1, d3 floordiv 8, d2, d3 mod 4)>
#wp = affine_map<(d0, d1, d2, d3) -> (d1, d3 floordiv 8, d2)>
#wc = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
module attributes {llvm.target = #llvm.target<triple = "x86_64-pc-linux-gnu", chip = "x86-64-v3", features = #llvm.target_features<["+avx", "+avx2", "+fma", "+sse2"]>>} {
func.func @w4(%a: memref<3x8xf32>, %b: memref<2x4x16xi8>, %s: memref<2x1x16xf32>, %c: memref<3x2x16xf32>,
              %aq: memref<3x8xi8>, %sa: memref<3x1xf32>, %b4: memref<2x1x16x4xi8>, %z: memref<2x1x16xi8>,
              %a1: memref<1x8xf32>, %b8: memref<1x4x8xi8>, %s8: memref<1x1x8xf32>, %c8: memref<1x1x8xf32>) {
  linalg.generic {indexing_maps = [#wa, #wb, #wp, #wc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b, %s : memref<3x8xf32>, memref<2x4x16xi8>, memref<2x1x16xf32>) outs(%c : memref<3x2x16xf32>) attrs = {qcc.ukernel = "quk_w4_f32_16_avx2"} {
  ^bb0(%x: f32, %q: i8, %sc: f32, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#wa, #wg, #wb4, #wp, #wp, #wc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%aq, %sa, %b4, %s, %z : memref<3x8xi8>, memref<3x1xf32>, memref<2x1x16x4xi8>, memref<2x1x16xf32>, memref<2x1x16xi8>) outs(%c : memref<3x2x16xf32>) attrs = {qcc.ukernel = "quk_w4_s8_16_avx2_zp"} {
  ^bb0(%x: i8, %xs: f32, %q: i8, %sc: f32, %zp: i8, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#wa, #wb, #wp, #wc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a1, %b8, %s8 : memref<1x8xf32>, memref<1x4x8xi8>, memref<1x1x8xf32>) outs(%c8 : memref<1x1x8xf32>) attrs = {qcc.ukernel = "quk_w4_f32_16_avx2"} {
  ^bb0(%x: f32, %q: i8, %sc: f32, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}
}
