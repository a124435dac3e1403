// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Data movement: reshapes, transposes, concatenation, slices, gathers, pads, scatters.

// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[IDX_MAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>

// A reshape with a reassociation is one collapse/expand; otherwise it goes
// through the flat 1-D tensor.
// CHECK-LABEL: func.func @reshape
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[F:.*]] = tensor.collapse_shape %[[C]] {{\[\[}}0, 1]] : tensor<6x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<4x6xf32>) {
  %0 = qcc.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = qcc.reshape %0 : tensor<6x4xf32> -> tensor<4x6xf32>
  return %0, %1 : tensor<6x4xf32>, tensor<4x6xf32>
}

// CHECK-LABEL: func.func @transpose(%arg0: tensor<2x3x4xi8>) -> tensor<4x2x3xi8>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3x4xi8>) outs(%{{.*}} : tensor<4x2x3xi8>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xui8>) -> tensor<4x2x3xui8> {
  %0 = qcc.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xui8> -> tensor<4x2x3xui8>
  return %0 : tensor<4x2x3xui8>
}

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[A]][0, 3] [2, 5] [1, 1]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = qcc.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @slice_strided
// CHECK: tensor.extract_slice %arg0[1, 0] [3, 6] [3, 1] : tensor<10x6xf32> to tensor<3x6xf32>
func.func @slice_strided(%x: tensor<10x6xf32>) -> tensor<3x6xf32> {
  %0 = qcc.slice %x {starts = array<i64: 1, 0>, steps = array<i64: 3, 1>} : tensor<10x6xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// A negative step reads start + i * step.
// CHECK-LABEL: func.func @slice_reverse
// CHECK: linalg.generic {indexing_maps = [#[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[STEP:.*]] = arith.constant -2 : index
// CHECK: %[[S:.*]] = arith.muli %[[I]], %[[STEP]] : index
// CHECK: %[[START:.*]] = arith.constant 9 : index
// CHECK: %[[R:.*]] = arith.addi %[[S]], %[[START]] : index
// CHECK: tensor.extract %arg0[%[[R]], %{{.*}}] : tensor<10x6xf32>
func.func @slice_reverse(%x: tensor<10x6xf32>) -> tensor<4x6xf32> {
  %0 = qcc.slice %x {starts = array<i64: 9, 0>, steps = array<i64: -2, 1>} : tensor<10x6xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// Gather: i32 indices, negative ones wrap by the axis size.
// CHECK-LABEL: func.func @gather_i32
// CHECK: %[[N:.*]] = arith.constant 3 : index
// CHECK: linalg.generic {indexing_maps = [#[[IDX_MAP]], #{{.*}}]
// CHECK-SAME: ins(%arg1 : tensor<2x2xi32>)
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[D0:.*]] = linalg.index 0 : index
// CHECK: %[[V:.*]] = arith.index_cast %[[IN]] : i32 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[V]]
// CHECK: %[[W:.*]] = arith.addi %[[V]], %[[N]] : index
// CHECK: %[[SEL:.*]] = arith.select %[[NEG]], %[[W]], %[[V]] : index
// CHECK: tensor.extract %arg0[%[[D0]], %[[SEL]]] : tensor<5x3xf32>
func.func @gather_i32(%x: tensor<5x3xf32>, %i: tensor<2x2xi32>) -> tensor<5x2x2xf32> {
  %0 = qcc.gather %x, %i {axis = 1 : i64} : (tensor<5x3xf32>, tensor<2x2xi32>) -> tensor<5x2x2xf32>
  return %0 : tensor<5x2x2xf32>
}

// A dynamic gather axis wraps by its run-time size.
// CHECK-LABEL: func.func @gather_dynamic
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x3xf32>
// CHECK: linalg.generic
// CHECK: arith.addi %{{.*}}, %[[DIM]] : index
func.func @gather_dynamic(%x: tensor<?x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = qcc.gather %x, %i {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]]
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[SEL:.*]] = arith.select
// CHECK: tensor.extract %arg0[%[[SEL]], %[[J]]] : tensor<3x3xf32>
func.func @gather_elements(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = qcc.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Negative constant pads crop with extract_slice before tensor.pad.
// CHECK-LABEL: func.func @pad_constant_crop
// CHECK: %[[S:.*]] = tensor.extract_slice %arg0[0, 2] [4, 3] [1, 1] : tensor<4x5xf32> to tensor<4x3xf32>
// CHECK: %[[V:.*]] = tensor.extract %arg1[] : tensor<f32>
// CHECK: tensor.pad %[[S]] low[1, 0] high[0, 1]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: } : tensor<4x3xf32> to tensor<5x4xf32>
func.func @pad_constant_crop(%x: tensor<4x5xf32>, %v: tensor<f32>) -> tensor<5x4xf32> {
  %0 = qcc.pad %x, %v {pads = array<i64: 1, -2, 0, 1>, mode = #qcc.pad_mode<constant>} : (tensor<4x5xf32>, tensor<f32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// A one-element pad value tensor is read at its origin.
// CHECK-LABEL: func.func @pad_value_one_element
// CHECK: %[[V:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<1xi32>
// CHECK: tensor.yield %[[V]] : i32
func.func @pad_value_one_element(%x: tensor<4xi32>, %v: tensor<1xi32>) -> tensor<6xi32> {
  %0 = qcc.pad %x, %v {pads = array<i64: 1, 1>, mode = #qcc.pad_mode<constant>} : (tensor<4xi32>, tensor<1xi32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// Reflect mirrors the index (-i before the start, 2(n-1)-i past the end).
// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: %[[C6:.*]] = arith.constant 6 : index
// CHECK: arith.subi %[[C6]], %{{.*}} : index
// CHECK: tensor.extract %arg0
func.func @pad_reflect(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<3x8xf32> {
  %0 = qcc.pad %x, %v {pads = array<i64: 0, 2, 0, 2>, mode = #qcc.pad_mode<reflect>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// Edge clamps the index into [0, n - 1].
// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @pad_edge(%x: tensor<3x4xf32>, %v: tensor<f32>) -> tensor<3x8xf32> {
  %0 = qcc.pad %x, %v {pads = array<i64: 0, 2, 0, 2>, mode = #qcc.pad_mode<edge>} : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// CHECK-LABEL: func.func @data_movement
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: linalg.transpose
// CHECK: tensor.extract_slice {{.*}}[1, 0] [2, 6] [1, 1]
// CHECK: tensor.insert_slice
func.func @data_movement(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = qcc.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = qcc.transpose %0 {perm = array<i64: 1, 0>} : tensor<6x4xf32> -> tensor<4x6xf32>
  %2 = qcc.slice %1 {starts = array<i64: 1, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<2x6xf32>
  %3 = qcc.concat %2, %2 {axis = 0 : i64} : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<4x6xf32>
  return %3 : tensor<4x6xf32>
}

// -----

// Gather wraps negative indices and reads with tensor.extract.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %arg0
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = qcc.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The scatters are one scf.for over the updates; the reduction combines the
// update with the value it replaces (add, mul) or overwrites it (none).
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: scf.for
// CHECK: %[[OLD:.*]] = tensor.extract %{{.*}} : tensor<4xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %{{.*}} : f32
// CHECK: tensor.insert %[[SUM]]
func.func @scatter_elements_add(%x: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  %0 = qcc.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = #qcc.scatter_reduction<add>} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @scatter_nd_mul
// CHECK: scf.for
// CHECK: arith.muli %{{.*}}, %{{.*}} : i32
// CHECK: tensor.insert
func.func @scatter_nd_mul(%x: tensor<4x3xi32>, %i: tensor<2x1xi64>, %u: tensor<2x3xi32>) -> tensor<4x3xi32> {
  %0 = qcc.scatter_nd %x, %i, %u {reduction = #qcc.scatter_reduction<mul>} : (tensor<4x3xi32>, tensor<2x1xi64>, tensor<2x3xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// CHECK-LABEL: func.func @scatter_nd_none
// CHECK: scf.for
// CHECK: %[[UPD:.*]] = tensor.extract %arg2
// CHECK-NOT: arith.muli
// CHECK-NEXT: tensor.insert %[[UPD]]
func.func @scatter_nd_none(%x: tensor<4x3xi32>, %i: tensor<2x1xi64>, %u: tensor<2x3xi32>) -> tensor<4x3xi32> {
  %0 = qcc.scatter_nd %x, %i, %u : (tensor<4x3xi32>, tensor<2x1xi64>, tensor<2x3xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}
