//===- QuantOps.cpp - qcc quantization op verifiers -----------------------===//

#include "Verification.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::detail;

//===----------------------------------------------------------------------===//
// ONNX QuantizeLinear / DequantizeLinear and !quant.uniform conversions
//===----------------------------------------------------------------------===//

static LogicalResult verifyLinearQuantParams(Operation *op, Value input,
                                             Value scale, Value zeroPoint,
                                             int64_t axis) {
  auto inType = rankedType(input);
  auto scaleType = rankedType(scale);
  if (scaleType.getRank() > 1)
    return op->emitOpError("scale must be a scalar or 1-D");
  if (rankedType(zeroPoint).getShape() != scaleType.getShape())
    return op->emitOpError("zero point and scale shapes differ");
  // A one-element 1-D scale is per-tensor.
  if (scaleType.getRank() == 1 && scaleType.getDimSize(0) != 1) {
    if (failed(verifyAxisInRange(op, axis, inType.getRank())))
      return failure();
    if (!inType.isDynamicDim(axis) &&
        scaleType.getDimSize(0) != inType.getDimSize(axis))
      return op->emitOpError("per-axis scale needs ")
             << inType.getDimSize(axis) << " entries";
  }
  return success();
}

LogicalResult QuantizeLinearOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  if (getZeroPoint().getType().getElementType() !=
      getOutput().getType().getElementType())
    return emitOpError("zero point and result element types differ");
  return verifyLinearQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                                 getAxis());
}

LogicalResult DequantizeLinearOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  if (getZeroPoint().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError("zero point and input element types differ");
  return verifyLinearQuantParams(*this, getInput(), getScale(), getZeroPoint(),
                                 getAxis());
}

/// A quantized tensor type must agree with the float tensor it stands for:
/// same shape, expressed type = float element type, and per-axis / block
/// parameters that fit the shape.
static LogicalResult verifyQuantizedPair(Operation *op, RankedTensorType fp,
                                         RankedTensorType q) {
  if (fp.getShape() != q.getShape())
    return op->emitOpError("float and quantized shapes differ");
  auto qType = cast<quant::QuantizedType>(q.getElementType());
  if (qType.getExpressedType() != fp.getElementType())
    return op->emitOpError("quantized type expresses ")
           << qType.getExpressedType() << " but the float tensor holds "
           << fp.getElementType();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(qType)) {
    int64_t axis = perAxis.getQuantizedDimension();
    if (failed(verifyAxisInRange(op, axis, q.getRank())))
      return failure();
    if (!q.isDynamicDim(axis) &&
        (int64_t)perAxis.getScales().size() != q.getDimSize(axis))
      return op->emitOpError("per-axis type has ")
             << perAxis.getScales().size() << " scales for dimension of size "
             << q.getDimSize(axis);
  }
  if (auto block = dyn_cast<quant::UniformQuantizedSubChannelType>(qType)) {
    for (auto [dim, blockSize] :
         llvm::zip(block.getQuantizedDimensions(), block.getBlockSizes())) {
      if (failed(verifyAxisInRange(op, dim, q.getRank())))
        return failure();
      if (blockSize < 1 || q.getDimSize(dim) % blockSize != 0)
        return op->emitOpError("block size ")
               << blockSize << " does not divide dimension " << dim;
    }
  }
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantizedPair(*this, rankedType(getInput()),
                             rankedType(getOutput()));
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantizedPair(*this, rankedType(getOutput()),
                             rankedType(getInput()));
}

LogicalResult RequantizeOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  if (in.getShape() != out.getShape())
    return emitOpError("input and result shapes differ");
  auto inQ = cast<quant::QuantizedType>(in.getElementType());
  auto outQ = cast<quant::QuantizedType>(out.getElementType());
  if (inQ.getExpressedType() != outQ.getExpressedType())
    return emitOpError("input and result express different float types");
  return success();
}

//===----------------------------------------------------------------------===//
// Blockwise dequantization, dynamic rows, fixed-point requantization
//===----------------------------------------------------------------------===//

int64_t DequantizeBlockwiseOp::getPackedDimIndex() {
  int64_t rank = rankedType(getOutput()).getRank();
  int64_t p = (int64_t)getPackedDim(); // an I64Attr read as uint64_t
  return p < 0 ? p + rank : p;
}

LogicalResult DequantizeBlockwiseOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  auto scale = rankedType(getScale());
  ArrayRef<int64_t> block = getBlockShape();
  int64_t rank = out.getRank();
  int64_t bits = getBits();
  if (bits != 8 && bits != 4 && bits != 3 && bits != 2)
    return emitOpError("bits must be 8, 4, 3 or 2");
  int64_t packedDim = (int64_t)getPackedDim();
  if (bits != 8 && (packedDim < -rank || packedDim >= rank))
    return emitOpError("packed_dim ")
           << packedDim << " is out of range for rank " << rank;
  int64_t packed = getPackedDimIndex();
  // 3-bit storage has an extra dimension of 3 bytes per 8 values, right
  // after the packed dimension.
  int64_t inRank = bits == 3 ? rank + 1 : rank;
  if (in.getRank() != inRank || scale.getRank() != rank ||
      (int64_t)block.size() != rank)
    return emitOpError(bits == 3 ? "3-bit input must have rank result + 1; "
                                   "scale, block_shape and result ranks "
                                   "must agree"
                                 : "input, scale, block_shape and result "
                                   "ranks differ");
  if (!out.hasStaticShape() || !in.hasStaticShape() || !scale.hasStaticShape())
    return emitOpError("needs static shapes");
  if (bits == 3 && in.getDimSize(packed + 1) != 3)
    return emitOpError("3-bit input must have a dimension of 3 bytes after "
                       "the packed dimension (input dimension ")
           << packed + 1 << ")";
  // Values per packed unit along the packed dimension (a byte, or 3 bytes).
  int64_t perUnit = bits == 8 ? 1 : bits == 4 ? 2 : bits == 2 ? 4 : 8;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t expectIn = out.getDimSize(d);
    if (d == packed && perUnit > 1) {
      if (expectIn % perUnit) {
        InFlightDiagnostic diag = emitOpError()
                                  << bits << "-bit packing needs ";
        if (d == rank - 1)
          diag << "a last dimension";
        else
          diag << "a packed dimension (" << d << ")";
        return diag << " that is a multiple of " << perUnit;
      }
      expectIn /= perUnit;
    }
    int64_t inDim = bits == 3 && d > packed ? d + 1 : d;
    if (in.getDimSize(inDim) != expectIn)
      return emitOpError("input dimension ")
             << inDim << " must be " << expectIn << " for the result shape";
    if (block[d] <= 0 || out.getDimSize(d) % block[d])
      return emitOpError("block size ")
             << block[d] << " does not divide dimension " << d;
    if (scale.getDimSize(d) != out.getDimSize(d) / block[d])
      return emitOpError("scale dimension ")
             << d << " must be " << out.getDimSize(d) / block[d];
  }
  if (getZeroPoint() &&
      rankedType(getZeroPoint()).getShape() != scale.getShape())
    return emitOpError("zero point and scale shapes differ");
  if (getBits() == 8 && !getZeroPoint() &&
      in.getElementType().isUnsignedInteger())
    return emitOpError("unsigned storage needs a zero point");
  return success();
}

LogicalResult DynamicQuantizeRowsOp::verify() {
  auto in = rankedType(getInput());
  if (in.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  if (rankedType(getOutput()).getShape() != in.getShape())
    return emitOpError("quantized result shape differs from the input");
  SmallVector<int64_t> scaleShape(in.getShape());
  scaleShape.back() = 1;
  if (rankedType(getScale()).getShape() != ArrayRef<int64_t>(scaleShape))
    return emitOpError("scale must have the input's shape with a last "
                       "dimension of 1");
  return success();
}

LogicalResult RequantizeFixedOp::verify() {
  auto in = rankedType(getInput());
  if (in.getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  size_t n = getMultipliers().size();
  if (n == 0 || getShifts().size() != n)
    return emitOpError("needs one shift per multiplier");
  if (n > 1) {
    if (failed(verifyAxisInRange(*this, getAxis(), in.getRank())))
      return failure();
    if (!in.isDynamicDim(getAxis()) && in.getDimSize(getAxis()) != (int64_t)n)
      return emitOpError("needs one multiplier per element of axis ")
             << getAxis();
  }
  for (int32_t m : getMultipliers())
    if (m < (1 << 30))
      return emitOpError("multipliers must be normalised to [2^30, 2^31)");
  for (int32_t sh : getShifts())
    if (sh < -30 || sh > 32)
      return emitOpError("shift out of range");
  unsigned bits = rankedType(getOutput()).getElementTypeBitWidth();
  int64_t typeMin = -(int64_t(1) << (bits - 1));
  int64_t typeMax = (int64_t(1) << (bits - 1)) - 1;
  int64_t lower = getLowerBound(), upper = getUpperBound();
  if (lower < typeMin || upper > typeMax)
    return emitOpError("saturation bounds [")
           << lower << ", " << upper << "] exceed the result type's range";
  if (lower > upper)
    return emitOpError("lower bound exceeds the upper bound");
  return success();
}

int64_t RequantizeFixedOp::getLowerBound() {
  if (std::optional<uint64_t> lower = getLower())
    return (int64_t)*lower;
  unsigned bits = rankedType(getOutput()).getElementTypeBitWidth();
  return -((int64_t(1) << (bits - 1)) - 1);
}

int64_t RequantizeFixedOp::getUpperBound() {
  if (std::optional<uint64_t> upper = getUpper())
    return (int64_t)*upper;
  unsigned bits = rankedType(getOutput()).getElementTypeBitWidth();
  return (int64_t(1) << (bits - 1)) - 1;
}
