//===- Format.h - printf-style messages of lib/Support ----------*- C++ -*-===//
#ifndef QCC_LIB_SUPPORT_FORMAT_H
#define QCC_LIB_SUPPORT_FORMAT_H

#include <cstdarg>
#include <cstdio>
#include <string>

namespace mlir::qcc::tensorfile::detail {

/// The text that printf(fmt, ...) would print.
__attribute__((format(printf, 1, 2))) inline std::string format(const char *fmt,
                                                                ...) {
  va_list ap, copy;
  va_start(ap, fmt);
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string s(n > 0 ? n : 0, '\0');
  if (n > 0)
    std::vsnprintf(&s[0], n + 1, fmt, ap);
  va_end(ap);
  return s;
}

} // namespace mlir::qcc::tensorfile::detail

#endif // QCC_LIB_SUPPORT_FORMAT_H
