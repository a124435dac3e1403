//===- QccAttrs.h - qcc enum attributes -------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_QCCATTRS_H
#define QCC_DIALECT_QCC_QCCATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "qcc/Dialect/Qcc/QccEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/Qcc/QccAttrs.h.inc"

#endif // QCC_DIALECT_QCC_QCCATTRS_H
