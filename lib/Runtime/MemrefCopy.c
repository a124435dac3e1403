/*===- MemrefCopy.c - strided N-d copy for memref.copy --------------------===*\
 *
 * The one memrefCopy of qcc (see qcc/Runtime/MemrefCopy.h): linked into
 * every model .so from libqcc_model_rt.a, and into the in-process JIT of
 * the calibration passes through the ExecutionEngine's symbol map. libc
 * only; no rank limit.
 *
\*===----------------------------------------------------------------------===*/

#include "qcc/Runtime/MemrefCopy.h"

#include <string.h>

/* Copies dimensions [dim, outer) element by element (by index) and the
 * innermost `run` elements, contiguous on both sides, with one memcpy. */
static void copyDims(int64_t elemSize, int64_t dim, int64_t outer, int64_t run,
                     const int64_t *sizes, const int64_t *srcStrides,
                     const int64_t *dstStrides, const char *src, char *dst) {
  if (dim == outer) {
    memcpy(dst, src, (size_t)(elemSize * run));
    return;
  }
  for (int64_t i = 0; i < sizes[dim]; ++i)
    copyDims(elemSize, dim + 1, outer, run, sizes, srcStrides, dstStrides,
             src + i * srcStrides[dim] * elemSize,
             dst + i * dstStrides[dim] * elemSize);
}

void memrefCopy(int64_t elemSize, qcc_unranked_memref *src,
                qcc_unranked_memref *dst) {
  int64_t rank = src->rank;
  /* Descriptor layout: allocated, aligned, offset, sizes[rank],
   * strides[rank]. */
  char **sdesc = (char **)src->descriptor, **ddesc = (char **)dst->descriptor;
  const int64_t *smeta = (const int64_t *)(sdesc + 2);
  const int64_t *dmeta = (const int64_t *)(ddesc + 2);
  const int64_t *sizes = smeta + 1;
  const int64_t *sstrides = smeta + 1 + rank, *dstrides = dmeta + 1 + rank;
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  /* Innermost runs that are contiguous on both sides move with one memcpy. */
  int64_t run = 1, outer = rank;
  if (rank > 0 && sstrides[rank - 1] == 1 && dstrides[rank - 1] == 1) {
    run = sizes[rank - 1];
    outer = rank - 1;
  }
  copyDims(elemSize, 0, outer, run, sizes, sstrides, dstrides,
           sdesc[1] + smeta[0] * elemSize, ddesc[1] + dmeta[0] * elemSize);
}
