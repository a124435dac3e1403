/* memrefCopy (lib/Runtime/MemrefCopy.c, what model .so files and the
 * calibration JIT call for memref.copy) against an index-by-index
 * reference: rank 0, empty, contiguous, transposed, strided source or
 * destination with an offset, negative strides, 2-byte and 8-byte
 * elements, and rank 40. Prints one line per case and "memrefCopy: ok"
 * when all agree. */
#include "qcc/Runtime/MemrefCopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANK 40

/* A ranked descriptor with room for MAX_RANK dimensions; its prefix is
 * MLIR's layout for any smaller rank. */
typedef struct {
  void *allocated, *aligned;
  int64_t offset;
  int64_t dims[2 * MAX_RANK];
} Desc;

static void setDesc(Desc *d, char *base, int64_t rank, int64_t offset,
                    const int64_t *sizes, const int64_t *strides) {
  d->allocated = d->aligned = base;
  d->offset = offset;
  for (int64_t i = 0; i < rank; ++i) {
    d->dims[i] = sizes[i];
    d->dims[rank + i] = strides[i];
  }
}

static int failures = 0;

static void check(const char *name, int64_t elemSize, int64_t rank,
                  const int64_t *sizes, int64_t srcOffset,
                  const int64_t *srcStrides, int64_t dstOffset,
                  const int64_t *dstStrides, size_t bufElems) {
  char *src = malloc(bufElems * elemSize), *dst = malloc(bufElems * elemSize),
       *ref = malloc(bufElems * elemSize);
  for (size_t i = 0; i < bufElems * elemSize; ++i)
    src[i] = (char)(i * 7 + 3);
  memset(dst, 0x55, bufElems * elemSize);
  memset(ref, 0x55, bufElems * elemSize);
  int64_t total = 1;
  for (int64_t d = 0; d < rank; ++d)
    total *= sizes[d];
  int64_t index[MAX_RANK] = {0};
  for (int64_t n = 0; n < total; ++n) {
    int64_t so = srcOffset, dof = dstOffset;
    for (int64_t d = 0; d < rank; ++d) {
      so += index[d] * srcStrides[d];
      dof += index[d] * dstStrides[d];
    }
    memcpy(ref + dof * elemSize, src + so * elemSize, elemSize);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  Desc sd, dd;
  setDesc(&sd, src, rank, srcOffset, sizes, srcStrides);
  setDesc(&dd, dst, rank, dstOffset, sizes, dstStrides);
  qcc_unranked_memref us = {rank, &sd}, ud = {rank, &dd};
  memrefCopy(elemSize, &us, &ud);
  int ok = memcmp(dst, ref, bufElems * elemSize) == 0;
  printf("%s: %s\n", name, ok ? "ok" : "FAIL");
  failures += !ok;
  free(src);
  free(dst);
  free(ref);
}

int main(void) {
  check("rank 0", 4, 0, NULL, 3, NULL, 5, NULL, 8);
  {
    int64_t sizes[] = {3, 0, 4}, st[] = {0, 4, 1};
    check("empty", 4, 3, sizes, 0, st, 0, st, 16);
  }
  {
    int64_t sizes[] = {2, 3, 4}, st[] = {12, 4, 1};
    check("contiguous", 4, 3, sizes, 0, st, 0, st, 24);
  }
  {
    int64_t sizes[] = {3, 5}, ss[] = {1, 3}, ds[] = {5, 1};
    check("transposed", 4, 2, sizes, 0, ss, 0, ds, 15);
  }
  {
    /* A [2, 3, 4] window at offset 7 of a [4, 5, 6] buffer into the
     * middle of a [3, 4, 8] buffer: contiguous rows, strided outside. */
    int64_t sizes[] = {2, 3, 4}, ss[] = {30, 6, 1}, ds[] = {32, 8, 1};
    check("strided rows", 8, 3, sizes, 7, ss, 9, ds, 120);
  }
  {
    int64_t sizes[] = {4, 6}, ss[] = {12, 2}, ds[] = {6, 1};
    check("strided columns", 2, 2, sizes, 1, ss, 0, ds, 48);
  }
  {
    int64_t sizes[] = {4, 6}, ss[] = {6, 1}, ds[] = {12, 2};
    check("strided destination", 4, 2, sizes, 0, ss, 1, ds, 48);
  }
  {
    int64_t sizes[] = {3, 4}, ss[] = {-4, -1}, ds[] = {4, 1};
    check("negative strides", 4, 2, sizes, 11, ss, 0, ds, 12);
  }
  {
    int64_t sizes[MAX_RANK], ss[MAX_RANK], ds[MAX_RANK];
    for (int d = 0; d < MAX_RANK; ++d)
      sizes[d] = d % 13 == 0 ? 2 : 1;
    /* Source row-major, destination with the two largest strides
     * swapped. */
    int64_t stride = 1;
    for (int d = MAX_RANK - 1; d >= 0; --d) {
      ss[d] = ds[d] = stride;
      stride *= sizes[d];
    }
    ds[0] = ss[13];
    ds[13] = ss[0];
    check("rank 40", 4, MAX_RANK, sizes, 0, ss, 0, ds, (size_t)stride);
  }
  printf("memrefCopy: %s\n", failures ? "FAIL" : "ok");
  return failures != 0;
}
