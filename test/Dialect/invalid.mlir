// RUN: qcc-opt %s -split-input-file -verify-diagnostics

func.func @bad_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operands don't have broadcast-compatible shapes}}
  %0 = qcc.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @bad_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{result type '3x3' not broadcast compatible with broadcasted operands's shapes '2x3'}}
  %0 = qcc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// ResultsBroadcastableShape accepts a result that broadcasts further; the
// result must have exactly the broadcast shape.
func.func @bad_result_rank(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result rank 2 differs from broadcast rank 1}}
  %0 = qcc.mul %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @bad_binary_element_type(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = qcc.sub %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @bad_compare_element_type(%a: tensor<3xf32>, %b: tensor<3xi32>) -> tensor<3xi1> {
  // expected-error @+1 {{requires the same element type for all operands}}
  %0 = qcc.less %a, %b : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @bad_where_condition(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operands don't have broadcast-compatible shapes}}
  %0 = qcc.where %c, %a, %b : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @bad_where_element_type(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{all of {x, y, output} have same element type}}
  %0 = qcc.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @bad_reshape(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{element count changes from}}
  %0 = qcc.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @bad_perm(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm is not a permutation}}
  %0 = qcc.transpose %a {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @bad_matmul(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contraction dimensions differ: 3 vs 4}}
  %0 = qcc.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @bad_conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{input channels}}
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @bad_pool_kind(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{attribute 'kind' failed to satisfy constraint: pooling kind (max or avg)}}
  %0 = qcc.pool %x {kind = "max", kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @unknown_pool_kind(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+2 {{expected ::mlir::qcc::PoolKind to be one of: max, avg}}
  // expected-error @+1 {{failed to parse Qcc_PoolKindAttr parameter 'value'}}
  %0 = qcc.pool %x {kind = #qcc.pool_kind<min>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @unknown_pad_mode(%x: tensor<4xf32>, %v: tensor<f32>) -> tensor<6xf32> {
  // expected-error @+2 {{expected ::mlir::qcc::PadMode to be one of: constant, reflect, edge}}
  // expected-error @+1 {{failed to parse Qcc_PadModeAttr parameter 'value'}}
  %0 = qcc.pad %x, %v {pads = array<i64: 1, 1>, mode = #qcc.pad_mode<wrap>} : (tensor<4xf32>, tensor<f32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @bad_pad_mode(%x: tensor<4xf32>, %v: tensor<f32>) -> tensor<6xf32> {
  // expected-error @+1 {{attribute 'mode' failed to satisfy constraint: padding mode (constant, reflect or edge)}}
  %0 = qcc.pad %x, %v {pads = array<i64: 1, 1>, mode = "reflect"} : (tensor<4xf32>, tensor<f32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// ONNX opset 18's max/min reductions are not lowered, so not part of the enum.
func.func @unknown_scatter_reduction(%x: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expected ::mlir::qcc::ScatterReduction to be one of: none, add, mul}}
  // expected-error @+1 {{failed to parse Qcc_ScatterReductionAttr parameter 'value'}}
  %0 = qcc.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = #qcc.scatter_reduction<max>} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bad_reduce_axes(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = qcc.reduce_sum %x {axes = array<i64: 2, 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @bad_reduce_rank(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result rank must be 3}}
  %0 = qcc.reduce_max %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @bad_quant_zp(%x: tensor<4xf32>, %s: tensor<f32>, %zp: tensor<i8>) -> tensor<4xui8> {
  // expected-error @+1 {{zero point and result element types differ}}
  %0 = qcc.quantize_linear %x, %s, %zp {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

func.func @bad_per_axis(%x: tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32:0, {0.1, 0.2}>> {
  // expected-error @+1 {{per-axis type has}}
  %q = qcc.quantize %x : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  return %q : tensor<4x8x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
}

// -----

func.func @bad_slice_step(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{steps must be non-zero}}
  %0 = qcc.slice %x {starts = array<i64: 0>, steps = array<i64: 0>} : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @requantize_fixed_bounds(%x: tensor<4xi32>) -> tensor<4xi8> {
  // expected-error @+1 {{saturation bounds [-128, 200] exceed the result type's range}}
  %0 = qcc.requantize_fixed %x {axis = 0 : i64, lower = -128 : i64, upper = 200 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 0>} : tensor<4xi32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @requantize_fixed_empty_range(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{lower bound exceeds the upper bound}}
  %0 = qcc.requantize_fixed %x {axis = 0 : i64, lower = 5 : i64, upper = 4 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 0>} : tensor<4xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @dequantize_blockwise_bits(%q: tensor<4x8xi8>, %s: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{bits must be 8, 4, 3 or 2}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 5 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x8xi8>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dequantize_blockwise_int2_odd(%q: tensor<4x1xi8>, %s: tensor<1x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{2-bit packing needs a last dimension that is a multiple of 4}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 2 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x1xi8>, tensor<1x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @dequantize_blockwise_int2_shape(%q: tensor<4x4xi8>, %s: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{input dimension 1 must be 2 for the result shape}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 2 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x4xi8>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dequantize_blockwise_int3_rank(%q: tensor<4x3xi8>, %s: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{3-bit input must have rank result + 1}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 3 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x3xi8>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dequantize_blockwise_int3_bytes(%q: tensor<4x1x2xi8>, %s: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{3-bit input must have a dimension of 3 bytes after the packed dimension (input dimension 2)}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 3 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x1x2xi8>, tensor<1x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dequantize_blockwise_int3_width(%q: tensor<4x1x3xi8>, %s: tensor<1x12xf32>) -> tensor<4x12xf32> {
  // expected-error @+1 {{3-bit packing needs a last dimension that is a multiple of 8}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 3 : i64, block_shape = array<i64: 4, 1>} : (tensor<4x1x3xi8>, tensor<1x12xf32>) -> tensor<4x12xf32>
  return %0 : tensor<4x12xf32>
}

// -----

// Packed along dimension 0 ([K / 2, N] for 4 bits): the packed dimension
// must be a multiple of 2 and the input's dimension 0 half the result's.
func.func @dequantize_blockwise_packed_dim_odd(%q: tensor<2x4xi8>, %s: tensor<1x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{4-bit packing needs a packed dimension (0) that is a multiple of 2}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 4 : i64, block_shape = array<i64: 3, 1>, packed_dim = 0 : i64} : (tensor<2x4xi8>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @dequantize_blockwise_packed_dim_shape(%q: tensor<4x2xi8>, %s: tensor<1x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{input dimension 0 must be 2 for the result shape}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 4 : i64, block_shape = array<i64: 4, 1>, packed_dim = 0 : i64} : (tensor<4x2xi8>, tensor<1x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @dequantize_blockwise_packed_dim_range(%q: tensor<2x4xi8>, %s: tensor<1x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{packed_dim 2 is out of range for rank 2}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 4 : i64, block_shape = array<i64: 4, 1>, packed_dim = 2 : i64} : (tensor<2x4xi8>, tensor<1x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// 3 bits along dimension 0: [K / 8, 3, N].
func.func @dequantize_blockwise_int3_packed_dim(%q: tensor<1x8x3xi8>, %s: tensor<1x8xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{3-bit input must have a dimension of 3 bytes after the packed dimension (input dimension 1)}}
  %0 = qcc.dequantize_blockwise %q, %s {bits = 3 : i64, block_shape = array<i64: 8, 1>, packed_dim = 0 : i64} : (tensor<1x8x3xi8>, tensor<1x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
