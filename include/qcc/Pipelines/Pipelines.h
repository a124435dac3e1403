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
  PassOptions::Option<std::string> entry{
      *this, "entry", llvm::cl::desc("Name of the model entry function"),
      llvm::cl::init("main")};
};

/// qcc tensor IR -> linalg/tensor/arith/math on tensors (`qcc-to-linalg`).
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
