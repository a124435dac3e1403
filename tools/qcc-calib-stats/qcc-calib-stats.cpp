//===- qcc-calib-stats.cpp - range statistics of float32 .npy files -------===//
//
//   qcc-calib-stats [--bins N] [--percentile P] FILE.npy...
//
// Streams the files (float32, C order) through one RangeObserver, the way
// calibration streams samples, and prints min, max and the clipping
// threshold of every calibration method. A file that cannot be read is an
// error naming it.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/RangeObserver.h"
#include "qcc/Support/TensorFile.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace mlir::qcc::calib;
namespace tensorfile = mlir::qcc::tensorfile;

[[noreturn]] static void fail(const std::string &msg) {
  std::fprintf(stderr, "qcc-calib-stats: error: %s\n", msg.c_str());
  std::exit(1);
}

/// Reads a float32 C-order .npy file.
static std::vector<float> readNpyF32(const std::string &path) {
  tensorfile::Tensor t;
  if (std::string err = tensorfile::readNpy(path, t); !err.empty())
    fail(err);
  if (t.dtype != QCC_DTYPE_F32)
    fail("'" + path + "': only float32 arrays are supported");
  std::vector<float> values(t.data.size() / sizeof(float));
  std::memcpy(values.data(), t.data.data(), values.size() * sizeof(float));
  return values;
}

int main(int argc, char **argv) {
  unsigned bins = 2048;
  double percentile = 99.99;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--bins" && i + 1 < argc)
      bins = std::atoi(argv[++i]);
    else if (a == "--percentile" && i + 1 < argc)
      percentile = std::atof(argv[++i]);
    else if (!a.empty() && a[0] == '-')
      fail("unknown option '" + a + "'");
    else
      files.push_back(a);
  }
  if (files.empty() || bins < 256)
    fail("usage: qcc-calib-stats [--bins N>=256] [--percentile P] FILE.npy...");
  RangeObserver observer(bins);
  for (const std::string &f : files)
    observer.observe(readNpyF32(f));
  std::printf("count %llu\nmin %.9g\nmax %.9g\nbin_width %.9g\n",
              (unsigned long long)observer.count(), observer.min(),
              observer.max(), observer.binWidth());
  std::printf("minmax %.9g\n", observer.threshold(Method::MinMax));
  std::printf("percentile %.9g\n",
              observer.threshold(Method::Percentile, percentile));
  std::printf("entropy %.9g\n", observer.threshold(Method::Entropy));
  std::printf("mse %.9g\n", observer.threshold(Method::MSE));
  return 0;
}
