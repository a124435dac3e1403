//===- Passes.td - qcc conversion passes -------------------*- tablegen -*-===//

#ifndef QCC_CONVERSION_PASSES
#define QCC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertQccToLinalg : Pass<"convert-qcc-to-linalg", "ModuleOp"> {
  let summary = "Lower qcc tensor ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every qcc operation into upstream dialects on tensors:
    elementwise and broadcasting ops become `linalg.generic`; contractions
    `linalg.matmul` / `linalg.batch_matmul` / `linalg.contract` where the
    named op's `cast` extends both operands as the op does, else (mixed
    signedness, size-1 batch broadcasting, Gemm's alpha, zero points)
    contraction generics; ungrouped convolutions an im2col gather and a
    `linalg.batch_matmul` (or contraction generic), 2-D grouped ones
    `linalg.conv_2d_ngchw_gfchw`, the others windowed generics; pooling
    `linalg.pooling_nchw_max` / `_sum` (`ncw` in 1-D) or windowed generics;
    data movement `tensor` ops.
    Unsigned integer element types (ui8, ...) are converted to signless
    storage, with the signedness taken from the qcc types when choosing
    arith ops. Function signatures are converted the same way.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect",
    "::mlir::func::FuncDialect", "::mlir::scf::SCFDialect"
  ];
}

def QccLowerToUkernels : Pass<"qcc-lower-to-ukernels", "ModuleOp"> {
  let summary = "Replace linalg.mmt4d on buffers by calls to the runtime's microkernels";
  let description = [{
    After bufferization: every `linalg.mmt4d` on memrefs whose element types
    and tile have a microkernel the module's target can run
    (include/qcc/Target/Ukernels.def, implemented in lib/Runtime/ukernel)
    becomes `func.call @<kernel>(lhs, rhs, out)` on memrefs cast to fully
    dynamic strided layouts; the private declaration carries
    `llvm.emit_c_interface`, so the call reaches the runtime's
    `_mlir_ciface_<kernel>(lhs*, rhs*, out*)` with memref descriptors. The
    kernels run on the model runtime's thread pool. An mmt4d without a
    kernel stays, and lowers to loops.

    Likewise every `linalg.generic` on memrefs tagged `qcc.ukernel =
    "<entry point>"` (qcc-weight-only-data-tiling) becomes the call of that
    int4 weight-only kernel (`_mlir_ciface_<entry>(A*, B*, S*, [Z*,] C*)`)
    if the target can run it and the operands have the kernel's ranks,
    element types and panel width; otherwise the generic stays and lowers
    to loops, which compute the same.
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect"
  ];
}

def QccForallToThreadPool
    : Pass<"qcc-forall-to-thread-pool", "ModuleOp"> {
  let summary = "Run scf.forall loops on buffers on the model runtime's thread pool";
  let description = [{
    After bufferization (before scf is lowered to control flow): every
    one-dimensional `scf.forall` on memrefs (no results) that is not inside
    another one is outlined into a private function
    `@__qcc_forall_<n>(!llvm.ptr ctx, i64 begin, i64 end)` that runs
    iterations [begin, end) of it, and replaced by
      func.call @quk_parallel_for(trip count, grain, @__qcc_forall_<n>, ctx)
    where ctx is a stack record (`llvm.alloca`) of the values the body uses
    from above: memref descriptors (through `builtin.unrealized_conversion_cast`
    to their LLVM struct, which reconcile-unrealized-casts folds once the
    memrefs are lowered), indices as i64, and other LLVM-compatible
    scalars and vectors; constants are cloned into the body instead.
    `quk_parallel_for` (lib/Runtime/ThreadPool.h) splits the trip count into
    ranges of at most `grain` iterations (the trip count over four per
    thread, at least one) on the caller and the pool's workers, and runs
    all of it on the caller when the pool is busy or has one thread, so the
    result does not depend on the thread count. A loop whose body uses
    a value of another type stays as it is (scf lowers it sequentially).
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect"
  ];
}

def QccEmitAbiGlue : Pass<"qcc-emit-abi-glue", "ModuleOp"> {
  let summary = "Emit the model signature data and the packed entry point";
  let description = [{
    Runs on the LLVM dialect, after the entry function was lowered with
    `llvm.emit_c_interface`. Reads the `qcc.signature` module attribute
    (written by `--qcc-export-signature`) and emits the
    `__qcc_model_meta` constant and the `__qcc_model_invoke(void **)`
    function described in include/qcc/Runtime/ModelGlue.h.
  }];
  let options = [
    Option<"entryName", "entry", "std::string", "\"main\"",
           "Name of the model's entry function">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // QCC_CONVERSION_PASSES
