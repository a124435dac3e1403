//===- Pipelines.h - qcc pass pipelines -------------------------*- C++ -*-===//
#ifndef QCC_PIPELINES_PIPELINES_H
#define QCC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
namespace qcc {

/// Options of the CPU code generation pipeline (`qcc-cpu-pipeline`).
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimisation level 0-3; 2 and up vectorize"),
      llvm::cl::init(2)};
  PassOptions::Option<unsigned> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("Weight-only quantization: 0 (off), 8, 4, 3 or 2 bits"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> dynamicActivations{
      *this, "dynamic-activations",
      llvm::cl::desc("Dynamic int8 quantization: per-token activations, "
                     "per-channel int8 weights"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> staticActivations{
      *this, "static-activations",
      llvm::cl::desc("Static W8A8 on ops carrying qcc.calibration ranges"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Weight quantization group size (0: per channel)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> asymmetric{
      *this, "asymmetric",
      llvm::cl::desc("Asymmetric weight quantization (zero points)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> perTensor{
      *this, "per-tensor",
      llvm::cl::desc("Static W8A8: one weight scale per tensor instead of "
                     "per output channel"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Static W8A8: correct the bias for the expected output "
                     "shift of weight rounding"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> foldQDQ{
      *this, "fold-qdq",
      llvm::cl::desc("Fold QuantizeLinear/DequantizeLinear around "
                     "contractions into integer kernels (qcc-fold-qdq)"),
      llvm::cl::init(true)};
  PassOptions::ListOption<std::string> exclude{
      *this, "exclude",
      llvm::cl::desc("ONNX node names or op types kept in float")};
  PassOptions::Option<std::string> entry{
      *this, "entry", llvm::cl::desc("Name of the model entry function"),
      llvm::cl::init("main")};
};

/// The quantization passes the options select (none, weight-only, dynamic
/// or static), on qcc tensor IR.
void buildQuantizationPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options);
/// qcc tensor IR -> linalg/tensor/arith/math on tensors (`qcc-to-linalg`),
/// starting with buildQuantizationPipeline.
void buildQccToLinalgPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options);
/// linalg on tensors -> LLVM dialect with the C ABI glue
/// (`qcc-linalg-to-llvm`).
void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options);
/// The whole CPU pipeline, qcc tensor IR to LLVM dialect
/// (`qcc-cpu-pipeline`).
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers every qcc pass and pipeline with the global registry.
void registerAllQccPasses();
/// Registers the dialects qcc pipelines produce and consume.
void registerQccDialects(DialectRegistry &registry);

} // namespace qcc
} // namespace mlir

#endif // QCC_PIPELINES_PIPELINES_H
