// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8 min-elements=1" | FileCheck %s --check-prefix=W8
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=4 group-size=2 min-elements=1" | FileCheck %s --check-prefix=W4
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8 symmetric=false min-elements=1" | FileCheck %s --check-prefix=ASYM
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8" | FileCheck %s --check-prefix=SMALL
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=8 min-elements=1 exclude=Gemm,mm2" | FileCheck %s --check-prefix=EXCL
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=2 group-size=2 min-elements=1" | FileCheck %s --check-prefix=W2
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=3 group-size=2 min-elements=1" | FileCheck %s --check-prefix=W3
// RUN: qcc-opt %s --split-input-file --qcc-quantize-weights="bits=3 group-size=2 symmetric=false min-elements=1" | FileCheck %s --check-prefix=W3ASYM

// Per output channel (column) int8: column 0 has max |w| 1.27, scale 0.01;
// column 1 max 2.54, scale 0.02. Values round half to even.
// W8: module attributes {qcc.weight_bytes = {float = 24 : i64, quantized = 14 : i64}}
// W8-LABEL: func.func @matmul
// W8: %[[Q:.*]] = arith.constant dense<{{\[\[}}127, -64], [-100, 127], [0, 1]]> : tensor<3x2xi8>
// W8: %[[S:.*]] = arith.constant dense<{{\[\[}}0.00999999977, 2.000000e-02]]> : tensor<1x2xf32>
// W8: %[[D:.*]] = qcc.dequantize_blockwise %[[Q]], %[[S]] {block_shape = array<i64: 3, 1>} : (tensor<3x2xi8>, tensor<1x2xf32>) -> tensor<3x2xf32>
// W8: qcc.matmul %arg0, %[[D]] {qcc.layer_output = "mm", qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "weight-only", bits = 8, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 0.00999999977, scale_max = 2.000000e-02, bytes_before = 24, bytes_after = 14>}

// A group size that does not divide the reduction dimension (3) falls back
// to per channel; an odd reduction dimension packs two 4-bit values per
// byte along the last dimension instead (packed_dim left at its default).
// W4-LABEL: func.func @matmul
// W4: qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 3, 1>} : (tensor<3x1xi8>, tensor<1x2xf32>) -> tensor<3x2xf32>

// Asymmetric: unsigned storage and a zero point per block.
// ASYM-LABEL: func.func @matmul
// ASYM: qcc.dequantize_blockwise {{.*}} : (tensor<3x2xui8>, tensor<1x2xf32>, tensor<1x2xui8>) -> tensor<3x2xf32>

// Weights below min-elements stay in float.
// SMALL-LABEL: func.func @matmul
// SMALL-NOT: qcc.dequantize_blockwise
func.func @matmul(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.27, -1.28], [-1.0, 2.54], [0.0, 0.02]]> : tensor<3x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32> loc("mm")
  return %0 : tensor<1x2xf32>
}

// -----

// Gemm with transB: rows of B are the output channels.
// W8-LABEL: func.func @gemm
// W8: qcc.dequantize_blockwise {{.*}} {block_shape = array<i64: 1, 4>} : (tensor<2x4xi8>, tensor<2x1xf32>) -> tensor<2x4xf32>
// Groups of 2 along the reduction dimension (the rows of B).
// W4-LABEL: func.func @gemm
// W4: qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 1, 2>} : (tensor<2x2xi8>, tensor<2x2xf32>) -> tensor<2x4xf32>
// W4: qcc.gemm {{.*}}qcc.quant = #qcc.quant<layer = "Gemm_0", op = "Gemm", scheme = "weight-only", bits = 4, granularity = "per-group", group_size = 2,
// --exclude by op type keeps the Gemm in float.
// EXCL-LABEL: func.func @gemm
// EXCL-NOT: qcc.dequantize_blockwise
func.func @gemm(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>
  %0 = qcc.gemm %x, %w {trans_b = true} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// A per-op qcc.bits (from --qcc-mixed-precision) overrides the pass's bits:
// 32 keeps the op in float. --exclude names nodes too ("mm2").
// W8-LABEL: func.func @mixed
// W8: qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 4, 1>, packed_dim = 0 : i64}
// W8: qcc.matmul {{.*}}qcc.quant = #qcc.quant<layer = "mm1", op = "MatMul", scheme = "weight-only", bits = 4,
// W8: qcc.dequantize_blockwise {{.*}} {block_shape = array<i64: 4, 1>}
// W8: qcc.matmul {{.*}}qcc.quant = #qcc.quant<layer = "mm2", op = "MatMul", scheme = "weight-only", bits = 8,
// W8: qcc.matmul %{{.*}}, %cst : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
// W8-NOT: qcc.bits
// EXCL-LABEL: func.func @mixed
// EXCL: qcc.matmul {{.*}}layer = "mm1"
// EXCL-NOT: layer = "mm2"
func.func @mixed(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [-1.0, -2.0], [-3.0, -4.0]]> : tensor<4x2xf32>
  %0 = qcc.matmul %x, %w {qcc.bits = #qcc.bits<4>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> loc("mm1")
  %1 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> loc("mm2")
  %2 = qcc.matmul %x, %w {qcc.bits = #qcc.bits<32>} : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32> loc("mm3")
  %3 = qcc.add %0, %1 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %4 = qcc.add %3, %2 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %4 : tensor<1x2xf32>
}

// -----

// 2 and 3 bits (a reduction dimension of 2 is too short to pack along:
// packed along the last dimension). Symmetric uses the whole signed range
// (-2..1, -4..3) and a negative scale when the positive tail is the larger
// (column 1: 2 = -2 * -1); the clipping ratio with the least squared
// error is 1 here (column 2: 0.5 saturates to 1 * 0.25). Columns 4-7
// repeat 0-3.
// Row 0 is q = [1, -2, 1, 0] twice: four per byte, 1 | 2 << 2 | 1 << 4 = 25;
// row 1 [-2, 0, -2, 0]: 2 | 2 << 4 = 34.
// W2-LABEL: func.func @lowbits
// W2: %[[Q:.*]] = arith.constant dense<{{\[\[}}25, 25], [34, 34]]> : tensor<2x2xi8>
// W2: %[[S:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, -1.000000e+00, 2.500000e-01, 1.000000e+00, 1.000000e+00, -1.000000e+00, 2.500000e-01, 1.000000e+00]]> : tensor<1x8xf32>
// W2: qcc.dequantize_blockwise %[[Q]], %[[S]] {bits = 2 : i64, block_shape = array<i64: 2, 1>} : (tensor<2x2xi8>, tensor<1x8xf32>) -> tensor<2x8xf32>
// W2: qcc.matmul {{.*}}bits = 2, granularity = "per-channel", group_size = 0, symmetric = true, scale_min = 2.500000e-01, scale_max = 1.000000e+00, bytes_before = 64, bytes_after = 36>
// Eight 3-bit values in 3 bytes (a little-endian 24-bit word, element i at
// bit 3 i). Row 0 is q = [2, -4, 3, 0] twice: fields 2, 4, 3, 0, ... make
// the word 0x0E20E2, bytes 0xE2 (-30), 0x20, 0x0E; row 1 [-4, 0, -4, 0]
// twice: 0x104104.
// W3-LABEL: func.func @lowbits
// W3: %[[Q:.*]] = arith.constant dense<{{\[\[\[}}-30, 32, 14]], {{\[\[}}4, 65, 16]]]> : tensor<2x1x3xi8>
// W3: %[[S:.*]] = arith.constant dense<{{\[\[}}5.000000e-01, -5.000000e-01, 1.250000e-01, 1.000000e+00, 5.000000e-01, -5.000000e-01, 1.250000e-01, 1.000000e+00]]> : tensor<1x8xf32>
// W3: qcc.dequantize_blockwise %[[Q]], %[[S]] {bits = 3 : i64, block_shape = array<i64: 2, 1>} : (tensor<2x1x3xi8>, tensor<1x8xf32>) -> tensor<2x8xf32>
// Asymmetric: unsigned 0..7 and a zero point per block.
// W3ASYM-LABEL: func.func @lowbits
// W3ASYM: qcc.dequantize_blockwise {{.*}} {bits = 3 : i64, block_shape = array<i64: 2, 1>} : (tensor<2x1x3xui8>, tensor<1x8xf32>, tensor<1x8xui8>) -> tensor<2x8xf32>
func.func @lowbits(%x: tensor<1x2xf32>) -> tensor<1x8xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 0.5, 0.0, 1.0, 2.0, 0.5, 0.0], [-2.0, 0.0, -0.5, 0.0, -2.0, 0.0, -0.5, 0.0]]> : tensor<2x8xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x2xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// Sub-byte MatMul weights are packed along the reduction dimension K
// (packed_dim = 0), so that the fused contraction reads one row of bytes
// per reduction step. 4 bits, groups of 2 along K, every group's max |w| is
// 7 (scale 1, q = w): byte [k / 2, n] holds q[k, n] (even k) in the low
// nibble: [0, 0] = 7 | -7 << 4 = 0x97 (-105), [0, 1] = -7 | 3 << 4 = 0x39,
// [1, 0] = 1 | 7 << 4 = 0x71, [1, 1] = 7 | 2 << 4 = 0x27.
// W4-LABEL: func.func @pack_k
// W4: %[[Q:.*]] = arith.constant dense<{{\[\[}}-105, 57], [113, 39]]> : tensor<2x2xi8>
// W4: %[[S:.*]] = arith.constant dense<1.000000e+00> : tensor<2x2xf32>
// W4: qcc.dequantize_blockwise %[[Q]], %[[S]] {bits = 4 : i64, block_shape = array<i64: 2, 1>, packed_dim = 0 : i64} : (tensor<2x2xi8>, tensor<2x2xf32>) -> tensor<4x2xf32>
// 8 bits are not packed: no packed_dim.
// W8-LABEL: func.func @pack_k
// W8: qcc.dequantize_blockwise {{.*}} {block_shape = array<i64: 4, 1>} : (tensor<4x2xi8>, tensor<1x2xf32>) -> tensor<4x2xf32>
func.func @pack_k(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[7.0, -7.0], [-7.0, 3.0], [1.0, 7.0], [7.0, 2.0]]> : tensor<4x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// 3 and 2 bits along K: eight 3-bit values of a column in 3 bytes, laid
// out [K / 8, 3, N]. Groups of 2 along K; column 0 is [2, -4, 3, 0] twice:
// (2, -4) has scale 1, (3, 0) scale -0.75 (q = -4, 0), so q = [2, -4, -4,
// 0] twice, fields 2, 4, 4, 0, ..., the word 0x122122: bytes 0x22, 0x21,
// 0x12; column 1 is [-4, 0] four times (scale 1): 0x104104.
// W3-LABEL: func.func @lowbits_k
// W3: %[[Q:.*]] = arith.constant dense<{{\[\[\[}}34, 4], [33, 65], [18, 16]]]> : tensor<1x3x2xi8>
// W3: %[[S:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00], [-7.500000e-01, 1.000000e+00], [1.000000e+00, 1.000000e+00], [-7.500000e-01, 1.000000e+00]]> : tensor<4x2xf32>
// W3: qcc.dequantize_blockwise %[[Q]], %[[S]] {bits = 3 : i64, block_shape = array<i64: 2, 1>, packed_dim = 0 : i64} : (tensor<1x3x2xi8>, tensor<4x2xf32>) -> tensor<8x2xf32>
// W3ASYM-LABEL: func.func @lowbits_k
// W3ASYM: qcc.dequantize_blockwise {{.*}} {bits = 3 : i64, block_shape = array<i64: 2, 1>, packed_dim = 0 : i64} : (tensor<1x3x2xui8>, tensor<4x2xf32>, tensor<4x2xui8>) -> tensor<8x2xf32>
// Four 2-bit values per byte along K: [K / 4, N].
// W2-LABEL: func.func @lowbits_k
// W2: qcc.dequantize_blockwise {{.*}} {bits = 2 : i64, block_shape = array<i64: 2, 1>, packed_dim = 0 : i64} : (tensor<2x2xi8>, tensor<4x2xf32>) -> tensor<8x2xf32>
func.func @lowbits_k(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[2.0, -4.0], [-4.0, 0.0], [3.0, -4.0], [0.0, 0.0], [2.0, -4.0], [-4.0, 0.0], [3.0, -4.0], [0.0, 0.0]]> : tensor<8x2xf32>
  %0 = qcc.matmul %x, %w : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// An ungrouped convolution's weight is quantized as its [F, C*kh*kw]
// matrix (what the im2col lowering contracts) and reshaped back: groups run
// along C*kh*kw and 4-bit packing needs an even C*kh*kw (here 6), not an
// even kernel width (3).
// W8-LABEL: func.func @conv
// W8: arith.constant dense<{{\[}}[42, -85, 127, 21, 11, -42], [32, 64, -127, 16, 16, 16]]> : tensor<2x6xi8>
// W8: %[[D:.*]] = qcc.dequantize_blockwise {{.*}} {block_shape = array<i64: 1, 6>} : (tensor<2x6xi8>, tensor<2x1xf32>) -> tensor<2x6xf32>
// W8: %[[R:.*]] = qcc.reshape %[[D]] : tensor<2x6xf32> -> tensor<2x2x1x3xf32>
// W8: qcc.conv %arg0, %[[R]]
// W4-LABEL: func.func @conv
// W4: %[[D:.*]] = qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 1, 2>} : (tensor<2x3xi8>, tensor<2x3xf32>) -> tensor<2x6xf32>
// W4: %[[R:.*]] = qcc.reshape %[[D]] : tensor<2x6xf32> -> tensor<2x2x1x3xf32>
// W4: qcc.conv %arg0, %[[R]]
// W4-SAME: granularity = "per-group", group_size = 2
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x2xf32> {
  %w = arith.constant dense<[[[[1.0, -2.0, 3.0]], [[0.5, 0.25, -1.0]]], [[[2.0, 4.0, -8.0]], [[1.0, 1.0, 1.0]]]]> : tensor<2x2x1x3xf32>
  %y = qcc.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x3xf32>) -> tensor<1x2x4x2xf32>
  return %y : tensor<1x2x4x2xf32>
}

// -----

// A depthwise convolution's 3 values per channel cannot pack along the
// kernel: 4-bit values pack along the output channels (packed_dim = 0).
// W4-LABEL: func.func @depthwise
// W4: %[[D:.*]] = qcc.dequantize_blockwise {{.*}} {bits = 4 : i64, block_shape = array<i64: 1, 1, 1, 3>, packed_dim = 0 : i64} : (tensor<2x1x1x3xi8>, tensor<4x1x1x1xf32>) -> tensor<4x1x1x3xf32>
// W4: qcc.conv %arg0, %[[D]]
func.func @depthwise(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x2xf32> {
  %w = arith.constant dense<[[[[1.0, -2.0, 3.0]]], [[[0.5, 0.25, -1.0]]], [[[2.0, 4.0, -8.0]]], [[[1.0, 1.0, 1.0]]]]> : tensor<4x1x1x3xf32>
  %y = qcc.conv %x, %w {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x1x1x3xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}
