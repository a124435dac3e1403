//===- OnnxExport.cpp - quantized module back to standard ONNX ------------===//
//
// Re-reads the original ModelProto and rewrites the node of every layer the
// quantization passes recorded (`qcc.quant`) into the form ONNX Runtime
// runs, using the integer weights and scales of the module itself (nothing
// is quantized again):
//
//   weight-only int8    W_q (int8, or uint8 + zero point) -> DequantizeLinear
//                       (axis = output channel; per group: the weight is
//                       stored as [rows, group] with one scale per row,
//                       then Reshape/Transpose back)
//   weight-only int4    MatMul/Gemm -> com.microsoft.MatMulNBits (B as
//                       uint8 [N, blocks, block/2], signed q stored as q+8
//                       with the default zero point 8); Conv, and groups
//                       MatMulNBits cannot express, as int8 values through
//                       the int8 path (ONNX 1.12 has no INT4 tensor type)
//   static W8A8         x -> QuantizeLinear -> DequantizeLinear (calibrated
//                       scale, zero point 0), int8 weight -> DequantizeLinear
//   dynamic int8        per-row scale = max|x| / 127 (1 for zero rows),
//                       Round(x / scale) -> int8 -> MatMulInteger -> float
//                       * row scale * weight scales
//
// This file is compiled with exceptions enabled, like the importer: it uses
// the ONNX schema registry to check that raising the opset keeps the
// meaning of the model's ops.
//
//===----------------------------------------------------------------------===//

#include "qcc/Export/OnnxExport.h"

#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InterleavedRange.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>
#include <optional>
#include <set>

using namespace mlir;
using namespace mlir::qcc;

namespace {

using TP = onnx::TensorProto;

/// The bytes of a constant tensor (dense, splat or dense_resource) in
/// row-major order, one element after another.
FailureOr<std::vector<char>> constantBytes(Value v) {
  auto cst = v ? v.getDefiningOp<arith::ConstantOp>() : nullptr;
  auto type = cst ? dyn_cast<RankedTensorType>(cst.getType()) : nullptr;
  if (!type || !type.hasStaticShape() || type.getElementTypeBitWidth() % 8 != 0)
    return failure();
  size_t elemBytes = type.getElementTypeBitWidth() / 8;
  size_t total = type.getNumElements() * elemBytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      if (raw.size() != elemBytes)
        return failure();
      std::vector<char> out(total);
      for (size_t i = 0; i < total; i += elemBytes)
        std::memcpy(out.data() + i, raw.data(), elemBytes);
      return out;
    }
    if (raw.size() != total)
      return failure();
    return std::vector<char>(raw.begin(), raw.end());
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue())) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != total)
      return failure();
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  return failure();
}

template <typename T> FailureOr<std::vector<T>> constantValues(Value v) {
  FailureOr<std::vector<char>> bytes = constantBytes(v);
  if (failed(bytes) || bytes->size() % sizeof(T))
    return failure();
  std::vector<T> out(bytes->size() / sizeof(T));
  std::memcpy(out.data(), bytes->data(), bytes->size());
  return out;
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// The MatMulNBits block size for groups of `group` elements of a
/// reduction dimension of size `k` (group == k: one scale per column): a
/// power of two from 16 to 256 (larger blocks give wrong results in ONNX
/// Runtime 1.20) that a block never straddles two groups with; per channel
/// any block works (the last one is padded).
std::optional<int64_t> nbitsBlockSize(int64_t group, int64_t k) {
  if (group == k)
    return std::clamp<int64_t>(llvm::PowerOf2Ceil(k), 16, 256);
  for (int64_t b = 256; b >= 16; b /= 2)
    if (group % b == 0)
      return b;
  return std::nullopt;
}

class OnnxExporter {
public:
  OnnxExporter(ModuleOp module, StringRef modelPath)
      : module(module), modelPath(modelPath.str()),
        modelDir(llvm::sys::path::parent_path(modelPath).str()) {}

  LogicalResult run(StringRef outPath);

private:
  /// One layer recorded by the quantization passes.
  struct Layer {
    Operation *op;
    DictionaryAttr quant;
    std::string name, opType, scheme;
    int nodeIndex;
  };

  LogicalResult loadModel();
  LogicalResult exportWeightOnly(const Layer &l);
  LogicalResult exportStatic(const Layer &l);
  LogicalResult exportDynamic(const Layer &l);
  LogicalResult finishGraph();
  LogicalResult setOpsets();
  LogicalResult inlineExternalData();
  LogicalResult write(StringRef outPath);

  InFlightDiagnostic layerError(const Layer &l) {
    return emitError(l.op->getLoc())
           << "--emit=onnx: layer '" << l.name << "' (" << l.opType << ", "
           << l.scheme << "): ";
  }

  /// A value or initializer name not used in the graph yet.
  std::string fresh(StringRef base) {
    std::string name = base.str();
    for (unsigned i = 1; !names.insert(name).second; ++i)
      name = (base + "_" + Twine(i)).str();
    return name;
  }
  std::string freshNodeName(StringRef base) {
    std::string name = base.str();
    for (unsigned i = 1; !nodeNames.insert(name).second; ++i)
      name = (base + "_" + Twine(i)).str();
    return name;
  }

  std::string addInitializer(StringRef base, int32_t dtype,
                             ArrayRef<int64_t> dims, const void *data,
                             size_t bytes) {
    std::string name = fresh(base);
    TP *t = model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(dtype);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(data, bytes);
    return name;
  }
  std::string addF32(StringRef base, ArrayRef<int64_t> dims,
                     ArrayRef<float> values) {
    return addInitializer(base, TP::FLOAT, dims, values.data(),
                          values.size() * sizeof(float));
  }
  std::string addI64(StringRef base, ArrayRef<int64_t> values) {
    return addInitializer(base, TP::INT64, {(int64_t)values.size()},
                          values.data(), values.size() * sizeof(int64_t));
  }
  std::string addBytes(StringRef base, int32_t dtype, ArrayRef<int64_t> dims,
                       ArrayRef<uint8_t> values) {
    return addInitializer(base, dtype, dims, values.data(), values.size());
  }

  onnx::NodeProto &addNode(std::vector<onnx::NodeProto> &list, StringRef opType,
                           ArrayRef<std::string> inputs,
                           ArrayRef<std::string> outputs, StringRef nameBase,
                           StringRef domain = "") {
    onnx::NodeProto &n = list.emplace_back();
    n.set_op_type(opType.str());
    n.set_name(freshNodeName((nameBase + "/" + opType).str()));
    if (!domain.empty())
      n.set_domain(domain.str());
    for (const std::string &i : inputs)
      n.add_input(i);
    for (const std::string &o : outputs)
      n.add_output(o);
    return n;
  }
  static void setInt(onnx::NodeProto &n, StringRef name, int64_t v) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void setInts(onnx::NodeProto &n, StringRef name, ArrayRef<int64_t> v) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  static const onnx::AttributeProto *findAttr(const onnx::NodeProto &n,
                                              StringRef name) {
    for (const auto &a : n.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  static int64_t attrInt(const onnx::NodeProto &n, StringRef name,
                         int64_t dflt) {
    const onnx::AttributeProto *a = findAttr(n, name);
    return a ? a->i() : dflt;
  }
  static float attrFloat(const onnx::NodeProto &n, StringRef name, float dflt) {
    const onnx::AttributeProto *a = findAttr(n, name);
    return a ? a->f() : dflt;
  }

  /// Emits DequantizeLinear of the integer weight `values` (shape `dims`,
  /// INT8 or UINT8) with `scales`/`zeroPoints` per index of `axis`
  /// (std::nullopt: one for the whole tensor) into `list`; returns the
  /// float output's name. Models below opset 13 (no per-axis
  /// DequantizeLinear) get DequantizeLinear with scale 1, then Sub of the
  /// zero points and Mul by the scales, broadcast along `axis`: the same
  /// float values, (q - zp) * scale, without raising the opset.
  std::string dequantize(std::vector<onnx::NodeProto> &list, StringRef base,
                         int32_t dtype, ArrayRef<int64_t> dims,
                         ArrayRef<uint8_t> values, ArrayRef<float> scales,
                         ArrayRef<uint8_t> zeroPoints,
                         std::optional<int64_t> axis) {
    needOpset = std::max<int64_t>(needOpset, 10);
    std::string q = addBytes((base + "_quantized").str(), dtype, dims, values);
    std::string out = fresh((base + "_dequantized").str());
    if (axis && modelOpset < 13) {
      SmallVector<int64_t> bcast(dims.size(), 1);
      bcast[*axis] = scales.size();
      float one = 1.0f;
      std::string f = fresh((base + "_integers").str());
      addNode(list, "DequantizeLinear",
              {q, addF32((base + "_unit_scale").str(), {}, one)}, {f}, base);
      if (!zeroPoints.empty()) {
        SmallVector<float> zpF(zeroPoints.begin(), zeroPoints.end());
        std::string centered = fresh((base + "_centered").str());
        addNode(list, "Sub",
                {f, addF32((base + "_zero_point").str(), bcast, zpF)},
                {centered}, base);
        f = centered;
      }
      addNode(list, "Mul", {f, addF32((base + "_scale").str(), bcast, scales)},
              {out}, base);
      return out;
    }
    SmallVector<int64_t> paramDims;
    if (axis)
      paramDims.push_back(scales.size());
    std::string s = addF32((base + "_scale").str(), paramDims, scales);
    SmallVector<std::string> inputs = {q, s};
    if (!zeroPoints.empty())
      inputs.push_back(
          addBytes((base + "_zero_point").str(), dtype, paramDims, zeroPoints));
    onnx::NodeProto &n = addNode(list, "DequantizeLinear", inputs, {out}, base);
    if (axis)
      setInt(n, "axis", *axis);
    return out;
  }

  ModuleOp module;
  std::string modelPath, modelDir;
  onnx::ModelProto model;
  int64_t modelOpset = 1;
  /// Layer name (node name, else output 0) -> node index; -1: ambiguous.
  llvm::StringMap<int> nodeByName;
  llvm::StringSet<> names, nodeNames;
  /// Default-domain op types of the original model (any level).
  std::set<std::string> originalOps;
  /// Per original node: nodes inserted before it, its replacement and
  /// nodes inserted after it.
  std::vector<std::vector<onnx::NodeProto>> before, after;
  std::vector<std::optional<std::vector<onnx::NodeProto>>> replacement;
  std::vector<bool> exported;
  /// Values a rewritten node no longer reads (float weights), removed at
  /// the end if nothing else reads them.
  std::vector<std::string> detached;
  int64_t needOpset = 0;
  bool needMsDomain = false;
};

//===----------------------------------------------------------------------===//
// Reading the model
//===----------------------------------------------------------------------===//

/// Every value name a graph's nodes read, including outer-scope names read
/// from subgraphs.
void collectUses(const onnx::GraphProto &g, llvm::StringSet<> &uses) {
  for (const auto &n : g.node()) {
    for (const auto &i : n.input())
      if (!i.empty())
        uses.insert(i);
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        collectUses(a.g(), uses);
      for (const auto &sub : a.graphs())
        collectUses(sub, uses);
    }
  }
}

/// Every node of `g` and its subgraphs.
void walkNodes(const onnx::GraphProto &g,
               llvm::function_ref<void(const onnx::NodeProto &)> fn) {
  for (const auto &n : g.node()) {
    fn(n);
    for (const auto &a : n.attribute()) {
      if (a.has_g())
        walkNodes(a.g(), fn);
      for (const auto &sub : a.graphs())
        walkNodes(sub, fn);
    }
  }
}

LogicalResult OnnxExporter::loadModel() {
  Location loc = module.getLoc();
  auto fileOrErr =
      llvm::MemoryBuffer::getFile(modelPath, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!fileOrErr)
    return emitError(loc) << "--emit=onnx: cannot read '" << modelPath
                          << "': " << fileOrErr.getError().message();
  const llvm::MemoryBuffer &buf = **fileOrErr;
  if (buf.getBufferSize() > (size_t)std::numeric_limits<int>::max() ||
      !model.ParseFromArray(buf.getBufferStart(), (int)buf.getBufferSize()) ||
      !model.has_graph())
    return emitError(loc) << "--emit=onnx: '" << modelPath
                          << "' is not a valid ONNX model";
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      modelOpset = op.version();

  const onnx::GraphProto &g = model.graph();
  int numNodes = g.node_size();
  before.resize(numNodes);
  after.resize(numNodes);
  replacement.resize(numNodes);
  exported.assign(numNodes, false);
  for (int i = 0; i < numNodes; ++i) {
    const onnx::NodeProto &n = g.node(i);
    std::string key = !n.name().empty()     ? n.name()
                      : n.output_size() > 0 ? n.output(0)
                                            : std::string();
    if (key.empty())
      continue;
    auto [it, inserted] = nodeByName.try_emplace(key, i);
    if (!inserted)
      it->second = -1;
  }
  // Names in use: values, initializers and node names, at every level.
  for (const auto &vi : g.input())
    names.insert(vi.name());
  for (const auto &vi : g.output())
    names.insert(vi.name());
  for (const auto &vi : g.value_info())
    names.insert(vi.name());
  for (const auto &t : g.initializer())
    names.insert(t.name());
  walkNodes(g, [&](const onnx::NodeProto &n) {
    for (const auto &o : n.output())
      names.insert(o);
    for (const auto &i : n.input())
      names.insert(i);
    if (!n.name().empty())
      nodeNames.insert(n.name());
    if (n.domain().empty() || n.domain() == "ai.onnx")
      originalOps.insert(n.op_type());
  });
  return success();
}

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
    addNode(nodes, "Reshape",
            {w, addI64(base + "_conv_shape", convShape)},
            {r}, base);
    w = r;
  }
  detached.push_back(node.input(1));
  model.mutable_graph()->mutable_node(l.nodeIndex)->set_input(1, w);
  return success();
}

//===----------------------------------------------------------------------===//
// Static W8A8
//===----------------------------------------------------------------------===//

LogicalResult OnnxExporter::exportStatic(const Layer &l) {
  Operation *acc = l.op;
  const onnx::NodeProto &node = model.graph().node(l.nodeIndex);
  if (!isa<MatMulOp, ConvOp>(acc) || acc->getNumOperands() < 2)
    return layerError(l) << "expected an int8 qcc.matmul or qcc.conv";
  auto actScale = l.quant.getAs<FloatAttr>("act_scale");
  auto wScales = l.quant.getAs<DenseF32ArrayAttr>("weight_scales");
  if (!actScale || !wScales)
    return layerError(l) << "qcc.quant has no act_scale/weight_scales";
  auto wType = cast<RankedTensorType>(acc->getOperand(1).getType());
  FailureOr<std::vector<int8_t>> wq =
      constantValues<int8_t>(acc->getOperand(1));
  if (failed(wq) || !wType.getElementType().isInteger(8))
    return layerError(l) << "the int8 weight is not a readable constant";
  if (node.input_size() < 2 || node.input(0).empty() || node.input(1).empty())
    return layerError(l) << "the ONNX node has no activation/weight input";
  SmallVector<int64_t> dims(wType.getShape());
  ArrayRef<float> ws = wScales.asArrayRef();
  auto granularity = l.quant.getAs<StringAttr>("granularity");
  bool perTensor = granularity && granularity.getValue() == "per-tensor";

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
  float sx = actScale.getValue().convertToFloat();
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
  if (auto shift = l.quant.getAs<DenseF32ArrayAttr>("bias_correction")) {
    if ((int64_t)shift.size() != dims[axis])
      return layerError(l) << "expected " << dims[axis]
                           << " bias corrections, found " << shift.size();
    SmallVector<float> negated;
    for (float v : shift.asArrayRef())
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

//===----------------------------------------------------------------------===//
// Graph, opsets, output
//===----------------------------------------------------------------------===//

LogicalResult OnnxExporter::finishGraph() {
  onnx::GraphProto *g = model.mutable_graph();
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i = 0; i < g->node_size(); ++i) {
    for (onnx::NodeProto &n : before[i])
      *nodes.Add() = std::move(n);
    if (replacement[i]) {
      for (onnx::NodeProto &n : *replacement[i])
        *nodes.Add() = std::move(n);
    } else {
      *nodes.Add() = g->node(i);
    }
    for (onnx::NodeProto &n : after[i])
      *nodes.Add() = std::move(n);
  }
  g->mutable_node()->Swap(&nodes);

  // Drop the float weights (initializers, or the nodes computing them) that
  // nothing reads any more.
  llvm::StringSet<> dead;
  std::vector<std::string> work = detached;
  while (!work.empty()) {
    std::string name = work.back();
    work.pop_back();
    llvm::StringSet<> uses;
    collectUses(*g, uses);
    for (const auto &o : g->output())
      uses.insert(o.name());
    if (uses.contains(name) || dead.contains(name))
      continue;
    bool isInit = llvm::any_of(g->initializer(),
                               [&](const TP &t) { return t.name() == name; });
    if (isInit) {
      dead.insert(name);
      continue;
    }
    for (int i = 0; i < g->node_size(); ++i) {
      const onnx::NodeProto &n = g->node(i);
      if (llvm::none_of(n.output(),
                        [&](const std::string &o) { return o == name; }))
        continue;
      if (llvm::any_of(n.output(),
                       [&](const std::string &o) { return uses.contains(o); }))
        break;
      for (const auto &in : n.input())
        if (!in.empty())
          work.push_back(in);
      for (const auto &o : n.output())
        dead.insert(o);
      g->mutable_node()->DeleteSubrange(i, 1);
      break;
    }
  }
  auto prune = [&](auto *field, auto nameOf) {
    int out = 0;
    for (int i = 0; i < field->size(); ++i)
      if (!dead.contains(nameOf(field->Get(i)))) {
        if (out != i)
          field->SwapElements(out, i);
        ++out;
      }
    while (field->size() > out)
      field->RemoveLast();
  };
  prune(g->mutable_initializer(), [](const TP &t) { return t.name(); });
  prune(g->mutable_input(),
        [](const onnx::ValueInfoProto &v) { return v.name(); });
  prune(g->mutable_value_info(),
        [](const onnx::ValueInfoProto &v) { return v.name(); });
  return success();
}

LogicalResult OnnxExporter::setOpsets() {
  Location loc = module.getLoc();
  if (needOpset > modelOpset) {
    // Raising the opset must not change what any op of the model means.
    std::string changed;
    for (const std::string &op : originalOps) {
      const auto *from =
          onnx::OpSchemaRegistry::Schema(op, (int)modelOpset, "");
      const auto *to = onnx::OpSchemaRegistry::Schema(op, (int)needOpset, "");
      if (!from || !to || from->SinceVersion() != to->SinceVersion()) {
        changed = op;
        break;
      }
    }
    if (!changed.empty())
      return emitError(loc)
             << "--emit=onnx: the exported ops need opset " << needOpset
             << ", but the model uses opset " << modelOpset << " and '"
             << changed << "' changed between them; re-export the model "
             << "with opset >= " << needOpset;
    bool found = false;
    for (auto &op : *model.mutable_opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx") {
        op.set_version(needOpset);
        found = true;
      }
    if (!found) {
      auto *op = model.add_opset_import();
      op->set_domain("");
      op->set_version(needOpset);
    }
    // The IR version each opset came with.
    int64_t ir = needOpset >= 13 ? 7 : needOpset >= 11 ? 6 : 5;
    if (model.ir_version() < ir)
      model.set_ir_version(ir);
  }
  if (needMsDomain && llvm::none_of(model.opset_import(),
                                    [](const onnx::OperatorSetIdProto &o) {
                                      return o.domain() == "com.microsoft";
                                    })) {
    auto *op = model.add_opset_import();
    op->set_domain("com.microsoft");
    op->set_version(1);
  }
  return success();
}

/// Initializers the output still holds in external files are read into the
/// model (the output may live in another directory).
LogicalResult OnnxExporter::inlineExternalData() {
  for (TP &t : *model.mutable_graph()->mutable_initializer()) {
    if (t.data_location() != TP::EXTERNAL)
      continue;
    std::string location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::strtoull(kv.value().c_str(), nullptr, 10);
      else if (kv.key() == "length")
        length = std::strtoull(kv.value().c_str(), nullptr, 10);
    }
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        StringRef(location).contains(".."))
      return emitError(module.getLoc())
             << "--emit=onnx: tensor '" << t.name()
             << "' has an invalid external data location '" << location << "'";
    SmallString<256> path(modelDir);
    llvm::sys::path::append(path, location);
    auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (!file)
      return emitError(module.getLoc())
             << "--emit=onnx: cannot read external data '" << path
             << "': " << file.getError().message();
    uint64_t size = (*file)->getBufferSize();
    uint64_t len = length ? *length : size - std::min(offset, size);
    if (offset > size || len > size - offset)
      return emitError(module.getLoc())
             << "--emit=onnx: external data of tensor '" << t.name()
             << "' lies outside '" << path << "'";
    t.set_raw_data((*file)->getBufferStart() + offset, len);
    t.clear_external_data();
    t.set_data_location(TP::DEFAULT);
  }
  return success();
}

LogicalResult OnnxExporter::write(StringRef outPath) {
  Location loc = module.getLoc();
  if (model.ByteSizeLong() > (size_t)std::numeric_limits<int>::max())
    return emitError(loc) << "--emit=onnx: the exported model is larger than "
                             "2 GB, the protobuf limit";
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return emitError(loc) << "--emit=onnx: serializing the model failed";
  std::error_code ec;
  llvm::ToolOutputFile out(outPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return emitError(loc) << "cannot open '" << outPath
                          << "': " << ec.message();
  out.os() << bytes;
  out.os().flush();
  if (out.os().has_error())
    return emitError(loc) << "cannot write '" << outPath << "'";
  out.keep();
  return success();
}

LogicalResult OnnxExporter::run(StringRef outPath) {
  if (failed(loadModel()))
    return failure();
  SmallVector<Layer> layers;
  WalkResult walk = module.walk([&](Operation *op) {
    auto quant = op->getAttrOfType<DictionaryAttr>("qcc.quant");
    if (!quant)
      return WalkResult::advance();
    Layer l{op, quant, "", "", "", -1};
    auto str = [&](StringRef key) -> std::string {
      auto a = quant.getAs<StringAttr>(key);
      return a ? a.str() : std::string();
    };
    l.name = str("layer");
    l.opType = str("op");
    l.scheme = str("scheme");
    if (l.name.empty() || l.opType.empty() || l.scheme.empty()) {
      op->emitError("--emit=onnx: qcc.quant lacks layer, op or scheme");
      return WalkResult::interrupt();
    }
    auto it = nodeByName.find(l.name);
    if (it == nodeByName.end()) {
      emitError(op->getLoc())
          << "--emit=onnx: quantized layer '" << l.name << "' (" << l.opType
          << ") is not a node of '" << modelPath << "'";
      return WalkResult::interrupt();
    }
    if (it->second < 0) {
      emitError(op->getLoc())
          << "--emit=onnx: node name '" << l.name << "' is not unique in '"
          << modelPath << "'; cannot tell which node layer '" << l.name
          << "' is";
      return WalkResult::interrupt();
    }
    l.nodeIndex = it->second;
    const onnx::NodeProto &node = model.graph().node(l.nodeIndex);
    if (node.op_type() != l.opType ||
        (!node.domain().empty() && node.domain() != "ai.onnx")) {
      emitError(op->getLoc())
          << "--emit=onnx: layer '" << l.name << "' is a " << l.opType
          << " in the module but node '" << l.name << "' of '" << modelPath
          << "' is a " << node.op_type();
      return WalkResult::interrupt();
    }
    if (exported[l.nodeIndex]) {
      emitError(op->getLoc())
          << "--emit=onnx: layer '" << l.name << "' was quantized twice";
      return WalkResult::interrupt();
    }
    exported[l.nodeIndex] = true;
    layers.push_back(l);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  for (const Layer &l : layers) {
    LogicalResult r = l.scheme == "weight-only" ? exportWeightOnly(l)
                      : l.scheme == "static"    ? exportStatic(l)
                      : l.scheme == "dynamic"
                          ? exportDynamic(l)
                          : (layerError(l) << "unknown scheme", failure());
    if (failed(r))
      return failure();
  }
  if (failed(finishGraph()) || failed(setOpsets()) ||
      failed(inlineExternalData()))
    return failure();
  return write(outPath);
}

} // namespace

LogicalResult qcc::exportQuantizedOnnx(ModuleOp module,
                                       StringRef originalModelPath,
                                       StringRef outputPath) {
  try {
    return OnnxExporter(module, originalModelPath).run(outputPath);
  } catch (const std::exception &e) {
    return emitError(module.getLoc()) << "--emit=onnx: " << e.what();
  }
}
