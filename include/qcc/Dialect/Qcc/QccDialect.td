//===- QccDialect.td - the qcc dialect ---------------------*- tablegen -*-===//
//
// The qcc dialect: tensor-level operations with ONNX semantics produced by
// the ONNX importer, plus the quantization vocabulary (quantize, dequantize,
// requantize on `!quant.uniform` element types) that the quantization passes
// rewrite into.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_TD
#define QCC_DIALECT_TD

include "mlir/IR/OpBase.td"

def Qcc_Dialect : Dialect {
  let name = "qcc";
  let cppNamespace = "::mlir::qcc";
  let summary = "Tensor-level ONNX-semantics and quantization operations";
  let description = [{
    Operations are on ranked tensors. Elementwise operations follow ONNX
    (numpy) multidirectional broadcasting; the result type carries the
    broadcast shape. Quantized tensors use the upstream `!quant.uniform`
    element types (per tensor, per axis and sub-channel/per group); qcc owns
    the rounding semantics: round half to even, saturating to the storage
    range, as ONNX QuantizeLinear specifies.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect"];
  // Folders (reshape of a constant, ...) produce arith.constant.
  let hasConstantMaterializer = 1;
  // The attributes of QccAttrs.td print as #qcc.<mnemonic><...>.
  let useDefaultAttributePrinterParser = 1;
  // The quantization passes' records on contractions (QccAttrs.td), with
  // typed helpers (getQuantAttrHelper(), ...). verifyOperationAttribute
  // checks that they have their attribute type and sit on a qcc.matmul,
  // qcc.gemm or qcc.conv; the other `qcc.*` discardable attributes
  // (qcc.name, qcc.layer_output, ...) are not checked.
  let discardableAttrs = (ins
    "::mlir::qcc::QuantRecordAttr":$quant,
    "::mlir::qcc::CalibrationAttr":$calibration,
    "::mlir::qcc::BitsAttr":$bits
  );
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes (QccAttrs.cpp, where their storage is).
    void registerAttributes();
  }];
}

class Qcc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qcc_Dialect, mnemonic, traits>;

#endif // QCC_DIALECT_TD
