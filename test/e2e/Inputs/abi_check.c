/* Exercises the C ABI of a compiled model (include/qcc/Runtime/qcc_runtime.h):
 * signature queries, every error path of qcc_run, and concurrent calls from
 * several threads, which must give bit-identical results.
 *
 *   abi_check MODEL.so [--dump FILE] [--expect-cpu-error]
 *
 * --dump writes the raw bytes of every output of the reference run (inputs
 * filled deterministically) to FILE, to compare builds for different
 * targets. --expect-cpu-error: the model was compiled for CPU features this
 * machine lacks; qcc_check_cpu and qcc_run must both refuse with
 * QCC_ERR_CPU and a message, and nothing else is checked.
 *
 * Prints one line per check and exits non-zero on the first failure. */
#include "qcc/Runtime/qcc_runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL: ");                                                        \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

typedef int32_t (*run_fn)(const qcc_tensor *, int64_t, qcc_tensor *, int64_t,
                          char *, size_t);
static run_fn run;
static int64_t nin, nout;
static qcc_tensor *inputs, *ref_outputs;
static size_t *out_bytes;

static size_t numel(const qcc_tensor_info *info) {
  size_t n = 1;
  for (int32_t d = 0; d < info->rank; ++d)
    n *= (size_t)info->shape[d];
  return n;
}

static qcc_tensor *alloc_tensors(const qcc_tensor_info *(*info)(int64_t),
                                 size_t (*dsize)(int32_t), int64_t n,
                                 size_t *bytes, int fill) {
  qcc_tensor *t = calloc((size_t)n, sizeof(qcc_tensor));
  for (int64_t i = 0; i < n; ++i) {
    const qcc_tensor_info *ti = info(i);
    size_t b = numel(ti) * dsize(ti->dtype);
    unsigned char *data = calloc(b ? b : 1, 1);
    /* Small deterministic values that are valid for every dtype (0/1 for
     * bool, in range for int8). */
    for (size_t k = 0; fill && k < b; ++k)
      data[k] = ti->dtype == QCC_DTYPE_BOOL ? (k % 3 == 0)
                : (ti->dtype == QCC_DTYPE_F32) ? (unsigned char)((k % 4) == 3 ? 0x3f : 0)
                : (unsigned char)(k * 7 % 5);
    t[i].data = data;
    t[i].dtype = ti->dtype;
    t[i].rank = ti->rank;
    t[i].shape = ti->shape;
    if (bytes)
      bytes[i] = b;
  }
  return t;
}

static const qcc_tensor_info *(*in_info)(int64_t);
static const qcc_tensor_info *(*out_info)(int64_t);
static size_t (*dtype_size)(int32_t);

static void *worker(void *arg) {
  (void)arg;
  qcc_tensor *outs = alloc_tensors(out_info, dtype_size, nout, NULL, 0);
  char err[256];
  for (int iter = 0; iter < 20; ++iter) {
    int32_t rc = run(inputs, nin, outs, nout, err, sizeof err);
    if (rc != 0)
      return (void *)1;
    for (int64_t i = 0; i < nout; ++i)
      if (memcmp(outs[i].data, ref_outputs[i].data, out_bytes[i]) != 0)
        return (void *)2;
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *dump = NULL;
  int expectCpuError = 0;
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
      dump = argv[++i];
    else if (strcmp(argv[i], "--expect-cpu-error") == 0)
      expectCpuError = 1;
    else
      CHECK(0, "usage: abi_check MODEL.so [--dump FILE] [--expect-cpu-error]");
  }
  CHECK(argc >= 2, "usage: abi_check MODEL.so [--dump FILE] [--expect-cpu-error]");
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  CHECK(lib, "dlopen: %s", dlerror());
  int32_t (*version)(void) = (int32_t(*)(void))dlsym(lib, "qcc_abi_version");
  int64_t (*num_in)(void) = (int64_t(*)(void))dlsym(lib, "qcc_num_inputs");
  int64_t (*num_out)(void) = (int64_t(*)(void))dlsym(lib, "qcc_num_outputs");
  in_info = (const qcc_tensor_info *(*)(int64_t))dlsym(lib, "qcc_input_info");
  out_info = (const qcc_tensor_info *(*)(int64_t))dlsym(lib, "qcc_output_info");
  dtype_size = (size_t(*)(int32_t))dlsym(lib, "qcc_dtype_size");
  run = (run_fn)dlsym(lib, "qcc_run");
  CHECK(version && num_in && num_out && in_info && out_info && run &&
            dtype_size,
        "missing ABI symbols");
  CHECK(version() == QCC_ABI_VERSION, "ABI version %d", version());
  printf("ok: abi version %d\n", version());
  int32_t (*check_cpu)(char *, size_t) =
      (int32_t(*)(char *, size_t))dlsym(lib, "qcc_check_cpu");
  const char *(*target)(void) = (const char *(*)(void))dlsym(lib, "qcc_target");
  CHECK(check_cpu && target, "missing qcc_check_cpu / qcc_target");
  char cpu_err[512];
  int32_t cpu_rc = check_cpu(cpu_err, sizeof cpu_err);
  nin = num_in();
  nout = num_out();
  printf("ok: %lld inputs, %lld outputs\n", (long long)nin, (long long)nout);
  for (int64_t i = 0; i < nin; ++i) {
    const qcc_tensor_info *ti = in_info(i);
    printf("input %lld: %s dtype %d rank %d\n", (long long)i, ti->name,
           ti->dtype, ti->rank);
  }
  CHECK(in_info(nin) == NULL && in_info(-1) == NULL,
        "out-of-range info must be NULL");

  out_bytes = calloc((size_t)nout, sizeof(size_t));
  inputs = alloc_tensors(in_info, dtype_size, nin, NULL, 1);
  ref_outputs = alloc_tensors(out_info, dtype_size, nout, out_bytes, 0);
  char err[512];
  if (expectCpuError) {
    CHECK(cpu_rc == QCC_ERR_CPU, "qcc_check_cpu: rc %d, expected QCC_ERR_CPU",
          cpu_rc);
    printf("ok: qcc_check_cpu -> %s\n", cpu_err);
    int32_t rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
    CHECK(rc == QCC_ERR_CPU, "qcc_run: rc %d, expected QCC_ERR_CPU", rc);
    printf("ok: qcc_run -> %s\n", err);
    return 0;
  }
  CHECK(cpu_rc == QCC_OK, "qcc_check_cpu: %s", cpu_err);
  printf("ok: cpu check passed (target %s)\n", target());
  int32_t rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
  CHECK(rc == QCC_OK, "reference run failed: %s", err);
  printf("ok: run\n");
  if (dump) {
    FILE *f = fopen(dump, "wb");
    CHECK(f, "cannot write %s", dump);
    for (int64_t i = 0; i < nout; ++i)
      CHECK(fwrite(ref_outputs[i].data, 1, out_bytes[i], f) == out_bytes[i],
            "short write to %s", dump);
    fclose(f);
    printf("ok: outputs written to %s\n", dump);
  }

  /* Error paths: each must fail with a message and never crash. */
  rc = run(inputs, nin - 1, ref_outputs, nout, err, sizeof err);
  CHECK(rc == QCC_ERR_INVALID_ARGUMENT, "wrong input count: rc %d", rc);
  printf("ok: wrong input count -> %s\n", err);
  if (nin > 0) {
    void *saved = inputs[0].data;
    inputs[0].data = NULL;
    rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
    CHECK(rc == QCC_ERR_INVALID_ARGUMENT, "null data: rc %d", rc);
    printf("ok: null input buffer -> %s\n", err);
    inputs[0].data = saved;

    int32_t dtype = inputs[0].dtype;
    inputs[0].dtype = dtype == QCC_DTYPE_F64 ? QCC_DTYPE_F32 : QCC_DTYPE_F64;
    rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
    CHECK(rc == QCC_ERR_DTYPE, "wrong dtype: rc %d", rc);
    printf("ok: wrong dtype -> %s\n", err);
    inputs[0].dtype = dtype;

    int32_t rank = inputs[0].rank;
    const int64_t *saved_shape = inputs[0].shape;
    int64_t *longer = malloc(sizeof(int64_t) * (size_t)(rank + 1));
    memcpy(longer, saved_shape, sizeof(int64_t) * (size_t)rank);
    longer[rank] = 1;
    inputs[0].rank = rank + 1;
    inputs[0].shape = longer;
    rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
    CHECK(rc == QCC_ERR_SHAPE, "wrong rank: rc %d", rc);
    printf("ok: wrong rank -> %s\n", err);
    inputs[0].rank = rank;
    inputs[0].shape = saved_shape;
    free(longer);

    if (rank > 0) {
      int64_t *shape = malloc(sizeof(int64_t) * (size_t)rank);
      memcpy(shape, inputs[0].shape, sizeof(int64_t) * (size_t)rank);
      shape[0] += 1;
      inputs[0].shape = shape;
      rc = run(inputs, nin, ref_outputs, nout, err, sizeof err);
      CHECK(rc == QCC_ERR_SHAPE, "wrong shape: rc %d", rc);
      printf("ok: wrong shape -> %s\n", err);
      inputs[0].shape = saved_shape;
      free(shape);
    }
  }
  rc = run(NULL, nin, ref_outputs, nout, err, sizeof err);
  CHECK(nin == 0 || rc == QCC_ERR_INVALID_ARGUMENT, "null inputs: rc %d", rc);
  rc = run(inputs, nin, ref_outputs, nout, NULL, 0);
  CHECK(rc == QCC_OK, "run without an error buffer: rc %d", rc);

  /* Concurrency: 4 threads x 20 runs, all bit-identical to the reference. */
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i)
    pthread_create(&threads[i], NULL, worker, NULL);
  for (int i = 0; i < 4; ++i) {
    void *res;
    pthread_join(threads[i], &res);
    CHECK(res == NULL, "thread %d: %s", i,
          res == (void *)1 ? "run failed" : "result differs");
  }
  printf("ok: 4 threads x 20 concurrent runs identical\n");
  return 0;
}
