//===- DataTilingUtils.cpp - shared by the data-tiling passes -------------===//

#include "qcc/Transforms/DataTilingUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include <cstring>

using namespace mlir;
using namespace mlir::qcc;

std::optional<std::vector<char>> qcc::constantBytes(arith::ConstantOp cst,
                                                    int64_t numElements,
                                                    int64_t elemBytes) {
  std::vector<char> bytes(numElements * elemBytes);
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      if ((int64_t)raw.size() != elemBytes)
        return std::nullopt;
      for (int64_t i = 0; i < numElements; ++i)
        std::memcpy(bytes.data() + i * elemBytes, raw.data(), elemBytes);
      return bytes;
    }
    if ((int64_t)raw.size() != numElements * elemBytes)
      return std::nullopt;
    std::memcpy(bytes.data(), raw.data(), raw.size());
    return bytes;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue())) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || (int64_t)blob->getData().size() != numElements * elemBytes)
      return std::nullopt;
    std::memcpy(bytes.data(), blob->getData().data(), bytes.size());
    return bytes;
  }
  return std::nullopt;
}

arith::ConstantOp qcc::constantThroughReshapes(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto cst = dyn_cast<arith::ConstantOp>(def))
      return cst;
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
      return nullptr;
    v = def->getOperand(0);
  }
  return nullptr;
}

std::optional<ContractionForm> qcc::contractionForm(linalg::LinalgOp op) {
  bool unsignedCast = false;
  op->walk([&](Operation *inner) {
    unsignedCast |= isa<arith::ExtUIOp, arith::UIToFPOp>(inner);
  });
  if (unsignedCast)
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.empty() ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  MLIRContext *ctx = op->getContext();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineExpr> ms;
  for (unsigned d : dims->m)
    ms.push_back(getAffineDimExpr(d, ctx));
  AffineExpr n = getAffineDimExpr(dims->n[0], ctx),
             k = getAffineDimExpr(dims->k[0], ctx);
  auto with = [&](AffineExpr last) {
    SmallVector<AffineExpr> r(ms);
    r.push_back(last);
    return AffineMap::get(numLoops, 0, r, ctx);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != with(k) || maps[2] != with(n))
    return std::nullopt;
  if (maps[1] == AffineMap::get(numLoops, 0, {k, n}, ctx))
    return ContractionForm{(unsigned)ms.size(), false};
  if (maps[1] == AffineMap::get(numLoops, 0, {n, k}, ctx))
    return ContractionForm{(unsigned)ms.size(), true};
  return std::nullopt;
}

RowMatrices qcc::rowMatrices(OpBuilder &b, Location loc, Value a, Value init,
                             unsigned numM, int64_t np) {
  RowMatrices r;
  r.origType = cast<RankedTensorType>(init.getType());
  r.n = r.origType.getShape().back();
  r.np = np;
  if (numM > 1) {
    ReassociationIndices lead;
    for (unsigned i = 0; i < numM; ++i)
      lead.push_back(i);
    r.rowGroups = {lead, {numM}};
    r.origSizes = tensor::getMixedSizes(b, loc, init);
    a = tensor::CollapseShapeOp::create(b, loc, a, r.rowGroups);
    init = tensor::CollapseShapeOp::create(b, loc, init, r.rowGroups);
  }
  r.a = a;
  r.rows = tensor::getMixedSize(b, loc, init, 0);
  r.acc = init;
  if (np != r.n) {
    Type elem = r.origType.getElementType();
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    SmallVector<Value> dynDims;
    if (auto dyn = dyn_cast<Value>(r.rows))
      dynDims.push_back(dyn);
    int64_t m = cast<RankedTensorType>(init.getType()).getDimSize(0);
    r.acc = tensor::createPadHighOp(RankedTensorType::get({m, np}, elem), init,
                                    zero, /*nofold=*/false, loc, b, dynDims);
  }
  return r;
}

Value RowMatrices::restore(OpBuilder &b, Location loc, Value result) const {
  if (np != n) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
        strides(2, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = {rows, b.getIndexAttr(n)};
    result = tensor::ExtractSliceOp::create(
        b, loc,
        RankedTensorType::get({type.getDimSize(0), n}, type.getElementType()),
        result, offsets, sizes, strides);
  }
  if (!rowGroups.empty())
    result = tensor::ExpandShapeOp::create(b, loc, origType, result, rowGroups,
                                           origSizes);
  return result;
}

void qcc::eraseDeadChain(Value v) {
  SmallVector<Operation *> worklist;
  if (Operation *def = v.getDefiningOp())
    worklist.push_back(def);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!isOpTriviallyDead(op))
      continue;
    SmallVector<Operation *> producers;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        producers.push_back(def);
    op->erase();
    for (Operation *def : producers)
      if (!llvm::is_contained(worklist, def))
        worklist.push_back(def);
  }
}
