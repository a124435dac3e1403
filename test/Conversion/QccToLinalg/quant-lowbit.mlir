// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// RUN: qcc-opt %s --convert-qcc-to-linalg --canonicalize --qcc-fuse-elementwise --split-input-file | FileCheck %s --check-prefix=FUSED
// RUN: qcc-opt %s --convert-qcc-to-linalg --canonicalize --qcc-fuse-elementwise --split-input-file | qcc-opt --split-input-file --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize),canonicalize)" | FileCheck %s --check-prefix=VEC

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

// 3-bit: the three bytes of a group of 8 columns are three rank-reducing
// slices of the storage (its byte dimension dropped), each read at [row,
// column floordiv 8], combined into a little-endian 24-bit word shifted
// right by 3 * (column mod 8); with a zero point the 3-bit field is
// unsigned and the zero point is subtracted.
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 8)>
// CHECK-DAG: #[[GRP3:.*]] = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
// CHECK-LABEL: func.func @dequantize_int3
// CHECK: %[[Q0:.*]] = tensor.extract_slice %[[Q:.*]][0, 0, 0] [4, 1, 1] [1, 1, 1] : tensor<4x1x3xi8> to tensor<4x1xi8>
// CHECK: %[[Q1:.*]] = tensor.extract_slice %[[Q]][0, 0, 1] [4, 1, 1] [1, 1, 1] : tensor<4x1x3xi8> to tensor<4x1xi8>
// CHECK: %[[Q2:.*]] = tensor.extract_slice %[[Q]][0, 0, 2] [4, 1, 1] [1, 1, 1] : tensor<4x1x3xi8> to tensor<4x1xi8>
// CHECK: linalg.generic {indexing_maps = [#[[B]], #[[B]], #[[B]], #[[GRP3]], #[[GRP3]], #{{.*}}]
// CHECK-SAME: ins(%[[Q0]], %[[Q1]], %[[Q2]], %{{.*}}, %{{.*}} : tensor<4x1xi8>, tensor<4x1xi8>, tensor<4x1xi8>, tensor<2x8xf32>, tensor<2x8xi8>)
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
// FUSED-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<4x1xi8>, tensor<4x1xi8>, tensor<4x1xi8>, tensor<2x8xf32>, tensor<2x8xi8>)
// FUSED: arith.shrui
// FUSED: arith.addf
func.func @dequantize_int3(%x: tensor<1x4xf32>, %q: tensor<4x1x3xui8>, %s: tensor<2x8xf32>, %zp: tensor<2x8xui8>) -> tensor<1x8xf32> {
  %w = qcc.dequantize_blockwise %q, %s, %zp {bits = 3 : i64, block_shape = array<i64: 2, 1>} : (tensor<4x1x3xui8>, tensor<2x8xf32>, tensor<2x8xui8>) -> tensor<4x8xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// Packed along the reduction (packed_dim = 0, how MatMul weights are
// stored): 4 bits as [K / 2, N] read at (row floordiv 2, column), the
// nibble chosen by the row (linalg.index 0). Fused into the matmul the
// packed operand is read at (k floordiv 2, n): one reduction step per tile,
// so the tile vectorizes along N with no linalg.generic left.
// CHECK-DAG: #[[PACKK:.*]] = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
// CHECK-DAG: #[[GRPK:.*]] = affine_map<(d0, d1) -> (d0 floordiv 8, d1)>
// CHECK-LABEL: func.func @dequantize_int4_k
// CHECK: linalg.generic {indexing_maps = [#[[PACKK]], #[[GRPK]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<8x64xi8>, tensor<2x64xf32>)
// CHECK: %[[J:.*]] = linalg.index 0
// CHECK: arith.remui %[[J]], %c2
// CHECK: arith.shrui
// FUSED-DAG: #[[FPACK:.*]] = affine_map<(d0, d1, d2) -> (d2 floordiv 2, d1)>
// FUSED-LABEL: func.func @dequantize_int4_k
// FUSED: linalg.generic {indexing_maps = [#{{.*}}, #[[FPACK]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]
// FUSED-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<8x64xi8>, tensor<2x64xf32>)
// VEC-LABEL: func.func @dequantize_int4_k
// VEC-NOT: linalg.generic
// VEC: vector.transfer_read {{.*}} : tensor<1x32xi8>, vector<4x32x1xi8>
// VEC: arith.shrui {{.*}} : vector<4x32xi32>
// VEC: arith.sitofp {{.*}} : vector<4x32xi32> to vector<4x32xf32>
// VEC-NOT: linalg.generic
// VEC: return
func.func @dequantize_int4_k(%x: tensor<4x16xf32>, %q: tensor<8x64xi8>, %s: tensor<2x64xf32>) -> tensor<4x64xf32> {
  %w = qcc.dequantize_blockwise %q, %s {bits = 4 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64} : (tensor<8x64xi8>, tensor<2x64xf32>) -> tensor<16x64xf32>
  %0 = qcc.matmul %x, %w : (tensor<4x16xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

// 2 bits along the reduction: [K / 4, N], (row floordiv 4, column).
// CHECK-DAG: #[[PACK2K:.*]] = affine_map<(d0, d1) -> (d0 floordiv 4, d1)>
// CHECK-LABEL: func.func @dequantize_int2_k
// CHECK: linalg.generic {indexing_maps = [#[[PACK2K]], #{{.*}}, #{{.*}}]
// CHECK: %[[J:.*]] = linalg.index 0
// CHECK: arith.remui %[[J]], %c4
// VEC-LABEL: func.func @dequantize_int2_k
// VEC-NOT: linalg.generic
// VEC: vector.transfer_read {{.*}} : tensor<1x32xi8>, vector<1x32x1xi8>
// VEC: arith.shrui {{.*}} : vector<32xi32>
// VEC-NOT: linalg.generic
// VEC: return
func.func @dequantize_int2_k(%x: tensor<1x16xf32>, %q: tensor<4x64xi8>, %s: tensor<2x64xf32>, %zp: tensor<2x64xui8>) -> tensor<1x64xf32> {
  %w = qcc.dequantize_blockwise %q, %s, %zp {bits = 2 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64} : (tensor<4x64xi8>, tensor<2x64xf32>, tensor<2x64xui8>) -> tensor<16x64xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x16xf32>, tensor<16x64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

// 3 bits along the reduction: [K / 8, 3, N] bytes, the three byte planes
// sliced out ([K / 8, N] each, contiguous along N) and read at (row
// floordiv 8, column).
// CHECK-DAG: #[[PACK3K:.*]] = affine_map<(d0, d1) -> (d0 floordiv 8, d1)>
// CHECK-LABEL: func.func @dequantize_int3_k
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[Q:.*]][0, 0, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[Q]][0, 1, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
// CHECK: %[[P2:.*]] = tensor.extract_slice %[[Q]][0, 2, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
// CHECK: linalg.generic {indexing_maps = [#[[PACK3K]], #[[PACK3K]], #[[PACK3K]], #{{.*}}, #{{.*}}]
// CHECK-SAME: ins(%[[P0]], %[[P1]], %[[P2]], %{{.*}} : tensor<2x64xi8>, tensor<2x64xi8>, tensor<2x64xi8>, tensor<2x64xf32>)
// CHECK: %[[J:.*]] = linalg.index 0
// CHECK: arith.remui %[[J]], %c8
// VEC-LABEL: func.func @dequantize_int3_k
// VEC-NOT: linalg.generic
// VEC-COUNT-3: vector.transfer_read {{.*}} : tensor<1x32xi8>, vector<1x32x1xi8>
// VEC: arith.shrui {{.*}} : vector<32xi32>
// VEC-NOT: linalg.generic
// VEC: return
func.func @dequantize_int3_k(%x: tensor<1x16xf32>, %q: tensor<2x3x64xi8>, %s: tensor<2x64xf32>) -> tensor<1x64xf32> {
  %w = qcc.dequantize_blockwise %q, %s {bits = 3 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64} : (tensor<2x3x64xi8>, tensor<2x64xf32>) -> tensor<16x64xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x16xf32>, tensor<16x64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

// 4-bit blockwise dequantization: the packed byte is read at column
// floordiv 2, the nibble chosen by the column's parity and sign-extended,
// the scale read per group (rows floordiv 2).
// CHECK-DAG: #[[PACK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-DAG: #[[GRP:.*]] = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>
// CHECK-LABEL: func.func @dequantize_int4
// CHECK: linalg.generic {indexing_maps = [#[[PACK]], #[[GRP]], #{{.*}}]
// CHECK: linalg.index 1
// CHECK: arith.shrui
// CHECK: arith.andi
// CHECK: arith.xori
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_int4(%q: tensor<4x2xi8>, %s: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = qcc.dequantize_blockwise %q, %s {bits = 4 : i64, block_shape = array<i64: 2, 1>} : (tensor<4x2xi8>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
