/*===- BufferCache.h - heap buffers of the generated code ------*- C -*-===*\
 *
 * Internal to qcc. The LLVM lowering (finalize-memref-to-llvm with
 * use-generic-functions) turns every memref.alloc / memref.dealloc the
 * bufferized model still has into calls of these three functions instead
 * of malloc/free. lib/Runtime/BufferCache.c implements them with a cache of
 * freed blocks, so that a model run reuses the pages of the previous run
 * instead of getting fresh zero pages from the kernel (page faults) and
 * returning them on free (brk/munmap). Linked into every model .so from
 * libqcc_model_rt.a (hidden), and into the calibration passes' in-process
 * JIT through the ExecutionEngine's symbol map.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_BUFFERCACHE_H
#define QCC_RUNTIME_BUFFERCACHE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A block of at least `size` bytes aligned to 64 (NULL when out of
 * memory, as malloc). */
__attribute__((visibility("hidden"))) void *
_mlir_memref_to_llvm_alloc(uint64_t size);
/* A block of at least `size` bytes aligned to `alignment` (a power of
 * two; NULL when out of memory or for another alignment). */
__attribute__((visibility("hidden"))) void *
_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size);
/* Returns a block of the two above (or NULL) to the cache, or to the C
 * heap when the cache is full. */
__attribute__((visibility("hidden"))) void _mlir_memref_to_llvm_free(void *ptr);

/* Releases every cached block to the C heap (tests; also run when the
 * library is unloaded). */
__attribute__((visibility("hidden"))) void qcc_buffer_cache_trim(void);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_BUFFERCACHE_H */
