//===- EmitAbiGlue.cpp - model signature data and packed entry point ------===//
//
// Emits, in the LLVM dialect, the two symbols that lib/Runtime/ModelABI.c
// builds the public C ABI on (see include/qcc/Runtime/ModelGlue.h):
//
//   const qcc_model_meta __qcc_model_meta;   // names, dtypes, shapes
//   void __qcc_model_invoke(void **args);    // calls _mlir_ciface_<entry>
//
// The signature comes from the `qcc.signature` module attribute written by
// --qcc-export-signature before lowering, so it still carries the ONNX
// element types (ui8, i1 for bool) that lowering erased.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"
#include "qcc/Target/CpuTarget.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCEMITABIGLUE
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// The ONNX TensorProto data type code of `type` (qcc_dtype in the ABI), or
/// 0 if the ABI has no code for it.
static int32_t onnxDataType(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = intType.isUnsigned();
    switch (intType.getWidth()) {
    case 1:
      return 9;
    case 8:
      return isUnsigned ? 2 : 3;
    case 16:
      return isUnsigned ? 4 : 5;
    case 32:
      return isUnsigned ? 12 : 6;
    case 64:
      return isUnsigned ? 13 : 7;
    default:
      return 0;
    }
  }
  return 0;
}

class GlueBuilder {
public:
  GlueBuilder(ModuleOp module)
      : module(module), ctx(module.getContext()),
        b(OpBuilder::atBlockEnd(module.getBody())), loc(module.getLoc()),
        ptrType(LLVM::LLVMPointerType::get(ctx)),
        i32Type(IntegerType::get(ctx, 32)), i64Type(IntegerType::get(ctx, 64)),
        infoType(LLVM::LLVMStructType::getLiteral(
            ctx, {ptrType, i32Type, i32Type, ptrType})) {}

  /// Emits the metadata for `inputs` and `outputs` (arrays of
  /// {name, type} dictionaries).
  LogicalResult emitMeta(ArrayAttr inputs, ArrayAttr outputs) {
    FailureOr<LLVM::GlobalOp> inputTable = emitInfoTable("inputs", inputs);
    FailureOr<LLVM::GlobalOp> outputTable = emitInfoTable("outputs", outputs);
    if (failed(inputTable) || failed(outputTable))
      return failure();
    // Dynamic dimension symbols: bound by inputs, used by outputs.
    llvm::StringMap<int32_t> symbolIds;
    SmallVector<StringRef> symbolNames;
    SmallVector<int32_t> inputSyms, outputSyms;
    for (Attribute a : inputs)
      if (failed(collectSymbols(cast<DictionaryAttr>(a), symbolIds,
                                symbolNames, inputSyms, /*define=*/true)))
        return failure();
    for (Attribute a : outputs)
      if (failed(collectSymbols(cast<DictionaryAttr>(a), symbolIds,
                                symbolNames, outputSyms, /*define=*/false)))
        return failure();
    LLVM::GlobalOp namesTable, inSymTable, outSymTable;
    if (!symbolNames.empty()) {
      SmallVector<LLVM::GlobalOp> names;
      for (auto [i, n] : llvm::enumerate(symbolNames))
        names.push_back(emitString(("__qcc_symbol_" + Twine(i)).str(), n));
      auto arrayType = LLVM::LLVMArrayType::get(ptrType, names.size());
      namesTable = LLVM::GlobalOp::create(
          b, loc, arrayType, /*isConstant=*/true, LLVM::Linkage::Private,
          "__qcc_symbol_names", Attribute(), /*alignment=*/8);
      buildInitializer(namesTable, [&](OpBuilder &ib) -> Value {
        Value arr = LLVM::UndefOp::create(ib, loc, arrayType);
        for (auto [i, g] : llvm::enumerate(names))
          arr = LLVM::InsertValueOp::create(ib, loc, arr,
                                            addressOrNull(ib, g),
                                            ArrayRef<int64_t>{(int64_t)i});
        return arr;
      });
      inSymTable = emitI32Array("__qcc_input_dim_symbols", inputSyms);
      outSymTable = emitI32Array("__qcc_output_dim_symbols", outputSyms);
    }
    // The target and the CPU features its code may use, for the runtime's
    // check before the first run (empty without an llvm.target).
    std::string targetName, cpuFeatures;
    if (std::optional<qcc::CpuTarget> target = qcc::getModuleTarget(module)) {
      targetName = target->triple + " " + target->cpu;
      cpuFeatures =
          qcc::getRuntimeCheckedFeatures(target->triple, target->features);
    }
    LLVM::GlobalOp targetString = emitString("__qcc_target", targetName);
    LLVM::GlobalOp featureString =
        emitString("__qcc_cpu_features", cpuFeatures);
    auto metaType = LLVM::LLVMStructType::getLiteral(
        ctx, {i64Type, i64Type, ptrType, ptrType, i64Type, ptrType, ptrType,
              ptrType, ptrType, ptrType});
    auto meta =
        LLVM::GlobalOp::create(b, loc, metaType, /*isConstant=*/true,
                               LLVM::Linkage::External, "__qcc_model_meta",
                               Attribute(), /*alignment=*/8);
    buildInitializer(meta, [&](OpBuilder &ib) -> Value {
      Value v = LLVM::UndefOp::create(ib, loc, metaType);
      v = insert(ib, v, constI64(ib, inputs.size()), 0);
      v = insert(ib, v, constI64(ib, outputs.size()), 1);
      v = insert(ib, v, addressOrNull(ib, *inputTable), 2);
      v = insert(ib, v, addressOrNull(ib, *outputTable), 3);
      v = insert(ib, v, constI64(ib, symbolNames.size()), 4);
      v = insert(ib, v, addressOrNull(ib, namesTable), 5);
      v = insert(ib, v, addressOrNull(ib, inSymTable), 6);
      v = insert(ib, v, addressOrNull(ib, outSymTable), 7);
      v = insert(ib, v, addressOrNull(ib, targetString), 8);
      v = insert(ib, v, addressOrNull(ib, featureString), 9);
      return v;
    });
    return success();
  }

  /// Emits `void __qcc_model_invoke(void **args)` calling `cifaceName` with
  /// the `numArgs` descriptor pointers.
  LogicalResult emitInvoke(StringRef cifaceName, unsigned numArgs) {
    auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(cifaceName);
    if (!ciface)
      return module.emitError("C interface function '")
             << cifaceName << "' not found; was the entry function lowered "
             << "with llvm.emit_c_interface?";
    if (ciface.getNumArguments() != numArgs)
      return ciface.emitError("expected ")
             << numArgs << " descriptor arguments (inputs + outputs), found "
             << ciface.getNumArguments();
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto fnType = LLVM::LLVMFunctionType::get(voidType, {ptrType});
    auto invoke = LLVM::LLVMFuncOp::create(b, loc, "__qcc_model_invoke", fnType);
    Block *entry = invoke.addEntryBlock(b);
    OpBuilder fb = OpBuilder::atBlockEnd(entry);
    Value argv = entry->getArgument(0);
    SmallVector<Value> args;
    for (unsigned i = 0; i < numArgs; ++i) {
      Value slot = LLVM::GEPOp::create(fb, loc, ptrType, ptrType, argv,
                                       ArrayRef<LLVM::GEPArg>{(int32_t)i});
      args.push_back(LLVM::LoadOp::create(fb, loc, ptrType, slot));
    }
    LLVM::CallOp::create(fb, loc, ciface, args);
    LLVM::ReturnOp::create(fb, loc, ValueRange());
    return success();
  }

private:
  /// Appends the symbol id of every dimension of `entry` (-1 when static)
  /// to `ids`. Inputs define symbols; every dynamic output dimension must
  /// use one an input defines, or the model could not size its output.
  LogicalResult collectSymbols(DictionaryAttr entry,
                               llvm::StringMap<int32_t> &symbolIds,
                               SmallVectorImpl<StringRef> &symbolNames,
                               SmallVectorImpl<int32_t> &ids, bool define) {
    auto type = cast<RankedTensorType>(entry.getAs<TypeAttr>("type").getValue());
    auto dims = entry.getAs<ArrayAttr>("dims");
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d)) {
        ids.push_back(-1);
        continue;
      }
      StringRef name;
      if (dims && d < (int64_t)dims.size())
        if (auto s = dyn_cast<StringAttr>(dims[d]))
          name = s.getValue();
      auto it = symbolIds.find(name);
      if (!name.empty() && it != symbolIds.end()) {
        ids.push_back(it->second);
        continue;
      }
      if (!define || name.empty())
        return module.emitError(define ? "input '" : "output '")
               << entry.getAs<StringAttr>("name").getValue() << "' dimension "
               << d << (name.empty() ? "" : " ('" + name.str() + "')")
               << " is dynamic but not tied to an input dimension, so the "
                  "compiled model cannot size it; fix the input shapes with "
                  "--input-shape";
      symbolIds[name] = symbolNames.size();
      ids.push_back(symbolNames.size());
      symbolNames.push_back(name);
    }
    return success();
  }

  LLVM::GlobalOp emitI32Array(StringRef symbol, ArrayRef<int32_t> values) {
    if (values.empty())
      return nullptr;
    auto type = LLVM::LLVMArrayType::get(i32Type, values.size());
    auto value = DenseIntElementsAttr::get(
        RankedTensorType::get({(int64_t)values.size()}, i32Type), values);
    return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Private, symbol, value,
                                  /*alignment=*/4);
  }

  template <typename Fn>
  void buildInitializer(LLVM::GlobalOp global, Fn &&body) {
    Block *block = b.createBlock(&global.getInitializerRegion());
    OpBuilder ib = OpBuilder::atBlockEnd(block);
    Value v = body(ib);
    LLVM::ReturnOp::create(ib, loc, v);
    b.setInsertionPointToEnd(module.getBody());
  }

  Value constI64(OpBuilder &ib, int64_t v) {
    return LLVM::ConstantOp::create(ib, loc, i64Type, ib.getI64IntegerAttr(v));
  }
  Value constI32(OpBuilder &ib, int32_t v) {
    return LLVM::ConstantOp::create(ib, loc, i32Type, ib.getI32IntegerAttr(v));
  }
  Value insert(OpBuilder &ib, Value aggregate, Value v, int64_t pos) {
    return LLVM::InsertValueOp::create(ib, loc, aggregate, v, pos);
  }
  Value addressOrNull(OpBuilder &ib, LLVM::GlobalOp global) {
    if (!global)
      return LLVM::ZeroOp::create(ib, loc, ptrType);
    return LLVM::AddressOfOp::create(ib, loc, global);
  }

  LLVM::GlobalOp emitString(StringRef symbol, StringRef text) {
    std::string withNul = text.str();
    withNul.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                         withNul.size());
    return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Private, symbol,
                                  b.getStringAttr(withNul));
  }

  LLVM::GlobalOp emitShape(StringRef symbol, ArrayRef<int64_t> shape) {
    if (shape.empty())
      return nullptr;
    SmallVector<int64_t> dims;
    for (int64_t d : shape)
      dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
    auto type = LLVM::LLVMArrayType::get(i64Type, dims.size());
    auto value = DenseIntElementsAttr::get(
        RankedTensorType::get({(int64_t)dims.size()}, i64Type), dims);
    return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                  LLVM::Linkage::Private, symbol, value,
                                  /*alignment=*/8);
  }

  /// Emits a `qcc_tensor_info[n]` array for `entries`; null if empty.
  FailureOr<LLVM::GlobalOp> emitInfoTable(StringRef kind, ArrayAttr entries) {
    struct Entry {
      LLVM::GlobalOp name, shape;
      int32_t dtype;
      int32_t rank;
    };
    SmallVector<Entry> table;
    for (auto [i, attr] : llvm::enumerate(entries)) {
      auto dict = dyn_cast<DictionaryAttr>(attr);
      auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
      auto typeAttr = dict ? dict.getAs<TypeAttr>("type") : TypeAttr();
      auto tensorType =
          typeAttr ? dyn_cast<RankedTensorType>(typeAttr.getValue()) : nullptr;
      if (!name || !tensorType)
        return module.emitError("malformed qcc.signature entry: ") << attr;
      int32_t dtype = onnxDataType(tensorType.getElementType());
      if (!dtype)
        return module.emitError("model ")
               << kind << " '" << name.getValue() << "' has element type "
               << tensorType.getElementType()
               << " which the qcc C ABI cannot describe";
      std::string prefix = ("__qcc_" + kind + "_" + Twine(i)).str();
      table.push_back({emitString(prefix + "_name", name.getValue()),
                       emitShape(prefix + "_shape", tensorType.getShape()),
                       dtype, (int32_t)tensorType.getRank()});
    }
    if (table.empty())
      return LLVM::GlobalOp();
    auto arrayType = LLVM::LLVMArrayType::get(infoType, table.size());
    auto global = LLVM::GlobalOp::create(
        b, loc, arrayType, /*isConstant=*/true, LLVM::Linkage::Private,
        ("__qcc_" + kind + "_info").str(), Attribute(), /*alignment=*/8);
    buildInitializer(global, [&](OpBuilder &ib) -> Value {
      Value array = LLVM::UndefOp::create(ib, loc, arrayType);
      for (auto [i, e] : llvm::enumerate(table)) {
        Value info = LLVM::UndefOp::create(ib, loc, infoType);
        info = insert(ib, info, addressOrNull(ib, e.name), 0);
        info = insert(ib, info, constI32(ib, e.dtype), 1);
        info = insert(ib, info, constI32(ib, e.rank), 2);
        info = insert(ib, info, addressOrNull(ib, e.shape), 3);
        array = LLVM::InsertValueOp::create(
            ib, loc, array, info, ArrayRef<int64_t>{(int64_t)i});
      }
      return array;
    });
    return global;
  }

  ModuleOp module;
  MLIRContext *ctx;
  OpBuilder b;
  Location loc;
  Type ptrType, i32Type, i64Type;
  LLVM::LLVMStructType infoType;
};

struct QccEmitAbiGluePass : qcc::impl::QccEmitAbiGlueBase<QccEmitAbiGluePass> {
  using QccEmitAbiGlueBase::QccEmitAbiGlueBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto signature = module->getAttrOfType<DictionaryAttr>("qcc.signature");
    if (!signature) {
      module.emitError("missing qcc.signature module attribute; run "
                       "--qcc-export-signature before lowering");
      return signalPassFailure();
    }
    auto inputs = signature.getAs<ArrayAttr>("inputs");
    auto outputs = signature.getAs<ArrayAttr>("outputs");
    if (!inputs || !outputs) {
      module.emitError("malformed qcc.signature attribute");
      return signalPassFailure();
    }
    GlueBuilder glue(module);
    if (failed(glue.emitMeta(inputs, outputs)) ||
        failed(glue.emitInvoke("_mlir_ciface_" + entryName.getValue(),
                               inputs.size() + outputs.size())))
      return signalPassFailure();
  }
};
} // namespace
