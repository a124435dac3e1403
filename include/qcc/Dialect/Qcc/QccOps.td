//===- QccOps.td - qcc dialect operations ------------------*- tablegen -*-===//

#ifndef QCC_OPS_TD
#define QCC_OPS_TD

include "qcc/Dialect/Qcc/QccAttrs.td"
include "qcc/Dialect/Qcc/QccDialect.td"
include "qcc/Dialect/Qcc/QccInterfaces.td"
include "qcc/Dialect/Qcc/QccTraits.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def Qcc_Tensor : RankedTensorOf<[AnyType]>;
def Qcc_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Qcc_IntTensor : RankedTensorOf<[AnyInteger]>;
def Qcc_QuantizedTensor : RankedTensorOf<[quant_QuantizedType]>;

//===----------------------------------------------------------------------===//
// Elementwise operations
//===----------------------------------------------------------------------===//

class Qcc_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Qcc_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
                                    Qcc_DynamicShapeOpInterface], traits)> {
  let summary = "elementwise " # mnemonic # " (ONNX semantics)";
  let arguments = (ins Qcc_Tensor:$input);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

foreach p = [["abs", "Abs"], ["neg", "Neg"], ["exp", "Exp"], ["log", "Log"], ["sqrt", "Sqrt"], ["reciprocal", "Reciprocal"], ["relu", "Relu"], ["sigmoid", "Sigmoid"], ["tanh", "Tanh"], ["erf", "Erf"], ["floor", "Floor"], ["ceil", "Ceil"], ["round", "Round"], ["sin", "Sin"], ["cos", "Cos"], ["tan", "Tan"], ["asin", "Asin"], ["acos", "Acos"], ["atan", "Atan"], ["sinh", "Sinh"], ["cosh", "Cosh"], ["asinh", "Asinh"], ["acosh", "Acosh"], ["atanh", "Atanh"], ["sign", "Sign"], ["not", "Not"], ["softplus", "Softplus"], ["softsign", "Softsign"], ["gelu", "Gelu"], ["hard_swish", "HardSwish"], ["mish", "Mish"]] in {
  def Qcc_ # p[1] # Op : Qcc_UnaryOp<p[0]>;
}

// Unary activations with float parameters `alpha` and `beta`; the meaning of
// the parameters is the ONNX one for each op.
class Qcc_ParamUnaryOp<string mnemonic>
    : Qcc_Op<mnemonic, [Pure, SameOperandsAndResultType,
                        Qcc_DynamicShapeOpInterface]> {
  let summary = "elementwise " # mnemonic # " with ONNX parameters";
  let arguments = (ins Qcc_Tensor:$input, F64Attr:$alpha,
                       DefaultValuedAttr<F64Attr, "0.0">:$beta);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}
foreach p = [["leaky_relu", "LeakyRelu"], ["elu", "Elu"], ["selu", "Selu"], ["hard_sigmoid", "HardSigmoid"], ["celu", "Celu"], ["thresholded_relu", "ThresholdedRelu"], ["shrink", "Shrink"]] in {
  def Qcc_ # p[1] # Op : Qcc_ParamUnaryOp<p[0]>;
}

def Qcc_IsNaNOp : Qcc_Op<"isnan", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "elementwise NaN test";
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}
def Qcc_IsInfOp : Qcc_Op<"isinf", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "elementwise infinity test";
  let arguments = (ins Qcc_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
  let results = (outs RankedTensorOf<[I1]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Qcc_CastOp : Qcc_Op<"cast", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "element type conversion (ONNX Cast)";
  let arguments = (ins Qcc_Tensor:$input);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

// Binary operations with numpy broadcasting: the operands broadcast together
// (upstream ResultsBroadcastableShape) and the result has exactly their
// broadcast shape (Qcc_BroadcastResultShape).
class Qcc_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Qcc_Op<mnemonic, !listconcat([Pure, ResultsBroadcastableShape,
                                    Qcc_BroadcastResultShape,
                                    Qcc_DynamicShapeOpInterface], traits)> {
  let summary = "elementwise broadcasting " # mnemonic;
  let arguments = (ins Qcc_Tensor:$lhs, Qcc_Tensor:$rhs);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
}
// Operands and result share the element type.
foreach p = [["add", "Add"], ["sub", "Sub"], ["mul", "Mul"], ["div", "Div"], ["max", "Max"], ["min", "Min"], ["and", "And"], ["or", "Or"], ["xor", "Xor"], ["bitshift_left", "BitshiftLeft"], ["bitshift_right", "BitshiftRight"], ["bitwise_and", "BitwiseAnd"], ["bitwise_or", "BitwiseOr"], ["bitwise_xor", "BitwiseXor"], ["prelu", "Prelu"]] in {
  def Qcc_ # p[1] # Op
      : Qcc_BinaryOp<p[0], [SameOperandsAndResultElementType]>;
}
// Comparisons: the operands share the element type.
foreach p = [["equal", "Equal"], ["less", "Less"], ["less_equal", "LessEqual"], ["greater", "Greater"], ["greater_equal", "GreaterEqual"]] in {
  def Qcc_ # p[1] # Op : Qcc_BinaryOp<p[0], [SameOperandsElementType]>;
}
// ONNX Pow allows an exponent of another element type than the base.
def Qcc_PowOp : Qcc_BinaryOp<"pow">;
def Qcc_ModOp : Qcc_BinaryOp<"mod", [SameOperandsAndResultElementType]> {
  let arguments = (ins Qcc_Tensor:$lhs, Qcc_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}

def Qcc_WhereOp
    : Qcc_Op<"where", [Pure, ResultsBroadcastableShape, Qcc_BroadcastResultShape,
                       AllElementTypesMatch<["x", "y", "output"]>,
                       Qcc_DynamicShapeOpInterface]> {
  let summary = "broadcasting select (ONNX Where)";
  let arguments = (ins RankedTensorOf<[I1]>:$condition, Qcc_Tensor:$x,
                       Qcc_Tensor:$y);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` `(` type($condition) `,` type($x)
    `,` type($y) `)` `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Contractions, convolution and pooling
//===----------------------------------------------------------------------===//

def Qcc_MatMulOp : Qcc_Op<"matmul", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "numpy matmul with batch broadcasting (ONNX MatMul)";
  let description = [{
    Rank-1 operands are promoted as in numpy. Integer operands accumulate in
    the result element type (MatMulInteger: i8/u8 operands, i32 result).
    Operands are zero-point free; quantized matmuls subtract zero points
    before this op or use `qcc.matmul_integer`.
  }];
  let arguments = (ins Qcc_Tensor:$lhs, Qcc_Tensor:$rhs);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def Qcc_MatMulIntegerOp
    : Qcc_Op<"matmul_integer", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "integer matmul with zero points, i32 accumulation";
  let description = [{
    ONNX MatMulInteger: (A - a_zero_point) x (B - b_zero_point) accumulated in
    i32. The zero points are scalars or, for `b`, one per column (last axis).
    Operands are signless (signed) or unsigned integer tensors (ui8).
  }];
  let arguments = (ins Qcc_IntTensor:$lhs, Qcc_IntTensor:$rhs,
                       Qcc_IntTensor:$lhs_zero_point,
                       Qcc_IntTensor:$rhs_zero_point);
  let results = (outs RankedTensorOf<[I32]>:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point attr-dict `:`
    functional-type(operands, results)
  }];
}

def Qcc_GemmOp : Qcc_Op<"gemm", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "alpha * op(A) x op(B) + beta * C (ONNX Gemm)";
  let arguments = (ins Qcc_FloatTensor:$a, Qcc_FloatTensor:$b,
                       Optional<Qcc_FloatTensor>:$c,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F64Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Dynamic dimensions: the batch of the input only.
def Qcc_ConvOp : Qcc_Op<"conv", [Pure, Qcc_ConditionalDynamicShapes]> {
  let summary = "N-d grouped convolution in NC[D]HW layout (ONNX Conv)";
  let description = [{
    `pads` holds the begin pads of each spatial dim followed by the end pads,
    as ONNX does; `auto_pad` is resolved by the importer. For integer inputs
    (ConvInteger), `input_zero_point`/`weight_zero_point` attributes hold the
    zero points subtracted before accumulation into the i32 result.
  }];
  let arguments = (ins Qcc_Tensor:$input, Qcc_Tensor:$weight,
                       Optional<Qcc_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       OptionalAttr<I64Attr>:$input_zero_point,
                       OptionalAttr<I64Attr>:$weight_zero_point);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Dynamic dimensions: the batch and channels of the input only.
def Qcc_PoolOp : Qcc_Op<"pool", [Pure, Qcc_ConditionalDynamicShapes]> {
  let summary = "N-d max or average pooling in NC[D]HW layout";
  let arguments = (ins Qcc_Tensor:$input,
                       Qcc_PoolKindAttr:$kind,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Qcc_ReduceOp<string mnemonic>
    : Qcc_Op<mnemonic, [Pure, Qcc_ReductionShape,
                        Qcc_DynamicShapeOpInterface]> {
  let summary = mnemonic # " over `axes` (sorted, non-negative)";
  let arguments = (ins Qcc_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}
foreach p = [["reduce_sum", "ReduceSum"], ["reduce_mean", "ReduceMean"], ["reduce_max", "ReduceMax"], ["reduce_min", "ReduceMin"], ["reduce_prod", "ReduceProd"]] in {
  def Qcc_ # p[1] # Op : Qcc_ReduceOp<p[0]>;
}

def Qcc_ArgExtremumOp
    : Qcc_Op<"arg_extremum", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "ArgMax / ArgMin along one axis, i64 result";
  let arguments = (ins Qcc_Tensor:$input, I64Attr:$axis,
                       BoolAttr:$is_max, BoolAttr:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// Dynamic dimensions: at most one in the result.
def Qcc_ReshapeOp : Qcc_Op<"reshape", [Pure, Qcc_ConditionalDynamicShapes]> {
  let summary = "reinterpret shape (Reshape/Flatten/Squeeze/Unsqueeze)";
  let arguments = (ins Qcc_Tensor:$input);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qcc_TransposeOp
    : Qcc_Op<"transpose", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "permute dimensions";
  let arguments = (ins Qcc_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

// Dynamic dimensions: any but the concatenation axis.
def Qcc_ConcatOp : Qcc_Op<"concat", [Pure, Qcc_ConditionalDynamicShapes]> {
  let summary = "concatenate along `axis`";
  let arguments = (ins Variadic<Qcc_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_SliceOp : Qcc_Op<"slice", [Pure]> {
  let summary = "strided slice with static starts and steps per dim";
  let description = [{
    `starts` and `steps` have one entry per input dimension (already clamped
    and normalised by the importer); the result shape gives the sizes.
    Negative steps walk backwards from `starts`.
  }];
  let arguments = (ins Qcc_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qcc_GatherOp : Qcc_Op<"gather", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "ONNX Gather along `axis` (negative indices wrap)";
  let arguments = (ins Qcc_Tensor:$input, Qcc_IntTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_GatherElementsOp : Qcc_Op<"gather_elements", [Pure]> {
  let summary = "ONNX GatherElements along `axis`";
  let arguments = (ins Qcc_Tensor:$input, Qcc_IntTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Qcc_GatherNDOp : Qcc_Op<"gather_nd", [Pure]> {
  let summary = "ONNX GatherND: slices of `input` addressed by index tuples";
  let description = [{
    The last dimension of `indices` (size k) holds index tuples into the
    dimensions `batch_dims .. batch_dims + k - 1` of `input`; the leading
    `batch_dims` dimensions are shared. Negative indices wrap.
  }];
  let arguments = (ins Qcc_Tensor:$input, Qcc_IntTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
}

def Qcc_ScatterElementsOp : Qcc_Op<"scatter_elements", [Pure]> {
  let summary = "ONNX ScatterElements: write `updates` at `indices` along `axis`";
  let description = [{
    The result is `input` with, for every position p of `updates`,
    result[p with p[axis] = indices[p]] combined with updates[p] by
    `reduction` (`none` replaces, `add`, `mul`). Updates apply in order, so
    with `none` the last duplicate wins. Negative indices wrap.
  }];
  let arguments = (ins Qcc_Tensor:$input, Qcc_IntTensor:$indices,
                       Qcc_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedAttr<Qcc_ScatterReductionAttr,
                         "::mlir::qcc::ScatterReduction::None">:$reduction);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_ScatterNDOp : Qcc_Op<"scatter_nd", [Pure]> {
  let summary = "ONNX ScatterND: write slices of `updates` at index tuples";
  let arguments = (ins Qcc_Tensor:$input, Qcc_IntTensor:$indices,
                       Qcc_Tensor:$updates,
                       DefaultValuedAttr<Qcc_ScatterReductionAttr,
                         "::mlir::qcc::ScatterReduction::None">:$reduction);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// No DynamicShapeOpInterface: the lowering broadcasts to a static shape.
def Qcc_BroadcastToOp : Qcc_Op<"broadcast_to", [Pure]> {
  let summary = "numpy broadcast to the result shape (ONNX Expand)";
  let arguments = (ins Qcc_Tensor:$input);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qcc_PadOp : Qcc_Op<"pad", [Pure]> {
  let summary = "constant / reflect / edge padding with static pads";
  let arguments = (ins Qcc_Tensor:$input, Qcc_Tensor:$value,
                       DenseI64ArrayAttr:$pads, Qcc_PadModeAttr:$mode);
  let results = (outs Qcc_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $value attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ONNX quantization operators (dynamic scale / zero point operands)
//===----------------------------------------------------------------------===//

def Qcc_QuantizeLinearOp : Qcc_Op<"quantize_linear", [Pure]> {
  let summary = "ONNX QuantizeLinear: saturate(round_half_even(x / s) + zp)";
  let description = [{
    `scale` and `zero_point` are scalars (per tensor) or 1-D along `axis`.
    The result element type is the storage type (i8, ui8, i16, ui16, ...).
  }];
  let arguments = (ins Qcc_FloatTensor:$input, Qcc_FloatTensor:$scale,
                       Qcc_IntTensor:$zero_point, I64Attr:$axis);
  let results = (outs Qcc_IntTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_DequantizeLinearOp : Qcc_Op<"dequantize_linear", [Pure]> {
  let summary = "ONNX DequantizeLinear: (x - zp) * s";
  let arguments = (ins Qcc_IntTensor:$input, Qcc_FloatTensor:$scale,
                       Qcc_IntTensor:$zero_point, I64Attr:$axis);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_DynamicQuantizeLinearOp : Qcc_Op<"dynamic_quantize_linear", [Pure]> {
  let summary = "ONNX DynamicQuantizeLinear (uint8, range includes zero)";
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs RankedTensorOf<[UI8]>:$output,
                      0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Quantization vocabulary on !quant.uniform element types
//===----------------------------------------------------------------------===//

def Qcc_QuantizeOp : Qcc_Op<"quantize", [Pure]> {
  let summary = "float tensor to a !quant.uniform tensor";
  let description = [{
    Rounds half to even and saturates to the storage range of the result's
    quantized type (per tensor, per axis or sub-channel / per group).
  }];
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs Qcc_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qcc_DequantizeOp : Qcc_Op<"dequantize", [Pure]> {
  let summary = "!quant.uniform tensor to float: (q - zp) * scale";
  let arguments = (ins Qcc_QuantizedTensor:$input);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qcc_DequantizeBlockwiseOp : Qcc_Op<"dequantize_blockwise", [Pure]> {
  let summary = "dequantize integer weights with one scale per block";
  let description = [{
    Weight-only quantization's storage form: `result[i] = (q[i] -
    zero_point[i / block_shape]) * scale[i / block_shape]` (division
    elementwise per dimension). `scale` (and the optional `zero_point`) has
    shape `result_shape / block_shape`; per-channel quantization is a block
    spanning the whole reduction dimension, per-group a block of
    `group_size` elements of it.

    Sub-byte values are packed along one dimension of the result, the
    packed dimension `packed_dim` (negative counts from the end; the
    default -1 is the last dimension). Weight-only quantization packs along
    the reduction dimension of the consuming contraction (dimension 0 of a
    MatMul's `[K, N]` weight), so that in the fused contraction one
    reduction step reads a row of packed bytes that vectorizes along the
    other dimensions. Below, `j` is the index along the packed dimension,
    whose size in `input` is the result's divided by the values per byte
    (or per 3 bytes).

    With `bits = 4` the values are packed two per byte along the packed
    dimension (even `j` in the low nibble) and are signed (-8..7) without
    a zero point or unsigned (0..15) with one. With `bits = 8` the input
    element type is the storage type (i8 signed, ui8 with a zero point)
    and `packed_dim` is ignored.

    With `bits = 2` four values share a byte along the packed dimension
    (element `j` in bits `2 * (j % 4)` and up), signed (-2..1) or, with a
    zero point, unsigned (0..3).

    With `bits = 3` every 8 consecutive values along the packed dimension
    are stored densely in 3 bytes: `input` has one more dimension than the
    result, a dimension of 3 bytes right after the packed dimension, which
    becomes `P / 8` for a result size of `P` (`[M, N / 8, 3]` packed along
    the last dimension of an `[M, N]` result, `[K / 8, 3, N]` along the
    first of a `[K, N]` one). Bytes `m, 0..2` form the little-endian
    24-bit word `b0 | b1 << 8 | b2 << 16` whose bits `3 * i .. 3 * i + 2`
    hold element `j = 8 * m + i`; signed (-4..3) or, with a zero point,
    unsigned (0..7).
  }];
  let arguments = (ins Qcc_IntTensor:$input, Qcc_FloatTensor:$scale,
                       Optional<Qcc_IntTensor>:$zero_point,
                       DenseI64ArrayAttr:$block_shape,
                       DefaultValuedAttr<I64Attr, "8">:$bits,
                       DefaultValuedAttr<I64Attr, "-1">:$packed_dim);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The packed dimension of the result, in [0, rank).
    int64_t getPackedDimIndex();
  }];
  let hasVerifier = 1;
}

def Qcc_DynamicQuantizeRowsOp
    : Qcc_Op<"dynamic_quantize_rows", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "per-row (per-token) symmetric int8 quantization at run time";
  let description = [{
    For every row (all dimensions but the last): scale = max|x| / 127 (1 for
    an all-zero row), q = saturate(round_half_even(x / scale)) as i8. The
    scales keep the input's shape with a last dimension of 1.
  }];
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs RankedTensorOf<[I8]>:$output, Qcc_FloatTensor:$scale);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_RequantizeFixedOp
    : Qcc_Op<"requantize_fixed", [Pure, Qcc_DynamicShapeOpInterface]> {
  let summary = "integer-only fixed-point rescaling of an integer tensor";
  let description = [{
    gemmlowp/TFLite-style fixed-point rescaling: each value is multiplied by
    `multipliers[c]` (a Q31 fixed-point number in [0.5, 1)) and shifted
    right by `31 + shifts[c]` with rounding half away from zero (in 64-bit
    arithmetic), then saturated to [`lower`, `upper`] and stored in the
    result type. `c` is the index along `axis` (one multiplier for the
    whole tensor when there is a single entry). `lower` and `upper`
    default to the symmetric range of the result type, -(2^(b-1) - 1) and
    2^(b-1) - 1 (-127 and 127 for i8); a `lower` of 0 fuses a following
    ReLU. The input may be i8, i16 or i32 (an i32 accumulator, or an
    integer tensor brought to another scale); the result i8, i16 or i32
    (wider results carry partial sums of integer Add and average pooling).
  }];
  let arguments = (ins RankedTensorOf<[I8, I16, I32]>:$input,
                       DenseI32ArrayAttr:$multipliers,
                       DenseI32ArrayAttr:$shifts, I64Attr:$axis,
                       OptionalAttr<I64Attr>:$lower,
                       OptionalAttr<I64Attr>:$upper);
  let results = (outs RankedTensorOf<[I8, I16, I32]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDeclaration = [{
    /// The saturation bounds, defaults applied.
    int64_t getLowerBound();
    int64_t getUpperBound();
  }];
  let hasVerifier = 1;
}

def Qcc_RequantizeOp : Qcc_Op<"requantize", [Pure]> {
  let summary = "change the quantization parameters of a tensor";
  let description = [{
    Integer-only rescale from the operand's quantized type to the result's:
    q_out = saturate(rounding((q_in - zp_in) * M) + zp_out) with
    M = s_in / s_out applied as a fixed-point multiplier and shift.
  }];
  let arguments = (ins Qcc_QuantizedTensor:$input);
  let results = (outs Qcc_QuantizedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // QCC_OPS_TD
