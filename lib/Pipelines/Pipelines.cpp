//===- Pipelines.cpp - qcc pass pipelines ---------------------------------===//
//
// The qcc driver is only a composition of the pipelines registered here;
// every stage is reachable from qcc-opt under the same names.
//
//===----------------------------------------------------------------------===//

#include "qcc/Pipelines/Pipelines.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Parses a textual pipeline fragment into `pm`. The fragments are fixed
/// strings, so a failure is a bug in qcc; it is reported rather than ignored.
static void addPipeline(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("qcc: invalid internal pass pipeline: " +
                             Twine(pipeline));
}

void qcc::buildQuantizationPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  SmallVector<std::string> exclude(options.exclude.begin(),
                                   options.exclude.end());
  if (options.staticActivations) {
    QccQuantizeStaticOptions q;
    q.perChannel = !options.perTensor;
    q.biasCorrection = options.biasCorrection;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeStatic(q));
  } else if (options.dynamicActivations) {
    QccQuantizeDynamicOptions q;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeDynamic(q));
  } else if (options.weightBits != 0) {
    QccQuantizeWeightsOptions q;
    q.bits = options.weightBits;
    q.groupSize = options.groupSize;
    q.symmetric = !options.asymmetric;
    q.exclude = exclude;
    pm.addPass(createQccQuantizeWeights(q));
  }
}

void qcc::buildQccToLinalgPipeline(OpPassManager &pm,
                                   const CpuPipelineOptions &options) {
  pm.addPass(createQccExportSignature(
      QccExportSignatureOptions{options.entry.getValue()}));
  buildQuantizationPipeline(pm, options);
  // Pre-quantized (QDQ / QLinear) models: integer contractions in i32.
  if (options.foldQDQ)
    pm.addPass(createQccFoldQDQ());
  pm.addPass(createConvertQccToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (options.optLevel > 0) {
    pm.addPass(createQccFuseElementwise());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (options.optLevel >= 2) {
    pm.addNestedPass<func::FuncOp>(createQccTileAndVectorize());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
}

void qcc::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                    const CpuPipelineOptions &options) {
  // Tensors to buffers. Function boundaries use identity layouts so that the
  // entry function's memref descriptors are plain dense arrays, and results
  // become caller-provided out-parameters (the C ABI's output buffers).
  addPipeline(pm, "eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "canonicalize,"
                  "buffer-results-to-out-params{hoist-static-allocs "
                  "modify-public-functions},"
                  "canonicalize");
  bufferization::buildBufferDeallocationPipeline(pm);
  addPipeline(pm, "convert-linalg-to-loops,fold-memref-alias-ops,"
                  "lower-affine,func.func(lower-vector-multi-reduction),"
                  "convert-vector-to-scf{full-unroll},convert-scf-to-cf,"
                  "canonicalize,cse,convert-math-to-llvm,convert-math-to-libm,"
                  // bf16 <-> f32 as integer round-to-nearest-even: without
                  // AVX512-BF16 LLVM calls __truncsfbf2, which Debian 12's
                  // libgcc lacks; a .so must not need compiler runtimes.
                  "arith-expand{include-bf16},"
                  "expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm,convert-vector-to-llvm,"
                  "convert-to-llvm,reconcile-unrealized-casts");
  pm.addPass(createQccEmitAbiGlue(QccEmitAbiGlueOptions{options.entry}));
}

void qcc::buildCpuPipeline(OpPassManager &pm,
                           const CpuPipelineOptions &options) {
  buildQccToLinalgPipeline(pm, options);
  buildLinalgToLLVMPipeline(pm, options);
}

void qcc::registerAllQccPasses() {
  registerQccConversionPasses();
  registerQccTransformsPasses();
  PassPipelineRegistration<CpuPipelineOptions>(
      "qcc-to-linalg",
      "Lower the qcc tensor IR of a model to linalg/tensor/arith/math",
      buildQccToLinalgPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "qcc-linalg-to-llvm",
      "Bufferize linalg on tensors and lower to the LLVM dialect with the "
      "compiled-model C ABI glue",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "qcc-cpu-pipeline",
      "The whole CPU pipeline: qcc tensor IR to the LLVM dialect",
      buildCpuPipeline);
}

void qcc::registerQccDialects(DialectRegistry &registry) {
  registry.insert<QccDialect, quant::QuantDialect>();
}
