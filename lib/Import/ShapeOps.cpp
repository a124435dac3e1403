//===- ShapeOps.cpp - ONNX data movement and shape computation ops --------===//
//
// Shapes are static in qcc's tensor IR, so Shape/Size/ConstantOfShape/Range
// on known shapes become constants, and small integer computations on them
// (the Shape->Gather->Concat->Reshape chains exporters emit) are folded at
// import time.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

/// Returns the values of a constant integer input, or std::nullopt.
static std::optional<SmallVector<int64_t>> knownInts(NodeContext &ctx,
                                                     unsigned i) {
  std::optional<DenseElementsAttr> attr = ctx.constantInput(i);
  if (!attr || !isa<IntegerType>(attr->getElementType()) ||
      attr->getElementType().getIntOrFloatBitWidth() == 1)
    return std::nullopt;
  SmallVector<int64_t> out;
  bool isUnsigned = attr->getElementType().isUnsignedInteger();
  for (const APInt &v : attr->getValues<APInt>())
    out.push_back(isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue());
  return out;
}

/// Emits an i64 constant of `shape` holding `values`.
static Value i64Constant(NodeContext &ctx, ArrayRef<int64_t> shape,
                         ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, ctx.builder().getI64Type());
  return ctx.create<arith::ConstantOp>(DenseElementsAttr::get(type, values));
}

/// If input 0 is a known constant, emits it reshaped to `shape` (the
/// reshape-like ops on shape computations) and returns true.
static bool foldReshapeOfConstant(NodeContext &ctx, ArrayRef<int64_t> shape) {
  std::optional<DenseElementsAttr> attr = ctx.constantInput(0);
  if (!attr)
    return false;
  auto type = RankedTensorType::get(shape, attr->getElementType());
  ctx.setResult(0, ctx.create<arith::ConstantOp>(attr->reshape(type)));
  return true;
}

static LogicalResult setReshaped(NodeContext &ctx, ArrayRef<int64_t> shape) {
  if (!foldReshapeOfConstant(ctx, shape))
    ctx.setResult(0, createReshape(ctx, ctx.input(0), shape));
  return success();
}

/// Reshape of a tensor with dynamic dimensions: 0 copies the input
/// dimension, -1 becomes dynamic; at most one dynamic result dimension.
static LogicalResult importDynamicReshape(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  SmallVector<int64_t> shape;
  RankedTensorType inferred = ctx.inferredType(0, /*allowDynamic=*/true);
  if (inferred && inferred.getNumDynamicDims() <= 1) {
    shape.assign(inferred.getShape().begin(), inferred.getShape().end());
  } else {
    FailureOr<SmallVector<int64_t>> target = ctx.constantInts(1, "shape");
    if (failed(target))
      return failure();
    bool allowZero = ctx.attrInt("allowzero", 0);
    for (auto [i, d] : llvm::enumerate(*target)) {
      if (d == 0 && !allowZero && (int64_t)i < type.getRank())
        d = type.getDimSize(i);
      shape.push_back(d == -1 ? ShapedType::kDynamic : d);
    }
  }
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1)
    return ctx.emitError() << "reshape of a dynamic tensor to more than one "
                              "dynamic dimension; fix the input shapes with "
                              "--input-shape";
  ctx.setResult(0, ctx.create<ReshapeOp>(type.clone(shape), ctx.input(0)));
  return success();
}

static LogicalResult importReshape(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (!type.hasStaticShape())
    return importDynamicReshape(ctx);
  SmallVector<int64_t> shape;
  if (RankedTensorType inferred = ctx.inferredType(0)) {
    shape.assign(inferred.getShape().begin(), inferred.getShape().end());
  } else {
    FailureOr<SmallVector<int64_t>> target = ctx.constantInts(1, "shape");
    if (failed(target))
      return failure();
    bool allowZero = ctx.attrInt("allowzero", 0);
    int64_t known = 1, inferIdx = -1;
    for (auto [i, d] : llvm::enumerate(*target)) {
      if (d == 0 && !allowZero)
        d = type.getDimSize(i);
      if (d == -1)
        inferIdx = i;
      else
        known *= d;
      shape.push_back(d);
    }
    if (inferIdx >= 0)
      shape[inferIdx] = known ? type.getNumElements() / known : 0;
  }
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  if (n != type.getNumElements())
    return ctx.emitError() << "cannot reshape " << type << " to "
                           << shape.size() << "-d shape with " << n
                           << " elements";
  return setReshaped(ctx, shape);
}

static LogicalResult importFlatten(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 1), type.getRank());
  if (axis < 0 || axis > type.getRank())
    return ctx.emitError() << "axis out of range";
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t &side = d < axis ? outer : inner;
    side = ShapedType::isDynamic(side) || type.isDynamicDim(d)
               ? ShapedType::kDynamic
               : side * type.getDimSize(d);
  }
  if (ShapedType::isDynamic(outer) && ShapedType::isDynamic(inner))
    return ctx.emitError() << "flattening dynamic dimensions on both sides "
                              "of the axis; fix the input shapes with "
                              "--input-shape";
  return setReshaped(ctx, {outer, inner});
}

/// Squeeze/Unsqueeze axes: attribute before opset 13, input from 13.
static FailureOr<SmallVector<int64_t>> squeezeAxes(NodeContext &ctx) {
  if (ctx.opset() < 13)
    return ctx.attrInts("axes");
  if (!ctx.hasInput(1))
    return SmallVector<int64_t>();
  return ctx.constantInts(1, "axes");
}

static LogicalResult importSqueeze(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(ctx);
  if (failed(axes))
    return failure();
  for (int64_t &a : *axes)
    a = normalizeAxis(a, type.getRank());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    bool drop = axes->empty() ? type.getDimSize(d) == 1
                              : llvm::is_contained(*axes, d);
    if (drop && type.isDynamicDim(d))
      return ctx.emitError() << "cannot squeeze dynamic dimension " << d
                             << "; fix the input shapes with --input-shape";
    if (drop && type.getDimSize(d) != 1)
      return ctx.emitError() << "cannot squeeze dimension " << d
                             << " of size " << type.getDimSize(d);
    if (!drop)
      shape.push_back(type.getDimSize(d));
  }
  return setReshaped(ctx, shape);
}

static LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  FailureOr<SmallVector<int64_t>> axes = squeezeAxes(ctx);
  if (failed(axes))
    return failure();
  int64_t outRank = type.getRank() + axes->size();
  for (int64_t &a : *axes) {
    a = normalizeAxis(a, outRank);
    if (a < 0 || a >= outRank)
      return ctx.emitError() << "axis out of range";
  }
  SmallVector<int64_t> shape;
  int64_t src = 0;
  for (int64_t d = 0; d < outRank; ++d)
    shape.push_back(llvm::is_contained(*axes, d) ? 1
                                                 : type.getDimSize(src++));
  return setReshaped(ctx, shape);
}

static LogicalResult importTranspose(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  SmallVector<int64_t> perm = ctx.attrInts("perm");
  if (perm.empty())
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      perm.push_back(d);
  if ((int64_t)perm.size() != type.getRank())
    return ctx.emitError() << "perm has " << perm.size()
                           << " entries for rank " << type.getRank();
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= type.getRank())
      return ctx.emitError() << "perm entry out of range";
    shape.push_back(type.getDimSize(p));
  }
  ctx.setResult(0, ctx.create<TransposeOp>(
                       type.clone(shape), ctx.input(0),
                       ctx.builder().getDenseI64ArrayAttr(perm)));
  return success();
}

static LogicalResult importConcat(NodeContext &ctx) {
  auto first = ctx.inputType(0);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), first.getRank());
  if (axis < 0 || axis >= first.getRank())
    return ctx.emitError() << "axis out of range";
  // Fold concatenations of 1-D integer constants (shape computations).
  if (first.getRank() == 1) {
    SmallVector<int64_t> folded;
    bool allKnown = true;
    for (unsigned i = 0; i < ctx.numInputs() && allKnown; ++i) {
      auto vals = knownInts(ctx, i);
      if (!vals || ctx.inputType(i).getElementType() !=
                       ctx.builder().getI64Type())
        allKnown = false;
      else
        folded.append(*vals);
    }
    if (allKnown) {
      ctx.setResult(0, i64Constant(ctx, {(int64_t)folded.size()}, folded));
      return success();
    }
  }
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  SmallVector<Value> operands;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.hasInput(i))
      continue;
    auto t = ctx.inputType(i);
    if (t.getRank() != first.getRank())
      return ctx.emitError() << "inputs have different ranks";
    shape[axis] = ShapedType::isDynamic(shape[axis]) || t.isDynamicDim(axis)
                      ? ShapedType::kDynamic
                      : shape[axis] + t.getDimSize(axis);
    if (t.getDimSize(axis) != 0)
      operands.push_back(ctx.input(i));
  }
  if (operands.size() == 1) {
    ctx.setResult(0, operands[0]);
    return success();
  }
  ctx.setResult(0, ctx.create<ConcatOp>(first.clone(shape), operands,
                                        ctx.builder().getI64IntegerAttr(axis)));
  return success();
}

/// Normalises ONNX Slice parameters for one axis of size `dim` and returns
/// {start, size}.
static std::pair<int64_t, int64_t> normalizeSlice(int64_t start, int64_t end,
                                                  int64_t step, int64_t dim) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::max(lo, std::min(hi, v));
  };
  if (start < 0)
    start = start < -dim ? -1 : start + dim;
  if (end < 0)
    end = end < -dim ? -1 : end + dim;
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
    return {start, std::max<int64_t>(0, (end - start + step - 1) / step)};
  }
  start = clamp(start, -1, dim - 1);
  end = clamp(end, -1, dim - 1);
  return {start, std::max<int64_t>(0, (start - end + (-step) - 1) / (-step))};
}

static LogicalResult importSlice(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.attrInts("starts");
    ends = ctx.attrInts("ends");
    axes = ctx.attrInts("axes");
  } else {
    auto s = ctx.constantInts(1, "starts");
    auto e = succeeded(s) ? ctx.constantInts(2, "ends") : s;
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (ctx.hasInput(3)) {
      auto a = ctx.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.hasInput(4)) {
      auto st = ctx.constantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.emitError() << "starts/ends/axes/steps lengths differ";
  SmallVector<int64_t> outStarts(rank, 0), outSteps(rank, 1),
      shape(type.getShape());
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], rank);
    if (axis < 0 || axis >= rank || steps[i] == 0)
      return ctx.emitError() << "invalid axis or zero step";
    auto [start, size] =
        normalizeSlice(starts[i], ends[i], steps[i], type.getDimSize(axis));
    outStarts[axis] = start;
    outSteps[axis] = steps[i];
    shape[axis] = size;
  }
  // Fold slices of 1-D integer constants (shape computations).
  if (auto vals = knownInts(ctx, 0); vals && rank == 1 &&
                                      type.getElementType().isInteger(64)) {
    SmallVector<int64_t> out;
    for (int64_t j = 0; j < shape[0]; ++j)
      out.push_back((*vals)[outStarts[0] + j * outSteps[0]]);
    ctx.setResult(0, i64Constant(ctx, {shape[0]}, out));
    return success();
  }
  OpBuilder &b = ctx.builder();
  ctx.setResult(0, ctx.create<SliceOp>(type.clone(shape), ctx.input(0),
                                       b.getDenseI64ArrayAttr(outStarts),
                                       b.getDenseI64ArrayAttr(outSteps)));
  return success();
}

static LogicalResult importGather(NodeContext &ctx) {
  auto type = ctx.inputType(0), idxType = ctx.inputType(1);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), type.getRank());
  if (axis < 0 || axis >= type.getRank())
    return ctx.emitError() << "axis out of range";
  SmallVector<int64_t> shape(type.getShape().take_front(axis));
  shape.append(idxType.getShape().begin(), idxType.getShape().end());
  shape.append(type.getShape().begin() + axis + 1, type.getShape().end());
  // Fold gathers from 1-D integer constants (shape computations).
  auto data = knownInts(ctx, 0);
  auto idx = knownInts(ctx, 1);
  if (data && idx && type.getRank() == 1 &&
      type.getElementType().isInteger(64)) {
    SmallVector<int64_t> out;
    for (int64_t i : *idx) {
      int64_t j = i < 0 ? i + type.getDimSize(0) : i;
      if (j < 0 || j >= type.getDimSize(0))
        return ctx.emitError() << "index " << i << " out of range";
      out.push_back((*data)[j]);
    }
    ctx.setResult(0, i64Constant(ctx, shape, out));
    return success();
  }
  ctx.setResult(0, ctx.create<GatherOp>(type.clone(shape), ctx.input(0),
                                        ctx.input(1),
                                        ctx.builder().getI64IntegerAttr(axis)));
  return success();
}

static LogicalResult importGatherElements(NodeContext &ctx) {
  auto type = ctx.inputType(0), idxType = ctx.inputType(1);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), type.getRank());
  if (axis < 0 || axis >= type.getRank() || idxType.getRank() != type.getRank())
    return ctx.emitError() << "axis out of range or rank mismatch";
  ctx.setResult(0, ctx.create<GatherElementsOp>(
                       type.clone(idxType.getShape()), ctx.input(0),
                       ctx.input(1), ctx.builder().getI64IntegerAttr(axis)));
  return success();
}

static LogicalResult importExpand(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  SmallVector<int64_t> shape;
  if (RankedTensorType inferred = ctx.inferredType(0)) {
    shape.assign(inferred.getShape().begin(), inferred.getShape().end());
  } else {
    FailureOr<SmallVector<int64_t>> target = ctx.constantInts(1, "shape");
    if (failed(target))
      return failure();
    auto s = broadcastShapes(type.getShape(), *target);
    if (failed(s))
      return ctx.emitError() << "shape does not broadcast";
    shape = *s;
  }
  if (type.getShape() == ArrayRef<int64_t>(shape)) {
    ctx.setResult(0, ctx.input(0));
    return success();
  }
  ctx.setResult(0, ctx.create<BroadcastToOp>(type.clone(shape), ctx.input(0)));
  return success();
}

/// Tile as reshape [1,d0,1,d1,...] -> broadcast [r0,d0,r1,d1,...] ->
/// reshape [r0*d0, r1*d1, ...].
static LogicalResult importTile(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  FailureOr<SmallVector<int64_t>> repeats = ctx.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  if ((int64_t)repeats->size() != type.getRank())
    return ctx.emitError() << "repeats must have one entry per dimension";
  SmallVector<int64_t> interleaved, broadcast, out;
  for (auto [d, r] : llvm::zip(type.getShape(), *repeats)) {
    interleaved.append({1, d});
    broadcast.append({r, d});
    out.push_back(r * d);
  }
  Value x = createReshape(ctx, ctx.input(0), interleaved);
  x = ctx.create<BroadcastToOp>(type.clone(broadcast), x);
  ctx.setResult(0, createReshape(ctx, x, out));
  return success();
}

static LogicalResult importShape(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t start = ctx.attrInt("start", 0), end = ctx.attrInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  SmallVector<int64_t> dims(type.getShape().begin() + start,
                            type.getShape().begin() + std::max(start, end));
  ctx.setResult(0, i64Constant(ctx, {(int64_t)dims.size()}, dims));
  return success();
}

static LogicalResult importSize(NodeContext &ctx) {
  ctx.setResult(0, i64Constant(ctx, {}, {ctx.inputType(0).getNumElements()}));
  return success();
}

/// Constant: `value` tensor or the scalar/list shorthand attributes.
static LogicalResult importConstant(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  if (const onnx::TensorProto *t = ctx.attrTensor("value")) {
    FailureOr<Value> v = ctx.importTensor(*t);
    if (failed(v))
      return failure();
    ctx.setResult(0, *v);
    return success();
  }
  if (ctx.hasAttr("value_float")) {
    ctx.setResult(0, ctx.scalar(b.getF32Type(), ctx.attrFloat("value_float", 0)));
    return success();
  }
  if (ctx.hasAttr("value_int")) {
    ctx.setResult(0, i64Constant(ctx, {}, {ctx.attrInt("value_int", 0)}));
    return success();
  }
  if (ctx.hasAttr("value_ints")) {
    SmallVector<int64_t> v = ctx.attrInts("value_ints");
    ctx.setResult(0, i64Constant(ctx, {(int64_t)v.size()}, v));
    return success();
  }
  if (ctx.hasAttr("value_floats")) {
    SmallVector<float> v;
    for (double f : ctx.attrFloats("value_floats"))
      v.push_back(f);
    auto type = RankedTensorType::get({(int64_t)v.size()}, b.getF32Type());
    ctx.setResult(0, ctx.create<arith::ConstantOp>(
                         DenseElementsAttr::get(type, ArrayRef<float>(v))));
    return success();
  }
  return ctx.unsupported("sparse or string constant");
}

static LogicalResult importConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = ctx.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  Type elem = ctx.builder().getF32Type();
  double value = 0;
  if (const onnx::TensorProto *t = ctx.attrTensor("value")) {
    elem = convertElementType(ctx.context(), t->data_type());
    if (!elem)
      return ctx.unsupported("value of this data type");
    if (t->has_raw_data()) {
      const std::string &raw = t->raw_data();
      auto read = [&](auto sample) {
        decltype(sample) x{};
        std::memcpy(&x, raw.data(), std::min(raw.size(), sizeof(x)));
        return (double)x;
      };
      using TP = onnx::TensorProto;
      switch (t->data_type()) {
      case TP::FLOAT: value = read(float()); break;
      case TP::DOUBLE: value = read(double()); break;
      case TP::INT64: value = read(int64_t()); break;
      case TP::INT32: value = read(int32_t()); break;
      case TP::INT8: value = read(int8_t()); break;
      case TP::UINT8: case TP::BOOL: value = read(uint8_t()); break;
      case TP::INT16: value = read(int16_t()); break;
      case TP::UINT16: value = read(uint16_t()); break;
      case TP::UINT32: value = read(uint32_t()); break;
      case TP::UINT64: value = read(uint64_t()); break;
      default: return ctx.unsupported("value of this data type");
      }
    } else if (t->float_data_size()) {
      value = t->float_data(0);
    } else if (t->int64_data_size()) {
      value = t->int64_data(0);
    } else if (t->int32_data_size()) {
      value = t->int32_data(0);
    } else if (t->double_data_size()) {
      value = t->double_data(0);
    }
  }
  ctx.setResult(0, ctx.splat(RankedTensorType::get(*shape, elem), value));
  return success();
}

static LogicalResult importRange(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  FailureOr<double> start = ctx.constantScalar(0, "start");
  FailureOr<double> limit =
      succeeded(start) ? ctx.constantScalar(1, "limit") : start;
  FailureOr<double> delta =
      succeeded(limit) ? ctx.constantScalar(2, "delta") : limit;
  if (failed(delta))
    return failure();
  if (*delta == 0)
    return ctx.emitError() << "delta must not be zero";
  int64_t n = std::max<int64_t>(
      0, (int64_t)std::ceil((*limit - *start) / *delta));
  Type elem = type.getElementType();
  auto outType = RankedTensorType::get({n}, elem);
  if (auto ft = dyn_cast<FloatType>(elem)) {
    SmallVector<APFloat> vals;
    for (int64_t i = 0; i < n; ++i) {
      APFloat f(*start + i * *delta);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(f);
    }
    ctx.setResult(0, ctx.create<arith::ConstantOp>(
                         DenseElementsAttr::get(outType, vals)));
  } else {
    unsigned w = elem.getIntOrFloatBitWidth();
    SmallVector<APInt> vals;
    for (int64_t i = 0; i < n; ++i)
      vals.push_back(APInt(w, (int64_t)(*start + i * *delta), true));
    ctx.setResult(0, ctx.create<arith::ConstantOp>(
                         DenseElementsAttr::get(outType, vals)));
  }
  return success();
}

static LogicalResult importPad(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  std::string modeName = ctx.attrString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return ctx.unsupported("mode '" + modeName + "'");
  SmallVector<int64_t> pads;
  Value value;
  Type elem = type.getElementType();
  if (ctx.opset() < 11) {
    pads = ctx.attrInts("pads");
    value = ctx.scalar(elem, ctx.attrFloat("value", 0.0));
  } else {
    FailureOr<SmallVector<int64_t>> p = ctx.constantInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.hasInput(2)) {
      value = ctx.input(2);
      auto vType = cast<RankedTensorType>(value.getType());
      if (vType.getNumElements() != 1)
        return ctx.emitError() << "constant_value must be a scalar";
      value = createReshape(ctx, value, {});
    } else {
      value = ctx.scalar(elem, 0.0);
    }
    if (ctx.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> axes = ctx.constantInts(3, "axes");
      if (failed(axes))
        return failure();
      SmallVector<int64_t> full(2 * rank, 0);
      for (auto [i, a] : llvm::enumerate(*axes)) {
        int64_t axis = normalizeAxis(a, rank);
        if (axis < 0 || axis >= rank)
          return ctx.emitError() << "axis out of range";
        full[axis] = pads[i];
        full[axis + rank] = pads[i + axes->size()];
      }
      pads = full;
    }
  }
  if ((int64_t)pads.size() != 2 * rank)
    return ctx.emitError() << "pads must have 2 * rank entries";
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(type.getDimSize(d) + pads[d] + pads[d + rank]);
  ctx.setResult(0, ctx.create<PadOp>(type.clone(shape), ctx.input(0), value,
                                     ctx.builder().getDenseI64ArrayAttr(pads),
                                     PadModeAttr::get(ctx.context(), *mode)));
  return success();
}

static LogicalResult importSplit(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), rank);
  if (axis < 0 || axis >= rank)
    return ctx.emitError() << "axis out of range";
  int64_t dim = type.getDimSize(axis);
  SmallVector<int64_t> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.attrInts("split");
  } else if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> s = ctx.constantInts(1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  int64_t n = ctx.numOutputs();
  if (sizes.empty()) {
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  if ((int64_t)sizes.size() != n)
    return ctx.emitError() << "split sizes do not match the output count";
  int64_t offset = 0;
  OpBuilder &b = ctx.builder();
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> starts(rank, 0), steps(rank, 1),
        shape(type.getShape());
    starts[axis] = offset;
    shape[axis] = sizes[i];
    offset += sizes[i];
    ctx.setResult(i, ctx.create<SliceOp>(type.clone(shape), ctx.input(0),
                                         b.getDenseI64ArrayAttr(starts),
                                         b.getDenseI64ArrayAttr(steps)));
  }
  if (offset != dim)
    return ctx.emitError() << "split sizes sum to " << offset
                           << ", the axis has " << dim;
  return success();
}

static LogicalResult importGatherND(NodeContext &ctx) {
  auto type = ctx.inputType(0), idx = ctx.inputType(1);
  int64_t b = ctx.attrInt("batch_dims", 0);
  int64_t q = idx.getRank() - 1;
  if (q < 0 || b < 0 || b > q)
    return ctx.emitError() << "invalid indices rank or batch_dims";
  int64_t k = idx.getDimSize(q);
  if (b + k > type.getRank())
    return ctx.emitError() << "index tuples longer than the data rank";
  SmallVector<int64_t> shape(idx.getShape().take_front(q));
  shape.append(type.getShape().begin() + b + k, type.getShape().end());
  ctx.setResult(0, ctx.create<GatherNDOp>(type.clone(shape), ctx.input(0),
                                          ctx.input(1),
                                          ctx.builder().getI64IntegerAttr(b)));
  return success();
}

/// The ScatterElements/ScatterND `reduction`; max and min (opset 18) are
/// not supported.
static FailureOr<ScatterReductionAttr> scatterReduction(NodeContext &ctx) {
  std::string name = ctx.attrString("reduction", "none");
  std::optional<ScatterReduction> reduction = symbolizeScatterReduction(name);
  if (!reduction)
    return ctx.unsupported("reduction '" + name + "'");
  return ctx.builder().getAttr<ScatterReductionAttr>(*reduction);
}

static LogicalResult importScatterElements(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t axis = normalizeAxis(ctx.attrInt("axis", 0), type.getRank());
  FailureOr<ScatterReductionAttr> reduction = scatterReduction(ctx);
  if (failed(reduction))
    return failure();
  ctx.setResult(0, ctx.create<ScatterElementsOp>(
                       type, ctx.input(0), ctx.input(1), ctx.input(2),
                       ctx.builder().getI64IntegerAttr(axis), *reduction));
  return success();
}

static LogicalResult importScatterND(NodeContext &ctx) {
  FailureOr<ScatterReductionAttr> reduction = scatterReduction(ctx);
  if (failed(reduction))
    return failure();
  ctx.setResult(0, ctx.create<ScatterNDOp>(ctx.inputType(0), ctx.input(0),
                                           ctx.input(1), ctx.input(2),
                                           *reduction));
  return success();
}

// The reshapes, Transpose, Concat and Gather handle dynamic dimensions; the
// other data movement computes static shapes.
void importer::registerShapeOps(OpImporterTable &t) {
  t["GatherND"] = importGatherND;
  t["ScatterElements"] = importScatterElements;
  t["Scatter"] = importScatterElements; // deprecated alias (opset < 11)
  t["ScatterND"] = importScatterND;
  t["Reshape"] = dynamicShapeImporter<ReshapeOp>(importReshape);
  t["Flatten"] = dynamicShapeImporter<ReshapeOp>(importFlatten);
  t["Squeeze"] = dynamicShapeImporter<ReshapeOp>(importSqueeze);
  t["Unsqueeze"] = dynamicShapeImporter<ReshapeOp>(importUnsqueeze);
  t["Transpose"] = dynamicShapeImporter<TransposeOp>(importTranspose);
  t["Concat"] = dynamicShapeImporter<ConcatOp>(importConcat);
  t["Slice"] = importSlice;
  t["Gather"] = dynamicShapeImporter<GatherOp>(importGather);
  t["GatherElements"] = importGatherElements;
  t["Expand"] = importExpand;
  t["Tile"] = importTile;
  t["Shape"] = importShape;
  t["Size"] = importSize;
  t["Constant"] = dynamicShapeImporter<>(importConstant);
  t["ConstantOfShape"] = importConstantOfShape;
  t["Range"] = importRange;
  t["Pad"] = importPad;
  t["Split"] = importSplit;
}
