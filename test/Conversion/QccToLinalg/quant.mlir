// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Quantization: saturate(round_half_even(x / scale) + zp) into the storage
// range; dequantization (q - zp) * scale with a wide integer subtraction.

// CHECK-DAG: #[[AXIS1:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[FIRST:.*]] = affine_map<(d0) -> (0)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1) -> (d0)>

// Per-axis parameters are read along `axis`.
// CHECK-LABEL: func.func @quantize_per_axis_i8
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AXIS1]], #[[AXIS1]], #{{.*}}]
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.sitofp {{.*}} : i8 to f32
// CHECK: arith.addf
// CHECK: arith.constant -1.280000e+02 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.minimumf
// CHECK: arith.fptosi {{.*}} : f32 to i8
func.func @quantize_per_axis_i8(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<2x3xi8> {
  %0 = qcc.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// The i32 bounds are not f32 values: saturate in f64.
// CHECK-LABEL: func.func @quantize_i32
// CHECK: math.roundeven {{.*}} : f32
// CHECK: arith.extf {{.*}} : f32 to f64
// CHECK: arith.sitofp {{.*}} : i32 to f64
// CHECK: arith.constant 0xC1E0000000000000 : f64
// CHECK: arith.constant 0x41DFFFFFFFC00000 : f64
// CHECK: arith.fptosi {{.*}} : f64 to i32
func.func @quantize_i32(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i32>) -> tensor<4xi32> {
  %0 = qcc.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// One-element 1-D parameters are per tensor; ui8 is zero-extended.
// CHECK-LABEL: func.func @dequantize_ui8
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[FIRST]], #[[FIRST]], #{{.*}}]
// CHECK: arith.extui {{.*}} : i8 to i64
// CHECK: arith.extui {{.*}} : i8 to i64
// CHECK: arith.subi
// CHECK: arith.sitofp {{.*}} : i64 to f32
// CHECK: arith.mulf
func.func @dequantize_ui8(%q: tensor<4xui8>, %s: tensor<1xf32>, %z: tensor<1xui8>) -> tensor<4xf32> {
  %0 = qcc.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<4xui8>, tensor<1xf32>, tensor<1xui8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Range (max, min) by full reductions, both widened to include 0.
// CHECK-LABEL: func.func @dynamic_quantize
// CHECK-SAME: -> (tensor<2x3xi8>, tensor<f32>, tensor<i8>)
// CHECK: iterator_types = ["reduction", "reduction"]
// CHECK: arith.maximumf
// CHECK: iterator_types = ["reduction", "reduction"]
// CHECK: arith.minimumf
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui {{.*}} : f32 to i8
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: arith.fptoui {{.*}} : f32 to i8
func.func @dynamic_quantize(%x: tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %z = qcc.dynamic_quantize_linear %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x3xui8>, tensor<f32>, tensor<ui8>
}

// !quant types: parameters become constants, the storage range is the
// quantized type's (narrow here).
// CHECK-LABEL: func.func @quantize_narrow
// CHECK-SAME: -> tensor<4xi8>
// CHECK: arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: arith.constant dense<1> : tensor<i64>
// CHECK: arith.constant -1.270000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
func.func @quantize_narrow(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:1>> {
  %0 = qcc.quantize %x : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:1>>
  return %0 : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:1>>
}

// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK: arith.constant dense<[1.000000e-01, 2.000000e-01]> : tensor<2xf32>
// CHECK: arith.constant dense<[0, 5]> : tensor<2xi64>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #{{.*}}]
// CHECK: arith.extsi {{.*}} : i8 to i64
func.func @dequantize_per_axis(%q: tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2:5}>>) -> tensor<2x4xf32> {
  %0 = qcc.dequantize %q : tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2:5}>> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// Requantize is dequantize to f32, then quantize.
// CHECK-LABEL: func.func @requantize(%arg0: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.extui {{.*}} : i8 to i64
// CHECK: arith.mulf
// CHECK: } -> tensor<4xf32>
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : f32 to i8
func.func @requantize(%q: tensor<4x!quant.uniform<u8:f32, 0.25:128>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>> {
  %0 = qcc.requantize %q : tensor<4x!quant.uniform<u8:f32, 0.25:128>> -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
}

// Fixed-point requantization to i32: i64 product with the Q31 multiplier,
// rounding right shift by 31 + shift, saturation to [lower, upper] (here
// [0, 2^30 - 1]: a folded ReLU), truncation to i32; an i8 input is
// sign-extended.
// CHECK-LABEL: func.func @requantize_fixed_i32
// CHECK: arith.constant dense<1073741824> : tensor<1xi64>
// CHECK: arith.constant dense<21> : tensor<1xi64>
// CHECK: linalg.generic
// CHECK: arith.extsi {{.*}} : i32 to i64
// CHECK: arith.muli
// CHECK: arith.shrsi
// CHECK: %[[LO:.*]] = arith.constant 0 : i64
// CHECK: arith.maxsi {{.*}}, %[[LO]] : i64
// CHECK: %[[HI:.*]] = arith.constant 1073741823 : i64
// CHECK: arith.minsi {{.*}}, %[[HI]] : i64
// CHECK: arith.trunci {{.*}} : i64 to i32
// CHECK: } -> tensor<2x6xi32>
// CHECK: arith.extsi {{.*}} : i8 to i64
// CHECK: %[[LO8:.*]] = arith.constant -2147483647 : i64
// CHECK: arith.maxsi {{.*}}, %[[LO8]] : i64
// CHECK: %[[HI8:.*]] = arith.constant 2147483647 : i64
// CHECK: arith.minsi {{.*}}, %[[HI8]] : i64
// CHECK: arith.trunci {{.*}} : i64 to i32
func.func @requantize_fixed_i32(%acc: tensor<2x6xi32>, %q: tensor<2x6xi8>) -> (tensor<2x6xi32>, tensor<2x6xi32>) {
  %0 = qcc.requantize_fixed %acc {axis = 0 : i64, lower = 0 : i64, upper = 1073741823 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -10>} : tensor<2x6xi32> -> tensor<2x6xi32>
  %1 = qcc.requantize_fixed %q {axis = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -9>} : tensor<2x6xi8> -> tensor<2x6xi32>
  return %0, %1 : tensor<2x6xi32>, tensor<2x6xi32>
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
