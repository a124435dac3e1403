//===- DataTiling.cpp - qcc-data-tiling: matmul -> mmt4d with packed weights
//-===//
//
// linalg.matmul(A[M,K], W[K,N] constant) with accumulator C[M,N] (or a
// generic computing the same product, W possibly indexed [N,K] as Gemm's
// transB) becomes
//
//   A4 = tensor.expand_shape A  [M, K/K0, 1, K0]
//   W4 = arith.constant         [N/N0 * K/K0 * N0 * K0] (packed here),
//        expanded to [N/N0, K/K0, N0, K0]
//   C4 = tensor.expand_shape C  [M, N/N0, 1, N0]       (C padded if needed)
//   R4 = linalg.mmt4d ins(A4, W4) outs(C4)
//   R  = collapse (and slice) R4 back to [M, N]
//
// for the tile of the target's microkernel (Ukernels.def). With M0 = 1 the
// views are free: only the weight changes layout, once, at compile time.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CpuTarget.h"
#include "qcc/Target/Ukernels.h"
#include "qcc/Transforms/DataTilingUtils.h"
#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCDATATILING
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// The first kernel for lhs x rhs -> out on `target` whose K0 divides `k`.
std::optional<Mmt4dUkernel> kernelFor(const CpuTarget &target, Type lhs,
                                      Type rhs, Type out, int64_t k) {
  for (const Mmt4dUkernel &u : mmt4dUkernelsFor(target, lhs, rhs, out))
    if (k % u.k0 == 0)
      return u;
  return std::nullopt;
}

/// The row-major A [M, K] and accumulator [M, Np] of `mats` times `rhs4`
/// [N1, K1, N0, K0] as linalg.mmt4d on their [M, K1, 1, K0] and
/// [M, N1, 1, N0] views, collapsed and restored to the original result.
Value mmt4dOnRows(OpBuilder &b, Location loc, const RowMatrices &mats,
                  Value rhs4) {
  auto rType = cast<RankedTensorType>(rhs4.getType());
  auto aType = cast<RankedTensorType>(mats.a.getType());
  Type outElem = getElementTypeOrSelf(mats.acc.getType());
  int64_t m = aType.getDimSize(0), n1s = rType.getDimSize(0),
          k1s = rType.getDimSize(1), n0 = rType.getDimSize(2),
          k0 = rType.getDimSize(3);
  SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2, 3}};
  Value a4 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({m, k1s, 1, k0}, aType.getElementType()),
      mats.a, reassoc);
  auto cType4 = RankedTensorType::get({m, n1s, 1, n0}, outElem);
  Value c4 = tensor::ExpandShapeOp::create(b, loc, cType4, mats.acc, reassoc);
  auto mmt4d = linalg::Mmt4DOp::create(b, loc, TypeRange{cType4},
                                       ValueRange{a4, rhs4}, ValueRange{c4});
  Value result = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({m, n1s * n0}, outElem), mmt4d.getResult(0),
      reassoc);
  return mats.restore(b, loc, result);
}

struct QccDataTilingPass : qcc::impl::QccDataTilingBase<QccDataTilingPass> {
  void runOnOperation() override {
    std::optional<CpuTarget> target = getModuleTarget(getOperation());
    if (!target)
      return;
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::Mmt4DOp>(op) && linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });
    unsigned counter = 0;
    for (linalg::LinalgOp op : contractions)
      rewrite(op, *target, counter);
  }

  /// linalg.matmul(W[M, K] constant, X[K, N], C[M, N]) in f32, the form of
  /// a pointwise convolution (out[f, p] = W[f, c] X[c, p]): X is packed at
  /// run time into the microkernel's panels with linalg.pack (lowered here
  /// to pad + expand_shape + linalg.transpose, which tile and vectorize
  /// like any copy) and W is the row-major LHS as it is.
  void packRuntimeRhs(linalg::LinalgOp op, const CpuTarget &target) {
    if (!isa<linalg::MatmulOp>(op) || !op.hasPureTensorSemantics())
      return;
    Value a = op.getDpsInputOperand(0)->get();
    Value x = op.getDpsInputOperand(1)->get();
    Value init = op.getDpsInitOperand(0)->get();
    auto aType = cast<RankedTensorType>(a.getType());
    auto xType = cast<RankedTensorType>(x.getType());
    Type f32 = Float32Type::get(op->getContext());
    if (!constantThroughReshapes(a) || !aType.hasStaticShape() ||
        !xType.hasStaticShape() || aType.getElementType() != f32 ||
        xType.getElementType() != f32 ||
        getElementTypeOrSelf(init.getType()) != f32)
      return;
    int64_t k = xType.getDimSize(0), n = xType.getDimSize(1);
    std::optional<Mmt4dUkernel> kernel = kernelFor(target, f32, f32, f32, k);
    if (!kernel)
      return;
    int64_t n0 = kernel->n0, k0 = kernel->k0;
    int64_t n1s = (n + n0 - 1) / n0, k1s = k / k0;
    IRRewriter b(op);
    Location loc = op.getLoc();
    // X[K, N] -> [N1][K1][N0][K0], the last panel zero-padded.
    SmallVector<OpFoldResult> tiles = {b.getIndexAttr(n0), b.getIndexAttr(k0)};
    Value dest = tensor::EmptyOp::create(b, loc, {n1s, k1s, n0, k0}, f32);
    std::optional<Value> padding;
    if (n % n0 != 0)
      padding = arith::ConstantOp::create(b, loc, b.getZeroAttr(f32));
    auto pack = linalg::PackOp::create(b, loc, x, dest,
                                       /*innerDimsPos=*/{1, 0}, tiles, padding,
                                       /*outerDimsPerm=*/{1, 0});
    RowMatrices mats = rowMatrices(b, loc, a, init, /*numM=*/1, n1s * n0);
    op->getResult(0).replaceAllUsesWith(
        mmt4dOnRows(b, loc, mats, pack.getResult()));
    op->erase();
    // Nothing downstream bufferizes linalg.pack: its upstream lowering.
    b.setInsertionPoint(pack);
    (void)linalg::lowerPack(b, pack);
  }

  void rewrite(linalg::LinalgOp op, const CpuTarget &target,
               unsigned &counter) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1)
      return;
    std::optional<ContractionForm> form = contractionForm(op);
    if (!form)
      return;
    bool transposed = form->transposed;
    Value a = op.getDpsInputOperand(0)->get();
    Value w = op.getDpsInputOperand(1)->get();
    Value init = op.getDpsInitOperand(0)->get();
    auto origType = cast<RankedTensorType>(init.getType());
    if (!constantThroughReshapes(w)) {
      packRuntimeRhs(op, target);
      return;
    }
    if (ShapedType::isDynamic(origType.getShape().back()))
      return;
    Type aElem = getElementTypeOrSelf(a.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    Type outElem = origType.getElementType();
    arith::ConstantOp cst = constantThroughReshapes(w);
    if (!wType.hasStaticShape() ||
        ShapedType::isDynamic(
            cast<RankedTensorType>(a.getType()).getShape().back()))
      return;
    int64_t k = wType.getDimSize(transposed ? 1 : 0),
            n = wType.getDimSize(transposed ? 0 : 1);
    std::optional<Mmt4dUkernel> kernel =
        kernelFor(target, aElem, wType.getElementType(), outElem, k);
    if (!kernel)
      return;
    int64_t n0 = kernel->n0, k0 = kernel->k0;
    int64_t elemBytes = wType.getElementTypeBitWidth() / 8;
    std::optional<std::vector<char>> raw = constantBytes(cst, k * n, elemBytes);
    if (!raw)
      return;

    // Pack: packed[n1][k1][j][i] = W[k1*K0 + i][n1*N0 + j], zero-padded.
    int64_t n1s = (n + n0 - 1) / n0, k1s = k / k0, np = n1s * n0;
    std::vector<char> packed(n1s * k1s * n0 * k0 * elemBytes, 0);
    for (int64_t n1 = 0; n1 < n1s; ++n1)
      for (int64_t k1 = 0; k1 < k1s; ++k1)
        for (int64_t j = 0; j < n0; ++j) {
          int64_t col = n1 * n0 + j;
          if (col >= n)
            continue;
          for (int64_t i = 0; i < k0; ++i) {
            int64_t row = k1 * k0 + i;
            std::memcpy(packed.data() +
                            (((n1 * k1s + k1) * n0 + j) * k0 + i) * elemBytes,
                        raw->data() +
                            (transposed ? col * k + row : row * n + col) *
                                elemBytes,
                        elemBytes);
          }
        }

    // A as [M, K], C as [M, Np].
    OpBuilder b(op);
    Location loc = op.getLoc();
    RowMatrices mats = rowMatrices(b, loc, a, init, form->numM, np);

    // A flat constant viewed as the 4-D tile: a 4-D one would become nested
    // LLVM arrays, millions of [1 x float] constants for K0 = 1.
    auto packedType =
        RankedTensorType::get({n1s, k1s, n0, k0}, wType.getElementType());
    auto flatType = RankedTensorType::get({packedType.getNumElements()},
                                          wType.getElementType());
    std::string blobName =
        ("packed." + kernel->symbol + "." + Twine(counter++)).str();
    Value flatW = arith::ConstantOp::create(
        b, loc, rawConstantAttr(flatType, blobName, packed));
    Value packedW = tensor::ExpandShapeOp::create(
        b, loc, packedType, flatW,
        SmallVector<ReassociationIndices>{{0, 1, 2, 3}});

    op->getResult(0).replaceAllUsesWith(mmt4dOnRows(b, loc, mats, packedW));
    op->erase();
    // The unpacked weight (and the reshapes in between) if nothing else
    // uses it.
    eraseDeadChain(w);
  }
};

} // namespace
