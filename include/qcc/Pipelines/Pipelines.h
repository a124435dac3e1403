//===- Pipelines.h - qcc's user-facing pass pipelines -----------*- C++ -*-===//
//
// The pipelines the driver runs, registered so that qcc-opt and any MLIR
// tool run exactly the same thing with the same options and defaults:
//
//   qcc-quantize          calibrate -> mixed precision -> report -> quantize
//   qcc-lower-to-linalg   qcc-quantize, then the lowering to linalg on tensors
//   qcc-cpu-pipeline      qcc-lower-to-linalg, then qcc-linalg-to-llvm
//
// `qcc m.onnx --quant=w8a8 --calib=DIR --emit=linalg` prints what
// `qcc-opt m.mlir --qcc-lower-to-linalg="quant=w8a8 calib=DIR"` prints for
// the imported module.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_PIPELINES_PIPELINES_H
#define QCC_PIPELINES_PIPELINES_H

#include "qcc/Codegen/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class DialectRegistry;
namespace qcc {

enum class QuantMode { None, W8, W4, W3, W2, W8Dynamic, W8A8 };

/// Options of the qcc pipelines: the driver's quantization, lowering and
/// target flags, with the driver's defaults.
struct QccPipelineOptions : public PassPipelineOptions<QccPipelineOptions> {
  PassOptions::Option<QuantMode> quant{
      *this, "quant", llvm::cl::desc("Quantization mode"),
      llvm::cl::init(QuantMode::None),
      llvm::cl::values(
          clEnumValN(QuantMode::None, "none", "float (default)"),
          clEnumValN(QuantMode::W8, "w8", "weight-only int8, per channel"),
          clEnumValN(QuantMode::W4, "w4",
                     "weight-only int4, per group (default 128)"),
          clEnumValN(QuantMode::W3, "w3",
                     "weight-only int3, per group (default 64)"),
          clEnumValN(QuantMode::W2, "w2",
                     "weight-only int2, per group (default 64)"),
          clEnumValN(QuantMode::W8Dynamic, "w8-dynamic",
                     "int8 weights, int8 activations per token at run time"),
          clEnumValN(QuantMode::W8A8, "w8a8",
                     "int8 weights and calibrated int8 activations (needs "
                     "calib)"))};
  PassOptions::Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Weight group size along the reduction dimension (0: "
                     "per channel; -1: the mode's default, 0 for w8, 128 "
                     "for w4, 64 for w3/w2)"),
      llvm::cl::init(-1)};
  PassOptions::Option<bool> asymmetric{
      *this, "asymmetric",
      llvm::cl::desc("Asymmetric weight quantization (zero points)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> perTensor{
      *this, "per-tensor", llvm::cl::desc("w8a8: one weight scale per tensor"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("w8a8: correct biases for the weight rounding shift"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> calib{
      *this, "calib",
      llvm::cl::desc("Calibration samples: a directory of sample "
                     "directories or a .npz"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> calibMethod{
      *this, "calib-method",
      llvm::cl::desc("minmax, percentile, entropy or mse"),
      llvm::cl::init("mse")};
  PassOptions::Option<double> calibPercentile{
      *this, "calib-percentile",
      llvm::cl::desc("Percentile for calib-method=percentile"),
      llvm::cl::init(99.99)};
  PassOptions::Option<std::string> sizeBudget{
      *this, "size-budget",
      llvm::cl::desc("Mixed precision: fp32/int8/int4 per layer within "
                     "this many weight bytes (5MB, 800KB, 123456B) or this "
                     "fraction of the float weights (0.3); needs calib"),
      llvm::cl::init("")};
  PassOptions::ListOption<std::string> exclude{
      *this, "exclude",
      llvm::cl::desc("ONNX node names or op types kept in float")};
  PassOptions::Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write the per-layer quantization report here (.json "
                     "or .html; needs quant and calib)"),
      llvm::cl::init("")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimisation level 0-3; 2 and up vectorize"),
      llvm::cl::init(2)};
  PassOptions::Option<bool> ukernels{
      *this, "ukernels",
      llvm::cl::desc("At -O2+, run matmuls with constant weights on the "
                     "runtime's packed microkernels (qcc-data-tiling)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> w4Int8Activations{
      *this, "w4-int8-activations",
      llvm::cl::desc("int4 weight-only microkernels with activations "
                     "quantized to int8 per group at run time"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> foldQDQ{
      *this, "fold-qdq",
      llvm::cl::desc("Fold QuantizeLinear/DequantizeLinear around "
                     "contractions into integer kernels (qcc-fold-qdq)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> entry{
      *this, "entry", llvm::cl::desc("Name of the model entry function"),
      llvm::cl::init("main")};
  PassOptions::Option<std::string> mtriple{
      *this, "mtriple",
      llvm::cl::desc("Target triple (default: this machine's)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> mcpu{
      *this, "mcpu", llvm::cl::desc("Target CPU (default: native)"),
      llvm::cl::init("native")};
  PassOptions::Option<std::string> mattr{
      *this, "mattr", llvm::cl::desc("CPU features to add/remove"),
      llvm::cl::init("")};
};

/// The quantization stage (`qcc-quantize`) on qcc tensor IR. Fails, with a
/// message in `error`, on options that do not go together.
LogicalResult buildQuantizationPipeline(OpPassManager &pm,
                                        const QccPipelineOptions &options,
                                        std::string &error);
/// The lowering configuration the options select.
LoweringConfig getLoweringConfig(const QccPipelineOptions &options);
/// `qcc-lower-to-linalg`: quantization, then the lowering to linalg.
LogicalResult buildLowerToLinalgPipeline(OpPassManager &pm,
                                         const QccPipelineOptions &options,
                                         std::string &error);
/// `qcc-cpu-pipeline`: the whole CPU pipeline, to the LLVM dialect.
LogicalResult buildCpuPipeline(OpPassManager &pm,
                               const QccPipelineOptions &options,
                               std::string &error);

/// Registers the three pipelines.
void registerQccPipelines();

} // namespace qcc
} // namespace mlir

#endif // QCC_PIPELINES_PIPELINES_H
