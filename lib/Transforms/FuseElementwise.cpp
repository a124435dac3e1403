//===- FuseElementwise.cpp - elementwise fusion with a window guard -------===//

#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFUSEELEMENTWISE
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// Whether some input of `op` is read at an index combining several loops
/// (a sliding window or im2col gather).
bool readsThroughWindow(linalg::LinalgOp op) {
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    for (AffineExpr e : map.getResults()) {
      llvm::SmallBitVector dims(map.getNumDims());
      e.walk([&](AffineExpr sub) {
        if (auto dim = dyn_cast<AffineDimExpr>(sub))
          dims.set(dim.getPosition());
      });
      if (dims.count() > 1)
        return true;
    }
  }
  return false;
}

/// An op turning integer inputs into a float result (dequantization).
bool isDequantization(linalg::LinalgOp op) {
  bool intInput = llvm::any_of(op.getDpsInputOperands(), [](OpOperand *in) {
    return isa<IntegerType>(getElementTypeOrSelf(in->get().getType()));
  });
  return intInput && op->getNumResults() == 1 &&
         isa<FloatType>(getElementTypeOrSelf(op->getResult(0).getType()));
}

struct QccFuseElementwisePass
    : qcc::impl::QccFuseElementwiseBase<QccFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // The upstream pass's rules (single-use producers only, so nothing is
    // recomputed for several consumers) plus the window guard.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      auto linalgProducer = dyn_cast<linalg::LinalgOp>(producer);
      if (!linalgProducer)
        return true;
      if (readsThroughWindow(linalgProducer))
        return false;
      // Into a contraction only dequantization fuses (so quantized weights
      // are never expanded to float in memory); other producers would be
      // recomputed once per iteration of the loops they do not index.
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (consumer && consumer.getNumReductionLoops() > 0)
        return isDequantization(linalgProducer);
      return true;
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    // Unlike upstream, reshapes are not propagated into generics: expanding
    // the im2col contraction back to [N, F, OH, OW] would shrink its
    // innermost (vectorized) dimension from OH*OW to OW.
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    // Fold linalg ops on constants (e.g. transposed weights) at compile time.
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
