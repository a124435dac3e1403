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

#include "OnnxExporter.h"

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::onnx_export;

/// The bytes of a constant tensor (dense, splat or dense_resource) in
/// row-major order, one element after another.
FailureOr<std::vector<char>> onnx_export::constantBytes(Value v) {
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

int64_t onnx_export::product(ArrayRef<int64_t> dims) {
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
std::optional<int64_t> onnx_export::nbitsBlockSize(int64_t group, int64_t k) {
  if (group == k)
    return std::clamp<int64_t>(llvm::PowerOf2Ceil(k), 16, 256);
  for (int64_t b = 256; b >= 16; b /= 2)
    if (group % b == 0)
      return b;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Reading the model
//===----------------------------------------------------------------------===//

/// Every value name a graph's nodes read, including outer-scope names read
/// from subgraphs.
static void collectUses(const onnx::GraphProto &g, llvm::StringSet<> &uses) {
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
static void walkNodes(const onnx::GraphProto &g,
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
    auto quant = op->getAttrOfType<QuantRecordAttr>(
        QccDialect::QuantAttrHelper::getNameStr());
    if (!quant)
      return WalkResult::advance();
    Layer l;
    l.op = op;
    l.quant = quant;
    l.name = quant.getLayer().str();
    l.opType = quant.getOp().str();
    l.scheme = stringifyQuantScheme(quant.getScheme()).str();
    l.nodeIndex = -1;
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
    LogicalResult r = failure();
    switch (l.quant.getScheme()) {
    case QuantScheme::WeightOnly:
      r = exportWeightOnly(l);
      break;
    case QuantScheme::Static:
      r = exportStatic(l);
      break;
    case QuantScheme::Dynamic:
      r = exportDynamic(l);
      break;
    }
    if (failed(r))
      return failure();
  }
  if (failed(finishGraph()) || failed(setOpsets()) ||
      failed(inlineExternalData()))
    return failure();
  return write(outPath);
}

LogicalResult qcc::exportQuantizedOnnx(ModuleOp module,
                                       StringRef originalModelPath,
                                       StringRef outputPath) {
  try {
    return OnnxExporter(module, originalModelPath).run(outputPath);
  } catch (const std::exception &e) {
    return emitError(module.getLoc()) << "--emit=onnx: " << e.what();
  }
}
