//===- QccToLinalg.cpp - lower qcc ops to linalg/tensor/arith/math --------===//
// (being written)
#include "qcc/Conversion/Passes.h"
#include "qcc/QccOps.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_CONVERTQCCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {
struct ConvertQccToLinalgPass
    : qcc::impl::ConvertQccToLinalgBase<ConvertQccToLinalgPass> {
  void runOnOperation() override {}
};
} // namespace
