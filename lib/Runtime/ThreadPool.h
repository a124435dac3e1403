/*===- ThreadPool.h - the model runtime's thread pool ---------------------===*\
 *
 * One pool per loaded model library (the runtime is linked statically into
 * each .so, its symbols local). Used by the microkernels (lib/Runtime/ukernel)
 * to split their work; the public knobs are qcc_set_num_threads /
 * qcc_num_threads (qcc_runtime.h) and the QCC_NUM_THREADS environment
 * variable.
 *
 * quk_parallel_for(n, grain, fn, ctx) calls fn(ctx, begin, end) on disjoint
 * ranges covering [0, n), each at most `grain` long, on the calling thread
 * and the pool's workers, and returns when all have finished. When the pool
 * is busy (another thread's qcc_run is using it, or the call is nested in a
 * task) the caller runs every range itself: correct, and never a deadlock.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_THREADPOOL_H
#define QCC_RUNTIME_THREADPOOL_H

#include <stdint.h>

typedef void (*quk_task_fn)(void *ctx, int64_t begin, int64_t end);

void quk_parallel_for(int64_t n, int64_t grain, quk_task_fn fn, void *ctx);

/* The number of threads a parallel_for uses (the caller included). */
int32_t quk_num_threads(void);

#endif /* QCC_RUNTIME_THREADPOOL_H */
