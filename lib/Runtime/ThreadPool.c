/*===- ThreadPool.c - the model runtime's thread pool ---------------------===*\
 *
 * Workers are plain pthreads owned by this library (no OpenMP runtime, so a
 * model is safe inside processes that run their own: PyTorch's libgomp,
 * another model's pool). They start on the first parallel call, spin for a
 * short while after each job (consecutive layers reuse them without a
 * futex wake-up), then sleep on a condition variable. A job is published
 * as a new generation in one atomic state word (generation, open flag,
 * workers inside); a worker joins it with a compare-and-swap only while it
 * is open, then claims chunks from an atomic counter alongside the caller.
 * When every chunk is claimed the caller closes the job and waits only for
 * the workers inside it, so a descheduled worker never delays a call and a
 * job's fields are never rewritten while a worker may read them.
 *
 * Thread count: qcc_set_num_threads(n) if called with n > 0, else
 * $QCC_NUM_THREADS, else the CPUs this process may run on
 * (sched_getaffinity). Changing it stops the workers; the next job starts
 * the new number. A child of fork() starts with no workers. The library's
 * destructor stops and joins them, so dlclose() is safe.
 *
\*===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "ThreadPool.h"

#include "qcc/Runtime/qcc_runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define QCC_EXPORT __attribute__((visibility("default")))
#define MAX_THREADS 256

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* Iterations a worker polls for the next job before it sleeps (a few
 * hundred microseconds). */
#define SPIN_ITERATIONS 20000

/* The pool's state word: generation << 33 | OPEN | workers in the job. */
#define OPEN ((uint64_t)1 << 32)
#define ACTIVE_MASK (OPEN - 1)
#define GEN(s) ((s) >> 33)

typedef struct Pool {
  pthread_mutex_t jobLock; /* held by the thread whose job is running */
  pthread_mutex_t mu;      /* pairs with `wake` */
  pthread_cond_t wake;
  pthread_t workers[MAX_THREADS];
  int numWorkers;
  _Atomic uint64_t state;
  _Atomic int stopping;
  /* The current job: written by the caller before it opens the job, read
   * by workers only between joining and leaving it. */
  quk_task_fn fn;
  void *ctx;
  int64_t n, grain;
  _Atomic int64_t next;
} Pool;

static Pool pool = {.jobLock = PTHREAD_MUTEX_INITIALIZER,
                    .mu = PTHREAD_MUTEX_INITIALIZER,
                    .wake = PTHREAD_COND_INITIALIZER};
static _Atomic int32_t requestedThreads; /* qcc_set_num_threads; 0 = unset */
static int32_t defaultThreads;           /* env / affinity, computed once */
static pthread_once_t defaultOnce = PTHREAD_ONCE_INIT;

static void computeDefaultThreads(void) {
  int32_t n = 0;
  const char *env = getenv("QCC_NUM_THREADS");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (*end == '\0' && v > 0)
      n = v > MAX_THREADS ? MAX_THREADS : (int32_t)v;
  }
  if (n == 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
      n = CPU_COUNT(&set);
  }
  defaultThreads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
}

int32_t quk_num_threads(void) {
  int32_t r = atomic_load(&requestedThreads);
  if (r > 0)
    return r;
  pthread_once(&defaultOnce, computeDefaultThreads);
  return defaultThreads;
}

static void runChunks(void) {
  for (;;) {
    int64_t begin = atomic_fetch_add(&pool.next, pool.grain);
    if (begin >= pool.n)
      return;
    int64_t end = begin + pool.grain < pool.n ? begin + pool.grain : pool.n;
    pool.fn(pool.ctx, begin, end);
  }
}

static int idle(uint64_t seenGen) {
  return GEN(atomic_load_explicit(&pool.state, memory_order_acquire)) ==
             seenGen &&
         !atomic_load(&pool.stopping);
}

static void *workerMain(void *arg) {
  /* The generation current when the worker was created: the first job it
   * may join is the next one. */
  uint64_t seenGen = (uint64_t)(uintptr_t)arg;
  for (;;) {
    for (int i = 0; i < SPIN_ITERATIONS && idle(seenGen); ++i)
      CPU_RELAX();
    if (idle(seenGen)) {
      pthread_mutex_lock(&pool.mu);
      while (idle(seenGen))
        pthread_cond_wait(&pool.wake, &pool.mu);
      pthread_mutex_unlock(&pool.mu);
    }
    if (atomic_load(&pool.stopping))
      return NULL;
    /* Join the job if it is still open: a worker that wakes late (the
     * machine is oversubscribed) finds it closed and the caller did not
     * wait for it. */
    uint64_t s = atomic_load(&pool.state);
    seenGen = GEN(s);
    while (GEN(s) == seenGen && (s & OPEN)) {
      if (atomic_compare_exchange_weak(&pool.state, &s, s + 1)) {
        runChunks();
        atomic_fetch_sub_explicit(&pool.state, 1, memory_order_release);
        break;
      }
    }
  }
}

/* Runs a job on the caller and whichever workers join it. jobLock held. */
static void publish(quk_task_fn fn, void *ctx, int64_t n, int64_t grain) {
  pool.fn = fn;
  pool.ctx = ctx;
  pool.n = n;
  pool.grain = grain;
  atomic_store(&pool.next, 0);
  pthread_mutex_lock(&pool.mu);
  uint64_t gen = GEN(atomic_load(&pool.state)) + 1;
  atomic_store_explicit(&pool.state, (gen << 33) | OPEN, memory_order_release);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  runChunks();
  /* Every chunk is claimed: close the job to late workers, wait for those
   * inside it. */
  atomic_fetch_and(&pool.state, ~OPEN);
  while (atomic_load_explicit(&pool.state, memory_order_acquire) & ACTIVE_MASK)
    CPU_RELAX();
}

/* Stops and joins the workers. jobLock held. */
static void stopWorkers(void) {
  if (pool.numWorkers == 0)
    return;
  pthread_mutex_lock(&pool.mu);
  atomic_store(&pool.stopping, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 0; i < pool.numWorkers; ++i)
    pthread_join(pool.workers[i], NULL);
  pool.numWorkers = 0;
  atomic_store(&pool.stopping, 0);
}

/* Starts workers so that the pool has `threads` - 1. jobLock held. */
static void startWorkers(int32_t threads) {
  if (pool.numWorkers == threads - 1)
    return;
  stopWorkers();
  void *gen = (void *)(uintptr_t)GEN(atomic_load(&pool.state));
  for (int i = 0; i < threads - 1; ++i) {
    if (pthread_create(&pool.workers[pool.numWorkers], NULL, workerMain, gen) !=
        0)
      break; /* run with the workers we got */
    ++pool.numWorkers;
  }
}

void quk_parallel_for(int64_t n, int64_t grain, quk_task_fn fn, void *ctx) {
  if (n <= 0)
    return;
  if (grain < 1)
    grain = 1;
  int32_t threads = quk_num_threads();
  if (threads <= 1 || n <= grain || pthread_mutex_trylock(&pool.jobLock) != 0) {
    fn(ctx, 0, n);
    return;
  }
  startWorkers(threads);
  if (pool.numWorkers == 0)
    fn(ctx, 0, n);
  else
    publish(fn, ctx, n, grain);
  pthread_mutex_unlock(&pool.jobLock);
}

static void atforkChild(void) {
  /* The workers do not exist in the child. */
  pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cinit = PTHREAD_COND_INITIALIZER;
  pool.jobLock = init;
  pool.mu = init;
  pool.wake = cinit;
  pool.numWorkers = 0;
  atomic_store(&pool.state, 0);
  atomic_store(&pool.stopping, 0);
}

__attribute__((constructor)) static void poolInit(void) {
  pthread_atfork(NULL, NULL, atforkChild);
}

__attribute__((destructor)) static void poolFini(void) {
  pthread_mutex_lock(&pool.jobLock);
  stopWorkers();
  pthread_mutex_unlock(&pool.jobLock);
}

QCC_EXPORT int32_t qcc_set_num_threads(int32_t n) {
  if (n < 0 || n > MAX_THREADS)
    return QCC_ERR_INVALID_ARGUMENT;
  atomic_store(&requestedThreads, n);
  /* Workers are resized by the next job; stop the current ones now if the
   * pool is idle, so that a lower count takes effect immediately. */
  if (pthread_mutex_trylock(&pool.jobLock) == 0) {
    if (pool.numWorkers != quk_num_threads() - 1)
      stopWorkers();
    pthread_mutex_unlock(&pool.jobLock);
  }
  return QCC_OK;
}

QCC_EXPORT int32_t qcc_num_threads(void) { return quk_num_threads(); }
