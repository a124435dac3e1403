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

// -----

// The quantization records (#qcc.quant, #qcc.calibration, #qcc.bits) and
// the discardable attributes that hold them.

func.func @bits_value(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{bits must be 2, 3, 4, 8 or 32, got 5}}
  %0 = qcc.matmul %x, %w {qcc.bits = #qcc.bits<5>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @bits_integer(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'qcc.matmul' op attribute 'qcc.bits' must be a #qcc.bits<...> attribute}}
  %0 = qcc.matmul %x, %w {qcc.bits = 4 : i64} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @bits_not_contraction(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qcc.relu' op attribute 'qcc.bits' is only valid on qcc.matmul, qcc.gemm and qcc.conv}}
  %0 = qcc.relu %x {qcc.bits = #qcc.bits<8>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @quant_dictionary(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'qcc.matmul' op attribute 'qcc.quant' must be a #qcc.quant<...> attribute}}
  %0 = qcc.matmul %x, %w {qcc.quant = {layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8 : i64}} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_not_contraction(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qcc.relu' op attribute 'qcc.quant' is only valid on qcc.matmul, qcc.gemm and qcc.conv}}
  %0 = qcc.relu %x {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @quant_unknown_scheme(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected ::mlir::qcc::QuantScheme to be one of: weight-only, static, dynamic}}
  // expected-error @+1 {{failed to parse Qcc_QuantRecordAttr parameter 'scheme'}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "int8", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_unknown_granularity(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected ::mlir::qcc::QuantGranularity to be one of: per-tensor, per-channel, per-group}}
  // expected-error @+1 {{failed to parse Qcc_QuantRecordAttr parameter 'granularity'}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-row", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_missing_field(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{struct is missing required parameter: bytes_after}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_empty_layer(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{layer must not be empty}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_op_type(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{op must be MatMul, Gemm or Conv, got 'Add'}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "Add", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_weight_only_bits(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{weight-only bits must be 2, 3, 4 or 8, got 5}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 5, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_dynamic_bits(%x: tensor<1x4xi8>, %w: tensor<4x2xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{dynamic bits must be 8, got 4}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "dynamic", bits = 4, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 16>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @quant_group_size_zero(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{per-group granularity needs a positive group_size}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 4, granularity = "per-group", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 12>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_group_size_per_channel(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{group_size 2 needs per-group granularity, not per-channel}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 4, granularity = "per-channel", group_size = 2, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 12>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_negative_group_size(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{group_size must be non-negative, got -2}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 4, granularity = "per-group", group_size = -2, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 12>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_static_per_group(%x: tensor<1x4xi8>, %w: tensor<4x2xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{per-group granularity needs the weight-only scheme, not static}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "static", bits = 8, granularity = "per-group", group_size = 2, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 16, act_scale = 0.02, weight_scales = [0.01, 0.02]>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @quant_scale_range(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{scale_min 2.000000e-02 exceeds scale_max 1.000000e-02}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.02, scale_max = 0.01, bytes_before = 32, bytes_after = 16>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_negative_scale(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{scale_min must be non-negative, got -1.000000e+00}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = -1.0, scale_max = 0.01, bytes_before = 32, bytes_after = 16>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quant_static_fields(%x: tensor<1x4xi8>, %w: tensor<4x2xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{the static scheme needs act_scale and weight_scales}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "static", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 16, act_scale = 0.02>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @quant_static_only_fields(%x: tensor<1x4xi8>, %w: tensor<4x2xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{act_scale, weight_scales and bias_correction are static-scheme fields, the scheme is dynamic}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "dynamic", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 16, act_scale = 0.02>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @quant_weight_scales(%x: tensor<1x4xi8>, %w: tensor<4x2xi8>) -> tensor<1x2xi32> {
  // expected-error @+1 {{weight_scales must be finite, got INF}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "static", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.01, scale_max = 0.02, bytes_before = 32, bytes_after = 16, act_scale = 0.02, weight_scales = [0.01, 0x7F800000]>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

func.func @quant_bool(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected 'true' or 'false'}}
  // expected-error @+1 {{failed to parse Qcc_QuantRecordAttr parameter 'symmetric'}}
  %0 = qcc.matmul %x, %w {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = 1, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_range(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{min 2.000000e+00 exceeds max 1.000000e+00}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<min = 2.0, max = 1.0, threshold = 2.0>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_threshold(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{threshold must be non-negative, got -1.000000e+00}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<threshold = -1.0>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_infinite_threshold(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{threshold must be finite, got INF}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<threshold = 0x7F800000>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_no_threshold(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{struct is missing required parameter: threshold}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<min = -1.0, max = 1.0>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_samples(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{samples must be non-negative, got -4}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<threshold = 1.0, samples = -4>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_method(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected one of [minmax, percentile, entropy, mse] for calibration method, got: kl}}
  // expected-error @+1 {{failed to parse Qcc_CalibrationAttr parameter 'method'}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<method = "kl", threshold = 1.0>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// One mean per channel of the activation input (its last dimension for a
// matmul, dimension 1 for a convolution).
func.func @calibration_channel_mean(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'qcc.matmul' op attribute 'qcc.calibration': channel_mean has 2 entries, the activation input has 4 channels}}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<threshold = 1.0, channel_mean = [1.0, 2.0]>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_dictionary(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'qcc.matmul' op attribute 'qcc.calibration' must be a #qcc.calibration<...> attribute}}
  %0 = qcc.matmul %x, %w {qcc.calibration = {threshold = 1.0 : f32}} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_not_contraction(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'qcc.relu' op attribute 'qcc.calibration' is only valid on qcc.matmul, qcc.gemm and qcc.conv}}
  %0 = qcc.relu %x {qcc.calibration = #qcc.calibration<threshold = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}
