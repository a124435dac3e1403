//===- OnnxImporter.h - ONNX model to qcc dialect ---------------*- C++ -*-===//
#ifndef QCC_IMPORT_ONNXIMPORTER_H
#define QCC_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir {
class MLIRContext;
namespace qcc {

struct OnnxImportOptions {
  /// Static shapes for graph inputs (`--input-shape NAME=1x3x224x224`);
  /// they replace the model's declared (possibly symbolic) dimensions.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Keep input dimensions that are symbolic in the model (and not fixed by
  /// inputShapes) dynamic; otherwise they are an error.
  bool allowDynamic = true;
  /// Name of the generated entry function.
  std::string entryName = "main";
  /// Initializers with more elements than this are stored as dense
  /// resources (binary blobs), never as textual attribute lists.
  int64_t resourceThreshold = 64;
};

/// Parses the ONNX model at `path` (external data is resolved against its
/// directory), runs ONNX shape inference and builds a module with one
/// `func.func @<entry>` in the qcc dialect. Problems are reported through
/// the context's diagnostic engine, with locations naming the ONNX node, and
/// yield a null module.
OwningOpRef<ModuleOp> importOnnxModel(llvm::StringRef path, MLIRContext *ctx,
                                      const OnnxImportOptions &options);

/// Registers the dialects the importer produces into `ctx`.
void loadImporterDialects(MLIRContext *ctx);

} // namespace qcc
} // namespace mlir

#endif // QCC_IMPORT_ONNXIMPORTER_H
