//===- ExportWeightOnly.cpp - weight-only layers as ONNX ------------------===//
//
// int8 weight-only layers as DequantizeLinear (per axis; per group as
// [rows, group] + Reshape/Transpose), int4 MatMul/Gemm as
// com.microsoft.MatMulNBits; see OnnxExport.cpp.
//
//===----------------------------------------------------------------------===//

#include "OnnxExporter.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::onnx_export;

//===----------------------------------------------------------------------===//
// Weight-only
//===----------------------------------------------------------------------===//

LogicalResult OnnxExporter::exportWeightOnly(const Layer &l) {
  Operation *op = l.op;
  const onnx::NodeProto &node = model.graph().node(l.nodeIndex);
  if (!isa<MatMulOp, GemmOp, ConvOp>(op) || op->getNumOperands() < 2)
    return layerError(l) << "expected qcc.matmul, qcc.gemm or qcc.conv";
  // Convolution weights are quantized as their [F, C * k...] matrix and
  // reshaped back (qcc-quantize-weights).
  Value weight = op->getOperand(1);
  auto reshape = weight.getDefiningOp<ReshapeOp>();
  if (reshape && isa<ConvOp>(op))
    weight = reshape.getInput();
  auto dq = weight.getDefiningOp<DequantizeBlockwiseOp>();
  if (!dq)
    return layerError(l)
           << "the weight is not a qcc.dequantize_blockwise of constants";
  if (node.input_size() < 2 || node.input(1).empty())
    return layerError(l) << "the ONNX node has no weight input";
  auto wType = cast<RankedTensorType>(dq.getType());
  if (!wType.getElementType().isF32() || !wType.hasStaticShape())
    return layerError(l) << "only static f32 weights can be exported";
  SmallVector<int64_t> dims(wType.getShape());
  int64_t rank = dims.size(), numel = wType.getNumElements();
  ArrayRef<int64_t> block = dq.getBlockShape();
  int64_t bits = dq.getBits();
  // ONNX Runtime 1.20's MatMulNBits kernel rejects bits != 4 ("Only 4b
  // quantization is supported"); ONNX has INT2 only from opset 25.
  if (bits == 2)
    return layerError(l)
           << "2-bit weights have no form that ONNX Runtime 1.20 runs: "
              "com.microsoft.MatMulNBits accepts only bits = 4 there and "
              "ONNX has 2-bit tensors only from opset 25; export "
              "--quant=w4 or w8 instead";
  if (bits == 3)
    return layerError(l)
           << "3-bit weights have no ONNX form: ONNX has no 3-bit tensor "
              "type and com.microsoft.MatMulNBits in ONNX Runtime 1.20 "
              "accepts only bits = 4; export --quant=w4 or w8 instead";
  bool hasZp = static_cast<bool>(dq.getZeroPoint());
  FailureOr<std::vector<uint8_t>> storage =
      constantValues<uint8_t>(dq.getInput());
  FailureOr<std::vector<float>> scales = constantValues<float>(dq.getScale());
  FailureOr<std::vector<uint8_t>> zps =
      hasZp ? constantValues<uint8_t>(dq.getZeroPoint())
            : FailureOr<std::vector<uint8_t>>(std::vector<uint8_t>());
  if (failed(storage) || failed(scales) || failed(zps))
    return layerError(l) << "the quantized weight, scales or zero points are "
                            "not readable constants";
  int64_t packDim = dq.getPackedDimIndex();
  if ((int64_t)block.size() != rank || (bits != 4 && bits != 8) ||
      (bits == 4 && (packDim < 0 || packDim >= rank || dims[packDim] % 2)))
    return layerError(l) << "unexpected qcc.dequantize_blockwise layout";
  SmallVector<int64_t> scaleDims;
  for (int64_t d = 0; d < rank; ++d) {
    if (block[d] <= 0 || dims[d] % block[d])
      return layerError(l) << "block shape does not tile the weight";
    scaleDims.push_back(dims[d] / block[d]);
  }
  int64_t numBlocks = product(scaleDims);
  if ((int64_t)scales->size() != numBlocks ||
      (hasZp && (int64_t)zps->size() != numBlocks) ||
      (int64_t)storage->size() != (bits == 4 ? numel / 2 : numel))
    return layerError(l) << "weight, scale and zero point sizes disagree";

  // The integer value of every weight element (row-major): signed without
  // a zero point, unsigned with one. 4-bit values are packed two per byte
  // along dimension packDim: element (.., j, r) is in the low (even j) or
  // high nibble of byte (.., j / 2, r), `r` the row-major index over the
  // dimensions after packDim.
  int64_t inner = 1;
  for (int64_t d = packDim + 1; d < rank; ++d)
    inner *= dims[d];
  std::vector<int32_t> q(numel);
  for (int64_t i = 0; i < numel; ++i) {
    int64_t j = bits == 4 ? i / inner % dims[packDim] : 0;
    int64_t byteIdx =
        bits == 4 ? (i / inner / dims[packDim] * (dims[packDim] / 2) + j / 2) *
                            inner +
                        i % inner
                  : i;
    uint8_t byte = (*storage)[byteIdx];
    if (bits == 4) {
      int32_t nib = (j % 2) ? byte >> 4 : byte & 0xF;
      q[i] = hasZp ? nib : (nib ^ 8) - 8;
    } else {
      q[i] = hasZp ? (int32_t)byte : (int32_t)(int8_t)byte;
    }
  }
  // Scale/zero-point index of element `i`.
  SmallVector<int64_t> strides(rank, 1), scaleStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d) {
    strides[d] = strides[d + 1] * dims[d + 1];
    scaleStrides[d] = scaleStrides[d + 1] * scaleDims[d + 1];
  }
  auto blockOf = [&](int64_t i) {
    int64_t b = 0;
    for (int64_t d = 0; d < rank; ++d)
      b += ((i / strides[d]) % dims[d]) / block[d] * scaleStrides[d];
    return b;
  };

  std::string base = node.input(1);
  bool isGemm = l.opType == "Gemm";
  bool transB = isGemm && attrInt(node, "transB", 0);
  if (auto gemm = dyn_cast<GemmOp>(op);
      gemm && (gemm.getTransB() != transB ||
               gemm.getTransA() != (bool)attrInt(node, "transA", 0)))
    return layerError(l) << "the ONNX node's transA/transB disagree with the "
                            "module";

  // int4 MatMul/Gemm: MatMulNBits.
  if (bits == 4 && (l.opType == "MatMul" || isGemm) && rank == 2) {
    int64_t red = transB ? 1 : 0, chan = 1 - red;
    int64_t k = dims[red], n = dims[chan], group = block[red];
    auto aType = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    std::optional<int64_t> bs = nbitsBlockSize(group, k);
    if (block[chan] == 1 && bs && aType && aType.getRank() >= 2) {
      int64_t blockSize = *bs, nb = llvm::divideCeil(k, blockSize);
      int64_t blob = blockSize / 2, zpBytes = llvm::divideCeil(nb, 2);
      std::vector<uint8_t> packed(n * nb * blob), zpPacked;
      std::vector<float> nbScales(n * nb);
      if (hasZp)
        zpPacked.assign(n * zpBytes, 0);
      for (int64_t c = 0; c < n; ++c) {
        for (int64_t j = 0; j < nb; ++j) {
          // Every block lies inside one group: its first element's.
          int64_t first =
              red == 0 ? j * blockSize * n + c : c * k + j * blockSize;
          int64_t sIdx = blockOf(first);
          nbScales[c * nb + j] = (*scales)[sIdx];
          uint8_t zp = hasZp ? (*zps)[sIdx] : 8;
          if (hasZp)
            zpPacked[c * zpBytes + j / 2] |= (j % 2) ? zp << 4 : zp;
          for (int64_t e = 0; e < blockSize; ++e) {
            int64_t kk = j * blockSize + e;
            // Padding beyond K dequantizes to 0.
            uint8_t u = zp;
            if (kk < k) {
              int32_t v = q[red == 0 ? kk * n + c : c * k + kk];
              u = (uint8_t)(hasZp ? v : v + 8);
            }
            packed[(c * nb + j) * blob + e / 2] |= (e % 2) ? u << 4 : u;
          }
        }
      }
      std::vector<onnx::NodeProto> nodes;
      std::string a = node.input(0);
      if (isGemm && attrInt(node, "transA", 0)) {
        std::string t = fresh(l.name + "_A_transposed");
        setInts(addNode(nodes, "Transpose", {a}, {t}, l.name), "perm", {1, 0});
        a = t;
      }
      SmallVector<std::string> inputs = {
          a, addBytes(base + "_nbits", TP::UINT8, {n, nb, blob}, packed),
          addF32(base + "_nbits_scale", {n * nb}, nbScales)};
      if (hasZp)
        inputs.push_back(addBytes(base + "_nbits_zero_point", TP::UINT8,
                                  {n * zpBytes}, zpPacked));
      float alpha = isGemm ? attrFloat(node, "alpha", 1.0f) : 1.0f;
      float beta = isGemm ? attrFloat(node, "beta", 1.0f) : 1.0f;
      bool hasC = isGemm && node.input_size() > 2 && !node.input(2).empty() &&
                  beta != 0.0f;
      std::string y = node.output(0);
      std::string mm = alpha != 1.0f || hasC ? fresh(l.name + "_matmul") : y;
      onnx::NodeProto &nbits =
          addNode(nodes, "MatMulNBits", inputs, {mm}, l.name, "com.microsoft");
      // The layer keeps its node name.
      if (!node.name().empty())
        nbits.set_name(node.name());
      setInt(nbits, "K", k);
      setInt(nbits, "N", n);
      setInt(nbits, "bits", 4);
      setInt(nbits, "block_size", blockSize);
      std::string cur = mm;
      if (alpha != 1.0f) {
        std::string out = hasC ? fresh(l.name + "_scaled") : y;
        addNode(nodes, "Mul", {cur, addF32(l.name + "_alpha", {}, {alpha})},
                {out}, l.name);
        cur = out;
      }
      if (hasC) {
        std::string c = node.input(2);
        if (beta != 1.0f) {
          std::string out = fresh(l.name + "_C_scaled");
          addNode(nodes, "Mul", {c, addF32(l.name + "_beta", {}, {beta})},
                  {out}, l.name);
          c = out;
        }
        addNode(nodes, "Add", {cur, c}, {y}, l.name);
      }
      needMsDomain = true;
      detached.push_back(node.input(1));
      replacement[l.nodeIndex] = std::move(nodes);
      return success();
    }
    emitWarning(op->getLoc())
        << "--emit=onnx: layer '" << l.name << "': int4 weights with "
        << (group == k ? std::string("one scale per column")
                       : "groups of " + std::to_string(group))
        << " cannot be expressed with MatMulNBits (block sizes are powers of "
           "2 from 16 to 256 within a group); stored as int8 values with "
           "DequantizeLinear";
  }

  // DequantizeLinear of int8 (or uint8 + zero point) storage.
  int32_t dtype = hasZp ? TP::UINT8 : TP::INT8;
  std::vector<uint8_t> bytes(numel);
  for (int64_t i = 0; i < numel; ++i)
    bytes[i] = (uint8_t)q[i];
  SmallVector<int64_t> varying;
  for (int64_t d = 0; d < rank; ++d)
    if (scaleDims[d] != 1)
      varying.push_back(d);
  std::vector<onnx::NodeProto> &nodes = before[l.nodeIndex];
  std::string w;
  if (varying.size() <= 1) {
    std::optional<int64_t> axis;
    if (!varying.empty())
      axis = varying[0];
    w = dequantize(nodes, base, dtype, dims, bytes, *scales, *zps, axis);
  } else if (rank == 2 && varying.size() == 2 &&
             (block[0] == 1 || block[1] == 1)) {
    // Per group along dimension `red`: rows of `group` elements, one scale
    // per row, in the row-major order of the [.., ..] scale tensor.
    int64_t red = block[0] == 1 ? 1 : 0, group = block[red];
    int64_t groups = scaleDims[red], chans = dims[1 - red];
    std::vector<uint8_t> rows(numel);
    if (red == 1) {
      rows = bytes; // [C, K] is already [C * K/G, G]
    } else {
      // [K, C] -> [K/G, C, G]
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t c = 0; c < chans; ++c)
          for (int64_t e = 0; e < group; ++e)
            rows[(g * chans + c) * group + e] =
                bytes[(g * group + e) * chans + c];
    }
    std::string d = dequantize(nodes, base, dtype, {groups * chans, group},
                               rows, *scales, *zps, 0);
    if (red == 1) {
      w = fresh(base + "_dequantized_reshaped");
      addNode(nodes, "Reshape", {d, addI64(base + "_shape", dims)}, {w}, base);
    } else {
      std::string r3 = fresh(base + "_dequantized_groups");
      addNode(nodes, "Reshape",
              {d, addI64(base + "_group_shape", {groups, chans, group})}, {r3},
              base);
      std::string t = fresh(base + "_dequantized_transposed");
      setInts(addNode(nodes, "Transpose", {r3}, {t}, base), "perm", {0, 2, 1});
      w = fresh(base + "_dequantized_reshaped");
      addNode(nodes, "Reshape", {t, addI64(base + "_shape", dims)}, {w}, base);
    }
  } else {
    return layerError(l) << "blocks " << llvm::interleaved(block)
                         << " of a rank-" << rank
                         << " weight have no ONNX form";
  }
  if (reshape && isa<ConvOp>(op)) {
    auto convShape = cast<RankedTensorType>(reshape.getType()).getShape();
    std::string r = fresh(base + "_dequantized_conv_shape");
    addNode(nodes, "Reshape", {w, addI64(base + "_conv_shape", convShape)}, {r},
            base);
    w = r;
  }
  detached.push_back(node.input(1));
  model.mutable_graph()->mutable_node(l.nodeIndex)->set_input(1, w);
  return success();
}
