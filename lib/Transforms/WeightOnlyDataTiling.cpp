//===- WeightOnlyDataTiling.cpp - qcc-weight-only-data-tiling -------------===//
//
// A float contraction C[m, n] += A[m, k] * W(k, n) whose weight W is the
// generic of a 4-bit qcc.dequantize_blockwise of constants (tagged
// kDequantizeBlockwiseTag by its lowering), packed along k in groups of G
// along k, becomes the generic the int4 weight-only microkernel computes
// (lib/Runtime/ukernel/WeightOnly.h), over constants packed here:
//
//   Bq [N1, K/2, N0] i8   nibble pairs along k, values offset to 0..15
//   S  [N1, K/G, N0] f32  group scales
//   Z  [N1, K/G, N0] i8   zero points as unsigned bytes (only with zero
//                         points; else 8)
//
//   C3[m, n1, n0] += A[m, k] * (u(Bq[n1, k/2, n0], k) - Z[..]) * S[n1, k/G, n0]
//
// with C3 the [M, N1, N0] view of the column-padded accumulator, tagged
// `qcc.ukernel = "<entry point>"`. It runs before elementwise fusion, which
// would otherwise fuse the dequantization into the contraction.
//
//===----------------------------------------------------------------------===//

#include "qcc/Target/CpuTarget.h"
#include "qcc/Target/Ukernels.h"
#include "qcc/Transforms/DataTilingUtils.h"
#include "qcc/Transforms/Passes.h"
#include "qcc/Transforms/QuantUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"

#include <cstring>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCWEIGHTONLYDATATILING
#include "qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// A 4-bit blockwise-dequantized weight read [k, n] (or [n, k]): the
/// storage, scales and zero points as constants.
struct W4Weight {
  arith::ConstantOp q, scale, zp;
  bool zpSigned = false;
  int64_t k, n, g;
};

/// The weight `w` is, if a tagged 4-bit dequantization of constants packed
/// along the contraction's k (dimension `kDim` of w) in groups along k.
std::optional<W4Weight> matchW4(Value w, unsigned kDim) {
  auto generic = w.getDefiningOp<linalg::GenericOp>();
  if (!generic)
    return std::nullopt;
  auto tag = generic->getAttrOfType<DictionaryAttr>(kDequantizeBlockwiseTag);
  if (!tag)
    return std::nullopt;
  auto bits = tag.getAs<IntegerAttr>("bits");
  auto block = tag.getAs<DenseI64ArrayAttr>("block_shape");
  auto packedDim = tag.getAs<IntegerAttr>("packed_dim");
  auto zpSigned = tag.getAs<BoolAttr>("zero_point_signed");
  auto wType = cast<RankedTensorType>(w.getType());
  if (!bits || bits.getInt() != 4 || !block || block.size() != 2 ||
      !packedDim || packedDim.getInt() != kDim || !wType.hasStaticShape() ||
      !wType.getElementType().isF32())
    return std::nullopt;
  unsigned nDim = 1 - kDim;
  W4Weight r;
  r.k = wType.getDimSize(kDim);
  r.n = wType.getDimSize(nDim);
  r.g = block[kDim];
  if (block[nDim] != 1 || r.g <= 0 || r.g % 2 || r.k % r.g)
    return std::nullopt;
  unsigned numInputs = generic.getNumDpsInputs();
  if (numInputs != (zpSigned ? 3u : 2u))
    return std::nullopt;
  // The operands as the lowering builds them: storage [.., k/2, ..] read
  // through (k floordiv 2), parameters [.., k/G, ..] through (k floordiv G)
  // (the constant 0 for a single group).
  MLIRContext *ctx = w.getContext();
  auto mapWith = [&](AffineExpr kExpr) {
    SmallVector<AffineExpr> e(2);
    e[kDim] = kExpr;
    e[nDim] = getAffineDimExpr(nDim, ctx);
    return AffineMap::get(2, 0, e, ctx);
  };
  AffineExpr kd = getAffineDimExpr(kDim, ctx);
  AffineMap qMap = mapWith(kd.floorDiv(2));
  AffineMap pMap =
      mapWith(r.g == r.k ? getAffineConstantExpr(0, ctx) : kd.floorDiv(r.g));
  auto shapeWith = [&](int64_t kSize) {
    SmallVector<int64_t> s(2);
    s[kDim] = kSize;
    s[nDim] = r.n;
    return s;
  };
  auto operandIs = [&](unsigned i, Type elem, ArrayRef<int64_t> shape,
                       AffineMap map) -> arith::ConstantOp {
    auto type = dyn_cast<RankedTensorType>(
        generic.getDpsInputOperand(i)->get().getType());
    if (!type || type.getElementType() != elem || type.getShape() != shape ||
        generic.getIndexingMapsArray()[i] != map)
      return nullptr;
    return generic.getDpsInputOperand(i)
        ->get()
        .getDefiningOp<arith::ConstantOp>();
  };
  Type i8 = IntegerType::get(ctx, 8), f32 = Float32Type::get(ctx);
  r.q = operandIs(0, i8, shapeWith(r.k / 2), qMap);
  r.scale = operandIs(1, f32, shapeWith(r.k / r.g), pMap);
  if (zpSigned) {
    r.zp = operandIs(2, i8, shapeWith(r.k / r.g), pMap);
    r.zpSigned = zpSigned.getValue();
  }
  if (!r.q || !r.scale || (zpSigned && !r.zp))
    return std::nullopt;
  return r;
}

/// A [M, K] f32 activation quantized per row and group of `g`:
///   sa[m, k/g] = max |a[m, group]| / 127 (1 for an all-zero group),
///   aq[m, k]   = round-half-even(a / sa) in i8.
std::pair<Value, Value> quantizeActivation(OpBuilder &b, Location loc, Value a,
                                           int64_t g) {
  MLIRContext *ctx = b.getContext();
  auto aType = cast<RankedTensorType>(a.getType());
  int64_t m = aType.getDimSize(0), k = aType.getDimSize(1), groups = k / g;
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  SmallVector<Value> dyn;
  if (ShapedType::isDynamic(m))
    dyn.push_back(tensor::DimOp::create(b, loc, a, 0));
  auto type3 = RankedTensorType::get({m, groups, g}, f32);
  SmallVector<ReassociationIndices> split = {{0}, {1, 2}};
  SmallVector<OpFoldResult> sizes3 = {tensor::getMixedSize(b, loc, a, 0),
                                      b.getIndexAttr(groups),
                                      b.getIndexAttr(g)};
  Value a3 = tensor::ExpandShapeOp::create(b, loc, type3, a, split, sizes3);
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
             d2 = getAffineDimExpr(2, ctx);
  AffineMap id3 = AffineMap::get(3, 0, {d0, d1, d2}, ctx),
            rows3 = AffineMap::get(3, 0, {d0, d1}, ctx);
  auto sType = RankedTensorType::get({m, groups}, f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value amax0 = linalg::FillOp::create(b, loc, zero,
                                       ValueRange{tensor::EmptyOp::create(
                                           b, loc, sType.getShape(), f32, dyn)})
                    .getResult(0);
  Value amax =
      linalg::GenericOp::create(
          b, loc, TypeRange{sType}, ValueRange{a3}, ValueRange{amax0},
          ArrayRef<AffineMap>{id3, rows3},
          ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                        utils::IteratorType::parallel,
                                        utils::IteratorType::reduction},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value abs = math::AbsFOp::create(nb, l, args[0]);
            linalg::YieldOp::create(
                nb, l, (Value)arith::MaximumFOp::create(nb, l, abs, args[1]));
          })
          .getResult(0);
  AffineMap id2 = AffineMap::get(2, 0, {d0, d1}, ctx);
  Value sa =
      linalg::GenericOp::create(
          b, loc, TypeRange{sType}, ValueRange{amax},
          ValueRange{
              tensor::EmptyOp::create(b, loc, sType.getShape(), f32, dyn)},
          ArrayRef<AffineMap>{id2, id2},
          ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                        utils::IteratorType::parallel},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value s = arith::DivFOp::create(
                nb, l, args[0],
                arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(127.0f)));
            Value isZero = arith::CmpFOp::create(
                nb, l, arith::CmpFPredicate::OEQ, args[0],
                arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(0.0f)));
            linalg::YieldOp::create(
                nb, l,
                (Value)arith::SelectOp::create(
                    nb, l, isZero,
                    arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1.0f)),
                    s));
          })
          .getResult(0);
  auto q3Type = RankedTensorType::get({m, groups, g}, i8);
  Value aq3 =
      linalg::GenericOp::create(
          b, loc, TypeRange{q3Type}, ValueRange{a3, sa},
          ValueRange{
              tensor::EmptyOp::create(b, loc, q3Type.getShape(), i8, dyn)},
          ArrayRef<AffineMap>{id3, rows3, id3},
          SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value r = math::RoundEvenOp::create(
                nb, l, arith::DivFOp::create(nb, l, args[0], args[1]));
            r = arith::MinimumFOp::create(
                nb, l,
                arith::MaximumFOp::create(
                    nb, l, r,
                    arith::ConstantOp::create(nb, l,
                                              nb.getF32FloatAttr(-127.0f))),
                arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(127.0f)));
            linalg::YieldOp::create(
                nb, l,
                (Value)arith::FPToSIOp::create(nb, l, nb.getI8Type(), r));
          })
          .getResult(0);
  Value aq = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({m, k}, i8), aq3, split);
  return {aq, sa};
}

struct QccWeightOnlyDataTilingPass
    : qcc::impl::QccWeightOnlyDataTilingBase<QccWeightOnlyDataTilingPass> {
  using QccWeightOnlyDataTilingBase::QccWeightOnlyDataTilingBase;

  void runOnOperation() override {
    std::optional<CpuTarget> target = getModuleTarget(getOperation());
    if (!target)
      return;
    SmallVector<W4Ukernel> f32Kernels = w4UkernelsFor(*target, false);
    SmallVector<W4Ukernel> s8Kernels;
    if (int8Activations)
      s8Kernels = w4UkernelsFor(*target, true);
    SmallVector<linalg::LinalgOp> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });
    unsigned counter = 0;
    for (linalg::LinalgOp op : contractions)
      rewrite(op, f32Kernels, s8Kernels, counter);
  }

  /// Whether the int8 kernels serve a contraction whose activation has type
  /// `aType` and whose weight groups are `g` long: matrix-vector-like
  /// products (static rows, all activation dimensions but the last, at most
  /// int8MaxRows, or rows known only at run time, as a decode step's) and
  /// groups of whole 8-k blocks (the int8 kernels take k in blocks of 8,
  /// 4 bytes per column, inside groups).
  bool int8Fits(RankedTensorType aType, int64_t g) {
    if (g % 8)
      return false;
    int64_t rows = 1;
    for (int64_t d : aType.getShape().drop_back()) {
      if (ShapedType::isDynamic(d))
        return true;
      rows *= d;
    }
    return rows <= int8MaxRows;
  }

  /// Rewrites `op` for the first of `s8Kernels` (empty without
  /// int8-activations) where int8Fits, else the first of `f32Kernels`.
  void rewrite(linalg::LinalgOp op, ArrayRef<W4Ukernel> f32Kernels,
               ArrayRef<W4Ukernel> s8Kernels, unsigned &counter) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1)
      return;
    std::optional<ContractionForm> form = contractionForm(op);
    if (!form)
      return;
    Value a = op.getDpsInputOperand(0)->get();
    Value w = op.getDpsInputOperand(1)->get();
    Value init = op.getDpsInitOperand(0)->get();
    auto aType = cast<RankedTensorType>(a.getType());
    auto initType = cast<RankedTensorType>(init.getType());
    if (!aType.getElementType().isF32() || !initType.getElementType().isF32())
      return;
    std::optional<W4Weight> weight = matchW4(w, form->transposed ? 1 : 0);
    if (!weight || aType.getShape().back() != weight->k ||
        initType.getShape().back() != weight->n)
      return;
    ArrayRef<W4Ukernel> kernels =
        !s8Kernels.empty() && int8Fits(aType, weight->g) ? s8Kernels
                                                         : f32Kernels;
    if (kernels.empty())
      return;
    const W4Ukernel &kernel = kernels.front();
    int64_t k = weight->k, n = weight->n, g = weight->g, n0 = kernel.n0;
    int64_t groups = k / g, n1s = (n + n0 - 1) / n0, np = n1s * n0;
    bool int8 = kernel.int8Activations;
    bool transposed = form->transposed;
    std::optional<std::vector<char>> qBytes =
        constantBytes(weight->q, k / 2 * n, 1);
    std::optional<std::vector<char>> sBytes =
        constantBytes(weight->scale, groups * n, 4);
    std::optional<std::vector<char>> zBytes;
    if (weight->zp) {
      zBytes = constantBytes(weight->zp, groups * n, 1);
      if (!zBytes)
        return;
    }
    if (!qBytes || !sBytes)
      return;
    // Zero points are stored as unsigned bytes (4-bit ones are 0..15).
    if (zBytes && weight->zpSigned &&
        llvm::any_of(*zBytes, [](char c) { return (int8_t)c < 0; }))
      return;

    // Pack into panels; padded columns get u = 0, s = 0 (and z = 0).
    bool hasZp = static_cast<bool>(weight->zp);
    auto nibble = [&](int64_t row, int64_t col) -> uint8_t {
      int64_t byte = transposed ? col * (k / 2) + row / 2 : (row / 2) * n + col;
      uint8_t u = ((uint8_t)(*qBytes)[byte] >> (4 * (row % 2))) & 15;
      return hasZp ? u : u ^ 8; // symmetric: (u ^ 8) - 8 is the value
    };
    auto paramIndex = [&](int64_t grp, int64_t col) {
      return transposed ? col * groups + grp : grp * n + col;
    };
    // f32 kernels: [N1][K/2][N0], byte = u(2p) | u(2p + 1) << 4. int8
    // kernels: [N1][K/8][N0][4], byte i of column j in block b =
    // u(8b + i) | u(8b + 4 + i) << 4 (a dword per column, one vpdpbusd
    // operand per nibble half).
    std::vector<char> bq(n1s * (k / 2) * n0, 0);
    std::vector<float> s(n1s * groups * n0, 0.0f);
    std::vector<char> z(hasZp ? n1s * groups * n0 : 0, 0);
    for (int64_t n1 = 0; n1 < n1s; ++n1)
      for (int64_t j = 0; j < n0; ++j) {
        int64_t col = n1 * n0 + j;
        if (col >= n)
          continue;
        if (int8) {
          for (int64_t blk = 0; blk < k / 8; ++blk)
            for (int64_t i = 0; i < 4; ++i)
              bq[((n1 * (k / 8) + blk) * n0 + j) * 4 + i] =
                  (char)(nibble(8 * blk + i, col) | nibble(8 * blk + 4 + i, col)
                                                        << 4);
        } else {
          for (int64_t kp = 0; kp < k / 2; ++kp)
            bq[(n1 * (k / 2) + kp) * n0 + j] =
                (char)(nibble(2 * kp, col) | nibble(2 * kp + 1, col) << 4);
        }
        for (int64_t grp = 0; grp < groups; ++grp) {
          int64_t src = paramIndex(grp, col),
                  dst = (n1 * groups + grp) * n0 + j;
          std::memcpy(&s[dst], sBytes->data() + 4 * src, 4);
          if (hasZp)
            z[dst] = (*zBytes)[src];
        }
      }

    OpBuilder b(op);
    Location loc = op.getLoc();
    MLIRContext *ctx = op->getContext();
    RowMatrices mats = rowMatrices(b, loc, a, init, form->numM, np);
    Type i8 = b.getI8Type(), f32 = b.getF32Type(), i32 = b.getI32Type();
    // Flat constants viewed as panels (as qcc-data-tiling's, so that they
    // become flat LLVM arrays).
    auto panels = [&](Type elem, ArrayRef<int64_t> shape, ArrayRef<char> raw,
                      StringRef what) -> Value {
      auto type = RankedTensorType::get(shape, elem);
      auto flat = RankedTensorType::get({type.getNumElements()}, elem);
      std::string name =
          ("packed." + kernel.symbol + "." + what + "." + Twine(counter)).str();
      Value c =
          arith::ConstantOp::create(b, loc, rawConstantAttr(flat, name, raw));
      ReassociationIndices all;
      for (size_t d = 0; d < shape.size(); ++d)
        all.push_back(d);
      return tensor::ExpandShapeOp::create(
          b, loc, type, c, SmallVector<ReassociationIndices>{all});
    };
    auto floatBytes = [](const std::vector<float> &v) {
      return ArrayRef<char>(reinterpret_cast<const char *>(v.data()),
                            v.size() * sizeof(float));
    };
    // Loops (m, n1, n0, k).
    AffineExpr dm = getAffineDimExpr(0, ctx), dn1 = getAffineDimExpr(1, ctx),
               dn0 = getAffineDimExpr(2, ctx), dk = getAffineDimExpr(3, ctx);
    AffineMap param = AffineMap::get(4, 0, {dn1, dk.floorDiv(g), dn0}, ctx);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    if (int8) {
      auto [aq, sa] = quantizeActivation(b, loc, mats.a, g);
      inputs = {aq, sa, panels(i8, {n1s, k / 8, n0, 4}, bq, "q")};
      maps = {AffineMap::get(4, 0, {dm, dk}, ctx),
              AffineMap::get(4, 0, {dm, dk.floorDiv(g)}, ctx),
              AffineMap::get(4, 0, {dn1, dk.floorDiv(8), dn0, dk % 4}, ctx)};
    } else {
      inputs = {mats.a, panels(i8, {n1s, k / 2, n0}, bq, "q")};
      maps = {AffineMap::get(4, 0, {dm, dk}, ctx),
              AffineMap::get(4, 0, {dn1, dk.floorDiv(2), dn0}, ctx)};
    }
    unsigned qIndex = inputs.size() - 1;
    inputs.push_back(panels(f32, {n1s, groups, n0}, floatBytes(s), "s"));
    maps.push_back(param);
    if (hasZp) {
      inputs.push_back(panels(i8, {n1s, groups, n0}, z, "z"));
      maps.push_back(param);
    }
    ++counter;

    int64_t m = cast<RankedTensorType>(mats.a.getType()).getDimSize(0);
    auto c3Type = RankedTensorType::get({m, n1s, n0}, f32);
    SmallVector<ReassociationIndices> split = {{0}, {1, 2}};
    Value c3 = tensor::ExpandShapeOp::create(b, loc, c3Type, mats.acc, split);
    maps.push_back(AffineMap::get(4, 0, {dm, dn1, dn0}, ctx));
    SmallVector<utils::IteratorType> iterators(3,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{c3Type}, inputs, ValueRange{c3}, maps, iterators,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          auto index = [&](int64_t v) {
            return arith::ConstantIndexOp::create(nb, l, v);
          };
          // The nibble: k's half of the byte (k mod 2 in pairs, k mod 8
          // floordiv 4 in blocks of 8).
          Value byte = arith::ExtUIOp::create(nb, l, i32, args[qIndex]);
          Value kIdx = linalg::IndexOp::create(nb, l, 3);
          Value half =
              int8 ? (Value)arith::DivUIOp::create(
                         nb, l, arith::RemUIOp::create(nb, l, kIdx, index(8)),
                         index(4))
                   : (Value)arith::RemUIOp::create(nb, l, kIdx, index(2));
          Value shift = arith::IndexCastUIOp::create(
              nb, l, i32, arith::MulIOp::create(nb, l, half, index(4)));
          Value u = arith::AndIOp::create(
              nb, l, arith::ShRUIOp::create(nb, l, byte, shift),
              arith::ConstantIntOp::create(nb, l, i32, 15));
          Value uf = arith::UIToFPOp::create(nb, l, f32, u);
          Value zero =
              hasZp
                  ? (Value)arith::UIToFPOp::create(nb, l, f32, args[qIndex + 2])
                  : (Value)arith::ConstantOp::create(nb, l,
                                                     nb.getF32FloatAttr(8.0f));
          Value wv = arith::MulFOp::create(
              nb, l, arith::SubFOp::create(nb, l, uf, zero), args[qIndex + 1]);
          // The activation: a, or its int8 value times its group scale.
          Value av =
              int8 ? (Value)arith::MulFOp::create(
                         nb, l, arith::SIToFPOp::create(nb, l, f32, args[0]),
                         args[1])
                   : args[0];
          Value acc = args.back();
          linalg::YieldOp::create(
              nb, l,
              (Value)arith::AddFOp::create(
                  nb, l, acc, arith::MulFOp::create(nb, l, av, wv)));
        });
    std::string symbol = (kernel.symbol + (hasZp ? "_zp" : "")).str();
    generic->setAttr(kUkernelAttr, b.getStringAttr(symbol));
    Value result = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({m, np}, f32), generic.getResult(0),
        split);
    result = mats.restore(b, loc, result);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    eraseDeadChain(w);
  }
};

} // namespace
