//===- InitAllDialects.h - register the dialects qcc uses -------*- C++ -*-===//
#ifndef QCC_INITALLDIALECTS_H
#define QCC_INITALLDIALECTS_H

#include "qcc/Dialect/Qcc/QccDialect.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::qcc {

/// The qcc dialect and the upstream quant dialect its types come from.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<QccDialect, quant::QuantDialect>();
}

} // namespace mlir::qcc

#endif // QCC_INITALLDIALECTS_H
