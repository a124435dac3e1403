//===- SampleSet.h - calibration samples ------------------------*- C++ -*-===//
#ifndef QCC_CALIBRATION_SAMPLESET_H
#define QCC_CALIBRATION_SAMPLESET_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::qcc {

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

} // namespace mlir::qcc

#endif // QCC_CALIBRATION_SAMPLESET_H
