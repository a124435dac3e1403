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

struct W4Entry {
  const char *symbol, *act;
  int64_t n0;
  const char *arch, *features;
};

const W4Entry kW4Entries[] = {
#define QCC_W4_UKERNEL(SYMBOL, ACT, N0, ARCH, FEATURES)                        \
  {SYMBOL, ACT, N0, ARCH, FEATURES},
#include "qcc/Target/Ukernels.def"
};

std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

bool runsOn(llvm::StringRef arch, llvm::StringRef featureList,
            const CpuTarget &target) {
  if (!arch.empty() && llvm::Triple(target.triple).getArchName() != arch)
    return false;
  SmallVector<llvm::StringRef> features;
  featureList.split(features, ',', -1, false);
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
    if (matches(e, lhs, rhs, out) && runsOn(e.arch, e.features, target))
      result.push_back(Mmt4dUkernel{e.symbol, e.m0, e.n0, e.k0});
  return result;
}

std::optional<Mmt4dUkernel> qcc::findMmt4dUkernel(const CpuTarget &target,
                                                  Type lhs, Type rhs, Type out,
                                                  int64_t m0, int64_t n0,
                                                  int64_t k0) {
  for (const Entry &e : kEntries)
    if (matches(e, lhs, rhs, out) && e.m0 == m0 && e.n0 == n0 && e.k0 == k0 &&
        runsOn(e.arch, e.features, target))
      return Mmt4dUkernel{e.symbol, e.m0, e.n0, e.k0};
  return std::nullopt;
}

SmallVector<W4Ukernel> qcc::w4UkernelsFor(const CpuTarget &target,
                                          bool int8Activations) {
  SmallVector<W4Ukernel> result;
  for (const W4Entry &e : kW4Entries)
    if ((llvm::StringRef(e.act) == "i8") == int8Activations &&
        runsOn(e.arch, e.features, target))
      result.push_back(W4Ukernel{e.symbol, e.n0, int8Activations});
  return result;
}

std::optional<W4Ukernel> qcc::findW4Ukernel(const CpuTarget &target,
                                            llvm::StringRef name,
                                            bool &hasZeroPoint) {
  hasZeroPoint = name.consume_back("_zp");
  for (const W4Entry &e : kW4Entries)
    if (name == e.symbol && runsOn(e.arch, e.features, target))
      return W4Ukernel{e.symbol, e.n0, llvm::StringRef(e.act) == "i8"};
  return std::nullopt;
}
