//===- ProbedModel.h - run a qcc module in-process on samples ---*- C++ -*-===//
//
// The passes that need data (calibration, mixed precision, the quantization
// report) run the model itself: SampleSet (SampleSet.h) reads the user's
// samples, and ProbedModel compiles a clone of a module with the CPU codegen
// pipeline, with chosen intermediate values as extra results, and runs it
// through MLIR's ExecutionEngine.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CALIBRATION_PROBEDMODEL_H
#define QCC_CALIBRATION_PROBEDMODEL_H

#include "qcc/Calibration/SampleSet.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace qcc {

/// A clone of a module compiled in-process, returning the entry function's
/// results followed by `probes` (values of the original entry function).
class ProbedModel {
public:
  /// On failure returns null and sets `error`. `module` is not modified.
  static std::unique_ptr<ProbedModel> compile(ModuleOp module,
                                              StringRef entry,
                                              ArrayRef<Value> probes,
                                              std::string &error);
  ~ProbedModel();

  unsigned numResults() const { return numResults_; }
  /// Runs sample `s`; `outputs` gets every result then every probe,
  /// converted to float. Returns an error message or "".
  std::string run(const SampleSet &samples, int64_t s,
                  std::vector<std::vector<float>> &outputs);

private:
  ProbedModel() = default;
  std::unique_ptr<ExecutionEngine> engine;
  void (*invoke)(void **) = nullptr;
  SmallVector<RankedTensorType> inputTypes, resultTypes;
  unsigned numResults_ = 0;
  SmallVector<unsigned> probeSlots; // result index of each probe
};

/// The noise power of `test` against `ref` and the signal power of `ref`,
/// accumulated over samples: SQNR = 10 log10(signal / noise) dB.
struct SqnrAccumulator {
  double signal = 0, noise = 0;
  void add(ArrayRef<float> ref, ArrayRef<float> test);
  /// +inf when the outputs are identical.
  double db() const;
};

} // namespace qcc
} // namespace mlir

#endif // QCC_CALIBRATION_PROBEDMODEL_H
