// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Pooling: a tensor.pad with the reduction's identity, then a reduction
// over a window tensor (tensor.empty of the kernel shape), strides and
// dilations as attributes: linalg.pooling_nchw_max / pooling_nchw_sum
// (pooling_ncw_* in 1-D) where their bodies are the op's, else a windowed
// linalg.generic. Averages divide by a per-position count afterwards.

// Max pooling pads with -inf.
// CHECK-LABEL: func.func @maxpool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PAD:.*]] = tensor.pad
// CHECK: tensor.yield %[[NINF]]
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32)
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[WIN]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x3x3xf32>)
func.func @maxpool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Signed integers pad with the type's lowest value and take maxsi, the
// named op's max_signed; dilation 2.
// CHECK-LABEL: func.func @maxpool_int
// CHECK: %[[LOW:.*]] = arith.constant -128 : i8
// CHECK: tensor.pad
// CHECK: tensor.yield %[[LOW]] : i8
// CHECK: linalg.pooling_nchw_max {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} {{.*}} -> tensor<1x1x2x2xi8>
func.func @maxpool_int(%x: tensor<1x1x5x5xi8>) -> tensor<1x1x2x2xi8> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 2, 2>} : tensor<1x1x5x5xi8> -> tensor<1x1x2x2xi8>
  return %0 : tensor<1x1x2x2xi8>
}

// -----

// Unsigned max (maxui, padding 0) has no NCHW named op: a generic.
// CHECK-DAG: #[[DIL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4 * 2, d3 * 2 + d5 * 2)>
// CHECK-LABEL: func.func @maxpool_u8
// CHECK: arith.constant 0 : i8
// CHECK: linalg.generic {indexing_maps = [#[[DIL]], #{{.*}}, #{{.*}}]
// CHECK: arith.maxui
func.func @maxpool_u8(%x: tensor<1x1x5x5xui8>) -> tensor<1x1x2x2xui8> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 2, 2>} : tensor<1x1x5x5xui8> -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}

// -----

// 3-D windows: upstream has NDHWC pooling only, so a generic.
// CHECK-LABEL: func.func @maxpool3d
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @maxpool3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>} : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

// Average pooling without counted padding divides by a per-position count
// computed at compile time.
// CHECK-LABEL: func.func @avgpool
// CHECK: linalg.pooling_nchw_sum {{.*}} -> tensor<1x1x2x2xf32>
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK: arith.divf
func.func @avgpool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// count_include_pad = true divides by the kernel size everywhere (1-D:
// pooling_ncw_sum) ...
// CHECK-LABEL: func.func @avgpool_include_pad
// CHECK: linalg.pooling_ncw_sum {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>} {{.*}} -> tensor<1x1x2xf32>
// CHECK: arith.constant dense<3.000000e+00> : tensor<2xf32>
// CHECK: arith.divf
func.func @avgpool_include_pad(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, count_include_pad = true} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

// ... count_include_pad = false by the non-padding elements of each window.
// CHECK-LABEL: func.func @avgpool_exclude_pad
// CHECK: arith.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
func.func @avgpool_exclude_pad(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

// Integer average pooling: the window sum in i64 (i32 input; the named
// op's cast_signed extension), division by the count of each window
// (count_include_pad = false: 2 at the border, 3 inside) rounding half away
// from zero, saturation to i32.
// CHECK-LABEL: func.func @avgpool_int
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i64)
// CHECK: linalg.pooling_ncw_sum {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x6xi32>, tensor<3xi32>) outs(%[[INIT]] : tensor<1x1x2xi64>)
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
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 1>, dilations = array<i64: 1>} : tensor<1x1x4xi32> -> tensor<1x1x2xi32>
  return %0 : tensor<1x1x2xi32>
}

// -----

// An i8 input sums in i32.
// CHECK-LABEL: func.func @avgpool_i8
// CHECK: linalg.pooling_nchw_sum {{.*}} ins(%arg0, %{{.*}} : tensor<1x1x4x4xi8>, tensor<2x2xi8>) outs(%{{.*}} : tensor<1x1x2x2xi32>)
// CHECK: arith.trunci {{.*}} : i32 to i8
func.func @avgpool_i8(%x: tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8> {
  %0 = qcc.pool %x {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xi8> -> tensor<1x1x2x2xi8>
  return %0 : tensor<1x1x2x2xi8>
}
