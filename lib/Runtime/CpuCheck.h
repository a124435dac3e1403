/*===- CpuCheck.h - CPU feature check of the model runtime ------*- C -*-===*\
 * Internal to the runtime shim (lib/Runtime).
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_CPUCHECK_H
#define QCC_RUNTIME_CPUCHECK_H

#include <stddef.h>

/* Counts the features of the comma-separated LLVM feature list `required`
 * that this CPU lacks (or that QCC_CPU_DISABLE names), and writes them,
 * ", "-separated and NUL-terminated, into `missing` (truncated to
 * missingLen). */
__attribute__((visibility("hidden"))) size_t
qccMissingCpuFeatures(const char *required, char *missing, size_t missingLen);

#endif /* QCC_RUNTIME_CPUCHECK_H */
