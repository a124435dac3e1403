//===- Pipelines.cpp - qcc code generation pipelines ----------------------===//

#include "qcc/Codegen/Pipelines.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// The canonicalizer without upstream MLIR 22's ShapeCastBroadcastFolder,
/// which rewrites shape_cast(broadcast(%x : vector<2x1xT> to vector<2x2x1xT>)
/// to vector<2x2xT>) into broadcast(%x) to vector<2x2xT>: a different vector
/// (%x along the rows instead of the columns) whenever the sizes happen to
/// line up. The vectorized contractions with a unit reduction tile and
/// equal row and column tiles make exactly that (a wrong Gemm with
/// quantized transposed weights).
static constexpr llvm::StringLiteral kBrokenPattern =
    "(anonymous namespace)::ShapeCastBroadcastFolder";
#define QCC_CANONICALIZE                                                       \
  "canonicalize{disable-patterns={(anonymous namespace)::"                     \
  "ShapeCastBroadcastFolder}}"

static std::unique_ptr<Pass> createQccCanonicalizer() {
  return createCanonicalizerPass(GreedyRewriteConfig(),
                                 {std::string(kBrokenPattern)});
}

/// Parses a textual pipeline fragment into `pm`. The fragments are fixed
/// strings, so a failure is a bug in qcc; it is reported rather than ignored.
static void addPipeline(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("qcc: invalid internal pass pipeline: " +
                             Twine(pipeline));
}

void qcc::buildQccToLinalgLowering(OpPassManager &pm,
                                   const LoweringConfig &config) {
  pm.addPass(createQccExportSignature(QccExportSignatureOptions{config.entry}));
  pm.addPass(createQccAttachTarget(
      QccAttachTargetOptions{config.triple, config.cpu, config.attrs}));
  // Pre-quantized (QDQ / QLinear) models: integer contractions in i32.
  if (config.foldQDQ)
    pm.addPass(createQccFoldQDQ());
  pm.addPass(createConvertQccToLinalg());
  pm.addPass(createQccCanonicalizer());
  // int4 weight-only matmuls -> the weight-only microkernels, before fusion
  // pulls their dequantization into the contraction.
  if (config.optLevel >= 2 && config.ukernels)
    pm.addNestedPass<func::FuncOp>(createQccWeightOnlyDataTiling(
        QccWeightOnlyDataTilingOptions{config.w4Int8Activations}));
  if (config.optLevel > 0) {
    pm.addPass(createQccFuseElementwise());
    pm.addPass(createQccCanonicalizer());
    pm.addPass(createCSEPass());
  }
  if (config.optLevel >= 2) {
    if (config.ukernels)
      pm.addNestedPass<func::FuncOp>(createQccDataTiling());
    QccTileAndVectorizeOptions tiling;
    // Loop nests of fewer iterations than this stay on one thread: a
    // dispatch to the pool costs a few microseconds.
    tiling.forallMinWork = config.threads ? 1 << 15 : 0;
    pm.addNestedPass<func::FuncOp>(createQccTileAndVectorize(tiling));
    pm.addPass(createQccCanonicalizer());
    pm.addPass(createCSEPass());
  }
}

void qcc::buildLinalgToLLVMPipeline(OpPassManager &pm, StringRef entry,
                                    bool threads) {
  // Tensors to buffers. Function boundaries use identity layouts so that the
  // entry function's memref descriptors are plain dense arrays, and results
  // become caller-provided out-parameters (the C ABI's output buffers).
  addPipeline(
      pm,
      "eliminate-empty-tensors,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map}," QCC_CANONICALIZE
      ","
      "buffer-results-to-out-params{hoist-static-allocs "
      "modify-public-functions}," QCC_CANONICALIZE);
  bufferization::buildBufferDeallocationPipeline(pm);
  // linalg.mmt4d (from qcc-data-tiling) -> the runtime's microkernels.
  pm.addPass(createQccLowerToUkernels());
  // scf.forall (qcc-tile-and-vectorize) -> the runtime's quk_parallel_for.
  if (threads)
    pm.addPass(createQccForallToThreadPool());
  addPipeline(
      pm,
      "convert-linalg-to-loops,fold-memref-alias-ops,"
      "lower-affine,func.func(lower-vector-multi-reduction),"
      "convert-vector-to-scf{full-unroll},convert-scf-to-cf," QCC_CANONICALIZE
      ",cse,convert-math-to-llvm,convert-math-to-libm,"
      // bf16 <-> f32 as integer round-to-nearest-even: without
      // AVX512-BF16 LLVM calls __truncsfbf2, which Debian 12's
      // libgcc lacks; a .so must not need compiler runtimes.
      "arith-expand{include-bf16},"
      "expand-strided-metadata,lower-affine,"
      // Heap buffers through the runtime's block cache
      // (qcc/Runtime/BufferCache.h), not malloc/free.
      "finalize-memref-to-llvm{use-generic-functions},"
      "convert-vector-to-llvm{vector-transpose-lowering=shuffle1d},"
      "convert-to-llvm,reconcile-unrealized-casts");
  pm.addPass(createQccEmitAbiGlue(QccEmitAbiGlueOptions{entry.str()}));
}

void qcc::buildCpuCodegenPipeline(OpPassManager &pm,
                                  const LoweringConfig &config) {
  buildQccToLinalgLowering(pm, config);
  buildLinalgToLLVMPipeline(pm, config.entry, config.threads);
}

void qcc::registerCodegenPipelines() {
  PassPipelineRegistration<LinalgToLLVMOptions>(
      "qcc-linalg-to-llvm",
      "Bufferize linalg on tensors and lower to the LLVM dialect with the "
      "compiled-model C ABI glue",
      [](OpPassManager &pm, const LinalgToLLVMOptions &options) {
        buildLinalgToLLVMPipeline(pm, options.entry, options.threads);
      });
}
