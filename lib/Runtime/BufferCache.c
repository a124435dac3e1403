/*===- BufferCache.c - cached heap buffers for the generated code ---------===*\
 *
 * See qcc/Runtime/BufferCache.h. Blocks of more than 4 KiB are rounded up
 * to one of four sizes per power of two (at most 25% slack) and, when
 * freed, kept on a free list of their size class, up to a process-wide
 * budget (QCC_BUFFER_CACHE_MB, default 1024; 0 turns the cache off). One
 * mutex guards the lists: a model run allocates a few dozen blocks, so
 * several threads calling qcc_run at once do not contend on it. Every block
 * carries a 64-byte header before the pointer handed out: the pointer
 * posix_memalign returned and the size class (-1: not cacheable).
 *
\*===----------------------------------------------------------------------===*/

#include "qcc/Runtime/BufferCache.h"

#include <pthread.h>
#include <stdlib.h>

enum { kHeader = 64, kSmall = 4096, kClasses = 4 * 65 };

typedef struct BlockHeader {
  void *raw;                /* what posix_memalign returned */
  int64_t sizeClass;        /* index into freeLists, or -1 */
  struct BlockHeader *next; /* free-list link while cached */
  uint64_t bytes;           /* usable bytes after the header */
} BlockHeader;

static pthread_mutex_t cacheLock = PTHREAD_MUTEX_INITIALIZER;
static BlockHeader *freeLists[kClasses];
static uint64_t cachedBytes;
static uint64_t budgetBytes; /* read from the environment once */
static pthread_once_t budgetOnce = PTHREAD_ONCE_INIT;

static void readBudget(void) {
  const char *env = getenv("QCC_BUFFER_CACHE_MB");
  long long mb = 1024;
  if (env && *env) {
    char *end;
    long long v = strtoll(env, &end, 10);
    if (*end == 0 && v >= 0)
      mb = v;
  }
  budgetBytes = (uint64_t)mb << 20;
}

static uint64_t budget(void) {
  pthread_once(&budgetOnce, readBudget);
  return budgetBytes;
}

/* The size class of `size` and the bytes a block of it holds: for
 * 2^(e-1) < size <= 2^e, a multiple of 2^(e-3), so class = 4e + 0..3. */
static int64_t sizeClass(uint64_t size, uint64_t *rounded) {
  if (size <= kSmall) {
    *rounded = size ? size : 1;
    return -1;
  }
  int e = 64 - __builtin_clzll(size - 1);
  uint64_t step = (uint64_t)1 << (e - 3);
  uint64_t r = (size + step - 1) & ~(step - 1);
  *rounded = r;
  return 4 * (int64_t)e + (int64_t)(r / step) - 5;
}

static void *allocate(uint64_t alignment, uint64_t size) {
  uint64_t rounded;
  int64_t c = sizeClass(size, &rounded);
  if (alignment <= kHeader && c >= 0) {
    pthread_mutex_lock(&cacheLock);
    BlockHeader *h = freeLists[c];
    if (h) {
      freeLists[c] = h->next;
      cachedBytes -= h->bytes;
    }
    pthread_mutex_unlock(&cacheLock);
    if (h)
      return (char *)h + kHeader;
  }
  /* The header sits in the `pad` bytes before the pointer handed out. */
  uint64_t pad = alignment > kHeader ? alignment : kHeader;
  if (rounded > UINT64_MAX - pad)
    return NULL;
  void *raw;
  if (posix_memalign(&raw, pad, pad + rounded) != 0)
    return NULL;
  char *user = (char *)raw + pad;
  BlockHeader *h = (BlockHeader *)(user - kHeader);
  h->raw = raw;
  h->sizeClass = alignment <= kHeader ? c : -1;
  h->next = NULL;
  h->bytes = rounded;
  return user;
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return allocate(kHeader, size);
}

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    return NULL;
  return allocate(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  BlockHeader *h = (BlockHeader *)((char *)ptr - kHeader);
  if (h->sizeClass >= 0) {
    uint64_t limit = budget();
    pthread_mutex_lock(&cacheLock);
    int keep = cachedBytes + h->bytes <= limit;
    if (keep) {
      h->next = freeLists[h->sizeClass];
      freeLists[h->sizeClass] = h;
      cachedBytes += h->bytes;
    }
    pthread_mutex_unlock(&cacheLock);
    if (keep)
      return;
  }
  free(h->raw);
}

void qcc_buffer_cache_trim(void) {
  pthread_mutex_lock(&cacheLock);
  for (int c = 0; c < kClasses; ++c) {
    BlockHeader *h = freeLists[c];
    freeLists[c] = NULL;
    while (h) {
      BlockHeader *next = h->next;
      free(h->raw);
      h = next;
    }
  }
  cachedBytes = 0;
  pthread_mutex_unlock(&cacheLock);
}

/* dlclose of a model .so (and exit) gives the cached blocks back. */
__attribute__((destructor)) static void releaseCache(void) {
  qcc_buffer_cache_trim();
}
