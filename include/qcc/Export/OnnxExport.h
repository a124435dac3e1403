//===- OnnxExport.h - quantized module back to ONNX -------------*- C++ -*-===//
#ifndef QCC_EXPORT_ONNXEXPORT_H
#define QCC_EXPORT_ONNXEXPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace qcc {

/// Writes the ONNX model at `originalModelPath` to `outputPath` with every
/// layer that the quantization passes recorded in `module` (`qcc.quant`)
/// replaced by its quantized form, carrying exactly the module's integer
/// weights and scales:
///
///  * weight-only int8 (and int4 Conv, stored as int8 values): integer
///    initializer + DequantizeLinear (per axis; per group via a
///    [rows, group] layout and Reshape/Transpose);
///  * weight-only int4 MatMul/Gemm: com.microsoft.MatMulNBits;
///  * static W8A8: QuantizeLinear -> DequantizeLinear on the activation
///    (the calibrated scale, zero point 0) and DequantizeLinear on the int8
///    weight;
///  * dynamic int8: per-token quantization in standard ops (Abs, ReduceMax,
///    Div, Round, Clip, Cast) + MatMulInteger + rescale.
///
/// Nodes are found by name (the ONNX node name, or its first output's name
/// for unnamed nodes). The default-domain opset is raised only as far as
/// the emitted ops need, and only if no op of the model changes meaning.
/// Problems are reported as diagnostics on the module's context.
LogicalResult exportQuantizedOnnx(ModuleOp module,
                                  llvm::StringRef originalModelPath,
                                  llvm::StringRef outputPath);

} // namespace qcc
} // namespace mlir

#endif // QCC_EXPORT_ONNXEXPORT_H
