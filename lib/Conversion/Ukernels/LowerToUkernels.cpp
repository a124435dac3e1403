//===- LowerToUkernels.cpp - qcc-lower-to-ukernels ------------------------===//
//
// linalg.mmt4d on memrefs -> func.call of the runtime microkernel for its
// element types and tile (Ukernels.def).
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"
#include "qcc/Target/CpuTarget.h"
#include "qcc/Target/Ukernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCLOWERTOUKERNELS
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// memref<?x?x?x?xT, strided<[?, ?, ?, ?], offset: ?>>: what every kernel
/// takes, so one declaration serves every call.
MemRefType dynamicStrided(MemRefType t) {
  int64_t rank = t.getRank();
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
  auto layout =
      StridedLayoutAttr::get(t.getContext(), ShapedType::kDynamic, strides);
  return MemRefType::get(shape, t.getElementType(), layout, t.getMemorySpace());
}

struct QccLowerToUkernelsPass
    : qcc::impl::QccLowerToUkernelsBase<QccLowerToUkernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<CpuTarget> target = getModuleTarget(module);
    if (!target)
      return;
    SmallVector<linalg::Mmt4DOp> ops;
    module.walk([&](linalg::Mmt4DOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
    SymbolTable symbols(module);
    for (linalg::Mmt4DOp op : ops) {
      auto lhs = cast<MemRefType>(op.getDpsInputOperand(0)->get().getType());
      auto rhs = cast<MemRefType>(op.getDpsInputOperand(1)->get().getType());
      auto out = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
      if (lhs.isDynamicDim(2) || lhs.isDynamicDim(3) || rhs.isDynamicDim(2))
        continue;
      std::optional<Mmt4dUkernel> kernel =
          findMmt4dUkernel(*target, lhs.getElementType(), rhs.getElementType(),
                           out.getElementType(), lhs.getDimSize(2),
                           rhs.getDimSize(2), lhs.getDimSize(3));
      if (!kernel)
        continue;
      SmallVector<Type> argTypes = {dynamicStrided(lhs), dynamicStrided(rhs),
                                    dynamicStrided(out)};
      auto decl = symbols.lookup<func::FuncOp>(kernel->symbol);
      if (!decl) {
        OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
        decl = func::FuncOp::create(b, module.getLoc(), kernel->symbol,
                                    b.getFunctionType(argTypes, {}));
        decl.setPrivate();
        decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
        symbols.insert(decl);
      }
      OpBuilder b(op);
      SmallVector<Value> args;
      for (auto [operand, type] : llvm::zip(op->getOperands(), argTypes))
        args.push_back(memref::CastOp::create(b, op.getLoc(), type, operand));
      func::CallOp::create(b, op.getLoc(), decl, args);
      op->erase();
    }
  }
};

} // namespace
