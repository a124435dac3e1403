// RUN: qcc-opt %s --split-input-file --qcc-fold-qdq | FileCheck %s

// QDQ MatMul: u8 activation with zero point 3 (per tensor), i8 weights with
// one scale per output column. The contraction is u8 x i8 -> i32 on the
// stored integers; the activation zero point becomes the constant
// correction 3 * colsum(w) = [3 * -1, 3 * 8]; one float rescale
// sx * sw = [0.5 * 0.25, 0.5 * 0.125].
// CHECK-LABEL: func.func @matmul_per_axis
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[1.250000e-01, 6.250000e-02]> : tensor<2xf32>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[-3, 24]> : tensor<2xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
// CHECK: %[[XQ:.*]] = qcc.quantize_linear %arg0
// CHECK-NOT: qcc.dequantize_linear
// CHECK: %[[ACC:.*]] = qcc.matmul %[[XQ]], %[[W]] : (tensor<2x3xui8>, tensor<3x2xi8>) -> tensor<2x2xi32>
// CHECK: %[[A2:.*]] = qcc.sub %[[ACC]], %[[C]] : (tensor<2x2xi32>, tensor<2xi32>) -> tensor<2x2xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[A2]] : tensor<2x2xi32> -> tensor<2x2xf32>
// CHECK: %[[Y:.*]] = qcc.mul %[[F]], %[[S]]
// CHECK: return %[[Y]]
func.func @matmul_per_axis(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<3> : tensor<ui8>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %sw = arith.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %xq = qcc.quantize_linear %x, %sx, %zx {axis = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<3x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Per tensor, symmetric i8 activation (zero point 0), batched activation:
// no correction, a scalar rescale.
// CHECK-LABEL: func.func @matmul_per_tensor
// CHECK-DAG: %[[S:.*]] = arith.constant dense<7.812500e-03> : tensor<f32>
// CHECK: %[[ACC:.*]] = qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x4x3xi8>, tensor<3x2xi8>) -> tensor<2x4x2xi32>
// CHECK-NOT: qcc.sub
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]] : tensor<2x4x2xi32> -> tensor<2x4x2xf32>
// CHECK: qcc.mul %[[F]], %[[S]] : (tensor<2x4x2xf32>, tensor<f32>) -> tensor<2x4x2xf32>
func.func @matmul_per_tensor(%x: tensor<2x4x3xf32>) -> tensor<2x4x2xf32> {
  %sx = arith.constant dense<0.0625> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %sw = arith.constant dense<0.125> : tensor<f32>
  %zw = arith.constant dense<0> : tensor<i8>
  %xq = qcc.quantize_linear %x, %sx, %zx {axis = 0 : i64} : (tensor<2x4x3xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4x3xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x4x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x4x3xf32>, tensor<3x2xf32>) -> tensor<2x4x2xf32>
  return %y : tensor<2x4x2xf32>
}

// -----

// u8 weights with per-column zero points: w - zw fits in i8 and is stored
// instead, so the kernel is zero-point free as well.
// CHECK-LABEL: func.func @matmul_u8_weights
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}-28, 2], [-127, 0], [127, -100]]> : tensor<3x2xi8>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[-28, -98]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = qcc.matmul %{{.*}}, %[[W]] : (tensor<2x3xui8>, tensor<3x2xi8>) -> tensor<2x2xi32>
// CHECK: qcc.sub %[[ACC]], %[[C]]
func.func @matmul_u8_weights(%xq: tensor<2x3xui8>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<1> : tensor<ui8>
  %w = arith.constant dense<[[100, 102], [1, 100], [255, 0]]> : tensor<3x2xui8>
  %sw = arith.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %zw = arith.constant dense<[128, 100]> : tensor<2xui8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<3x2xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// w - zw does not fit in i8 (255 - 0): the zero points stay in the integer
// kernel (qcc.matmul_integer), still accumulating in i32.
// CHECK-LABEL: func.func @matmul_wide_zero_point
// CHECK: %[[ACC:.*]] = qcc.matmul_integer %arg0, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<3x2xui8>, tensor<ui8>, tensor<2xui8>) -> tensor<2x2xi32>
// CHECK: qcc.cast %[[ACC]]
func.func @matmul_wide_zero_point(%xq: tensor<2x3xui8>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<1> : tensor<ui8>
  %w = arith.constant dense<[[100, 102], [1, 100], [255, 0]]> : tensor<3x2xui8>
  %sw = arith.constant dense<[0.25, 0.125]> : tensor<2xf32>
  %zw = arith.constant dense<[0, 100]> : tensor<2xui8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<3x2xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Two quantized activations (attention-style): the right operand is not
// constant, so both zero points stay in qcc.matmul_integer.
// CHECK-LABEL: func.func @matmul_activations
// CHECK-DAG: %[[S:.*]] = arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[ACC:.*]] = qcc.matmul_integer %arg0, %arg1, %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<3x4xui8>, tensor<ui8>, tensor<ui8>) -> tensor<2x4xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]]
// CHECK: qcc.mul %[[F]], %[[S]]
func.func @matmul_activations(%a: tensor<2x3xui8>, %b: tensor<3x4xui8>) -> tensor<2x4xf32> {
  %sa = arith.constant dense<0.5> : tensor<f32>
  %za = arith.constant dense<128> : tensor<ui8>
  %sb = arith.constant dense<0.25> : tensor<f32>
  %zb = arith.constant dense<120> : tensor<ui8>
  %ad = qcc.dequantize_linear %a, %sa, %za {axis = 0 : i64} : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
  %bd = qcc.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<3x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<3x4xf32>
  %y = qcc.matmul %ad, %bd : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// QDQ Gemm with transB (weights [N, K], per-axis scale on axis 0) and an
// int32 bias dequantized with exactly sx * sw: the weights are stored
// transposed as [K, N], the bias is added to the i32 accumulator.
// CHECK-LABEL: func.func @gemm_int_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[}}1, 3], [2, 4], [-3, -5]]> : tensor<3x2xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[10, -20]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[1.250000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: %[[ACC:.*]] = qcc.matmul %arg0, %[[W]] : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[AB:.*]] = qcc.add %[[ACC]], %[[B]] : (tensor<4x2xi32>, tensor<2xi32>) -> tensor<4x2xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[AB]]
// CHECK: %[[Y:.*]] = qcc.mul %[[F]], %[[S]]
// CHECK-NOT: qcc.add
// CHECK: return %[[Y]]
func.func @gemm_int_bias(%xq: tensor<4x3xi8>) -> tensor<4x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, 2, -3], [3, 4, -5]]> : tensor<2x3xi8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %b = arith.constant dense<[10, -20]> : tensor<2xi32>
  %sb = arith.constant dense<[0.125, 0.25]> : tensor<2xf32>
  %zb = arith.constant dense<0> : tensor<2xi32>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  %bd = qcc.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<2xi32>, tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  %y = qcc.gemm %xd, %wd, %bd {trans_b = true} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Gemm with a float bias, alpha and beta: alpha joins the rescale, beta * C
// is added in float afterwards.
// CHECK-LABEL: func.func @gemm_float_bias
// CHECK-DAG: %[[S:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[ACC:.*]] = qcc.matmul %arg0, %{{.*}} : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]]
// CHECK: %[[Y:.*]] = qcc.mul %[[F]], %[[S]]
// CHECK: %[[C:.*]] = qcc.mul %arg1, %{{.*}} : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
// CHECK: qcc.add %[[Y]], %[[C]]
func.func @gemm_float_bias(%xq: tensor<4x3xi8>, %c: tensor<2xf32>) -> tensor<4x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, 2], [3, 4], [-3, -5]]> : tensor<3x2xi8>
  %sw = arith.constant dense<0.25> : tensor<f32>
  %zw = arith.constant dense<0> : tensor<i8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %y = qcc.gemm %xd, %wd, %c {alpha = 2.0 : f64, beta = 0.5 : f64} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// QDQ Conv, weights per output channel, int32 bias with scale sx * sw:
// the i32 convolution takes the bias, the rescale is per channel [F, 1, 1].
// CHECK-LABEL: func.func @conv_per_channel
// CHECK-DAG: %[[S:.*]] = arith.constant dense<{{\[\[\[}}1.250000e-01]], {{\[\[}}2.500000e-01]]]> : tensor<2x1x1xf32>
// CHECK: %[[ACC:.*]] = qcc.conv %arg0, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x3x3xi8>, tensor<2xi32>) -> tensor<1x2x4x4xi32>
// CHECK: %[[F:.*]] = qcc.cast %[[ACC]]
// CHECK: %[[Y:.*]] = qcc.mul %[[F]], %[[S]]
// CHECK: return %[[Y]]
func.func @conv_per_channel(%xq: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<3> : tensor<2x2x3x3xi8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %b = arith.constant dense<[7, -7]> : tensor<2xi32>
  %sb = arith.constant dense<[0.125, 0.25]> : tensor<2xf32>
  %zb = arith.constant dense<0> : tensor<2xi32>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<2x2x3x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2x3x3xf32>
  %bd = qcc.dequantize_linear %b, %sb, %zb {axis = 0 : i64} : (tensor<2xi32>, tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  %y = qcc.conv %xd, %wd, %bd {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Depthwise Conv (group = channels) on a u8 activation with zero point 128
// and a float bias whose scale does not match. The zero point leaves the
// kernel: the input is padded with it up front and 128 * sum(w[f]) =
// 128 * 9 * -2 is subtracted per channel; the bias is added after the
// per-channel rescale.
// CHECK-LABEL: func.func @conv_depthwise_u8
// CHECK-DAG: %[[C:.*]] = arith.constant dense<-2304> : tensor<3x1x1xi32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<128> : tensor<ui8>
// CHECK: %[[P:.*]] = qcc.pad %arg0, %[[Z]] {mode = #qcc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x3x5x5xui8>, tensor<ui8>) -> tensor<1x3x7x7xui8>
// CHECK: %[[ACC:.*]] = qcc.conv %[[P]], %{{.*}} {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xui8>, tensor<3x1x3x3xi8>) -> tensor<1x3x3x3xi32>
// CHECK: %[[A2:.*]] = qcc.sub %[[ACC]], %[[C]]
// CHECK: %[[F:.*]] = qcc.cast %[[A2]]
// CHECK: %[[Y:.*]] = qcc.mul %[[F]], %{{.*}} : (tensor<1x3x3x3xf32>, tensor<3x1x1xf32>) -> tensor<1x3x3x3xf32>
// CHECK: %[[B:.*]] = qcc.reshape %arg1 : tensor<3xf32> -> tensor<3x1x1xf32>
// CHECK: qcc.add %[[Y]], %[[B]]
func.func @conv_depthwise_u8(%xq: tensor<1x3x5x5xui8>, %bias: tensor<3xf32>) -> tensor<1x3x3x3xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<128> : tensor<ui8>
  %w = arith.constant dense<-2> : tensor<3x1x3x3xi8>
  %sw = arith.constant dense<[0.25, 0.5, 1.0]> : tensor<3xf32>
  %zw = arith.constant dense<0> : tensor<3xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<1x3x5x5xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x3x5x5xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x1x3x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x1x3x3xf32>
  %y = qcc.conv %xd, %wd, %bias {dilations = array<i64: 1, 1>, group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x5x5xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// Weight zero points on a constant weight (per channel or one for all) are
// subtracted at compile time (an i16 weight where w - zw leaves the i8
// range).
// CHECK-LABEL: func.func @conv_weight_zero_points
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}155]]], {{\[\[\[}}90]]]]> : tensor<2x1x1x1xi16>
// CHECK: qcc.conv %arg0, %[[W]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xui8>, tensor<2x1x1x1xi16>) -> tensor<1x2x2x2xi32>
// CHECK-LABEL: func.func @conv_uniform_weight_zero_point
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}155]]], {{\[\[\[}}-10]]]]> : tensor<2x1x1x1xi16>
// CHECK: qcc.conv %arg0, %[[W]] {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xui8>, tensor<2x1x1x1xi16>) -> tensor<1x2x2x2xi32>
func.func @conv_weight_zero_points(%xq: tensor<1x1x2x2xui8>) -> tensor<1x2x2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<ui8>
  %w = arith.constant dense<[[[[255]]], [[[90]]]]> : tensor<2x1x1x1xui8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<1x1x2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xf32>
  %zwv = arith.constant dense<[100, 0]> : tensor<2xui8>
  %wd = qcc.dequantize_linear %w, %sw, %zwv {axis = 0 : i64} : (tensor<2x1x1x1xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x1x1x1xf32>
  %y = qcc.conv %xd, %wd {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
func.func @conv_uniform_weight_zero_point(%xq: tensor<1x1x2x2xui8>) -> tensor<1x2x2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<ui8>
  %w = arith.constant dense<[[[[255]]], [[[90]]]]> : tensor<2x1x1x1xui8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %zw = arith.constant dense<[100, 100]> : tensor<2xui8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<1x1x2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<2x1x1x1xui8>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x1x1x1xf32>
  %y = qcc.conv %xd, %wd {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// MatMulInteger / QLinearMatMul form with constant weights: the same
// zero-point-free contraction plus correction.
// CHECK-LABEL: func.func @matmul_integer_constant
// CHECK-DAG: %[[C:.*]] = arith.constant dense<[-6, 48]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = qcc.matmul %arg0, %{{.*}} : (tensor<2x3xui8>, tensor<3x2xi8>) -> tensor<2x2xi32>
// CHECK: %[[R:.*]] = qcc.sub %[[ACC]], %[[C]]
// CHECK-NOT: qcc.matmul_integer
// CHECK: return %[[R]]
func.func @matmul_integer_constant(%a: tensor<2x3xui8>) -> tensor<2x2xi32> {
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %za = arith.constant dense<6> : tensor<ui8>
  %zb = arith.constant dense<0> : tensor<i8>
  %y = qcc.matmul_integer %a, %w, %za, %zb : (tensor<2x3xui8>, tensor<3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<2x2xi32>
  return %y : tensor<2x2xi32>
}

// -----

// An integer qcc.conv with zero-point attributes and constant weights (as
// QLinearConv / ConvInteger import) takes the same zero-point-free form:
// w - 2 in i8, padding with the input zero point 5, 5 * sum(w'[f]) = 5 * 4
// * (1 - 2) subtracted; the int32 bias stays on the convolution.
// CHECK-LABEL: func.func @conv_integer_attrs
// CHECK-DAG: %[[W:.*]] = arith.constant dense<-1> : tensor<2x1x2x2xi8>
// CHECK-DAG: %[[C:.*]] = arith.constant dense<-20> : tensor<2x1x1xi32>
// CHECK: %[[P:.*]] = qcc.pad %arg0, %{{.*}} {mode = #qcc.pad_mode<constant>, pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1>} : (tensor<1x1x3x3xui8>, tensor<ui8>) -> tensor<1x1x4x4xui8>
// CHECK: %[[A:.*]] = qcc.conv %[[P]], %[[W]], %arg1 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xui8>, tensor<2x1x2x2xi8>, tensor<2xi32>) -> tensor<1x2x3x3xi32>
// CHECK: %[[R:.*]] = qcc.sub %[[A]], %[[C]]
// CHECK: return %[[R]]
// Non-constant weights keep the attributes.
// CHECK-LABEL: func.func @conv_integer_dynamic_weights
// CHECK: qcc.conv %arg0, %arg1 {dilations = array<i64: 1, 1>, input_zero_point = 5 : i64, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>, weight_zero_point = 2 : i64}
func.func @conv_integer_attrs(%x: tensor<1x1x3x3xui8>, %b: tensor<2xi32>) -> tensor<1x2x3x3xi32> {
  %w = arith.constant dense<1> : tensor<2x1x2x2xui8>
  %y = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>, input_zero_point = 5 : i64, weight_zero_point = 2 : i64} : (tensor<1x1x3x3xui8>, tensor<2x1x2x2xui8>, tensor<2xi32>) -> tensor<1x2x3x3xi32>
  return %y : tensor<1x2x3x3xi32>
}
func.func @conv_integer_dynamic_weights(%x: tensor<1x1x3x3xui8>, %w: tensor<2x1x2x2xui8>) -> tensor<1x2x3x3xi32> {
  %y = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 1, 1>, input_zero_point = 5 : i64, weight_zero_point = 2 : i64} : (tensor<1x1x3x3xui8>, tensor<2x1x2x2xui8>) -> tensor<1x2x3x3xi32>
  return %y : tensor<1x2x3x3xi32>
}

// -----

// QuantizeLinear(DequantizeLinear(q)) with the same parameters is q; per
// tensor dequantization moves below max pooling and reshapes, so the
// following Gemm sees dequantized integers and folds.
// CHECK-LABEL: func.func @pool_reshape_chain
// CHECK: %[[P:.*]] = qcc.pool %arg0 {{.*}} : tensor<1x2x4x4xui8> -> tensor<1x2x2x2xui8>
// CHECK: %[[R:.*]] = qcc.reshape %[[P]] : tensor<1x2x2x2xui8> -> tensor<1x8xui8>
// CHECK: %[[ACC:.*]] = qcc.matmul %[[R]], %{{.*}} : (tensor<1x8xui8>, tensor<8x3xi8>) -> tensor<1x3xi32>
// CHECK-NOT: qcc.quantize_linear
// CHECK-NOT: qcc.dequantize_linear
// CHECK: return
func.func @pool_reshape_chain(%xq: tensor<1x2x4x4xui8>) -> tensor<1x3xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %z = arith.constant dense<10> : tensor<ui8>
  %w = arith.constant dense<1> : tensor<8x3xi8>
  %sw = arith.constant dense<0.25> : tensor<f32>
  %zw = arith.constant dense<0> : tensor<i8>
  %xd = qcc.dequantize_linear %xq, %s, %z {axis = 0 : i64} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4x4xf32>
  %p = qcc.pool %xd {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %pq = qcc.quantize_linear %p, %s, %z {axis = 0 : i64} : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  %pd = qcc.dequantize_linear %pq, %s, %z {axis = 0 : i64} : (tensor<1x2x2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xf32>
  %r = qcc.reshape %pd : tensor<1x2x2x2xf32> -> tensor<1x8xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<8x3xi8>, tensor<f32>, tensor<i8>) -> tensor<8x3xf32>
  %y = qcc.gemm %r, %wd : (tensor<1x8xf32>, tensor<8x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// A per-axis dequantized weight moves below a transpose with its axis
// permuted (axis 0 of [N, K] is axis 1 of [K, N]) and then folds.
// A constant weight is transposed at compile time.
// CHECK-LABEL: func.func @transposed_weight
// CHECK-DAG: %[[T:.*]] = arith.constant dense<{{\[\[}}1, 3], [2, 4], [-3, -5]]> : tensor<3x2xi8>
// CHECK-NOT: qcc.transpose
// CHECK: qcc.matmul %arg0, %[[T]] : (tensor<4x3xi8>, tensor<3x2xi8>) -> tensor<4x2xi32>
// CHECK: qcc.mul %{{.*}}, %{{.*}} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
func.func @transposed_weight(%xq: tensor<4x3xi8>) -> tensor<4x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, 2, -3], [3, 4, -5]]> : tensor<2x3xi8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  %wt = qcc.transpose %wd {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wt : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Negative cases: nothing folds.

// A weight scale that is not a constant.
// CHECK-LABEL: func.func @dynamic_weight_scale
// CHECK: qcc.dequantize_linear
// CHECK: qcc.dequantize_linear
// CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @dynamic_weight_scale(%xq: tensor<2x3xi8>, %sw: tensor<2xf32>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<3x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// Weight scales along the reduction dimension (axis 0 of [K, N]): no single
// scale per output column exists.
// CHECK-LABEL: func.func @weight_axis_mismatch
// CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @weight_axis_mismatch(%xq: tensor<2x3xi8>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %sw = arith.constant dense<[0.25, 0.125, 0.5]> : tensor<3xf32>
  %zw = arith.constant dense<0> : tensor<3xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x2xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// Gemm with transB: per-axis scale on axis 1 of [N, K] is along K.
// CHECK-LABEL: func.func @gemm_axis_mismatch
// CHECK: qcc.gemm
func.func @gemm_axis_mismatch(%xq: tensor<4x3xi8>) -> tensor<4x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<[[1, 2, -3], [3, 4, -5]]> : tensor<2x3xi8>
  %sw = arith.constant dense<[0.25, 0.5, 1.0]> : tensor<3xf32>
  %zw = arith.constant dense<0> : tensor<3xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<4x3xi8>, tensor<f32>, tensor<i8>) -> tensor<4x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<2x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xf32>
  %y = qcc.gemm %xd, %wd {trans_b = true} : (tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// Conv weights quantized per input channel (axis 1).
// CHECK-LABEL: func.func @conv_axis_mismatch
// CHECK: qcc.conv %{{.*}}, %{{.*}} {{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
func.func @conv_axis_mismatch(%xq: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %w = arith.constant dense<3> : tensor<2x2x1x1xi8>
  %sw = arith.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %zw = arith.constant dense<0> : tensor<2xi8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 1 : i64} : (tensor<2x2x1x1xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2x1x1xf32>
  %y = qcc.conv %xd, %wd {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// An activation quantized per row is not a per-tensor activation.
// CHECK-LABEL: func.func @per_axis_activation
// CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @per_axis_activation(%xq: tensor<2x3xi8>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %zx = arith.constant dense<0> : tensor<2xi8>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi8>
  %sw = arith.constant dense<0.25> : tensor<f32>
  %zw = arith.constant dense<0> : tensor<i8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x2xi8>, tensor<f32>, tensor<i8>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// 16-bit quantized operands would overflow the i32 accumulator's
// guarantees; only 8-bit contractions fold.
// CHECK-LABEL: func.func @int16_operands
// CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @int16_operands(%xq: tensor<2x3xi16>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i16>
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6]]> : tensor<3x2xi16>
  %sw = arith.constant dense<0.25> : tensor<f32>
  %zw = arith.constant dense<0> : tensor<i16>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xi16>, tensor<f32>, tensor<i16>) -> tensor<2x3xf32>
  %wd = qcc.dequantize_linear %w, %sw, %zw {axis = 0 : i64} : (tensor<3x2xi16>, tensor<f32>, tensor<i16>) -> tensor<3x2xf32>
  %y = qcc.matmul %xd, %wd : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// A float weight (only the activation is quantized) is not an integer
// contraction.
// CHECK-LABEL: func.func @float_weight
// CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @float_weight(%xq: tensor<2x3xi8>, %w: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %sx = arith.constant dense<0.5> : tensor<f32>
  %zx = arith.constant dense<0> : tensor<i8>
  %xd = qcc.dequantize_linear %xq, %sx, %zx {axis = 0 : i64} : (tensor<2x3xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  %y = qcc.matmul %xd, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// A QuantizeLinear with a different scale than the DequantizeLinear before
// it is a real requantization and stays; so does a max pool over a
// negative scale (dequantization is then decreasing).
// CHECK-LABEL: func.func @requantize_stays
// CHECK: qcc.dequantize_linear
// CHECK: qcc.pool %{{.*}} : tensor<1x1x2x2xf32>
// CHECK: qcc.quantize_linear
func.func @requantize_stays(%q: tensor<1x1x2x2xi8>) -> tensor<1x1x1x1xi8> {
  %s = arith.constant dense<-0.5> : tensor<f32>
  %s2 = arith.constant dense<0.25> : tensor<f32>
  %z = arith.constant dense<0> : tensor<i8>
  %d = qcc.dequantize_linear %q, %s, %z {axis = 0 : i64} : (tensor<1x1x2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x1x2x2xf32>
  %p = qcc.pool %d {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %r = qcc.quantize_linear %p, %s2, %z {axis = 0 : i64} : (tensor<1x1x1x1xf32>, tensor<f32>, tensor<i8>) -> tensor<1x1x1x1xi8>
  return %r : tensor<1x1x1x1xi8>
}
