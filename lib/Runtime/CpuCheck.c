/*===- CpuCheck.c - does this CPU have what the model was compiled for? ---===*\
 *
 * A model .so records the instruction-set features of its target (see
 * include/qcc/Runtime/CpuFeatures.def); before the generated code runs, the
 * shim checks them here with CPUID/XGETBV (x86-64) or getauxval (AArch64
 * Linux), so a model built for a newer CPU fails with a message naming the
 * missing features instead of dying of SIGILL.
 *
 * This file is compiled for the baseline of its architecture (no -march),
 * so the check itself runs on any CPU of it.
 *
 * QCC_CPU_DISABLE=feat,feat (environment) makes the check treat those
 * features as absent: a diagnostic aid and what the tests use to exercise
 * the failure path on any machine.
 *
\*===----------------------------------------------------------------------===*/

#include "CpuCheck.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static int x86CpuId(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
  unsigned maxLeaf = __get_cpuid_max(leaf & 0x80000000u, NULL);
  if (maxLeaf < leaf)
    return 0;
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
  return 1;
}

/* The XSAVE state components the OS enabled (XCR0), 0 without OSXSAVE. */
static unsigned long long x86Xcr0(void) {
  unsigned regs[4];
  if (!x86CpuId(1, 0, regs) || !(regs[2] & (1u << 27)))
    return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}

/* 1: present, 0: absent, -1: not a feature this runtime knows. */
static int hostHasFeature(const char *name, size_t len) {
#define QCC_X86_FEATURE(fname, leaf, subleaf, reg, bit, xcr0)                 \
  if (len == sizeof(fname) - 1 && memcmp(name, fname, len) == 0) {            \
    unsigned regs[4];                                                          \
    if (!x86CpuId(leaf, subleaf, regs) || !(regs[reg] & (1u << (bit))))      \
      return 0;                                                                \
    return (x86Xcr0() & (xcr0)) == (xcr0);                                    \
  }
#include "qcc/Runtime/CpuFeatures.def"
  return -1;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

static int hostHasFeature(const char *name, size_t len) {
#define QCC_AARCH64_FEATURE(fname, hwcap, bit)                                 \
  if (len == sizeof(fname) - 1 && memcmp(name, fname, len) == 0)              \
    return (getauxval((hwcap) == 1 ? AT_HWCAP : AT_HWCAP2) >> (bit)) & 1;
#include "qcc/Runtime/CpuFeatures.def"
  return -1;
}

#else
static int hostHasFeature(const char *name, size_t len) {
  (void)name;
  (void)len;
  return -1;
}
#endif

/* Whether the comma-separated `list` contains name[0..len). */
static int listContains(const char *list, const char *name, size_t len) {
  while (list && *list) {
    const char *end = strchr(list, ',');
    size_t n = end ? (size_t)(end - list) : strlen(list);
    if (n == len && memcmp(list, name, len) == 0)
      return 1;
    list = end ? end + 1 : NULL;
  }
  return 0;
}

size_t qccMissingCpuFeatures(const char *required, char *missing,
                             size_t missingLen) {
  const char *disabled = getenv("QCC_CPU_DISABLE");
  size_t count = 0, used = 0;
  if (missingLen)
    missing[0] = '\0';
  const char *p = required;
  while (p && *p) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    /* Unknown names were not recorded by a matching compiler; only a
     * feature known to be absent fails the check. */
    int has = hostHasFeature(p, n);
    if (n && (has == 0 || (has == 1 && listContains(disabled, p, n)))) {
      ++count;
      size_t sep = used ? 2 : 0;
      if (missingLen && used + sep + n + 1 <= missingLen) {
        if (sep)
          memcpy(missing + used, ", ", 2);
        memcpy(missing + used + sep, p, n);
        used += sep + n;
        missing[used] = '\0';
      }
    }
    p = end ? end + 1 : NULL;
  }
  return count;
}
