// RUN: qcc-opt %s | qcc-opt | FileCheck %s
// Every op prints in its custom form and parses back to the same IR.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x3xi1>) -> tensor<2x3xf32> {
  // CHECK: qcc.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = qcc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: qcc.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64} : tensor<2x3xf32>
  %1 = qcc.hard_sigmoid %0 {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<2x3xf32>
  // CHECK: qcc.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = qcc.where %c, %1, %a : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: qcc.mod %{{.*}}, %{{.*}} {fmod = true}
  %3 = qcc.mod %2, %a {fmod = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<4xf32>) -> tensor<1x4x3x3xf32> {
  // CHECK: qcc.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %0 = qcc.conv %x, %w, %bias {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: qcc.pool %{{.*}} {{{.*}}kind = #qcc.pool_kind<avg>
  %1 = qcc.pool %0 {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: qcc.slice %{{.*}} {starts = array<i64: 0, 0, 3, 3>, steps = array<i64: 1, 1, -1, -1>}
  %2 = qcc.slice %1 {starts = array<i64: 0, 0, 3, 3>, steps = array<i64: 1, 1, -1, -1>} : tensor<1x4x4x4xf32> -> tensor<1x4x3x3xf32>
  return %2 : tensor<1x4x3x3xf32>
}

// The enum attributes print as #qcc.<mnemonic><value>; a default
// reduction (none) is elided.
// CHECK-LABEL: func.func @enum_attrs
func.func @enum_attrs(%x: tensor<4xf32>, %v: tensor<f32>, %i: tensor<2xi64>, %u: tensor<2xf32>, %i2: tensor<2x1xi64>) -> tensor<4xf32> {
  // CHECK: qcc.pad %{{.*}}, %{{.*}} {mode = #qcc.pad_mode<reflect>, pads = array<i64: 1, 1>}
  %0 = qcc.pad %x, %v {mode = #qcc.pad_mode<reflect>, pads = array<i64: 1, 1>} : (tensor<4xf32>, tensor<f32>) -> tensor<6xf32>
  // CHECK: qcc.pad %{{.*}}, %{{.*}} {mode = #qcc.pad_mode<edge>, pads = array<i64: 1, 1>}
  %1 = qcc.pad %x, %v {mode = #qcc.pad_mode<edge>, pads = array<i64: 1, 1>} : (tensor<4xf32>, tensor<f32>) -> tensor<6xf32>
  // CHECK: qcc.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64, reduction = #qcc.scatter_reduction<mul>}
  %2 = qcc.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = #qcc.scatter_reduction<mul>} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  // CHECK: qcc.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} :
  %3 = qcc.scatter_elements %2, %i, %u {axis = 0 : i64, reduction = #qcc.scatter_reduction<none>} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  // CHECK: qcc.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = #qcc.scatter_reduction<add>}
  %4 = qcc.scatter_nd %3, %i2, %u {reduction = #qcc.scatter_reduction<add>} : (tensor<4xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %4 : tensor<4xf32>
}

// CHECK-LABEL: func.func @quantized
func.func @quantized(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: qcc.quantize %{{.*}} : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01,4.000000e-01}>>
  %q = qcc.quantize %x : tensor<4x8xf32> -> tensor<4x8x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>>
  // CHECK: qcc.requantize
  %r = qcc.requantize %q : tensor<4x8x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3, 0.4}>> -> tensor<4x8x!quant.uniform<i8:f32, 0.05:3>>
  // CHECK: qcc.dequantize %{{.*}} : tensor<4x8x!quant.uniform<i8:f32, 5.000000e-02:3>> -> tensor<4x8xf32>
  %d = qcc.dequantize %r : tensor<4x8x!quant.uniform<i8:f32, 0.05:3>> -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @onnx_quant
func.func @onnx_quant(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %zp: tensor<4xui8>) -> tensor<2x4xui8> {
  // CHECK: qcc.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<2x4xui8>
  %0 = qcc.quantize_linear %x, %s, %zp {axis = 1 : i64} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}


// Fixed-point requantization to i8 (default bounds [-127, 127] stay
// implicit), to i32 with explicit saturation bounds, and from i8 (an int8
// tensor brought to a finer i32 scale).
// CHECK-LABEL: func.func @requantize_fixed
func.func @requantize_fixed(%acc: tensor<2x6xi32>, %q: tensor<2x6xi8>) -> (tensor<2x6xi8>, tensor<2x6xi32>, tensor<2x6xi32>) {
  // CHECK: qcc.requantize_fixed %{{.*}} {axis = 0 : i64, multipliers = array<i32: 1610612736, 1610612736>, shifts = array<i32: 0, 2>} : tensor<2x6xi32> -> tensor<2x6xi8>
  %0 = qcc.requantize_fixed %acc {axis = 0 : i64, multipliers = array<i32: 1610612736, 1610612736>, shifts = array<i32: 0, 2>} : tensor<2x6xi32> -> tensor<2x6xi8>
  // CHECK: qcc.requantize_fixed %{{.*}} {axis = 0 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -10>, upper = 1073741823 : i64} : tensor<2x6xi32> -> tensor<2x6xi32>
  %1 = qcc.requantize_fixed %acc {axis = 0 : i64, lower = 0 : i64, upper = 1073741823 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -10>} : tensor<2x6xi32> -> tensor<2x6xi32>
  // CHECK: qcc.requantize_fixed %{{.*}} {axis = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -9>} : tensor<2x6xi8> -> tensor<2x6xi32>
  %2 = qcc.requantize_fixed %q {axis = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -9>} : tensor<2x6xi8> -> tensor<2x6xi32>
  return %0, %1, %2 : tensor<2x6xi8>, tensor<2x6xi32>, tensor<2x6xi32>
}
