/* Checks lib/Runtime/BufferCache.c, behind the generated code's
 * memref.alloc/dealloc: blocks are aligned and writable over their whole
 * size, a freed block is handed out again for a request of its size class
 * (and not for a larger one), over-aligned and small requests work, the
 * budget (QCC_BUFFER_CACHE_MB) bounds what is kept, and 4 threads
 * allocating, filling, checking and freeing at once never share a block. */
#include "qcc/Runtime/BufferCache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static void check(int ok, const char *what) {
  printf("%s: %s\n", what, ok ? "ok" : "FAIL");
  failures += !ok;
}

static void *worker(void *arg) {
  uintptr_t id = (uintptr_t)arg;
  int bad = 0;
  for (int i = 0; i < 2000; ++i) {
    size_t n = 4096 + (size_t)((i * 7919 + id * 104729) % 300000);
    unsigned char *p = _mlir_memref_to_llvm_alloc(n);
    if (!p || ((uintptr_t)p & 63)) {
      bad = 1;
      break;
    }
    memset(p, (int)(id * 31 + i) & 255, n);
    for (size_t j = 0; j < n; j += 997)
      bad |= p[j] != (unsigned char)((id * 31 + i) & 255);
    bad |= p[n - 1] != (unsigned char)((id * 31 + i) & 255);
    _mlir_memref_to_llvm_free(p);
  }
  return (void *)(uintptr_t)bad;
}

int main(void) {
  setenv("QCC_BUFFER_CACHE_MB", "8", 1);
  int aligned = 1;
  size_t sizes[] = {1, 63, 64, 4095, 4096, 4097, 100000, 1 << 20, 5000000};
  for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); ++i) {
    unsigned char *p = _mlir_memref_to_llvm_alloc(sizes[i]);
    aligned &= p != NULL && ((uintptr_t)p & 63) == 0;
    if (p) {
      memset(p, 0xab, sizes[i]);
      aligned &= p[sizes[i] - 1] == 0xab;
    }
    _mlir_memref_to_llvm_free(p);
  }
  check(aligned, "sizes 1..5e6: 64-byte aligned, writable");

  void *a = _mlir_memref_to_llvm_alloc(100000);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_alloc(99000); /* same class: 96K..112K */
  check(a == b, "a freed block is reused for its size class");
  void *c = _mlir_memref_to_llvm_alloc(200000);
  check(c != b, "a live block is not handed out twice");
  _mlir_memref_to_llvm_free(b);
  void *d = _mlir_memref_to_llvm_alloc(130000); /* a larger class */
  check(d != b, "a block is not reused for a larger class");
  _mlir_memref_to_llvm_free(c);
  _mlir_memref_to_llvm_free(d);

  unsigned char *o = _mlir_memref_to_llvm_aligned_alloc(4096, 10000);
  check(o && ((uintptr_t)o & 4095) == 0, "aligned_alloc(4096)");
  if (o)
    memset(o, 1, 10000);
  _mlir_memref_to_llvm_free(o);
  check(_mlir_memref_to_llvm_aligned_alloc(48, 100) == NULL,
        "aligned_alloc refuses a non-power-of-two alignment");
  _mlir_memref_to_llvm_free(NULL);

  /* Budget 8 MiB: of two freed 6 MB blocks only the first is kept. */
  qcc_buffer_cache_trim();
  void *x = _mlir_memref_to_llvm_alloc(6000000);
  void *y = _mlir_memref_to_llvm_alloc(6000000);
  _mlir_memref_to_llvm_free(x);
  _mlir_memref_to_llvm_free(y);
  void *x2 = _mlir_memref_to_llvm_alloc(6000000);
  void *y2 = _mlir_memref_to_llvm_alloc(6000000);
  check(x2 == x && y2 != x, "QCC_BUFFER_CACHE_MB=8 keeps one 6 MB block");
  _mlir_memref_to_llvm_free(x2);
  _mlir_memref_to_llvm_free(y2);

  pthread_t t[4];
  for (uintptr_t i = 0; i < 4; ++i)
    pthread_create(&t[i], NULL, worker, (void *)i);
  int bad = 0;
  for (int i = 0; i < 4; ++i) {
    void *r;
    pthread_join(t[i], &r);
    bad |= r != NULL;
  }
  check(!bad, "4 threads x 2000 alloc/fill/check/free");
  qcc_buffer_cache_trim();
  printf("buffer cache: %s\n", failures ? "FAIL" : "ok");
  return failures != 0;
}
