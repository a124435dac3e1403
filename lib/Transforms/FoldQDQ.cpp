//===- FoldQDQ.cpp - pre-quantized (QDQ / QLinear) models to integer ops --===//
//
// Models that arrive quantized (QAT exports, ONNX Runtime's quantizer) carry
// DequantizeLinear in front of their MatMul/Gemm/Conv; run as written they
// dequantize to float and contract in float. This pass folds the
// dequantizations into the contraction, so that those models use the same
// integer kernels as --quant=w8a8: an 8-bit x 8-bit contraction
// accumulating in i32, one float rescale per output channel (activation
// scale x weight scale), bias and the following float ops as before.
//
//   %x = qcc.dequantize_linear %xq, %sx, %zx          (per tensor)
//   %w = qcc.dequantize_linear %wq, %sw, %zw {axis}   (per tensor or per
//   %y = qcc.matmul %x, %w                              output channel)
// becomes
//   %acc = qcc.matmul %xq, %wq' : ... -> i32
//   %acc' = qcc.sub %acc, zx * colsum(wq')           (constant, if zx != 0)
//   %y = qcc.mul (qcc.cast %acc'), sx * sw
//
// where wq' = wq - zw when the weights are constant and that fits in i8
// (else qcc.matmul_integer subtracts both zero points in the kernel).
// Convolutions become an integer qcc.conv; with constant weights their zero
// points leave the kernel the same way (wq' = wq - zw, the input padded
// with zx up front, zx * sum(wq'[f]) subtracted per output channel). An
// int32 bias dequantized with exactly the accumulator's scale is added to
// the accumulator (as ONNX Runtime's QLinearConv does). A following
// QuantizeLinear (output quantization) stays, so a QDQ-quantized layer ends
// in the same ops as the imported QLinearMatMul / QLinearConv.
//
// Also: qcc.matmul_integer and integer qcc.conv with constant weights and
// zero points (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv) take
// the same zero-point-free form; per-tensor dequantizations move below
// reshapes, transposes and max pooling (computed on the integers), and
// QuantizeLinear(DequantizeLinear(q)) with identical parameters is q.
//
// Scales and zero points must be constants; the integer product is exact,
// so results differ from a float evaluation only by the float rescale.
//
//===----------------------------------------------------------------------===//

#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <cstring>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFOLDQDQ
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// The constant behind `v`, looking through qcc.reshape.
arith::ConstantOp constantOf(Value v) {
  while (auto r = v.getDefiningOp<ReshapeOp>())
    v = r.getInput();
  return v.getDefiningOp<arith::ConstantOp>();
}

/// The raw little-endian bytes of a constant resource tensor.
std::optional<ArrayRef<char>> resourceBytes(Attribute attr) {
  auto res = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!res)
    return std::nullopt;
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  return blob->getData();
}

/// The values of a static integer constant (i8..i64, signed or unsigned by
/// the element type), or std::nullopt.
std::optional<SmallVector<int64_t>> constantInts(Value v) {
  arith::ConstantOp cst = constantOf(v);
  auto type = cst ? dyn_cast<RankedTensorType>(cst.getType()) : nullptr;
  auto it = type ? dyn_cast<IntegerType>(type.getElementType()) : nullptr;
  if (!it || !type.hasStaticShape() || it.getWidth() % 8 || it.getWidth() > 64)
    return std::nullopt;
  bool isUnsigned = it.isUnsigned();
  SmallVector<int64_t> out;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(cst.getValue())) {
    for (const APInt &a : dense.getValues<APInt>())
      out.push_back(isUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue());
    return out;
  }
  std::optional<ArrayRef<char>> data = resourceBytes(cst.getValue());
  unsigned bytes = it.getWidth() / 8;
  if (!data || (int64_t)data->size() != type.getNumElements() * bytes)
    return std::nullopt;
  out.reserve(type.getNumElements());
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    uint64_t u = 0;
    for (unsigned k = 0; k < bytes; ++k)
      u |= (uint64_t)(uint8_t)(*data)[i * bytes + k] << (8 * k);
    APInt a(it.getWidth(), u);
    out.push_back(isUnsigned ? (int64_t)a.getZExtValue() : a.getSExtValue());
  }
  return out;
}

/// The values of a static f32 constant (looking through reshapes), or
/// std::nullopt.
std::optional<SmallVector<float>> constantFloats(Value v) {
  return f32ConstantValues(constantOf(v));
}

bool fitsI8(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v >= -128 && v <= 127; });
}

bool allZero(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v == 0; });
}

bool allEqual(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [&](int64_t v) { return v == values[0]; });
}

//===----------------------------------------------------------------------===//
// Dequantized operands
//===----------------------------------------------------------------------===//

/// An operand that is `qcc.dequantize_linear` of an 8-bit integer tensor
/// with constant scale and zero point, to f32.
struct Dequantized {
  DequantizeLinearOp op;
  Value q;
  SmallVector<float> scales; // one, or one per index of `axis`
  SmallVector<int64_t> zeroPoints;
  int64_t axis = -1; // -1: per tensor

  bool perTensor() const { return axis < 0; }
  float scale(int64_t i) const { return scales[perTensor() ? 0 : i]; }
};

std::optional<Dequantized> matchDequantized(Value v, unsigned maxBits = 8) {
  auto dq = v.getDefiningOp<DequantizeLinearOp>();
  if (!dq || !dq.getOutput().getType().getElementType().isF32())
    return std::nullopt;
  auto it = dyn_cast<IntegerType>(dq.getInput().getType().getElementType());
  if (!it || it.getWidth() > maxBits)
    return std::nullopt;
  std::optional<SmallVector<float>> s = constantFloats(dq.getScale());
  std::optional<SmallVector<int64_t>> z = constantInts(dq.getZeroPoint());
  if (!s || !z || s->empty() || s->size() != z->size())
    return std::nullopt;
  Dequantized d{dq, dq.getInput(), *s, *z, -1};
  if (s->size() > 1)
    d.axis = dq.getAxis();
  return d;
}

/// ONNX storage types the integer contraction takes: i8 and ui8.
bool isByteTensor(Value v) {
  auto it = dyn_cast<IntegerType>(
      cast<RankedTensorType>(v.getType()).getElementType());
  return it && it.getWidth() == 8;
}

/// A scalar zero point as a 0-d tensor of `elem`, for qcc.matmul_integer.
Value zeroPointTensor(OpBuilder &b, Location loc, Type elem,
                      ArrayRef<int64_t> zps) {
  if (zps.size() == 1)
    return intConstant(b, loc, {}, elem, zps);
  return intConstant(b, loc, {(int64_t)zps.size()}, elem, zps);
}

//===----------------------------------------------------------------------===//
// The integer contraction and the rescale
//===----------------------------------------------------------------------===//

/// i32 accumulator of (a - za) x (b - zb[n]) with numpy matmul semantics,
/// `b` of rank >= 2 and `zb` scalar or one per column. With constant `b`
/// the zero points leave the kernel: b' = b - zb is stored (when it fits in
/// i8) and za * colsum(b') is subtracted from the plain i8/u8 x i8
/// contraction; otherwise qcc.matmul_integer subtracts them per element.
Value integerMatmul(OpBuilder &b, Location loc, RankedTensorType accType,
                    Value a, int64_t za, Value w, ArrayRef<int64_t> zb,
                    std::optional<SmallVector<int64_t>> wValues) {
  auto wType = cast<RankedTensorType>(w.getType());
  if (wValues && !allZero(zb)) {
    int64_t n = wType.getShape().back();
    SmallVector<int64_t> shifted(*wValues);
    for (size_t i = 0; i < shifted.size(); ++i)
      shifted[i] -= zb[zb.size() == 1 ? 0 : i % n];
    if (fitsI8(shifted)) {
      w = intConstant(b, loc, wType.getShape(), b.getI8Type(), shifted);
      wValues = std::move(shifted);
      zb = {};
    } else {
      wValues.reset();
    }
  }
  Type aElem = cast<RankedTensorType>(a.getType()).getElementType();
  if (!wValues && (za != 0 || !allZero(zb)))
    return MatMulIntegerOp::create(
        b, loc, accType, a, w, zeroPointTensor(b, loc, aElem, {za}),
        zeroPointTensor(b, loc, wType.getElementType(), zb));
  Value acc = MatMulOp::create(b, loc, accType, a, w);
  if (za == 0)
    return acc;
  // za * sum_k b'[..., k, n], shaped [N] or [..., 1, N] to broadcast.
  ArrayRef<int64_t> shape = wType.getShape();
  int64_t rank = shape.size(), k = shape[rank - 2], n = shape[rank - 1];
  int64_t batches = wType.getNumElements() / (k * n);
  SmallVector<int64_t> corr(batches * n, 0);
  for (int64_t bi = 0; bi < batches; ++bi)
    for (int64_t ki = 0; ki < k; ++ki)
      for (int64_t ni = 0; ni < n; ++ni)
        corr[bi * n + ni] += (*wValues)[(bi * k + ki) * n + ni];
  for (int64_t &c : corr)
    c = (int64_t)(int32_t)(uint32_t)(uint64_t)(c * za); // i32 wrap-around
  SmallVector<int64_t> corrShape(shape);
  corrShape[rank - 2] = 1;
  if (rank == 2)
    corrShape = {n};
  Value c = intConstant(b, loc, corrShape, b.getI32Type(), corr);
  return SubOp::create(b, loc, accType, acc, c);
}

/// float(acc) * scale, with `scale` a constant of `scaleShape` (per tensor:
/// {} ).
Value rescale(OpBuilder &b, Location loc, Value acc, ArrayRef<float> scale,
              ArrayRef<int64_t> scaleShape) {
  auto accType = cast<RankedTensorType>(acc.getType());
  auto fType = accType.clone(b.getF32Type());
  Value y = CastOp::create(b, loc, fType, acc);
  return MulOp::create(b, loc, fType, y,
                       f32Constant(b, loc, scaleShape, scale));
}

/// Combined scale sx * sw[c] for `channels` output channels (one entry when
/// both are per tensor).
SmallVector<float> combinedScale(const Dequantized &x, const Dequantized &w,
                                 int64_t channels) {
  if (w.perTensor())
    return {x.scales[0] * w.scales[0]};
  SmallVector<float> s;
  for (int64_t c = 0; c < channels; ++c)
    s.push_back(x.scales[0] * w.scale(c));
  return s;
}

/// The int32 tensor `bq` of a bias `DequantizeLinear(bq, sb, 0)` whose
/// scale is bit-identical to the accumulator's (`accScale`: one entry, or
/// one per channel), so that it can be added to the accumulator exactly;
/// null otherwise.
Value integerBias(Value bias, ArrayRef<float> accScale) {
  if (!bias)
    return {};
  auto dq = bias.getDefiningOp<DequantizeLinearOp>();
  if (!dq || !dq.getInput().getType().getElementType().isSignlessInteger(32))
    return {};
  std::optional<SmallVector<float>> s = constantFloats(dq.getScale());
  std::optional<SmallVector<int64_t>> z = constantInts(dq.getZeroPoint());
  if (!s || !z || !allZero(*z))
    return {};
  auto biasType = dq.getInput().getType();
  if (s->size() > 1 && (biasType.getRank() != 1 || dq.getAxis() != 0))
    return {};
  if (s->size() > 1 && accScale.size() > 1 && s->size() != accScale.size())
    return {};
  for (size_t c = 0, e = std::max(s->size(), accScale.size()); c < e; ++c) {
    float want = accScale[accScale.size() == 1 ? 0 : c];
    float got = (*s)[s->size() == 1 ? 0 : c];
    if (std::memcmp(&want, &got, sizeof(float)) != 0)
      return {};
  }
  return dq.getInput();
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// matmul(DQ(a), DQ(b)): a per tensor, b per tensor or per output column.
struct FoldDequantizedMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.getElementType().isF32())
      return failure();
    std::optional<Dequantized> x = matchDequantized(op.getLhs());
    std::optional<Dequantized> w = matchDequantized(op.getRhs());
    if (!x || !w)
      return rewriter.notifyMatchFailure(op, "operands are not dequantized");
    auto wType = cast<RankedTensorType>(w->q.getType());
    int64_t rank = wType.getRank();
    if (!x->perTensor())
      return rewriter.notifyMatchFailure(op, "per-axis activation scale");
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "1-D right operand");
    if (!w->perTensor() && w->axis != rank - 1)
      return rewriter.notifyMatchFailure(
          op, "weight scale varies along the reduction dimension");
    int64_t n = wType.getShape().back();
    if (!w->perTensor() && ShapedType::isDynamic(n))
      return failure();
    SmallVector<int64_t> zb(w->zeroPoints);
    Location loc = op.getLoc();
    auto accType = outType.clone(rewriter.getI32Type());
    Value acc = integerMatmul(rewriter, loc, accType, x->q, x->zeroPoints[0],
                              w->q, zb, constantInts(w->q));
    SmallVector<float> scale = combinedScale(*x, *w, n);
    SmallVector<int64_t> scaleShape;
    if (scale.size() > 1)
      scaleShape.push_back(n);
    rewriter.replaceOp(op, rescale(rewriter, loc, acc, scale, scaleShape));
    return success();
  }
};

/// gemm(DQ(A), DQ(B), C): B per tensor or per output column; an int32 C
/// dequantized with the accumulator's scale is added in i32.
struct FoldDequantizedGemm : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.getElementType().isF32())
      return failure();
    std::optional<Dequantized> x = matchDequantized(op.getA());
    std::optional<Dequantized> w = matchDequantized(op.getB());
    if (!x || !w)
      return rewriter.notifyMatchFailure(op, "operands are not dequantized");
    if (!x->perTensor())
      return rewriter.notifyMatchFailure(op, "per-axis activation scale");
    bool transB = op.getTransB();
    if (!w->perTensor() && w->axis != (transB ? 0 : 1))
      return rewriter.notifyMatchFailure(
          op, "weight scale varies along the reduction dimension");
    auto wType = cast<RankedTensorType>(w->q.getType());
    if (!wType.hasStaticShape())
      return failure();
    int64_t k = wType.getDimSize(transB ? 1 : 0);
    int64_t n = wType.getDimSize(transB ? 0 : 1);
    Location loc = op.getLoc();
    Value a = x->q;
    if (op.getTransA()) {
      auto aType = cast<RankedTensorType>(a.getType());
      a = TransposeOp::create(
          rewriter, loc,
          aType.clone({aType.getDimSize(1), aType.getDimSize(0)}), a,
          rewriter.getDenseI64ArrayAttr({1, 0}));
    }
    // Weights as [K, N].
    Value wq = w->q;
    std::optional<SmallVector<int64_t>> wValues = constantInts(wq);
    if (transB) {
      auto kn = wType.clone({k, n});
      if (wValues) {
        SmallVector<int64_t> t(k * n);
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < n; ++j)
            t[i * n + j] = (*wValues)[j * k + i];
        wValues = std::move(t);
        wq = intConstant(rewriter, loc, {k, n}, wType.getElementType(),
                         *wValues);
      } else {
        wq = TransposeOp::create(rewriter, loc, kn, wq,
                                 rewriter.getDenseI64ArrayAttr({1, 0}));
      }
    }
    auto accType = outType.clone(rewriter.getI32Type());
    Value acc = integerMatmul(rewriter, loc, accType, a, x->zeroPoints[0], wq,
                              w->zeroPoints, wValues);
    SmallVector<float> scale = combinedScale(*x, *w, n);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = beta != 0 ? op.getC() : Value();
    if (alpha == 1.0 && beta == 1.0)
      if (Value cq = integerBias(c, scale)) {
        auto cType = cast<RankedTensorType>(cq.getType());
        if (scale.size() == 1 ||
            (cType.getRank() == 1 && cType.getDimSize(0) == n)) {
          acc = AddOp::create(rewriter, loc, accType, acc, cq);
          c = Value();
        }
      }
    if (alpha != 1.0)
      for (float &s : scale)
        s = (float)(alpha * s);
    SmallVector<int64_t> scaleShape;
    if (scale.size() > 1)
      scaleShape.push_back(n);
    Value y = rescale(rewriter, loc, acc, scale, scaleShape);
    if (c) {
      if (beta != 1.0)
        c = MulOp::create(rewriter, loc, cast<RankedTensorType>(c.getType()), c,
                          f32Constant(rewriter, loc, {}, {(float)beta}));
      y = AddOp::create(rewriter, loc, y.getType(), y, c);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// conv(DQ(x), DQ(w), bias): w per tensor or per output channel (axis 0),
/// any group count (depthwise included).
struct FoldDequantizedConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto outType = cast<RankedTensorType>(op.getType());
    if (!outType.getElementType().isF32() || op.getInputZeroPoint() ||
        op.getWeightZeroPoint())
      return failure();
    std::optional<Dequantized> x = matchDequantized(op.getInput());
    std::optional<Dequantized> w = matchDequantized(op.getWeight());
    if (!x || !w)
      return rewriter.notifyMatchFailure(op, "operands are not dequantized");
    if (!x->perTensor())
      return rewriter.notifyMatchFailure(op, "per-axis activation scale");
    if (!w->perTensor() && w->axis != 0)
      return rewriter.notifyMatchFailure(op,
                                         "weight scale not per output channel");
    auto wType = cast<RankedTensorType>(w->q.getType());
    if (!wType.hasStaticShape())
      return failure();
    int64_t f = wType.getDimSize(0);
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    // Weight zero points: none, one for all (an attribute), or per channel
    // subtracted from the constant weights at compile time.
    Value wq = w->q;
    IntegerAttr wZp;
    if (!allZero(w->zeroPoints)) {
      if (allEqual(w->zeroPoints)) {
        wZp = rewriter.getI64IntegerAttr(w->zeroPoints[0]);
      } else {
        std::optional<SmallVector<int64_t>> values = constantInts(wq);
        if (!values)
          return rewriter.notifyMatchFailure(
              op, "per-channel weight zero points on non-constant weights");
        int64_t perChannel = wType.getNumElements() / f;
        for (size_t i = 0; i < values->size(); ++i)
          (*values)[i] -= w->zeroPoints[i / perChannel];
        Type elem =
            fitsI8(*values) ? rewriter.getI8Type() : IntegerType::get(ctx, 16);
        wq = intConstant(rewriter, loc, wType.getShape(), elem, *values);
      }
    }
    IntegerAttr xZp;
    if (x->zeroPoints[0] != 0)
      xZp = rewriter.getI64IntegerAttr(x->zeroPoints[0]);
    SmallVector<float> scale = combinedScale(*x, *w, f);
    Value bias = op.getBias();
    Value biasQ = integerBias(bias, scale);
    if (biasQ && cast<RankedTensorType>(biasQ.getType()).getRank() != 1)
      biasQ = Value();
    auto accType = outType.clone(rewriter.getI32Type());
    Value acc = ConvOp::create(
        rewriter, loc, accType, x->q, wq, biasQ, op.getStridesAttr(),
        op.getPadsAttr(), op.getDilationsAttr(), op.getGroupAttr(), xZp, wZp);
    SmallVector<int64_t> chanShape(outType.getRank() - 1, 1);
    chanShape[0] = f;
    Value y = rescale(rewriter, loc, acc, scale,
                      scale.size() == 1 ? ArrayRef<int64_t>{}
                                        : ArrayRef<int64_t>(chanShape));
    if (bias && !biasQ) {
      auto biasType = RankedTensorType::get(
          chanShape, cast<RankedTensorType>(bias.getType()).getElementType());
      y = AddOp::create(rewriter, loc, y.getType(), y,
                        ReshapeOp::create(rewriter, loc, biasType, bias));
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Integer qcc.conv with constant weights and zero-point attributes
/// (ConvInteger, QLinearConv, folded QDQ) -> the zero-point-free kernel:
/// w' = w - zw is stored, the input is padded with its zero point up front
/// and zx * sum(w'[f]) is subtracted per output channel, since
/// sum (x - zx) w' = sum x w' - zx sum w' over every window (padding
/// included).
struct SimplifyIntegerConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    int64_t xZp = op.getInputZeroPoint().value_or(0);
    int64_t wZp = op.getWeightZeroPoint().value_or(0);
    if (!xZp && !wZp)
      return failure();
    auto outType = cast<RankedTensorType>(op.getType());
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto wElem = dyn_cast<IntegerType>(wType.getElementType());
    if (!outType.getElementType().isSignlessInteger(32) || !wElem ||
        wElem.getWidth() > 16 || !isByteTensor(op.getInput()) ||
        !wType.hasStaticShape())
      return failure();
    std::optional<SmallVector<int64_t>> w = constantInts(op.getWeight());
    if (!w)
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    Location loc = op.getLoc();
    Value weight = op.getWeight();
    if (wZp) {
      for (int64_t &v : *w)
        v -= wZp;
      weight = intConstant(
          rewriter, loc, wType.getShape(),
          fitsI8(*w) ? rewriter.getI8Type() : rewriter.getIntegerType(16), *w);
    }
    Value input = op.getInput();
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> convPads(pads);
    if (xZp && llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      // qcc.pad takes the begin pads of every dimension, then the ends.
      int64_t rank = xType.getRank(), ns = rank - 2;
      SmallVector<int64_t> padAll(2 * rank, 0), shape(xType.getShape());
      for (int64_t i = 0; i < ns; ++i) {
        padAll[2 + i] = pads[i];
        padAll[rank + 2 + i] = pads[ns + i];
        if (!ShapedType::isDynamic(shape[2 + i]))
          shape[2 + i] += pads[i] + pads[ns + i];
      }
      Value zp = intConstant(rewriter, loc, {}, xType.getElementType(), {xZp});
      input = PadOp::create(rewriter, loc, xType.clone(shape), input, zp,
                            rewriter.getDenseI64ArrayAttr(padAll),
                            rewriter.getAttr<PadModeAttr>(PadMode::Constant));
      convPads.assign(pads.size(), 0);
    }
    Value acc = ConvOp::create(
        rewriter, loc, outType, input, weight, op.getBias(),
        op.getStridesAttr(), rewriter.getDenseI64ArrayAttr(convPads),
        op.getDilationsAttr(), op.getGroupAttr(), IntegerAttr(), IntegerAttr());
    if (xZp) {
      int64_t f = wType.getDimSize(0), perChannel = wType.getNumElements() / f;
      SmallVector<int64_t> corr(f, 0);
      for (int64_t i = 0; i < (int64_t)w->size(); ++i)
        corr[i / perChannel] += (*w)[i];
      for (int64_t &c : corr)
        c = (int64_t)(int32_t)(uint32_t)(uint64_t)(c * xZp); // i32 wrap
      SmallVector<int64_t> chanShape(outType.getRank() - 1, 1);
      chanShape[0] = f;
      acc = SubOp::create(
          rewriter, loc, outType, acc,
          intConstant(rewriter, loc, chanShape, rewriter.getI32Type(), corr));
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

/// qcc.matmul_integer with constant weights and zero points (MatMulInteger,
/// QLinearMatMul) -> the zero-point-free contraction of integerMatmul.
struct SimplifyMatMulInteger : OpRewritePattern<MatMulIntegerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulIntegerOp op,
                                PatternRewriter &rewriter) const override {
    if (!isByteTensor(op.getLhs()) || !isByteTensor(op.getRhs()))
      return failure();
    auto wType = cast<RankedTensorType>(op.getRhs().getType());
    std::optional<SmallVector<int64_t>> w = constantInts(op.getRhs());
    std::optional<SmallVector<int64_t>> za = constantInts(op.getLhsZeroPoint());
    std::optional<SmallVector<int64_t>> zb = constantInts(op.getRhsZeroPoint());
    if (!w || !za || !zb || za->size() != 1 || wType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "not constant per-tensor");
    int64_t n = wType.getShape().back();
    if (zb->size() != 1 && (int64_t)zb->size() != n)
      return failure();
    // Only when the zero points really leave the kernel.
    if (!allZero(*zb)) {
      SmallVector<int64_t> shifted(*w);
      for (size_t i = 0; i < shifted.size(); ++i)
        shifted[i] -= (*zb)[zb->size() == 1 ? 0 : i % n];
      if (!fitsI8(shifted))
        return rewriter.notifyMatchFailure(op, "weights - zp exceed i8");
    }
    rewriter.replaceOp(op, integerMatmul(rewriter, op.getLoc(),
                                         cast<RankedTensorType>(op.getType()),
                                         op.getLhs(), (*za)[0], op.getRhs(),
                                         *zb, w));
    return success();
  }
};

/// QuantizeLinear(DequantizeLinear(q, s, z), s, z) -> q: for integers of up
/// to 16 bits and normal scales, (q - z) * s / s rounds back to q - z
/// exactly, so the pair is the identity.
struct FoldQuantizeOfDequantize : OpRewritePattern<QuantizeLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeLinearOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> d = matchDequantized(op.getInput(), 16);
    if (!d || d->q.getType() != op.getType())
      return failure();
    std::optional<SmallVector<float>> s = constantFloats(op.getScale());
    std::optional<SmallVector<int64_t>> z = constantInts(op.getZeroPoint());
    if (!s || !z || *s != d->scales || *z != d->zeroPoints ||
        (s->size() > 1 && (int64_t)op.getAxis() != d->axis))
      return failure();
    if (!llvm::all_of(*s, [](float v) { return std::isnormal(v); }))
      return failure();
    rewriter.replaceOp(op, d->q);
    return success();
  }
};

/// Data movement of a dequantized tensor happens on the integers:
/// reshape/transpose(DQ(q)) -> DQ(reshape/transpose(q)) (per tensor; a
/// transpose also per axis), so that the dequantization reaches the
/// contraction it feeds.
template <typename OpTy> struct MoveDequantizeBelow : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> d = matchDequantized(op.getInput(), 16);
    if (!d)
      return failure();
    int64_t axis = 0;
    if (!d->perTensor()) {
      auto t = dyn_cast<TransposeOp>(op.getOperation());
      if (!t)
        return failure();
      axis = llvm::find(t.getPerm(), d->axis) - t.getPerm().begin();
    }
    auto outType = cast<RankedTensorType>(op.getType());
    auto qType = cast<RankedTensorType>(d->q.getType());
    auto movedType = outType.clone(qType.getElementType());
    Value moved;
    // Constant weights are moved at compile time, so that the contraction
    // still sees constants.
    std::optional<SmallVector<int64_t>> values = constantInts(d->q);
    if (values && movedType.hasStaticShape() && qType.hasStaticShape()) {
      SmallVector<int64_t> out(*values);
      if (auto t = dyn_cast<TransposeOp>(op.getOperation())) {
        ArrayRef<int64_t> perm = t.getPerm();
        int64_t rank = perm.size();
        SmallVector<int64_t> inStrides(rank, 1), idx(rank, 0);
        for (int64_t d = rank - 2; d >= 0; --d)
          inStrides[d] = inStrides[d + 1] * qType.getDimSize(d + 1);
        for (size_t i = 0; i < out.size(); ++i) {
          int64_t src = 0;
          for (int64_t d = 0; d < rank; ++d)
            src += idx[d] * inStrides[perm[d]];
          out[i] = (*values)[src];
          for (int64_t d = rank - 1; d >= 0; --d) {
            if (++idx[d] < movedType.getDimSize(d))
              break;
            idx[d] = 0;
          }
        }
      }
      moved = intConstant(rewriter, op.getLoc(), movedType.getShape(),
                          movedType.getElementType(), out);
    } else {
      Operation *clone = rewriter.clone(*op);
      clone->setOperand(0, d->q);
      clone->getResult(0).setType(movedType);
      moved = clone->getResult(0);
    }
    rewriter.replaceOpWithNewOp<DequantizeLinearOp>(
        op, outType, moved, d->op.getScale(), d->op.getZeroPoint(),
        rewriter.getI64IntegerAttr(axis));
    return success();
  }
};

/// max pool(DQ(q, s > 0)) -> DQ(max pool(q)): dequantization with a
/// positive scale is monotonic.
struct MoveDequantizeBelowMaxPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Dequantized> d = matchDequantized(op.getInput(), 16);
    if (op.getKind() != PoolKind::Max || !d || !d->perTensor() ||
        !(d->scales[0] > 0))
      return failure();
    auto outType = cast<RankedTensorType>(op.getType());
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, d->q);
    moved->getResult(0).setType(
        outType.clone(cast<RankedTensorType>(d->q.getType()).getElementType()));
    rewriter.replaceOpWithNewOp<DequantizeLinearOp>(
        op, outType, moved->getResult(0), d->op.getScale(),
        d->op.getZeroPoint(), rewriter.getI64IntegerAttr(0));
    return success();
  }
};

struct QccFoldQDQPass : qcc::impl::QccFoldQDQBase<QccFoldQDQPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns
        .add<FoldDequantizedMatMul, FoldDequantizedGemm, FoldDequantizedConv,
             SimplifyMatMulInteger, SimplifyIntegerConv,
             FoldQuantizeOfDequantize, MoveDequantizeBelow<ReshapeOp>,
             MoveDequantizeBelow<TransposeOp>, MoveDequantizeBelowMaxPool>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
