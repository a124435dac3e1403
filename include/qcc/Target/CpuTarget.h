//===- CpuTarget.h - the CPU a model is compiled for ------------*- C++ -*-===//
//
// One description of the code generation target, shared by the driver (which
// builds the LLVM TargetMachine from it), the passes that make
// target-dependent choices (tile sizes follow the vector width and register
// count) and the ABI glue (which records the CPU features the .so needs).
//
// In IR the target is upstream MLIR's `llvm.target` module attribute:
//   module attributes {llvm.target = #llvm.target<triple = "...",
//       chip = "znver3", features = #llvm.target_features<["+avx2", ...]>>}
// with the complete list of enabled LLVM features, so a pass needs no LLVM
// target registry to read it and qcc-opt users can write it by hand.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_TARGET_CPUTARGET_H
#define QCC_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir::qcc {

/// A resolved target: what --mtriple, --mcpu and --mattr select.
struct CpuTarget {
  std::string triple;        ///< normalized, e.g. x86_64-unknown-linux-gnu
  std::string cpu;           ///< a CPU name LLVM knows (never "native")
  std::string featureString; ///< what the TargetMachine is created with
  /// Every LLVM feature the CPU and --mattr enable (including implied
  /// ones), without the leading '+', sorted.
  std::vector<std::string> features;
  bool isHost = false; ///< generated code runs on this machine

  bool hasFeature(llvm::StringRef name) const;
};

/// Resolves the target for `triple` ("" or the host's: this machine),
/// `cpu` ("native": this machine's CPU and features; on another triple
/// "generic") and `mattr` ("+avx512f,-amx-tile", applied on top). Fails with
/// a message for an unknown triple, CPU or feature.
FailureOr<CpuTarget> resolveCpuTarget(llvm::StringRef triple,
                                      llvm::StringRef cpu,
                                      llvm::StringRef mattr,
                                      std::string &error);

/// The machine qcc runs on (for the calibration and sensitivity JIT).
const CpuTarget &getHostCpuTarget();

/// An LLVM TargetMachine for `target` (PIC, for shared libraries).
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CpuTarget &target, unsigned optLevel,
                    std::string &error);

/// Attaches `target` to `module` as `llvm.target`.
void setModuleTarget(ModuleOp module, const CpuTarget &target);

/// The vector unit the tiling decisions follow.
struct VectorISA {
  unsigned vectorBits = 0;         ///< register width the backend uses
  unsigned numVectorRegisters = 0; ///< architectural vector registers
  bool hasFMA = false;
  /// int8 dot-product instructions ("avx512vnni", "avxvnni", "dotprod",
  /// "i8mm", "amx-int8"), empty if none.
  std::vector<std::string> int8Dot;
};

/// The vector ISA of a target given by triple and enabled features.
VectorISA getVectorISA(llvm::StringRef triple,
                       ArrayRef<std::string> features);

/// The `llvm.target` of `op`'s module (or `op` itself) as triple and
/// features, if it has one.
std::optional<CpuTarget> getModuleTarget(Operation *op);

/// The features of `target` that a model's runtime checks before running
/// (the CpuFeatures.def entries of its architecture), comma-separated.
std::string getRuntimeCheckedFeatures(llvm::StringRef triple,
                                      ArrayRef<std::string> features);

/// A multi-line human-readable description (qcc --print-target).
void printCpuTarget(const CpuTarget &target, llvm::raw_ostream &os);

} // namespace mlir::qcc

#endif // QCC_TARGET_CPUTARGET_H
