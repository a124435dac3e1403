//===- AttachTarget.cpp - attach the codegen target as llvm.target --------===//

#include "qcc/Target/CpuTarget.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCATTACHTARGET
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {
struct QccAttachTargetPass
    : qcc::impl::QccAttachTargetBase<QccAttachTargetPass> {
  using QccAttachTargetBase::QccAttachTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module->hasAttr(LLVM::LLVMDialect::getTargetAttrName()))
      return;
    std::string error;
    FailureOr<qcc::CpuTarget> target =
        qcc::resolveCpuTarget(triple, cpu, attrs, error);
    if (failed(target)) {
      module.emitError(error);
      return signalPassFailure();
    }
    qcc::setModuleTarget(module, *target);
  }
};
} // namespace
