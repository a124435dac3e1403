//===- Passes.td - qcc transformation passes ---------------*- tablegen -*-===//

#ifndef QCC_TRANSFORMS_PASSES
#define QCC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def QccExportSignature : Pass<"qcc-export-signature", "ModuleOp"> {
  let summary = "Record the entry function's ONNX signature on the module";
  let description = [{
    Reads the entry function's argument and result types (with their
    ONNX element types: ui8, i1 for bool, ...) and names (`qcc.name`
    argument/result attributes, defaulting to `input_<i>` / `output_<i>`)
    and stores them as the `qcc.signature` module attribute, which survives
    lowering and is turned into the compiled model's C ABI metadata.
  }];
  let options = [
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
}

def QccFuseElementwise : Pass<"qcc-fuse-elementwise"> {
  let summary = "Elementwise fusion that keeps window gathers materialised";
  let description = [{
    Upstream elementwise producer/consumer fusion of linalg.generic ops,
    except that producers reading through window maps (an index that
    combines several loops, such as the im2col copy `oh * s + kh`) are not
    fused into their consumers: that would turn a vectorizable contraction
    back into a windowed one, and into contractions only dequantizations
    fuse (weights stay quantized in memory; anything else would be
    recomputed for every iteration of the loops it does not index).
    Producers with other uses are never fused, as upstream. Upstream fuses
    into `linalg.generic` consumers only, so a named op (`linalg.matmul`,
    `batch_matmul`, `contract`, a convolution or pooling) that such a
    producer would fuse into is generalized first; the grouped views
    (`tensor.expand_shape`) in front of a named grouped convolution fold
    into the generic's indexing maps. Named ops without such a producer
    stay named.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def QccAttachTarget : Pass<"qcc-attach-target", "ModuleOp"> {
  let summary = "Attach the code generation target as llvm.target";
  let description = [{
    Resolves `triple` ("" = this machine's), `cpu` ("native" = this
    machine's CPU and features; "generic" on another triple) and `attrs`
    ("+avx2,-avx512f") with LLVM's target registry and attaches the result,
    with LLVM's complete feature list, as upstream MLIR's
    `llvm.target = #llvm.target<triple, chip, features>` module attribute
    that later passes (qcc-tile-and-vectorize, qcc-emit-abi-glue) read. A
    module that already carries `llvm.target` keeps it. An unknown triple,
    CPU or feature is an error.
  }];
  let options = [
    Option<"triple", "triple", "std::string", "\"\"",
           "LLVM target triple (default: this machine's)">,
    Option<"cpu", "cpu", "std::string", "\"native\"",
           "Target CPU: native, an LLVM CPU name or x86-64-v2/v3/v4">,
    Option<"attrs", "attrs", "std::string", "\"\"",
           "CPU features to add/remove: +avx512f,-amx-tile">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QccTileAndVectorize : Pass<"qcc-tile-and-vectorize", "func::FuncOp"> {
  let summary = "Tile linalg ops on tensors to vector-sized tiles and vectorize";
  let description = [{
    For every linalg op with static shapes: tiles the innermost parallel loop
    (and, for contractions, the next parallel loop and the innermost
    reduction loop) with `scf.for` to sizes that divide the loop bounds and
    fit the target's vector registers, then vectorizes each tile with
    `linalg::vectorize`. Contractions are recognised through linalg's
    contraction interface (named `linalg.matmul` / `batch_matmul` /
    `contract`) or their multiply-accumulate body (generics, including
    those with fused dequantization); named convolutions and pooling ops
    are tiled as they are and their tiles generalized for the vectorizer.
    Ops the vectorizer does not support (strided convolution windows,
    gathers) keep their tiled scalar form, which the later LLVM pipeline
    still vectorizes where it can.

    The sizes follow the target in the module's `llvm.target` attribute
    (what `qcc --mcpu/--mattr` select): the innermost tile is two f32
    vectors of the target's vector width, and a contraction computes as many
    rows as keep its accumulators within half the vector registers (at most
    8): 32 x 8 on AVX-512 (512-bit, 32 registers), 16 x 4 on AVX2 (256-bit,
    16 registers), 16 x 8 on AVX-512 CPUs that LLVM tunes for 256-bit
    vectors, 8 x 8 on AArch64 NEON. Without `llvm.target`: 32 x 8. The
    options override either.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "0",
           "Elements per vector along the innermost dimension (0: from the "
           "target)">,
    Option<"rowTile", "row-tile", "int64_t", "0",
           "Rows of a contraction computed per tile (0: from the target)">,
    Option<"forallMinWork", "forall-min-work", "int64_t", "0",
           "Ops with at least this many iterations (the product of their "
           "loop extents) tile their outermost parallel loop of two or more "
           "tiles as an scf.forall, which qcc-forall-to-thread-pool runs on "
           "the model runtime's threads (0: no scf.forall)">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect"
  ];
}

def QccDataTiling : Pass<"qcc-data-tiling", "func::FuncOp"> {
  let summary = "Pack constant matmul weights into microkernel tiles (linalg.mmt4d)";
  let description = [{
    Rewrites `linalg.matmul` on tensors whose right operand is a constant
    [K, N] weight, and `linalg.generic` contractions computing the same
    product (plain multiply-accumulate over (m, n, k), the weight indexed
    [k, n] or [n, k] as Gemm's transB lowers to indexing maps), into `linalg.mmt4d` over the
    tile of the target's
    preferred microkernel (include/qcc/Target/Ukernels.def: f32 and
    i8 x i8 -> i32; e.g. 1x16x1 for f32 on AVX2, 1x32x4 for int8 with
    AVX-512 VNNI):
      - the weight is packed at compile time into [N/N0, K/K0, N0, K0]
        panels (columns padded with zeros to a multiple of N0), a new
        constant;
      - the activation [M, K] and the accumulator [M, N] take part as
        `tensor.expand_shape` views [M, K/K0, 1, K0] and [M, N/N0, 1, N0]
        (M0 = 1), so nothing is copied at run time unless N needs padding
        (the accumulator is padded and the result sliced).
    A `linalg.matmul` in f32 whose *left* operand is the constant [M, K]
    and whose right operand [K, N] is computed at run time (a pointwise
    convolution's out[f, p] = W[f, c] X[c, p]) becomes an mmt4d too: the
    right operand is packed at run time into [N/N0, K/K0, N0, K0] panels
    with `linalg.pack` (zero-padded), lowered in the pass to tensor.pad +
    expand_shape + linalg.transpose, and the constant is the row-major
    left operand as it is.
    The kernel is chosen for the first tile whose K0 divides K; matmuls
    with a dynamic K or N, user-defined indexing maps, unsigned casts or no
    kernel for their element types on the target stay as they are. Needs
    the module's `llvm.target` (qcc-attach-target); without it the pass
    does nothing. qcc-lower-to-ukernels turns the mmt4d into the call after
    bufferization.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def QccWeightOnlyDataTiling
    : Pass<"qcc-weight-only-data-tiling", "func::FuncOp"> {
  let summary = "Pack int4 weight-only matmul weights for the runtime's microkernels";
  let description = [{
    Rewrites float contractions (`linalg.matmul`, or a generic computing the
    same product with the weight indexed [k, n] or [n, k]) whose weight is
    the `linalg.generic` a 4-bit `qcc.dequantize_blockwise` of constants
    lowers to (tagged `qcc.dequantize_blockwise` by convert-qcc-to-linalg),
    packed along the reduction dimension in even-sized groups along it,
    into the generic that the target's int4 weight-only microkernel
    computes (include/qcc/Target/Ukernels.def QCC_W4_UKERNEL: N0 = 32 with
    AVX-512, 16 with AVX2, 8 elsewhere):
      - new constants, packed here: the nibbles as [N/N0, K/2, N0] bytes
        (two k per byte, values offset to 0..15), the f32 group scales and
        the zero points (unsigned bytes; none for symmetric weights, whose
        zero point is 8) as [N/N0, K/G, N0], columns padded with zeros;
      - `C3[m, n1, n0] += A[m, k] * (u - z) * s`, C3 the [M, N/N0, N0] view
        of the column-padded accumulator (rows collapsed to one dimension,
        the result sliced and expanded back), tagged
        `qcc.ukernel = "<entry point>"`.
    The generic keeps the full semantics (it lowers to loops if no call
    replaces it); qcc-tile-and-vectorize leaves it alone and
    qcc-lower-to-ukernels replaces it by the call after bufferization.
    Runs before qcc-fuse-elementwise, which would otherwise fuse the
    dequantization into the contraction. The unpacked weight is erased if
    nothing else uses it. Needs the module's `llvm.target`; without it the
    pass does nothing.

    With `int8-activations`, contractions whose weight groups are a
    multiple of 8 and whose activation has at most `int8-max-rows` rows
    (or rows known only at run time: a decode step's) take the int8
    kernels; the others keep the f32 ones (measured on Zen 4: at 128 rows
    the per-group int32 -> f32 rescale costs more than f32 FMA). There the
    activation is
    quantized at run time per row and group (`sa = max|a| / 127`, `aq =
    round-half-even(a / sa)` in i8, by generics before the kernel) and the
    target's int8 kernel (VNNI `vpdpbusd`, AVX2 `vpmaddubsw`, exact in
    i32 per group) computes `C3 += (aq * sa) * (u - z) * s`; the nibbles
    are packed [N/N0, K/8, N0, 4] (a dword of 8 k per column: k 0..3 in
    the low nibbles, 4..7 in the high ones). The llama.cpp / ONNX Runtime
    MatMulNBits accuracy_level 4 trade: faster, not exact in the
    activations.
  }];
  let options = [
    Option<"int8Activations", "int8-activations", "bool", "false",
           "Quantize the activations to int8 per group and use the int8 "
           "kernels">,
    Option<"int8MaxRows", "int8-max-rows", "int64_t", "32",
           "With int8-activations: the most activation rows (static) for "
           "which the int8 kernels are used; more take the f32 ones">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def QccQuantizeWeights : Pass<"qcc-quantize-weights", "ModuleOp"> {
  let summary = "Weight-only int8/int4/int3/int2 quantization of constant weights";
  let description = [{
    Replaces the constant weights of qcc.matmul, qcc.gemm and qcc.conv by
    integer storage (4- and 2-bit values packed two and four per byte,
    3-bit values eight per 3 bytes) with one scale per
    output channel or per group of `group-size` elements along the
    reduction dimension, read through `qcc.dequantize_blockwise`.
    Symmetric quantization stores signed values and no zero point;
    asymmetric stores unsigned values and a zero point per block. Records
    the float and quantized weight bytes as the `qcc.weight_bytes` module
    attribute.
  }];
  let options = [
    Option<"bits", "bits", "int64_t", "8", "Bits per weight (8, 4, 3 or 2)">,
    Option<"groupSize", "group-size", "int64_t", "0",
           "Elements of the reduction dimension per scale (0: per channel)">,
    Option<"symmetric", "symmetric", "bool", "true",
           "Symmetric (signed, no zero point) or asymmetric quantization">,
    Option<"minElements", "min-elements", "int64_t", "256",
           "Weights smaller than this stay in float">,
    ListOption<"exclude", "exclude", "std::string",
               "ONNX node names or op types (MatMul, Gemm, Conv) kept in float">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::qcc::QccDialect"];
}

def QccQuantizeStatic : Pass<"qcc-quantize-static", "ModuleOp"> {
  let summary = "Static W8A8: calibrated int8 activations, per-channel int8 weights";
  let description = [{
    For qcc.matmul, qcc.gemm and qcc.conv with constant float weights and a
    `qcc.calibration` range (from --qcc-calibrate): the activation is
    quantized to int8 with the calibrated symmetric threshold (scale
    threshold / 127, zero point 0, round half to even, saturating), the
    weights to int8 per output channel, the contraction accumulates in i32
    and is rescaled once per output channel (activation scale x weight
    scale) in float, where bias and the following float ops continue.
    When the activation of a quantized op is computed from the outputs of
    other quantized ops with constant biases, the chain stays integer-only:
    the producer's i32 accumulator plus its quantized bias is requantized
    by `qcc.requantize_fixed` (Q31 multiplier and rounding shift per
    channel, ReLU folded into the lower bound); max pooling runs on the
    int8 values; a residual Add brings both operands to i32 at the
    consumer's scale / 2^10 (saturated to +-(2^30 - 1)), adds them and
    requantizes the sum once; average pooling pools the input at the
    consumer's scale / 2^8 in i32 (not clipped to int8; the integer pool
    sums in i64 and divides rounding half away from zero); global average
    pooling (reduce_mean) is an i32 reduce_sum of inputs saturated so it
    cannot overflow, with 1/count folded into the final multiplier;
    reshapes pass through. An int8 tensor built for one consumer is reused
    (rescaled) by the others, e.g. a residual block's input as its
    shortcut operand. Anything else keeps the float path.
    Bias correction: where calibration recorded the per-input-channel means
    of the activation (`channel_mean`), the expected shift of each output
    channel caused by weight rounding, E[x] . (Wq - W), is subtracted from
    the bias (padding is ignored for convolutions).
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "256",
           "Weights smaller than this stay in float">,
    Option<"perChannel", "per-channel", "bool", "true",
           "One weight scale per output channel (false: one per tensor)">,
    Option<"biasCorrection", "bias-correction", "bool", "true",
           "Subtract the expected output shift of weight rounding, "
           "E[x] . (Wq - W), using the calibrated channel means">,
    ListOption<"exclude", "exclude", "std::string",
               "ONNX node names or op types (MatMul, Gemm, Conv) kept in float">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::qcc::QccDialect"];
}

def QccQuantizeDynamic : Pass<"qcc-quantize-dynamic", "ModuleOp"> {
  let summary = "Dynamic int8 quantization: per-token activations, per-channel weights";
  let description = [{
    For qcc.matmul and qcc.gemm with constant float weights: weights become
    symmetric int8 per output channel at compile time; the activation is
    quantized per row (token) at run time by `qcc.dynamic_quantize_rows`;
    the product accumulates in i32 and is rescaled by the row and column
    scales (and Gemm's alpha, beta * C) in float.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "1024",
           "Weights smaller than this stay in float">,
    ListOption<"exclude", "exclude", "std::string",
               "ONNX node names or op types (MatMul, Gemm, Conv) kept in float">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::qcc::QccDialect"];
}

def QccFoldQDQ : Pass<"qcc-fold-qdq"> {
  let summary = "Fold QDQ-quantized contractions into i32-accumulating integer ops";
  let description = [{
    For pre-quantized models (QuantizeLinear/DequantizeLinear around
    MatMul, Gemm and Conv, as QAT exports and ONNX Runtime's quantizer write
    them): qcc.matmul / qcc.gemm / qcc.conv whose operands are
    `qcc.dequantize_linear` of 8-bit integers (i8 or ui8) with constant
    scales and zero points (activation per tensor, weights per tensor or per
    output channel; grouped and depthwise convolutions included) become the
    integer contraction accumulating in i32 followed by one float rescale
    (activation scale x weight scale per channel), as --quant=w8a8 builds.
    Constant weight zero points are subtracted at compile time and the
    activation zero point leaves the kernel as a constant per-channel
    correction (convolutions pad with it up front); an int32 bias
    dequantized with the accumulator's scale is added in i32.
    qcc.matmul_integer and integer qcc.conv with constant weights and zero
    points (MatMulInteger, ConvInteger, QLinear*) take the same form. Per-tensor dequantizations move below reshape,
    transpose and max pooling, and QuantizeLinear(DequantizeLinear(q)) with
    the same parameters folds to q. Dequantizations with non-constant
    scales, activation scales per axis and weight scales along the
    reduction dimension are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // QCC_TRANSFORMS_PASSES
