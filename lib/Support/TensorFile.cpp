//===- TensorFile.cpp - .npy and .npz files -------------------------------===//
//
// The .npy reader and writer and the .npz member reader of TensorFile.h.
// Standard C++ only: the runner cross-compiled for aarch64 builds this file
// with its own sources (see tools/qcc-run/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "qcc/Support/TensorFile.h"

#include "Format.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace mlir::qcc::tensorfile {

using detail::format;

namespace {

const DtypeInfo kDtypes[] = {
    {QCC_DTYPE_F32, "f4", 4, "float32"},
    {QCC_DTYPE_F64, "f8", 8, "float64"},
    {QCC_DTYPE_F16, "f2", 2, "float16"},
    {QCC_DTYPE_I8, "i1", 1, "int8"},
    {QCC_DTYPE_I16, "i2", 2, "int16"},
    {QCC_DTYPE_I32, "i4", 4, "int32"},
    {QCC_DTYPE_I64, "i8", 8, "int64"},
    {QCC_DTYPE_U8, "u1", 1, "uint8"},
    {QCC_DTYPE_U16, "u2", 2, "uint16"},
    {QCC_DTYPE_U32, "u4", 4, "uint32"},
    {QCC_DTYPE_U64, "u8", 8, "uint64"},
    {QCC_DTYPE_BOOL, "b1", 1, "bool"},
    // numpy has no bfloat16: .npy files carry its bits as uint16, and the
    // first match of "u2" above reads them back as uint16.
    {QCC_DTYPE_BF16, "u2", 2, "bfloat16"},
};

/// Extracts the value text of `key` from a numpy header dict: a quoted
/// string, a parenthesized tuple, or a bare word.
bool headerField(const std::string &header, const std::string &key,
                 std::string &value) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    k = header.find("\"" + key + "\"");
  if (k == std::string::npos)
    return false;
  size_t colon = header.find_first_not_of(' ', k + key.size() + 2);
  if (colon == std::string::npos || header[colon] != ':')
    return false;
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end;
  char c = header[start];
  if (c == '(') {
    end = header.find(')', start);
  } else if (c == '\'' || c == '"') {
    end = header.find(c, start + 1);
  } else {
    end = header.find_first_of(",}", start);
    if (end != std::string::npos)
      --end;
  }
  if (end == std::string::npos || end < start)
    return false;
  value = header.substr(start, end - start + 1);
  while (!value.empty() && value.back() == ' ')
    value.pop_back();
  return true;
}

/// Parses "(2, 3)", "(4,)" or "()".
bool parseNpyShape(const std::string &text, std::vector<int64_t> &shape) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    return false;
  const char *p = text.c_str() + 1, *end = text.c_str() + text.size() - 1;
  while (p < end) {
    while (p < end && *p == ' ')
      ++p;
    if (p == end)
      break;
    if (*p < '0' || *p > '9')
      return false;
    errno = 0;
    char *next = nullptr;
    long long v = std::strtoll(p, &next, 10);
    if (errno != 0 || next == p || next > end || v < 0)
      return false;
    shape.push_back(v);
    p = next;
    while (p < end && *p == ' ')
      ++p;
    if (p < end && *p != ',')
      return false;
    if (p < end)
      ++p;
  }
  return shape.size() <= 64;
}

uint32_t le16(std::string_view b, size_t at) {
  return (uint32_t)(unsigned char)b[at] |
         ((uint32_t)(unsigned char)b[at + 1] << 8);
}
uint32_t le32(std::string_view b, size_t at) {
  return le16(b, at) | (le16(b, at + 2) << 16);
}

} // namespace

const DtypeInfo *findDtype(int32_t dtype) {
  for (const DtypeInfo &d : kDtypes)
    if (d.dtype == dtype)
      return &d;
  return nullptr;
}

const char *dtypeName(int32_t dtype) {
  if (const DtypeInfo *d = findDtype(dtype))
    return d->name;
  return "unknown";
}

std::string shapeString(const int64_t *shape, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ",";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

std::string shapeString(const std::vector<int64_t> &shape) {
  return shapeString(shape.data(), shape.size());
}

bool byteSize(const std::vector<int64_t> &shape, size_t elemSize,
              size_t &bytes) {
  uint64_t n = elemSize;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d == 0)
      zero = true;
    else if (n > (uint64_t)INT64_MAX / (uint64_t)d)
      return false;
    else
      n *= (uint64_t)d;
  }
  bytes = zero ? 0 : (size_t)n;
  return true;
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string readFile(const std::string &path, std::string &bytes) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return format("cannot read '%s': %s", path.c_str(), std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return format("cannot read '%s': not a regular file", path.c_str());
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return format("cannot read '%s': %s", path.c_str(), std::strerror(errno));
  bytes.clear();
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    bytes.append(buf, n);
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad)
    return format("cannot read '%s'", path.c_str());
  return "";
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

std::string parseNpy(std::string_view bytes, const std::string &what,
                     NpyView &out) {
  const char *file = what.c_str();
  if (bytes.substr(0, 6) != "\x93NUMPY")
    return format("'%s' is not a .npy file", file);
  if (bytes.size() < 10)
    return format("'%s': truncated .npy header", file);
  unsigned major = (unsigned char)bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = le16(bytes, 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return format("'%s': truncated .npy header", file);
    headerLen = le32(bytes, 8);
    offset = 12;
  } else {
    return format("'%s': unsupported .npy version %u", file, major);
  }
  if (headerLen > bytes.size() - offset)
    return format("'%s': truncated .npy header", file);
  std::string header(bytes.substr(offset, headerLen));
  std::string descr, order, shapeText;
  if (header.empty() || header[0] != '{' ||
      !headerField(header, "descr", descr) ||
      !headerField(header, "fortran_order", order) ||
      !headerField(header, "shape", shapeText))
    return format("'%s': malformed .npy header", file);
  if (order == "True")
    return format("'%s': Fortran-ordered arrays are not supported", file);
  if (order != "False")
    return format("'%s': malformed .npy header (fortran_order %s)", file,
                  order.c_str());
  if (descr.size() < 2 || (descr[0] != '\'' && descr[0] != '"'))
    return format("'%s': unsupported numpy dtype (structured arrays are not "
                  "supported)",
                  file);
  descr = descr.substr(1, descr.size() - 2); // strip the quotes
  std::string code = descr;
  if (!code.empty() &&
      (code[0] == '<' || code[0] == '|' || code[0] == '=' || code[0] == '>')) {
    char byteOrder = code[0];
    code = code.substr(1);
    if (byteOrder == '>' && code.size() == 2 && code[1] != '1')
      return format("'%s': big-endian arrays are not supported", file);
  }
  out.dtype = QCC_DTYPE_UNDEFINED;
  // The first match: "u2" is uint16, not bfloat16.
  for (const DtypeInfo &d : kDtypes)
    if (code == d.npy) {
      out.dtype = d.dtype;
      break;
    }
  if (!out.dtype)
    return format("'%s': unsupported numpy dtype '%s'", file, descr.c_str());
  out.shape.clear();
  if (!parseNpyShape(shapeText, out.shape))
    return format("'%s': invalid shape %s", file, shapeText.c_str());
  size_t need;
  if (!byteSize(out.shape, findDtype(out.dtype)->size, need))
    return format("'%s': shape %s is too large", file,
                  shapeString(out.shape).c_str());
  size_t dataStart = offset + headerLen;
  if (bytes.size() - dataStart < need)
    return format("'%s': holds %zu data bytes, %s%s needs %zu", file,
                  bytes.size() - dataStart, dtypeName(out.dtype),
                  shapeString(out.shape).c_str(), need);
  out.data = bytes.substr(dataStart, need);
  return "";
}

std::string readNpy(const std::string &path, Tensor &out) {
  std::string bytes;
  if (std::string err = readFile(path, bytes); !err.empty())
    return err;
  NpyView view;
  if (std::string err = parseNpy(bytes, path, view); !err.empty())
    return err;
  out.dtype = view.dtype;
  out.shape = std::move(view.shape);
  out.data.assign(view.data.begin(), view.data.end());
  return "";
}

std::string writeNpy(const std::string &path, const Tensor &t) {
  const DtypeInfo *d = findDtype(t.dtype);
  if (!d)
    return format("cannot write '%s': dtype %d has no .npy type", path.c_str(),
                  (int)t.dtype);
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string descr = std::string(d->size == 1 ? "|" : "<") + d->npy;
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Version 1.0: magic(6) version(2) length(2), header padded with spaces
  // and ended by '\n' so that the data starts at a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff)
    return format("cannot write '%s': rank %zu is too large for a .npy "
                  "header",
                  path.c_str(), t.shape.size());
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
  std::string prefix("\x93NUMPY\x01\x00", 8);
  prefix += (char)(header.size() & 0xff);
  prefix += (char)(header.size() >> 8);
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size() &&
            std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            std::fwrite(t.data.data(), 1, t.data.size(), f) == t.data.size();
  ok &= std::fclose(f) == 0;
  if (!ok)
    return format("cannot write '%s'", path.c_str());
  return "";
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

std::string parseNpz(std::string_view bytes, const std::string &what,
                     std::vector<NpzMember> &members) {
  const char *file = what.c_str();
  members.clear();
  size_t pos = 0;
  // Local file headers, one per member, up to the central directory.
  while (pos + 30 <= bytes.size() && le32(bytes, pos) == 0x04034b50) {
    uint32_t flags = le16(bytes, pos + 6), method = le16(bytes, pos + 8);
    uint64_t size = le32(bytes, pos + 18);
    size_t nameLen = le16(bytes, pos + 26), extraLen = le16(bytes, pos + 28);
    if (pos + 30 + nameLen + extraLen > bytes.size())
      break;
    std::string_view name = bytes.substr(pos + 30, nameLen);
    std::string_view extra = bytes.substr(pos + 30 + nameLen, extraLen);
    if (size == 0xFFFFFFFFu) { // zip64: sizes in the extended information
      for (size_t e = 0; e + 4 <= extra.size();) {
        uint32_t id = le16(extra, e), len = le16(extra, e + 2);
        if (id == 1 && len >= 16 && e + 4 + 16 <= extra.size())
          size = le32(extra, e + 4 + 8) |
                 ((uint64_t)le32(extra, e + 4 + 12) << 32);
        e += 4 + len;
      }
    }
    if (method != 0)
      return format("'%s': member '%s' is compressed; write the samples with "
                    "numpy.savez, not savez_compressed",
                    file, std::string(name).c_str());
    if (flags & 8)
      return format("'%s': streamed zip members are not supported", file);
    size_t start = pos + 30 + nameLen + extraLen;
    if (size > bytes.size() - start)
      return format("'%s' is truncated", file);
    members.push_back({std::string(name), bytes.substr(start, size)});
    pos = start + size;
  }
  if (members.empty())
    return format("'%s' is not a .npz archive", file);
  return "";
}

} // namespace mlir::qcc::tensorfile
