//===- QccPlugin.cpp - qcc dialect and passes as an mlir-opt plugin -------===//
//
//   mlir-opt-22 --load-dialect-plugin=lib/QccPlugin.so \
//               --load-pass-plugin=lib/QccPlugin.so --convert-qcc-to-linalg
//
// Both entry points live in one shared library linked against the same
// libMLIR.so as mlir-opt-22, so registries are shared.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/QccDialect.h"
#include "qcc/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QccDialect", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            qcc::registerQccDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "QccPasses", LLVM_VERSION_STRING,
          []() { qcc::registerAllQccPasses(); }};
}
