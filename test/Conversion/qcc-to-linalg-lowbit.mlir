// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// RUN: qcc-opt %s --convert-qcc-to-linalg --canonicalize --qcc-fuse-elementwise --split-input-file | FileCheck %s --check-prefix=FUSED

// 2-bit blockwise dequantization: the byte is read at column floordiv 4
// and shifted right by 2 * (column mod 4); the 2-bit field is masked and
// sign-extended ((v ^ 2) - 2); the scale is read per group of 2 rows.
// CHECK-DAG: #[[PACK2:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-DAG: #[[GRP2:.*]] = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
// CHECK-LABEL: func.func @dequantize_int2
// CHECK: linalg.generic {indexing_maps = [#[[PACK2]], #[[GRP2]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x2xi8>, tensor<2x8xf32>)
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[POS:.*]] = arith.remui %[[J]], %c4
// CHECK: %[[SH:.*]] = arith.muli %[[POS]], %c2
// CHECK: arith.index_castui %[[SH]] : index to i32
// CHECK: arith.shrui
// CHECK: arith.andi %{{.*}}, %c3_i32
// CHECK: arith.xori %{{.*}}, %c2_i32
// CHECK: arith.subi %{{.*}}, %c2_i32
// CHECK: arith.sitofp
// CHECK: arith.mulf
// Unpacking is fused into the contraction: no float weight tensor.
// FUSED-LABEL: func.func @dequantize_int2
// FUSED-NOT: tensor<4x8xf32>
// FUSED: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// FUSED-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<4x2xi8>, tensor<2x8xf32>)
// FUSED: arith.shrui
// FUSED: arith.mulf
// FUSED: arith.addf
func.func @dequantize_int2(%x: tensor<1x4xf32>, %q: tensor<4x2xi8>, %s: tensor<2x8xf32>) -> tensor<1x8xf32> {
  %w = qcc.dequantize_blockwise %q, %s {bits = 2 : i64, block_shape = array<i64: 2, 1>} : (tensor<4x2xi8>, tensor<2x8xf32>) -> tensor<4x8xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// 3-bit: the three bytes of a group of 8 columns are three reads of the
// storage, [row, column floordiv 8, 0..2], combined into a little-endian
// 24-bit word shifted right by 3 * (column mod 8); with a zero point the
// 3-bit field is unsigned and the zero point is subtracted.
// CHECK-DAG: #[[B0:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8, 0)>
// CHECK-DAG: #[[B1:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8, 1)>
// CHECK-DAG: #[[B2:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8, 2)>
// CHECK-DAG: #[[GRP3:.*]] = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
// CHECK-LABEL: func.func @dequantize_int3
// CHECK: linalg.generic {indexing_maps = [#[[B0]], #[[B1]], #[[B2]], #[[GRP3]], #[[GRP3]], #{{.*}}]
// CHECK-SAME: ins(%[[Q:.*]], %[[Q]], %[[Q]], %{{.*}}, %{{.*}} : tensor<4x1x3xi8>, tensor<4x1x3xi8>, tensor<4x1x3xi8>, tensor<2x8xf32>, tensor<2x8xi8>)
// CHECK: ^bb0(%[[A0:.*]]: i8, %[[A1:.*]]: i8, %[[A2:.*]]: i8, %[[S:.*]]: f32, %[[ZP:.*]]: i8, %{{.*}}: f32):
// CHECK: %[[E0:.*]] = arith.extui %[[A0]] : i8 to i32
// CHECK: %[[E1:.*]] = arith.extui %[[A1]] : i8 to i32
// CHECK: %[[S1:.*]] = arith.shli %[[E1]], %c8_i32
// CHECK: %[[W1:.*]] = arith.ori %[[E0]], %[[S1]]
// CHECK: %[[E2:.*]] = arith.extui %[[A2]] : i8 to i32
// CHECK: %[[S2:.*]] = arith.shli %[[E2]], %c16_i32
// CHECK: %[[W:.*]] = arith.ori %[[W1]], %[[S2]]
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[POS:.*]] = arith.remui %[[J]], %c8
// CHECK: %[[SH:.*]] = arith.muli %[[POS]], %c3
// CHECK: %[[SHI:.*]] = arith.index_castui %[[SH]] : index to i32
// CHECK: %[[V:.*]] = arith.shrui %[[W]], %[[SHI]]
// CHECK: %[[F:.*]] = arith.andi %[[V]], %c7_i32
// CHECK-NOT: arith.xori
// CHECK: %[[Z:.*]] = arith.extui %[[ZP]] : i8 to i32
// CHECK: %[[D:.*]] = arith.subi %[[F]], %[[Z]]
// CHECK: %[[DF:.*]] = arith.sitofp %[[D]]
// CHECK: arith.mulf %[[DF]], %[[S]]
// FUSED-LABEL: func.func @dequantize_int3
// FUSED-NOT: tensor<4x8xf32>
// FUSED: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// FUSED-SAME: ins(%{{.*}}, %[[FQ:.*]], %[[FQ]], %[[FQ]], %{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<4x1x3xi8>, tensor<4x1x3xi8>, tensor<4x1x3xi8>, tensor<2x8xf32>, tensor<2x8xi8>)
// FUSED: arith.shrui
// FUSED: arith.addf
func.func @dequantize_int3(%x: tensor<1x4xf32>, %q: tensor<4x1x3xui8>, %s: tensor<2x8xf32>, %zp: tensor<2x8xui8>) -> tensor<1x8xf32> {
  %w = qcc.dequantize_blockwise %q, %s, %zp {bits = 3 : i64, block_shape = array<i64: 2, 1>} : (tensor<4x1x3xui8>, tensor<2x8xf32>, tensor<2x8xui8>) -> tensor<4x8xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}
