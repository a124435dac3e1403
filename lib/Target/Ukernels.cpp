//===- Ukernels.cpp - the microkernels a target's runtime has -------------===//

#include "qcc/Target/Ukernels.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::qcc;

namespace {
struct Entry {
  const char *symbol, *lhs, *rhs, *out;
  int64_t m0, n0, k0;
  const char *arch, *features;
};

const Entry kEntries[] = {
#define QCC_MMT4D_UKERNEL(SYMBOL, LHS, RHS, OUT, M0, N0, K0, ARCH, FEATURES)   \
  {SYMBOL, LHS, RHS, OUT, M0, N0, K0, ARCH, FEATURES},
#include "qcc/Target/Ukernels.def"
};

std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

bool runsOn(const Entry &e, const CpuTarget &target) {
  llvm::StringRef arch(e.arch);
  if (!arch.empty() && llvm::Triple(target.triple).getArchName() != arch)
    return false;
  SmallVector<llvm::StringRef> features;
  llvm::StringRef(e.features).split(features, ',', -1, false);
  return llvm::all_of(features,
                      [&](llvm::StringRef f) { return target.hasFeature(f); });
}

bool matches(const Entry &e, Type lhs, Type rhs, Type out) {
  return typeName(lhs) == e.lhs && typeName(rhs) == e.rhs &&
         typeName(out) == e.out;
}
} // namespace

SmallVector<Mmt4dUkernel> qcc::mmt4dUkernelsFor(const CpuTarget &target,
                                                Type lhs, Type rhs, Type out) {
  SmallVector<Mmt4dUkernel> result;
  for (const Entry &e : kEntries)
    if (matches(e, lhs, rhs, out) && runsOn(e, target))
      result.push_back(Mmt4dUkernel{e.symbol, e.m0, e.n0, e.k0});
  return result;
}

std::optional<Mmt4dUkernel> qcc::findMmt4dUkernel(const CpuTarget &target,
                                                  Type lhs, Type rhs, Type out,
                                                  int64_t m0, int64_t n0,
                                                  int64_t k0) {
  for (const Entry &e : kEntries)
    if (matches(e, lhs, rhs, out) && e.m0 == m0 && e.n0 == n0 && e.k0 == k0 &&
        runsOn(e, target))
      return Mmt4dUkernel{e.symbol, e.m0, e.n0, e.k0};
  return std::nullopt;
}
