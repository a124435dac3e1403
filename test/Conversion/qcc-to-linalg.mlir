// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s

// Broadcasting binary op: one linalg.generic, the broadcast operand read
// through a projected map.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = qcc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Size-1 dimensions broadcast through constant-0 map results.
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @size_one
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BC]], #{{.*}}]
func.func @size_one(%a: tensor<4x3xf32>, %b: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = qcc.mul %a, %b : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Unsigned types become signless; signedness picks the arith op.
// CHECK-LABEL: func.func @unsigned(%arg0: tensor<4xi8>, %arg1: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.divui
// CHECK: arith.maxui
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = qcc.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = qcc.max %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %1 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @signed
// CHECK: arith.divsi
// CHECK: arith.remsi
// Python-style modulo fixes the sign.
// CHECK: arith.select
func.func @signed(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = qcc.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = qcc.mod %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// Unsigned constants keep their bits.
// CHECK-LABEL: func.func @ui8_constant
// CHECK: arith.constant dense<[1, -1]> : tensor<2xi8>
func.func @ui8_constant() -> tensor<2xui8> {
  %c = arith.constant dense<[1, 255]> : tensor<2xui8>
  return %c : tensor<2xui8>
}

// -----

// CHECK-LABEL: func.func @cast_float_to_uint
// CHECK: arith.fptoui {{.*}} : f32 to i8
func.func @cast_float_to_uint(%a: tensor<4xf32>) -> tensor<4xui8> {
  %0 = qcc.cast %a : tensor<4xf32> -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// numpy matmul with batch broadcasting: a contraction generic.
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_matmul(%a: tensor<2x4x8xf32>, %b: tensor<8x5xf32>) -> tensor<2x4x5xf32> {
  %0 = qcc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Integer matmul with zero points accumulates in i32.
// CHECK-LABEL: func.func @matmul_integer
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

// -----

// Ungrouped float convolution: im2col copy through the window map, then a
// plain contraction over [F, C*K] x [N, C*K, O].
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG: #[[FR:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[NRO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], {{.*}}} {{.*}} outs(%{{.*}} : tensor<1x3x3x3x4x4xf32>)
// CHECK: tensor.collapse_shape {{.*}} {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<1x3x3x3x4x4xf32> into tensor<1x27x16xf32>
// CHECK: tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK: linalg.generic {indexing_maps = [#[[FR]], #[[NRO]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0], [1], [2, 3]] {{.*}} : tensor<1x4x16xf32> into tensor<1x4x4x4xf32>
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Grouped convolution: strides and groups in the input map, the result
// collapsed from [N, G, F/G, ...].
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d5, d3 + d6, d4 + d7)>
// CHECK-LABEL: func.func @grouped_conv
// CHECK: linalg.generic {indexing_maps = [#[[X]]
// CHECK: tensor.collapse_shape {{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x2x6x6xf32> into tensor<1x4x6x6xf32>
func.func @grouped_conv(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Max pooling pads with -inf and reduces over a window tensor.
// CHECK-LABEL: func.func @maxpool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad
// CHECK: tensor.yield %[[NINF]]
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @maxpool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = qcc.pool %x {kind = "max", kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pooling without counted padding divides by a per-position count
// computed at compile time.
// CHECK-LABEL: func.func @avgpool
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK: arith.divf
func.func @avgpool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = qcc.pool %x {kind = "avg", kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
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

// ONNX QuantizeLinear: round half to even, add the zero point, saturate.
// CHECK-LABEL: func.func @quantize_linear
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui
func.func @quantize_linear(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  %0 = qcc.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Per-axis !quant.uniform types lower with constant scale/zero-point
// tensors indexed along the quantized axis.
// CHECK-DAG: #[[AX:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @quantize_per_axis
// CHECK: arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AX]], #[[AX]], #{{.*}}]
// CHECK: arith.fptosi {{.*}} : f32 to i8
func.func @quantize_per_axis(%x: tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>> {
  %0 = qcc.quantize %x : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
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

// -----

// Per-row dynamic quantization: a max-|x| reduction over the last
// dimension, the scale, then round-half-even quantization to i8.
// CHECK-LABEL: func.func @dynamic_quantize_rows
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : f32 to i8
func.func @dynamic_quantize_rows(%x: tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<4x1xf32>) {
  %q, %s = qcc.dynamic_quantize_rows %x : (tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<4x1xf32>)
  return %q, %s : tensor<4x8xi8>, tensor<4x1xf32>
}
