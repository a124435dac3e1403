//===- Pipelines.h - qcc code generation pipelines --------------*- C++ -*-===//
//
// The pass pipelines that lower an (already quantized) qcc module: qcc
// tensor IR -> linalg on tensors -> LLVM dialect with the C ABI glue. They
// sit below the data-driven passes (lib/Calibration), which JIT-compile
// copies of the model with them, and below the user-facing pipelines with
// quantization options (lib/Pipelines).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CODEGEN_PIPELINES_H
#define QCC_CODEGEN_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::qcc {

/// What the lowering needs to know (the user-facing pipelines fill it from
/// their options).
struct LoweringConfig {
  unsigned optLevel = 2; ///< 2 and up tile and vectorize
  bool foldQDQ = true;   ///< pre-quantized QDQ/QLinear -> integer kernels
  /// At -O2+: matmuls with constant weights to the runtime's microkernels
  /// (qcc-data-tiling). Off for the in-process JIT, which does not link
  /// the model runtime.
  bool ukernels = true;
  /// int4 weight-only microkernels on int8 activations (quantized per row
  /// and group at run time) instead of f32 ones.
  bool w4Int8Activations = false;
  /// At -O2+: large generated loop nests split their outermost parallel
  /// loop across the model runtime's thread pool (scf.forall,
  /// qcc-forall-to-thread-pool). Off for the in-process JIT, which has no
  /// pool.
  bool threads = true;
  std::string entry = "main";
  /// The target, attached as `llvm.target` unless the module has one
  /// (see qcc-attach-target): LLVM triple ("" = this machine's), CPU
  /// ("native") and features ("+avx2,-avx512f").
  std::string triple, cpu = "native", attrs;
};

/// qcc tensor IR -> linalg/tensor/arith/math on tensors: signature export,
/// target attachment, QDQ folding, convert-qcc-to-linalg, fusion and (at
/// -O2+) tiling and vectorization for the target. No quantization.
void buildQccToLinalgLowering(OpPassManager &pm, const LoweringConfig &config);

/// linalg on tensors -> LLVM dialect with the compiled-model C ABI glue.
/// `threads`: run scf.forall loops on the model runtime's thread pool.
void buildLinalgToLLVMPipeline(OpPassManager &pm, StringRef entry,
                               bool threads = true);

/// Both: what the in-process JIT of the data-driven passes compiles.
void buildCpuCodegenPipeline(OpPassManager &pm, const LoweringConfig &config);

/// Options of the registered `qcc-linalg-to-llvm` pipeline.
struct LinalgToLLVMOptions : public PassPipelineOptions<LinalgToLLVMOptions> {
  PassOptions::Option<std::string> entry{
      *this, "entry", llvm::cl::desc("Name of the model entry function"),
      llvm::cl::init("main")};
  PassOptions::Option<bool> threads{
      *this, "threads",
      llvm::cl::desc("Run scf.forall loops on the model runtime's thread "
                     "pool (qcc-forall-to-thread-pool)"),
      llvm::cl::init(true)};
};

/// Registers `qcc-linalg-to-llvm`.
void registerCodegenPipelines();

} // namespace mlir::qcc

#endif // QCC_CODEGEN_PIPELINES_H
