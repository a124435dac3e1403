//===- QuantReport.cpp - per-layer quantization report --------------------===//

#include "qcc/Calibration/QuantReport.h"
#include "qcc/Calibration/Passes.h"
#include "qcc/Calibration/ProbedModel.h"
#include "qcc/Dialect/Qcc/QccOps.h"
#include "qcc/Transforms/QuantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCQUANTREPORT
#include "qcc/Calibration/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// JSON has no infinities: identical outputs report null.
llvm::json::Value dbValue(const SqnrAccumulator &acc) {
  double db = acc.db();
  if (!std::isfinite(db))
    return nullptr;
  return std::round(db * 100) / 100;
}

std::string htmlEscape(StringRef s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A horizontal SVG bar chart: one labelled bar per row.
void writeBarChart(llvm::raw_ostream &os, StringRef title,
                   ArrayRef<std::pair<std::string, double>> bars,
                   ArrayRef<std::string> colors, StringRef unit) {
  const int rowH = 18, labelW = 260, barW = 420, top = 28;
  double maxV = 0;
  for (auto &b : bars)
    maxV = std::max(maxV, b.second);
  if (maxV <= 0)
    maxV = 1;
  int height = top + rowH * bars.size() + 10;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << labelW + barW + 90 << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<text x=\"4\" y=\"16\" font-weight=\"bold\">" << htmlEscape(title)
     << "</text>\n";
  for (auto [i, b] : llvm::enumerate(bars)) {
    int y = top + rowH * i;
    double w = std::max(0.0, b.second) / maxV * barW;
    os << "<text x=\"" << labelW - 6 << "\" y=\"" << y + 13
       << "\" text-anchor=\"end\">" << htmlEscape(b.first) << "</text>";
    os << "<rect x=\"" << labelW << "\" y=\"" << y + 2 << "\" width=\""
       << llvm::format("%.1f", w) << "\" height=\"" << rowH - 4 << "\" fill=\""
       << colors[i] << "\"/>";
    os << "<text x=\"" << labelW + (int)w + 4 << "\" y=\"" << y + 13 << "\">"
       << llvm::format("%.1f", b.second) << " " << unit << "</text>\n";
  }
  os << "</svg>\n";
}

} // namespace

int64_t qcc::constantBytes(ModuleOp module) {
  int64_t bytes = 0;
  module.walk([&](arith::ConstantOp cst) {
    auto type = dyn_cast<RankedTensorType>(cst.getType());
    if (type && type.hasStaticShape() && !cst->use_empty() &&
        type.getElementType().isIntOrFloat())
      bytes += type.getNumElements() *
               std::max<int64_t>(
                   1, type.getElementType().getIntOrFloatBitWidth() / 8);
  });
  return bytes;
}

std::string qcc::writeQuantReport(ModuleOp floatModule, ModuleOp quantModule,
                                  StringRef entry, StringRef samplesPath,
                                  StringRef path) {
  // Layers as the quantization passes recorded them, in program order.
  struct Layer {
    QuantRecordAttr record;
    Value floatOut, quantOut;
    SqnrAccumulator sqnr;
  };
  SmallVector<Layer> layers;
  llvm::StringMap<size_t> byName;
  quantModule.walk([&](Operation *op) {
    if (auto rec = op->getAttrOfType<QuantRecordAttr>(
            QccDialect::QuantAttrHelper::getNameStr())) {
      if (!byName.count(rec.getLayer())) {
        byName[rec.getLayer()] = layers.size();
        layers.push_back({rec, Value(), Value(), {}});
      }
    }
  });
  quantModule.walk([&](Operation *op) {
    if (auto name = op->getAttrOfType<StringAttr>("qcc.layer_output"))
      if (auto it = byName.find(name.getValue()); it != byName.end())
        layers[it->second].quantOut = op->getResult(0);
  });
  floatModule.walk([&](Operation *op) {
    if (!isa<MatMulOp, GemmOp, ConvOp>(op))
      return;
    if (auto it = byName.find(onnxNodeName(op)); it != byName.end())
      layers[it->second].floatOut = op->getResult(0);
  });

  // Measure on the samples: both models with the layer outputs as probes.
  int64_t numSamples = 0;
  SmallVector<SqnrAccumulator> outputSqnr;
  SmallVector<std::string> outputNames;
  auto floatFunc = floatModule.lookupSymbol<func::FuncOp>(entry);
  if (!floatFunc)
    return "no entry function '" + entry.str() + "'";
  for (unsigned i = 0; i < floatFunc.getNumResults(); ++i) {
    auto name = floatFunc.getResultAttrOfType<StringAttr>(i, "qcc.name");
    outputNames.push_back(name ? name.getValue().str()
                               : "output_" + std::to_string(i));
  }
  if (!samplesPath.empty()) {
    SmallVector<Value> floatProbes, quantProbes;
    SmallVector<size_t> probed;
    for (auto [i, l] : llvm::enumerate(layers))
      if (l.floatOut && l.quantOut &&
          l.floatOut.getType() == l.quantOut.getType()) {
        floatProbes.push_back(l.floatOut);
        quantProbes.push_back(l.quantOut);
        probed.push_back(i);
      }
    std::string error;
    std::unique_ptr<SampleSet> samples =
        SampleSet::open(samplesPath, floatFunc, error);
    if (!samples)
      return error;
    auto fm = ProbedModel::compile(floatModule, entry, floatProbes, error);
    if (!fm)
      return error;
    auto qm = ProbedModel::compile(quantModule, entry, quantProbes, error);
    if (!qm)
      return error;
    numSamples = samples->size();
    outputSqnr.resize(fm->numResults());
    std::vector<std::vector<float>> fo, qo;
    for (int64_t s = 0; s < numSamples; ++s) {
      if (std::string err = fm->run(*samples, s, fo); !err.empty())
        return err;
      if (std::string err = qm->run(*samples, s, qo); !err.empty())
        return err;
      for (unsigned r = 0; r < fm->numResults(); ++r)
        outputSqnr[r].add(fo[r], qo[r]);
      for (auto [k, i] : llvm::enumerate(probed))
        layers[i].sqnr.add(fo[fm->numResults() + k], qo[qm->numResults() + k]);
    }
  }

  // JSON.
  int64_t floatBytes = constantBytes(floatModule);
  int64_t quantBytes = constantBytes(quantModule);
  llvm::json::Array layerArray;
  for (Layer &l : layers) {
    // The record's scalar fields (the per-channel weight scales and bias
    // correction are left out: the range is scale_min/scale_max).
    QuantRecordAttr r = l.record;
    llvm::json::Object o{
        {"layer", r.getLayer().str()},
        {"op", r.getOp().str()},
        {"scheme", stringifyQuantScheme(r.getScheme()).str()},
        {"bits", r.getBits()},
        {"granularity", stringifyQuantGranularity(r.getGranularity()).str()},
        {"group_size", r.getGroupSize()},
        {"symmetric", r.getSymmetric()},
        {"scale_min", (double)r.getScaleMin()},
        {"scale_max", (double)r.getScaleMax()},
        {"bytes_before", r.getBytesBefore()},
        {"bytes_after", r.getBytesAfter()}};
    if (std::optional<float> actScale = r.getActScale())
      o["act_scale"] = (double)*actScale;
    if (numSamples)
      o["sqnr_db"] = l.floatOut && l.quantOut ? dbValue(l.sqnr) : nullptr;
    layerArray.push_back(std::move(o));
  }
  llvm::json::Array outputs;
  for (auto [i, acc] : llvm::enumerate(outputSqnr))
    outputs.push_back(llvm::json::Object{{"name", outputNames[i]},
                                         {"sqnr_db", dbValue(acc)}});
  llvm::json::Object model{
      {"weight_bytes_float", floatBytes},
      {"weight_bytes_quantized", quantBytes},
      {"compression",
       quantBytes ? std::round(100.0 * floatBytes / quantBytes) / 100 : 0.0},
      {"samples", numSamples},
      {"outputs", std::move(outputs)}};
  llvm::json::Object report{{"model", std::move(model)},
                            {"layers", std::move(layerArray)}};

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return "cannot write '" + path.str() + "': " + ec.message();
  if (!path.ends_with(".html")) {
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
    return "";
  }

  // HTML: summary, SVG charts, the layer table, and the JSON itself.
  os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>qcc "
        "quantization report</title>\n<style>body{font-family:sans-serif;"
        "margin:2em}table{border-collapse:collapse}td,th{border:1px solid "
        "#ccc;padding:2px 6px;text-align:right}td:first-child{text-align:"
        "left}</style></head><body>\n<h1>qcc quantization report</h1>\n";
  os << "<p>Weights: " << floatBytes << " bytes (float) &rarr; " << quantBytes
     << " bytes (quantized), "
     << llvm::format("%.2f", quantBytes ? (double)floatBytes / quantBytes : 0.0)
     << "&times; smaller.";
  if (numSamples) {
    os << " Output SQNR on " << numSamples << " samples:";
    for (auto [i, acc] : llvm::enumerate(outputSqnr))
      os << " " << htmlEscape(outputNames[i]) << " "
         << llvm::format("%.2f", acc.db()) << " dB";
    os << ".";
  } else {
    os << " No samples were given (--calib), so no SQNR was measured.";
  }
  os << "</p>\n";
  SmallVector<std::pair<std::string, double>> sqnrBars, byteBars;
  SmallVector<std::string> sqnrColors, byteColors;
  for (Layer &l : layers) {
    std::string name = l.record.getLayer().str();
    int bits = l.record.getBits();
    std::string color = bits == 8   ? "#1b9e77"
                        : bits == 4 ? "#d95f02"
                                    : "#e7298a"; // 2 or 3 bits
    if (numSamples && l.floatOut && l.quantOut && std::isfinite(l.sqnr.db())) {
      sqnrBars.push_back({name, l.sqnr.db()});
      sqnrColors.push_back(color);
    }
    byteBars.push_back(
        {name + " (float)", (double)l.record.getBytesBefore() / 1024});
    byteColors.push_back("#7570b3");
    byteBars.push_back({name + " (int" + std::to_string(bits) + ")",
                        (double)l.record.getBytesAfter() / 1024});
    byteColors.push_back(color);
  }
  if (!sqnrBars.empty())
    writeBarChart(os,
                  "Layer output SQNR vs float (green int8, orange int4, "
                  "pink int3/int2)",
                  sqnrBars, sqnrColors, "dB");
  writeBarChart(os, "Weight bytes per layer", byteBars, byteColors, "KiB");
  os << "<table><tr><th>layer</th><th>op</th><th>scheme</th><th>bits</th>"
        "<th>granularity</th><th>scale min</th><th>scale max</th><th>bytes "
        "before</th><th>bytes after</th><th>SQNR (dB)</th></tr>\n";
  for (Layer &l : layers) {
    QuantRecordAttr r = l.record;
    std::string gran = stringifyQuantGranularity(r.getGranularity()).str();
    if (r.getGranularity() == QuantGranularity::PerGroup)
      gran += " (" + std::to_string((int)r.getGroupSize()) + ")";
    os << "<tr><td>" << htmlEscape(r.getLayer()) << "</td><td>" << r.getOp()
       << "</td><td>" << stringifyQuantScheme(r.getScheme()) << "</td><td>"
       << (int)r.getBits() << "</td><td>" << gran << "</td><td>"
       << llvm::format("%.3g", (double)r.getScaleMin()) << "</td><td>"
       << llvm::format("%.3g", (double)r.getScaleMax()) << "</td><td>"
       << r.getBytesBefore() << "</td><td>" << r.getBytesAfter() << "</td><td>";
    if (numSamples && l.floatOut && l.quantOut)
      os << llvm::format("%.2f", l.sqnr.db());
    else
      os << "&ndash;";
    os << "</td></tr>\n";
  }
  os << "</table>\n<script type=\"application/json\" id=\"report\">\n"
     << llvm::formatv("{0:2}", llvm::json::Value(std::move(report)))
     << "\n</script>\n</body></html>\n";
  return "";
}

namespace {
/// Applies the quantization pipeline to a copy and reports the copy
/// against the module, which stays float (the real quantization follows in
/// the enclosing pipeline; the passes are deterministic, so it equals the
/// copy).
struct QccQuantReportPass : qcc::impl::QccQuantReportBase<QccQuantReportPass> {
  using QccQuantReportBase::QccQuantReportBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (output.empty()) {
      module.emitError("qcc-quant-report needs output=FILE");
      return signalPassFailure();
    }
    OwningOpRef<ModuleOp> quantized = module.clone();
    // The textual pipeline names its anchor (builtin.module(...)).
    std::string parseErrors;
    llvm::raw_string_ostream errs(parseErrors);
    FailureOr<OpPassManager> parsed = parsePassPipeline(quantizePipeline, errs);
    if (failed(parsed)) {
      module.emitError("qcc-quant-report: invalid quantize-pipeline '")
          << quantizePipeline << "': " << parseErrors;
      return signalPassFailure();
    }
    auto pm = PassManager::on<ModuleOp>(module.getContext());
    static_cast<OpPassManager &>(pm) = std::move(*parsed);
    if (failed(pm.run(*quantized)))
      return signalPassFailure();
    std::string err =
        writeQuantReport(module, *quantized, entryName, data, output);
    if (!err.empty()) {
      module.emitError("--report: ") << err;
      return signalPassFailure();
    }
  }
};
} // namespace
