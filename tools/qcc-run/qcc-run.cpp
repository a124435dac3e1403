//===- qcc-run.cpp - run a compiled qcc model on .npy / .pb inputs --------===//
//
//   qcc-run MODEL.so [--input [NAME=]FILE]... [--output-dir DIR]
//           [--expect [NAME=]FILE]... [--rtol R] [--atol A] [--repeat N]
//           [--print]
//
// FILE is a numpy .npy array or an ONNX TensorProto .pb. Only the public C
// ABI (include/qcc/Runtime/qcc_runtime.h) is used, through dlopen, so this
// is also the reference client of that ABI. Exit status: 0 success, 1
// error, 2 outputs differ from --expect.
//
//===----------------------------------------------------------------------===//

#include "qcc/Runtime/qcc_runtime.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

[[noreturn]] void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "qcc-run: error: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  std::exit(1);
}

/// A dense host tensor in C order.
struct Tensor {
  int32_t dtype = QCC_DTYPE_UNDEFINED;
  std::vector<int64_t> shape;
  std::vector<unsigned char> data;
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

struct DtypeInfo {
  int32_t dtype;
  const char *npy; // numpy descr without the byte-order char
  size_t size;
  const char *name;
};
const DtypeInfo kDtypes[] = {
    {QCC_DTYPE_F32, "f4", 4, "float32"}, {QCC_DTYPE_F64, "f8", 8, "float64"},
    {QCC_DTYPE_F16, "f2", 2, "float16"}, {QCC_DTYPE_I8, "i1", 1, "int8"},
    {QCC_DTYPE_I16, "i2", 2, "int16"},   {QCC_DTYPE_I32, "i4", 4, "int32"},
    {QCC_DTYPE_I64, "i8", 8, "int64"},   {QCC_DTYPE_U8, "u1", 1, "uint8"},
    {QCC_DTYPE_U16, "u2", 2, "uint16"},  {QCC_DTYPE_U32, "u4", 4, "uint32"},
    {QCC_DTYPE_U64, "u8", 8, "uint64"},  {QCC_DTYPE_BOOL, "b1", 1, "bool"},
};

const DtypeInfo *findDtype(int32_t dtype) {
  for (const DtypeInfo &d : kDtypes)
    if (d.dtype == dtype)
      return &d;
  return nullptr;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// Extracts the value text of `key` from a numpy header dict.
bool headerField(const std::string &header, const std::string &key,
                 std::string &value) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end;
  if (header[start] == '(')
    end = header.find(')', start) + 1;
  else if (header[start] == '\'')
    end = header.find('\'', start + 1) + 1;
  else
    end = header.find_first_of(",}", start);
  if (end == std::string::npos || end <= start)
    return false;
  value = header.substr(start, end - start);
  return true;
}

Tensor readNpy(const std::string &path) {
  std::string bytes;
  if (!readFile(path, bytes))
    fail("cannot read '%s'", path.c_str());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail("'%s' is not a .npy file", path.c_str());
  unsigned major = (unsigned char)bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      fail("'%s': truncated .npy header", path.c_str());
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  } else {
    fail("'%s': unsupported .npy version %u", path.c_str(), major);
  }
  if (offset + headerLen > bytes.size())
    fail("'%s': truncated .npy header", path.c_str());
  std::string header = bytes.substr(offset, headerLen);
  std::string descr, order, shapeText;
  if (!headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", order) ||
      !headerField(header, "shape", shapeText))
    fail("'%s': malformed .npy header", path.c_str());
  if (order.find("True") != std::string::npos)
    fail("'%s': Fortran-ordered arrays are not supported", path.c_str());
  descr = descr.substr(1, descr.size() - 2); // strip quotes
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|' ||
                            descr[0] == '='))
    descr = descr.substr(1);
  else if (descr.size() == 3 && descr[0] == '>' && descr[2] != '1')
    fail("'%s': big-endian arrays are not supported", path.c_str());
  else if (descr.size() == 3)
    descr = descr.substr(1);
  Tensor t;
  for (const DtypeInfo &d : kDtypes)
    if (descr == d.npy)
      t.dtype = d.dtype;
  if (!t.dtype)
    fail("'%s': unsupported numpy dtype '%s'", path.c_str(), descr.c_str());
  // Shape: "(2, 3)" / "(4,)" / "()".
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(' ');
    if (b == std::string::npos)
      continue;
    char *end = nullptr;
    long long v = std::strtoll(item.c_str() + b, &end, 10);
    if (v < 0)
      fail("'%s': invalid shape %s", path.c_str(), shapeText.c_str());
    t.shape.push_back(v);
  }
  size_t need = (size_t)t.numel() * findDtype(t.dtype)->size;
  size_t dataStart = offset + headerLen;
  if (bytes.size() - dataStart < need)
    fail("'%s': holds %zu data bytes, shape %s needs %zu", path.c_str(),
         bytes.size() - dataStart, shapeString(t.shape).c_str(), need);
  t.data.assign(bytes.begin() + dataStart, bytes.begin() + dataStart + need);
  return t;
}

void writeNpy(const std::string &path, const Tensor &t) {
  const DtypeInfo *d = findDtype(t.dtype);
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string descr = std::string(d->size == 1 ? "|" : "<") + d->npy;
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    fail("cannot write '%s'", path.c_str());
  out.write("\x93NUMPY\x01\x00", 8);
  unsigned char len[2] = {(unsigned char)(header.size() & 0xff),
                          (unsigned char)(header.size() >> 8)};
  out.write((const char *)len, 2);
  out << header;
  out.write((const char *)t.data.data(), (std::streamsize)t.data.size());
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto .pb
//===----------------------------------------------------------------------===//

Tensor readPb(const std::string &path) {
  std::string bytes;
  if (!readFile(path, bytes))
    fail("cannot read '%s'", path.c_str());
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    fail("'%s' is not an ONNX TensorProto", path.c_str());
  Tensor t;
  t.dtype = proto.data_type();
  const DtypeInfo *d = findDtype(t.dtype);
  if (!d)
    fail("'%s': unsupported TensorProto data type %d", path.c_str(), t.dtype);
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      fail("'%s': negative dimension", path.c_str());
    t.shape.push_back(dim);
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    fail("'%s': external data is not supported for inputs", path.c_str());
  size_t n = (size_t)t.numel(), bytesNeeded = n * d->size;
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytesNeeded)
      fail("'%s': raw_data has %zu bytes, shape %s needs %zu", path.c_str(),
           proto.raw_data().size(), shapeString(t.shape).c_str(), bytesNeeded);
    t.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    return t;
  }
  t.data.resize(bytesNeeded);
  auto fill = [&](const auto &field, auto convert) {
    if ((size_t)field.size() != n)
      fail("'%s': data field has %d values, shape %s needs %zu", path.c_str(),
           field.size(), shapeString(t.shape).c_str(), n);
    for (size_t i = 0; i < n; ++i) {
      auto v = convert(field.Get((int)i));
      std::memcpy(t.data.data() + i * d->size, &v, d->size);
    }
  };
  switch (t.dtype) {
  case QCC_DTYPE_F32:
    fill(proto.float_data(), [](float v) { return v; });
    break;
  case QCC_DTYPE_F64:
    fill(proto.double_data(), [](double v) { return v; });
    break;
  case QCC_DTYPE_I64:
    fill(proto.int64_data(), [](int64_t v) { return v; });
    break;
  case QCC_DTYPE_U32:
  case QCC_DTYPE_U64:
    fill(proto.uint64_data(), [](uint64_t v) { return v; });
    break;
  case QCC_DTYPE_I32:
    fill(proto.int32_data(), [](int32_t v) { return v; });
    break;
  case QCC_DTYPE_I16:
  case QCC_DTYPE_U16:
  case QCC_DTYPE_F16:
    fill(proto.int32_data(), [](int32_t v) { return (uint16_t)v; });
    break;
  default:
    fill(proto.int32_data(), [](int32_t v) { return (uint8_t)v; });
    break;
  }
  return t;
}

Tensor readTensor(const std::string &path) {
  if (endsWith(path, ".npy"))
    return readNpy(path);
  if (endsWith(path, ".pb"))
    return readPb(path);
  fail("'%s': expected a .npy or .pb file", path.c_str());
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

double valueAt(const Tensor &t, int64_t i) {
  const unsigned char *p = t.data.data() + i * findDtype(t.dtype)->size;
  switch (t.dtype) {
  case QCC_DTYPE_F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case QCC_DTYPE_F64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case QCC_DTYPE_F16: {
    uint16_t h;
    std::memcpy(&h, p, 2);
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double v = exp == 0    ? std::ldexp(mant, -24)
               : exp == 31 ? (mant ? NAN : INFINITY)
                           : std::ldexp(mant + 1024, exp - 25);
    return (h & 0x8000) ? -v : v;
  }
  case QCC_DTYPE_I8:
    return (int8_t)*p;
  case QCC_DTYPE_U8:
  case QCC_DTYPE_BOOL:
    return *p;
  case QCC_DTYPE_I16: {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  case QCC_DTYPE_U16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  case QCC_DTYPE_I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case QCC_DTYPE_U32: {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case QCC_DTYPE_I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return (double)v;
  }
  case QCC_DTYPE_U64: {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return (double)v;
  }
  default:
    return 0;
  }
}

bool isFloat(int32_t dtype) {
  return dtype == QCC_DTYPE_F32 || dtype == QCC_DTYPE_F64 ||
         dtype == QCC_DTYPE_F16;
}

/// numpy.allclose-style comparison; prints the first mismatch.
bool compare(const std::string &name, const Tensor &got, const Tensor &want,
             double rtol, double atol) {
  if (got.dtype != want.dtype) {
    std::printf("mismatch in output '%s': dtype %s, expected %s\n",
                name.c_str(), findDtype(got.dtype)->name,
                findDtype(want.dtype)->name);
    return false;
  }
  if (got.shape != want.shape) {
    std::printf("mismatch in output '%s': shape %s, expected %s\n",
                name.c_str(), shapeString(got.shape).c_str(),
                shapeString(want.shape).c_str());
    return false;
  }
  double maxErr = 0;
  int64_t worst = -1, bad = 0;
  bool exact = !isFloat(got.dtype);
  for (int64_t i = 0; i < got.numel(); ++i) {
    double g = valueAt(got, i), w = valueAt(want, i);
    if (exact && got.dtype == QCC_DTYPE_I64) {
      int64_t gi, wi;
      std::memcpy(&gi, got.data.data() + i * 8, 8);
      std::memcpy(&wi, want.data.data() + i * 8, 8);
      if (gi != wi && (++bad, worst < 0))
        worst = i, maxErr = std::fabs(g - w);
      continue;
    }
    bool ok;
    if (std::isnan(g) || std::isnan(w))
      ok = std::isnan(g) && std::isnan(w);
    else if (std::isinf(g) || std::isinf(w))
      ok = g == w;
    else if (exact)
      ok = g == w;
    else
      ok = std::fabs(g - w) <= atol + rtol * std::fabs(w);
    if (!ok) {
      ++bad;
      double err = std::isnan(g - w) ? INFINITY : std::fabs(g - w);
      if (worst < 0 || err > maxErr)
        maxErr = err, worst = i;
    }
  }
  if (bad) {
    std::printf("mismatch in output '%s': %lld of %lld elements differ, max "
                "abs err %g at index %lld (got %.9g, expected %.9g)\n",
                name.c_str(), (long long)bad, (long long)got.numel(), maxErr,
                (long long)worst, valueAt(got, worst), valueAt(want, worst));
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

struct Model {
  int32_t (*abiVersion)(void);
  int64_t (*numInputs)(void);
  int64_t (*numOutputs)(void);
  const qcc_tensor_info *(*inputInfo)(int64_t);
  const qcc_tensor_info *(*outputInfo)(int64_t);
  int32_t (*run)(const qcc_tensor *, int64_t, qcc_tensor *, int64_t, char *,
                 size_t);
};

template <typename T> void bind(void *lib, const char *name, T &fn) {
  fn = reinterpret_cast<T>(dlsym(lib, name));
  if (!fn)
    fail("the library does not export '%s' (not a qcc model?)", name);
}

Model loadModel(const std::string &path) {
  std::string resolved = path.find('/') == std::string::npos ? "./" + path
                                                             : path;
  void *lib = dlopen(resolved.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    fail("cannot load '%s': %s", path.c_str(), dlerror());
  Model m;
  bind(lib, "qcc_abi_version", m.abiVersion);
  bind(lib, "qcc_num_inputs", m.numInputs);
  bind(lib, "qcc_num_outputs", m.numOutputs);
  bind(lib, "qcc_input_info", m.inputInfo);
  bind(lib, "qcc_output_info", m.outputInfo);
  bind(lib, "qcc_run", m.run);
  if (m.abiVersion() != (int32_t)QCC_ABI_VERSION)
    fail("'%s' has ABI version %d, qcc-run expects %u", path.c_str(),
         m.abiVersion(), QCC_ABI_VERSION);
  return m;
}

void usage() {
  std::printf(
      "usage: qcc-run MODEL.so [--input [NAME=]FILE]... [--output-dir DIR]\n"
      "               [--expect [NAME=]FILE]... [--rtol R] [--atol A]\n"
      "               [--repeat N] [--print]\n\n"
      "Runs a model compiled by qcc. FILE is a .npy array or an ONNX\n"
      "TensorProto .pb; inputs and expectations without NAME= are taken in\n"
      "the model's order. Exit status: 0 ok, 1 error, 2 output mismatch.\n");
}

/// Splits NAME=FILE; a plain FILE gets an empty name.
std::pair<std::string, std::string> splitNamed(const std::string &arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos)
    return {"", arg};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

/// Assigns NAME=FILE / positional files to tensor indices.
std::vector<std::string>
assign(const std::vector<std::string> &args, int64_t count,
       const qcc_tensor_info *(*info)(int64_t), const char *what) {
  std::vector<std::string> files(count);
  int64_t next = 0;
  for (const std::string &a : args) {
    auto [name, file] = splitNamed(a);
    int64_t idx = -1;
    if (name.empty()) {
      while (next < count && !files[next].empty())
        ++next;
      idx = next++;
      if (idx >= count)
        fail("more %ss given than the model has (%lld)", what,
             (long long)count);
    } else {
      for (int64_t i = 0; i < count; ++i)
        if (name == info(i)->name)
          idx = i;
      if (idx < 0)
        fail("the model has no %s named '%s'", what, name.c_str());
    }
    files[idx] = file;
  }
  return files;
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, outputDir;
  std::vector<std::string> inputArgs, expectArgs;
  double rtol = 1e-3, atol = 1e-7;
  long repeat = 0;
  bool print = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *opt) -> std::string {
      std::string prefix = std::string(opt) + "=";
      if (a.compare(0, prefix.size(), prefix) == 0)
        return a.substr(prefix.size());
      if (i + 1 >= argc)
        fail("%s needs a value", opt);
      return argv[++i];
    };
    auto is = [&](const char *opt) {
      return a == opt || a.compare(0, std::strlen(opt) + 1,
                                   std::string(opt) + "=") == 0;
    };
    if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (is("--input")) {
      inputArgs.push_back(value("--input"));
    } else if (is("--expect")) {
      expectArgs.push_back(value("--expect"));
    } else if (is("--output-dir")) {
      outputDir = value("--output-dir");
    } else if (is("--rtol")) {
      rtol = std::atof(value("--rtol").c_str());
    } else if (is("--atol")) {
      atol = std::atof(value("--atol").c_str());
    } else if (is("--repeat")) {
      repeat = std::atol(value("--repeat").c_str());
      if (repeat <= 0)
        fail("--repeat needs a positive count");
    } else if (a == "--print") {
      print = true;
    } else if (!a.empty() && a[0] == '-') {
      fail("unknown option '%s' (see --help)", a.c_str());
    } else if (modelPath.empty()) {
      modelPath = a;
    } else {
      fail("unexpected argument '%s'", a.c_str());
    }
  }
  if (modelPath.empty()) {
    usage();
    return 1;
  }
  Model m = loadModel(modelPath);
  int64_t nin = m.numInputs(), nout = m.numOutputs();

  std::vector<std::string> inFiles =
      assign(inputArgs, nin, m.inputInfo, "input");
  std::vector<Tensor> inputs(nin);
  std::vector<qcc_tensor> inArgs(nin);
  for (int64_t i = 0; i < nin; ++i) {
    if (inFiles[i].empty())
      fail("no value given for input '%s'", m.inputInfo(i)->name);
    inputs[i] = readTensor(inFiles[i]);
    inArgs[i] = {inputs[i].data.data(), inputs[i].dtype,
                 (int32_t)inputs[i].shape.size(), inputs[i].shape.data()};
  }
  std::vector<Tensor> outputs(nout);
  std::vector<qcc_tensor> outArgs(nout);
  for (int64_t i = 0; i < nout; ++i) {
    const qcc_tensor_info *info = m.outputInfo(i);
    Tensor &t = outputs[i];
    t.dtype = info->dtype;
    t.shape.assign(info->shape, info->shape + info->rank);
    const DtypeInfo *d = findDtype(t.dtype);
    if (!d)
      fail("output '%s' has unsupported dtype %d", info->name, t.dtype);
    t.data.resize((size_t)t.numel() * d->size + 1);
    outArgs[i] = {t.data.data(), t.dtype, (int32_t)t.shape.size(),
                  t.shape.data()};
  }
  char err[1024] = {0};
  auto runOnce = [&] {
    if (m.run(inArgs.data(), nin, outArgs.data(), nout, err, sizeof err) != 0)
      fail("%s", err);
  };
  runOnce();
  for (Tensor &t : outputs)
    t.data.resize(t.data.size() - 1);
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
    std::printf("latency: median %.3f ms, min %.3f ms over %ld runs\n",
                ms[ms.size() / 2], ms[0], repeat);
  }

  if (!outputDir.empty()) {
    mkdir(outputDir.c_str(), 0755);
    for (int64_t i = 0; i < nout; ++i) {
      std::string name = m.outputInfo(i)->name;
      std::replace(name.begin(), name.end(), '/', '_');
      writeNpy(outputDir + "/" + name + ".npy", outputs[i]);
    }
  }
  if (print) {
    for (int64_t i = 0; i < nout; ++i) {
      const Tensor &t = outputs[i];
      std::printf("%s: %s%s = [", m.outputInfo(i)->name,
                  findDtype(t.dtype)->name, shapeString(t.shape).c_str());
      for (int64_t k = 0; k < std::min<int64_t>(t.numel(), 16); ++k)
        std::printf("%s%.6g", k ? ", " : "", valueAt(t, k));
      std::printf("%s]\n", t.numel() > 16 ? ", ..." : "");
    }
  }
  if (!expectArgs.empty()) {
    std::vector<std::string> expFiles =
        assign(expectArgs, nout, m.outputInfo, "output");
    int64_t checked = 0;
    bool ok = true;
    for (int64_t i = 0; i < nout; ++i) {
      if (expFiles[i].empty())
        continue;
      Tensor want = readTensor(expFiles[i]);
      ok &= compare(m.outputInfo(i)->name, outputs[i], want, rtol, atol);
      ++checked;
    }
    if (!ok)
      return 2;
    std::printf("all %lld outputs match (rtol %g, atol %g)\n",
                (long long)checked, rtol, atol);
  }
  return 0;
}
