//===- CompositeOps.cpp - ONNX ops decomposed into primitive qcc ops ------===//
//
// Ops whose ONNX definition is itself a composition (ONNX "functions") are
// imported as that composition of qcc ops, so they need no lowering of
// their own: Trilu, Hardmax, DepthToSpace/SpaceToDepth, EyeLike, LRN,
// MeanVarianceNormalization, NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include <map>
#include <set>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

namespace {

RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// An i64 constant of `shape` whose element at `idx` is `fn(idx)`.
Value indexConstant(NodeContext &ctx, ArrayRef<int64_t> shape,
                    llvm::function_ref<int64_t(ArrayRef<int64_t>)> fn) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> values(n), idx(shape.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    values[i] = fn(idx);
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  auto type = RankedTensorType::get(shape, ctx.builder().getI64Type());
  return ctx.create<arith::ConstantOp>(
      DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
}

Value transpose(NodeContext &ctx, Value v, ArrayRef<int64_t> perm) {
  auto t = tensorOf(v);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  return ctx.create<TransposeOp>(t.clone(shape), v,
                                 ctx.builder().getDenseI64ArrayAttr(perm));
}

LogicalResult importTrilu(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (type.getRank() < 2)
    return ctx.emitError() << "input must have rank >= 2";
  int64_t n = type.getDimSize(type.getRank() - 2);
  int64_t m = type.getDimSize(type.getRank() - 1);
  // diagonal offset j - i of every element, compared with k (a runtime
  // scalar input or 0).
  Value offsets = indexConstant(ctx, {n, m}, [](ArrayRef<int64_t> ij) {
    return ij[1] - ij[0];
  });
  Value k = ctx.hasInput(1) ? createReshape(ctx, ctx.input(1), {})
                            : ctx.scalar(ctx.builder().getI64Type(), 0);
  Value keep = ctx.attrInt("upper", 1)
                   ? broadcastBinary<GreaterEqualOp>(ctx, offsets, k,
                                                     ctx.builder().getI1Type())
                   : broadcastBinary<LessEqualOp>(ctx, offsets, k,
                                                  ctx.builder().getI1Type());
  Value zero = ctx.scalar(type.getElementType(), 0);
  ctx.setResult(0, ctx.create<WhereOp>(type, keep, ctx.input(0), zero));
  return success();
}

/// One-hot of the (first) maximum along `axis`.
LogicalResult importHardmax(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  bool legacy = ctx.opset() < 13;
  int64_t axis = normalizeAxis(ctx.attrInt("axis", legacy ? 1 : -1), rank);
  if (axis < 0 || axis >= rank)
    return ctx.emitError() << "axis out of range";
  Value x = ctx.input(0);
  if (legacy) {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? outer : inner) *= type.getDimSize(d);
    x = createReshape(ctx, x, {outer, inner});
    axis = 1;
  }
  auto xType = tensorOf(x);
  OpBuilder &b = ctx.builder();
  SmallVector<int64_t> keptShape(xType.getShape());
  keptShape[axis] = 1;
  Value arg = ctx.create<ArgExtremumOp>(
      RankedTensorType::get(keptShape, b.getI64Type()), x,
      b.getI64IntegerAttr(axis), b.getBoolAttr(true), b.getBoolAttr(true),
      b.getBoolAttr(false));
  SmallVector<int64_t> iotaShape(xType.getRank(), 1);
  iotaShape[axis] = xType.getDimSize(axis);
  Value iota = indexConstant(ctx, iotaShape, [axis](ArrayRef<int64_t> i) {
    return i[axis];
  });
  Value hot = broadcastBinary<EqualOp>(ctx, iota, arg, b.getI1Type());
  Value y = ctx.create<CastOp>(xType, hot);
  ctx.setResult(0, createReshape(ctx, y, type.getShape()));
  return success();
}

LogicalResult importDepthToSpace(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (type.getRank() != 4)
    return ctx.emitError() << "input must be 4-D";
  int64_t b = ctx.attrInt("blocksize", 0);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (b <= 0 || c % (b * b))
    return ctx.emitError() << "channels not divisible by blocksize^2";
  Value x = ctx.input(0);
  if (ctx.attrString("mode", "DCR") == "DCR") {
    x = createReshape(ctx, x, {n, b, b, c / (b * b), h, w});
    x = transpose(ctx, x, {0, 3, 4, 1, 5, 2});
  } else {
    x = createReshape(ctx, x, {n, c / (b * b), b, b, h, w});
    x = transpose(ctx, x, {0, 1, 4, 2, 5, 3});
  }
  ctx.setResult(0, createReshape(ctx, x, {n, c / (b * b), h * b, w * b}));
  return success();
}

LogicalResult importSpaceToDepth(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (type.getRank() != 4)
    return ctx.emitError() << "input must be 4-D";
  int64_t b = ctx.attrInt("blocksize", 0);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (b <= 0 || h % b || w % b)
    return ctx.emitError() << "spatial size not divisible by blocksize";
  Value x = createReshape(ctx, ctx.input(0), {n, c, h / b, b, w / b, b});
  x = transpose(ctx, x, {0, 3, 5, 1, 2, 4});
  ctx.setResult(0, createReshape(ctx, x, {n, c * b * b, h / b, w / b}));
  return success();
}

LogicalResult importEyeLike(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (type.getRank() != 2)
    return ctx.emitError() << "input must be 2-D";
  Type elem = type.getElementType();
  if (ctx.hasAttr("dtype")) {
    elem = convertElementType(ctx.context(), ctx.attrInt("dtype", 1));
    if (!elem)
      return ctx.unsupported("dtype");
  }
  int64_t k = ctx.attrInt("k", 0);
  Value eye = indexConstant(ctx, type.getShape(), [k](ArrayRef<int64_t> ij) {
    return ij[1] - ij[0] == k ? 1 : 0;
  });
  auto outType = type.clone(elem);
  ctx.setResult(0, elem.isInteger(64) ? eye : ctx.create<CastOp>(outType, eye));
  return success();
}

/// LRN: x / (bias + alpha / size * sum of squares over a channel window)^beta,
/// with the window sum as an average pool over channels.
LogicalResult importLRN(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  if (type.getRank() < 3)
    return ctx.emitError() << "input must be N-d with channels";
  int64_t size = ctx.attrInt("size", 0);
  if (size <= 0)
    return ctx.emitError() << "size must be positive";
  double alpha = ctx.attrFloat("alpha", 1e-4), beta = ctx.attrFloat("beta", 0.75),
         bias = ctx.attrFloat("bias", 1.0);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1), rest = 1;
  for (int64_t d = 2; d < type.getRank(); ++d)
    rest *= type.getDimSize(d);
  Type elem = type.getElementType();
  Value x = ctx.input(0);
  Value sq = ctx.create<MulOp>(type, x, x);
  Value sq4 = createReshape(ctx, sq, {n, 1, c, rest});
  OpBuilder &b = ctx.builder();
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value avg = ctx.create<PoolOp>(
      tensorOf(sq4), sq4, b.getAttr<PoolKindAttr>(PoolKind::Avg),
      b.getDenseI64ArrayAttr({size, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({before, 0, after, 0}),
      b.getDenseI64ArrayAttr({1, 1}), b.getBoolAttr(true));
  avg = createReshape(ctx, avg, type.getShape());
  Value scaled = ctx.create<AddOp>(
      type, ctx.create<MulOp>(type, avg, ctx.scalar(elem, alpha)),
      ctx.scalar(elem, bias));
  Value denom = ctx.create<PowOp>(type, scaled, ctx.scalar(elem, beta));
  ctx.setResult(0, ctx.create<DivOp>(type, x, denom));
  return success();
}

LogicalResult importMVN(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  SmallVector<int64_t> axes = ctx.attrInts("axes");
  if (axes.empty())
    axes = {0, 2, 3};
  for (int64_t &a : axes)
    a = normalizeAxis(a, type.getRank());
  llvm::sort(axes);
  SmallVector<int64_t> keptShape(type.getShape());
  for (int64_t a : axes)
    keptShape[a] = 1;
  OpBuilder &b = ctx.builder();
  auto kept = type.clone(keptShape);
  Value x = ctx.input(0);
  Value mean = ctx.create<ReduceMeanOp>(kept, x, b.getDenseI64ArrayAttr(axes),
                                        b.getBoolAttr(true));
  Value d = ctx.create<SubOp>(type, x, mean);
  Value var = ctx.create<ReduceMeanOp>(kept, ctx.create<MulOp>(type, d, d),
                                       b.getDenseI64ArrayAttr(axes),
                                       b.getBoolAttr(true));
  Value std = ctx.create<AddOp>(kept, ctx.create<SqrtOp>(kept, var),
                                ctx.scalar(type.getElementType(), 1e-9));
  ctx.setResult(0, ctx.create<DivOp>(type, d, std));
  return success();
}

/// Reduces `v` over all its dimensions to a 0-d sum.
Value sumAll(NodeContext &ctx, Value v) {
  auto t = tensorOf(v);
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < t.getRank(); ++d)
    axes.push_back(d);
  return ctx.create<ReduceSumOp>(t.clone(ArrayRef<int64_t>{}), v,
                                 ctx.builder().getDenseI64ArrayAttr(axes),
                                 ctx.builder().getBoolAttr(false));
}

/// NegativeLogLikelihoodLoss on log-probabilities `logp` [N, C, d...] and
/// integer `target` [N, d...], with optional class `weight` [C].
FailureOr<Value> nllLoss(NodeContext &ctx, Value logp, Value target,
                         Value weight) {
  auto lt = tensorOf(logp), tt = tensorOf(target);
  Type elem = lt.getElementType();
  OpBuilder &b = ctx.builder();
  std::string reduction = ctx.attrString("reduction", "mean");
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return ctx.emitError() << "unknown reduction '" << reduction << "'",
           failure();
  Value valid;
  Value safeTarget = target;
  if (ctx.hasAttr("ignore_index")) {
    Value ii = ctx.scalar(tt.getElementType(), ctx.attrInt("ignore_index", 0));
    Value ignored = broadcastBinary<EqualOp>(ctx, target, ii, b.getI1Type());
    valid = ctx.create<NotOp>(ignored.getType(), ignored);
    safeTarget = ctx.create<WhereOp>(tt, valid, target,
                                     ctx.scalar(tt.getElementType(), 0));
  }
  // -logp[n, target[n, d...], d...]
  SmallVector<int64_t> idxShape(tt.getShape());
  idxShape.insert(idxShape.begin() + 1, 1);
  Value idx = createReshape(ctx, safeTarget, idxShape);
  Value picked = ctx.create<GatherElementsOp>(
      lt.clone(idxShape), logp, idx, b.getI64IntegerAttr(1));
  auto lossType = tt.clone(elem);
  Value loss = ctx.create<NegOp>(lossType,
                                 createReshape(ctx, picked, tt.getShape()));
  Value w;
  if (weight)
    w = ctx.create<GatherOp>(lossType, weight, safeTarget,
                             b.getI64IntegerAttr(0));
  if (valid) {
    Value validF = ctx.create<CastOp>(lossType, valid);
    w = w ? ctx.create<MulOp>(lossType, w, validF) : validF;
  }
  if (w)
    loss = ctx.create<MulOp>(lossType, loss, w);
  if (reduction == "none")
    return loss;
  Value total = sumAll(ctx, loss);
  if (reduction == "sum")
    return total;
  Value count = w ? sumAll(ctx, w)
                  : ctx.scalar(elem, (double)lossType.getNumElements());
  return ctx.create<DivOp>(tensorOf(total), total, count).getResult();
}

LogicalResult importNLLLoss(NodeContext &ctx) {
  FailureOr<Value> loss =
      nllLoss(ctx, ctx.input(0), ctx.input(1), ctx.input(2));
  if (failed(loss))
    return failure();
  ctx.setResult(0, *loss);
  return success();
}

/// log_softmax along axis 1, then NLL; the optional second output is the
/// log-probabilities.
LogicalResult importSoftmaxCrossEntropy(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  OpBuilder &b = ctx.builder();
  Value x = ctx.input(0);
  SmallVector<int64_t> keptShape(type.getShape());
  keptShape[1] = 1;
  auto kept = type.clone(keptShape);
  Value m = ctx.create<ReduceMaxOp>(kept, x, b.getDenseI64ArrayAttr({1}),
                                    b.getBoolAttr(true));
  Value shifted = ctx.create<SubOp>(type, x, m);
  Value s = ctx.create<ReduceSumOp>(kept, ctx.create<ExpOp>(type, shifted),
                                    b.getDenseI64ArrayAttr({1}),
                                    b.getBoolAttr(true));
  Value logp = ctx.create<SubOp>(type, shifted, ctx.create<LogOp>(kept, s));
  FailureOr<Value> loss = nllLoss(ctx, logp, ctx.input(1), ctx.input(2));
  if (failed(loss))
    return failure();
  ctx.setResult(0, *loss);
  ctx.setResult(1, logp);
  return success();
}

/// ReverseSequence as GatherElements along the time axis with indices
/// t < len[b] ? len[b] - 1 - t : t.
LogicalResult importReverseSequence(NodeContext &ctx) {
  auto type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t batchAxis = ctx.attrInt("batch_axis", 1);
  int64_t timeAxis = ctx.attrInt("time_axis", 0);
  if (rank < 2 || batchAxis == timeAxis || batchAxis < 0 || timeAxis < 0 ||
      batchAxis > 1 || timeAxis > 1)
    return ctx.emitError() << "batch_axis and time_axis must be 0 and 1";
  OpBuilder &b = ctx.builder();
  Type i64 = b.getI64Type();
  SmallVector<int64_t> tShape(rank, 1), bShape(rank, 1);
  tShape[timeAxis] = type.getDimSize(timeAxis);
  bShape[batchAxis] = type.getDimSize(batchAxis);
  Value t = indexConstant(ctx, tShape, [timeAxis](ArrayRef<int64_t> i) {
    return i[timeAxis];
  });
  Value lens = ctx.create<CastOp>(tensorOf(ctx.input(1)).clone(i64), ctx.input(1));
  lens = createReshape(ctx, lens, bShape);
  Value last = broadcastBinary<SubOp>(ctx, lens, ctx.scalar(i64, 1));
  Value rev = broadcastBinary<SubOp>(ctx, last, t);
  Value inside = broadcastBinary<LessOp>(ctx, t, lens, b.getI1Type());
  auto idxType = tensorOf(rev);
  Value idx = ctx.create<WhereOp>(idxType, inside, rev, t);
  idx = ctx.create<BroadcastToOp>(type.clone(i64), idx);
  ctx.setResult(0, ctx.create<GatherElementsOp>(type, ctx.input(0), idx,
                                                b.getI64IntegerAttr(timeAxis)));
  return success();
}

/// Einsum without ellipses or repeated indices within one operand: every
/// operand is transposed and reshaped onto the joint index space (output
/// indices first), the broadcast product is formed, and the contracted
/// indices are summed out.
LogicalResult importEinsum(NodeContext &ctx) {
  std::string eq;
  for (char c : ctx.attrString("equation", ""))
    if (c != ' ')
      eq.push_back(c);
  if (eq.find("...") != std::string::npos)
    return ctx.unsupported("equations with '...'");
  std::string lhs = eq, out;
  bool explicitOut = false;
  if (size_t arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    out = eq.substr(arrow + 2);
    explicitOut = true;
  }
  SmallVector<std::string> terms;
  for (StringRef term : llvm::split(StringRef(lhs), ','))
    terms.push_back(term.str());
  if (terms.size() != ctx.numInputs())
    return ctx.emitError() << "equation has " << terms.size()
                           << " operands, the node " << ctx.numInputs();
  std::map<char, int64_t> sizes, counts;
  for (auto [i, term] : llvm::enumerate(terms)) {
    auto type = ctx.inputType(i);
    if ((int64_t)term.size() != type.getRank())
      return ctx.emitError() << "term '" << term << "' does not match rank "
                             << type.getRank();
    std::set<char> seen;
    for (auto [d, c] : llvm::enumerate(term)) {
      if (!seen.insert(c).second)
        return ctx.unsupported("repeated index within one operand");
      if (sizes.count(c) && sizes[c] != type.getDimSize(d) &&
          sizes[c] != 1 && type.getDimSize(d) != 1)
        return ctx.emitError() << "index '" << c << "' has inconsistent sizes";
      sizes[c] = std::max(sizes.count(c) ? sizes[c] : 1, type.getDimSize(d));
      ++counts[c];
    }
  }
  if (!explicitOut)
    for (auto [c, n] : counts)
      if (n == 1)
        out.push_back(c);
  std::string all = out;
  for (const std::string &term : terms)
    for (char c : term)
      if (all.find(c) == std::string::npos)
        all.push_back(c);
  int64_t rank = all.size();
  Value product;
  for (auto [i, term] : llvm::enumerate(terms)) {
    Value v = ctx.input(i);
    auto type = ctx.inputType(i);
    SmallVector<int64_t> order(term.size());
    for (size_t d = 0; d < term.size(); ++d)
      order[d] = d;
    llvm::sort(order, [&](int64_t a, int64_t b) {
      return all.find(term[a]) < all.find(term[b]);
    });
    if (!llvm::is_sorted(order))
      v = transpose(ctx, v, order);
    SmallVector<int64_t> full(rank, 1);
    for (auto [d, c] : llvm::enumerate(term))
      full[all.find(c)] = type.getDimSize(d);
    v = createReshape(ctx, v, full);
    product = product ? broadcastBinary<MulOp>(ctx, product, v) : v;
    if (!product)
      return failure();
  }
  SmallVector<int64_t> reduced;
  for (int64_t d = out.size(); d < rank; ++d)
    reduced.push_back(d);
  if (!reduced.empty()) {
    auto pType = tensorOf(product);
    product = ctx.create<ReduceSumOp>(
        pType.clone(pType.getShape().take_front(out.size())), product,
        ctx.builder().getDenseI64ArrayAttr(reduced),
        ctx.builder().getBoolAttr(false));
  }
  ctx.setResult(0, product);
  return success();
}

} // namespace

void importer::registerCompositeOps(OpImporterTable &t) {
  t["Trilu"] = importTrilu;
  t["Hardmax"] = importHardmax;
  t["DepthToSpace"] = importDepthToSpace;
  t["SpaceToDepth"] = importSpaceToDepth;
  t["EyeLike"] = importEyeLike;
  t["LRN"] = importLRN;
  t["MeanVarianceNormalization"] = importMVN;
  t["NegativeLogLikelihoodLoss"] = importNLLLoss;
  t["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropy;
  t["ReverseSequence"] = importReverseSequence;
  t["Einsum"] = importEinsum;
}
