//===- QuantReport.h - per-layer quantization report ------------*- C++ -*-===//
//
// Compares a quantized module against the float module it came from: for
// every layer a quantization pass recorded (`qcc.quant`), its bits,
// granularity, scale range and weight bytes, and, given samples, the SQNR
// of its output against the float layer's output; plus the whole model's
// weight bytes and output SQNR. Written as JSON or as a self-contained HTML
// page with SVG charts.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CALIBRATION_QUANTREPORT_H
#define QCC_CALIBRATION_QUANTREPORT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::qcc {

/// Writes the report for `quantModule` (derived from `floatModule`) to
/// `path` (`.html` for HTML, anything else JSON). `samples` (a SampleSet
/// path; may be empty) provides the inputs the SQNRs are measured on.
/// Returns an error message or "".
std::string writeQuantReport(ModuleOp floatModule, ModuleOp quantModule,
                             StringRef entry, StringRef samples,
                             StringRef path);

/// Bytes of the tensor constants in use in `module` (the model's weights).
int64_t constantBytes(ModuleOp module);

} // namespace mlir::qcc

#endif // QCC_CALIBRATION_QUANTREPORT_H
