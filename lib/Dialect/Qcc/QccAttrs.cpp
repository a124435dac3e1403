//===- QccAttrs.cpp - qcc attributes --------------------------------------===//
//
// The generated attribute classes (QccAttrs.td), the storage of the two
// quantization records (their float parameters are hashed and compared by
// bit pattern), their parameter parsers/printers and verifiers, and the
// dialect's check of the discardable attributes qcc.quant, qcc.calibration
// and qcc.bits.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/QccAttrs.h"
#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Dialect/Qcc/QccOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcc;

//===----------------------------------------------------------------------===//
// Parameter parsers and printers
//===----------------------------------------------------------------------===//

namespace mlir::qcc::detail {

/// An f32 literal (`0.5`, `-2.540000e+00`, or the hexadecimal bit pattern
/// printFloat uses for NaN and infinity).
static FailureOr<float> parseF32(AsmParser &parser) {
  APFloat value(0.0f);
  if (parser.parseFloat(APFloat::IEEEsingle(), value))
    return failure();
  return value.convertToFloat();
}

static FailureOr<std::optional<float>> parseOptionalF32(AsmParser &parser) {
  FailureOr<float> value = parseF32(parser);
  if (failed(value))
    return failure();
  return std::optional<float>(*value);
}

/// The shortest form that parses back to the same f32.
static void printF32(AsmPrinter &printer, float value) {
  printer.printFloat(APFloat(value));
}

/// `[f32, ...]`.
static FailureOr<SmallVector<float>> parseF32Array(AsmParser &parser) {
  SmallVector<float> values;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        FailureOr<float> value = parseF32(parser);
        if (failed(value))
          return failure();
        values.push_back(*value);
        return success();
      }))
    return failure();
  return values;
}

static void printF32Array(AsmPrinter &printer, ArrayRef<float> values) {
  printer << '[';
  llvm::interleaveComma(values, printer,
                        [&](float value) { printF32(printer, value); });
  printer << ']';
}

static FailureOr<bool> parseBool(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

// Floats by bit pattern: llvm::hash_combine has no hash for `float`, and
// equality must agree with the hash (-0 and +0 print differently).
static llvm::hash_code hashF32(float value) {
  return llvm::hash_value(llvm::bit_cast<uint32_t>(value));
}
static llvm::hash_code hashF32(std::optional<float> value) {
  return value ? llvm::hash_combine(true, hashF32(*value))
               : llvm::hash_value(false);
}
static llvm::hash_code hashF32(ArrayRef<float> values) {
  llvm::hash_code hash = llvm::hash_value(values.size());
  for (float value : values)
    hash = llvm::hash_combine(hash, hashF32(value));
  return hash;
}

static bool sameF32(float a, float b) {
  return llvm::bit_cast<uint32_t>(a) == llvm::bit_cast<uint32_t>(b);
}
static bool sameF32(std::optional<float> a, std::optional<float> b) {
  return a.has_value() == b.has_value() && (!a || sameF32(*a, *b));
}
static bool sameF32(ArrayRef<float> a, ArrayRef<float> b) {
  return a.size() == b.size() &&
         llvm::all_of(llvm::zip_equal(a, b), [](auto pair) {
           return sameF32(std::get<0>(pair), std::get<1>(pair));
         });
}

struct QuantRecordAttrStorage : public AttributeStorage {
  using KeyTy =
      std::tuple<StringRef, StringRef, QuantScheme, int64_t, QuantGranularity,
                 int64_t, bool, float, float, int64_t, int64_t,
                 std::optional<float>, ArrayRef<float>, ArrayRef<float>>;

  QuantRecordAttrStorage(StringRef layer, StringRef op, QuantScheme scheme,
                         int64_t bits, QuantGranularity granularity,
                         int64_t groupSize, bool symmetric, float scaleMin,
                         float scaleMax, int64_t bytesBefore,
                         int64_t bytesAfter, std::optional<float> actScale,
                         ArrayRef<float> weightScales,
                         ArrayRef<float> biasCorrection)
      : layer(layer), op(op), scheme(scheme), bits(bits),
        granularity(granularity), groupSize(groupSize), symmetric(symmetric),
        scaleMin(scaleMin), scaleMax(scaleMax), bytesBefore(bytesBefore),
        bytesAfter(bytesAfter), actScale(actScale), weightScales(weightScales),
        biasCorrection(biasCorrection) {}

  bool operator==(const KeyTy &key) const {
    return layer == std::get<0>(key) && op == std::get<1>(key) &&
           scheme == std::get<2>(key) && bits == std::get<3>(key) &&
           granularity == std::get<4>(key) && groupSize == std::get<5>(key) &&
           symmetric == std::get<6>(key) &&
           sameF32(scaleMin, std::get<7>(key)) &&
           sameF32(scaleMax, std::get<8>(key)) &&
           bytesBefore == std::get<9>(key) && bytesAfter == std::get<10>(key) &&
           sameF32(actScale, std::get<11>(key)) &&
           sameF32(weightScales, std::get<12>(key)) &&
           sameF32(biasCorrection, std::get<13>(key));
  }

  static llvm::hash_code hashKey(const KeyTy &key) {
    return llvm::hash_combine(
        std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key),
        std::get<4>(key), std::get<5>(key), std::get<6>(key),
        hashF32(std::get<7>(key)), hashF32(std::get<8>(key)), std::get<9>(key),
        std::get<10>(key), hashF32(std::get<11>(key)),
        hashF32(std::get<12>(key)), hashF32(std::get<13>(key)));
  }

  static QuantRecordAttrStorage *construct(AttributeStorageAllocator &allocator,
                                           KeyTy &&key) {
    return new (allocator.allocate<QuantRecordAttrStorage>())
        QuantRecordAttrStorage(
            allocator.copyInto(std::get<0>(key)),
            allocator.copyInto(std::get<1>(key)), std::get<2>(key),
            std::get<3>(key), std::get<4>(key), std::get<5>(key),
            std::get<6>(key), std::get<7>(key), std::get<8>(key),
            std::get<9>(key), std::get<10>(key), std::get<11>(key),
            allocator.copyInto(std::get<12>(key)),
            allocator.copyInto(std::get<13>(key)));
  }

  StringRef layer, op;
  QuantScheme scheme;
  int64_t bits;
  QuantGranularity granularity;
  int64_t groupSize;
  bool symmetric;
  float scaleMin, scaleMax;
  int64_t bytesBefore, bytesAfter;
  std::optional<float> actScale;
  ArrayRef<float> weightScales, biasCorrection;
};

struct CalibrationAttrStorage : public AttributeStorage {
  using KeyTy = std::tuple<std::optional<CalibrationMethod>,
                           std::optional<float>, std::optional<float>, float,
                           std::optional<int64_t>, ArrayRef<float>>;

  CalibrationAttrStorage(std::optional<CalibrationMethod> method,
                         std::optional<float> min, std::optional<float> max,
                         float threshold, std::optional<int64_t> samples,
                         ArrayRef<float> channelMean)
      : method(method), min(min), max(max), threshold(threshold),
        samples(samples), channelMean(channelMean) {}

  bool operator==(const KeyTy &key) const {
    return method == std::get<0>(key) && sameF32(min, std::get<1>(key)) &&
           sameF32(max, std::get<2>(key)) &&
           sameF32(threshold, std::get<3>(key)) &&
           samples == std::get<4>(key) &&
           sameF32(channelMean, std::get<5>(key));
  }

  static llvm::hash_code hashKey(const KeyTy &key) {
    return llvm::hash_combine(
        std::get<0>(key), hashF32(std::get<1>(key)), hashF32(std::get<2>(key)),
        hashF32(std::get<3>(key)), std::get<4>(key), hashF32(std::get<5>(key)));
  }

  static CalibrationAttrStorage *construct(AttributeStorageAllocator &allocator,
                                           KeyTy &&key) {
    return new (allocator.allocate<CalibrationAttrStorage>())
        CalibrationAttrStorage(std::get<0>(key), std::get<1>(key),
                               std::get<2>(key), std::get<3>(key),
                               std::get<4>(key),
                               allocator.copyInto(std::get<5>(key)));
  }

  std::optional<CalibrationMethod> method;
  std::optional<float> min, max;
  float threshold;
  std::optional<int64_t> samples;
  ArrayRef<float> channelMean;
};

} // namespace mlir::qcc::detail

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/Qcc/QccAttrs.cpp.inc"

void QccDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qcc/Dialect/Qcc/QccAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// QuantRecordAttr
//===----------------------------------------------------------------------===//

StringRef QuantRecordAttr::getLayer() const { return getImpl()->layer; }
StringRef QuantRecordAttr::getOp() const { return getImpl()->op; }
QuantScheme QuantRecordAttr::getScheme() const { return getImpl()->scheme; }
int64_t QuantRecordAttr::getBits() const { return getImpl()->bits; }
QuantGranularity QuantRecordAttr::getGranularity() const {
  return getImpl()->granularity;
}
int64_t QuantRecordAttr::getGroupSize() const { return getImpl()->groupSize; }
bool QuantRecordAttr::getSymmetric() const { return getImpl()->symmetric; }
float QuantRecordAttr::getScaleMin() const { return getImpl()->scaleMin; }
float QuantRecordAttr::getScaleMax() const { return getImpl()->scaleMax; }
int64_t QuantRecordAttr::getBytesBefore() const {
  return getImpl()->bytesBefore;
}
int64_t QuantRecordAttr::getBytesAfter() const { return getImpl()->bytesAfter; }
std::optional<float> QuantRecordAttr::getActScale() const {
  return getImpl()->actScale;
}
ArrayRef<float> QuantRecordAttr::getWeightScales() const {
  return getImpl()->weightScales;
}
ArrayRef<float> QuantRecordAttr::getBiasCorrection() const {
  return getImpl()->biasCorrection;
}

/// Fails unless every value is finite (and, with `nonNegative`, >= 0).
static LogicalResult verifyF32s(function_ref<InFlightDiagnostic()> emitError,
                                StringRef name, ArrayRef<float> values,
                                bool nonNegative) {
  for (float value : values) {
    if (!std::isfinite(value))
      return emitError() << name << " must be finite, got " << value;
    if (nonNegative && value < 0)
      return emitError() << name << " must be non-negative, got " << value;
  }
  return success();
}

LogicalResult QuantRecordAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef layer, StringRef op,
    QuantScheme scheme, int64_t bits, QuantGranularity granularity,
    int64_t groupSize, bool symmetric, float scaleMin, float scaleMax,
    int64_t bytesBefore, int64_t bytesAfter, std::optional<float> actScale,
    ArrayRef<float> weightScales, ArrayRef<float> biasCorrection) {
  if (layer.empty())
    return emitError() << "layer must not be empty";
  if (op != "MatMul" && op != "Gemm" && op != "Conv")
    return emitError() << "op must be MatMul, Gemm or Conv, got '" << op << "'";
  StringRef schemeName = stringifyQuantScheme(scheme);
  if (scheme == QuantScheme::WeightOnly) {
    if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
      return emitError() << "weight-only bits must be 2, 3, 4 or 8, got "
                         << bits;
  } else if (bits != 8) {
    return emitError() << schemeName << " bits must be 8, got " << bits;
  }
  bool perGroup = granularity == QuantGranularity::PerGroup;
  if (perGroup && scheme != QuantScheme::WeightOnly)
    return emitError() << "per-group granularity needs the weight-only "
                          "scheme, not "
                       << schemeName;
  if (groupSize < 0)
    return emitError() << "group_size must be non-negative, got " << groupSize;
  if (perGroup && groupSize == 0)
    return emitError() << "per-group granularity needs a positive group_size";
  if (!perGroup && groupSize != 0)
    return emitError() << "group_size " << groupSize
                       << " needs per-group granularity, not "
                       << stringifyQuantGranularity(granularity);
  if (failed(verifyF32s(emitError, "scale_min", scaleMin, true)) ||
      failed(verifyF32s(emitError, "scale_max", scaleMax, true)))
    return failure();
  if (scaleMin > scaleMax)
    return emitError() << "scale_min " << scaleMin << " exceeds scale_max "
                       << scaleMax;
  if (bytesBefore < 0 || bytesAfter < 0)
    return emitError() << "bytes_before and bytes_after must be "
                          "non-negative";
  bool isStatic = scheme == QuantScheme::Static;
  if (isStatic && (!actScale || weightScales.empty()))
    return emitError() << "the static scheme needs act_scale and "
                          "weight_scales";
  if (!isStatic &&
      (actScale || !weightScales.empty() || !biasCorrection.empty()))
    return emitError() << "act_scale, weight_scales and bias_correction are "
                          "static-scheme fields, the scheme is "
                       << schemeName;
  if (actScale) {
    if (failed(verifyF32s(emitError, "act_scale", *actScale, true)))
      return failure();
    if (*actScale == 0)
      return emitError() << "act_scale must be positive";
  }
  return failure(
      failed(verifyF32s(emitError, "weight_scales", weightScales, true)) ||
      failed(verifyF32s(emitError, "bias_correction", biasCorrection, false)));
}

//===----------------------------------------------------------------------===//
// CalibrationAttr
//===----------------------------------------------------------------------===//

std::optional<CalibrationMethod> CalibrationAttr::getMethod() const {
  return getImpl()->method;
}
std::optional<float> CalibrationAttr::getMin() const { return getImpl()->min; }
std::optional<float> CalibrationAttr::getMax() const { return getImpl()->max; }
float CalibrationAttr::getThreshold() const { return getImpl()->threshold; }
std::optional<int64_t> CalibrationAttr::getSamples() const {
  return getImpl()->samples;
}
ArrayRef<float> CalibrationAttr::getChannelMean() const {
  return getImpl()->channelMean;
}

LogicalResult
CalibrationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        std::optional<CalibrationMethod> method,
                        std::optional<float> min, std::optional<float> max,
                        float threshold, std::optional<int64_t> samples,
                        ArrayRef<float> channelMean) {
  if (failed(verifyF32s(emitError, "threshold", threshold, true)))
    return failure();
  if ((min && failed(verifyF32s(emitError, "min", *min, false))) ||
      (max && failed(verifyF32s(emitError, "max", *max, false))))
    return failure();
  if (min && max && *min > *max)
    return emitError() << "min " << *min << " exceeds max " << *max;
  if (samples && *samples < 0)
    return emitError() << "samples must be non-negative, got " << *samples;
  return verifyF32s(emitError, "channel_mean", channelMean, false);
}

//===----------------------------------------------------------------------===//
// BitsAttr
//===----------------------------------------------------------------------===//

LogicalResult BitsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t value) {
  if (value != 2 && value != 3 && value != 4 && value != 8 && value != 32)
    return emitError() << "bits must be 2, 3, 4, 8 or 32, got " << value;
  return success();
}

//===----------------------------------------------------------------------===//
// The discardable attributes
//===----------------------------------------------------------------------===//

/// The number of channels of a contraction's activation input (the
/// calibration's channel axis: 1 for qcc.conv, the last for qcc.matmul and
/// qcc.gemm), or std::nullopt when it is not static.
static std::optional<int64_t> inputChannels(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  if (!type || type.getRank() == 0)
    return std::nullopt;
  int64_t axis = isa<ConvOp>(op) ? 1 : type.getRank() - 1;
  if (axis >= type.getRank() || type.isDynamicDim(axis))
    return std::nullopt;
  return type.getDimSize(axis);
}

LogicalResult QccDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  Attribute value = attribute.getValue();
  // The attribute type each name needs; qcc.name, qcc.layer_output and the
  // other qcc.* attributes are not checked.
  bool typed;
  StringRef mnemonic;
  if (name == QuantAttrHelper::getNameStr()) {
    typed = isa<QuantRecordAttr>(value);
    mnemonic = QuantRecordAttr::getMnemonic();
  } else if (name == CalibrationAttrHelper::getNameStr()) {
    typed = isa<CalibrationAttr>(value);
    mnemonic = CalibrationAttr::getMnemonic();
  } else if (name == BitsAttrHelper::getNameStr()) {
    typed = isa<BitsAttr>(value);
    mnemonic = BitsAttr::getMnemonic();
  } else {
    return success();
  }
  if (!typed)
    return op->emitOpError() << "attribute '" << name << "' must be a #qcc."
                             << mnemonic << "<...> attribute";
  if (!isa<MatMulOp, GemmOp, ConvOp>(op))
    return op->emitOpError() << "attribute '" << name
                             << "' is only valid on qcc.matmul, qcc.gemm and "
                                "qcc.conv";
  // Attributes built in C++ rather than parsed have not been verified yet.
  auto emitError = [&] {
    return op->emitOpError() << "attribute '" << name << "': ";
  };
  if (auto rec = dyn_cast<QuantRecordAttr>(value))
    return QuantRecordAttr::verify(
        emitError, rec.getLayer(), rec.getOp(), rec.getScheme(), rec.getBits(),
        rec.getGranularity(), rec.getGroupSize(), rec.getSymmetric(),
        rec.getScaleMin(), rec.getScaleMax(), rec.getBytesBefore(),
        rec.getBytesAfter(), rec.getActScale(), rec.getWeightScales(),
        rec.getBiasCorrection());
  if (auto bits = dyn_cast<BitsAttr>(value))
    return BitsAttr::verify(emitError, bits.getValue());
  auto calib = cast<CalibrationAttr>(value);
  if (failed(CalibrationAttr::verify(
          emitError, calib.getMethod(), calib.getMin(), calib.getMax(),
          calib.getThreshold(), calib.getSamples(), calib.getChannelMean())))
    return failure();
  ArrayRef<float> mean = calib.getChannelMean();
  std::optional<int64_t> channels = inputChannels(op);
  if (!mean.empty() && channels && (int64_t)mean.size() != *channels)
    return emitError() << "channel_mean has " << mean.size()
                       << " entries, the activation input has " << *channels
                       << " channels";
  return success();
}
