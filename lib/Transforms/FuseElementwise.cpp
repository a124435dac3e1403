//===- FuseElementwise.cpp - elementwise fusion with a window guard -------===//

#include "qcc/Target/Ukernels.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

/// The fusion rule: single-use producers only (as upstream, so nothing is
/// recomputed for several consumers), no producer reading through a
/// window, and into a contraction only dequantization (so quantized
/// weights are never expanded to float in memory; other producers would be
/// recomputed once per iteration of the loops they do not index).
bool shouldFuse(Operation *producer, Operation *consumer) {
  if (!producer || !producer->hasOneUse())
    return false;
  auto linalgProducer = dyn_cast<linalg::LinalgOp>(producer);
  if (!linalgProducer)
    return true;
  if (readsThroughWindow(linalgProducer))
    return false;
  auto linalgConsumer = dyn_cast<linalg::LinalgOp>(consumer);
  // A microkernel's generic (qcc-weight-only-data-tiling) takes exactly the
  // operands the kernel reads.
  if (consumer && consumer->hasAttr(qcc::kUkernelAttr))
    return false;
  if (linalgConsumer && linalgConsumer.getNumReductionLoops() > 0)
    return isDequantization(linalgProducer);
  return true;
}

/// A single-use tensor.expand_shape whose reassociation groups have static
/// sizes after their first dimension, as the lowering puts in front of a
/// named grouped convolution (the [N, G, C/G, H, W] input, the
/// [G, F/G, C/G, KH, KW] weights); null otherwise.
tensor::ExpandShapeOp foldableExpand(Value v) {
  auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || !expand->hasOneUse())
    return {};
  ArrayRef<int64_t> shape = expand.getResultType().getShape();
  for (const ReassociationIndices &group : expand.getReassociationIndices())
    for (int64_t j : ArrayRef<int64_t>(group).drop_front())
      if (ShapedType::isDynamic(shape[j]))
        return {};
  return expand;
}

/// `map`, which reads `expand`'s result, rewritten to read its source:
/// every reassociation group [j0, .., jk] becomes the linearised index
/// (..(e_j0 * size_j1 + e_j1) ..) * size_jk + e_jk.
AffineMap foldExpandIntoMap(AffineMap map, tensor::ExpandShapeOp expand) {
  ArrayRef<int64_t> shape = expand.getResultType().getShape();
  SmallVector<AffineExpr> results;
  for (const ReassociationIndices &group : expand.getReassociationIndices()) {
    AffineExpr e = map.getResult(group.front());
    for (int64_t j : ArrayRef<int64_t>(group).drop_front())
      e = e * shape[j] + map.getResult(j);
    results.push_back(e);
  }
  return simplifyAffineMap(
      AffineMap::get(map.getNumDims(), 0, results, map.getContext()));
}

/// Named linalg ops (matmul, batch_matmul, contract, convolutions, pooling)
/// with an input produced by a generic that the fusion rule fuses into them
/// become linalg.generic ops first, because upstream fuses into generic
/// consumers only: the result is the generic the fusion produced before the
/// lowering built named ops. A producer may be behind a foldableExpand (the
/// grouped view of a named convolution's operand); such reshapes are folded
/// into the generic's indexing maps, which gives the flat grouped
/// convolution generic, and the producer then fuses as into that. Returns
/// whether some op was generalized.
bool generalizeForFusion(Operation *root) {
  SmallVector<linalg::LinalgOp> named;
  root->walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp>(op) && op.hasPureTensorSemantics() &&
        op.getNumReductionLoops() > 0)
      named.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  bool changed = false;
  for (linalg::LinalgOp op : named) {
    bool fusable = llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      Value v = in->get();
      if (tensor::ExpandShapeOp expand = foldableExpand(v))
        v = expand.getSrc();
      auto producer = v.getDefiningOp<linalg::GenericOp>();
      return producer &&
             producer.getNumParallelLoops() == producer.getNumLoops() &&
             shouldFuse(producer, op);
    });
    if (!fusable)
      continue;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generic))
      continue;
    changed = true;
    SmallVector<AffineMap> maps = generic->getIndexingMapsArray();
    bool folded = false;
    for (OpOperand *in : generic->getDpsInputOperands()) {
      tensor::ExpandShapeOp expand = foldableExpand(in->get());
      if (!expand)
        continue;
      unsigned i = in->getOperandNumber();
      maps[i] = foldExpandIntoMap(maps[i], expand);
      rewriter.modifyOpInPlace(*generic, [&] { in->set(expand.getSrc()); });
      rewriter.eraseOp(expand);
      folded = true;
    }
    if (folded)
      rewriter.modifyOpInPlace(*generic, [&] {
        generic->setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
  }
  return changed;
}

struct QccFuseElementwisePass
    : qcc::impl::QccFuseElementwiseBase<QccFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    // The upstream pass's rules (single-use producers only, so nothing is
    // recomputed for several consumers) plus the window guard.
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      return shouldFuse(fused->get().getDefiningOp(), fused->getOwner());
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
    FrozenRewritePatternSet frozen(std::move(patterns));
    // Upstream fuses producers into linalg.generic consumers only: named
    // ops that a producer would fuse into are generalized first, and again
    // after each round of fusion, which can make new such producers (a
    // dequantization fused with the elementwise op after it).
    generalizeForFusion(getOperation());
    do {
      if (failed(applyPatternsGreedily(getOperation(), frozen)))
        return signalPassFailure();
    } while (generalizeForFusion(getOperation()));
  }
};
} // namespace
