// RUN: qcc-opt %s --convert-qcc-to-linalg | FileCheck %s
// Contractions, convolutions and pooling.

// CHECK-DAG: #[[VEC:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[BRHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[OUT2:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[TA:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[TB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// Depthwise 1-D conv: loops (n, g, f/g, o, c/g, k), stride and dilation 2.
// CHECK-DAG: #[[DWX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d3 * 2 + d5 * 2)>
// CHECK-DAG: #[[DWW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1 + d2, d4, d5)>
// Dilated max pooling window.
// CHECK-DAG: #[[DIL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4 * 2, d3 * 2 + d5 * 2)>

// A 1-D lhs is promoted: no m loop, the batch dim comes from the rhs.
// CHECK-LABEL: func.func @matmul_vec
// CHECK: linalg.generic {indexing_maps = [#[[VEC]], #[[BRHS]], #[[OUT2]]], iterator_types = ["parallel", "parallel", "reduction"]}
func.func @matmul_vec(%a: tensor<4xf32>, %b: tensor<2x4x3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.matmul %a, %b : (tensor<4xf32>, tensor<2x4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Integer operands are extended to the accumulator type.
// CHECK-LABEL: func.func @matmul_int
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_int(%a: tensor<2x4xi8>, %b: tensor<4x3xui8>) -> tensor<2x3xi32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4xi8>, tensor<4x3xui8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// Gemm: the init is beta * C broadcast; transposes are in the maps.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[BETA]]
// CHECK: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: linalg.generic {indexing_maps = [#[[TA]], #[[TB]], #[[OUT2]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK: arith.mulf %{{.*}}, %[[ALPHA]]
func.func @gemm(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.gemm %a, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_a = true, trans_b = true} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// ConvInteger: ui8 operands extended to i32, zero points subtracted.
// CHECK-LABEL: func.func @conv_integer
// CHECK: %[[PADV:.*]] = arith.constant 3 : i8
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[PADV]] : i8
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.subi
// CHECK: tensor.collapse_shape {{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x1x2x5x5xi32> into tensor<1x2x5x5xi32>
func.func @conv_integer(%x: tensor<1x1x4x4xui8>, %w: tensor<2x1x2x2xui8>) -> tensor<1x2x5x5xi32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, input_zero_point = 3 : i64, weight_zero_point = 1 : i64} : (tensor<1x1x4x4xui8>, tensor<2x1x2x2xui8>) -> tensor<1x2x5x5xi32>
  return %0 : tensor<1x2x5x5xi32>
}

// 1-D depthwise convolution (maps DWX, DWW above).
// CHECK-LABEL: func.func @conv1d_depthwise
// CHECK: tensor.pad %arg0 low[0, 0, 1] high[0, 0, 1]
// CHECK: linalg.generic {indexing_maps = [#[[DWX]], #[[DWW]], #{{.*}}]
func.func @conv1d_depthwise(%x: tensor<1x4x8xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x3xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 2>, pads = array<i64: 1, 1>, strides = array<i64: 2>, group = 4 : i64} : (tensor<1x4x8xf32>, tensor<4x1x3xf32>) -> tensor<1x4x3xf32>
  return %0 : tensor<1x4x3xf32>
}

// Ungrouped float 3-D convolution: im2col gather, then a contraction.
// CHECK-LABEL: func.func @conv3d
// CHECK: linalg.generic
// CHECK: } -> tensor<1x2x2x2x2x3x3x3xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x16x27xf32>
// CHECK: tensor.collapse_shape %arg1 {{.*}} into tensor<3x16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x3x3x3xf32>
func.func @conv3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32>
  return %0 : tensor<1x3x3x3x3xf32>
}

// count_include_pad = true divides by the kernel size everywhere ...
// CHECK-LABEL: func.func @avgpool_include_pad
// CHECK: arith.constant dense<3.000000e+00> : tensor<2xf32>
// CHECK: arith.divf
func.func @avgpool_include_pad(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %0 = qcc.pool %x {kind = "avg", kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, count_include_pad = true} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// ... count_include_pad = false by the non-padding elements of each window.
// CHECK-LABEL: func.func @avgpool_exclude_pad
// CHECK: arith.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
func.func @avgpool_exclude_pad(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %0 = qcc.pool %x {kind = "avg", kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// Max pooling pads with the type's lowest value; dilation in the map.
// CHECK-LABEL: func.func @maxpool_int
// CHECK: %[[LOW:.*]] = arith.constant -128 : i8
// CHECK: tensor.pad
// CHECK: tensor.yield %[[LOW]] : i8
// CHECK: linalg.generic {indexing_maps = [#[[DIL]], #{{.*}}, #{{.*}}]
// CHECK: arith.maxsi
func.func @maxpool_int(%x: tensor<1x1x5x5xi8>) -> tensor<1x1x2x2xi8> {
  %0 = qcc.pool %x {kind = "max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 2, 2>} : tensor<1x1x5x5xi8> -> tensor<1x1x2x2xi8>
  return %0 : tensor<1x1x2x2xi8>
}

// Integer average pooling: the window sum in i64 (i32 input), division by
// the count of each window (count_include_pad = false: 2 at the border, 3
// inside) rounding half away from zero, saturation to i32.
// CHECK-LABEL: func.func @avgpool_int
// CHECK: linalg.generic
// CHECK: arith.extsi {{.*}} : i32 to i64
// CHECK: arith.addi {{.*}} : i64
// CHECK: } -> tensor<1x1x2xi64>
// CHECK: arith.constant dense<[2, 3]> : tensor<2xi64>
// CHECK: linalg.generic
// CHECK: arith.shrsi
// CHECK: arith.addi
// CHECK: arith.divsi
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.trunci {{.*}} : i64 to i32
// CHECK: } -> tensor<1x1x2xi32>
func.func @avgpool_int(%x: tensor<1x1x4xi32>) -> tensor<1x1x2xi32> {
  %0 = qcc.pool %x {kind = "avg", kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : tensor<1x1x4xi32> -> tensor<1x1x2xi32>
  return %0 : tensor<1x1x2xi32>
}

// An i8 input sums in i32.
// CHECK-LABEL: func.func @avgpool_i8
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.trunci {{.*}} : i32 to i8
func.func @avgpool_i8(%x: tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8> {
  %0 = qcc.pool %x {kind = "avg", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xi8> -> tensor<1x1x2x2xi8>
  return %0 : tensor<1x1x2x2xi8>
}
