//===- Passes.td - passes that run the model ---------------*- tablegen -*-===//
//
// The data-driven passes: they JIT-compile copies of the module with the
// codegen pipelines (lib/Codegen) and run them on the user's samples, so
// they sit above the lowering and below the user-facing pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_CALIBRATION_PASSES
#define QCC_CALIBRATION_PASSES

include "mlir/Pass/PassBase.td"

def QccCalibrate : Pass<"qcc-calibrate", "ModuleOp"> {
  let summary = "Run the model on calibration samples and record activation ranges";
  let description = [{
    Compiles an instrumented copy of the module (the activation input of
    every qcc.matmul, qcc.gemm and qcc.conv becomes an extra result) with the
    CPU pipeline, runs it in-process through MLIR's ExecutionEngine on every
    sample of `data` (a directory whose subdirectories each hold one sample
    as `<input name>.npy` or ONNX TensorProto `<input name>.pb` /
    `input_<j>.pb`, or a `.npz` mapping each input name to its
    samples stacked on a leading axis), streams the observed activations into
    constant-memory range observers, and records on each of those ops a
    `qcc.calibration` attribute (`#qcc.calibration<...>`): `min`, `max`, the
    clipping `threshold` chosen by `method` (minmax, percentile, entropy or
    mse), the number of samples and the per-input-channel mean. Progress goes
    to stderr; unreadable or mis-shaped samples are errors naming the file.
  }];
  let options = [
    Option<"data", "data", "std::string", "\"\"",
           "Calibration samples: a directory of sample directories or a .npz">,
    Option<"method", "method", "std::string", "\"mse\"",
           "minmax, percentile, entropy or mse">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percentile for method=percentile">,
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
  // Writes qcc.calibration through the dialect's attribute helper.
  let dependentDialects = ["::mlir::qcc::QccDialect"];
}

def QccMixedPrecision : Pass<"qcc-mixed-precision", "ModuleOp"> {
  let summary = "Choose fp32/int8/int4 per layer to minimise error under a size budget";
  let description = [{
    Measures each weight layer's sensitivity (qcc.matmul, qcc.gemm and
    qcc.conv with constant weights of at least `min-elements`): the model
    is compiled with only that layer weight-quantized to int8, then to int4
    (both per group of `group-size` where it divides the reduction
    dimension, else per channel), and run on the samples in `data` (as for
    qcc-calibrate); the error is the squared difference of the model's
    outputs from the float model's. Bits are then allocated greedily: every
    layer starts at int4 (int8 where int4 does not apply) and the upgrade
    (int4 -> int8 -> fp32) with the largest error reduction per added byte
    that still fits `size-budget` is taken until none fits. The budget
    counts all of the model's weight bytes: `5MB`/`800KB`/`123456B`
    (decimal units) or a fraction of the float weight bytes such as `0.3`.
    The choice is written as `qcc.bits = #qcc.bits<N>` (N = 4, 8 or 32) on
    every candidate, which qcc-quantize-weights honours, and summarised in
    the module attribute `qcc.mixed_precision`. Layers named by `exclude` stay fp32.
  }];
  let options = [
    Option<"data", "data", "std::string", "\"\"",
           "Samples: a directory of sample directories or a .npz">,
    Option<"sizeBudget", "size-budget", "std::string", "\"\"",
           "Weight bytes allowed: 5MB, 800KB, 123456B, or a ratio such as 0.3">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Elements of the reduction dimension per int4 scale">,
    Option<"minElements", "min-elements", "int64_t", "1024",
           "Weights smaller than this stay in float">,
    Option<"maxSamples", "max-samples", "int64_t", "16",
           "Samples used to measure sensitivity">,
    ListOption<"exclude", "exclude", "std::string",
               "ONNX node names or op types (MatMul, Gemm, Conv) kept in float">,
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
  // Writes qcc.bits through the dialect's attribute helper.
  let dependentDialects = ["::mlir::qcc::QccDialect"];
}

def QccQuantReport : Pass<"qcc-quant-report", "ModuleOp"> {
  let summary = "Write the per-layer quantization report of a quantization pipeline";
  let description = [{
    Runs before quantization: applies `quantize-pipeline` (a textual pass
    pipeline on builtin.module, e.g. the qcc-quantize-static pass with its
    options) to a copy of the module, runs the float module and the
    quantized copy side by side on the samples in `data` (as for
    qcc-calibrate; without samples the SQNR columns are left out), and
    writes `output`: per quantized layer (its
    `qcc.quant` record, #qcc.quant<...>) the bits, scheme, granularity, group size, scale
    range, bytes before/after and the SQNR of its output against float;
    plus the whole model's weight bytes and output SQNR. `output` ending in
    `.html` gets an HTML page with inline SVG charts, anything else JSON.
    The module itself is left unchanged.
  }];
  let options = [
    Option<"output", "output", "std::string", "\"\"", "Report file (.json or .html)">,
    Option<"data", "data", "std::string", "\"\"",
           "Samples: a directory of sample directories or a .npz">,
    Option<"quantizePipeline", "quantize-pipeline", "std::string", "\"\"",
           "The quantization passes to report on (textual pipeline)">,
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
}

#endif // QCC_CALIBRATION_PASSES
