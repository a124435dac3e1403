// RUN: qcc-opt %s --pass-pipeline="builtin.module(func.func(qcc-tile-and-vectorize),canonicalize)" | FileCheck %s

// A 8x64x32 matmul: tiled to 8 rows x 32 columns x 1 reduction element (an
// outer-product step kept in registers) and vectorized.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %arg2) -> (tensor<8x32xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<8x32x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<8x32x1xf32>
// CHECK: arith.mulf {{.*}} : vector<8x32x1xf32>
// CHECK: arith.addf {{.*}} : vector<8x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<8x64xf32>, %b: tensor<64x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// The same with i8 operands accumulating in i32 (an integer contraction):
// the unit reduction dimension is dropped from the integer arithmetic, which
// would otherwise be unrolled to scalars on the way to LLVM.
// CHECK-LABEL: func.func @matmul_i8
// CHECK: vector.transfer_read {{.*}} : tensor<8x1xi8>, vector<8x32x1xi8>
// CHECK: arith.extsi {{.*}} : vector<8x32xi8> to vector<8x32xi32>
// CHECK: arith.extsi {{.*}} : vector<8x32xi8> to vector<8x32xi32>
// CHECK: arith.muli {{.*}} : vector<8x32xi32>
// CHECK: arith.addi {{.*}} : vector<8x32xi32>
func.func @matmul_i8(%a: tensor<8x64xi8>, %b: tensor<64x32xi8>, %c: tensor<8x32xi32>) -> tensor<8x32xi32> {
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x64xi8>, tensor<64x32xi8>) outs(%c : tensor<8x32xi32>) {
  ^bb0(%x: i8, %y: i8, %o: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %o, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<8x32xi32>
  return %m : tensor<8x32xi32>
}

// Elementwise with a broadcast operand: one row of 32 lanes per tile.
// CHECK-LABEL: func.func @bias_tanh
// CHECK: scf.for
// CHECK: math.tanh {{.*}} : vector<1x32xf32>
// CHECK-NOT: linalg.generic
func.func @bias_tanh(%x: tensor<8x32xf32>, %bias: tensor<32xf32>) -> tensor<8x32xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%x, %bias : tensor<8x32xf32>, tensor<32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// Short odd innermost dimensions are vectorized whole.
// CHECK-LABEL: func.func @odd
// CHECK: math.exp {{.*}} : vector<1x5xf32>
func.func @odd(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%x : tensor<3x5xf32>) outs(%e : tensor<3x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.exp %a : f32
    linalg.yield %t : f32
  } -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// A matmul reading a per-group scale through `k floordiv 48` (a fused
// weight dequantization) is still a multiply-accumulate: tiled like a
// contraction (one reduction step per tile, which divides the group size,
// so no tile straddles two groups), and the tile's `0 floordiv 48` map
// simplifies so that it vectorizes.
// CHECK-LABEL: func.func @grouped_scale
// CHECK: scf.for %{{.*}} = %c0 to %c96 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<1x8xf32>, vector<4x8x1xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @grouped_scale(%x: tensor<4x96xf32>, %w: tensor<96x40xi8>, %s: tensor<2x40xf32>) -> tensor<4x40xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x40xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<4x40xf32>) -> tensor<4x40xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d2 floordiv 48, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w, %s : tensor<4x96xf32>, tensor<96x40xi8>, tensor<2x40xf32>) outs(%init : tensor<4x40xf32>) {
  ^bb0(%in: f32, %q: i8, %sc: f32, %out: f32):
    %0 = arith.extsi %q : i8 to i32
    %1 = arith.sitofp %0 : i32 to f32
    %2 = arith.mulf %1, %sc : f32
    %3 = arith.mulf %in, %2 : f32
    %4 = arith.addf %out, %3 : f32
    linalg.yield %4 : f32
  } -> tensor<4x40xf32>
  return %r : tensor<4x40xf32>
}

// Two 4-bit weights per byte along the reduction (`k floordiv 2`, nibble
// chosen by `k mod 2` from linalg.index) and a per-group scale: vectorized.
// CHECK-LABEL: func.func @packed_int4
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<1x8xi8>, vector<4x8x1xi8>
// CHECK: arith.shrui {{.*}} : vector<4x8xi32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @packed_int4(%x: tensor<4x64xf32>, %w: tensor<32x40xi8>, %s: tensor<2x40xf32>) -> tensor<4x40xf32> {
  %cst = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c8 = arith.constant 8 : i32
  %e = tensor.empty() : tensor<4x40xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<4x40xf32>) -> tensor<4x40xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2 floordiv 2, d1)>, affine_map<(d0, d1, d2) -> (d2 floordiv 32, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w, %s : tensor<4x64xf32>, tensor<32x40xi8>, tensor<2x40xf32>) outs(%init : tensor<4x40xf32>) {
  ^bb0(%in: f32, %q: i8, %sc: f32, %out: f32):
    %k = linalg.index 2 : index
    %odd = arith.remui %k, %c2 : index
    %hi = arith.cmpi ne, %odd, %c0 : index
    %b = arith.extui %q : i8 to i32
    %sh = arith.shrui %b, %c4 : i32
    %n = arith.select %hi, %sh, %b : i32
    %m = arith.andi %n, %c15 : i32
    %x8 = arith.xori %m, %c8 : i32
    %v = arith.subi %x8, %c8 : i32
    %f = arith.sitofp %v : i32 to f32
    %d = arith.mulf %f, %sc : f32
    %p = arith.mulf %in, %d : f32
    %a = arith.addf %out, %p : f32
    linalg.yield %a : f32
  } -> tensor<4x40xf32>
  return %r : tensor<4x40xf32>
}

// A vector-matrix product (M = 1, a decode step) over 3-bit weights packed
// along the reduction ([K / 8, 3, N] bytes, each byte plane a slice read
// through `k floordiv 8`), as the lowering of qcc.dequantize_blockwise
// {packed_dim = 0} fuses into the matmul: one reduction step per tile, so
// the packed reads simplify and the unpacking vectorizes along N (32
// lanes). The reduction loop runs outside the N loop, so every step streams
// one row of weight bytes across the output row.
// CHECK-LABEL: func.func @packed_int3_vecmat
// CHECK: scf.for %[[K:.*]] = %c0 to %c16 step %c1
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK-COUNT-3: vector.transfer_read {{.*}} : tensor<1x32xi8>, vector<1x32x1xi8>
// CHECK: arith.ori {{.*}} : vector<32xi32>
// CHECK: arith.shrui {{.*}} : vector<32xi32>
// CHECK: arith.sitofp {{.*}} : vector<32xi32> to vector<32xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @packed_int3_vecmat(%x: tensor<1x16xf32>, %q: tensor<2x3x64xi8>, %s: tensor<2x64xf32>) -> tensor<1x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c4_i32 = arith.constant 4 : i32
  %c7_i32 = arith.constant 7 : i32
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c16_i32 = arith.constant 16 : i32
  %c8_i32 = arith.constant 8 : i32
  %b0 = tensor.extract_slice %q[0, 0, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
  %b1 = tensor.extract_slice %q[0, 1, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
  %b2 = tensor.extract_slice %q[0, 2, 0] [2, 1, 64] [1, 1, 1] : tensor<2x3x64xi8> to tensor<2x64xi8>
  %e = tensor.empty() : tensor<1x64xf32>
  %init = linalg.fill ins(%cst : f32) outs(%e : tensor<1x64xf32>) -> tensor<1x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2 floordiv 8, d1)>, affine_map<(d0, d1, d2) -> (d2 floordiv 8, d1)>, affine_map<(d0, d1, d2) -> (d2 floordiv 8, d1)>, affine_map<(d0, d1, d2) -> (d2 floordiv 8, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %b0, %b1, %b2, %s : tensor<1x16xf32>, tensor<2x64xi8>, tensor<2x64xi8>, tensor<2x64xi8>, tensor<2x64xf32>) outs(%init : tensor<1x64xf32>) {
  ^bb0(%in: f32, %in_2: i8, %in_3: i8, %in_4: i8, %in_5: f32, %out: f32):
    %3 = linalg.index 2 : index
    %4 = arith.extui %in_2 : i8 to i32
    %5 = arith.extui %in_3 : i8 to i32
    %6 = arith.shli %5, %c8_i32 : i32
    %7 = arith.ori %4, %6 : i32
    %8 = arith.extui %in_4 : i8 to i32
    %9 = arith.shli %8, %c16_i32 : i32
    %10 = arith.ori %7, %9 : i32
    %11 = arith.remui %3, %c8 : index
    %12 = arith.muli %11, %c3 : index
    %13 = arith.index_castui %12 : index to i32
    %14 = arith.shrui %10, %13 : i32
    %15 = arith.andi %14, %c7_i32 : i32
    %16 = arith.xori %15, %c4_i32 : i32
    %17 = arith.subi %16, %c4_i32 : i32
    %18 = arith.sitofp %17 : i32 to f32
    %19 = arith.mulf %18, %in_5 : f32
    %20 = arith.mulf %in, %19 : f32
    %21 = arith.addf %out, %20 : f32
    linalg.yield %21 : f32
  } -> tensor<1x64xf32>
  return %r : tensor<1x64xf32>
}

// The contraction of an im2col convolution, a linalg.batch_matmul whose
// weights are broadcast along the batch: the same register-blocked outer
// product as a matmul (8 filters x 32 output positions per step).
// CHECK-LABEL: func.func @im2col_batch_matmul
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %arg2) -> (tensor<1x8x32xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<1x8x32x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x32xf32>, vector<1x8x32x1xf32>
// CHECK: arith.mulf {{.*}} : vector<1x8x32x1xf32>
// CHECK: arith.addf {{.*}} : vector<1x8x32xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: return
func.func @im2col_batch_matmul(%w: tensor<8x64xf32>, %col: tensor<1x64x32xf32>, %c: tensor<1x8x32xf32>) -> tensor<1x8x32xf32> {
  %r = linalg.batch_matmul indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>] ins(%w, %col : tensor<8x64xf32>, tensor<1x64x32xf32>) outs(%c : tensor<1x8x32xf32>) -> tensor<1x8x32xf32>
  return %r : tensor<1x8x32xf32>
}

// A 4-D numpy matmul (attention scores) as linalg.contract: batch loops of
// 1, then the outer product of 8 rows x 32 columns.
// CHECK-LABEL: func.func @contract_4d
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x8x1xf32>, vector<1x1x8x32x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x32xf32>, vector<1x1x8x32x1xf32>
// CHECK: arith.mulf {{.*}} : vector<1x1x8x32x1xf32>
// CHECK: arith.addf {{.*}} : vector<1x1x8x32xf32>
// CHECK-NOT: linalg.contract
// CHECK: return
func.func @contract_4d(%a: tensor<2x3x8x16xf32>, %b: tensor<2x3x16x32xf32>, %c: tensor<2x3x8x32xf32>) -> tensor<2x3x8x32xf32> {
  %r = linalg.contract indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>] ins(%a, %b : tensor<2x3x8x16xf32>, tensor<2x3x16x32xf32>) outs(%c : tensor<2x3x8x32xf32>) -> tensor<2x3x8x32xf32>
  return %r : tensor<2x3x8x32xf32>
}

// A named depthwise convolution (the grouped view of a stride-1 3x3
// depthwise layer): tiled like its windowed generic (one channel, 8 rows x
// 32 columns, one window element per step), generalized and vectorized,
// the weight broadcast across the block.
// CHECK-LABEL: func.func @depthwise_named
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x8x32xf32>, vector<1x1x1x8x32x1x1x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x1x1xf32>, vector<1x1x1x8x32x1x1x1xf32>
// CHECK: arith.mulf {{.*}} : vector<1x1x1x8x32x1x1x1xf32>
// CHECK: arith.addf {{.*}} : vector<1x1x1x8x32xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @depthwise_named(%x: tensor<1x4x1x18x34xf32>, %w: tensor<4x1x1x3x3xf32>, %o: tensor<1x4x1x16x32xf32>) -> tensor<1x4x1x16x32xf32> {
  %r = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x1x18x34xf32>, tensor<4x1x1x3x3xf32>) outs(%o : tensor<1x4x1x16x32xf32>) -> tensor<1x4x1x16x32xf32>
  return %r : tensor<1x4x1x16x32xf32>
}

// Named max pooling: tiled like its generic (a row of 32 outputs per
// window element) and vectorized.
// CHECK-LABEL: func.func @maxpool_named
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x1x32xf32>, vector<1x1x1x32x1x1xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x1x1x32xf32>
// CHECK-NOT: linalg.
// CHECK: return
func.func @maxpool_named(%x: tensor<1x4x18x34xf32>, %o: tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %r = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x18x34xf32>, tensor<3x3xf32>) outs(%o : tensor<1x4x16x32xf32>) -> tensor<1x4x16x32xf32>
  return %r : tensor<1x4x16x32xf32>
}

// A transpose [64, 48] -> [48, 64]: the output's innermost loop gets a
// full vector (32) and so does the input's innermost one (16, half the
// width), so each tile reads 16-element rows of the input and transposes
// in registers instead of gathering 32 strided elements per vector.
// CHECK-LABEL: func.func @transpose
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} permutation_map = {{.*}} : tensor<32x16xf32>, vector<16x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<16x32xf32>, tensor<16x32xf32>
func.func @transpose(%x: tensor<64x48xf32>) -> tensor<48x64xf32> {
  %e = tensor.empty() : tensor<48x64xf32>
  %t = linalg.transpose ins(%x : tensor<64x48xf32>) outs(%e : tensor<48x64xf32>) permutation = [1, 0]
  return %t : tensor<48x64xf32>
}
