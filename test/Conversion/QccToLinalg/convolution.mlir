// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Convolutions: padding as a tensor.pad in front (the input zero point for
// integer ones); ungrouped convolutions without zero points as an im2col
// gather (a generic) and a contraction (linalg.batch_matmul, the weights
// broadcast along the batch, where one cast extends both operands); 2-D
// grouped ones as linalg.conv_2d_ngchw_gfchw on grouped views; the others
// as one windowed generic. With a constant weight (what qcc-data-tiling
// packs for the microkernels) the im2col form is transposed: see
// @conv_const_weight.

// Ungrouped float convolution: im2col copy through the window map, then
// out[n, f, o] = sum_r W[f, r] * Col[n, r, o] over [F, C*K] x [N, C*K, O].
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG: #[[FR:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[NRO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[NFO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], {{.*}}} {{.*}} outs(%{{.*}} : tensor<1x3x3x3x4x4xf32>)
// CHECK: %[[COL:.*]] = tensor.collapse_shape {{.*}} {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<1x3x3x3x4x4xf32> into tensor<1x27x16xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: linalg.batch_matmul indexing_maps = [#[[FR]], #[[NRO]], #[[NFO]]] ins(%[[W]], %[[COL]] : tensor<4x27xf32>, tensor<1x27x16xf32>) outs(%[[BIAS]] : tensor<1x4x16xf32>)
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0], [1], [2, 3]] {{.*}} : tensor<1x4x16xf32> into tensor<1x4x4x4xf32>
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A constant weight: Col[n, o, r] (windows last), then
// outT[n, o, f] = sum_r Col[n, o, r] * W[f, r] over [N, O, C*K] x [F, C*K]
// (bias broadcast along f as the accumulator), transposed to [N, F, O].
// CHECK-DAG: #[[CWIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 2 + d4, d2 * 2 + d5)>
// CHECK-DAG: #[[NOR:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[FRT:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[NOF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv_const_weight
// CHECK: linalg.generic {indexing_maps = [#[[CWIN]], {{.*}}} {{.*}} outs(%{{.*}} : tensor<1x4x4x3x3x3xf32>)
// CHECK: %[[COL:.*]] = tensor.collapse_shape {{.*}} {{\[\[}}0], [1, 2], [3, 4, 5]] : tensor<1x4x4x3x3x3xf32> into tensor<1x16x27xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: %[[OUTT:.*]] = linalg.contract indexing_maps = [#[[NOR]], #[[FRT]], #[[NOF]]] ins(%[[COL]], %[[W]] : tensor<1x16x27xf32>, tensor<4x27xf32>) outs(%[[BIAS]] : tensor<1x16x4xf32>)
// CHECK: %[[OUT:.*]] = linalg.transpose ins(%[[OUTT]] : tensor<1x16x4xf32>) outs(%{{.*}} : tensor<1x4x16xf32>) permutation = [0, 2, 1]
// CHECK: tensor.expand_shape %[[OUT]] {{\[\[}}0], [1], [2, 3]] {{.*}} : tensor<1x4x16xf32> into tensor<1x4x4x4xf32>
func.func @conv_const_weight(%x: tensor<1x3x8x8xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Ungrouped float 3-D convolution: the same im2col path.
// CHECK-LABEL: func.func @conv3d
// CHECK: linalg.generic
// CHECK: } -> tensor<1x2x2x2x2x3x3x3xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x16x27xf32>
// CHECK: tensor.collapse_shape %arg1 {{.*}} into tensor<3x16xf32>
// CHECK: linalg.batch_matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<3x16xf32>, tensor<1x16x27xf32>) outs(%{{.*}} : tensor<1x3x27xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x3x3x3xf32>
func.func @conv3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32>
  return %0 : tensor<1x3x3x3x3xf32>
}

// -----

// An integer convolution without zero points (as qcc-fold-qdq leaves
// them): i8 x i8 -> i32 is batch_matmul's sign-extending cast ...
// CHECK-LABEL: func.func @conv_i8
// CHECK: linalg.batch_matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x18xi8>, tensor<1x18x16xi8>) outs(%{{.*}} : tensor<1x4x16xi32>)
func.func @conv_i8(%x: tensor<1x2x6x6xi8>, %w: tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  return %0 : tensor<1x4x4x4xi32>
}

// -----

// ... ui8 activations with i8 weights extend differently: a generic
// contraction.
// CHECK-LABEL: func.func @conv_u8_i8
// CHECK-NOT: linalg.batch_matmul
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<4x18xi8>, tensor<1x18x16xi8>)
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extui {{.*}} : i8 to i32
func.func @conv_u8_i8(%x: tensor<1x2x6x6xui8>, %w: tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xui8>, tensor<4x2x3x3xi8>) -> tensor<1x4x4x4xi32>
  return %0 : tensor<1x4x4x4xi32>
}

// -----

// ConvInteger: zero points subtracted in the body of a windowed generic
// (ui8 operands extended to i32), the result collapsed from [N, G, F/G, ...].
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

// -----

// 2-D grouped convolution: linalg.conv_2d_ngchw_gfchw on the input viewed
// as [N, G, C/G, H, W] and the weights as [G, F/G, C/G, KH, KW], the result
// collapsed from [N, G, F/G, ...].
// CHECK-LABEL: func.func @grouped_conv
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x2x2x8x8xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %arg1 {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 2, 2, 3, 3] : tensor<4x2x3x3xf32> into tensor<2x2x2x3x3xf32>
// CHECK: %[[G:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : tensor<1x2x2x8x8xf32>, tensor<2x2x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x2x6x6xf32>)
// CHECK: tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x6x6xf32> into tensor<1x4x6x6xf32>
func.func @grouped_conv(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Depthwise (one channel per group), strided, with a bias and a dynamic
// batch: the same named op, C/G = F/G = 1. (depthwise_conv_2d_nchw_chw
// would iterate the channels innermost.)
// CHECK-LABEL: func.func @depthwise_conv
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK: %[[X:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [%{{.*}}, 8, 1, 10, 10] : tensor<?x8x10x10xf32> into tensor<?x8x1x10x10xf32>
// CHECK: %[[W:.*]] = tensor.expand_shape %arg1 {{.*}} : tensor<8x1x3x3xf32> into tensor<8x1x1x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[X]], %[[W]] : tensor<?x8x1x10x10xf32>, tensor<8x1x1x3x3xf32>) outs(%[[BIAS]] : tensor<?x8x1x4x4xf32>)
func.func @depthwise_conv(%x: tensor<?x8x8x8xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x4x4xf32> {
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, group = 8 : i64} : (tensor<?x8x8x8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  return %0 : tensor<?x8x4x4xf32>
}

// -----

// Grouped with ui8 activations: conv_2d_ngchw_gfchw only sign-extends, so
// a windowed generic (groups and strides in the input map).
// CHECK-DAG: #[[XU:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d5, d3 + d6, d4 + d7)>
// CHECK-LABEL: func.func @grouped_conv_u8
// CHECK-NOT: linalg.conv_2d
// CHECK: linalg.generic {indexing_maps = [#[[XU]]
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
func.func @grouped_conv_u8(%x: tensor<1x4x8x8xui8>, %w: tensor<4x2x3x3xi8>) -> tensor<1x4x6x6xi32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xui8>, tensor<4x2x3x3xi8>) -> tensor<1x4x6x6xi32>
  return %0 : tensor<1x4x6x6xi32>
}

// -----

// 1-D depthwise convolution, stride and dilation 2: upstream's grouped 1-D
// convolution takes [F/G, G, ...] weights, so a windowed generic with
// loops (n, g, f/g, o, c/g, k).
// CHECK-DAG: #[[DWX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d3 * 2 + d5 * 2)>
// CHECK-DAG: #[[DWW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1 + d2, d4, d5)>
// CHECK-LABEL: func.func @conv1d_depthwise
// CHECK: tensor.pad %arg0 low[0, 0, 1] high[0, 0, 1]
// CHECK: linalg.generic {indexing_maps = [#[[DWX]], #[[DWW]], #{{.*}}]
func.func @conv1d_depthwise(%x: tensor<1x4x8xf32>, %w: tensor<4x1x3xf32>) -> tensor<1x4x3xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 2>, pads = array<i64: 1, 1>, strides = array<i64: 2>, group = 4 : i64} : (tensor<1x4x8xf32>, tensor<4x1x3xf32>) -> tensor<1x4x3xf32>
  return %0 : tensor<1x4x3xf32>
}

// -----

// A pointwise (1x1, stride 1) f32 convolution of one image with a constant
// weight and a spatial size that is a multiple of 32 (8x8): a linalg.matmul
// on the NCHW tensors as they are, out[f, p] = W[f, c] X[c, p], the bias
// broadcast along p as its init; no im2col gather, no transpose.
// CHECK-LABEL: func.func @conv_pointwise
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2, 3]] : tensor<1x3x8x8xf32> into tensor<3x64xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<4x3x1x1xf32> into tensor<4x3xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<4xf32>) outs(%{{.*}} : tensor<4x64xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[W]], %[[X]] : tensor<4x3xf32>, tensor<3x64xf32>) outs(%[[BIAS]] : tensor<4x64xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2, 3]] {{.*}} : tensor<4x64xf32> into tensor<1x4x8x8xf32>
// CHECK-NOT: linalg.transpose
func.func @conv_pointwise(%x: tensor<1x3x8x8xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3x1x1xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// The same on a 5x5 image (25 not a multiple of 32): the im2col form.
// CHECK-LABEL: func.func @conv_pointwise_small
// CHECK: linalg.transpose
// CHECK-NOT: linalg.matmul
func.func @conv_pointwise_small(%x: tensor<1x3x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %w = arith.constant dense<1.0> : tensor<4x3x1x1xf32>
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x5x5xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}
