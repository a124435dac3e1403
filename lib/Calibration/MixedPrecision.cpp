//===- MixedPrecision.cpp - bits per layer under a size budget ------------===//
//
// Sensitivity: the model with only one layer weight-quantized (int8, then
// int4), run on the samples, against the float model's outputs. Allocation:
// greedy by error reduction per byte, from all-int4 up, within the budget.
// The pass only annotates `qcc.bits`; qcc-quantize-weights quantizes.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/ProbedModel.h"
#include "qcc/Calibration/QuantReport.h"
#include "qcc/Dialect/Qcc/QccOps.h"
#include "qcc/Calibration/Passes.h"
#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Format.h"

#include <chrono>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCMIXEDPRECISION
#include "qcc/Calibration/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// Parses `5MB`, `800KB`, `123456B` (decimal units) or a ratio in (0, 1]
/// of `floatBytes`; returns -1 on a malformed budget.
int64_t parseBudget(StringRef text, int64_t floatBytes) {
  text = text.trim();
  double scale = 0;
  StringRef number = text;
  for (auto [suffix, mult] :
       {std::pair<StringRef, double>{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
        {"B", 1}}) {
    if (text.ends_with_insensitive(suffix)) {
      number = text.drop_back(suffix.size()).trim();
      scale = mult;
      break;
    }
  }
  double v;
  if (number.getAsDouble(v) || !(v > 0))
    return -1;
  if (scale == 0) {
    if (v > 1)
      return -1;
    return (int64_t)(v * floatBytes);
  }
  return (int64_t)(v * scale);
}

struct QccMixedPrecisionPass
    : qcc::impl::QccMixedPrecisionBase<QccMixedPrecisionPass> {
  using QccMixedPrecisionBase::QccMixedPrecisionBase;

  /// A candidate layer: its name and, per choice (0: int4, 1: int8,
  /// 2: fp32), the weight bytes and the output error.
  struct Layer {
    Operation *op;
    std::string name;
    int64_t bytes[3] = {-1, -1, -1};
    double error[3] = {0, 0, 0};
  };

  /// The layers `bits` applies to in a copy of the module where only
  /// `target` is quantized; returns the copy and fills the target's bytes.
  OwningOpRef<ModuleOp> quantizeOnly(ModuleOp module, ArrayRef<Layer> layers,
                                     size_t target, int64_t bits,
                                     int64_t &bytesAfter) {
    auto *dialect = getContext().getLoadedDialect<QccDialect>();
    auto bitsAttr = dialect->getBitsAttrHelper();
    for (auto [i, l] : llvm::enumerate(layers))
      bitsAttr.setAttr(l.op,
                       BitsAttr::get(&getContext(), i == target ? bits : 32));
    OwningOpRef<ModuleOp> clone = module.clone();
    for (const Layer &l : layers)
      bitsAttr.removeAttr(l.op);
    PassManager pm(&getContext());
    QccQuantizeWeightsOptions q;
    q.bits = bits;
    q.groupSize = groupSize;
    q.minElements = minElements;
    q.exclude = llvm::to_vector(exclude);
    pm.addPass(createQccQuantizeWeights(q));
    bytesAfter = -1;
    if (failed(pm.run(*clone)))
      return nullptr;
    auto quantAttr = dialect->getQuantAttrHelper();
    clone->walk([&](Operation *op) {
      if (QuantRecordAttr rec = quantAttr.getAttr(op))
        bytesAfter = rec.getBytesAfter();
    });
    return clone;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto *dialect = ctx->getLoadedDialect<QccDialect>();
    auto fail = [&](const Twine &msg) {
      module.emitError("qcc-mixed-precision: ") << msg;
      signalPassFailure();
    };
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || data.empty() || sizeBudget.empty())
      return fail("needs the entry function, samples (data=) and a budget "
                  "(size-budget=)");
    int64_t floatBytes = constantBytes(module);
    int64_t budget = parseBudget(sizeBudget, floatBytes);
    if (budget < 0)
      return fail("malformed size budget '" + sizeBudget +
                  "': use e.g. 5MB, 800KB, 123456B or a ratio such as 0.3");

    SmallVector<Layer> layers;
    func.walk([&](Operation *op) {
      if (!isa<MatMulOp, GemmOp, ConvOp>(op) || isExcludedLayer(op, exclude))
        return;
      auto w = op->getOperand(1).getDefiningOp<arith::ConstantOp>();
      auto type = w ? dyn_cast<RankedTensorType>(w.getType()) : nullptr;
      if (!type || !type.hasStaticShape() ||
          !type.getElementType().isF32() ||
          type.getNumElements() < minElements)
        return;
      Layer l;
      l.op = op;
      l.name = onnxNodeName(op);
      if (l.name.empty())
        l.name = (onnxOpType(op) + "#" + Twine(layers.size())).str();
      l.bytes[2] = type.getNumElements() * 4;
      layers.push_back(l);
    });
    if (layers.empty())
      return;

    std::string error;
    std::unique_ptr<SampleSet> samples = SampleSet::open(data, func, error);
    if (!samples)
      return fail(error);
    int64_t n = std::min<int64_t>(samples->size(), maxSamples);
    auto reference = ProbedModel::compile(module, entryName, {}, error);
    if (!reference)
      return fail(error);
    std::vector<std::vector<std::vector<float>>> refOut(n);
    for (int64_t s = 0; s < n; ++s)
      if (std::string err = reference->run(*samples, s, refOut[s]);
          !err.empty())
        return fail(err);

    // Sensitivity of every layer at int8 and int4.
    auto start = std::chrono::steady_clock::now();
    size_t steps = layers.size() * 2, done = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
      for (int choice = 0; choice < 2; ++choice) {
        int64_t bits = choice == 0 ? 4 : 8;
        int64_t bytes;
        OwningOpRef<ModuleOp> variant =
            quantizeOnly(module, layers, i, bits, bytes);
        if (!variant)
          return fail("quantizing layer '" + layers[i].name + "' failed");
        ++done;
        if (bytes < 0)
          continue; // not quantizable at these bits (e.g. odd int4 rows)
        layers[i].bytes[choice] = bytes;
        auto model = ProbedModel::compile(*variant, entryName, {}, error);
        if (!model)
          return fail(error);
        double err2 = 0;
        std::vector<std::vector<float>> out;
        for (int64_t s = 0; s < n; ++s) {
          if (std::string err = model->run(*samples, s, out); !err.empty())
            return fail(err);
          for (unsigned r = 0; r < model->numResults(); ++r)
            for (auto [a, b] : llvm::zip(refOut[s][r], out[r]))
              err2 += ((double)a - b) * ((double)a - b);
        }
        layers[i].error[choice] = err2;
        double elapsed = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
        llvm::errs() << llvm::format(
            "\rqcc-mixed-precision: sensitivity %zu/%zu, ETA %.1f s   ",
            done, steps, elapsed / done * (steps - done));
      }
    }
    llvm::errs() << "\n";

    // Greedy allocation from the smallest choice up.
    SmallVector<int> choice(layers.size());
    int64_t fixed = floatBytes, total = 0;
    for (auto [i, l] : llvm::enumerate(layers)) {
      fixed -= l.bytes[2];
      choice[i] = l.bytes[0] >= 0 ? 0 : (l.bytes[1] >= 0 ? 1 : 2);
      total += l.bytes[choice[i]];
    }
    total += fixed;
    if (total > budget)
      return fail("the budget of " + Twine(budget) +
                  " weight bytes is below the smallest this model can be "
                  "made (" +
                  Twine(total) + " bytes with every layer at int4)");
    while (true) {
      int best = -1;
      double bestRatio = 0;
      for (auto [i, l] : llvm::enumerate(layers)) {
        int c = choice[i];
        int next = c + 1;
        while (next < 3 && l.bytes[next] < 0)
          ++next;
        if (next >= 3)
          continue;
        int64_t cost = l.bytes[next] - l.bytes[c];
        double gain = l.error[c] - l.error[next];
        if (total + cost > budget || gain <= 0)
          continue;
        double ratio = gain / std::max<int64_t>(cost, 1);
        if (best < 0 || ratio > bestRatio) {
          best = i;
          bestRatio = ratio;
        }
      }
      if (best < 0)
        break;
      int next = choice[best] + 1;
      while (layers[best].bytes[next] < 0)
        ++next;
      total += layers[best].bytes[next] - layers[best].bytes[choice[best]];
      choice[best] = next;
    }

    Builder b(ctx);
    SmallVector<NamedAttribute> perLayer;
    for (auto [i, l] : llvm::enumerate(layers)) {
      int64_t bits = choice[i] == 0 ? 4 : choice[i] == 1 ? 8 : 32;
      dialect->getBitsAttrHelper().setAttr(l.op, BitsAttr::get(ctx, bits));
      perLayer.push_back(b.getNamedAttr(l.name, b.getI64IntegerAttr(bits)));
      llvm::errs() << llvm::format(
          "qcc-mixed-precision: %-32s %2lld bits  int8 error %.3g, int4 "
          "error %.3g\n",
          l.name.c_str(), (long long)bits, l.error[1], l.error[0]);
    }
    llvm::errs() << "qcc-mixed-precision: " << total << " of " << budget
                 << " budget bytes (float: " << floatBytes << ")\n";
    module->setAttr(
        "qcc.mixed_precision",
        b.getDictionaryAttr(
            {b.getNamedAttr("budget_bytes", b.getI64IntegerAttr(budget)),
             b.getNamedAttr("weight_bytes", b.getI64IntegerAttr(total)),
             b.getNamedAttr("float_bytes", b.getI64IntegerAttr(floatBytes)),
             b.getNamedAttr("layers", b.getDictionaryAttr(perLayer))}));
  }
};
} // namespace
