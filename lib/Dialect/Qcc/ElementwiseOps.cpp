//===- ElementwiseOps.cpp - qcc elementwise op verifiers and folders ------===//

#include "Verification.h"
#include "qcc/Dialect/Qcc/QccOps.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::detail;

LogicalResult CastOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

#define QCC_BINARY_VERIFIER(OP)                                                \
  LogicalResult OP::verify() {                                                 \
    return verifyBroadcastResult(*this, getOperands(), getOutput());           \
  }
QCC_BINARY_VERIFIER(AddOp)
QCC_BINARY_VERIFIER(SubOp)
QCC_BINARY_VERIFIER(MulOp)
QCC_BINARY_VERIFIER(DivOp)
QCC_BINARY_VERIFIER(PowOp)
QCC_BINARY_VERIFIER(MaxOp)
QCC_BINARY_VERIFIER(MinOp)
QCC_BINARY_VERIFIER(AndOp)
QCC_BINARY_VERIFIER(OrOp)
QCC_BINARY_VERIFIER(XorOp)
QCC_BINARY_VERIFIER(EqualOp)
QCC_BINARY_VERIFIER(LessOp)
QCC_BINARY_VERIFIER(LessEqualOp)
QCC_BINARY_VERIFIER(GreaterOp)
QCC_BINARY_VERIFIER(GreaterEqualOp)
QCC_BINARY_VERIFIER(BitshiftLeftOp)
QCC_BINARY_VERIFIER(BitshiftRightOp)
QCC_BINARY_VERIFIER(BitwiseAndOp)
QCC_BINARY_VERIFIER(BitwiseOrOp)
QCC_BINARY_VERIFIER(BitwiseXorOp)
QCC_BINARY_VERIFIER(PreluOp)
QCC_BINARY_VERIFIER(ModOp)
QCC_BINARY_VERIFIER(WhereOp)
#undef QCC_BINARY_VERIFIER
