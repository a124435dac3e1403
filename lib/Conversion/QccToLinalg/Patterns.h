//===- Patterns.h - the op families of qcc-to-linalg ------------*- C++ -*-===//
//
// One populate function per op family, each defined in the file of that
// name; the pass (QccToLinalg.cpp) adds them all.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_CONVERSION_QCCTOLINALG_PATTERNS_H
#define QCC_LIB_CONVERSION_QCCTOLINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::qcc::lowering {

/// Elementwise.cpp: unary, binary, where, cast, broadcast_to (one
/// linalg.generic each) and unsigned arith.constant.
void populateElementwisePatterns(const TypeConverter &tc,
                                 RewritePatternSet &patterns);
/// Whether `op` is one of the ops populateElementwisePatterns lowers to a
/// linalg.generic.
bool isElementwiseOp(Operation *op);

/// Contractions.cpp: matmul, matmul_integer, gemm.
void populateContractionPatterns(const TypeConverter &tc,
                                 RewritePatternSet &patterns);
/// Convolution.cpp: conv (float, ConvInteger, grouped, depthwise).
void populateConvolutionPatterns(const TypeConverter &tc,
                                 RewritePatternSet &patterns);
/// Pooling.cpp: max / average pooling.
void populatePoolingPatterns(const TypeConverter &tc,
                             RewritePatternSet &patterns);
/// Reductions.cpp: reduce_{sum,mean,max,min,prod}, arg_extremum.
void populateReductionPatterns(const TypeConverter &tc,
                               RewritePatternSet &patterns);
/// DataMovement.cpp: reshape, transpose, concat, slice, gather,
/// gather_elements, pad.
void populateDataMovementPatterns(const TypeConverter &tc,
                                  RewritePatternSet &patterns);
/// Quant.cpp: (de)quantize_linear, quantize/dequantize/requantize on
/// !quant types, dynamic and blockwise quantization, fixed-point rescale.
void populateQuantPatterns(const TypeConverter &tc,
                           RewritePatternSet &patterns);
/// Scatter.cpp: gather_nd, scatter_elements, scatter_nd.
void populateScatterPatterns(const TypeConverter &tc,
                             RewritePatternSet &patterns);

} // namespace mlir::qcc::lowering

#endif // QCC_LIB_CONVERSION_QCCTOLINALG_PATTERNS_H
