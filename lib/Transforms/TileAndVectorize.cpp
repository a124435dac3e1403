//===- TileAndVectorize.cpp - tile linalg ops and vectorize the tiles -----===//
//
// A deliberately simple CPU strategy: tile sizes divide the (static) loop
// bounds, so every tile is static and vectorizes without masking. The
// innermost parallel loop gets a full vector, contractions additionally get
// a few rows and a vector-sized slice of the innermost reduction, and all
// other loops are tiled by 1 (they become scf.for loops around the vector
// code).
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CpuTarget.h"
#include "qcc/Target/Ukernels.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>
#include <numeric>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCTILEANDVECTORIZE
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// Largest power of two <= `limit` that divides `size`.
static int64_t dividingTile(int64_t size, int64_t limit) {
  int64_t t = 1;
  while (t * 2 <= limit && size % (t * 2) == 0)
    t *= 2;
  return t;
}

/// Whether `op` accumulates products into its single output: a
/// contraction (linalg.matmul, batch_matmul, contract and their generic
/// forms), including those whose operands are converted or rescaled inside
/// the body (weights dequantized in the contraction, integer operands
/// extended), which linalg's contraction interface does not recognise, and
/// a convolution (a named one or its windowed generic; not pooling, whose
/// body has no product).
static bool isMultiplyAccumulate(linalg::LinalgOp op) {
  if (linalg::isaContractionOpInterface(op))
    return true;
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  BlockArgument acc = op.getBlock()->getArguments().back();
  for (unsigned i = 0; i < 2; ++i)
    if (add->getOperand(i) == acc)
      if (Operation *mul = add->getOperand(1 - i).getDefiningOp())
        return isa<arith::MulFOp, arith::MulIOp>(mul);
  return false;
}

/// Tile sizes for `op` (one per loop), or failure if the op should be left
/// alone (dynamic bounds, no loops).
static FailureOr<SmallVector<int64_t>>
chooseTileSizes(linalg::LinalgOp op, int64_t vectorWidth, int64_t rowTile) {
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (bounds.empty() || llvm::any_of(bounds, ShapedType::isDynamic))
    return failure();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> tiles(bounds.size(), 1);
  int64_t innerParallel = -1, outerParallel = -1, innerReduction = -1;
  for (int64_t i = bounds.size() - 1; i >= 0; --i) {
    if (iters[i] == utils::IteratorType::parallel) {
      if (innerParallel < 0)
        innerParallel = i;
      else if (outerParallel < 0)
        outerParallel = i;
    } else if (innerReduction < 0) {
      innerReduction = i;
    }
  }
  // Short innermost loops are vectorized whole (odd sizes are fine for
  // LLVM); long ones get the largest dividing power of two.
  if (innerParallel >= 0)
    tiles[innerParallel] =
        bounds[innerParallel] <= vectorWidth
            ? bounds[innerParallel]
            : dividingTile(bounds[innerParallel], vectorWidth);
  // Transposes (all loops parallel, an input whose innermost dimension is
  // another loop than the output's): that loop gets a vector too, so the
  // tile reads rows of the input instead of gathering one element per
  // lane, and the 2-D vector.transpose lowers to shuffles.
  if (op.getNumReductionLoops() == 0 && innerParallel >= 0) {
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (map.getNumResults() == 0)
        continue;
      auto dim = dyn_cast<AffineDimExpr>(map.getResults().back());
      if (!dim || dim.getPosition() == (unsigned)innerParallel)
        continue;
      int64_t d = dim.getPosition(),
              lanes = std::max<int64_t>(1, vectorWidth / 2);
      if (bounds[d] > 1)
        tiles[d] =
            bounds[d] <= lanes ? bounds[d] : dividingTile(bounds[d], lanes);
      break;
    }
  }
  bool isContraction = isMultiplyAccumulate(op);
  if (isContraction && outerParallel >= 0)
    tiles[outerParallel] = dividingTile(bounds[outerParallel], rowTile);
  if (innerReduction >= 0)
    tiles[innerReduction] =
        dividingTile(bounds[innerReduction], isContraction ? 1 : vectorWidth);
  // Tiling computes an operand's slice from the tile's first and last
  // index, which for `d floordiv c` (e.g. the scale of a weight group) is
  // only right when no tile straddles a multiple of c: the tile of d must
  // divide c. Other non-linear uses of a loop index are not tiled.
  for (AffineMap map : op.getIndexingMapsArray())
    map.walkExprs([&](AffineExpr e) {
      auto bin = dyn_cast<AffineBinaryOpExpr>(e);
      if (!bin || (e.getKind() != AffineExprKind::FloorDiv &&
                   e.getKind() != AffineExprKind::CeilDiv &&
                   e.getKind() != AffineExprKind::Mod))
        return;
      auto dim = dyn_cast<AffineDimExpr>(bin.getLHS());
      auto cst = dyn_cast<AffineConstantExpr>(bin.getRHS());
      if (dim && cst && cst.getValue() > 0) {
        int64_t &t = tiles[dim.getPosition()];
        t = std::gcd(t, cst.getValue());
        return;
      }
      bin.getLHS().walk([&](AffineExpr sub) {
        if (auto d = dyn_cast<AffineDimExpr>(sub))
          tiles[d.getPosition()] = 1;
      });
    });
  return tiles;
}

/// Loop order for a vector-matrix product: a multiply-accumulate op whose
/// parallel loops other than the innermost all have extent 1 (a decode
/// step's `[1, K] x [K, N]`) runs its reduction loops outside the
/// innermost parallel one, so that every reduction step streams one
/// contiguous row of the weights across the (cache-resident) output row;
/// with the reduction innermost each step would touch a new weight row (a
/// new page for large N) for just one vector of it. Empty: keep the order.
static SmallVector<int64_t> vectorMatrixInterchange(linalg::LinalgOp op) {
  if (!isMultiplyAccumulate(op))
    return {};
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  int64_t innerParallel = -1;
  for (int64_t i = bounds.size() - 1; i >= 0 && innerParallel < 0; --i)
    if (iters[i] == utils::IteratorType::parallel)
      innerParallel = i;
  if (innerParallel < 0)
    return {};
  for (int64_t i = 0, e = bounds.size(); i < e; ++i)
    if (i != innerParallel && iters[i] == utils::IteratorType::parallel &&
        bounds[i] != 1)
      return {};
  // Already innermost behind every reduction: nothing to do.
  if (llvm::all_of(llvm::seq<int64_t>(innerParallel + 1, bounds.size()),
                   [&](int64_t i) { return bounds[i] == 1; }))
    return {};
  SmallVector<int64_t> order;
  for (int64_t i = 0, e = bounds.size(); i < e; ++i)
    if (i != innerParallel)
      order.push_back(i);
  order.push_back(innerParallel);
  return order;
}

/// The loop an op of at least `minWork` iterations runs across threads:
/// its outermost parallel loop with two or more tiles of `tiles`, or -1.
static int64_t chooseForallDim(linalg::LinalgOp op, ArrayRef<int64_t> tiles,
                               int64_t minWork) {
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  int64_t work = 1;
  for (int64_t b : bounds)
    work *= b;
  if (work < minWork)
    return -1;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (int64_t i = 0, e = bounds.size(); i < e; ++i)
    if (iters[i] == utils::IteratorType::parallel && bounds[i] / tiles[i] >= 2)
      return i;
  return -1;
}

struct QccTileAndVectorizePass
    : qcc::impl::QccTileAndVectorizeBase<QccTileAndVectorizePass> {
  using QccTileAndVectorizeBase::QccTileAndVectorizeBase;

  /// The innermost vector width (elements) and the rows of a contraction's
  /// register block: the pass options where given, else from the module's
  /// `llvm.target` (two f32 vectors across, as many rows as keep the
  /// accumulators within half the vector registers, at most 8), else 32 x 8.
  std::pair<int64_t, int64_t> registerBlock() {
    int64_t width = vectorWidth, rows = rowTile;
    std::optional<qcc::CpuTarget> target = qcc::getModuleTarget(getOperation());
    if (target) {
      qcc::VectorISA isa = qcc::getVectorISA(target->triple, target->features);
      int64_t lanes = isa.vectorBits / 32;
      if (width == 0)
        width = 2 * lanes;
      if (rows == 0)
        rows = std::clamp<int64_t>(isa.numVectorRegisters / 2 /
                                       std::max<int64_t>(1, width / lanes),
                                   1, 8);
    }
    return {width ? width : 32, rows ? rows : 8};
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    // Ops touching i1 tensors stay scalar: vectors of i1 are bit-packed in
    // memory while i1 memrefs hold one byte per element.
    auto touchesBool = [](Operation *op) {
      auto isBoolTensor = [](Type t) {
        auto st = dyn_cast<ShapedType>(t);
        return st && st.getElementType().isInteger(1);
      };
      return llvm::any_of(op->getOperandTypes(), isBoolTensor) ||
             llvm::any_of(op->getResultTypes(), isBoolTensor);
    };
    getOperation().walk([&](linalg::LinalgOp op) {
      // mmt4d (qcc-data-tiling) and the generics tagged for a microkernel
      // (qcc-weight-only-data-tiling) are left to the microkernels.
      if (op.hasPureTensorSemantics() &&
          !isa<linalg::FillOp, linalg::Mmt4DOp>(op) &&
          !op->hasAttr(qcc::kUkernelAttr) && !touchesBool(op))
        candidates.push_back(op);
    });
    auto [width, rows] = registerBlock();
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      FailureOr<SmallVector<int64_t>> tiles = chooseTileSizes(op, width, rows);
      if (failed(tiles))
        continue;
      // Large ops first split their outermost parallel loop of two or more
      // tiles across threads: an scf.forall of those tiles around the
      // sequential tile loops below. Vector-matrix products (reordered
      // loops) stay sequential.
      int64_t forallDim = -1;
      if (forallMinWork > 0 && vectorMatrixInterchange(op).empty())
        forallDim = chooseForallDim(op, *tiles, forallMinWork);
      if (forallDim >= 0) {
        scf::SCFTilingOptions options;
        SmallVector<OpFoldResult> sizes(tiles->size(),
                                        rewriter.getIndexAttr(0));
        sizes[forallDim] = rewriter.getIndexAttr((*tiles)[forallDim]);
        options.setTileSizes(sizes);
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> split = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (succeeded(split)) {
          rewriter.replaceOp(op, split->replacements);
          op = cast<linalg::LinalgOp>(split->tiledOps.back());
          // Inside, that loop is one tile: not tiled again.
          (*tiles)[forallDim] = 0;
        }
      }
      Operation *target = op;
      // Tile only when some loop is not already of tile size.
      if (llvm::any_of(llvm::zip(op.getStaticLoopRanges(), *tiles), [](auto p) {
            return std::get<0>(p) != std::get<1>(p);
          })) {
        scf::SCFTilingOptions options;
        SmallVector<OpFoldResult> sizes;
        for (int64_t t : *tiles)
          sizes.push_back(rewriter.getIndexAttr(t));
        options.setTileSizes(sizes);
        options.setInterchange(vectorMatrixInterchange(op));
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled))
          continue;
        rewriter.replaceOp(op, tiled->replacements);
        target = tiled->tiledOps.back();
      }
      // Named convolutions and pooling ops tile as they are (their loops
      // are the windowed generic's), but the vectorizer takes only 1-D ones
      // and through a path of its own; as generics their tiles vectorize
      // like every other windowed tile below.
      if (isa<linalg::ConvolutionOpInterface>(target) &&
          !isa<linalg::GenericOp>(target)) {
        rewriter.setInsertionPoint(target);
        FailureOr<linalg::GenericOp> generic =
            linalg::generalizeNamedOp(rewriter, cast<linalg::LinalgOp>(target));
        if (failed(generic))
          continue;
        target = *generic;
      }
      // In a tile, a loop of extent 1 only takes the value 0 (its offset
      // went into the operand slices), so maps indexing `d floordiv c` or
      // `d mod c` with such a loop (a packed or grouped weight read inside
      // the contraction) simplify to projected permutations with constant
      // results, which the vectorizer accepts.
      if (auto generic = dyn_cast<linalg::GenericOp>(target)) {
        SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
        SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        bool changed = false;
        for (AffineMap &map : maps) {
          if (map.isProjectedPermutation(/*allowZeroInResults=*/true))
            continue;
          SmallVector<AffineExpr> dims;
          for (unsigned d = 0; d < map.getNumDims(); ++d)
            dims.push_back(ranges[d] == 1
                               ? getAffineConstantExpr(0, &getContext())
                               : getAffineDimExpr(d, &getContext()));
          AffineMap simplified = simplifyAffineMap(map.replaceDimsAndSymbols(
              dims, {}, map.getNumDims(), map.getNumSymbols()));
          changed |= simplified != map;
          map = simplified;
        }
        // Every loop must still be read by some map (its bound comes from
        // an operand's shape).
        if (changed &&
            inversePermutation(concatAffineMaps(maps, &getContext())) &&
            llvm::all_of(maps, [](AffineMap m) {
              return m.isProjectedPermutation(/*allowZeroInResults=*/true);
            }))
          generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      }
      if (failed(linalg::vectorizeOpPrecondition(target)))
        continue;
      rewriter.setInsertionPoint(target);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, target);
      if (failed(vectorized))
        continue;
      if (target->getNumResults())
        rewriter.replaceOp(target, vectorized->replacements);
      else
        rewriter.eraseOp(target);
    }
    // The vectorized tiles carry unit dimensions (e.g. the single reduction
    // step of a contraction tile). n-D vector ops whose innermost dimension
    // is 1 are unrolled element by element on the way to LLVM, which LLVM
    // re-vectorizes for float arithmetic but not for the extensions and
    // multiplications of integer contractions (i8 x i8 -> i32 ran scalar,
    // ~10x slower). The unit dimensions are dropped from integer vector
    // arithmetic only: doing it everywhere slowed float ResNet-18 by 14%,
    // and populateCastAwayVectorLeadingOneDimPatterns as well miscompiled
    // the static W8A8 CNN of test/e2e/w8a8.test.
    SmallVector<Operation *> integerOps;
    getOperation().walk([&](Operation *op) {
      auto isIntVector = [](Type t) {
        auto v = dyn_cast<VectorType>(t);
        return v && isa<IntegerType>(v.getElementType()) &&
               !v.getElementType().isInteger(1);
      };
      if (op->getNumResults() == 1 &&
          OpTrait::hasElementwiseMappableTraits(op) &&
          (llvm::any_of(op->getOperandTypes(), isIntVector) ||
           llvm::any_of(op->getResultTypes(), isIntVector)))
        integerOps.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    (void)applyOpPatternsGreedily(integerOps, std::move(patterns), config);
  }
};
} // namespace
