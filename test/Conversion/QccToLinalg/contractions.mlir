// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Contractions: numpy matmul, Gemm and MatMulInteger. Where the body is a
// plain multiply-accumulate whose operand extension one `cast` expresses,
// they become linalg.matmul / linalg.batch_matmul (transposes and batch
// broadcasts in their indexing maps) or linalg.contract; the others
// (different extensions of the two operands, size-1 batch broadcasting,
// alpha, zero points) stay linalg.generic.

// A 1-D lhs is promoted: no m loop, the batch dim comes from the rhs; no
// matmul or batch_matmul form, so linalg.contract.
// CHECK-DAG: #[[VEC:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[BRHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[OUT2:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_vec
// CHECK: linalg.contract indexing_maps = [#[[VEC]], #[[BRHS]], #[[OUT2]]] ins(%arg0, %arg1 : tensor<4xf32>, tensor<2x4x3xf32>)
func.func @matmul_vec(%a: tensor<4xf32>, %b: tensor<2x4x3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.matmul %a, %b : (tensor<4xf32>, tensor<2x4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_f32
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<8x16xf32>, tensor<16x4xf32>) outs(%[[INIT]] : tensor<8x4xf32>)
// CHECK-NOT: linalg.generic
func.func @matmul_f32(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %0 = qcc.matmul %a, %b : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Dynamic rows: the named op takes them as they are.
// CHECK-LABEL: func.func @matmul_dynamic
// CHECK: %[[M:.*]] = tensor.dim %arg0, %c0 : tensor<?x8xf32>
// CHECK: tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<?x8xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<?x5xf32>)
func.func @matmul_dynamic(%a: tensor<?x8xf32>, %b: tensor<8x5xf32>) -> tensor<?x5xf32> {
  %0 = qcc.matmul %a, %b : (tensor<?x8xf32>, tensor<8x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// Integer operands are extended to the accumulator type: i8 x i8 -> i32 is
// linalg.matmul's default (sign-extending) cast ...
// CHECK-LABEL: func.func @matmul_i8
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<2x4xi8>, tensor<4x3xi8>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK-NOT: linalg.generic
func.func @matmul_i8(%a: tensor<2x4xi8>, %b: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4xi8>, tensor<4x3xi8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// ... ui8 x ui8 its cast_unsigned (zero extension) ...
// CHECK-LABEL: func.func @matmul_u8
// CHECK: linalg.matmul {cast = #linalg.type_fn<cast_unsigned>} ins(%arg0, %arg1 : tensor<2x4xi8>, tensor<4x3xi8>) outs(%{{.*}} : tensor<2x3xi32>)
func.func @matmul_u8(%a: tensor<2x4xui8>, %b: tensor<4x3xui8>) -> tensor<2x3xi32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4xui8>, tensor<4x3xui8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// ... and i8 x ui8, which extends its operands differently, a generic.
// CHECK-LABEL: func.func @matmul_int_mixed
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_int_mixed(%a: tensor<2x4xi8>, %b: tensor<4x3xui8>) -> tensor<2x3xi32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4xi8>, tensor<4x3xui8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// numpy batch broadcasting of a 2-D rhs: linalg.batch_matmul with the rhs
// map (k, n).
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul
// CHECK: linalg.fill
// CHECK: linalg.batch_matmul indexing_maps = [#[[L]], #[[R]], #[[O]]] ins(%arg0, %arg1 : tensor<2x4x8xf32>, tensor<8x5xf32>)
func.func @batch_matmul(%a: tensor<2x4x8xf32>, %b: tensor<8x5xf32>) -> tensor<2x4x5xf32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Equal batches: the default maps.
// CHECK-LABEL: func.func @batch_matmul_3d
// CHECK: linalg.batch_matmul ins(%arg0, %arg1 : tensor<3x4x8xf32>, tensor<3x8x5xf32>)
func.func @batch_matmul_3d(%a: tensor<3x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<3x4x5xf32> {
  %0 = qcc.matmul %a, %b : (tensor<3x4x8xf32>, tensor<3x8x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// A size-1 batch broadcast against 3 is read at index 0 (a constant map
// result), which no named contraction takes.
// CHECK-DAG: #[[B1:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-LABEL: func.func @batch_broadcast_one
// CHECK: linalg.generic {indexing_maps = [#[[B1]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @batch_broadcast_one(%a: tensor<1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<3x4x5xf32> {
  %0 = qcc.matmul %a, %b : (tensor<1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// Two batch dimensions (attention scores): linalg.contract.
// CHECK-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_4d
// CHECK: linalg.contract indexing_maps = [#[[Q]], #[[K]], #[[S]]] ins(%arg0, %arg1 : tensor<2x3x4x8xf32>, tensor<2x3x8x4xf32>)
func.func @matmul_4d(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x8x4xf32>) -> tensor<2x3x4x4xf32> {
  %0 = qcc.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<2x3x8x4xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// Gemm: the init is beta * C broadcast; transposes are in the maps; alpha
// in the body keeps it a generic.
// CHECK-DAG: #[[TA:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[TB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[GOUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gemm
// CHECK: %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[BETA]]
// CHECK: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: linalg.generic {indexing_maps = [#[[TA]], #[[TB]], #[[GOUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK: arith.mulf %{{.*}}, %[[ALPHA]]
func.func @gemm(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.gemm %a, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_a = true, trans_b = true} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Gemm without alpha (a Linear layer): linalg.matmul, B transposed in its
// indexing maps, into the bias init.
// CHECK-DAG: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gemm_linear
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: linalg.matmul indexing_maps = [#[[MK]], #[[NK]], #[[MN]]] ins(%arg0, %arg1 : tensor<2x4xf32>, tensor<3x4xf32>) outs(%[[BIAS]] : tensor<2x3xf32>)
func.func @gemm_linear(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.gemm %a, %b, %c {trans_b = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// MatMulInteger subtracts its zero points in the body: a generic,
// accumulating in i32.
// CHECK-LABEL: func.func @matmul_integer
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_integer(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %az: tensor<ui8>, %bz: tensor<i8>) -> tensor<2x3xi32> {
  %0 = qcc.matmul_integer %a, %b, %az, %bz : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<ui8>, tensor<i8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}
