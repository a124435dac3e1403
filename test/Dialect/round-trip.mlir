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

// The quantization passes' records on contractions: #qcc.quant (a layer's
// quantization), #qcc.calibration (only the threshold is required) and
// #qcc.bits. Floats print as the shortest f32 literal that parses back to
// the same value; absent optional fields are elided; the other qcc.*
// discardable attributes are free-form.
// CHECK-LABEL: func.func @quant_records
func.func @quant_records(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %w2: tensor<2x2xf32>, %xq: tensor<4x3xi8>, %wq: tensor<3x2xi8>, %xc: tensor<1x2x4x4xf32>, %wc: tensor<2x2x1x1xf32>) -> (tensor<4x2xf32>, tensor<4x2xi32>, tensor<1x2x4x4xf32>) {
  // CHECK: qcc.matmul %{{.*}}, %{{.*}} {qcc.bits = #qcc.bits<4>, qcc.calibration = #qcc.calibration<method = "minmax", min = -2.540000e+00, max = 1.000000e+00, threshold = 2.540000e+00, samples = 4, channel_mean = [2.000000e+00, 4.000000e+00, 0.333333343]>}
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<method = "minmax", min = -2.54, max = 1.0, threshold = 2.54, samples = 4, channel_mean = [2.0, 4.0, 0.333333343]>, qcc.bits = #qcc.bits<4>} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  // Fields in any order; a bare keyword for an enum.
  // CHECK: qcc.gemm %{{.*}}, %{{.*}} {qcc.bits = #qcc.bits<32>, qcc.calibration = #qcc.calibration<method = "mse", threshold = 1.000000e+00>, qcc.name = "g"}
  %1 = qcc.gemm %0, %w2 {qcc.calibration = #qcc.calibration<threshold = 1.0, method = mse>, qcc.bits = #qcc.bits<32>, qcc.name = "g"} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  // CHECK: qcc.matmul %{{.*}}, %{{.*}} {qcc.calibration = #qcc.calibration<threshold = 0.000000e+00>, qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 3, granularity = "per-group", group_size = 64, symmetric = false, scale_min = 0.00999999977, scale_max = 2.000000e-02, bytes_before = 24, bytes_after = 14>}
  %2 = qcc.matmul %1, %w2 {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 3, granularity = "per-group", group_size = 64, symmetric = false, scale_min = 0.01, scale_max = 0.02, bytes_before = 24, bytes_after = 14>, qcc.calibration = #qcc.calibration<threshold = 0.0>} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  // CHECK: qcc.matmul %{{.*}}, %{{.*}} {qcc.quant = #qcc.quant<layer = "MatMul_0", op = "MatMul", scheme = "static", bits = 8, granularity = "per-tensor", group_size = 0, symmetric = true, scale_min = 2.000000e-02, scale_max = 2.000000e-02, bytes_before = 24, bytes_after = 10, act_scale = 0.0314960629, weight_scales = [2.000000e-02], bias_correction = [-0.00314966217, 7.4505806E-9]>}
  %3 = qcc.matmul %xq, %wq {qcc.quant = #qcc.quant<layer = "MatMul_0", op = "MatMul", scheme = "static", bits = 8, granularity = "per-tensor", group_size = 0, symmetric = true, scale_min = 0.02, scale_max = 0.02, bytes_before = 24, bytes_after = 10, act_scale = 0.0314960629, weight_scales = [0.02], bias_correction = [-0.00314966217, 7.4505806E-9]>} : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
  // CHECK: qcc.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, qcc.quant = #qcc.quant<layer = "conv", op = "Conv", scheme = "dynamic", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.000000e+00, scale_max = 0.000000e+00, bytes_before = 16, bytes_after = 12>, strides = array<i64: 1, 1>}
  %4 = qcc.conv %xc, %wc {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.quant = #qcc.quant<layer = "conv", op = "Conv", scheme = "dynamic", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.0, scale_max = 0.0, bytes_before = 16, bytes_after = 12>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: qcc.relu %{{.*}} {qcc.layer_output = "conv", qcc.unchecked = 7 : i64}
  %5 = qcc.relu %4 {qcc.layer_output = "conv", qcc.unchecked = 7} : tensor<1x2x4x4xf32>
  return %2, %3, %5 : tensor<4x2xf32>, tensor<4x2xi32>, tensor<1x2x4x4xf32>
}
