// RUN: qcc-opt %s --split-input-file --verify-diagnostics --convert-qcc-to-linalg
// Dynamic dimensions an op's lowering does not handle fail with its
// location (DynamicShapeOpInterface decides; test/Import/errors.test has
// the importer's side).

func.func @conv_spatial(%x: tensor<1x2x?x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x?x4xf32> {
  // expected-error @+1 {{'qcc.conv' does not support these dynamic dimensions; fix the model's input shapes with --input-shape}}
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x?x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x?x4xf32>
  return %0 : tensor<1x2x?x4xf32>
}

// -----

func.func @conv_channels(%x: tensor<?x?x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32> {
  // expected-error @+1 {{'qcc.conv' does not support these dynamic dimensions}}
  %0 = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x?x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x4x4xf32>
  return %0 : tensor<?x2x4x4xf32>
}

// -----

func.func @pool_spatial(%x: tensor<1x1x?x4xf32>) -> tensor<1x1x?x2xf32> {
  // expected-error @+1 {{'qcc.pool' does not support these dynamic dimensions}}
  %0 = qcc.pool %x {kind = #qcc.pool_kind<max>, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x?x4xf32> -> tensor<1x1x?x2xf32>
  return %0 : tensor<1x1x?x2xf32>
}

// -----

func.func @concat_axis(%a: tensor<?x3xf32>, %b: tensor<2x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'qcc.concat' does not support these dynamic dimensions}}
  %0 = qcc.concat %a, %b {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x?xf32>) -> tensor<?x2x?xf32> {
  // expected-error @+1 {{'qcc.reshape' does not support these dynamic dimensions}}
  %0 = qcc.reshape %x : tensor<?x?xf32> -> tensor<?x2x?xf32>
  return %0 : tensor<?x2x?xf32>
}

// -----

// Without the interface: static shapes only.
func.func @slice(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'qcc.slice' does not support these dynamic dimensions}}
  %0 = qcc.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 2>} : tensor<?x4xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @broadcast_to(%x: tensor<?x1xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'qcc.broadcast_to' does not support these dynamic dimensions}}
  %0 = qcc.broadcast_to %x : tensor<?x1xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
