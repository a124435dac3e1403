//===- Passes.h - qcc conversion passes -------------------------*- C++ -*-===//
#ifndef QCC_CONVERSION_PASSES_H
#define QCC_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace qcc {

#define GEN_PASS_DECL
#include "qcc/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite qcc ops into linalg/tensor/arith/math.
/// `typeConverter` maps unsigned integer element types to signless ones.
void populateQccToLinalgPatterns(const TypeConverter &typeConverter,
                                 RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "qcc/Conversion/Passes.h.inc"

} // namespace qcc
} // namespace mlir

#endif // QCC_CONVERSION_PASSES_H
