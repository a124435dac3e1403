//===- Calibrate.cpp - run the model on samples, record activation ranges -===//
//
// The pass lives with the pipelines because it compiles an instrumented
// clone of the module with the CPU pipeline and runs it in-process through
// MLIR's ExecutionEngine; the statistics are qcc::calib::RangeObserver's.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/RangeObserver.h"
#include "qcc/Calibration/ProbedModel.h"
#include "qcc/Codegen/Pipelines.h"
#include "qcc/Dialect/Qcc/QccOps.h"
#include "qcc/Calibration/Passes.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/ADT/ScopeExit.h"

#include <chrono>
#include <cstring>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCCALIBRATE
#include "qcc/Calibration/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

CalibrationMethod attrMethod(calib::Method method) {
  switch (method) {
  case calib::Method::MinMax:
    return CalibrationMethod::MinMax;
  case calib::Method::Percentile:
    return CalibrationMethod::Percentile;
  case calib::Method::Entropy:
    return CalibrationMethod::Entropy;
  case calib::Method::MSE:
    return CalibrationMethod::MSE;
  }
  llvm_unreachable("unknown calibration method");
}

struct QccCalibratePass : qcc::impl::QccCalibrateBase<QccCalibratePass> {
  using QccCalibrateBase::QccCalibrateBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    std::optional<calib::Method> m = calib::parseMethod(method);
    if (!m) {
      module.emitError("qcc-calibrate: unknown method '") << method << "'";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || data.empty()) {
      module.emitError("qcc-calibrate: needs the entry function and a data "
                       "directory (data=DIR)");
      return signalPassFailure();
    }
    // The activations to observe: input 0 of every contraction/convolution
    // that is not a constant.
    SmallVector<Operation *> observed;
    func.walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp, ConvOp>(op) &&
          !op->getOperand(0).getDefiningOp<arith::ConstantOp>() &&
          cast<RankedTensorType>(op->getOperand(0).getType())
              .getElementType()
              .isF32())
        observed.push_back(op);
    });
    if (observed.empty())
      return;
    SmallVector<Value> probes;
    for (Operation *op : observed)
      probes.push_back(op->getOperand(0));
    std::string error;
    std::unique_ptr<SampleSet> samples = SampleSet::open(data, func, error);
    std::unique_ptr<ProbedModel> model =
        samples ? ProbedModel::compile(module, entryName, probes, error)
                : nullptr;
    if (!model) {
      module.emitError("qcc-calibrate: ") << error;
      return signalPassFailure();
    }
    int64_t numSamples = samples->size();
    std::vector<calib::RangeObserver> observers(observed.size());
    // Per-input-channel sums for bias correction: the channel axis is 1
    // for convolutions, the last (reduction) axis for matmul/gemm.
    std::vector<std::vector<double>> channelSums(observed.size());
    std::vector<int64_t> channelCounts(observed.size(), 0);
    SmallVector<int64_t> channelAxis, channelStride;
    for (auto [k, op] : llvm::enumerate(observed)) {
      auto type = cast<RankedTensorType>(op->getOperand(0).getType());
      int64_t axis = isa<ConvOp>(op) ? 1 : type.getRank() - 1;
      int64_t stride = 1;
      for (int64_t d = axis + 1; d < type.getRank(); ++d)
        stride *= type.getDimSize(d);
      channelAxis.push_back(axis);
      channelStride.push_back(stride);
      channelSums[k].assign(type.getDimSize(axis), 0.0);
    }
    std::vector<std::vector<float>> outputs;
    auto start = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < numSamples; ++s) {
      if (std::string err = model->run(*samples, s, outputs); !err.empty()) {
        module.emitError("qcc-calibrate: ") << err;
        return signalPassFailure();
      }
      for (size_t k = 0; k < observed.size(); ++k) {
        const std::vector<float> &x = outputs[model->numResults() + k];
        observers[k].observe(x);
        std::vector<double> &sums = channelSums[k];
        int64_t channels = sums.size(), stride = channelStride[k];
        for (size_t i = 0; i < x.size(); ++i)
          sums[(i / stride) % channels] += x[i];
        channelCounts[k] += x.size() / channels;
      }
      double elapsed = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      double eta = elapsed / (s + 1) * (numSamples - s - 1);
      llvm::errs() << llvm::format("\rqcc-calibrate: %lld/%lld samples, "
                                   "ETA %.1f s   ",
                                   (long long)s + 1, (long long)numSamples,
                                   eta);
    }
    llvm::errs() << "\n";
    auto calibrationAttr =
        ctx->getLoadedDialect<QccDialect>()->getCalibrationAttrHelper();
    for (auto [k, op] : llvm::enumerate(observed)) {
      const calib::RangeObserver &o = observers[k];
      SmallVector<float> means;
      for (double sum : channelSums[k])
        means.push_back(sum / std::max<int64_t>(channelCounts[k], 1));
      calibrationAttr.setAttr(
          op,
          CalibrationAttr::get(ctx, attrMethod(*m), o.min(), o.max(),
                               o.threshold(*m, percentile), numSamples, means));
    }
  }
};
} // namespace
