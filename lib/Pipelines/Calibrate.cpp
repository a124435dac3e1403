//===- Calibrate.cpp - run the model on samples, record activation ranges -===//
//
// The pass lives with the pipelines because it compiles an instrumented
// clone of the module with the CPU pipeline and runs it in-process through
// MLIR's ExecutionEngine; the statistics are qcc::calib::RangeObserver's.
//
//===----------------------------------------------------------------------===//

#include "qcc/Calibration/RangeObserver.h"
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/QccOps.h"
#include "qcc/Transforms/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/ADT/ScopeExit.h"

#include <chrono>
#include <cstring>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCCALIBRATE
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// memref.copy of non-contiguous buffers calls memrefCopy; the JIT-ed clone
/// gets this implementation (models get lib/Runtime's).
extern "C" void qccCalibMemrefCopy(int64_t elemSize, int64_t *src,
                                   int64_t *dst) {
  // Unranked descriptors: {rank, descriptor*}.
  int64_t rank = src[0];
  auto *sd = reinterpret_cast<int64_t *>(src[1]);
  auto *dd = reinterpret_cast<int64_t *>(dst[1]);
  char *sbase = reinterpret_cast<char *>(sd[1]);
  char *dbase = reinterpret_cast<char *>(dd[1]);
  const int64_t *sizes = sd + 3, *sstr = sd + 3 + rank, *dstr = dd + 3 + rank;
  int64_t total = 1;
  for (int64_t d = 0; d < rank; ++d)
    total *= sizes[d];
  std::vector<int64_t> idx(rank, 0);
  for (int64_t n = 0; n < total; ++n) {
    int64_t so = sd[2], doff = dd[2];
    for (int64_t d = 0; d < rank; ++d) {
      so += idx[d] * sstr[d];
      doff += idx[d] * dstr[d];
    }
    std::memcpy(dbase + doff * elemSize, sbase + so * elemSize, elemSize);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < sizes[d])
        break;
      idx[d] = 0;
    }
  }
}

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

/// A parsed .npy array: its shape and raw little-endian data.
struct NpyView {
  SmallVector<int64_t> shape;
  StringRef data;
};

/// Parses .npy bytes (`what` names the source in messages). Returns an
/// error message or "".
std::string parseNpy(StringRef bytes, StringRef what, NpyView &out) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return "'" + what.str() + "' is not a .npy file";
  size_t headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
  size_t offset = 10;
  if ((unsigned char)bytes[6] >= 2) {
    if (bytes.size() < 12)
      return "'" + what.str() + "': truncated .npy header";
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  }
  if (offset + headerLen > bytes.size())
    return "'" + what.str() + "': truncated .npy header";
  StringRef header = bytes.substr(offset, headerLen);
  if (header.contains("True"))
    return "'" + what.str() + "': Fortran-ordered arrays are not supported";
  size_t open = header.find("'shape'");
  size_t l = header.find('(', open), r = header.find(')', l);
  if (open == StringRef::npos || l == StringRef::npos || r == StringRef::npos)
    return "'" + what.str() + "': malformed .npy header";
  SmallVector<StringRef> parts;
  header.slice(l + 1, r).split(parts, ',');
  out.shape.clear();
  for (StringRef p : parts) {
    p = p.trim();
    int64_t v;
    if (!p.empty() && !p.getAsInteger(10, v))
      out.shape.push_back(v);
  }
  out.data = bytes.substr(offset + headerLen);
  return "";
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

/// Copies `data` (one sample of `type`) into `buf`, checking its size.
std::string fillBuffer(StringRef data, RankedTensorType type, StringRef what,
                       Buffer &buf) {
  size_t need = type.getNumElements() * elementBytes(type.getElementType());
  if (data.size() != need)
    return "calibration file '" + what.str() + "' holds " +
           std::to_string(data.size()) +
           " data bytes, the model input needs " + std::to_string(need) +
           " (wrong dtype?)";
  buf.data.assign(data.begin(), data.end());
  buf.bind(type.getShape());
  return "";
}

/// Reads `path` (.npy) into `buf`, checking element size and shape against
/// `type`. Returns an error message or "".
std::string readSample(StringRef path, RankedTensorType type, Buffer &buf) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return "cannot read calibration file '" + path.str() +
           "': " + file.getError().message();
  NpyView npy;
  if (std::string err = parseNpy((*file)->getBuffer(), path, npy); !err.empty())
    return err;
  if (ArrayRef<int64_t>(npy.shape) != type.getShape())
    return "calibration file '" + path.str() + "' has shape " +
           shapeText(npy.shape) + ", the model input needs " +
           shapeText(type.getShape());
  return fillBuffer(npy.data, type, path, buf);
}

/// The stored (uncompressed) members of a .npz (zip) archive, as written by
/// numpy.savez. Returns an error message or "".
std::string readNpz(StringRef bytes, StringRef path,
                    llvm::StringMap<StringRef> &members) {
  auto u16 = [&](size_t at) {
    return (uint32_t)(unsigned char)bytes[at] |
           ((uint32_t)(unsigned char)bytes[at + 1] << 8);
  };
  auto u32 = [&](size_t at) { return u16(at) | (u16(at + 2) << 16); };
  size_t pos = 0;
  while (pos + 30 <= bytes.size() && u32(pos) == 0x04034b50) {
    uint32_t flags = u16(pos + 6), method = u16(pos + 8);
    uint64_t size = u32(pos + 18);
    size_t nameLen = u16(pos + 26), extraLen = u16(pos + 28);
    if (pos + 30 + nameLen + extraLen > bytes.size())
      break;
    StringRef name = bytes.substr(pos + 30, nameLen);
    StringRef extra = bytes.substr(pos + 30 + nameLen, extraLen);
    if (size == 0xFFFFFFFFu) { // zip64: sizes in the extended information
      for (size_t e = 0; e + 4 <= extra.size();) {
        uint32_t id = (unsigned char)extra[e] | ((unsigned char)extra[e + 1] << 8);
        uint32_t len =
            (unsigned char)extra[e + 2] | ((unsigned char)extra[e + 3] << 8);
        if (id == 1 && len >= 16 && e + 4 + 16 <= extra.size()) {
          size = 0;
          for (int i = 7; i >= 0; --i)
            size = (size << 8) | (unsigned char)extra[e + 4 + 8 + i];
        }
        e += 4 + len;
      }
    }
    if (method != 0)
      return "'" + path.str() + "': member '" + name.str() +
             "' is compressed; write the samples with numpy.savez, not "
             "savez_compressed";
    if (flags & 8)
      return "'" + path.str() + "': streamed zip members are not supported";
    size_t start = pos + 30 + nameLen + extraLen;
    if (start + size > bytes.size())
      return "'" + path.str() + "' is truncated";
    members[name] = bytes.substr(start, size);
    pos = start + size;
  }
  if (members.empty())
    return "'" + path.str() + "' is not a .npz archive";
  return "";
}

struct QccCalibratePass : qcc::impl::QccCalibrateBase<QccCalibratePass> {
  using QccCalibrateBase::QccCalibrateBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    std::optional<calib::Method> m = calib::parseMethod(method);
    if (!m) {
      module.emitError("qcc-calibrate: unknown method '") << method << "'";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func || data.empty()) {
      module.emitError("qcc-calibrate: needs the entry function and a data "
                       "directory (data=DIR)");
      return signalPassFailure();
    }
    // The activations to observe: input 0 of every contraction/convolution
    // that is not a constant.
    SmallVector<Operation *> observed;
    func.walk([&](Operation *op) {
      if (isa<MatMulOp, GemmOp, ConvOp>(op) &&
          !op->getOperand(0).getDefiningOp<arith::ConstantOp>() &&
          cast<RankedTensorType>(op->getOperand(0).getType())
              .getElementType()
              .isF32()) {
        op->setAttr("qcc.observe",
                    IntegerAttr::get(IntegerType::get(ctx, 64),
                                     observed.size()));
        observed.push_back(op);
      }
    });
    auto cleanup = llvm::make_scope_exit([&] {
      for (Operation *op : observed)
        op->removeAttr("qcc.observe");
    });
    if (observed.empty())
      return;
    if (!func.getFunctionType().getInputs().empty() &&
        llvm::any_of(func.getFunctionType().getInputs(), [](Type t) {
          return !cast<RankedTensorType>(t).hasStaticShape();
        })) {
      module.emitError("qcc-calibrate: calibration needs static input "
                       "shapes; fix them with --input-shape");
      return signalPassFailure();
    }

    // Instrumented clone: observed activations become extra results.
    OwningOpRef<ModuleOp> clone = module.clone();
    auto cloneFunc = clone->lookupSymbol<func::FuncOp>(entryName);
    SmallVector<Value> extra(observed.size());
    cloneFunc.walk([&](Operation *op) {
      if (auto id = op->getAttrOfType<IntegerAttr>("qcc.observe")) {
        extra[id.getInt()] = op->getOperand(0);
        op->removeAttr("qcc.observe");
      }
    });
    auto ret = cast<func::ReturnOp>(cloneFunc.getBody().back().getTerminator());
    unsigned numResults = ret.getNumOperands();
    SmallVector<Value> results(ret.getOperands());
    results.append(extra.begin(), extra.end());
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    cloneFunc.setType(FunctionType::get(
        ctx, cloneFunc.getFunctionType().getInputs(),
        ValueRange(results).getTypes()));
    SmallVector<Type> resultTypes(ValueRange(results).getTypes());

    PassManager pm(ctx);
    CpuPipelineOptions options;
    options.optLevel = 1;
    options.entry = entryName;
    buildCpuPipeline(pm, options);
    if (failed(pm.run(*clone))) {
      module.emitError("qcc-calibrate: compiling the instrumented model "
                       "failed");
      return signalPassFailure();
    }
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    registerBuiltinDialectTranslation(*ctx);
    registerLLVMDialectTranslation(*ctx);
    ExecutionEngineOptions engineOptions;
    auto engine = ExecutionEngine::create(*clone, engineOptions);
    if (!engine) {
      module.emitError("qcc-calibrate: JIT failed: ")
          << llvm::toString(engine.takeError());
      return signalPassFailure();
    }
    (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap map;
      map[interner("memrefCopy")] = {
          llvm::orc::ExecutorAddr::fromPtr(&qccCalibMemrefCopy),
          llvm::JITSymbolFlags::Exported};
      return map;
    });
    auto invokeSym = (*engine)->lookup("__qcc_model_invoke");
    if (!invokeSym) {
      module.emitError("qcc-calibrate: ")
          << llvm::toString(invokeSym.takeError());
      return signalPassFailure();
    }
    auto invoke = reinterpret_cast<void (*)(void **)>(*invokeSym);

    // Samples: sorted subdirectories of `data`, each with <input>.npy, or
    // a .npz mapping each input name to its samples stacked on a new
    // leading axis.
    auto inputTypes = func.getFunctionType().getInputs();
    auto inputName = [&](unsigned i) {
      auto name = func.getArgAttrOfType<StringAttr>(i, "qcc.name");
      return name ? name.getValue().str() : "input_" + std::to_string(i);
    };
    std::unique_ptr<llvm::MemoryBuffer> npzFile;
    SmallVector<NpyView> npzInputs;
    SmallVector<std::string> samples;
    int64_t numSamples = 0;
    if (StringRef(data).ends_with(".npz")) {
      auto file = llvm::MemoryBuffer::getFile(data, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
      if (!file) {
        module.emitError("qcc-calibrate: cannot read calibration data '")
            << data << "': " << file.getError().message();
        return signalPassFailure();
      }
      npzFile = std::move(*file);
      llvm::StringMap<StringRef> members;
      std::string err = readNpz(npzFile->getBuffer(), data, members);
      for (unsigned i = 0; err.empty() && i < inputTypes.size(); ++i) {
        std::string member = inputName(i) + ".npy";
        auto it = members.find(member);
        if (it == members.end()) {
          err = "'" + data + "' has no array named '" + inputName(i) + "'";
          break;
        }
        NpyView view;
        err = parseNpy(it->second, data + ":" + member, view);
        auto type = cast<RankedTensorType>(inputTypes[i]);
        if (err.empty() &&
            (view.shape.empty() ||
             ArrayRef<int64_t>(view.shape).drop_front() != type.getShape()))
          err = "array '" + inputName(i) + "' in '" + data + "' has shape " +
                shapeText(view.shape) + ", expected [samples]x" +
                shapeText(type.getShape());
        if (err.empty() && i > 0 && view.shape[0] != numSamples)
          err = "arrays in '" + data + "' hold different sample counts";
        if (err.empty()) {
          numSamples = view.shape[0];
          npzInputs.push_back(view);
        }
      }
      if (!err.empty()) {
        module.emitError("qcc-calibrate: ") << err;
        return signalPassFailure();
      }
    } else {
      std::error_code ec;
      for (llvm::sys::fs::directory_iterator it(data, ec), end;
           it != end && !ec; it.increment(ec))
        if (llvm::sys::fs::is_directory(it->path()))
          samples.push_back(it->path());
      if (ec || samples.empty()) {
        module.emitError("qcc-calibrate: cannot read calibration data '")
            << data << "'"
            << (ec ? ": " + ec.message() : ": no sample directories");
        return signalPassFailure();
      }
      llvm::sort(samples);
      numSamples = samples.size();
    }
    if (numSamples == 0) {
      module.emitError("qcc-calibrate: '") << data << "' holds no samples";
      return signalPassFailure();
    }
    auto loadInput = [&](int64_t s, unsigned i, Buffer &buf) -> std::string {
      auto type = cast<RankedTensorType>(inputTypes[i]);
      if (!npzInputs.empty()) {
        size_t bytes = npzInputs[i].data.size() / numSamples;
        return fillBuffer(npzInputs[i].data.substr(s * bytes, bytes), type,
                          data + ":" + inputName(i) + ".npy", buf);
      }
      SmallString<256> path(samples[s]);
      llvm::sys::path::append(path, inputName(i) + ".npy");
      return readSample(path, type, buf);
    };
    std::vector<calib::RangeObserver> observers(observed.size());
    auto start = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < numSamples; ++s) {
      std::vector<Buffer> buffers(inputTypes.size() + resultTypes.size());
      for (unsigned i = 0; i < inputTypes.size(); ++i) {
        std::string err = loadInput(s, i, buffers[i]);
        if (!err.empty()) {
          module.emitError("qcc-calibrate: ") << err;
          return signalPassFailure();
        }
      }
      for (auto [j, t] : llvm::enumerate(resultTypes)) {
        auto type = cast<RankedTensorType>(t);
        Buffer &buf = buffers[inputTypes.size() + j];
        buf.data.assign(type.getNumElements() *
                            elementBytes(type.getElementType()),
                        0);
        buf.bind(type.getShape());
      }
      std::vector<void *> args;
      for (Buffer &buf : buffers)
        args.push_back(buf.desc.data());
      invoke(args.data());
      for (size_t k = 0; k < observed.size(); ++k) {
        Buffer &buf = buffers[inputTypes.size() + numResults + k];
        observers[k].observe(ArrayRef<float>(
            reinterpret_cast<const float *>(buf.data.data()),
            buf.data.size() / sizeof(float)));
      }
      double elapsed = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      double eta = elapsed / (s + 1) * (numSamples - s - 1);
      llvm::errs() << llvm::format("\rqcc-calibrate: %lld/%lld samples, "
                                   "ETA %.1f s   ",
                                   (long long)s + 1, (long long)numSamples,
                                   eta);
    }
    llvm::errs() << "\n";
    Builder attrs(ctx);
    for (auto [k, op] : llvm::enumerate(observed)) {
      const calib::RangeObserver &o = observers[k];
      op->setAttr("qcc.calibration",
                  attrs.getDictionaryAttr(
                      {attrs.getNamedAttr("method", attrs.getStringAttr(method)),
                       attrs.getNamedAttr("min", attrs.getF32FloatAttr(o.min())),
                       attrs.getNamedAttr("max", attrs.getF32FloatAttr(o.max())),
                       attrs.getNamedAttr(
                           "threshold",
                           attrs.getF32FloatAttr(o.threshold(*m, percentile))),
                       attrs.getNamedAttr("samples",
                                          attrs.getI64IntegerAttr(
                                              numSamples))}));
    }
  }
};
} // namespace
