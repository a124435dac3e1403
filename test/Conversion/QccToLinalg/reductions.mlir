// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Reductions: a linalg.generic with reduction iterators into a filled init
// holding the identity; keepdims reads reduced dims at index 0.

// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MID:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[KEEP_MID:.*]] = affine_map<(d0, d1, d2) -> (0, d1, 0)>
// CHECK-DAG: #[[ROW0:.*]] = affine_map<(d0, d1) -> (0, d1)>

// CHECK-LABEL: func.func @reduce_sum_drop
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) {{.*}} -> tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[MID]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<3xf32>)
// CHECK: arith.addf
func.func @reduce_sum_drop(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = qcc.reduce_sum %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// Identities: -inf for float max, the signed max for i8 min, 0 for ui8 max.
// CHECK-LABEL: func.func @reduce_max_min
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 127 : i8
// CHECK: arith.minsi
// CHECK: arith.constant 0 : i8
// CHECK: arith.maxui
func.func @reduce_max_min(%x: tensor<3x4xf32>, %i: tensor<3x4xi8>, %u: tensor<3x4xui8>) -> (tensor<3x1xf32>, tensor<1x4xi8>, tensor<3xui8>) {
  %0 = qcc.reduce_max %x {axes = array<i64: 1>} : tensor<3x4xf32> -> tensor<3x1xf32>
  %1 = qcc.reduce_min %i {axes = array<i64: 0>} : tensor<3x4xi8> -> tensor<1x4xi8>
  %2 = qcc.reduce_max %u {axes = array<i64: 1>, keepdims = false} : tensor<3x4xui8> -> tensor<3xui8>
  return %0, %1, %2 : tensor<3x1xf32>, tensor<1x4xi8>, tensor<3xui8>
}

// Mean divides the sum by the product of the reduced sizes (2 * 4).
// CHECK-LABEL: func.func @reduce_prod_mean
// CHECK: arith.constant 1 : i32
// CHECK: arith.muli
// CHECK: linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP_MID]]]
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 8.000000e+00 : f32
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
func.func @reduce_prod_mean(%x: tensor<3x4xi32>, %y: tensor<2x3x4xf32>) -> (tensor<3xi32>, tensor<1x3x1xf32>) {
  %0 = qcc.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4xi32> -> tensor<3xi32>
  %1 = qcc.reduce_mean %y {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0, %1 : tensor<3xi32>, tensor<1x3x1xf32>
}

// ArgMin with select_last_index: ties replace the running index (ole), and
// two outputs carry the running value and the i64 index.
// CHECK-LABEL: func.func @argmin_last
// CHECK: %[[G:.*]]:2 = linalg.generic {indexing_maps = [#{{.*}}, #[[ROW0]], #[[ROW0]]], iterator_types = ["reduction", "parallel"]}
// CHECK: linalg.index 0
// CHECK: arith.cmpf ole
// CHECK: linalg.yield {{.*}} : f32, i64
// CHECK: return %[[G]]#1 : tensor<1x4xi64>
func.func @argmin_last(%x: tensor<3x4xf32>) -> tensor<1x4xi64> {
  %0 = qcc.arg_extremum %x {axis = 0 : i64, is_max = false, keepdims = true, select_last_index = true} : tensor<3x4xf32> -> tensor<1x4xi64>
  return %0 : tensor<1x4xi64>
}

// CHECK-LABEL: func.func @argmax_unsigned
// CHECK: arith.cmpi ugt
func.func @argmax_unsigned(%x: tensor<3x4xui8>) -> tensor<3xi64> {
  %0 = qcc.arg_extremum %x {axis = 1 : i64, is_max = true, keepdims = false} : tensor<3x4xui8> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: arith.divf
func.func @reduce_mean(%x: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %0 = qcc.reduce_mean %x {axes = array<i64: 1>} : tensor<3x4xf32> -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// CHECK-LABEL: func.func @argmax
// CHECK: %{{.*}}:2 = linalg.generic
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3xi64> {
  %0 = qcc.arg_extremum %x {axis = 1 : i64, is_max = true, keepdims = false} : tensor<3x4xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}
