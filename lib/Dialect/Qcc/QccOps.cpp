//===- QccOps.cpp - the generated qcc operation classes -------------------===//
//
// The ODS-generated definitions of every qcc operation (accessors, builders,
// parsers/printers, invariant checks). Hand-written verifiers and folders are
// in the per-family files next to this one.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::qcc;

#define GET_OP_CLASSES
#include "qcc/Dialect/Qcc/QccOps.cpp.inc"
