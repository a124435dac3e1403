// RUN: qcc-opt %s --split-input-file --qcc-quantize-static="min-elements=1" | FileCheck %s
// RUN: qcc-opt %s --split-input-file --qcc-quantize-static="min-elements=1 per-channel=false" | FileCheck %s --check-prefix=TENSOR
// RUN: qcc-opt %s --split-input-file --qcc-quantize-static="min-elements=1 exclude=conv1,MatMul" | FileCheck %s --check-prefix=EXCL

// Calibrated threshold 2.54 -> activation scale 0.02; weight columns get
// scales 0.01 and 0.02; the i32 product is rescaled by their products.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[XQ:.*]] = qcc.quantize_linear %arg0, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x3xf32>, tensor<f32>, tensor<i8>) -> tensor<4x3xi8>
// The layer record sits on the i32 contraction, the float output is tagged.
// CHECK: %[[ACC:.*]] = qcc.matmul %[[XQ]], %{{[a-z0-9_]+}} {qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "static", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.00999999977, scale_max = 2.000000e-02, bytes_before = 24, bytes_after = 14, act_scale = 2.000000e-02, weight_scales = [0.00999999977, 2.000000e-02]>} : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]] : tensor<4x2xi32> -> tensor<4x2xf32>
// CHECK: arith.constant dense<[2.000000e-04, 4.000000e-04]> : tensor<2xf32>
// CHECK: qcc.mul %[[F]]
// CHECK-SAME: qcc.layer_output = "mm"
// CHECK-NOT: qcc.calibration
// Per tensor: one weight scale (2.54 / 127) for both columns.
// TENSOR-LABEL: func.func @matmul
// TENSOR: %[[W:.*]] = arith.constant dense<{{\[\[}}64, -64], [-50, 127], [0, 1]]> : tensor<3x2xi8>
// TENSOR: granularity = "per-tensor"
// TENSOR: arith.constant dense<4.000000e-04> : tensor<2xf32>
// TENSOR-LABEL: func.func @conv
// EXCL-LABEL: func.func @matmul
// EXCL-NOT: quantize_linear
// EXCL: return
func.func @matmul(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.27, -1.28], [-1.0, 2.54], [0.0, 0.02]]> : tensor<3x2xf32>
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<method = "minmax", min = -2.54, max = 1.0, threshold = 2.54, samples = 4>} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32> loc("mm")
  return %0 : tensor<4x2xf32>
}

// -----

// Convolution: int8 input and weights, i32 accumulation, per-output-channel
// rescale and bias in float.
// CHECK-LABEL: func.func @conv
// CHECK: qcc.quantize_linear
// CHECK: qcc.conv {{.*}} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi32>
// CHECK: qcc.mul
// CHECK: qcc.add
// EXCL-LABEL: func.func @conv
// EXCL-NOT: quantize_linear
// EXCL: return
func.func @conv(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[-1.0]], [[0.5]]]]> : tensor<2x2x1x1xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Ops without calibration stay in float.
// CHECK-LABEL: func.func @uncalibrated
// CHECK-NOT: quantize_linear
func.func @uncalibrated(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Consecutive int8 layers: the second layer's input is the first layer's
// i32 accumulator plus its quantized bias, requantized with fixed-point
// multipliers; the ReLU between them becomes the lower saturation bound.
// No float value sits between the two contractions.
// CHECK-LABEL: func.func @chain
// CHECK: %[[XQ:.*]] = qcc.quantize_linear %arg0
// CHECK: %[[A1:.*]] = qcc.matmul %[[XQ]], %{{.*}} : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[B1:.*]] = qcc.add %[[A1]], %{{.*}} : (tensor<4x2xi32>, tensor<2xi32>) -> tensor<4x2xi32>
// CHECK: %[[R:.*]] = qcc.requantize_fixed %[[B1]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: {{.*}}>, shifts = array<i32: {{.*}}>} : tensor<4x2xi32> -> tensor<4x2xi8>
// CHECK: qcc.matmul %[[R]], %{{.*}} : (tensor<4x2xi8>, tensor<2x2xi8>) -> tensor<4x2xi32>
func.func @chain(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w1 = arith.constant dense<[[1.27, -1.28], [-1.0, 2.54], [0.0, 0.02]]> : tensor<3x2xf32>
  %b1 = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %w2 = arith.constant dense<[[1.0, -1.0], [0.5, 2.0]]> : tensor<2x2xf32>
  %0 = qcc.gemm %x, %w1, %b1 {qcc.calibration = #qcc.calibration<threshold = 2.54>} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %1 = qcc.relu %0 : tensor<4x2xf32>
  %2 = qcc.matmul %1, %w2 {qcc.calibration = #qcc.calibration<threshold = 4.0>} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %2 : tensor<4x2xf32>
}

// -----

// Max pooling commutes with the monotonic int8 quantization, so a chain
// conv -> relu -> maxpool -> conv stays integer: the pool runs on int8.
// CHECK-LABEL: func.func @pool_chain
// CHECK: %[[A:.*]] = qcc.conv {{.*}} -> tensor<1x2x4x4xi32>
// CHECK: %[[R:.*]] = qcc.requantize_fixed {{.*}}lower = 0 : i64{{.*}} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK: %[[P:.*]] = qcc.pool %[[R]] {{.*}}kind = #qcc.pool_kind<max>{{.*}} : tensor<1x2x4x4xi8> -> tensor<1x2x2x2xi8>
// CHECK: qcc.conv %[[P]], {{.*}} -> tensor<1x2x2x2xi32>
func.func @pool_chain(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[-1.0]], [[0.5]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qcc.relu %0 : tensor<1x2x4x4xf32>
  %2 = qcc.pool %1 {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %3 = qcc.conv %2, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 3.0>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// Bias correction: column 0 rounds 0.3 to 76 * (0.5 / 127); with the
// calibrated input channel means [2, 4] the expected output shift of
// channel 0 is 4 * (76 * 0.5 / 127 - 0.3) = -0.00315; column 1 is exact
// up to float rounding.
// The correction is added after the rescale, and disabled on request.
// The record carries the shift.
// CHECK-LABEL: func.func @bias_correction
// CHECK: qcc.matmul {{.*}}qcc.quant = #qcc.quant<{{.*}}weight_scales = [0.00393700786, 0.00787401571], bias_correction = [-0.00314{{[0-9]*}}, {{[^]]*}}]>}
// CHECK: %[[Y:.*]] = qcc.mul
// CHECK: %[[C:.*]] = arith.constant dense<[0.00314{{[0-9]*}}, {{.*}}]> : tensor<2xf32>
// CHECK: qcc.add %[[Y]], %[[C]]
// RUN: qcc-opt %s --split-input-file --qcc-quantize-static="min-elements=1 bias-correction=false" | FileCheck %s --check-prefix=NOBC
// NOBC-LABEL: func.func @bias_correction
// NOBC-NOT: bias_correction =
// NOBC-NOT: qcc.add
func.func @bias_correction(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[0.5, 1.0], [0.3, -1.0]]> : tensor<2x2xf32>
  %0 = qcc.matmul %x, %w {qcc.calibration = #qcc.calibration<threshold = 4.0, channel_mean = [2.0, 4.0]>} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
