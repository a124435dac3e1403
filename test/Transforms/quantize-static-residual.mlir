// RUN: qcc-opt %s --split-input-file --qcc-quantize-static="min-elements=1" --canonicalize | FileCheck %s
// Static W8A8 integer-only residual Add, average pooling and global
// average pooling between int8 layers. Scales are powers of two (weights
// with max |w| = 127 / 128 per channel -> weight scale 2^-7, thresholds
// 127 * 2^-k -> activation scale 2^-k) unless stated, so every multiplier
// is 2^30 (0.5 in Q31) and the shifts carry the ratios.

// Two ResNet basic blocks: X1 = relu(conv_b1(relu(conv_a1(X0))) + X0),
// X2 = relu(conv_b2(relu(conv_a2(X1))) + X1), X0 = relu(conv0(x)), X2
// consumed by conv_c. Activation scales: conv0 2^-6, conv_a1 2^-5, conv_b1
// 2^-4, conv_a2 2^-3, conv_b2 2^-4, conv_c 2^-2.
//   X0 for conv_a1: conv0's acc (2^-13) by 2^-8 -> shift 7 (31 + 7 bits
//     right of the Q31 product), ReLU folded (lower = 0).
//   relu(conv_a1) for conv_b1: acc 2^-12 -> 2^-4, shift 7.
//   Add 1 feeds conv_a2 (2^-3): both operands at 2^-3 / 2^10 = 2^-13 in
//     i32 saturated to +-(2^30 - 1): conv_b1's acc (2^-11) by 2^2 (shift
//     -3); the shortcut X0 again from conv0's acc, exactly (by 1, shift
//     -1). The i32 sum goes to 2^-3 by 2^-10 (shift 9), ReLU folded, int8.
//   relu(conv_a2) for conv_b2: acc 2^-10 -> 2^-4, shift 5.
//   Add 2 feeds conv_c (2^-2): operands at 2^-12; conv_b2's acc (2^-11) by
//     2 (shift -2); the shortcut X1 is Add 1's int8 result (made for
//     conv_a2 at 2^-3) brought to 2^-12 by 2^9 (shift -10), not computed
//     again; the sum by 2^-10 (shift 9).
// No float value sits between the int8 convolutions.
// CHECK-LABEL: func.func @residual
// CHECK: %[[A0:.*]] = qcc.conv %{{.*}}, %{{.*}} {{.*}}layer = "conv0"{{.*}} -> tensor<1x2x4x4xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[B0:.*]] = qcc.add %[[A0]]
// CHECK: %[[X0:.*]] = qcc.requantize_fixed %[[B0]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: 7, 7>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK-NEXT: %[[AA1:.*]] = qcc.conv %[[X0]], {{.*}}layer = "conv_a1"{{.*}} -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[BA1:.*]] = qcc.add %[[AA1]]
// CHECK-NEXT: %[[XB1:.*]] = qcc.requantize_fixed %[[BA1]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: 7, 7>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK-NEXT: %[[AB1:.*]] = qcc.conv %[[XB1]], {{.*}}layer = "conv_b1"{{.*}} -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[BB1:.*]] = qcc.add %[[AB1]]
// CHECK-NEXT: %[[L1:.*]] = qcc.requantize_fixed %[[BB1]] {axis = 1 : i64, lower = -1073741823 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: -3, -3>, upper = 1073741823 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[B0b:.*]] = qcc.add %[[A0]]
// CHECK-NEXT: %[[R1:.*]] = qcc.requantize_fixed %[[B0b]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: -1, -1>, upper = 1073741823 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[S1:.*]] = qcc.add %[[L1]], %[[R1]] : (tensor<1x2x4x4xi32>, tensor<1x2x4x4xi32>) -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[X1:.*]] = qcc.requantize_fixed %[[S1]] {axis = 0 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 9>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK-NEXT: %[[AA2:.*]] = qcc.conv %[[X1]], {{.*}}layer = "conv_a2"{{.*}} -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[BA2:.*]] = qcc.add %[[AA2]]
// CHECK-NEXT: %[[XB2:.*]] = qcc.requantize_fixed %[[BA2]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: 5, 5>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK-NEXT: %[[AB2:.*]] = qcc.conv %[[XB2]], {{.*}}layer = "conv_b2"{{.*}} -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[BB2:.*]] = qcc.add %[[AB2]]
// CHECK-NEXT: %[[L2:.*]] = qcc.requantize_fixed %[[BB2]] {axis = 1 : i64, lower = -1073741823 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: -2, -2>, upper = 1073741823 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[R2:.*]] = qcc.requantize_fixed %[[X1]] {axis = 0 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: -10>, upper = 1073741823 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[S2:.*]] = qcc.add %[[L2]], %[[R2]] : (tensor<1x2x4x4xi32>, tensor<1x2x4x4xi32>) -> tensor<1x2x4x4xi32>
// CHECK-NEXT: %[[X2:.*]] = qcc.requantize_fixed %[[S2]] {axis = 0 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 9>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi8>
// CHECK-NEXT: %[[AC:.*]] = qcc.conv %[[X2]], {{.*}}layer = "conv_c"{{.*}} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi32>
// CHECK-NEXT: qcc.cast %[[AC]]
// CHECK: return
func.func @residual(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.9921875]], [[0.5]]], [[[-0.25]], [[-0.9921875]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.125]> : tensor<2xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.984375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv0")
  %X0 = qcc.relu %0 : tensor<1x2x4x4xf32>
  %1 = qcc.conv %X0, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv_a1")
  %2 = qcc.relu %1 : tensor<1x2x4x4xf32>
  %3 = qcc.conv %2, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 7.9375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv_b1")
  %4 = qcc.add %3, %X0 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %X1 = qcc.relu %4 : tensor<1x2x4x4xf32>
  %5 = qcc.conv %X1, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 15.875>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv_a2")
  %6 = qcc.relu %5 : tensor<1x2x4x4xf32>
  %7 = qcc.conv %6, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 7.9375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv_b2")
  %8 = qcc.add %7, %X1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %X2 = qcc.relu %8 : tensor<1x2x4x4xf32>
  %9 = qcc.conv %X2, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 31.75>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv_c")
  return %9 : tensor<1x2x4x4xf32>
}

// -----

// Downsampling block: the shortcut is a strided 1x1 convolution, whose
// accumulator goes to the Add's i32 scale directly. The consumer scale is
// 0.05 (threshold 6.35), not a power of two: the Add's operands are at
// 0.05 / 1024; conv_a's acc (2^-12) by 2^-12 * 1024 / 0.05 = 5.0 =
// 0.625 * 2^3 (multiplier 0.625 * 2^31 = 1342177280, shift -3; the float
// scale 0.0500000007 makes it 1342177260); the shortcut's acc likewise
// (2^-12 too); the sum by 2^-10 (shift 9).
// CHECK-LABEL: func.func @downsample
// CHECK: %[[X:.*]] = qcc.requantize_fixed {{.*}} -> tensor<1x2x4x4xi8>
// CHECK: %[[AA:.*]] = qcc.conv %[[X]], {{.*}}strides = array<i64: 2, 2>{{.*}} -> tensor<1x2x2x2xi32>
// CHECK: %[[AS:.*]] = qcc.conv %[[X]], {{.*}}strides = array<i64: 2, 2>{{.*}} -> tensor<1x2x2x2xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[L:.*]] = qcc.requantize_fixed %{{.*}} {axis = 1 : i64, lower = -1073741823 : i64, multipliers = array<i32: 1342177260, 1342177260>, shifts = array<i32: -3, -3>, upper = 1073741823 : i64} : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[R:.*]] = qcc.requantize_fixed %{{.*}} {axis = 1 : i64, lower = -1073741823 : i64, {{.*}}upper = 1073741823 : i64} : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[S:.*]] = qcc.add %[[L]], %[[R]]
// CHECK: %[[Y:.*]] = qcc.requantize_fixed %[[S]] {axis = 0 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 9>} : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xi8>
// CHECK: qcc.conv %[[Y]], {{.*}} -> tensor<1x2x2x2xi32>
func.func @downsample(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.9921875]], [[0.5]]], [[[-0.25]], [[-0.9921875]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.125]> : tensor<2xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.984375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %X = qcc.relu %0 : tensor<1x2x4x4xf32>
  %1 = qcc.conv %X, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %s = qcc.conv %X, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %4 = qcc.add %1, %s : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %5 = qcc.relu %4 : tensor<1x2x2x2xf32>
  %6 = qcc.conv %5, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 6.35>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %6 : tensor<1x2x2x2xf32>
}

// -----

// Average pooling: the ReLU'd conv output at the consumer's scale (2^-5)
// with 8 more fractional bits (2^-13: ratio 1, multiplier 0.5 shift -1)
// in i32, unclipped by the int8 range; the pool sums and divides in
// integers; then 2^-8 (shift 7) to int8.
// CHECK-LABEL: func.func @avg_pool
// CHECK: %[[A:.*]] = qcc.conv {{.*}} -> tensor<1x2x4x4xi32>
// CHECK: %[[B:.*]] = qcc.add %[[A]]
// CHECK: %[[I:.*]] = qcc.requantize_fixed %[[B]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: -1, -1>} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[P:.*]] = qcc.pool %[[I]] {{.*}}kind = #qcc.pool_kind<avg>{{.*}} : tensor<1x2x4x4xi32> -> tensor<1x2x2x2xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[Q:.*]] = qcc.requantize_fixed %[[P]] {axis = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 7>} : tensor<1x2x2x2xi32> -> tensor<1x2x2x2xi8>
// CHECK: qcc.conv %[[Q]], {{.*}} -> tensor<1x2x2x2xi32>
func.func @avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.9921875]], [[0.5]]], [[[-0.25]], [[-0.9921875]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.125]> : tensor<2xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.984375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qcc.relu %0 : tensor<1x2x4x4xf32>
  %2 = qcc.pool %1 {kind = #qcc.pool_kind<avg>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %3 = qcc.conv %2, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// Global average pooling (reduce_mean over H, W) -> flatten -> Gemm: the
// 16 inputs at 2^-5 / 2^8 in i32 saturated to (2^31 - 1) / 16 = 134217727
// so their sum cannot overflow, an i32 reduce_sum, then 2^-8 / 16 = 2^-12
// (shift 11) to int8, reshaped for the Gemm.
// CHECK-LABEL: func.func @global_avg_pool
// CHECK: %[[A:.*]] = qcc.conv {{.*}} -> tensor<1x2x4x4xi32>
// CHECK: %[[B:.*]] = qcc.add %[[A]]
// CHECK: %[[I:.*]] = qcc.requantize_fixed %[[B]] {axis = 1 : i64, lower = 0 : i64, multipliers = array<i32: 1073741824, 1073741824>, shifts = array<i32: -1, -1>, upper = 134217727 : i64} : tensor<1x2x4x4xi32> -> tensor<1x2x4x4xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[S:.*]] = qcc.reduce_sum %[[I]] {axes = array<i64: 2, 3>} : tensor<1x2x4x4xi32> -> tensor<1x2x1x1xi32>
// CHECK-NOT: qcc.cast
// CHECK: %[[Q:.*]] = qcc.requantize_fixed %[[S]] {axis = 0 : i64, multipliers = array<i32: 1073741824>, shifts = array<i32: 11>} : tensor<1x2x1x1xi32> -> tensor<1x2x1x1xi8>
// CHECK: %[[F:.*]] = qcc.reshape %[[Q]] : tensor<1x2x1x1xi8> -> tensor<1x2xi8>
// CHECK: qcc.matmul %[[F]], %{{.*}} : (tensor<1x2xi8>, tensor<2x3xi8>) -> tensor<1x3xi32>
func.func @global_avg_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[[[0.9921875]], [[0.5]]], [[[-0.25]], [[-0.9921875]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.125]> : tensor<2xf32>
  %wg = arith.constant dense<[[0.5, 1.0, -1.0], [0.25, 0.0, 0.5]]> : tensor<2x3xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.984375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qcc.relu %0 : tensor<1x2x4x4xf32>
  %2 = qcc.reduce_mean %1 {axes = array<i64: 2, 3>, keepdims = true} : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
  %3 = qcc.reshape %2 : tensor<1x2x1x1xf32> -> tensor<1x2xf32>
  %4 = qcc.gemm %3, %wg {qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %4 : tensor<1x3xf32>
}

// -----

// An Add with an operand that no int8 layer produced (a function argument)
// stays in float: the consumer quantizes its float input.
// CHECK-LABEL: func.func @float_add
// CHECK: %[[F:.*]] = qcc.add %{{.*}}, %arg1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %[[R:.*]] = qcc.relu %[[F]]
// CHECK: %[[Q:.*]] = qcc.quantize_linear %[[R]]
// CHECK: qcc.conv %[[Q]]
func.func @float_add(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[0.9921875]], [[0.5]]], [[[-0.25]], [[-0.9921875]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.125]> : tensor<2xf32>
  %0 = qcc.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 1.984375>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = qcc.add %0, %y : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = qcc.relu %1 : tensor<1x2x4x4xf32>
  %3 = qcc.conv %2, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, qcc.calibration = #qcc.calibration<threshold = 3.96875>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}
