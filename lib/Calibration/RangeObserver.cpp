//===- RangeObserver.cpp - streaming range statistics and estimators ------===//

#include "qcc/Calibration/RangeObserver.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::qcc::calib;

std::optional<Method> mlir::qcc::calib::parseMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Method>>(name)
      .Case("minmax", Method::MinMax)
      .Case("percentile", Method::Percentile)
      .Case("entropy", Method::Entropy)
      .Case("mse", Method::MSE)
      .Default(std::nullopt);
}

RangeObserver::RangeObserver(unsigned numBins) : hist(numBins, 0.0) {}

/// Doubles the bin width (merging neighbouring bins) until `maxAbs` fits.
void RangeObserver::grow(double maxAbs) {
  size_t n = hist.size();
  if (width == 0) {
    width = maxAbs > 0 ? maxAbs / n : 0;
    return;
  }
  while (maxAbs > width * n) {
    for (size_t i = 0; i < n / 2; ++i)
      hist[i] = hist[2 * i] + hist[2 * i + 1];
    std::fill(hist.begin() + n / 2, hist.end(), 0.0);
    width *= 2;
  }
}

void RangeObserver::observe(llvm::ArrayRef<float> values) {
  double maxAbs = 0;
  bool any = false;
  for (float v : values) {
    if (std::isnan(v))
      continue;
    if (!any && total == 0)
      lo = hi = v;
    any = true;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    maxAbs = std::max(maxAbs, (double)std::fabs(v));
  }
  if (!any)
    return;
  grow(maxAbs);
  size_t n = hist.size();
  for (float v : values) {
    if (std::isnan(v))
      continue;
    ++total;
    double a = std::fabs(v);
    size_t bin = width > 0 ? (size_t)(a / width) : 0;
    hist[std::min(bin, n - 1)] += 1;
  }
}

double RangeObserver::threshold(Method method, double percentile,
                                unsigned levels) const {
  double maxAbs = std::max(std::fabs(lo), std::fabs(hi));
  if (total == 0 || width == 0)
    return maxAbs;
  switch (method) {
  case Method::MinMax:
    return maxAbs;
  case Method::Percentile:
    return std::min(maxAbs, percentileThreshold(percentile));
  case Method::Entropy:
    return std::min(maxAbs, entropyThreshold(levels));
  case Method::MSE:
    return std::min(maxAbs, mseThreshold(levels));
  }
  return maxAbs;
}

/// Upper edge of the bin where the cumulative share of |x| reaches
/// `percentile`.
double RangeObserver::percentileThreshold(double percentile) const {
  double target = total * std::clamp(percentile, 0.0, 100.0) / 100.0, cum = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    cum += hist[i];
    if (cum >= target)
      return (i + 1) * width;
  }
  return hist.size() * width;
}

/// TensorRT's entropy calibration: for every candidate threshold of i bins
/// (i >= levels), the reference distribution P is the histogram clipped at
/// i bins (outliers added to the last bin), the candidate Q is P squeezed
/// into `levels` bins and expanded back (each group's mass spread over its
/// non-empty bins); the threshold minimising KL(P || Q) wins.
double RangeObserver::entropyThreshold(unsigned levels) const {
  size_t n = hist.size();
  if (n <= levels)
    return n * width;
  double best = std::numeric_limits<double>::infinity();
  size_t bestBins = n;
  std::vector<double> p, q;
  double tail = 0;
  for (size_t i = n; i > levels; --i)
    tail += hist[i - 1];
  // tail now holds the mass of bins [levels, n); walk i upwards.
  double above = tail;
  for (size_t i = levels; i <= n; ++i) {
    // above = mass of bins [i, n)
    p.assign(hist.begin(), hist.begin() + i);
    p[i - 1] += above;
    q.assign(i, 0.0);
    for (unsigned g = 0; g < levels; ++g) {
      size_t start = g * i / levels, end = (g + 1) * i / levels;
      double mass = 0;
      size_t nonZero = 0;
      for (size_t j = start; j < end; ++j) {
        mass += hist[j];
        nonZero += hist[j] != 0;
      }
      for (size_t j = start; j < end; ++j)
        q[j] = hist[j] != 0 ? mass / nonZero : 0;
    }
    double pSum = 0, qSum = 0;
    for (size_t j = 0; j < i; ++j) {
      pSum += p[j];
      qSum += q[j];
    }
    double kl = 0;
    bool infinite = false;
    for (size_t j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      if (q[j] == 0) {
        infinite = true;
        break;
      }
      double pj = p[j] / pSum, qj = q[j] / qSum;
      kl += pj * std::log(pj / qj);
    }
    if (!infinite && kl < best) {
      best = kl;
      bestBins = i;
    }
    if (i < n)
      above -= hist[i];
  }
  return bestBins * width;
}

/// Expected squared error of symmetric quantization with `levels` positive
/// levels and threshold t, from the histogram (bin centres): clipping error
/// above t, uniform rounding error step^2 / 12 below.
double RangeObserver::mseThreshold(unsigned levels) const {
  size_t n = hist.size();
  double best = std::numeric_limits<double>::infinity(), bestT = n * width;
  for (size_t i = 1; i <= n; ++i) {
    double t = i * width, step = t / levels, err = 0;
    for (size_t j = 0; j < n; ++j) {
      if (hist[j] == 0)
        continue;
      double c = (j + 0.5) * width;
      err += c > t ? hist[j] * (c - t) * (c - t)
                   : hist[j] * step * step / 12.0;
    }
    if (err < best) {
      best = err;
      bestT = t;
    }
  }
  return bestT;
}
