//===- ForallToThreadPool.cpp - qcc-forall-to-thread-pool -----------------===//
//
// scf.forall on buffers -> an outlined range function run by the model
// runtime's quk_parallel_for (lib/Runtime/ThreadPool.h), the values the body
// uses from above passed through a stack record.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFORALLTOTHREADPOOL
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// How a value used in the body travels through the record: its type
/// there, or null if it cannot (then the loop stays sequential).
Type recordType(Value v) {
  MLIRContext *ctx = v.getContext();
  Type t = v.getType();
  if (auto m = dyn_cast<MemRefType>(t)) {
    // The descriptor finalize-memref-to-llvm gives every ranked memref:
    // allocated and aligned pointers, offset, sizes and strides.
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    SmallVector<Type> fields = {ptr, ptr, i64};
    if (m.getRank() > 0) {
      auto arr = LLVM::LLVMArrayType::get(i64, m.getRank());
      fields.append({arr, arr});
    }
    return m.getMemorySpace() ? Type()
                              : LLVM::LLVMStructType::getLiteral(ctx, fields);
  }
  if (t.isIndex())
    return IntegerType::get(ctx, 64);
  return LLVM::isCompatibleType(t) ? t : Type();
}

/// Whether `op` (defined above the loop) is cheaper to clone into the body
/// than to pass: a constant.
bool isClonable(Operation *op) {
  return op && op->getNumResults() == 1 && op->getNumOperands() == 0 &&
         op->getNumRegions() == 0 && op->hasTrait<OpTrait::ConstantLike>();
}

/// The address of field `i` of the record `type` at `ptr`.
Value recordField(OpBuilder &b, Location loc, LLVM::LLVMStructType type,
                  Value ptr, unsigned i) {
  return LLVM::GEPOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), type, ptr,
      ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
}

func::FuncOp declare(ModuleOp module, SymbolTable &symbols, StringRef name,
                     FunctionType type) {
  if (auto f = symbols.lookup<func::FuncOp>(name))
    return f.getFunctionType() == type ? f : nullptr;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name, type);
  f.setPrivate();
  symbols.insert(f);
  return f;
}

struct QccForallToThreadPoolPass
    : qcc::impl::QccForallToThreadPoolBase<QccForallToThreadPoolPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp op) {
      if (op.getRank() == 1 && op->getNumResults() == 0 &&
          !op->getParentOfType<scf::ForallOp>())
        loops.push_back(op);
    });
    unsigned counter = 0;
    for (scf::ForallOp op : loops)
      outline(module, symbols, op, counter);
  }

  void outline(ModuleOp module, SymbolTable &symbols, scf::ForallOp op,
               unsigned &counter) {
    MLIRContext *ctx = module.getContext();
    Location loc = op.getLoc();
    SetVector<Value> above;
    getUsedValuesDefinedAbove(op.getRegion(), above);
    // The body function computes the iteration from the lower bound and
    // the step.
    for (OpFoldResult r : {op.getMixedLowerBound()[0], op.getMixedStep()[0]})
      if (auto v = dyn_cast<Value>(r))
        above.insert(v);
    SmallVector<Value> passed, cloned;
    SmallVector<Type> fields;
    for (Value v : above) {
      if (isClonable(v.getDefiningOp())) {
        cloned.push_back(v);
        continue;
      }
      Type t = recordType(v);
      if (!t)
        return;
      passed.push_back(v);
      fields.push_back(t);
    }
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
    auto bodyType = FunctionType::get(ctx, {ptrType, i64, i64}, {});
    func::FuncOp pfor =
        declare(module, symbols, "quk_parallel_for",
                FunctionType::get(ctx, {i64, i64, bodyType, ptrType}, {}));
    func::FuncOp nthreads = declare(module, symbols, "quk_num_threads",
                                    FunctionType::get(ctx, {}, {i32}));
    if (!pfor || !nthreads)
      return;
    // Keep the record non-empty so that its type is a valid struct.
    if (fields.empty())
      fields.push_back(i64);
    auto record = LLVM::LLVMStructType::getLiteral(ctx, fields);

    // The range function: iterations [begin, end) of the loop.
    std::string name;
    do
      name = ("__qcc_forall_" + Twine(counter++)).str();
    while (symbols.lookup(name));
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto body = func::FuncOp::create(mb, loc, name, bodyType);
    body.setPrivate();
    symbols.insert(body);
    Block *entry = body.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    Value recordPtr = entry->getArgument(0);
    for (auto [i, v] : llvm::enumerate(passed)) {
      Value field = recordField(b, loc, record, recordPtr, i);
      Value loaded = LLVM::LoadOp::create(b, loc, fields[i], field);
      Value restored;
      if (isa<MemRefType>(v.getType()))
        restored =
            UnrealizedConversionCastOp::create(b, loc, v.getType(), loaded)
                .getResult(0);
      else if (v.getType().isIndex())
        restored = arith::IndexCastOp::create(b, loc, v.getType(), loaded);
      else
        restored = loaded;
      map.map(v, restored);
    }
    for (Value v : cloned)
      map.map(v, b.clone(*v.getDefiningOp())->getResult(0));
    Type index = b.getIndexType();
    Value begin =
        arith::IndexCastOp::create(b, loc, index, entry->getArgument(1));
    Value end =
        arith::IndexCastOp::create(b, loc, index, entry->getArgument(2));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    // The bounds' values are passed (see `above`): their copies here.
    Value lb = map.lookupOrDefault(
        getValueOrCreateConstantIndexOp(b, loc, op.getMixedLowerBound()[0]));
    Value step = map.lookupOrDefault(
        getValueOrCreateConstantIndexOp(b, loc, op.getMixedStep()[0]));
    auto loop = scf::ForOp::create(b, loc, begin, end, one);
    {
      OpBuilder lbld = OpBuilder::atBlockBegin(loop.getBody());
      Value iv = arith::AddIOp::create(
          lbld, loc, lb,
          arith::MulIOp::create(lbld, loc, loop.getInductionVar(), step));
      map.map(op.getInductionVar(0), iv);
      for (Operation &inner : op.getBody()->without_terminator())
        lbld.clone(inner, map);
    }
    func::ReturnOp::create(b, loc);

    // The call: trip count, grain (a quarter of each thread's share, at
    // least 1), the range function and the record.
    b.setInsertionPoint(op);
    Value lbO =
        getValueOrCreateConstantIndexOp(b, loc, op.getMixedLowerBound()[0]);
    Value ubO =
        getValueOrCreateConstantIndexOp(b, loc, op.getMixedUpperBound()[0]);
    Value stepO = getValueOrCreateConstantIndexOp(b, loc, op.getMixedStep()[0]);
    Value trip = arith::CeilDivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, ubO, lbO), stepO);
    Value trip64 = arith::IndexCastOp::create(b, loc, i64, trip);
    Value threads = func::CallOp::create(b, loc, nthreads).getResult(0);
    Value share = arith::MulIOp::create(
        b, loc, arith::ExtSIOp::create(b, loc, i64, threads),
        arith::ConstantIntOp::create(b, loc, i64, 4));
    Value grain = arith::MaxSIOp::create(
        b, loc, arith::DivSIOp::create(b, loc, trip64, share),
        arith::ConstantIntOp::create(b, loc, i64, 1));
    Value count = arith::ConstantIntOp::create(b, loc, i64, 1);
    Value ctxPtr = LLVM::AllocaOp::create(b, loc, ptrType, record, count);
    for (auto [i, v] : llvm::enumerate(passed)) {
      Value field = recordField(b, loc, record, ctxPtr, i);
      Value stored = v;
      if (isa<MemRefType>(v.getType()))
        stored = UnrealizedConversionCastOp::create(b, loc, fields[i], v)
                     .getResult(0);
      else if (v.getType().isIndex())
        stored = arith::IndexCastOp::create(b, loc, i64, v);
      LLVM::StoreOp::create(b, loc, stored, field);
    }
    Value fn = func::ConstantOp::create(b, loc, bodyType, name);
    func::CallOp::create(b, loc, pfor, ValueRange{trip64, grain, fn, ctxPtr});
    op->erase();
  }
};

} // namespace
