//===- CpuTarget.cpp - the CPU a model is compiled for --------------------===//

#include "qcc/Target/CpuTarget.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <mutex>

using namespace mlir;
using namespace mlir::qcc;

bool CpuTarget::hasFeature(llvm::StringRef name) const {
  return std::binary_search(features.begin(), features.end(), name.str());
}

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

static std::unique_ptr<llvm::TargetMachine>
makeTargetMachine(const llvm::Target &target, const llvm::Triple &triple,
                  llvm::StringRef cpu, llvm::StringRef features,
                  unsigned optLevel) {
  llvm::CodeGenOptLevel level =
      optLevel == 0   ? llvm::CodeGenOptLevel::None
      : optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                      : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(target.createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, level));
}

FailureOr<CpuTarget> qcc::resolveCpuTarget(llvm::StringRef tripleName,
                                           llvm::StringRef cpu,
                                           llvm::StringRef mattr,
                                           std::string &error) {
  initializeTargets();
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  llvm::Triple triple =
      tripleName.empty() ? host : llvm::Triple(llvm::Triple::normalize(tripleName));
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    error = "unknown target triple '" + tripleName.str() + "': " + error;
    return failure();
  }
  CpuTarget result;
  result.triple = triple.str();
  result.isHost = triple.getArch() == host.getArch() &&
                  triple.getOS() == host.getOS();

  llvm::SubtargetFeatures features;
  if (cpu.empty() || cpu == "native") {
    if (result.isHost) {
      result.cpu = llvm::sys::getHostCPUName().str();
      for (const auto &kv : llvm::sys::getHostCPUFeatures())
        features.AddFeature(kv.first(), kv.second);
    } else {
      result.cpu = "generic";
    }
  } else {
    result.cpu = cpu.str();
  }

  // Probe the CPU and the known feature names with a TargetMachine.
  std::unique_ptr<llvm::TargetMachine> probe =
      makeTargetMachine(*target, triple, "", "", 0);
  if (!probe) {
    error = "cannot create a target machine for " + result.triple;
    return failure();
  }
  const llvm::MCSubtargetInfo *probeInfo = probe->getMCSubtargetInfo();
  if (!probeInfo->isCPUStringValid(result.cpu)) {
    error = "unknown --mcpu '" + result.cpu + "' for " + result.triple +
            " (llc-22 -mtriple=" + result.triple +
            " -mcpu=help lists the CPUs)";
    return failure();
  }
  llvm::StringSet<> known;
  for (const llvm::SubtargetFeatureKV &kv :
       probeInfo->getAllProcessorFeatures())
    known.insert(kv.Key);
  llvm::SmallVector<llvm::StringRef> attrs;
  mattr.split(attrs, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef attr : attrs) {
    attr = attr.trim();
    if (attr.size() < 2 || (attr[0] != '+' && attr[0] != '-')) {
      error = "--mattr entries are +feature or -feature, got '" + attr.str() +
              "'";
      return failure();
    }
    if (!known.contains(attr.drop_front())) {
      error = "unknown --mattr feature '" + attr.drop_front().str() +
              "' for " + result.triple;
      return failure();
    }
    features.AddFeature(attr);
  }
  result.featureString = features.getString();

  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(
      *target, triple, result.cpu, result.featureString, 0);
  const llvm::MCSubtargetInfo *info = tm->getMCSubtargetInfo();
  for (const llvm::SubtargetFeatureKV &kv : info->getAllProcessorFeatures())
    if (info->getFeatureBits().test(kv.Value))
      result.features.push_back(kv.Key);
  llvm::sort(result.features);
  return result;
}

const CpuTarget &qcc::getHostCpuTarget() {
  static const CpuTarget host = [] {
    std::string error;
    FailureOr<CpuTarget> t = resolveCpuTarget("", "native", "", error);
    if (failed(t))
      llvm::report_fatal_error("qcc: cannot describe the host CPU: " +
                               llvm::Twine(error));
    return *t;
  }();
  return host;
}

std::unique_ptr<llvm::TargetMachine>
qcc::createTargetMachine(const CpuTarget &target, unsigned optLevel,
                         std::string &error) {
  initializeTargets();
  llvm::Triple triple(target.triple);
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return nullptr;
  return makeTargetMachine(*t, triple, target.cpu, target.featureString,
                           optLevel);
}

void qcc::setModuleTarget(ModuleOp module, const CpuTarget &target) {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<LLVM::LLVMDialect>();
  SmallVector<StringRef> enabled;
  std::vector<std::string> plus;
  plus.reserve(target.features.size());
  for (const std::string &f : target.features)
    plus.push_back("+" + f);
  for (const std::string &f : plus)
    enabled.push_back(f);
  auto attr = LLVM::TargetAttr::get(
      ctx, StringAttr::get(ctx, target.triple),
      StringAttr::get(ctx, target.cpu),
      LLVM::TargetFeaturesAttr::get(ctx, enabled));
  module->setAttr(LLVM::LLVMDialect::getTargetAttrName(), attr);
}

std::optional<CpuTarget> qcc::getModuleTarget(Operation *op) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (!module)
    return std::nullopt;
  auto attr = module->getAttrOfType<LLVM::TargetAttr>(
      LLVM::LLVMDialect::getTargetAttrName());
  if (!attr)
    return std::nullopt;
  CpuTarget target;
  target.triple = attr.getTriple().str();
  target.cpu = attr.getChip().str();
  if (LLVM::TargetFeaturesAttr features = attr.getFeatures())
    for (StringAttr f : features.getFeatures())
      if (f.getValue().starts_with("+"))
        target.features.push_back(f.getValue().drop_front().str());
  llvm::sort(target.features);
  return target;
}

VectorISA qcc::getVectorISA(llvm::StringRef tripleName,
                            ArrayRef<std::string> features) {
  auto has = [&](llvm::StringRef f) {
    return llvm::is_contained(features, f.str());
  };
  llvm::Triple triple(tripleName);
  VectorISA isa;
  if (triple.isX86()) {
    if (has("avx512f")) {
      // CPUs tuned with prefer-256-bit (Intel's AVX-512 cores) make LLVM
      // split 512-bit vectors into ymm halves; the registers are still 32.
      isa.vectorBits = has("prefer-256-bit") ? 256 : 512;
      isa.numVectorRegisters = 32;
    } else if (has("avx")) {
      isa.vectorBits = 256;
      isa.numVectorRegisters = 16;
    } else {
      isa.vectorBits = 128;
      isa.numVectorRegisters = 16;
    }
    isa.hasFMA = has("fma");
    for (const char *dot : {"amx-int8", "avx512vnni", "avxvnni"})
      if (has(dot))
        isa.int8Dot.push_back(dot);
  } else if (triple.isAArch64()) {
    isa.vectorBits = 128; // NEON (SVE's length is not known statically)
    isa.numVectorRegisters = 32;
    isa.hasFMA = has("neon") || has("fp-armv8");
    for (const char *dot : {"i8mm", "dotprod"})
      if (has(dot))
        isa.int8Dot.push_back(dot);
  } else {
    isa.vectorBits = 128;
    isa.numVectorRegisters = 16;
  }
  return isa;
}

std::string qcc::getRuntimeCheckedFeatures(llvm::StringRef tripleName,
                                           ArrayRef<std::string> features) {
  llvm::Triple triple(tripleName);
  std::vector<llvm::StringRef> checked;
  if (triple.isX86()) {
#define QCC_X86_FEATURE(name, leaf, subleaf, reg, bit, xcr0)                   \
  checked.push_back(name);
#include "qcc/Runtime/CpuFeatures.def"
  } else if (triple.isAArch64()) {
#define QCC_AARCH64_FEATURE(name, hwcap, bit) checked.push_back(name);
#include "qcc/Runtime/CpuFeatures.def"
  }
  std::string out;
  for (const std::string &f : features)
    if (llvm::is_contained(checked, f))
      out += (out.empty() ? "" : ",") + f;
  return out;
}

void qcc::printCpuTarget(const CpuTarget &target, llvm::raw_ostream &os) {
  VectorISA isa = getVectorISA(target.triple, target.features);
  os << "triple:    " << target.triple << (target.isHost ? " (host)" : "")
     << "\n";
  os << "cpu:       " << target.cpu << "\n";
  os << "vector:    " << isa.vectorBits << "-bit, " << isa.numVectorRegisters
     << " registers, FMA " << (isa.hasFMA ? "yes" : "no") << "\n";
  os << "int8 dot:  ";
  if (isa.int8Dot.empty())
    os << "none";
  for (auto [i, d] : llvm::enumerate(isa.int8Dot))
    os << (i ? ", " : "") << d;
  os << "\n";
  std::string checked = getRuntimeCheckedFeatures(target.triple, target.features);
  os << "checked at load: " << (checked.empty() ? "(none)" : checked) << "\n";
  os << "features:  ";
  for (auto [i, f] : llvm::enumerate(target.features))
    os << (i ? "," : "") << "+" << f;
  os << "\n";
}
