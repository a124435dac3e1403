//===- QccDialect.cpp - qcc dialect and op verifiers -----------------------===//

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::qcc;

#include "qcc/Dialect/Qcc/QccOpsDialect.cpp.inc"

void QccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/Qcc/QccOps.cpp.inc"
      >();
}

Operation *QccDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

static RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that `result` has the numpy broadcast shape of `operands`.
static LogicalResult verifyBroadcastResult(Operation *op,
                                           ValueRange operands, Value result) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, rankedType(v).getShape(),
                                            next))
      return op->emitOpError("operand shapes are not broadcast-compatible");
    shape = std::move(next);
  }
  ArrayRef<int64_t> resultShape = rankedType(result).getShape();
  if (resultShape.size() != shape.size())
    return op->emitOpError("result rank ")
           << resultShape.size() << " differs from broadcast rank "
           << shape.size();
  for (auto [got, want] : llvm::zip(resultShape, shape))
    if (!ShapedType::isDynamic(got) && !ShapedType::isDynamic(want) &&
        got != want)
      return op->emitOpError("result shape does not match the broadcast "
                             "shape of the operands");
  return success();
}

static LogicalResult verifyAxisInRange(Operation *op, int64_t axis,
                                       int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ") << axis << " out of range for rank "
                                    << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Contractions, convolution, pooling
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  int64_t lhsRank = rankedType(getLhs()).getRank();
  int64_t rhsRank = rankedType(getRhs()).getRank();
  if (lhsRank < 1 || rhsRank < 1)
    return emitOpError("operands must have rank >= 1");
  auto lhsShape = rankedType(getLhs()).getShape();
  auto rhsShape = rankedType(getRhs()).getShape();
  int64_t k1 = lhsShape.back();
  int64_t k2 = rhsRank == 1 ? rhsShape[0] : rhsShape[rhsRank - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOpError("contraction dimensions differ: ") << k1 << " vs "
                                                          << k2;
  return success();
}

LogicalResult GemmOp::verify() {
  if (rankedType(getA()).getRank() != 2 || rankedType(getB()).getRank() != 2)
    return emitOpError("A and B must be rank 2");
  if (rankedType(getOutput()).getRank() != 2)
    return emitOpError("result must be rank 2");
  return success();
}

/// Conv and pooling share the NC[D]HW window attributes.
static LogicalResult verifyWindowAttrs(Operation *op, int64_t rank,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations) {
  int64_t spatial = rank - 2;
  if (spatial < 1)
    return op->emitOpError("expects an input of rank >= 3 (N, C, spatial)");
  if ((int64_t)strides.size() != spatial ||
      (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return op->emitOpError("strides/dilations need ")
           << spatial << " entries and pads " << 2 * spatial;
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("strides and dilations must be >= 1, pads >= 0");
  return success();
}

LogicalResult ConvOp::verify() {
  auto inputType = rankedType(getInput());
  auto weightType = rankedType(getWeight());
  if (inputType.getRank() != weightType.getRank())
    return emitOpError("input and weight ranks differ");
  if (failed(verifyWindowAttrs(*this, inputType.getRank(), getStrides(),
                               getPads(), getDilations())))
    return failure();
  int64_t group = getGroup();
  int64_t channels = inputType.getDimSize(1);
  if (group < 1)
    return emitOpError("group must be >= 1");
  if (!ShapedType::isDynamic(channels) &&
      channels != weightType.getDimSize(1) * group)
    return emitOpError("input channels ")
           << channels << " != weight channels " << weightType.getDimSize(1)
           << " x group " << group;
  if (weightType.getDimSize(0) % group != 0)
    return emitOpError("output channels not divisible by group");
  return success();
}

LogicalResult PoolOp::verify() {
  if (getKind() != "max" && getKind() != "avg")
    return emitOpError("kind must be \"max\" or \"avg\"");
  int64_t rank = rankedType(getInput()).getRank();
  if ((int64_t)getKernelShape().size() != rank - 2)
    return emitOpError("kernel_shape needs one entry per spatial dim");
  return verifyWindowAttrs(*this, rank, getStrides(), getPads(),
                           getDilations());
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult verifyReduction(Operation *op, Value input,
                                     ArrayRef<int64_t> axes, bool keepdims,
                                     Value output) {
  int64_t rank = rankedType(input).getRank();
  int64_t previous = -1;
  for (int64_t axis : axes) {
    if (failed(verifyAxisInRange(op, axis, rank)))
      return failure();
    if (axis <= previous)
      return op->emitOpError("axes must be sorted and unique");
    previous = axis;
  }
  int64_t expectedRank = keepdims ? rank : rank - (int64_t)axes.size();
  if (rankedType(output).getRank() != expectedRank)
    return op->emitOpError("result rank must be ") << expectedRank;
  return success();
}

#define QCC_REDUCE_VERIFIER(OP)                                                \
  LogicalResult OP::verify() {                                                 \
    return verifyReduction(*this, getInput(), getAxes(), getKeepdims(),        \
                           getOutput());                                       \
  }
QCC_REDUCE_VERIFIER(ReduceSumOp)
QCC_REDUCE_VERIFIER(ReduceMeanOp)
QCC_REDUCE_VERIFIER(ReduceMaxOp)
QCC_REDUCE_VERIFIER(ReduceMinOp)
QCC_REDUCE_VERIFIER(ReduceProdOp)
#undef QCC_REDUCE_VERIFIER

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("element count changes from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  auto type = rankedType(getOutput());
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}

LogicalResult TransposeOp::verify() {
  auto in = rankedType(getInput());
  auto out = rankedType(getOutput());
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != in.getRank() || out.getRank() != in.getRank())
    return emitOpError("perm size must equal the rank");
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t p : perm)
    if (p < 0 || p >= in.getRank() || !seen.insert(p).second)
      return emitOpError("perm is not a permutation");
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (out.getDimSize(i) != in.getDimSize(p) && !out.isDynamicDim(i) &&
        !in.isDynamicDim(p))
      return emitOpError("result dim ") << i << " must be input dim " << p;
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto out = rankedType(getOutput());
  if (failed(verifyAxisInRange(*this, getAxis(), out.getRank())))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != out.getRank())
      return emitOpError("all inputs must have the result rank");
    if (t.isDynamicDim(getAxis()) || total == ShapedType::kDynamic)
      total = ShapedType::kDynamic;
    else
      total += t.getDimSize(getAxis());
  }
  if (!out.isDynamicDim(getAxis()) && total != ShapedType::kDynamic &&
      total != out.getDimSize(getAxis()))
    return emitOpError("result size along axis must be ") << total;
  return success();
}

LogicalResult SliceOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if ((int64_t)getStarts().size() != rank ||
      (int64_t)getSteps().size() != rank)
    return emitOpError("starts and steps need one entry per dim");
  if (llvm::any_of(getSteps(), [](int64_t s) { return s == 0; }))
    return emitOpError("steps must be non-zero");
  return success();
}

LogicalResult GatherOp::verify() {
  int64_t rank = rankedType(getInput()).getRank();
  if (failed(verifyAxisInRange(*this, getAxis(), rank)))
    return failure();
  int64_t expected = rank - 1 + rankedType(getIndices()).getRank();
  if (rankedType(getOutput()).getRank() != expected)
    return emitOpError("result rank must be ") << expected;
  return success();
}

LogicalResult BroadcastToOp::verify() {
  return verifyBroadcastResult(*this, {getInput(), getOutput()}, getOutput());
}

LogicalResult PadOp::verify() {
  auto in = rankedType(getInput());
  if ((int64_t)getPads().size() != 2 * in.getRank())
    return emitOpError("pads need 2 x rank entries");
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError("unknown mode '") << mode << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
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
  return verifyLinearQuantParams(*this, getInput(), getScale(),
                                 getZeroPoint(), getAxis());
}

LogicalResult DequantizeLinearOp::verify() {
  if (rankedType(getInput()).getShape() != rankedType(getOutput()).getShape())
    return emitOpError("input and result shapes differ");
  if (getZeroPoint().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError("zero point and input element types differ");
  return verifyLinearQuantParams(*this, getInput(), getScale(),
                                 getZeroPoint(), getAxis());
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
    for (auto [dim, blockSize] : llvm::zip(block.getQuantizedDimensions(),
                                           block.getBlockSizes())) {
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

#define GET_OP_CLASSES
#include "qcc/Dialect/Qcc/QccOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Scatter
//===----------------------------------------------------------------------===//

static LogicalResult verifyScatterReduction(Operation *op, StringRef r) {
  if (r != "none" && r != "add" && r != "mul")
    return op->emitOpError("reduction must be none, add or mul, got '")
           << r << "'";
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  auto in = rankedType(getInput());
  if (rankedType(getIndices()).getShape() != rankedType(getUpdates()).getShape())
    return emitOpError("indices and updates shapes differ");
  if (rankedType(getIndices()).getRank() != in.getRank())
    return emitOpError("indices rank differs from the input rank");
  if (in != rankedType(getOutput()))
    return emitOpError("result type differs from the input type");
  if (failed(verifyAxisInRange(*this, getAxis(), in.getRank())))
    return failure();
  return verifyScatterReduction(*this, getReduction());
}

LogicalResult ScatterNDOp::verify() {
  auto in = rankedType(getInput());
  auto idx = rankedType(getIndices());
  if (in != rankedType(getOutput()))
    return emitOpError("result type differs from the input type");
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1) ||
      idx.getDimSize(idx.getRank() - 1) > in.getRank())
    return emitOpError("last indices dimension must be a static size <= "
                       "the input rank");
  return verifyScatterReduction(*this, getReduction());
}

//===----------------------------------------------------------------------===//
// Blockwise dequantization
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
  if (!out.hasStaticShape() || !in.hasStaticShape() ||
      !scale.hasStaticShape())
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
        InFlightDiagnostic diag = emitOpError() << bits << "-bit packing needs ";
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
  if (getZeroPoint() && rankedType(getZeroPoint()).getShape() !=
                            scale.getShape())
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
