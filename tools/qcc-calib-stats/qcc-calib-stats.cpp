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

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace mlir::qcc::calib;

[[noreturn]] static void fail(const std::string &msg) {
  std::fprintf(stderr, "qcc-calib-stats: error: %s\n", msg.c_str());
  std::exit(1);
}

/// Reads a float32 C-order .npy file.
static std::vector<float> readNpyF32(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail("'" + path + "' is not a .npy file");
  unsigned major = (unsigned char)bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
    offset = 10;
  } else {
    if (bytes.size() < 12)
      fail("'" + path + "': truncated .npy header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  }
  if (offset + headerLen > bytes.size())
    fail("'" + path + "': truncated .npy header");
  std::string header = bytes.substr(offset, headerLen);
  if (header.find("'<f4'") == std::string::npos)
    fail("'" + path + "': only float32 arrays are supported");
  if (header.find("True") != std::string::npos)
    fail("'" + path + "': Fortran-ordered arrays are not supported");
  size_t dataBytes = bytes.size() - offset - headerLen;
  std::vector<float> values(dataBytes / sizeof(float));
  std::memcpy(values.data(), bytes.data() + offset + headerLen,
              values.size() * sizeof(float));
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
