//===- FuseElementwise.cpp - elementwise fusion with a window guard -------===//

#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
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

struct QccFuseElementwisePass
    : qcc::impl::QccFuseElementwiseBase<QccFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      auto producer = fused->get().getDefiningOp<linalg::LinalgOp>();
      return !producer || !readsThroughWindow(producer);
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
