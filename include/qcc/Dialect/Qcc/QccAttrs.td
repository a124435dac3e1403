//===- QccAttrs.td - qcc attributes ------------------------*- tablegen -*-===//
//
// The enumerated op attributes of the qcc dialect, written
// `#qcc.pool_kind<max>`, `#qcc.pad_mode<reflect>`,
// `#qcc.scatter_reduction<add>`, and the quantization vocabulary that the
// quantization passes attach to contractions as discardable attributes:
// `#qcc.quant<...>` (what was done to a layer), `#qcc.calibration<...>`
// (the statistics of its activation input) and `#qcc.bits<4>` (the bits
// chosen for it by the mixed-precision allocation).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_ATTRS_TD
#define QCC_ATTRS_TD

include "qcc/Dialect/Qcc/QccDialect.td"
include "mlir/IR/EnumAttr.td"

// The C++ enum (with symbolize/stringify functions) only; the attribute is
// the Qcc_EnumAttr wrapping it.
class Qcc_I32Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::qcc";
}

class Qcc_EnumAttr<EnumAttrInfo enumInfo, string mnemonic>
    : EnumAttr<Qcc_Dialect, enumInfo, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

def Qcc_PoolKind : Qcc_I32Enum<"PoolKind", "pooling kind (max or avg)", [
  I32EnumAttrCase<"Max", 0, "max">,
  I32EnumAttrCase<"Avg", 1, "avg">
]>;
def Qcc_PoolKindAttr : Qcc_EnumAttr<Qcc_PoolKind, "pool_kind">;

// ONNX Pad's modes qcc lowers (not opset 19's "wrap").
def Qcc_PadMode
    : Qcc_I32Enum<"PadMode", "padding mode (constant, reflect or edge)", [
  I32EnumAttrCase<"Constant", 0, "constant">,
  I32EnumAttrCase<"Reflect", 1, "reflect">,
  I32EnumAttrCase<"Edge", 2, "edge">
]>;
def Qcc_PadModeAttr : Qcc_EnumAttr<Qcc_PadMode, "pad_mode">;

// How ScatterElements/ScatterND combine an update with the value it
// overwrites: "none" replaces. ONNX opset 18's "max"/"min" are not lowered.
def Qcc_ScatterReduction
    : Qcc_I32Enum<"ScatterReduction", "scatter reduction (none, add or mul)", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Add", 1, "add">,
  I32EnumAttrCase<"Mul", 2, "mul">
]>;
def Qcc_ScatterReductionAttr
    : Qcc_EnumAttr<Qcc_ScatterReduction, "scatter_reduction">;

//===----------------------------------------------------------------------===//
// Quantization records
//===----------------------------------------------------------------------===//

class Qcc_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Qcc_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Qcc_QuantScheme : Qcc_I32Enum<"QuantScheme", "quantization scheme", [
  I32EnumAttrCase<"WeightOnly", 0, "weight-only">,
  I32EnumAttrCase<"Static", 1, "static">,
  I32EnumAttrCase<"Dynamic", 2, "dynamic">
]>;

def Qcc_QuantGranularity
    : Qcc_I32Enum<"QuantGranularity", "weight scale granularity", [
  I32EnumAttrCase<"PerTensor", 0, "per-tensor">,
  I32EnumAttrCase<"PerChannel", 1, "per-channel">,
  I32EnumAttrCase<"PerGroup", 2, "per-group">
]>;

def Qcc_CalibrationMethod
    : Qcc_I32Enum<"CalibrationMethod", "calibration method", [
  I32EnumAttrCase<"MinMax", 0, "minmax">,
  I32EnumAttrCase<"Percentile", 1, "percentile">,
  I32EnumAttrCase<"Entropy", 2, "entropy">,
  I32EnumAttrCase<"MSE", 3, "mse">
]>;

// An enum parameter printed as a quoted string (`scheme = "weight-only"`:
// the names are not all keywords); the parser also takes a bare keyword.
class Qcc_StringEnumParameter<EnumAttrInfo enumInfo> : EnumParameter<enumInfo> {
  let printer = "$_printer.printString(" # enumInfo.symbolToStringFnName #
                "($_self))";
}

// A float parameter: parsed exactly as an f32 literal and printed as one
// (the shortest form that round-trips), e.g. `scale_min = 0.00999999977`.
class Qcc_F32Parameter<string desc> : AttrParameter<"float", desc> {
  let parser = "::mlir::qcc::detail::parseF32($_parser)";
  let printer = "::mlir::qcc::detail::printF32($_printer, $_self)";
}

class Qcc_OptionalF32Parameter<string desc>
    : OptionalParameter<"std::optional<float>", desc> {
  let parser = "::mlir::qcc::detail::parseOptionalF32($_parser)";
  let printer = "::mlir::qcc::detail::printF32($_printer, *$_self)";
}

// `[0.5, 0.25]`; an empty array is the same as an absent one.
class Qcc_OptionalF32ArrayParameter<string desc>
    : OptionalArrayRefParameter<"float", desc> {
  let parser = "::mlir::qcc::detail::parseF32Array($_parser)";
  let printer = "::mlir::qcc::detail::printF32Array($_printer, $_self)";
}

class Qcc_BoolParameter<string desc> : AttrParameter<"bool", desc> {
  let parser = "::mlir::qcc::detail::parseBool($_parser)";
  let printer = "$_printer << ($_self ? \"true\" : \"false\")";
}

def Qcc_OptionalMethodParameter
    : OptionalParameter<"std::optional<::mlir::qcc::CalibrationMethod>",
                        "how the threshold was chosen"> {
  let parser = "::mlir::FieldParser<::mlir::qcc::CalibrationMethod>::parse("
               "$_parser)";
  let printer = "$_printer.printString(stringifyCalibrationMethod(*$_self))";
}

class Qcc_OptionalI64Parameter<string desc>
    : OptionalParameter<"std::optional<int64_t>", desc> {
  let parser = "::mlir::FieldParser<int64_t>::parse($_parser)";
  let printer = "$_printer << *$_self";
}

// The float parameters are hashed and compared by their bit patterns, which
// llvm::hash_combine does not do for `float`: the storage classes of the two
// records are written by hand (lib/Dialect/Qcc/QccAttrs.cpp).

def Qcc_QuantRecordAttr : Qcc_Attr<"QuantRecord", "quant"> {
  let summary = "what a quantization pass did to one layer";
  let description = [{
    Written as the discardable attribute `qcc.quant` by qcc-quantize-weights,
    qcc-quantize-static and qcc-quantize-dynamic on the contraction that now
    computes the layer (the op producing its float output is tagged
    `qcc.layer_output`); read by the quantization report, the mixed-precision
    allocation and the ONNX exporter.

    ```mlir
    qcc.quant = #qcc.quant<layer = "mm", op = "MatMul", scheme = "static",
        bits = 8, granularity = "per-channel", group_size = 0,
        symmetric = true, scale_min = 0.00999999977, scale_max = 2.000000e-02,
        bytes_before = 24, bytes_after = 14, act_scale = 2.000000e-02,
        weight_scales = [0.00999999977, 2.000000e-02]>
    ```

    `layer` is the ONNX node name (or `<OpType>_<n>`), `op` the ONNX op type
    (MatMul, Gemm or Conv). Weight-only layers have 2, 3, 4 or 8 bits, per
    channel or per group of `group_size` elements of the reduction dimension
    (`group_size` is 0 otherwise); static and dynamic layers have 8 bits.
    `scale_min`/`scale_max` is the range of the weight scales and
    `bytes_before`/`bytes_after` the weight's bytes in float and quantized
    (scales and zero points included). Static layers also record the
    activation scale `act_scale`, the weight scales `weight_scales` (one per
    output channel, or one) and, when bias correction applied, the
    per-channel shift `bias_correction` subtracted from the output.
  }];
  let parameters = (ins
    StringRefParameter<"ONNX node name of the layer">:$layer,
    StringRefParameter<"ONNX op type: MatMul, Gemm or Conv">:$op,
    Qcc_StringEnumParameter<Qcc_QuantScheme>:$scheme,
    "int64_t":$bits,
    Qcc_StringEnumParameter<Qcc_QuantGranularity>:$granularity,
    "int64_t":$group_size,
    Qcc_BoolParameter<"symmetric (no zero points)">:$symmetric,
    Qcc_F32Parameter<"smallest weight scale">:$scale_min,
    Qcc_F32Parameter<"largest weight scale">:$scale_max,
    "int64_t":$bytes_before,
    "int64_t":$bytes_after,
    Qcc_OptionalF32Parameter<"activation scale (static)">:$act_scale,
    Qcc_OptionalF32ArrayParameter<"weight scales (static)">:$weight_scales,
    Qcc_OptionalF32ArrayParameter<
        "per-channel output shift (static, bias correction)">:$bias_correction
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let genStorageClass = 0;
}

def Qcc_CalibrationAttr : Qcc_Attr<"Calibration", "calibration"> {
  let summary = "calibration statistics of a contraction's activation input";
  let description = [{
    Written as the discardable attribute `qcc.calibration` by qcc-calibrate
    on every qcc.matmul, qcc.gemm and qcc.conv with a float activation input
    and read by qcc-quantize-static: the observed range `min`..`max`, the
    symmetric clipping `threshold` that `method` chose, the number of
    `samples` and the per-input-channel mean `channel_mean` (for bias
    correction). Only `threshold` is required.

    ```mlir
    qcc.calibration = #qcc.calibration<method = "minmax", min = -2.540000e+00,
        max = 1.000000e+00, threshold = 2.540000e+00, samples = 4,
        channel_mean = [2.000000e+00, 4.000000e+00]>
    qcc.calibration = #qcc.calibration<threshold = 1.000000e+00>
    ```
  }];
  let parameters = (ins
    Qcc_OptionalMethodParameter:$method,
    Qcc_OptionalF32Parameter<"smallest observed value">:$min,
    Qcc_OptionalF32Parameter<"largest observed value">:$max,
    Qcc_F32Parameter<"clipping threshold T: values map to [-T, T]">:$threshold,
    Qcc_OptionalI64Parameter<"number of calibration samples">:$samples,
    Qcc_OptionalF32ArrayParameter<"mean per input channel">:$channel_mean
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let genStorageClass = 0;
}

def Qcc_BitsAttr : Qcc_Attr<"Bits", "bits"> {
  let summary = "weight bits chosen for a layer";
  let description = [{
    Written as the discardable attribute `qcc.bits` by qcc-mixed-precision
    on a qcc.matmul, qcc.gemm or qcc.conv and honoured (then removed) by
    qcc-quantize-weights: 2, 3, 4 or 8 bits, or 32 to keep the layer in
    float. `qcc.bits = #qcc.bits<4>`.
  }];
  let parameters = (ins "int64_t":$value);
  let assemblyFormat = "`<` $value `>`";
  let genVerifyDecl = 1;
}

#endif // QCC_ATTRS_TD
