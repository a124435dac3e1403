//===- qcc-run.cpp - run a compiled qcc model on .npy / .pb inputs --------===//
//
//   qcc-run MODEL.so [--input [NAME=]FILE]... [--output-dir DIR]
//           [--expect [NAME=]FILE]... [--rtol R] [--atol A] [--repeat N]
//           [--print] [--help]
//
// FILE is a numpy .npy array or an ONNX TensorProto .pb. Only the public C
// ABI (include/qcc/Runtime/qcc_runtime.h) is used, through dlopen, so this
// is also the reference client of that ABI. Exit status: 0 success, 1
// error, 2 outputs differ from --expect.
//
// Every input file is validated (header, dtype, shape, byte count) before
// the model sees it: a bad file gives one `qcc-run: error:` line, never a
// crash. Built with -fno-exceptions, so nothing here throws.
//
//===----------------------------------------------------------------------===//

#include "qcc/Runtime/qcc_runtime.h"
#include "qcc/Support/TensorFile.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

using namespace mlir::qcc::tensorfile;

namespace {

[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char *fmt,
                                                              ...) {
  std::fflush(stdout);
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "qcc-run: error: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  std::exit(1);
}

/// Fails with `error` unless it is empty.
void check(const std::string &error) {
  if (!error.empty())
    fail("%s", error.c_str());
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

bool isFloat(int32_t dtype) {
  return dtype == QCC_DTYPE_F32 || dtype == QCC_DTYPE_F64 ||
         dtype == QCC_DTYPE_F16 || dtype == QCC_DTYPE_BF16;
}

/// bfloat16 data arrives as uint16 bits (numpy and ONNX 1.12's test data
/// have no bfloat16 type); take it as bfloat16 where the model wants that.
void adoptBF16(Tensor &t, int32_t wanted) {
  if (wanted == QCC_DTYPE_BF16 && t.dtype == QCC_DTYPE_U16)
    t.dtype = QCC_DTYPE_BF16;
}

bool isSigned(int32_t dtype) {
  return dtype == QCC_DTYPE_I8 || dtype == QCC_DTYPE_I16 ||
         dtype == QCC_DTYPE_I32 || dtype == QCC_DTYPE_I64;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// Creates `dir` and its missing parents (like mkdir -p).
void makeDirs(const std::string &dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/')
      continue;
    std::string prefix = dir.substr(0, pos);
    if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      fail("cannot create directory '%s': %s", prefix.c_str(),
           std::strerror(errno));
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    fail("'%s' is not a directory", dir.c_str());
}

/// A .npy array or an ONNX TensorProto .pb (see qcc/Support/TensorFile.h).
Tensor readTensor(const std::string &path) {
  Tensor t;
  if (endsWith(path, ".npy")) {
    check(readNpy(path, t));
  } else if (endsWith(path, ".pb")) {
#ifdef QCC_RUN_NO_ONNX_PB
    // The cross-built runner (see CMakeLists.txt) has no target protobuf
    // library to link: it reads .npy only.
    fail("'%s': this qcc-run was built without ONNX TensorProto support; use "
         ".npy",
         path.c_str());
#else
    check(readPb(path, t));
#endif
  } else {
    fail("'%s': expected a .npy or .pb file", path.c_str());
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Element access and comparison
//===----------------------------------------------------------------------===//

template <typename T> T load(const unsigned char *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

double halfToDouble(uint16_t h) {
  int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v = exp == 0    ? std::ldexp(mant, -24)
             : exp == 31 ? (mant ? NAN : INFINITY)
                         : std::ldexp(mant + 1024, exp - 25);
  return (h & 0x8000) ? -v : v;
}

/// Element `i` of a floating-point tensor.
double floatAt(const Tensor &t, int64_t i) {
  const unsigned char *p = t.data.data() + i * findDtype(t.dtype)->size;
  switch (t.dtype) {
  case QCC_DTYPE_F32:
    return load<float>(p);
  case QCC_DTYPE_F64:
    return load<double>(p);
  case QCC_DTYPE_BF16: {
    // The upper half of an IEEE single.
    uint32_t bits = (uint32_t)load<uint16_t>(p) << 16;
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  default:
    return halfToDouble(load<uint16_t>(p));
  }
}

/// Element `i` of an integer or bool tensor, as a signed or an unsigned
/// 64-bit value (`isSigned` says which).
uint64_t intBitsAt(const Tensor &t, int64_t i) {
  const unsigned char *p = t.data.data() + i * findDtype(t.dtype)->size;
  switch (t.dtype) {
  case QCC_DTYPE_I8:
    return (uint64_t)(int64_t)load<int8_t>(p);
  case QCC_DTYPE_I16:
    return (uint64_t)(int64_t)load<int16_t>(p);
  case QCC_DTYPE_I32:
    return (uint64_t)(int64_t)load<int32_t>(p);
  case QCC_DTYPE_I64:
    return (uint64_t)load<int64_t>(p);
  case QCC_DTYPE_U16:
    return load<uint16_t>(p);
  case QCC_DTYPE_U32:
    return load<uint32_t>(p);
  case QCC_DTYPE_U64:
    return load<uint64_t>(p);
  default: // u8, bool
    return *p;
  }
}

/// Element `i` as text: integers exactly, floats with 9 significant digits
/// (enough to tell f32 values apart).
std::string valueString(const Tensor &t, int64_t i, int floatDigits = 9) {
  char buf[64];
  if (isFloat(t.dtype)) {
    std::snprintf(buf, sizeof buf, "%.*g", floatDigits, floatAt(t, i));
  } else if (t.dtype == QCC_DTYPE_BOOL) {
    return intBitsAt(t, i) ? "true" : "false";
  } else if (isSigned(t.dtype)) {
    std::snprintf(buf, sizeof buf, "%" PRId64, (int64_t)intBitsAt(t, i));
  } else {
    std::snprintf(buf, sizeof buf, "%" PRIu64, intBitsAt(t, i));
  }
  return buf;
}

/// numpy.allclose semantics (|got - want| <= atol + rtol * |want|, NaN equal
/// to NaN, infinities equal only to themselves) for floats; exact equality
/// for integers and bools. Prints one line about the largest difference.
bool compare(const std::string &name, const Tensor &got, const Tensor &want,
             double rtol, double atol) {
  if (got.dtype != want.dtype) {
    std::printf("mismatch in output '%s': dtype %s, expected %s\n",
                name.c_str(), dtypeName(got.dtype), dtypeName(want.dtype));
    return false;
  }
  if (got.shape != want.shape) {
    std::printf("mismatch in output '%s': shape %s, expected %s\n",
                name.c_str(), shapeString(got.shape).c_str(),
                shapeString(want.shape).c_str());
    return false;
  }
  bool exact = !isFloat(got.dtype);
  double maxErr = -1;
  int64_t worst = -1, bad = 0, n = got.numel();
  for (int64_t i = 0; i < n; ++i) {
    bool ok;
    double err;
    if (exact) {
      uint64_t g = intBitsAt(got, i), w = intBitsAt(want, i);
      ok = g == w;
      // |g - w| in 64-bit arithmetic: a double difference would round
      // away small differences of large values.
      bool gLess = isSigned(got.dtype) ? (int64_t)g < (int64_t)w : g < w;
      err = (double)(gLess ? w - g : g - w);
    } else {
      double g = floatAt(got, i), w = floatAt(want, i);
      if (std::isnan(g) || std::isnan(w))
        ok = std::isnan(g) && std::isnan(w);
      else if (std::isinf(g) || std::isinf(w))
        ok = g == w;
      else
        ok = std::fabs(g - w) <= atol + rtol * std::fabs(w);
      err = std::fabs(g - w);
      if (std::isnan(err)) // NaN against a number, or inf - inf
        err = INFINITY;
    }
    if (ok)
      continue;
    ++bad;
    if (err > maxErr)
      maxErr = err, worst = i;
  }
  if (!bad)
    return true;
  // The multi-dimensional index of the worst element.
  int64_t rest = worst;
  std::vector<int64_t> idx(got.shape.size());
  for (size_t d = got.shape.size(); d-- > 0;) {
    idx[d] = rest % got.shape[d];
    rest /= got.shape[d];
  }
  std::printf("mismatch in output '%s': max abs err %g at index %" PRId64
              " (got %s, expected %s); %" PRId64 " of %" PRId64
              " elements differ (index %" PRId64 " is %s in shape %s)\n",
              name.c_str(), maxErr, worst, valueString(got, worst).c_str(),
              valueString(want, worst).c_str(), bad, n, worst,
              shapeString(idx).c_str(), shapeString(got.shape).c_str());
  return false;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

struct Model {
  uint32_t (*abiVersion)(void);
  int64_t (*numInputs)(void);
  int64_t (*numOutputs)(void);
  const qcc_tensor_info *(*inputInfo)(int64_t);
  const qcc_tensor_info *(*outputInfo)(int64_t);
  int32_t (*run)(const qcc_tensor *, int64_t, qcc_tensor *, int64_t, char *,
                 size_t);
  int32_t (*outputShape)(const qcc_tensor *, int64_t, int64_t, int64_t *,
                         char *, size_t);
  int32_t (*checkCpu)(char *, size_t);
  int32_t (*setNumThreads)(int32_t);
  std::vector<const qcc_tensor_info *> inputs, outputs;
};

template <typename T>
void bind(void *lib, const std::string &path, const char *name, T &fn) {
  fn = reinterpret_cast<T>(dlsym(lib, name));
  if (!fn)
    fail("'%s' does not export '%s' (not a model compiled by qcc?)",
         path.c_str(), name);
}

/// Checks one signature entry so that the rest of the tool can trust it.
void checkInfo(const std::string &path, const qcc_tensor_info *info,
               const char *kind, int64_t i) {
  if (!info || !info->name || info->rank < 0 || info->rank > 64 ||
      (info->rank > 0 && !info->shape))
    fail("'%s': malformed signature of %s #%" PRId64, path.c_str(), kind, i);
}

Model loadModel(const std::string &path) {
  // dlopen searches the library path for a bare name; a model is a file.
  std::string resolved =
      path.find('/') == std::string::npos ? "./" + path : path;
  void *lib = dlopen(resolved.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fail("cannot load '%s': %s", path.c_str(), dlerror());
  Model m;
  bind(lib, path, "qcc_abi_version", m.abiVersion);
  bind(lib, path, "qcc_num_inputs", m.numInputs);
  bind(lib, path, "qcc_num_outputs", m.numOutputs);
  bind(lib, path, "qcc_input_info", m.inputInfo);
  bind(lib, path, "qcc_output_info", m.outputInfo);
  bind(lib, path, "qcc_run", m.run);
  bind(lib, path, "qcc_output_shape", m.outputShape);
  uint32_t version = m.abiVersion();
  if (version != QCC_ABI_VERSION)
    fail("'%s' has ABI version %u, qcc-run expects %u", path.c_str(), version,
         (unsigned)QCC_ABI_VERSION);
  bind(lib, path, "qcc_check_cpu", m.checkCpu);
  bind(lib, path, "qcc_set_num_threads", m.setNumThreads);
  // Before anything runs: a model compiled for features this CPU lacks
  // says which, instead of dying of SIGILL.
  char err[512];
  if (m.checkCpu(err, sizeof(err)) != QCC_OK)
    fail("'%s': %s", path.c_str(), err);
  int64_t nin = m.numInputs(), nout = m.numOutputs();
  if (nin < 0 || nin > 1000000 || nout < 0 || nout > 1000000)
    fail("'%s': malformed signature (%" PRId64 " inputs, %" PRId64
         " outputs)",
         path.c_str(), nin, nout);
  for (int64_t i = 0; i < nin; ++i) {
    m.inputs.push_back(m.inputInfo(i));
    checkInfo(path, m.inputs.back(), "input", i);
  }
  for (int64_t i = 0; i < nout; ++i) {
    m.outputs.push_back(m.outputInfo(i));
    checkInfo(path, m.outputs.back(), "output", i);
  }
  return m;
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

void usage(FILE *out) {
  std::fprintf(
      out,
      "usage: qcc-run MODEL.so [--input [NAME=]FILE]... [--output-dir DIR]\n"
      "               [--expect [NAME=]FILE]... [--rtol R] [--atol A]\n"
      "               [--repeat N] [--threads N] [--print] [--help]\n"
      "\n"
      "Runs a model compiled by qcc through its C ABI.\n"
      "\n"
      "  --input [NAME=]FILE   value of an input: a .npy array or an ONNX\n"
      "                        TensorProto .pb; without NAME= the next input\n"
      "                        of the model in order. Every input needs one.\n"
      "  --output-dir DIR      write each output to DIR/<name>.npy\n"
      "  --expect [NAME=]FILE  expected value of an output (positional ones\n"
      "                        in output order); compared like numpy.allclose\n"
      "                        for floats, exactly for integers and bools\n"
      "  --rtol R, --atol A    tolerances of --expect (default 1e-3, 1e-7)\n"
      "  --repeat N            after one warm-up run, time N runs and print\n"
      "                        the median and minimum latency\n"
      "  --threads N           threads the model's kernels use (default:\n"
      "                        $QCC_NUM_THREADS, else the CPUs available)\n"
      "  --print               print each output's dtype, shape and first\n"
      "                        16 values\n"
      "\n"
      "Exit status: 0 ok, 1 error, 2 an output differs from --expect.\n");
}

/// Splits NAME=FILE; a plain FILE gets an empty name. A '=' inside a path
/// ("dir/a=b.npy") is part of the file name when the text before it holds a
/// '/', which no positional use needs.
std::pair<std::string, std::string> splitNamed(const std::string &arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos)
    return {"", arg};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

/// Assigns NAME=FILE and positional files to tensor indices.
std::vector<std::string>
assign(const std::vector<std::string> &args,
       const std::vector<const qcc_tensor_info *> &infos, const char *what) {
  size_t count = infos.size();
  std::vector<std::string> files(count);
  std::vector<bool> named(count, false);
  // Named ones first, so that positional ones fill the remaining slots in
  // order whatever the order on the command line.
  for (const std::string &a : args) {
    auto [name, file] = splitNamed(a);
    if (name.empty())
      continue;
    size_t idx = count;
    for (size_t i = 0; i < count; ++i)
      if (name == infos[i]->name)
        idx = i;
    if (idx == count) {
      // Maybe a path with a '=' in it rather than NAME=FILE.
      if (name.find('/') != std::string::npos)
        continue;
      fail("the model has no %s named '%s'", what, name.c_str());
    }
    if (named[idx])
      fail("%s '%s' is given twice", what, name.c_str());
    if (file.empty())
      fail("no file given for %s '%s'", what, name.c_str());
    files[idx] = file;
    named[idx] = true;
  }
  size_t next = 0;
  for (const std::string &a : args) {
    auto [name, file] = splitNamed(a);
    if (!name.empty() && name.find('/') == std::string::npos)
      continue;
    if (!name.empty())
      file = a;
    while (next < count && named[next])
      ++next;
    if (next >= count)
      fail("more %ss given than the model has (%zu)", what, count);
    files[next] = file;
    named[next++] = true;
  }
  return files;
}

double parseDouble(const char *opt, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || errno || !(v >= 0) || std::isinf(v))
    fail("%s expects a non-negative number, got '%s'", opt, text.c_str());
  return v;
}

long parseCount(const char *opt, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || v <= 0)
    fail("%s expects a positive count, got '%s'", opt, text.c_str());
  return v;
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, outputDir;
  std::vector<std::string> inputArgs, expectArgs;
  double rtol = 1e-3, atol = 1e-7;
  long repeat = 0, threads = 0;
  bool print = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // "--opt VALUE" or "--opt=VALUE".
    auto is = [&](const char *opt) {
      size_t n = std::strlen(opt);
      return a == opt || (a.compare(0, n, opt) == 0 && a.size() > n &&
                          a[n] == '=');
    };
    auto value = [&](const char *opt) -> std::string {
      size_t n = std::strlen(opt);
      if (a.size() > n)
        return a.substr(n + 1);
      if (i + 1 >= argc)
        fail("%s needs a value", opt);
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (is("--input")) {
      inputArgs.push_back(value("--input"));
    } else if (is("--expect")) {
      expectArgs.push_back(value("--expect"));
    } else if (is("--output-dir")) {
      outputDir = value("--output-dir");
      if (outputDir.empty())
        fail("--output-dir needs a directory");
    } else if (is("--rtol")) {
      rtol = parseDouble("--rtol", value("--rtol"));
    } else if (is("--atol")) {
      atol = parseDouble("--atol", value("--atol"));
    } else if (is("--repeat")) {
      repeat = parseCount("--repeat", value("--repeat"));
    } else if (is("--threads")) {
      threads = parseCount("--threads", value("--threads"));
    } else if (a == "--print") {
      print = true;
    } else if (a.size() > 1 && a[0] == '-') {
      fail("unknown option '%s' (see --help)", a.c_str());
    } else if (modelPath.empty()) {
      modelPath = a;
    } else {
      fail("unexpected argument '%s' (inputs go after --input)", a.c_str());
    }
  }
  if (modelPath.empty()) {
    usage(stderr);
    fail("no model given");
  }
  Model m = loadModel(modelPath);
  if (threads > 0 && m.setNumThreads(threads > 256 ? 256 : (int32_t)threads))
    fail("--threads %ld: invalid thread count", threads);
  int64_t nin = (int64_t)m.inputs.size(), nout = (int64_t)m.outputs.size();

  // Inputs: read and check every file before running anything.
  std::vector<std::string> inFiles = assign(inputArgs, m.inputs, "input");
  std::vector<Tensor> inputs(nin);
  std::vector<qcc_tensor> inArgs(nin);
  for (int64_t i = 0; i < nin; ++i) {
    if (inFiles[i].empty())
      fail("no value given for input '%s'", m.inputs[i]->name);
    inputs[i] = readTensor(inFiles[i]);
    adoptBF16(inputs[i], m.inputInfo(i)->dtype);
    // A non-null pointer even for empty tensors.
    inputs[i].data.reserve(1);
    inArgs[i] = {inputs[i].data.data(), inputs[i].dtype,
                 (int32_t)inputs[i].shape.size(), inputs[i].shape.data()};
  }
  // Expected outputs are read before the run too, so that a bad file is
  // reported without waiting for the model.
  std::vector<std::string> expFiles;
  std::vector<Tensor> expected(nout);
  if (!expectArgs.empty()) {
    expFiles = assign(expectArgs, m.outputs, "output");
    for (int64_t i = 0; i < nout; ++i) {
      if (expFiles[i].empty())
        continue;
      expected[i] = readTensor(expFiles[i]);
      adoptBF16(expected[i], m.outputs[i]->dtype);
    }
  }

  // Outputs: caller-allocated with the signature's shapes.
  std::vector<Tensor> outputs(nout);
  std::vector<qcc_tensor> outArgs(nout);
  for (int64_t i = 0; i < nout; ++i) {
    const qcc_tensor_info *info = m.outputs[i];
    Tensor &t = outputs[i];
    t.dtype = info->dtype;
    t.shape.assign(info->shape, info->shape + info->rank);
    const DtypeInfo *d = findDtype(t.dtype);
    if (!d)
      fail("output '%s' has dtype %s (%d), which qcc-run cannot hold",
           info->name, dtypeName(t.dtype), (int)t.dtype);
    // Dynamic output dimensions follow from the inputs' shapes.
    if (std::any_of(t.shape.begin(), t.shape.end(),
                    [](int64_t dim) { return dim < 0; })) {
      char err[1024] = {0};
      if (m.outputShape(inArgs.data(), nin, i, t.shape.data(), err,
                        sizeof err) != 0)
        fail("%s", err[0] ? err : "qcc_output_shape failed");
    }
    size_t bytes;
    if (!byteSize(t.shape, d->size, bytes))
      fail("output '%s': shape %s is too large", info->name,
           shapeString(t.shape).c_str());
    t.data.reserve(bytes + 1);
    t.data.resize(bytes);
    outArgs[i] = {t.data.data(), t.dtype, (int32_t)t.shape.size(),
                  t.shape.data()};
  }

  char err[1024] = {0};
  auto runOnce = [&] {
    int32_t status =
        m.run(inArgs.data(), nin, outArgs.data(), nout, err, sizeof err);
    if (status != QCC_OK)
      fail("%s", err[0] ? err : "qcc_run failed");
  };
  runOnce();
  if (repeat > 0) {
    std::vector<double> ms;
    for (long r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      runOnce();
      std::chrono::duration<double, std::milli> dt =
          std::chrono::steady_clock::now() - start;
      ms.push_back(dt.count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2
                        ? ms[ms.size() / 2]
                        : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("latency: median %.3f ms, min %.3f ms over %ld runs\n", median,
                ms[0], repeat);
  }

  if (!outputDir.empty()) {
    makeDirs(outputDir);
    for (int64_t i = 0; i < nout; ++i) {
      std::string name = m.outputs[i]->name;
      std::replace(name.begin(), name.end(), '/', '_');
      if (name.empty() || name == "." || name == "..")
        name = "output_" + std::to_string(i);
      check(writeNpy(outputDir + "/" + name + ".npy", outputs[i]));
    }
  }
  if (print) {
    for (int64_t i = 0; i < nout; ++i) {
      const Tensor &t = outputs[i];
      std::printf("%s: %s%s = [", m.outputs[i]->name, dtypeName(t.dtype),
                  shapeString(t.shape).c_str());
      int64_t n = std::min<int64_t>(t.numel(), 16);
      for (int64_t k = 0; k < n; ++k)
        std::printf("%s%s", k ? ", " : "", valueString(t, k, 6).c_str());
      std::printf("%s]\n", t.numel() > 16 ? ", ..." : "");
    }
  }
  if (!expectArgs.empty()) {
    int64_t checked = 0;
    bool ok = true;
    for (int64_t i = 0; i < nout; ++i) {
      if (expFiles[i].empty())
        continue;
      ok &= compare(m.outputs[i]->name, outputs[i], expected[i], rtol, atol);
      ++checked;
    }
    if (!ok)
      return 2;
    std::printf("all %" PRId64 " outputs match (rtol %g, atol %g)\n", checked,
                rtol, atol);
  }
  return 0;
}
