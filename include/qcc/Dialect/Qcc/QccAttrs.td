//===- QccAttrs.td - qcc enum attributes -------------------*- tablegen -*-===//
//
// The enumerated op attributes of the qcc dialect, written
// `#qcc.pool_kind<max>`, `#qcc.pad_mode<reflect>`,
// `#qcc.scatter_reduction<add>`.
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

#endif // QCC_ATTRS_TD
