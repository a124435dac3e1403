//===- InitAllPasses.h - register every qcc pass and pipeline ---*- C++ -*-===//
//
// One call for tools that load qcc's passes (qcc-opt, the plugin, qcc).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_INITALLPASSES_H
#define QCC_INITALLPASSES_H

#include "qcc/Calibration/Passes.h"
#include "qcc/Codegen/Pipelines.h"
#include "qcc/Conversion/Passes.h"
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Transforms/Passes.h"

namespace mlir::qcc {

inline void registerAllPasses() {
  registerQccTransformsPasses();
  registerQccConversionPasses();
  registerQccCalibrationPasses();
  registerCodegenPipelines();
  registerQccPipelines();
}

} // namespace mlir::qcc

#endif // QCC_INITALLPASSES_H
