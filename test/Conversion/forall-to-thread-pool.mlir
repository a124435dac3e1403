// RUN: qcc-opt %s --qcc-forall-to-thread-pool --split-input-file | FileCheck %s
// qcc-forall-to-thread-pool: a 1-D scf.forall on buffers becomes a call of
// the runtime's quk_parallel_for with an outlined range function and a
// stack record of the values the body uses from above (memref descriptors
// as their LLVM structs, indices as i64; constants cloned into the body).

// CHECK-LABEL: func.func @rows
// CHECK-SAME: (%[[A:.*]]: memref<8x16xf32>, %[[S:.*]]: index)
// CHECK-NOT: scf.forall
// CHECK: %[[T:.*]] = call @quk_num_threads() : () -> i32
// CHECK: %[[REC:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, i64)>
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[REC]][0, 0]
// CHECK: %[[D:.*]] = builtin.unrealized_conversion_cast %[[A]] : memref<8x16xf32> to !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.store %[[D]], %[[F0]]
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[REC]][0, 1]
// CHECK: %[[S64:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK: llvm.store %[[S64]], %[[F1]]
// CHECK: %[[FN:.*]] = constant @__qcc_forall_0 : (!llvm.ptr, i64, i64) -> ()
// CHECK: call @quk_parallel_for(%{{.*}}, %{{.*}}, %[[FN]], %[[REC]]) : (i64, i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr) -> ()
// CHECK: return
// CHECK: func.func private @quk_parallel_for(i64, i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr)
// CHECK: func.func private @quk_num_threads() -> i32
// CHECK: func.func private @__qcc_forall_0(%[[CTX:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[L0:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: %[[M:.*]] = builtin.unrealized_conversion_cast %[[L0]] : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<8x16xf32>
// CHECK: %[[L1:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: %[[SI:.*]] = arith.index_cast %[[L1]] : i64 to index
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[BI:.*]] = arith.index_cast %[[B]] : i64 to index
// CHECK: %[[EI:.*]] = arith.index_cast %[[E]] : i64 to index
// CHECK: scf.for %[[I:.*]] = %[[BI]] to %[[EI]] step %{{.*}} {
// CHECK: %[[IV:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: memref.subview %[[M]][%[[IV]], 0] [2, 16] [1, 1]
// CHECK: linalg.fill ins(%[[ZERO]] : f32)
// CHECK: memref.store %[[ZERO]], %[[M]][%[[IV]], %[[SI]]]
func.func @rows(%a: memref<8x16xf32>, %s: index) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) = (0) to (8) step (2) {
    %v = memref.subview %a[%i, 0] [2, 16] [1, 1] : memref<8x16xf32> to memref<2x16xf32, strided<[16, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%v : memref<2x16xf32, strided<[16, 1], offset: ?>>)
    memref.store %zero, %a[%i, %s] : memref<8x16xf32>
  }
  return
}

// -----

// Only the outermost of nested loops runs on the pool: the inner one is
// cloned into its range function as it is.
// CHECK-LABEL: func.func @nested
// CHECK-NOT: scf.forall
// CHECK: call @quk_parallel_for
// CHECK: func.func private @__qcc_forall_0
// CHECK: scf.for
// CHECK: scf.forall
// CHECK-NOT: func.func private @__qcc_forall_1
func.func @nested(%a: memref<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) in (8) {
    scf.forall (%j) in (16) {
      memref.store %zero, %a[%i, %j] : memref<8x16xf32>
    }
  }
  return
}

// -----

// A loop whose body uses a value of a type the record cannot hold (a 2-D
// vector) stays as it is.
// CHECK-LABEL: func.func @kept
// CHECK: scf.forall
// CHECK-NOT: quk_parallel_for
func.func @kept(%a: memref<8x2x4xf32>, %v: vector<2x4xf32>) {
  scf.forall (%i) in (8) {
    %c0 = arith.constant 0 : index
    vector.transfer_write %v, %a[%i, %c0, %c0] {in_bounds = [true, true]} : vector<2x4xf32>, memref<8x2x4xf32>
  }
  return
}
