//===- Pipelines.cpp - qcc's user-facing pass pipelines -------------------===//
//
// The qcc driver is only a composition of the pipelines registered here;
// every stage is reachable from qcc-opt under the same names and options.
//
//===----------------------------------------------------------------------===//

#include "qcc/Pipelines/Pipelines.h"

#include "qcc/Calibration/Passes.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::qcc;

namespace {
/// Stands in for a pipeline whose options do not go together, so that
/// qcc-opt reports the same message as the driver when it runs.
struct InvalidOptionsPass
    : public PassWrapper<InvalidOptionsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InvalidOptionsPass)
  explicit InvalidOptionsPass(std::string message)
      : message(std::move(message)) {}
  StringRef getArgument() const override { return "qcc-invalid-options"; }
  void runOnOperation() override {
    getOperation().emitError(message);
    signalPassFailure();
  }
  std::string message;
};

bool isWeightOnly(QuantMode mode) {
  return mode == QuantMode::W8 || mode == QuantMode::W4 ||
         mode == QuantMode::W3 || mode == QuantMode::W2;
}

/// The group size a weight-only mode uses: the option, else the mode's
/// default (per channel for int8, 128 for int4, 64 for int3/int2).
int64_t groupSizeFor(QuantMode mode, int64_t option) {
  if (option >= 0)
    return option;
  return mode == QuantMode::W4 ? 128 : mode == QuantMode::W8 ? 0 : 64;
}

/// The quantize pass alone (what the report measures).
LogicalResult addQuantizePass(OpPassManager &pm, QuantMode mode,
                              const QccPipelineOptions &options) {
  SmallVector<std::string> exclude(options.exclude.begin(),
                                   options.exclude.end());
  switch (mode) {
  case QuantMode::None:
    return success();
  case QuantMode::W8A8: {
    QccQuantizeStaticOptions q;
    q.perChannel = !options.perTensor;
    q.biasCorrection = options.biasCorrection;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeStatic(q));
    return success();
  }
  case QuantMode::W8Dynamic: {
    QccQuantizeDynamicOptions q;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeDynamic(q));
    return success();
  }
  case QuantMode::W8:
  case QuantMode::W4:
  case QuantMode::W3:
  case QuantMode::W2: {
    QccQuantizeWeightsOptions q;
    q.bits = mode == QuantMode::W8   ? 8
             : mode == QuantMode::W4 ? 4
             : mode == QuantMode::W3 ? 3
                                     : 2;
    q.groupSize = groupSizeFor(mode, options.groupSize);
    q.symmetric = !options.asymmetric;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeWeights(q));
    return success();
  }
  }
  llvm_unreachable("unknown quantization mode");
}

/// Registers `name` running `build`, which may reject its options.
void registerChecked(StringRef name, StringRef description,
                     LogicalResult (*build)(OpPassManager &,
                                            const QccPipelineOptions &,
                                            std::string &)) {
  PassPipelineRegistration<QccPipelineOptions>(
      name, description,
      [build](OpPassManager &pm, const QccPipelineOptions &options) {
        std::string error;
        if (failed(build(pm, options, error))) {
          pm.clear();
          pm.addPass(std::make_unique<InvalidOptionsPass>(error));
        }
      });
}
} // namespace

LogicalResult qcc::buildQuantizationPipeline(OpPassManager &pm,
                                             const QccPipelineOptions &options,
                                             std::string &error) {
  QuantMode mode = options.quant;
  bool haveData = !options.calib.empty();
  if (options.groupSize < -1) {
    error = "--group-size must be 0 (per channel) or a positive group size, "
            "got " +
            std::to_string(options.groupSize);
    return failure();
  }
  if (!(options.calibPercentile > 0 && options.calibPercentile <= 100)) {
    char value[32];
    std::snprintf(value, sizeof(value), "%g",
                  options.calibPercentile.getValue());
    error = std::string("--calib-percentile must be in (0, 100], got ") + value;
    return failure();
  }
  if (!options.sizeBudget.empty()) {
    if (mode == QuantMode::W8A8 || mode == QuantMode::W8Dynamic) {
      error = "--size-budget chooses weight-only bits per layer; it cannot "
              "be combined with --quant=w8a8 or w8-dynamic";
      return failure();
    }
    if (mode != QuantMode::None && mode != QuantMode::W4) {
      error = "--size-budget chooses fp32, int8 or int4 per layer; give it "
              "with --quant=w4 (the int4 layers' format) or no --quant";
      return failure();
    }
    if (!haveData) {
      error = "--size-budget needs samples to measure each layer's "
              "sensitivity (--calib=DIR or FILE.npz)";
      return failure();
    }
    // The allocation chooses int8 or int4 per layer (qcc.bits); int4
    // layers use the group size.
    mode = QuantMode::W4;
  }
  if (options.w4Int8Activations && mode != QuantMode::W4) {
    error = "--w4-int8-act applies to --quant=w4 (or --size-budget, whose "
            "int4 layers it speeds up)";
    return failure();
  }
  if (options.w4Int8Activations && !options.ukernels) {
    error = "--w4-int8-act selects the int4 microkernels; it cannot be "
            "combined with --ukernels=false";
    return failure();
  }
  if (mode == QuantMode::W8A8 && !haveData) {
    error = "--quant=w8a8 needs calibration data (--calib=DIR)";
    return failure();
  }
  if (!options.report.empty()) {
    if (mode == QuantMode::None) {
      error = "--report needs a --quant mode";
      return failure();
    }
  }

  if (haveData) {
    QccCalibrateOptions calibrate;
    calibrate.data = options.calib;
    calibrate.method = options.calibMethod;
    calibrate.percentile = options.calibPercentile;
    calibrate.entryName = options.entry;
    pm.addPass(createQccCalibrate(calibrate));
  }
  if (!options.sizeBudget.empty()) {
    QccMixedPrecisionOptions mixed;
    mixed.data = options.calib;
    mixed.sizeBudget = options.sizeBudget;
    mixed.groupSize = groupSizeFor(mode, options.groupSize);
    mixed.exclude = llvm::to_vector(options.exclude);
    mixed.entryName = options.entry;
    pm.addPass(createQccMixedPrecision(mixed));
  }
  if (!options.report.empty()) {
    OpPassManager quantize("builtin.module");
    if (failed(addQuantizePass(quantize, mode, options)))
      return failure();
    std::string text;
    llvm::raw_string_ostream os(text);
    quantize.printAsTextualPipeline(os);
    QccQuantReportOptions report;
    report.output = options.report;
    report.data = options.calib;
    report.quantizePipeline = os.str();
    report.entryName = options.entry;
    pm.addPass(createQccQuantReport(report));
  }
  return addQuantizePass(pm, mode, options);
}

LoweringConfig qcc::getLoweringConfig(const QccPipelineOptions &options) {
  LoweringConfig config;
  config.optLevel = options.optLevel;
  config.ukernels = options.ukernels;
  config.w4Int8Activations = options.w4Int8Activations;
  config.foldQDQ = options.foldQDQ;
  config.entry = options.entry;
  config.triple = options.mtriple;
  config.cpu = options.mcpu;
  config.attrs = options.mattr;
  return config;
}

LogicalResult qcc::buildLowerToLinalgPipeline(OpPassManager &pm,
                                              const QccPipelineOptions &options,
                                              std::string &error) {
  if (failed(buildQuantizationPipeline(pm, options, error)))
    return failure();
  buildQccToLinalgLowering(pm, getLoweringConfig(options));
  return success();
}

LogicalResult qcc::buildCpuPipeline(OpPassManager &pm,
                                    const QccPipelineOptions &options,
                                    std::string &error) {
  if (failed(buildLowerToLinalgPipeline(pm, options, error)))
    return failure();
  buildLinalgToLLVMPipeline(pm, options.entry);
  return success();
}

void qcc::registerQccPipelines() {
  registerChecked("qcc-quantize",
                  "Quantize qcc tensor IR: calibration, mixed precision, "
                  "the report and the quantization pass the options select",
                  buildQuantizationPipeline);
  registerChecked("qcc-lower-to-linalg",
                  "qcc-quantize, then lower the qcc tensor IR to "
                  "linalg/tensor/arith/math for the target",
                  buildLowerToLinalgPipeline);
  registerChecked("qcc-cpu-pipeline",
                  "The whole CPU pipeline: qcc tensor IR (quantized as the "
                  "options say) to the LLVM dialect",
                  buildCpuPipeline);
}
