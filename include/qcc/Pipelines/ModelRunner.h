//===- ModelRunner.h - run a qcc module in-process on samples ---*- C++ -*-===//
//
// The passes that need data (calibration, mixed precision, the quantization
// report) run the model itself: SampleSet reads the user's samples, and
// ProbedModel compiles a clone of a module with the CPU pipeline, with
// chosen intermediate values as extra results, and runs it through MLIR's
// ExecutionEngine.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_PIPELINES_MODELRUNNER_H
#define QCC_PIPELINES_MODELRUNNER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace qcc {

/// Samples for the inputs of an entry function: a directory whose sorted
/// subdirectories each hold one sample as `<input name>.npy` or ONNX-style
/// `input_<j>.pb`, or a `.npz` mapping each input name to its samples
/// stacked on a leading axis. Every read is checked against the input's
/// static shape and element type; errors name the file.
class SampleSet {
public:
  /// Opens `data` for `entry`; on failure returns null and sets `error`.
  static std::unique_ptr<SampleSet> open(StringRef data, func::FuncOp entry,
                                         std::string &error);
  ~SampleSet();

  int64_t size() const { return numSamples; }
  unsigned numInputs() const { return inputTypes.size(); }
  RankedTensorType inputType(unsigned i) const { return inputTypes[i]; }
  /// Reads input `i` of sample `s` as dense row-major bytes; returns an
  /// error message or "".
  std::string load(int64_t s, unsigned i, std::vector<char> &out) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
  std::string data;
  SmallVector<RankedTensorType> inputTypes;
  SmallVector<std::string> inputNames;
  int64_t numSamples = 0;
  SampleSet();
};

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

#endif // QCC_PIPELINES_MODELRUNNER_H
