/*===- qcc_runtime.h - C ABI of a model compiled by qcc -------------------===*\
 *
 * Every shared library produced by `qcc` exports exactly the functions
 * declared here. The header is plain C so that C, C++, Python (ctypes) and
 * any FFI can load a compiled model.
 *
 * Contract:
 *  - Check qcc_abi_version() == QCC_ABI_VERSION before anything else.
 *  - Tensors are dense, row-major (C order), with the element type given by
 *    qcc_dtype (the numeric values are ONNX's TensorProto.DataType).
 *  - All buffers, input and output, are owned by the caller. qcc_run never
 *    keeps a pointer to them after it returns.
 *  - Shapes use -1 for a dimension that is only known at run time.
 *  - Nothing in the library is mutable global state: several threads may
 *    call qcc_run on the same model at the same time.
 *  - A bad call (null pointer, wrong count, rank, shape or dtype) returns a
 *    non-zero qcc_status and writes a one-line, NUL-terminated message into
 *    `err` (truncated to err_len); it never crashes or aborts.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_QCC_RUNTIME_H
#define QCC_RUNTIME_QCC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QCC_ABI_VERSION 4u

/* Element types; the values match onnx.TensorProto.DataType. */
typedef enum qcc_dtype {
  QCC_DTYPE_UNDEFINED = 0,
  QCC_DTYPE_F32 = 1,
  QCC_DTYPE_U8 = 2,
  QCC_DTYPE_I8 = 3,
  QCC_DTYPE_U16 = 4,
  QCC_DTYPE_I16 = 5,
  QCC_DTYPE_I32 = 6,
  QCC_DTYPE_I64 = 7,
  QCC_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  QCC_DTYPE_F16 = 10,
  QCC_DTYPE_F64 = 11,
  QCC_DTYPE_U32 = 12,
  QCC_DTYPE_U64 = 13,
  QCC_DTYPE_BF16 = 16,
} qcc_dtype;

typedef enum qcc_status {
  QCC_OK = 0,
  QCC_ERR_INVALID_ARGUMENT = 1, /* null pointer, wrong tensor count */
  QCC_ERR_DTYPE = 2,            /* element type differs from the signature */
  QCC_ERR_SHAPE = 3,            /* rank or a dimension differs */
  QCC_ERR_INTERNAL = 4,
  QCC_ERR_CPU = 5, /* this CPU lacks features the model was compiled for */
} qcc_status;

/* Description of one input or output of the model (static, read-only). */
typedef struct qcc_tensor_info {
  const char *name;     /* the ONNX graph input/output name */
  int32_t dtype;        /* a qcc_dtype */
  int32_t rank;
  const int64_t *shape; /* `rank` entries, -1 where dynamic */
} qcc_tensor_info;

/* A caller-owned tensor passed to qcc_run. */
typedef struct qcc_tensor {
  void *data;           /* dense row-major buffer */
  int32_t dtype;        /* a qcc_dtype */
  int32_t rank;
  const int64_t *shape; /* `rank` entries, all >= 0 */
} qcc_tensor;

/* ABI version of this library (QCC_ABI_VERSION it was built with). */
uint32_t qcc_abi_version(void);

/* Checks that this CPU has every instruction-set feature the model was
 * compiled for (recorded in the library by qcc from its --mcpu/--mattr).
 * Returns QCC_OK, or QCC_ERR_CPU with a one-line message naming the missing
 * features in `err`. qcc_run makes the same check before running any
 * generated code, so a model never dies of an illegal instruction. */
int32_t qcc_check_cpu(char *err, size_t err_len);

/* What the model was compiled for: the target triple and CPU
 * ("x86_64-unknown-linux-gnu x86-64-v3"), and the comma-separated LLVM
 * names of the CPU features its code may use ("avx,avx2,fma,..."). */
const char *qcc_target(void);
const char *qcc_cpu_features(void);

/* Number of graph inputs / outputs. */
int64_t qcc_num_inputs(void);
int64_t qcc_num_outputs(void);

/* Signature of input/output `index`; NULL when out of range. */
const qcc_tensor_info *qcc_input_info(int64_t index);
const qcc_tensor_info *qcc_output_info(int64_t index);

/* Runs the model. `inputs` and `outputs` follow the order of the
 * signature. Input dimensions that are -1 in qcc_input_info take any size;
 * dimensions the model ties together (the same ONNX dim_param, e.g.
 * "batch") must agree. Output buffers are allocated by the caller with the
 * shapes of qcc_output_info, dynamic dimensions as qcc_output_shape
 * computes them. Returns QCC_OK or an error code, with a message in `err`
 * (may be NULL when err_len is 0); QCC_ERR_CPU as qcc_check_cpu does. */
int32_t qcc_run(const qcc_tensor *inputs, int64_t num_inputs,
                qcc_tensor *outputs, int64_t num_outputs, char *err,
                size_t err_len);

/* The shape output `index` will have for inputs of the given shapes (their
 * data is not read and may be NULL): writes qcc_output_info(index)->rank
 * entries to `shape`. Fails, with a message, on inputs qcc_run would
 * reject for their count, dtype, rank or shape. */
int32_t qcc_output_shape(const qcc_tensor *inputs, int64_t num_inputs,
                         int64_t index, int64_t *shape, char *err,
                         size_t err_len);

/* Threads the model's kernels use (the calling thread included): n > 0
 * sets it, n == 0 restores the default ($QCC_NUM_THREADS, else the CPUs
 * the process may run on). The pool belongs to this library and is shared
 * by all threads calling qcc_run; a call that finds it busy runs on its own
 * thread only. Returns QCC_OK, or QCC_ERR_INVALID_ARGUMENT for n < 0 or
 * n > 256. */
int32_t qcc_set_num_threads(int32_t n);
int32_t qcc_num_threads(void);

/* Size in bytes of one element of `dtype`, 0 if unknown. */
size_t qcc_dtype_size(int32_t dtype);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_QCC_RUNTIME_H */
