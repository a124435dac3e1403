//===- QccOps.h - qcc dialect operations ------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_QCCOPS_H
#define QCC_DIALECT_QCC_QCCOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "qcc/Dialect/Qcc/QccAttrs.h"
#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Dialect/Qcc/QccInterfaces.h"
#include "qcc/Dialect/Qcc/QccTraits.h"

#define GET_OP_CLASSES
#include "qcc/Dialect/Qcc/QccOps.h.inc"

#endif // QCC_DIALECT_QCC_QCCOPS_H
