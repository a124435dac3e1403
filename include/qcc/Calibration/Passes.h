//===- Passes.h - passes that run the model ---------------------*- C++ -*-===//
#ifndef QCC_CALIBRATION_PASSES_H
#define QCC_CALIBRATION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qcc {

#define GEN_PASS_DECL
#include "qcc/Calibration/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Calibration/Passes.h.inc"

} // namespace mlir::qcc

#endif // QCC_CALIBRATION_PASSES_H
