//===- QccAttrs.h - qcc attributes ------------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_QCCATTRS_H
#define QCC_DIALECT_QCC_QCCATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>

#include "qcc/Dialect/Qcc/QccEnums.h.inc"

namespace mlir::qcc::detail {
// Written by hand in lib/Dialect/Qcc/QccAttrs.cpp (genStorageClass = 0).
struct QuantRecordAttrStorage;
struct CalibrationAttrStorage;
} // namespace mlir::qcc::detail

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/Qcc/QccAttrs.h.inc"

#endif // QCC_DIALECT_QCC_QCCATTRS_H
