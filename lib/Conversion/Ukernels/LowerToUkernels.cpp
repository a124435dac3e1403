//===- LowerToUkernels.cpp - qcc-lower-to-ukernels ------------------------===//
//
// linalg.mmt4d on memrefs -> func.call of the runtime microkernel for its
// element types and tile (Ukernels.def); the linalg.generic ops that
// qcc-weight-only-data-tiling tagged `qcc.ukernel` -> func.call of that
// entry point, when the target has it and the operands are the kernel's.
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

/// The private declaration of `name` (llvm.emit_c_interface) taking
/// `argTypes`, created at the end of the module on first use.
func::FuncOp declaration(ModuleOp module, SymbolTable &symbols, StringRef name,
                         ArrayRef<Type> argTypes) {
  auto decl = symbols.lookup<func::FuncOp>(name);
  if (decl)
    return decl.getFunctionType().getInputs() == argTypes ? decl : nullptr;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  decl = func::FuncOp::create(b, module.getLoc(), name,
                              b.getFunctionType(argTypes, {}));
  decl.setPrivate();
  decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  symbols.insert(decl);
  return decl;
}

/// Replaces `op` by a call of `decl` on its operands cast to `argTypes`.
void replaceByCall(Operation *op, func::FuncOp decl, ArrayRef<Type> argTypes) {
  OpBuilder b(op);
  SmallVector<Value> args;
  for (auto [operand, type] : llvm::zip(op->getOperands(), argTypes))
    args.push_back(memref::CastOp::create(b, op->getLoc(), type, operand));
  func::CallOp::create(b, op->getLoc(), decl, args);
  op->erase();
}

/// A generic tagged for an int4 weight-only kernel, if its operands are
/// what the kernel takes (WeightOnly.h): A [M, K] f32 (int8 kernels: Aq
/// [M, K] i8 and Sa [M, K/G] f32), B [N1, K/2, N0] i8 (int8 kernels:
/// [N1, K/8, N0, 4]), S [N1, K/G, N0] f32, Z [N1, K/G, N0] i8 (with zero
/// points), C [M, N1, N0] f32, N0 the kernel's.
void lowerWeightOnly(ModuleOp module, SymbolTable &symbols,
                     const CpuTarget &target, linalg::GenericOp op,
                     StringRef name) {
  bool hasZp = false;
  std::optional<W4Ukernel> kernel = findW4Ukernel(target, name, hasZp);
  if (!kernel)
    return;
  Builder b(module.getContext());
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  struct Operand {
    int64_t rank;
    Type elem;
    int64_t n0Dim; ///< the dimension that must be N0, or -1
  };
  SmallVector<Operand> expected;
  if (kernel->int8Activations)
    expected = {{2, i8, -1}, {2, f32, -1}, {4, i8, 2}};
  else
    expected = {{2, f32, -1}, {3, i8, 2}};
  expected.push_back({3, f32, 2});
  if (hasZp)
    expected.push_back({3, i8, 2});
  expected.push_back({3, f32, 2});
  if (op->getNumOperands() != expected.size() || op.getNumDpsInits() != 1 ||
      op->getNumResults() != 0)
    return;
  SmallVector<Type> argTypes;
  for (auto [operand, want] : llvm::zip(op->getOperands(), expected)) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || type.getRank() != want.rank ||
        type.getElementType() != want.elem ||
        (want.n0Dim >= 0 && type.getDimSize(want.n0Dim) != kernel->n0))
      return;
    argTypes.push_back(dynamicStrided(type));
  }
  if (func::FuncOp decl = declaration(module, symbols, name, argTypes))
    replaceByCall(op, decl, argTypes);
}

struct QccLowerToUkernelsPass
    : qcc::impl::QccLowerToUkernelsBase<QccLowerToUkernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<CpuTarget> target = getModuleTarget(module);
    if (!target)
      return;
    SymbolTable symbols(module);
    SmallVector<linalg::GenericOp> tagged;
    module.walk([&](linalg::GenericOp op) {
      if (op.hasPureBufferSemantics() && op->hasAttr(kUkernelAttr))
        tagged.push_back(op);
    });
    for (linalg::GenericOp op : tagged)
      if (auto name = op->getAttrOfType<StringAttr>(kUkernelAttr))
        lowerWeightOnly(module, symbols, *target, op, name.getValue());

    SmallVector<linalg::Mmt4DOp> ops;
    module.walk([&](linalg::Mmt4DOp op) {
      if (op.hasPureBufferSemantics())
        ops.push_back(op);
    });
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
      if (func::FuncOp decl =
              declaration(module, symbols, kernel->symbol, argTypes))
        replaceByCall(op, decl, argTypes);
    }
  }
};

} // namespace
