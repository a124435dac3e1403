//===- OnnxImporter.cpp - ONNX protobuf to the qcc dialect ----------------===//
//
// Walks an ONNX graph in topological order (as ONNX requires) and builds one
// qcc op sequence per node through a table of per-op builders. Initializers
// become `arith.constant`s; large ones are stored as dense resources so
// weights never pass through textual attribute lists. ONNX shape inference
// provides the static result types; node names become MLIR locations so that
// every diagnostic names the node.
//
// This file is compiled with exceptions enabled: the ONNX library reports
// shape-inference and schema errors by throwing, and they must become
// diagnostics, not aborts.
//
//===----------------------------------------------------------------------===//

#include "ImporterImpl.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::importer;

//===----------------------------------------------------------------------===//
// Types and tensors
//===----------------------------------------------------------------------===//

Type importer::convertElementType(MLIRContext *ctx, int32_t onnxType) {
  using TP = onnx::TensorProto;
  auto unsignedInt = [&](unsigned w) {
    return IntegerType::get(ctx, w, IntegerType::Unsigned);
  };
  switch (onnxType) {
  case TP::FLOAT:
    return Float32Type::get(ctx);
  case TP::DOUBLE:
    return Float64Type::get(ctx);
  case TP::FLOAT16:
    return Float16Type::get(ctx);
  case TP::BFLOAT16:
    return BFloat16Type::get(ctx);
  case TP::BOOL:
    return IntegerType::get(ctx, 1);
  case TP::INT8:
    return IntegerType::get(ctx, 8);
  case TP::INT16:
    return IntegerType::get(ctx, 16);
  case TP::INT32:
    return IntegerType::get(ctx, 32);
  case TP::INT64:
    return IntegerType::get(ctx, 64);
  case TP::UINT8:
    return unsignedInt(8);
  case TP::UINT16:
    return unsignedInt(16);
  case TP::UINT32:
    return unsignedInt(32);
  case TP::UINT64:
    return unsignedInt(64);
  default:
    return {};
  }
}

static StringRef onnxTypeName(int32_t onnxType) {
  if (onnx::TensorProto_DataType_IsValid(onnxType))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(onnxType));
  return "<invalid>";
}

FailureOr<SmallVector<int64_t>> importer::broadcastShapes(ArrayRef<int64_t> a,
                                                          ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    // A dynamic dimension is never broadcast (it must not be 1 at run time
    // unless the other side is 1 or equal); it takes the other's static size.
    if (ShapedType::isDynamic(da) || ShapedType::isDynamic(db)) {
      out[i] = ShapedType::isDynamic(da) ? (db == 1 ? da : db)
                                         : (da == 1 ? db : da);
      continue;
    }
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t importer::normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

namespace {

/// Reads the bytes of a tensor stored outside the model file. Paths are
/// resolved against the model's directory and may not escape it.
class ExternalDataReader {
public:
  explicit ExternalDataReader(StringRef modelDir) : modelDir(modelDir) {}

  FailureOr<std::string> read(const onnx::TensorProto &t, std::string &err) {
    std::string location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const auto &kv : t.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset")
        offset = std::stoull(kv.value());
      else if (kv.key() == "length")
        length = std::stoull(kv.value());
    }
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        StringRef(location).contains("..")) {
      err = "invalid external data location '" + location + "'";
      return failure();
    }
    SmallString<256> path(modelDir);
    llvm::sys::path::append(path, location);
    auto &buffer = cache[path.str()];
    if (!buffer) {
      auto fileOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                                   /*RequiresNullTerminator=*/false);
      if (!fileOrErr) {
        err = "cannot read external data file '" + path.str().str() +
              "': " + fileOrErr.getError().message();
        return failure();
      }
      buffer = std::move(*fileOrErr);
    }
    uint64_t size = buffer->getBufferSize();
    uint64_t len = length ? *length : size - std::min(offset, size);
    if (offset > size || len > size - offset) {
      err = "external data for tensor '" + t.name() + "' (offset " +
            std::to_string(offset) + ", length " + std::to_string(len) +
            ") lies outside '" + path.str().str() + "' (" +
            std::to_string(size) + " bytes)";
      return failure();
    }
    return std::string(buffer->getBufferStart() + offset, len);
  }

private:
  std::string modelDir;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> cache;
};

} // namespace

/// Returns the little-endian raw bytes of `t` in its element type's storage
/// (bool as one byte per element), gathering them from whichever field the
/// producer used.
static FailureOr<std::string> tensorBytes(const onnx::TensorProto &t,
                                          int64_t numElements,
                                          unsigned elemBytes,
                                          ExternalDataReader &external,
                                          std::string &err) {
  using TP = onnx::TensorProto;
  std::string bytes;
  if (t.data_location() == TP::EXTERNAL) {
    FailureOr<std::string> data = external.read(t, err);
    if (failed(data))
      return failure();
    bytes = std::move(*data);
  } else if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    bytes.resize(numElements * elemBytes);
    char *out = bytes.data();
    auto copyField = [&](const auto &field, auto convert) -> bool {
      if ((int64_t)field.size() != numElements)
        return false;
      for (int64_t i = 0; i < numElements; ++i) {
        auto v = convert(field.Get(i));
        std::memcpy(out + i * elemBytes, &v, elemBytes);
      }
      return true;
    };
    bool ok = false;
    switch (t.data_type()) {
    case TP::FLOAT:
      ok = copyField(t.float_data(), [](float v) { return v; });
      break;
    case TP::DOUBLE:
      ok = copyField(t.double_data(), [](double v) { return v; });
      break;
    case TP::INT64:
      ok = copyField(t.int64_data(), [](int64_t v) { return v; });
      break;
    case TP::UINT32:
    case TP::UINT64:
      ok = copyField(t.uint64_data(), [](uint64_t v) { return v; });
      break;
    case TP::INT32:
      ok = copyField(t.int32_data(), [](int32_t v) { return v; });
      break;
    case TP::INT16:
    case TP::UINT16:
    case TP::FLOAT16:
    case TP::BFLOAT16:
      ok = copyField(t.int32_data(), [](int32_t v) { return (uint16_t)v; });
      break;
    case TP::INT8:
    case TP::UINT8:
    case TP::BOOL:
      ok = copyField(t.int32_data(), [](int32_t v) { return (uint8_t)v; });
      break;
    default:
      break;
    }
    if (!ok) {
      err = "tensor '" + t.name() + "' has " + std::to_string(numElements) +
            " elements but its data field does not hold them";
      return failure();
    }
  }
  if ((int64_t)bytes.size() != numElements * (int64_t)elemBytes) {
    err = "tensor '" + t.name() + "' should hold " +
          std::to_string(numElements * elemBytes) + " bytes of data, found " +
          std::to_string(bytes.size());
    return failure();
  }
  return bytes;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

namespace mlir::qcc::importer {

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, onnx::ModelProto &model, StringRef path,
                const OnnxImportOptions &options)
      : ctx(ctx), model(model), options(options), builder(ctx),
        external(llvm::sys::path::parent_path(path)),
        fileName(StringAttr::get(ctx, llvm::sys::path::filename(path))) {}

  OwningOpRef<ModuleOp> run();

  MLIRContext *ctx;
  onnx::ModelProto &model;
  const OnnxImportOptions &options;
  OpBuilder builder;
  int64_t opset = 1;
  llvm::StringMap<Value> values;
  llvm::StringMap<DenseElementsAttr> constants;
  llvm::StringMap<const onnx::TypeProto *> valueTypes;
  ExternalDataReader external;
  StringAttr fileName;
  unsigned resourceCounter = 0;

  Location nodeLoc(const onnx::NodeProto &node) {
    std::string name = node.name();
    if (name.empty())
      name = node.output_size() ? node.output(0) : node.op_type();
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(fileName, 0, 0));
  }

  RankedTensorType convertTensorType(const onnx::TypeProto &type,
                                     bool requireStatic) {
    if (!type.has_tensor_type())
      return {};
    const auto &tt = type.tensor_type();
    Type elem = convertElementType(ctx, tt.elem_type());
    if (!elem || !tt.has_shape())
      return {};
    SmallVector<int64_t> dims;
    for (const auto &d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() >= 0)
        dims.push_back(d.dim_value());
      else if (requireStatic)
        return {};
      else
        dims.push_back(ShapedType::kDynamic);
    }
    return RankedTensorType::get(dims, elem);
  }

  /// The symbolic name of every dynamic dimension of `vi` ("" for static
  /// ones): the ONNX dim_param, or "<value>.<dim>" when it has none, so
  /// that unnamed dimensions are independent.
  ArrayAttr dimSymbols(const onnx::ValueInfoProto &vi, RankedTensorType type) {
    SmallVector<Attribute> names;
    const auto *shape = vi.type().has_tensor_type() &&
                                vi.type().tensor_type().has_shape()
                            ? &vi.type().tensor_type().shape()
                            : nullptr;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      std::string name;
      if (type.isDynamicDim(d)) {
        if (shape && d < shape->dim_size() && shape->dim(d).has_dim_param() &&
            !shape->dim(d).dim_param().empty())
          name = shape->dim(d).dim_param();
        else
          name = vi.name() + "." + std::to_string(d);
      }
      names.push_back(builder.getStringAttr(name));
    }
    return builder.getArrayAttr(names);
  }

  /// Builds the constant for an initializer or a Constant node's tensor.
  FailureOr<Value> importTensor(const onnx::TensorProto &t, Location loc);

private:
  LogicalResult importNode(const onnx::NodeProto &node);
  void recordConstant(StringRef name, Value v);
};

} // namespace mlir::qcc::importer

FailureOr<Value> GraphImporter::importTensor(const onnx::TensorProto &t,
                                             Location loc) {
  Type elem = convertElementType(ctx, t.data_type());
  if (!elem)
    return emitError(loc) << "tensor '" << t.name()
                          << "' has unsupported data type "
                          << onnxTypeName(t.data_type()),
           failure();
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  int64_t numElements = 1;
  for (int64_t d : dims)
    numElements *= d;
  auto type = RankedTensorType::get(dims, elem);
  unsigned elemBits = elem.getIntOrFloatBitWidth();
  unsigned elemBytes = elemBits == 1 ? 1 : elemBits / 8;
  std::string err;
  FailureOr<std::string> bytes =
      tensorBytes(t, numElements, elemBytes, external, err);
  if (failed(bytes))
    return emitError(loc) << err, failure();

  // Storage type: the resource and dense attrs hold signless bits; the
  // element type of the constant keeps ONNX's signedness.
  TypedAttr value;
  if (elemBits == 1) {
    SmallVector<bool> bools;
    for (char c : *bytes)
      bools.push_back(c != 0);
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  } else if (numElements > options.resourceThreshold) {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(bytes->data(), bytes->size()), alignof(uint64_t));
    std::string name = t.name().empty() ? "tensor" : t.name();
    value = DenseResourceElementsAttr::get(type, name, std::move(blob));
  } else {
    bool isSplat = false;
    if (!DenseElementsAttr::isValidRawBuffer(
            type, ArrayRef<char>(bytes->data(), bytes->size()), isSplat))
      return emitError(loc) << "invalid data for tensor '" << t.name() << "'",
             failure();
    value = DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(bytes->data(), bytes->size()));
  }
  return arith::ConstantOp::create(builder, loc, value).getResult();
}

void GraphImporter::recordConstant(StringRef name, Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue()))
    constants[name] = dense;
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &graph = model.graph();
  Location modelLoc = FileLineColLoc::get(fileName, 0, 0);
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      opset = op.version();

  // Value types: declared inputs/outputs plus shape inference results.
  for (const auto &vi : graph.input())
    valueTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.value_info())
    valueTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    valueTypes[vi.name()] = &vi.type();

  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  if (!graph.name().empty())
    (*module)->setAttr("qcc.graph_name", builder.getStringAttr(graph.name()));

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());

  // Entry signature: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<ArrayAttr> argDims;
  for (const auto &vi : graph.input()) {
    if (initializerNames.contains(vi.name()))
      continue;
    RankedTensorType type = convertTensorType(vi.type(), false);
    if (!type) {
      emitError(modelLoc) << "graph input '" << vi.name()
                          << "' is not a tensor of a supported element type";
      return nullptr;
    }
    auto it = options.inputShapes.find(vi.name());
    if (it != options.inputShapes.end()) {
      if ((int64_t)it->second.size() != type.getRank()) {
        emitError(modelLoc) << "--input-shape for '" << vi.name() << "' has "
                            << it->second.size() << " dimensions, the model "
                            << "input has rank " << type.getRank();
        return nullptr;
      }
      for (auto [declared, given] : llvm::zip(type.getShape(), it->second))
        if (!ShapedType::isDynamic(declared) && declared != given) {
          emitError(modelLoc) << "--input-shape for '" << vi.name()
                              << "' conflicts with the model's static shape "
                              << type;
          return nullptr;
        }
      type = RankedTensorType::get(it->second, type.getElementType());
    }
    if (!type.hasStaticShape() && !options.allowDynamic) {
      std::string dims;
      for (int64_t d : type.getShape())
        dims += (dims.empty() ? "" : "x") +
                (ShapedType::isDynamic(d) ? std::string("?")
                                          : std::to_string(d));
      emitError(modelLoc) << "graph input '" << vi.name()
                          << "' has dynamic shape " << dims
                          << "; fix it with --input-shape " << vi.name()
                          << "=<d0>x<d1>...";
      return nullptr;
    }
    argDims.push_back(dimSymbols(vi, type));
    argTypes.push_back(type);
    argNames.push_back(vi.name());
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, modelLoc, options.entryName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "qcc.name", builder.getStringAttr(name));
    if (!cast<RankedTensorType>(argTypes[i]).hasStaticShape())
      func.setArgAttr(i, "qcc.dims", argDims[i]);
  }

  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(StringAttr::get(ctx, init.name()), modelLoc);
    FailureOr<Value> v = importTensor(init, loc);
    if (failed(v))
      return nullptr;
    values[init.name()] = *v;
    recordConstant(init.name(), *v);
  }

  for (const auto &node : graph.node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v = values.lookup(out.name());
    if (!v) {
      emitError(modelLoc) << "graph output '" << out.name()
                          << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(builder, modelLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "qcc.name", builder.getStringAttr(out.name()));
    auto type = cast<RankedTensorType>(resultTypes[i]);
    if (!type.hasStaticShape())
      func.setResultAttr(i, "qcc.dims", dimSymbols(out, type));
  }
  return module;
}

static const OpImporterTable &opTable() {
  static const OpImporterTable table = [] {
    OpImporterTable t;
    registerElementwiseOps(t);
    registerNNOps(t);
    registerShapeOps(t);
    registerQuantOps(t);
    registerCompositeOps(t);
    return t;
  }();
  return table;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  std::string nodeName = node.name().empty()
                             ? (node.output_size() ? node.output(0) : "")
                             : node.name();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return emitError(loc) << "unsupported ONNX op '" << node.domain()
                          << "::" << node.op_type() << "' (node '" << nodeName
                          << "'): custom domains are not supported";
  const auto &table = opTable();
  auto it = table.find(node.op_type());
  if (it == table.end())
    return emitError(loc) << "unsupported ONNX op '" << node.op_type()
                          << "' (node '" << nodeName << "')";
  for (const auto &in : node.input())
    if (!in.empty() && !values.count(in))
      return emitError(loc) << "node '" << nodeName << "' (" << node.op_type()
                            << ") uses undefined value '" << in << "'";
  NodeContext nodeCtx(*this, node, loc);
  // Dynamic dimensions: only importers registered as handling them see
  // them, and the qcc ops they build must take them
  // (DynamicShapeOpInterface, as convert-qcc-to-linalg requires).
  std::optional<unsigned> dynamicInput;
  for (unsigned i = 0; i < nodeCtx.numInputs() && !dynamicInput; ++i)
    if (nodeCtx.hasInput(i) && !nodeCtx.inputType(i).hasStaticShape())
      dynamicInput = i;
  auto dynamicError = [&] {
    return emitError(loc) << node.op_type() << " node '" << nodeName
                          << "' does not support dynamic dimensions (input "
                          << *dynamicInput << " is "
                          << nodeCtx.inputType(*dynamicInput)
                          << "); fix the model's input shapes with "
                             "--input-shape";
  };
  const OpImporter &importer = it->second;
  if (dynamicInput && !importer.dynamicShapes)
    return dynamicError();
  Block *block = builder.getInsertionBlock();
  Operation *previous = block->empty() ? nullptr : &block->back();
  if (failed(importer.fn(nodeCtx)))
    return failure();
  if (dynamicInput) {
    Block::iterator first =
        previous ? std::next(previous->getIterator()) : block->begin();
    for (Operation &op : llvm::make_range(first, block->end()))
      if (isa<QccDialect>(op.getDialect()) && !hasLowerableShapes(&op))
        return dynamicError();
  }
  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &name = node.output(i);
    if (name.empty())
      continue;
    if (!values.count(name))
      return emitError(loc) << "unsupported ONNX op '" << node.op_type()
                            << "' (node '" << nodeName << "'): output " << i
                            << " ('" << name << "') is not supported";
    recordConstant(name, values[name]);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &imp, const onnx::NodeProto &node,
                         Location loc)
    : imp(imp), nodeProto(node), location(loc) {
  for (const auto &in : node.input())
    inputs.push_back(in.empty() ? Value() : imp.values.lookup(in));
}

int64_t NodeContext::opset() const { return imp.opset; }
OpBuilder &NodeContext::builder() { return imp.builder; }
MLIRContext *NodeContext::context() { return imp.ctx; }

std::optional<DenseElementsAttr> NodeContext::constantInput(unsigned i) const {
  if (i >= (unsigned)nodeProto.input_size() || nodeProto.input(i).empty())
    return std::nullopt;
  auto it = imp.constants.find(nodeProto.input(i));
  if (it == imp.constants.end())
    return std::nullopt;
  return it->second;
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(unsigned i,
                                                          StringRef what) {
  std::optional<DenseElementsAttr> attr = constantInput(i);
  if (!attr || !isa<IntegerType>(attr->getElementType())) {
    emitError() << "input '" << what
                << "' must be a constant integer tensor known at compile time";
    return failure();
  }
  SmallVector<int64_t> out;
  bool isUnsigned = attr->getElementType().isUnsignedInteger();
  for (const APInt &v : attr->getValues<APInt>())
    out.push_back(isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue());
  return out;
}

FailureOr<double> NodeContext::constantScalar(unsigned i, StringRef what) {
  std::optional<DenseElementsAttr> attr = constantInput(i);
  if (!attr || attr->getNumElements() != 1) {
    emitError() << "input '" << what
                << "' must be a constant scalar known at compile time";
    return failure();
  }
  Type elem = attr->getElementType();
  if (isa<FloatType>(elem))
    return (*attr->getValues<APFloat>().begin()).convertToDouble();
  APInt v = *attr->getValues<APInt>().begin();
  return elem.isUnsignedInteger() ? (double)v.getZExtValue()
                                  : (double)v.getSExtValue();
}

const onnx::AttributeProto *NodeContext::findAttr(StringRef name) const {
  for (const auto &a : nodeProto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::attrInt(StringRef name, int64_t dflt) const {
  const auto *a = findAttr(name);
  return a ? a->i() : dflt;
}
double NodeContext::attrFloat(StringRef name, double dflt) const {
  const auto *a = findAttr(name);
  return a ? a->f() : dflt;
}
std::string NodeContext::attrString(StringRef name, StringRef dflt) const {
  const auto *a = findAttr(name);
  return a ? a->s() : dflt.str();
}
SmallVector<int64_t> NodeContext::attrInts(StringRef name) const {
  const auto *a = findAttr(name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}
SmallVector<double> NodeContext::attrFloats(StringRef name) const {
  const auto *a = findAttr(name);
  if (!a)
    return {};
  return SmallVector<double>(a->floats().begin(), a->floats().end());
}
const onnx::TensorProto *NodeContext::attrTensor(StringRef name) const {
  const auto *a = findAttr(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

RankedTensorType NodeContext::inferredType(unsigned i,
                                           bool allowDynamic) const {
  if (!hasOutput(i))
    return {};
  const onnx::TypeProto *type = imp.valueTypes.lookup(nodeProto.output(i));
  if (!type)
    return {};
  return imp.convertTensorType(*type, /*requireStatic=*/!allowDynamic);
}

FailureOr<RankedTensorType> NodeContext::outputType(unsigned i,
                                                    RankedTensorType fallback) {
  if (RankedTensorType t = inferredType(i))
    return t;
  if (fallback && fallback.hasStaticShape())
    return fallback;
  emitError() << "cannot determine a static type for output '"
              << (hasOutput(i) ? nodeProto.output(i) : std::string("?"))
              << "'; fix dynamic input dimensions with --input-shape";
  return failure();
}

void NodeContext::setResult(unsigned i, Value v) {
  if (hasOutput(i))
    imp.values[nodeProto.output(i)] = v;
}
void NodeContext::setResults(ValueRange values) {
  for (auto [i, v] : llvm::enumerate(values))
    setResult(i, v);
}

InFlightDiagnostic NodeContext::emitError() const {
  std::string name = nodeProto.name().empty()
                         ? (nodeProto.output_size() ? nodeProto.output(0) : "")
                         : nodeProto.name();
  return mlir::emitError(location)
         << nodeProto.op_type() << " node '" << name << "': ";
}

LogicalResult NodeContext::unsupported(const Twine &what) const {
  std::string name = nodeProto.name().empty()
                         ? (nodeProto.output_size() ? nodeProto.output(0) : "")
                         : nodeProto.name();
  return mlir::emitError(location)
         << "unsupported ONNX op '" << nodeProto.op_type() << "' (node '"
         << name << "'): " << what;
}

Value NodeContext::splat(RankedTensorType type, double value) {
  Type elem = type.getElementType();
  TypedAttr attr;
  if (auto ft = dyn_cast<FloatType>(elem)) {
    APFloat f(value);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    attr = DenseElementsAttr::get(type, f);
  } else {
    auto it = cast<IntegerType>(elem);
    APInt v(it.getWidth(), (uint64_t)(int64_t)value, !it.isUnsigned());
    if (it.getWidth() == 1)
      v = APInt(1, value != 0);
    attr = DenseElementsAttr::get(type, v);
  }
  return create<arith::ConstantOp>(attr);
}

Value NodeContext::scalar(Type elemType, double value) {
  return splat(RankedTensorType::get({}, elemType), value);
}

Value NodeContext::intConstant(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()},
                                    IntegerType::get(context(), 64));
  return create<arith::ConstantOp>(DenseElementsAttr::get(type, values));
}

FailureOr<Value> NodeContext::importTensor(const onnx::TensorProto &t) {
  return imp.importTensor(t, location);
}

Value importer::createReshape(NodeContext &ctx, Value v,
                              ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return ctx.create<ReshapeOp>(type.clone(shape), v);
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

void qcc::loadImporterDialects(MLIRContext *ctx) {
  ctx->loadDialect<QccDialect, arith::ArithDialect, func::FuncDialect,
                   quant::QuantDialect>();
}

OwningOpRef<ModuleOp> qcc::importOnnxModel(StringRef path, MLIRContext *ctx,
                                           const OnnxImportOptions &options) {
  loadImporterDialects(ctx);
  Location fileLoc = FileLineColLoc::get(ctx, path, 0, 0);
  auto fileOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                               /*RequiresNullTerminator=*/false);
  if (!fileOrErr) {
    emitError(fileLoc) << "cannot read '" << path
                       << "': " << fileOrErr.getError().message();
    return nullptr;
  }
  const llvm::MemoryBuffer &buf = **fileOrErr;
  onnx::ModelProto model;
  if (buf.getBufferSize() > (size_t)std::numeric_limits<int>::max() ||
      !model.ParseFromArray(buf.getBufferStart(), (int)buf.getBufferSize()) ||
      !model.has_graph() || model.ir_version() <= 0) {
    emitError(fileLoc) << "'" << path
                       << "' is not a valid ONNX model (protobuf parse failed "
                          "or the file is truncated)";
    return nullptr;
  }

  // Shape inference fills graph.value_info with the static types the
  // builders rely on. Apply --input-shape first so it propagates.
  for (const auto &kv : options.inputShapes)
    if (llvm::none_of(model.graph().input(), [&](const auto &in) {
          return in.name() == kv.getKey();
        })) {
      emitError(fileLoc) << "--input-shape names '" << kv.getKey()
                         << "', which is not an input of the model";
      return nullptr;
    }
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    auto it = options.inputShapes.find(input.name());
    if (it == options.inputShapes.end() || !input.type().has_tensor_type())
      continue;
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != (int)it->second.size()) {
      emitError(fileLoc) << "--input-shape for '" << input.name() << "' has "
                         << it->second.size() << " dimensions, the model "
                         << "input has rank " << shape->dim_size();
      return nullptr;
    }
    for (auto [dim, given] : llvm::zip(shape->dim(), it->second))
      if (dim.has_dim_value() && dim.dim_value() != given) {
        emitError(fileLoc) << "--input-shape for '" << input.name()
                           << "' conflicts with the model's static dimension "
                           << dim.dim_value();
        return nullptr;
      }
    shape->clear_dim();
    for (int64_t d : it->second)
      shape->add_dim()->set_dim_value(d);
  }
  try {
    onnx::ShapeInferenceOptions siOptions(/*check_type=*/false,
                                          /*error_mode=*/0,
                                          /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       siOptions);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "ONNX shape inference failed: " << e.what();
    return nullptr;
  }

  GraphImporter importer(ctx, model, path, options);
  OwningOpRef<ModuleOp> module = importer.run();
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
}
