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

def QccTileAndVectorize : Pass<"qcc-tile-and-vectorize", "func::FuncOp"> {
  let summary = "Tile linalg ops on tensors to vector-sized tiles and vectorize";
  let description = [{
    For every linalg op with static shapes: tiles the innermost parallel loop
    (and, for contractions, the next parallel loop and the innermost
    reduction loop) with `scf.for` to sizes that divide the loop bounds and
    fit the target's vector registers, then vectorizes each tile with
    `linalg::vectorize`. Ops the vectorizer does not support (strided
    convolution windows, gathers) keep their tiled scalar form, which the
    later LLVM pipeline still vectorizes where it can.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "Elements per vector along the innermost dimension">,
    Option<"rowTile", "row-tile", "int64_t", "4",
           "Rows of a contraction computed per tile">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect"
  ];
}

#endif // QCC_TRANSFORMS_PASSES
