//===- ExportSignature.cpp - record the model signature on the module -----===//
//
// The entry function's types change during lowering (ui8 becomes i8,
// tensors become memrefs and then LLVM structs); the compiled model's C ABI
// needs the original ONNX names, element types and shapes. This pass copies
// them into a `qcc.signature` module attribute before any lowering.
//
//===----------------------------------------------------------------------===//

#include "qcc/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCEXPORTSIGNATURE
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// Builds `{name = "...", type = tensor<...>}` for one argument or result.
static DictionaryAttr describeValue(Builder &b, Type type, DictionaryAttr attrs,
                                    StringRef defaultPrefix, unsigned index) {
  StringAttr name;
  if (attrs)
    name = dyn_cast_or_null<StringAttr>(attrs.get("qcc.name"));
  if (!name)
    name = b.getStringAttr(defaultPrefix + Twine(index));
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", name),
      b.getNamedAttr("type", TypeAttr::get(type))};
  // Symbols of the dynamic dimensions (ONNX dim_params), when any.
  if (attrs)
    if (auto dims = dyn_cast_or_null<ArrayAttr>(attrs.get("qcc.dims")))
      fields.push_back(b.getNamedAttr("dims", dims));
  return b.getDictionaryAttr(fields);
}

struct QccExportSignaturePass
    : qcc::impl::QccExportSignatureBase<QccExportSignaturePass> {
  using QccExportSignatureBase::QccExportSignatureBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entryName);
    if (!func) {
      module.emitError("entry function '") << entryName << "' not found";
      return signalPassFailure();
    }
    Builder b(module.getContext());
    FunctionType type = func.getFunctionType();
    SmallVector<Attribute> inputs, outputs;
    for (auto [i, argType] : llvm::enumerate(type.getInputs())) {
      if (!isa<RankedTensorType>(argType)) {
        func.emitError("model input ") << i << " is not a ranked tensor";
        return signalPassFailure();
      }
      inputs.push_back(
          describeValue(b, argType, func.getArgAttrDict(i), "input_", i));
    }
    for (auto [i, resType] : llvm::enumerate(type.getResults())) {
      if (!isa<RankedTensorType>(resType)) {
        func.emitError("model output ") << i << " is not a ranked tensor";
        return signalPassFailure();
      }
      outputs.push_back(
          describeValue(b, resType, func.getResultAttrDict(i), "output_", i));
    }
    // The names now live in the signature; drop the argument attributes so
    // that lowering to LLVM does not carry them along.
    for (unsigned i = 0; i < type.getNumInputs(); ++i) {
      func.removeArgAttr(i, b.getStringAttr("qcc.name"));
      func.removeArgAttr(i, b.getStringAttr("qcc.dims"));
    }
    for (unsigned i = 0; i < type.getNumResults(); ++i) {
      func.removeResultAttr(i, b.getStringAttr("qcc.name"));
      func.removeResultAttr(i, b.getStringAttr("qcc.dims"));
    }
    // The C ABI shim calls the entry through its C interface wrapper.
    func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    module->setAttr("qcc.signature",
                    b.getDictionaryAttr(
                        {b.getNamedAttr("entry", b.getStringAttr(entryName)),
                         b.getNamedAttr("inputs", b.getArrayAttr(inputs)),
                         b.getNamedAttr("outputs", b.getArrayAttr(outputs))}));
  }
};
} // namespace
