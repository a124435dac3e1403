//===- QccDialect.h - qcc dialect -------------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_QCCDIALECT_H
#define QCC_DIALECT_QCC_QCCDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Dialect.h"
#include "qcc/Dialect/Qcc/QccAttrs.h"

#include "qcc/Dialect/Qcc/QccOpsDialect.h.inc"

#endif // QCC_DIALECT_QCC_QCCDIALECT_H
