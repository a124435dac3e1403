// RUN: qcc-opt %s --convert-qcc-to-linalg --split-input-file | FileCheck %s
// Elementwise lowering: one linalg.generic per op, numpy broadcasting maps,
// signedness from the qcc types, float math through the math dialect.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>

// Unsigned signatures and dense_resource constants become signless.
// CHECK-LABEL: func.func @signature_and_resource(%arg0: tensor<4xi8>) -> tensor<4xi8>
// CHECK: %[[C:.*]] = arith.constant dense_resource<blob> : tensor<4xi8>
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[C]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: arith.addi
// CHECK: return {{.*}} : tensor<4xi8>
func.func @signature_and_resource(%a: tensor<4xui8>) -> tensor<4xui8> {
  %c = arith.constant dense_resource<blob> : tensor<4xui8>
  %0 = qcc.add %a, %c : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// CHECK-LABEL: func.func @float_math
// CHECK: math.roundeven
// Gelu: 0.5 x (1 + erf(x / sqrt 2)).
// CHECK: arith.constant 0.707106769 : f32
// CHECK: math.erf
// Softplus as max(x, 0) + log1p(exp(-|x|)).
// CHECK: math.absf
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: math.log1p
// CHECK: arith.maximumf
// CHECK: arith.addf
// HardSigmoid: clamp(alpha x + beta, 0, 1), no exp.
// CHECK: linalg.generic
// CHECK-NOT: math.exp
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// Selu: gamma (carried in beta) * (x <= 0 ? alpha (e^x - 1) : x).
// CHECK: arith.constant 1.670000e+00 : f32
// CHECK: arith.constant 1.050000e+00 : f32
// CHECK: arith.cmpf ole
// CHECK: math.exp
// CHECK: arith.select
// CHECK: math.asin
func.func @float_math(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qcc.round %x : tensor<4xf32>
  %1 = qcc.gelu %0 : tensor<4xf32>
  %2 = qcc.softplus %1 : tensor<4xf32>
  %3 = qcc.hard_sigmoid %2 {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4xf32>
  %4 = qcc.selu %3 {alpha = 1.67 : f64, beta = 1.05 : f64} : tensor<4xf32>
  %5 = qcc.asin %4 : tensor<4xf32>
  return %5 : tensor<4xf32>
}

// ONNX BitShift is on unsigned types: a logical shift; comparisons unsigned.
// CHECK-LABEL: func.func @unsigned_ops
// CHECK: arith.shrui
// CHECK: arith.cmpi ult
// CHECK: arith.remui
func.func @unsigned_ops(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xi1>, tensor<4xui8>) {
  %0 = qcc.bitshift_right %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = qcc.less %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %2 = qcc.mod %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %1, %2 : tensor<4xi1>, tensor<4xui8>
}

// CHECK-LABEL: func.func @signed_ops
// CHECK: arith.shrsi
// CHECK: arith.cmpi slt
// CHECK: arith.maxsi
func.func @signed_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi32>) {
  %0 = qcc.bitshift_right %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = qcc.less %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %2 = qcc.relu %a : tensor<4xi32>
  return %1, %2 : tensor<4xi1>, tensor<4xi32>
}

// Float Mod (fmod = 1) is C fmod.
// CHECK-LABEL: func.func @float_mod_pow
// CHECK: arith.remf
// Float base, integer exponent: the exponent is converted.
// CHECK: arith.sitofp {{.*}} : i64 to f32
// CHECK: math.powf
func.func @float_mod_pow(%a: tensor<4xf32>, %b: tensor<4xf32>, %e: tensor<4xi64>) -> tensor<4xf32> {
  %0 = qcc.mod %a, %b {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = qcc.pow %0, %e : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func @casts
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: arith.extui {{.*}} : i8 to i64
// f16 and bf16 have the same width: through f32.
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: arith.cmpf une
// CHECK: arith.fptosi {{.*}} : f32 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
func.func @casts(%a: tensor<4xui8>, %f: tensor<4xf16>, %g: tensor<4xf32>, %s: tensor<4xi8>)
    -> (tensor<4xf32>, tensor<4xi64>, tensor<4xbf16>, tensor<4xi1>, tensor<4xi32>, tensor<4xi32>) {
  %0 = qcc.cast %a : tensor<4xui8> -> tensor<4xf32>
  %1 = qcc.cast %a : tensor<4xui8> -> tensor<4xi64>
  %2 = qcc.cast %f : tensor<4xf16> -> tensor<4xbf16>
  %3 = qcc.cast %f : tensor<4xf16> -> tensor<4xi1>
  %4 = qcc.cast %g : tensor<4xf32> -> tensor<4xi32>
  %5 = qcc.cast %s : tensor<4xi8> -> tensor<4xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xi64>, tensor<4xbf16>, tensor<4xi1>, tensor<4xi32>, tensor<4xi32>
}

// Not is xor with true; Where broadcasts a 0-d operand.
// CHECK-LABEL: func.func @not_where
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[T]] : i1
// CHECK: linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[SCALAR]], #[[ID1]]]
// CHECK: arith.select
func.func @not_where(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<f32>) -> tensor<4xf32> {
  %0 = qcc.not %c : tensor<4xi1>
  %1 = qcc.where %0, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func @nan_inf
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf oeq
func.func @nan_inf(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = qcc.isnan %x : tensor<4xf32> -> tensor<4xi1>
  %1 = qcc.isinf %x {detect_negative = false} : tensor<4xf32> -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// Expand: trailing alignment, size-1 dims read at index 0.
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[BCAST]], #{{.*}}]
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = qcc.broadcast_to %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Dynamic dimensions size the result with tensor.dim.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0 : tensor<?x4xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: arith.subf
func.func @dynamic(%x: tensor<?x4xf32>, %y: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = qcc.sub %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x0400000001020304"
    }
  }
#-}

// -----

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
