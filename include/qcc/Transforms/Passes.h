//===- Passes.h - qcc transformation passes ---------------------*- C++ -*-===//
#ifndef QCC_TRANSFORMS_PASSES_H
#define QCC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace qcc {

#define GEN_PASS_DECL
#include "qcc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Transforms/Passes.h.inc"

} // namespace qcc
} // namespace mlir

#endif // QCC_TRANSFORMS_PASSES_H
