//===- RangeObserver.h - streaming activation range statistics --*- C++ -*-===//
//
// The statistics behind calibration: a streaming observer of a tensor's
// values (min/max plus a histogram of |x| with a fixed number of bins whose
// range doubles as larger values arrive, so memory does not grow with the
// number of samples) and the clipping-threshold estimators of the
// calibration methods: min/max, percentile, entropy (TensorRT-style KL
// search) and MSE-optimal clipping.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CALIBRATION_RANGEOBSERVER_H
#define QCC_CALIBRATION_RANGEOBSERVER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::qcc::calib {

enum class Method { MinMax, Percentile, Entropy, MSE };

/// Parses "minmax", "percentile", "entropy" or "mse".
std::optional<Method> parseMethod(llvm::StringRef name);

class RangeObserver {
public:
  explicit RangeObserver(unsigned numBins = 2048);

  /// Adds values to the statistics (NaNs are ignored).
  void observe(llvm::ArrayRef<float> values);

  uint64_t count() const { return total; }
  float min() const { return lo; }
  float max() const { return hi; }
  double binWidth() const { return width; }
  llvm::ArrayRef<double> histogram() const { return hist; }

  /// The symmetric clipping threshold T (values are quantized over
  /// [-T, T]) chosen by `method`. `percentile` is used by Percentile;
  /// `levels` is the number of positive quantization levels (127 for int8)
  /// used by Entropy (as its number of target bins) and MSE.
  double threshold(Method method, double percentile = 99.99,
                   unsigned levels = 127) const;

private:
  double percentileThreshold(double percentile) const;
  double entropyThreshold(unsigned levels) const;
  double mseThreshold(unsigned levels) const;
  void grow(double maxAbs);

  std::vector<double> hist;
  double width = 0;
  float lo = 0, hi = 0;
  uint64_t total = 0;
};

} // namespace mlir::qcc::calib

#endif // QCC_CALIBRATION_RANGEOBSERVER_H
