//===- qcc.cpp - the qcc compiler driver ----------------------------------===//
//
//   qcc model.onnx -o model.so [-O2] [--emit=mlir|linalg|llvm|obj|so]
//       [--input-shape NAME=1x3x224x224]...
//
// The driver imports the ONNX model, runs the registered `qcc-cpu-pipeline`
// (the same passes qcc-opt exposes), translates to LLVM IR, optimises and
// emits an object with an in-process TargetMachine, and links the shared
// library with the system C compiler driver and qcc's runtime shim.
//
//===----------------------------------------------------------------------===//

#include "qcc/Export/OnnxExport.h"
#include "qcc/Import/OnnxImporter.h"
#include "qcc/InitAllDialects.h"
#include "qcc/InitAllPasses.h"
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Target/CpuTarget.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
namespace cl = llvm::cl;

#ifndef QCC_VERSION_STRING
#define QCC_VERSION_STRING "unknown"
#endif

namespace {
enum class EmitKind { Mlir, Onnx, Linalg, LLVMDialect, LLVMIR, Obj, So };

cl::OptionCategory qccCategory("qcc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(qccCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::cat(qccCategory));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("Stop after this stage and write its output"),
    cl::init(EmitKind::So),
    cl::values(
        clEnumValN(EmitKind::Mlir, "mlir",
                   "qcc dialect IR (after calibration and quantization)"),
        clEnumValN(EmitKind::Onnx, "onnx",
                   "the quantized model as ONNX for ONNX Runtime (QDQ, "
                   "com.microsoft.MatMulNBits for int4; needs --quant)"),
        clEnumValN(EmitKind::Linalg, "linalg",
                   "upstream linalg/tensor/arith IR after qcc-to-linalg"),
        clEnumValN(EmitKind::LLVMDialect, "llvm-dialect", "MLIR LLVM dialect"),
        clEnumValN(EmitKind::LLVMIR, "llvm", "optimised LLVM IR (.ll)"),
        clEnumValN(EmitKind::Obj, "obj", "object file (.o)"),
        clEnumValN(EmitKind::So, "so", "shared library (.so), the default")),
    cl::cat(qccCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level (0-3)"),
                           cl::Prefix, cl::init(2), cl::cat(qccCategory));
cl::opt<bool> useUkernels(
    "ukernels",
    cl::desc("At -O2+, run matmuls with constant weights on the runtime's "
             "packed, multithreaded microkernels (default true; "
             "--ukernels=false: the generated tiled loops)"),
    cl::init(true), cl::cat(qccCategory));
cl::opt<bool> w4Int8Activations(
    "w4-int8-act",
    cl::desc("--quant=w4 with microkernels: quantize the activations to int8 "
             "per row and group at run time and use integer dot-product "
             "kernels (faster; exact integer sums, but the activations are "
             "rounded to 8 bits, as ONNX Runtime's MatMulNBits "
             "accuracy_level 4 does; groups must be a multiple of 8)"),
    cl::init(false), cl::cat(qccCategory));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape for an input: NAME=1x3x224x224"),
                cl::value_desc("name=dims"), cl::cat(qccCategory));
using qcc::QuantMode;
cl::opt<QuantMode> quantMode(
    "quant", cl::desc("Quantization"), cl::init(QuantMode::None),
    cl::values(clEnumValN(QuantMode::None, "none", "float (default)"),
               clEnumValN(QuantMode::W8, "w8",
                          "weight-only int8, per output channel"),
               clEnumValN(QuantMode::W4, "w4",
                          "weight-only int4, per group (--group-size, "
                          "default 128), packed two per byte"),
               clEnumValN(QuantMode::W3, "w3",
                          "weight-only int3, per group (--group-size, "
                          "default 64), eight values in 3 bytes"),
               clEnumValN(QuantMode::W2, "w2",
                          "weight-only int2, per group (--group-size, "
                          "default 64), packed four per byte"),
               clEnumValN(QuantMode::W8Dynamic, "w8-dynamic",
                          "int8 weights per channel, int8 activations "
                          "quantized per token at run time"),
               clEnumValN(QuantMode::W8A8, "w8a8",
                          "int8 weights per channel, int8 activations with "
                          "calibrated scales (needs --calib)")),
    cl::cat(qccCategory));
cl::opt<int64_t> groupSize(
    "group-size",
    cl::desc("Weight quantization group size along the reduction dimension "
             "(0: per output channel; default 0 for w8, 128 for w4, 64 for "
             "w3 and w2)"),
    cl::init(-1), cl::cat(qccCategory));
cl::opt<bool>
    asymmetricQuant("asymmetric",
                    cl::desc("Asymmetric weight quantization (zero points)"),
                    cl::init(false), cl::cat(qccCategory));
cl::opt<bool> perTensor(
    "per-tensor",
    cl::desc("w8a8: one weight scale per tensor instead of per output "
             "channel (for comparison; per channel is the default)"),
    cl::init(false), cl::cat(qccCategory));
cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("w8a8: subtract the expected output shift of weight rounding "
             "from the bias (default on; --bias-correction=false to compare)"),
    cl::init(true), cl::cat(qccCategory));
cl::list<std::string>
    excludeList("exclude",
                cl::desc("Keep these ONNX nodes (by node name) or op types "
                         "(MatMul, Gemm, Conv) in float"),
                cl::CommaSeparated, cl::value_desc("name,..."),
                cl::cat(qccCategory));
cl::opt<std::string> sizeBudget(
    "size-budget",
    cl::desc("Mixed precision: choose fp32/int8/int4 weights per layer to "
             "minimise output error on the --calib samples within this many "
             "weight bytes (5MB, 800KB, 123456B) or this fraction of the "
             "float weights (0.3)"),
    cl::value_desc("size"), cl::init(""), cl::cat(qccCategory));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write a per-layer quantization report (bits, granularity, "
             "scale range, bytes, SQNR vs float on the --calib samples): "
             "report.json, or report.html with charts"),
    cl::value_desc("file"), cl::init(""), cl::cat(qccCategory));
cl::opt<std::string> calibData(
    "calib",
    cl::desc("Calibration samples: a directory of sample directories, each "
             "with <input name>.npy or ONNX input_<j>.pb, or a .npz of "
             "[samples, ...] arrays per input; records activation ranges "
             "(qcc.calibration)"),
    cl::init(""), cl::cat(qccCategory));
cl::opt<std::string>
    calibMethod("calib-method",
                cl::desc("minmax, percentile, entropy or mse (default)"),
                cl::init("mse"), cl::cat(qccCategory));
cl::opt<double> calibPercentile("calib-percentile",
                                cl::desc("Percentile for --calib-method="
                                         "percentile"),
                                cl::init(99.99), cl::cat(qccCategory));
cl::OptionCategory targetCategory("qcc target options");
cl::opt<std::string> targetTriple(
    "mtriple",
    cl::desc("Target triple (default: this machine's); e.g. "
             "aarch64-linux-gnu cross-compiles for 64-bit Arm Linux"),
    cl::init(""), cl::cat(targetCategory));
cl::opt<std::string> targetCpu(
    "mcpu",
    cl::desc("Target CPU: native (default: this machine's CPU and "
             "features; generic for another --mtriple), an LLVM CPU name "
             "(znver3, sapphirerapids, cortex-a76, neoverse-n1, ...) or an "
             "x86-64 level (x86-64, x86-64-v2, x86-64-v3, x86-64-v4)"),
    cl::init("native"), cl::cat(targetCategory));
cl::opt<std::string> targetAttrs(
    "mattr",
    cl::desc("CPU features to add or remove on top of --mcpu, LLVM names: "
             "+avx512f,-amx-tile"),
    cl::init(""), cl::cat(targetCategory));
cl::opt<bool> printTarget(
    "print-target",
    cl::desc("Print the resolved target (triple, CPU, vector unit, the "
             "features the .so will require) and exit"),
    cl::init(false), cl::cat(targetCategory));
cl::opt<std::string> linker("linker",
                            cl::desc("C compiler driver used to link the .so"),
                            cl::init(""), cl::cat(qccCategory));

/// Prints diagnostics as one line each: `qcc: error: <message>`.
void installDiagnosticPrinter(MLIRContext &ctx) {
  ctx.getDiagEngine().registerHandler([](Diagnostic &diag) {
    llvm::raw_ostream &os = llvm::errs();
    os << "qcc: ";
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    }
    // Name locations carry the ONNX node; the importer's messages already
    // name it, so other locations are added only when informative.
    Location loc = diag.getLocation();
    if (auto fileLoc = dyn_cast<FileLineColLoc>(loc);
        fileLoc && fileLoc.getLine() != 0)
      os << fileLoc << ": ";
    os << diag.str() << "\n";
    return success();
  });
}

bool error(const llvm::Twine &msg) {
  llvm::errs() << "qcc: error: " << msg << "\n";
  return false;
}

bool parseInputShapes(qcc::OnnxImportOptions &options) {
  for (const std::string &spec : inputShapes) {
    auto [name, dims] = llvm::StringRef(spec).rsplit('=');
    if (name.empty() || dims.empty())
      return error("--input-shape expects NAME=D0xD1x..., got '" + spec + "'");
    llvm::SmallVector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    if (dims != "scalar")
      dims.split(parts, 'x');
    for (llvm::StringRef p : parts) {
      int64_t d;
      if (p.getAsInteger(10, d) || d < 0)
        return error("--input-shape '" + spec + "': '" + p +
                     "' is not a dimension size");
      shape.push_back(d);
    }
    options.inputShapes[name] = shape;
  }
  return true;
}

std::string defaultOutput() {
  llvm::SmallString<256> out(llvm::sys::path::filename(inputFile.getValue()));
  const char *ext = ".so";
  switch (emitKind) {
  case EmitKind::Onnx:
    ext = ".qcc.onnx";
    break;
  case EmitKind::Mlir:
  case EmitKind::Linalg:
  case EmitKind::LLVMDialect:
    ext = ".mlir";
    break;
  case EmitKind::LLVMIR:
    ext = ".ll";
    break;
  case EmitKind::Obj:
    ext = ".o";
    break;
  case EmitKind::So:
    break;
  }
  llvm::sys::path::replace_extension(out, ext);
  return std::string(out);
}

/// Prints IR as mlir-opt does (so qcc and qcc-opt outputs compare equal).
void printModule(ModuleOp module, llvm::raw_ostream &os) {
  module.print(os);
  os << "\n";
}

bool writeText(llvm::StringRef path,
               llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return error("cannot open '" + path + "': " + ec.message());
  print(out.os());
  out.keep();
  return true;
}

bool emitObject(llvm::Module &module, llvm::TargetMachine &tm,
                llvm::StringRef path) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error("cannot open '" + path + "': " + ec.message());
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out.os(), nullptr,
                             llvm::CodeGenFileType::ObjectFile))
    return error("the target cannot emit object files");
  pm.run(module);
  out.keep();
  return true;
}

/// The Debian multiarch name of a Linux target ("aarch64-linux-gnu"): the
/// cross toolchain's prefix and the directory of its runtime archive.
std::string multiarchName(const llvm::Triple &triple) {
  return (triple.getArchName() + "-linux-gnu").str();
}

/// Finds libqcc_model_rt.a for `target`: $QCC_RUNTIME_LIB, else
/// <bin>/../lib (this machine) or <bin>/../lib/<multiarch> (cross).
std::string findRuntimeArchive(const char *argv0,
                               const qcc::CpuTarget &target) {
  if (const char *env = std::getenv("QCC_RUNTIME_LIB"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&multiarchName));
  llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib");
  if (!target.isHost)
    llvm::sys::path::append(path, multiarchName(llvm::Triple(target.triple)));
  llvm::sys::path::append(path, "libqcc_model_rt.a");
  return std::string(path);
}

/// The C compiler driver that links for `target`: --linker, else cc on
/// this machine, else the Debian cross gcc (<multiarch>-gcc).
std::string findLinker(const qcc::CpuTarget &target) {
  if (!linker.empty())
    return linker;
  std::vector<std::string> candidates;
  if (target.isHost)
    candidates = {"cc", "clang-22", "gcc", "clang"};
  else
    candidates = {multiarchName(llvm::Triple(target.triple)) + "-gcc"};
  for (const std::string &candidate : candidates)
    if (auto p = llvm::sys::findProgramByName(candidate))
      return *p;
  return "";
}

bool linkSharedLibrary(llvm::StringRef objPath, llvm::StringRef outPath,
                       const qcc::CpuTarget &target, const char *argv0) {
  std::string runtime = findRuntimeArchive(argv0, target);
  if (!llvm::sys::fs::exists(runtime))
    return error("qcc runtime library for " + target.triple +
                 " not found at '" + runtime + "' (set QCC_RUNTIME_LIB" +
                 (target.isHost ? ""
                                : "; the cross runtime is built when "
                                  "the cross compiler is installed") +
                 ")");
  std::string cc = findLinker(target);
  if (cc.empty())
    return error(target.isHost
                     ? "no C compiler driver (cc) found to link the shared "
                       "library"
                     : "no linker for " + target.triple + ": install " +
                           multiarchName(llvm::Triple(target.triple)) +
                           "-gcc (Debian: gcc-" +
                           multiarchName(llvm::Triple(target.triple)) +
                           " libc6-dev-arm64-cross) or pass --linker");
  // Export exactly the C ABI (qcc_*); the model's internal symbols stay
  // local so that several models can be loaded into one process.
  llvm::SmallString<128> versionScript;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "qcc-exports", "map", versionScript))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeScript(versionScript);
  if (!writeText(versionScript, [](llvm::raw_ostream &os) {
        os << "{ global: qcc_*; local: *; };\n";
      }))
    return false;
  std::string versionFlag = ("-Wl,--version-script=" + versionScript).str();
  // -z defs: every symbol the model uses must be resolved by the runtime
  // archive, libc or libm at link time, so a .so never needs a compiler
  // runtime (libgcc_s, compiler-rt) the target system may lack; what libgcc
  // provides is linked in statically.
  llvm::SmallVector<llvm::StringRef> args = {cc,
                                             "-shared",
                                             "-o",
                                             outPath,
                                             objPath,
                                             "-Wl,--whole-archive",
                                             runtime,
                                             "-Wl,--no-whole-archive",
                                             versionFlag,
                                             "-lm",
                                             "-static-libgcc",
                                             "-Wl,-z,defs",
                                             "-Wl,-z,noexecstack"};
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait(cc, args, std::nullopt, {}, 0, 0, &errMsg);
  if (rc != 0)
    return error("linking '" + outPath + "' failed" +
                 (errMsg.empty() ? "" : ": " + errMsg));
  return true;
}

/// The pipeline options the flags select (the pipelines hold the defaults
/// and the checks of which options go together).
void setPipelineOptionsFromFlags(qcc::QccPipelineOptions &options) {
  options.quant = quantMode;
  options.groupSize = groupSize;
  options.asymmetric = asymmetricQuant;
  options.perTensor = perTensor;
  options.biasCorrection = biasCorrection;
  options.calib = calibData;
  options.calibMethod = calibMethod;
  options.calibPercentile = calibPercentile;
  options.sizeBudget = sizeBudget;
  options.exclude = ArrayRef<std::string>(excludeList);
  options.report = reportPath;
  options.optLevel = optLevel;
  options.ukernels = useUkernels;
  options.w4Int8Activations = w4Int8Activations;
  options.mtriple = targetTriple;
  options.mcpu = targetCpu;
  options.mattr = targetAttrs;
}

int compile(const char *argv0) {
  std::string targetError;
  FailureOr<qcc::CpuTarget> target =
      qcc::resolveCpuTarget(targetTriple, targetCpu, targetAttrs, targetError);
  if (failed(target))
    return error(targetError), 1;
  if (printTarget) {
    qcc::printCpuTarget(*target, llvm::outs());
    return 0;
  }
  qcc::OnnxImportOptions importOptions;
  if (!parseInputShapes(importOptions))
    return 1;
  if (optLevel > 3)
    return error("-O" + llvm::Twine(optLevel.getValue()) +
                 " is not a valid optimisation level"),
           1;
  std::string output =
      outputFile.empty() ? defaultOutput() : outputFile.getValue();
  if (emitKind == EmitKind::Onnx && quantMode == QuantMode::None)
    return error("--emit=onnx writes the quantized model; give a --quant "
                 "mode (w8, w4, w8-dynamic, w8a8)"),
           1;
  qcc::QccPipelineOptions options;
  setPipelineOptionsFromFlags(options);
  // Options that do not go together are reported before the import.
  std::string pipelineError;
  OpPassManager check("builtin.module");
  if (failed(qcc::buildQuantizationPipeline(check, options, pipelineError)))
    return error(pipelineError), 1;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  qcc::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  MLIRContext ctx(registry);
  ctx.disableMultithreading(); // 2-core CI; avoids thread-pool start-up cost
  installDiagnosticPrinter(ctx);

  OwningOpRef<ModuleOp> module =
      qcc::importOnnxModel(inputFile, &ctx, importOptions);
  if (!module)
    return 1;
  // qcc-quantize: calibration, mixed precision, the report, quantization.
  PassManager quantizePM(&ctx);
  if (failed(
          qcc::buildQuantizationPipeline(quantizePM, options, pipelineError)) ||
      failed(quantizePM.run(*module)))
    return 1;
  if (emitKind == EmitKind::Mlir)
    return writeText(output,
                     [&](llvm::raw_ostream &os) { printModule(*module, os); })
               ? 0
               : 1;
  if (emitKind == EmitKind::Onnx)
    return succeeded(qcc::exportQuantizedOnnx(*module, inputFile, output)) ? 0
                                                                           : 1;

  // Quantization is done; the rest only lowers (the stages of
  // qcc-lower-to-linalg and qcc-cpu-pipeline after qcc-quantize).
  PassManager pm(&ctx);
  qcc::LoweringConfig lowering = qcc::getLoweringConfig(options);
  qcc::buildQccToLinalgLowering(pm, lowering);
  if (emitKind != EmitKind::Linalg)
    qcc::buildLinalgToLLVMPipeline(pm, lowering.entry);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  if (failed(pm.run(*module)))
    return error("lowering '" + inputFile + "' failed"), 1;
  if (emitKind == EmitKind::Linalg || emitKind == EmitKind::LLVMDialect)
    return writeText(output,
                     [&](llvm::raw_ostream &os) { printModule(*module, os); })
               ? 0
               : 1;

  std::unique_ptr<llvm::TargetMachine> tm =
      qcc::createTargetMachine(*target, optLevel, targetError);
  if (!tm)
    return error("no LLVM target machine for " + target->triple + ": " +
                 targetError),
           1;
  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmCtx, "qcc_model");
  if (!llvmModule)
    return error("translation to LLVM IR failed"), 1;
  llvmModule->setTargetTriple(tm->getTargetTriple());
  llvmModule->setDataLayout(tm->createDataLayout());
  auto optimize = makeOptimizingTransformer(optLevel, 0, tm.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return error("LLVM optimisation failed: " + llvm::toString(std::move(err))),
           1;
  if (emitKind == EmitKind::LLVMIR)
    return writeText(
               output,
               [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); })
               ? 0
               : 1;
  if (emitKind == EmitKind::Obj)
    return emitObject(*llvmModule, *tm, output) ? 0 : 1;

  llvm::SmallString<128> objPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("qcc-model", "o", objPath))
    return error("cannot create a temporary file: " + ec.message()), 1;
  llvm::FileRemover removeObj(objPath);
  if (!emitObject(*llvmModule, *tm, objPath))
    return 1;
  return linkSharedLibrary(objPath, output, *target, argv0) ? 0 : 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAllPasses();
  qcc::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "qcc " << QCC_VERSION_STRING << " (LLVM/MLIR " << LLVM_VERSION_STRING
       << ")\n";
  });
  cl::HideUnrelatedOptions({&qccCategory, &targetCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: compile an ONNX model to a native shared library\n\n"
      "  qcc model.onnx -o model.so\n",
      /*Errs=*/nullptr,
      // Options for every qcc run, read before the command line (e.g.
      // QCC_OPTIONS=--mcpu=x86-64-v3 to run a test suite for AVX2 CPUs).
      /*VFS=*/nullptr, /*EnvVar=*/"QCC_OPTIONS");
  if (inputFile.empty() && !printTarget) {
    llvm::errs() << "qcc: error: no input model (qcc model.onnx -o model.so; "
                    "qcc --help)\n";
    return 1;
  }
  return compile(argv[0]);
}
