//===- ProbedModel.cpp - run a qcc module in-process on samples ----------===//
//
// ProbedModel JIT-compiles a clone of a module with extra "probe" results
// through the CPU codegen pipeline (for this machine) and MLIR's
// ExecutionEngine, and runs it on a SampleSet's samples.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/ProbedModel.h"
#include "qcc/Codegen/Pipelines.h"
#include "qcc/Runtime/BufferCache.h"
#include "qcc/Runtime/MemrefCopy.h"
#include "qcc/Target/CpuTarget.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// A dense host buffer with its MLIR ranked memref descriptor.
struct Buffer {
  std::vector<char> data;
  std::vector<int64_t> desc; // allocated, aligned, offset, sizes, strides
  void bind(ArrayRef<int64_t> shape) {
    int64_t rank = shape.size();
    desc.assign(3 + 2 * rank, 0);
    desc[0] = desc[1] = reinterpret_cast<int64_t>(data.data());
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      desc[3 + d] = shape[d];
      desc[3 + rank + d] = stride;
      stride *= shape[d];
    }
  }
};

size_t elementBytes(Type t) {
  return t.isInteger(1) ? 1 : t.getIntOrFloatBitWidth() / 8;
}

} // namespace

//===----------------------------------------------------------------------===//
// ProbedModel
//===----------------------------------------------------------------------===//

ProbedModel::~ProbedModel() = default;

std::unique_ptr<ProbedModel> ProbedModel::compile(ModuleOp module,
                                                  StringRef entry,
                                                  ArrayRef<Value> probes,
                                                  std::string &error) {
  MLIRContext *ctx = module.getContext();
  IRMapping mapping;
  OwningOpRef<ModuleOp> clone(cast<ModuleOp>(module->clone(mapping)));
  auto func = clone->lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    error = "no entry function '" + entry.str() + "'";
    return nullptr;
  }
  auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  // A value returned twice trips buffer-results-to-out-params, so each
  // distinct value is returned once and probes may share a slot.
  SmallVector<Value> results(ret.getOperands());
  std::unique_ptr<ProbedModel> model(new ProbedModel());
  for (Value p : probes) {
    Value v = mapping.lookup(p);
    auto it = llvm::find(results, v);
    model->probeSlots.push_back(it - results.begin());
    if (it == results.end())
      results.push_back(v);
  }
  unsigned numModelResults = ret.getNumOperands();
  OpBuilder b(ret);
  func::ReturnOp::create(b, ret.getLoc(), results);
  ret.erase();
  func.setType(FunctionType::get(ctx, func.getFunctionType().getInputs(),
                                 ValueRange(results).getTypes()));

  model->numResults_ = numModelResults;
  for (Type t : func.getFunctionType().getInputs())
    model->inputTypes.push_back(cast<RankedTensorType>(t));
  for (Type t : func.getFunctionType().getResults()) {
    auto type = dyn_cast<RankedTensorType>(t);
    Type e = type ? type.getElementType() : Type();
    if (!type || !type.hasStaticShape() ||
        !(e.isF32() || e.isF64() || e.isInteger(8) || e.isInteger(32) ||
          e.isInteger(64) || e.isUnsignedInteger(8) || e.isInteger(1))) {
      error = "cannot run the model in-process: results and probes must be "
              "statically shaped f32/f64/i1/i8/ui8/i32/i64 tensors";
      return nullptr;
    }
    model->resultTypes.push_back(type);
  }

  PassManager pm(ctx);
  LoweringConfig config;
  // The same tiled and vectorized code as the .so: calibration and
  // sensitivity analysis run the model once per sample (ResNet-18 at -O1
  // without LLVM optimization took ~10 s per sample).
  config.optLevel = 2;
  config.entry = entry.str();
  // The JIT does not link the model runtime's microkernels.
  config.ukernels = false;
  config.threads = false;
  // The JIT runs here, whatever the .so is compiled for: tile for the host.
  (*clone)->removeAttr(LLVM::LLVMDialect::getTargetAttrName());
  setModuleTarget(*clone, getHostCpuTarget());
  buildCpuCodegenPipeline(pm, config);
  if (failed(pm.run(*clone))) {
    error = "compiling the instrumented model failed";
    return nullptr;
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(/*optLevel=*/2, /*sizeLevel=*/0,
                                               /*targetMachine=*/nullptr);
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  auto engine = ExecutionEngine::create(*clone, engineOptions);
  if (!engine) {
    error = "JIT failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  // memref.copy of non-contiguous buffers calls memrefCopy: the JIT-ed
  // clone gets the models' implementation (lib/Runtime/MemrefCopy.c).
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    auto bind = [&](llvm::StringRef name, auto *fn) {
      map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                             llvm::JITSymbolFlags::Exported};
    };
    bind("memrefCopy", &memrefCopy);
    // Heap buffers: the models' block cache (lib/Runtime/BufferCache.c).
    bind("_mlir_memref_to_llvm_alloc", &_mlir_memref_to_llvm_alloc);
    bind("_mlir_memref_to_llvm_aligned_alloc",
         &_mlir_memref_to_llvm_aligned_alloc);
    bind("_mlir_memref_to_llvm_free", &_mlir_memref_to_llvm_free);
    return map;
  });
  auto invokeSym = (*engine)->lookup("__qcc_model_invoke");
  if (!invokeSym) {
    error = llvm::toString(invokeSym.takeError());
    return nullptr;
  }
  model->invoke = reinterpret_cast<void (*)(void **)>(*invokeSym);
  model->engine = std::move(*engine);
  return model;
}

std::string ProbedModel::run(const SampleSet &samples, int64_t s,
                             std::vector<std::vector<float>> &outputs) {
  if (samples.numInputs() != inputTypes.size())
    return "the samples and the model disagree on the number of inputs";
  std::vector<Buffer> buffers(inputTypes.size() + resultTypes.size());
  for (unsigned i = 0; i < inputTypes.size(); ++i) {
    if (std::string err = samples.load(s, i, buffers[i].data); !err.empty())
      return err;
    buffers[i].bind(inputTypes[i].getShape());
  }
  for (auto [j, type] : llvm::enumerate(resultTypes)) {
    Buffer &buf = buffers[inputTypes.size() + j];
    buf.data.assign(type.getNumElements() * elementBytes(type.getElementType()),
                    0);
    buf.bind(type.getShape());
  }
  std::vector<void *> args;
  for (Buffer &buf : buffers)
    args.push_back(buf.desc.data());
  invoke(args.data());
  outputs.resize(numResults_ + probeSlots.size());
  for (auto [j, type] : llvm::enumerate(resultTypes)) {
    const char *p = buffers[inputTypes.size() + j].data.data();
    std::vector<float> &o = outputs[j];
    int64_t n = type.getNumElements();
    o.resize(n);
    Type e = type.getElementType();
    for (int64_t i = 0; i < n; ++i) {
      if (e.isF32()) {
        std::memcpy(&o[i], p + 4 * i, 4);
      } else if (e.isF64()) {
        double v;
        std::memcpy(&v, p + 8 * i, 8);
        o[i] = v;
      } else if (e.isInteger(64)) {
        int64_t v;
        std::memcpy(&v, p + 8 * i, 8);
        o[i] = v;
      } else if (e.isInteger(32)) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        o[i] = v;
      } else if (e.isUnsignedInteger(8) || e.isInteger(1)) {
        o[i] = (uint8_t)p[i];
      } else {
        o[i] = (int8_t)p[i];
      }
    }
  }
  // Probes after the model's results, in the order they were asked for.
  std::vector<std::vector<float>> distinct(
      outputs.begin() + numResults_, outputs.begin() + resultTypes.size());
  for (auto [k, slot] : llvm::enumerate(probeSlots))
    outputs[numResults_ + k] =
        slot < numResults_ ? outputs[slot] : distinct[slot - numResults_];
  return "";
}

//===----------------------------------------------------------------------===//
// SqnrAccumulator
//===----------------------------------------------------------------------===//

void SqnrAccumulator::add(ArrayRef<float> ref, ArrayRef<float> test) {
  for (auto [r, t] : llvm::zip(ref, test)) {
    signal += (double)r * r;
    noise += ((double)r - t) * ((double)r - t);
  }
}

double SqnrAccumulator::db() const {
  if (noise == 0)
    return std::numeric_limits<double>::infinity();
  return 10 * std::log10(signal / noise);
}
