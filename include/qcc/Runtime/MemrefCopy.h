/*===- MemrefCopy.h - the memref.copy runtime function ---------*- C -*-===*\
 *
 * Internal to qcc. MLIR lowers memref.copy between buffers that are not
 * both contiguous to a call of memrefCopy(elemSize, src, dst) on unranked
 * descriptors, normally found in libmlir_c_runner_utils. Neither a model
 * .so nor qcc may depend on that library, so lib/Runtime/MemrefCopy.c
 * provides it: in libqcc_model_rt.a for every model .so, and in
 * QccCalibration, whose in-process JIT binds the symbol to it.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_MEMREFCOPY_H
#define QCC_RUNTIME_MEMREFCOPY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An MLIR unranked memref: the rank and a pointer to the ranked
 * descriptor {allocated, aligned, offset, sizes[rank], strides[rank]}. */
typedef struct qcc_unranked_memref {
  int64_t rank;
  void *descriptor;
} qcc_unranked_memref;

/* Copies every element of `src` to the same index of `dst` (same rank and
 * sizes, any strides), elemSize bytes each. Hidden: a model .so does not
 * export it. */
__attribute__((visibility("hidden"))) void memrefCopy(int64_t elemSize,
                                                      qcc_unranked_memref *src,
                                                      qcc_unranked_memref *dst);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_MEMREFCOPY_H */
