//===- QccToLinalg.cpp - qcc tensor ops to linalg/tensor/arith/math -------===//
//
// The pass and its type converter (unsigned integers and !quant.uniform
// become signless storage types). The patterns live in one file per op
// family (Patterns.h), the helpers they share in Utils.cpp.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_CONVERTQCCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

void qcc::populateQccToLinalgPatterns(const TypeConverter &typeConverter,
                                      RewritePatternSet &patterns) {
  populateElementwisePatterns(typeConverter, patterns);
  populateContractionPatterns(typeConverter, patterns);
  populateConvolutionPatterns(typeConverter, patterns);
  populatePoolingPatterns(typeConverter, patterns);
  populateReductionPatterns(typeConverter, patterns);
  populateDataMovementPatterns(typeConverter, patterns);
  populateQuantPatterns(typeConverter, patterns);
  populateScatterPatterns(typeConverter, patterns);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct ConvertQccToLinalgPass
    : qcc::impl::ConvertQccToLinalgBase<ConvertQccToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    WalkResult dynamicCheck = getOperation().walk([](Operation *op) {
      // The dialect says which ops take dynamic dimensions
      // (DynamicShapeOpInterface); the others need static shapes.
      if (isa<QccDialect>(op->getDialect()) && !hasLowerableShapes(op)) {
        op->emitError("'")
            << op->getName()
            << "' does not support these dynamic dimensions; fix the model's "
               "input shapes with --input-shape";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (dynamicCheck.wasInterrupted())
      return signalPassFailure();
    TypeConverter typeConverter;
    typeConverter.addConversion([](Type t) { return toSignless(t); });
    auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                          Location loc) -> Value {
      return UnrealizedConversionCastOp::create(b, loc, type, inputs)
          .getResult(0);
    };
    typeConverter.addSourceMaterialization(materialize);
    typeConverter.addTargetMaterialization(materialize);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<QccDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           math::MathDialect, scf::SCFDialect>();
    target.addDynamicallyLegalDialect<arith::ArithDialect>(
        [&](Operation *op) { return typeConverter.isLegal(op); });
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return typeConverter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return typeConverter.isLegal(r); });
    target.addDynamicallyLegalOp<func::CallOp>(
        [&](func::CallOp c) { return typeConverter.isLegal(c); });

    RewritePatternSet patterns(ctx);
    populateQccToLinalgPatterns(typeConverter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
