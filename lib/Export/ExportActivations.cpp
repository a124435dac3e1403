//===- ExportActivations.cpp - int8 activation layers as ONNX -------------===//
//
// Static W8A8 layers as QuantizeLinear -> DequantizeLinear on activations
// plus DequantizeLinear on int8 weights, dynamic (per-token) int8 layers as
// standard ops + MatMulInteger; see OnnxExport.cpp.
//
//===----------------------------------------------------------------------===//

#include "OnnxExporter.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::onnx_export;

//===----------------------------------------------------------------------===//
// Static W8A8
//===----------------------------------------------------------------------===//

LogicalResult OnnxExporter::exportStatic(const Layer &l) {
  Operation *acc = l.op;
  const onnx::NodeProto &node = model.graph().node(l.nodeIndex);
  if (!isa<MatMulOp, ConvOp>(acc) || acc->getNumOperands() < 2)
    return layerError(l) << "expected an int8 qcc.matmul or qcc.conv";
  std::optional<float> actScale = l.quant.getActScale();
  ArrayRef<float> ws = l.quant.getWeightScales();
  if (!actScale || ws.empty())
    return layerError(l) << "qcc.quant has no act_scale/weight_scales";
  auto wType = cast<RankedTensorType>(acc->getOperand(1).getType());
  FailureOr<std::vector<int8_t>> wq =
      constantValues<int8_t>(acc->getOperand(1));
  if (failed(wq) || !wType.getElementType().isInteger(8))
    return layerError(l) << "the int8 weight is not a readable constant";
  if (node.input_size() < 2 || node.input(0).empty() || node.input(1).empty())
    return layerError(l) << "the ONNX node has no activation/weight input";
  SmallVector<int64_t> dims(wType.getShape());
  bool perTensor = l.quant.getGranularity() == QuantGranularity::PerTensor;

  std::vector<uint8_t> bytes(wq->size());
  std::memcpy(bytes.data(), wq->data(), bytes.size());
  int64_t axis;
  if (l.opType == "Conv") {
    axis = 0;
  } else {
    if (dims.size() != 2)
      return layerError(l) << "expected a rank-2 int8 weight";
    if (attrInt(node, "transA", 0))
      return layerError(l) << "transA is not supported";
    axis = 1;
    if (l.opType == "Gemm" && attrInt(node, "transB", 0)) {
      // The module holds [K, N]; the node reads [N, K].
      int64_t k = dims[0], n = dims[1];
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j)
          bytes[j * k + i] = (uint8_t)(*wq)[i * n + j];
      dims = {n, k};
      axis = 0;
    }
  }
  if ((int64_t)ws.size() != dims[axis])
    return layerError(l) << "expected " << dims[axis]
                         << " weight scales, found " << ws.size();
  std::vector<onnx::NodeProto> &nodes = before[l.nodeIndex];
  std::string base = node.input(1);
  // Symmetric: explicit zero points of 0.
  std::string w;
  if (perTensor) {
    float s0 = ws[0];
    uint8_t z0 = 0;
    w = dequantize(nodes, base, TP::INT8, dims, bytes, ArrayRef<float>(s0),
                   ArrayRef<uint8_t>(z0), std::nullopt);
  } else {
    w = dequantize(nodes, base, TP::INT8, dims, bytes, ws,
                   std::vector<uint8_t>(ws.size(), 0), axis);
  }

  // Activation: QuantizeLinear -> DequantizeLinear with the calibrated
  // scale (symmetric int8, zero point 0).
  std::string xBase = l.name + "_input";
  float sx = *actScale;
  std::string s = addF32(xBase + "_scale", {}, {sx});
  int8_t zero = 0;
  std::string zp =
      addInitializer(xBase + "_zero_point", TP::INT8, {}, &zero, 1);
  std::string xq = fresh(xBase + "_quantized");
  std::string xdq = fresh(xBase + "_dequantized");
  addNode(nodes, "QuantizeLinear", {node.input(0), s, zp}, {xq}, xBase);
  addNode(nodes, "DequantizeLinear", {xq, s, zp}, {xdq}, xBase);
  needOpset = std::max<int64_t>(needOpset, 10);

  // Bias correction: the pass subtracts a per-channel shift from the
  // layer's output.
  std::string y = node.output(0);
  onnx::NodeProto *mut = model.mutable_graph()->mutable_node(l.nodeIndex);
  if (ArrayRef<float> shift = l.quant.getBiasCorrection(); !shift.empty()) {
    if ((int64_t)shift.size() != dims[axis])
      return layerError(l) << "expected " << dims[axis]
                           << " bias corrections, found " << shift.size();
    SmallVector<float> negated;
    for (float v : shift)
      negated.push_back(-v);
    SmallVector<int64_t> shape = {(int64_t)negated.size()};
    if (l.opType == "Conv")
      shape.append(
          cast<RankedTensorType>(acc->getResult(0).getType()).getRank() - 2, 1);
    std::string uncorrected = fresh(y + "_uncorrected");
    mut->set_output(0, uncorrected);
    addNode(after[l.nodeIndex], "Add",
            {uncorrected, addF32(l.name + "_bias_correction", shape, negated)},
            {y}, l.name);
  }
  detached.push_back(node.input(1));
  mut->set_input(0, xdq);
  mut->set_input(1, w);
  return success();
}

//===----------------------------------------------------------------------===//
// Dynamic (per-token) int8
//===----------------------------------------------------------------------===//

LogicalResult OnnxExporter::exportDynamic(const Layer &l) {
  auto acc = dyn_cast<MatMulOp>(l.op);
  const onnx::NodeProto &node = model.graph().node(l.nodeIndex);
  if (!acc)
    return layerError(l) << "expected an int8 qcc.matmul";
  auto rows = acc.getLhs().getDefiningOp<DynamicQuantizeRowsOp>();
  // acc -> cast -> mul(row scale) -> mul(weight scales)
  auto single = [](Value v) -> Operation * {
    return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
  };
  auto castOp = dyn_cast_or_null<CastOp>(single(acc.getResult()));
  auto mulRow =
      castOp ? dyn_cast_or_null<MulOp>(single(castOp.getResult())) : nullptr;
  auto mulW =
      mulRow ? dyn_cast_or_null<MulOp>(single(mulRow.getResult())) : nullptr;
  if (!rows || !mulRow || mulRow.getRhs() != rows.getScale() || !mulW)
    return layerError(l) << "unexpected IR around the int8 matmul";
  auto wType = cast<RankedTensorType>(acc.getRhs().getType());
  FailureOr<std::vector<int8_t>> wq = constantValues<int8_t>(acc.getRhs());
  FailureOr<std::vector<float>> ws = constantValues<float>(mulW.getRhs());
  if (failed(wq) || failed(ws) || wType.getRank() != 2 ||
      (int64_t)ws->size() != wType.getDimSize(1))
    return layerError(l)
           << "the int8 weight or its scales are not readable constants";
  if (node.input_size() < 2 || node.input(0).empty())
    return layerError(l) << "the ONNX node has no activation input";
  bool isGemm = l.opType == "Gemm";
  if (isGemm && attrInt(node, "transA", 0))
    return layerError(l) << "transA is not supported";

  std::vector<onnx::NodeProto> nodes;
  std::string b = l.name;
  auto tmp = [&](StringRef what) { return fresh(b + "_" + what.str()); };
  std::string x = node.input(0);
  std::string absX = tmp("abs"), maxAbs = tmp("max_abs"), s0 = tmp("scale0"),
              isZero = tmp("scale_is_zero"), scale = tmp("scale"),
              div = tmp("scaled"), rnd = tmp("rounded"), clip = tmp("clipped"),
              xq = tmp("quantized"), mmi = tmp("acc"), accF = tmp("acc_float"),
              y1 = tmp("rescaled_rows");
  addNode(nodes, "Abs", {x}, {absX}, b);
  if (modelOpset >= 18) {
    onnx::NodeProto &r = addNode(
        nodes, "ReduceMax", {absX, addI64(b + "_axes", {-1})}, {maxAbs}, b);
    setInt(r, "keepdims", 1);
  } else {
    onnx::NodeProto &r = addNode(nodes, "ReduceMax", {absX}, {maxAbs}, b);
    setInts(r, "axes", {-1});
    setInt(r, "keepdims", 1);
  }
  addNode(nodes, "Div", {maxAbs, addF32(b + "_127", {}, {127.0f})}, {s0}, b);
  addNode(nodes, "Equal", {s0, addF32(b + "_zero", {}, {0.0f})}, {isZero}, b);
  addNode(nodes, "Where", {isZero, addF32(b + "_one", {}, {1.0f}), s0}, {scale},
          b);
  addNode(nodes, "Div", {x, scale}, {div}, b);
  addNode(nodes, "Round", {div}, {rnd}, b);
  addNode(nodes, "Clip",
          {rnd, addF32(b + "_min", {}, {-128.0f}),
           addF32(b + "_max", {}, {127.0f})},
          {clip}, b);
  setInt(addNode(nodes, "Cast", {clip}, {xq}, b), "to", TP::INT8);
  std::vector<uint8_t> wBytes(wq->size());
  std::memcpy(wBytes.data(), wq->data(), wBytes.size());
  std::string w = addBytes(b + "_weight_quantized", TP::INT8,
                           {wType.getDimSize(0), wType.getDimSize(1)}, wBytes);
  onnx::NodeProto &mmiNode = addNode(nodes, "MatMulInteger", {xq, w}, {mmi}, b);
  // The layer keeps its node name.
  if (!node.name().empty())
    mmiNode.set_name(node.name());
  setInt(addNode(nodes, "Cast", {mmi}, {accF}, b), "to", TP::FLOAT);
  addNode(nodes, "Mul", {accF, scale}, {y1}, b);

  float alpha = isGemm ? attrFloat(node, "alpha", 1.0f) : 1.0f;
  float beta = isGemm ? attrFloat(node, "beta", 1.0f) : 1.0f;
  bool hasC =
      isGemm && node.input_size() > 2 && !node.input(2).empty() && beta != 0.0f;
  std::string y = node.output(0);
  std::string cur = alpha != 1.0f || hasC ? tmp("product") : y;
  addNode(nodes, "Mul",
          {y1, addF32(b + "_weight_scale", {(int64_t)ws->size()}, *ws)}, {cur},
          b);
  if (alpha != 1.0f) {
    std::string out = hasC ? tmp("scaled") : y;
    addNode(nodes, "Mul", {cur, addF32(b + "_alpha", {}, {alpha})}, {out}, b);
    cur = out;
  }
  if (hasC) {
    std::string c = node.input(2);
    if (beta != 1.0f) {
      std::string out = tmp("C_scaled");
      addNode(nodes, "Mul", {c, addF32(b + "_beta", {}, {beta})}, {out}, b);
      c = out;
    }
    addNode(nodes, "Add", {cur, c}, {y}, b);
  }
  needOpset = std::max<int64_t>(needOpset, 11); // Round, Clip with inputs
  detached.push_back(node.input(1));
  replacement[l.nodeIndex] = std::move(nodes);
  return success();
}
