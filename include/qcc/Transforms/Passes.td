//===- Passes.td - qcc transformation passes ---------------*- tablegen -*-===//

#ifndef QCC_TRANSFORMS_PASSES
#define QCC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def QccExportSignature : Pass<"qcc-export-signature", "ModuleOp"> {
  let summary = "Record the entry function's ONNX signature on the module";
  let description = [{
    Reads the entry function's argument and result types (with their
    ONNX element types: ui8, i1 for bool, ...) and names (`qcc.name`
    argument/result attributes, defaulting to `input_<i>` / `output_<i>`)
    and stores them as the `qcc.signature` module attribute, which survives
    lowering and is turned into the compiled model's C ABI metadata.
  }];
  let options = [
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
}

#endif // QCC_TRANSFORMS_PASSES
