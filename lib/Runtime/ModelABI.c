/*===- ModelABI.c - public C ABI of a compiled model ----------------------===*\
 *
 * Implements qcc_runtime.h on top of the two symbols that qcc emits for a
 * model (see ModelGlue.h): the signature `__qcc_model_meta` and the entry
 * point `__qcc_model_invoke`. Every call is validated here so that the
 * generated code can trust its arguments, and so that a bad call produces a
 * readable message instead of a crash.
 *
 * No mutable global state: the memref descriptors of one call live on the
 * stack (or in a malloc'ed block for very many tensors), so any number of
 * threads may call qcc_run at once.
 *
\*===----------------------------------------------------------------------===*/

#include "qcc/Runtime/qcc_runtime.h"

/* The glue symbols are private to the model .so. Declaring them hidden
 * makes the link resolve them inside the .so and hides them from its
 * dynamic symbol table, so two models loaded into one process (even with
 * RTLD_GLOBAL) never bind to each other's signature or entry point. */
#pragma GCC visibility push(hidden)
#include "qcc/Runtime/ModelGlue.h"
#pragma GCC visibility pop

#include "CpuCheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QCC_EXPORT __attribute__((visibility("default")))

/* Largest rank accepted by qcc_run; it bounds the descriptor storage. */
#define QCC_MAX_RANK 16

/* Descriptors of up to this many tensors live on the stack. */
#define QCC_STACK_TENSORS 16

/* Room for the error message while it is being built; it is copied
 * (truncated) into the caller's buffer at the end. */
#define QCC_MSG_CAPACITY 512

/*===-- Memref descriptors ------------------------------------------------===*/

/* An MLIR ranked memref descriptor with room for QCC_MAX_RANK dimensions.
 * For rank r, MLIR's struct is {allocated, aligned, offset, sizes[r],
 * strides[r]}: the sizes are dims[0..r) and the strides follow directly at
 * dims[r..2r), so a pointer to this struct is a valid pointer to the
 * rank-r descriptor (the layout is a prefix of this one). */
typedef struct qcc_memref {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t dims[2 * QCC_MAX_RANK];
} qcc_memref;

/* Fills `desc` for a dense row-major tensor at `data` of shape `shape`. */
static void fillDescriptor(qcc_memref *desc, void *data, int32_t rank,
                           const int64_t *shape) {
  desc->allocated = data;
  desc->aligned = data;
  desc->offset = 0;
  int64_t *sizes = desc->dims;
  int64_t *strides = desc->dims + rank;
  int64_t stride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    sizes[i] = shape[i];
    strides[i] = stride;
    stride *= shape[i];
  }
}

/*===-- Error messages ----------------------------------------------------===*/

typedef struct qcc_msg {
  char text[QCC_MSG_CAPACITY];
  size_t len;
} qcc_msg;

/* Appends printf-style text, silently truncating at the capacity. */
static void msgAppend(qcc_msg *msg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void msgAppend(qcc_msg *msg, const char *fmt, ...) {
  if (msg->len + 1 >= QCC_MSG_CAPACITY)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg->text + msg->len, QCC_MSG_CAPACITY - msg->len, fmt,
                    ap);
  va_end(ap);
  if (n < 0)
    return;
  msg->len += (size_t)n;
  if (msg->len >= QCC_MSG_CAPACITY)
    msg->len = QCC_MSG_CAPACITY - 1;
}

/* Appends "[1,3,?,224]"; dynamic (negative) dims print as '?'. */
static void msgAppendShape(qcc_msg *msg, int32_t rank, const int64_t *shape) {
  msgAppend(msg, "[");
  for (int32_t i = 0; i < rank; ++i) {
    if (i)
      msgAppend(msg, ",");
    if (shape[i] < 0)
      msgAppend(msg, "?");
    else
      msgAppend(msg, "%lld", (long long)shape[i]);
  }
  msgAppend(msg, "]");
}

/* Copies the message into the caller's buffer, NUL-terminated. */
static void msgCopyOut(const qcc_msg *msg, char *err, size_t errLen) {
  if (!err || errLen == 0)
    return;
  size_t n = msg->len < errLen - 1 ? msg->len : errLen - 1;
  memcpy(err, msg->text, n);
  err[n] = '\0';
}

static const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case QCC_DTYPE_F32:
    return "f32";
  case QCC_DTYPE_U8:
    return "u8";
  case QCC_DTYPE_I8:
    return "i8";
  case QCC_DTYPE_U16:
    return "u16";
  case QCC_DTYPE_I16:
    return "i16";
  case QCC_DTYPE_I32:
    return "i32";
  case QCC_DTYPE_I64:
    return "i64";
  case QCC_DTYPE_BOOL:
    return "bool";
  case QCC_DTYPE_F16:
    return "f16";
  case QCC_DTYPE_F64:
    return "f64";
  case QCC_DTYPE_U32:
    return "u32";
  case QCC_DTYPE_U64:
    return "u64";
  case QCC_DTYPE_BF16:
    return "bf16";
  default:
    return "unknown";
  }
}

/*===-- Validation --------------------------------------------------------===*/

/* Starts a message about one tensor: "qcc_run: input 'x' (#0): ". */
static void msgTensorPrefix(qcc_msg *msg, const char *kind,
                            const qcc_tensor_info *info, int64_t index) {
  msgAppend(msg, "qcc_run: %s '%s' (#%lld): ", kind,
            info->name ? info->name : "", (long long)index);
}

/* Checks one caller tensor against its signature entry. Returns QCC_OK or
 * an error code with the message in `msg`. */
static int32_t checkTensor(const qcc_tensor *t, const qcc_tensor_info *info,
                           const char *kind, int64_t index, int needData,
                           qcc_msg *msg) {
  if (t->dtype != info->dtype) {
    msgTensorPrefix(msg, kind, info, index);
    msgAppend(msg, "expected dtype %s, got %s", dtypeName(info->dtype),
              dtypeName(t->dtype));
    if (qcc_dtype_size(t->dtype) == 0)
      msgAppend(msg, " (%d)", (int)t->dtype);
    return QCC_ERR_DTYPE;
  }
  if (t->rank < 0 || t->rank > QCC_MAX_RANK) {
    msgTensorPrefix(msg, kind, info, index);
    msgAppend(msg, "rank %d is not supported (0 to %d)", (int)t->rank,
              QCC_MAX_RANK);
    return QCC_ERR_SHAPE;
  }
  if (t->rank > 0 && !t->shape) {
    msgTensorPrefix(msg, kind, info, index);
    msgAppend(msg, "shape is NULL for rank %d", (int)t->rank);
    return QCC_ERR_INVALID_ARGUMENT;
  }
  if (t->rank != info->rank) {
    msgTensorPrefix(msg, kind, info, index);
    msgAppend(msg, "expected rank %d ", (int)info->rank);
    msgAppendShape(msg, info->rank, info->shape);
    msgAppend(msg, ", got rank %d ", (int)t->rank);
    msgAppendShape(msg, t->rank, t->shape);
    return QCC_ERR_SHAPE;
  }
  /* The product of the non-zero dims bounds every stride, so it must fit
   * in int64 for the descriptor to be valid. */
  int64_t product = 1;
  for (int32_t i = 0; i < t->rank; ++i) {
    int64_t dim = t->shape[i];
    int64_t expected = info->shape[i];
    if (dim < 0 || (expected >= 0 && dim != expected)) {
      msgTensorPrefix(msg, kind, info, index);
      msgAppend(msg, "expected shape ");
      msgAppendShape(msg, info->rank, info->shape);
      msgAppend(msg, ", got [");
      for (int32_t j = 0; j < t->rank; ++j)
        msgAppend(msg, j ? ",%lld" : "%lld", (long long)t->shape[j]);
      msgAppend(msg, "]");
      return QCC_ERR_SHAPE;
    }
    if (dim == 0)
      continue;
    if (product > INT64_MAX / dim) {
      msgTensorPrefix(msg, kind, info, index);
      msgAppend(msg, "shape ");
      msgAppendShape(msg, t->rank, t->shape);
      msgAppend(msg, " has too many elements");
      return QCC_ERR_SHAPE;
    }
    product *= dim;
  }
  /* Empty tensors need no buffer. */
  if (needData && !t->data && product != 0) {
    msgTensorPrefix(msg, kind, info, index);
    msgAppend(msg, "data is NULL");
    return QCC_ERR_INVALID_ARGUMENT;
  }
  return QCC_OK;
}

/* Checks the array and count of one side (inputs or outputs). */
static int32_t checkTensorArray(const qcc_tensor *tensors, int64_t count,
                                int64_t expected, const char *kind,
                                qcc_msg *msg) {
  if (count != expected) {
    msgAppend(msg, "qcc_run: expected %lld %ss, got %lld", (long long)expected,
              kind, (long long)count);
    return QCC_ERR_INVALID_ARGUMENT;
  }
  if (count > 0 && !tensors) {
    msgAppend(msg, "qcc_run: the %ss array is NULL but the model has %lld",
              kind, (long long)expected);
    return QCC_ERR_INVALID_ARGUMENT;
  }
  return QCC_OK;
}

#define QCC_MAX_SYMBOLS 64

/* Binds the symbols of the inputs' dynamic dimensions to their sizes
 * (`values`, -1 when unbound) and checks that tied dimensions agree. */
static int32_t bindSymbols(const qcc_tensor *inputs, int64_t *values,
                           int64_t *binder, qcc_msg *msg) {
  const qcc_model_meta *meta = &__qcc_model_meta;
  for (int64_t s = 0; s < meta->num_symbols; ++s)
    values[s] = binder[s] = -1;
  if (!meta->input_dim_symbols)
    return QCC_OK;
  const int32_t *sym = meta->input_dim_symbols;
  for (int64_t i = 0; i < meta->num_inputs; ++i) {
    for (int32_t d = 0; d < meta->inputs[i].rank; ++d, ++sym) {
      if (*sym < 0)
        continue;
      int64_t size = inputs[i].shape[d];
      if (values[*sym] < 0) {
        values[*sym] = size;
        binder[*sym] = i;
      } else if (values[*sym] != size) {
        msgTensorPrefix(msg, "input", &meta->inputs[i], i);
        msgAppend(msg, "dimension %d ('%s') is %lld, but %lld in input '%s'",
                  (int)d, meta->symbol_names[*sym], (long long)size,
                  (long long)values[*sym],
                  meta->inputs[binder[*sym]].name);
        return QCC_ERR_SHAPE;
      }
    }
  }
  return QCC_OK;
}

/* The shape of output `index` under the bound symbol `values`. */
static void outputShape(int64_t index, const int64_t *values,
                        int64_t *shape) {
  const qcc_model_meta *meta = &__qcc_model_meta;
  const int32_t *sym = meta->output_dim_symbols;
  for (int64_t o = 0; sym && o < index; ++o)
    sym += meta->outputs[o].rank;
  for (int32_t d = 0; d < meta->outputs[index].rank; ++d) {
    int64_t s = meta->outputs[index].shape[d];
    shape[d] = s >= 0 || !sym || sym[d] < 0 ? s : values[sym[d]];
  }
}

static int32_t checkInputs(const qcc_tensor *inputs, int64_t numInputs,
                           int needData, int64_t *values, qcc_msg *msg) {
  const qcc_model_meta *meta = &__qcc_model_meta;
  int64_t binder[QCC_MAX_SYMBOLS];
  if (meta->num_symbols > QCC_MAX_SYMBOLS) {
    msgAppend(msg, "qcc_run: the model has %lld dimension symbols, more than "
                   "the runtime supports (%d)",
              (long long)meta->num_symbols, QCC_MAX_SYMBOLS);
    return QCC_ERR_INTERNAL;
  }
  int32_t status =
      checkTensorArray(inputs, numInputs, meta->num_inputs, "input", msg);
  for (int64_t i = 0; status == QCC_OK && i < numInputs; ++i)
    status = checkTensor(&inputs[i], &meta->inputs[i], "input", i, needData,
                         msg);
  if (status == QCC_OK)
    status = bindSymbols(inputs, values, binder, msg);
  return status;
}

static int32_t checkCall(const qcc_tensor *inputs, int64_t numInputs,
                         const qcc_tensor *outputs, int64_t numOutputs,
                         qcc_msg *msg) {
  const qcc_model_meta *meta = &__qcc_model_meta;
  int64_t values[QCC_MAX_SYMBOLS];
  int32_t status = checkInputs(inputs, numInputs, 1, values, msg);
  if (status == QCC_OK)
    status = checkTensorArray(outputs, numOutputs, meta->num_outputs,
                              "output", msg);
  for (int64_t i = 0; status == QCC_OK && i < numOutputs; ++i) {
    /* Outputs must have exactly the shape these inputs produce. */
    int64_t expected[QCC_MAX_RANK];
    qcc_tensor_info info = meta->outputs[i];
    outputShape(i, values, expected);
    info.shape = expected;
    status = checkTensor(&outputs[i], &info, "output", i, 1, msg);
  }
  return status;
}

/*===-- CPU features ------------------------------------------------------===*/

/* 1 once a check has passed: the CPU does not change under a running
 * process, so later calls skip CPUID. Only ever set to 1, so the unordered
 * accesses of concurrent callers are harmless. */
static volatile int cpuCheckPassed;

static int32_t checkCpu(const char *api, qcc_msg *msg) {
  if (cpuCheckPassed)
    return QCC_OK;
  const qcc_model_meta *meta = &__qcc_model_meta;
  char missing[QCC_MSG_CAPACITY / 2];
  size_t n = qccMissingCpuFeatures(meta->cpu_features, missing,
                                   sizeof(missing));
  if (n == 0) {
    cpuCheckPassed = 1;
    return QCC_OK;
  }
  msgAppend(msg,
            "%s: this CPU lacks %s %s that the model was compiled for "
            "(target %s); recompile it with --mcpu=native or a lower --mcpu",
            api, n == 1 ? "the feature" : "the features", missing,
            meta->target);
  return QCC_ERR_CPU;
}

/*===-- Public ABI --------------------------------------------------------===*/

QCC_EXPORT int32_t qcc_check_cpu(char *err, size_t err_len) {
  qcc_msg msg;
  msg.len = 0;
  msg.text[0] = '\0';
  int32_t status = checkCpu("qcc_check_cpu", &msg);
  msgCopyOut(&msg, err, err_len);
  return status;
}

QCC_EXPORT const char *qcc_target(void) { return __qcc_model_meta.target; }

QCC_EXPORT const char *qcc_cpu_features(void) {
  return __qcc_model_meta.cpu_features;
}

QCC_EXPORT uint32_t qcc_abi_version(void) { return QCC_ABI_VERSION; }

QCC_EXPORT int64_t qcc_num_inputs(void) { return __qcc_model_meta.num_inputs; }

QCC_EXPORT int64_t qcc_num_outputs(void) {
  return __qcc_model_meta.num_outputs;
}

QCC_EXPORT const qcc_tensor_info *qcc_input_info(int64_t index) {
  if (index < 0 || index >= __qcc_model_meta.num_inputs)
    return NULL;
  return &__qcc_model_meta.inputs[index];
}

QCC_EXPORT const qcc_tensor_info *qcc_output_info(int64_t index) {
  if (index < 0 || index >= __qcc_model_meta.num_outputs)
    return NULL;
  return &__qcc_model_meta.outputs[index];
}

QCC_EXPORT size_t qcc_dtype_size(int32_t dtype) {
  switch (dtype) {
  case QCC_DTYPE_U8:
  case QCC_DTYPE_I8:
  case QCC_DTYPE_BOOL:
    return 1;
  case QCC_DTYPE_U16:
  case QCC_DTYPE_I16:
  case QCC_DTYPE_F16:
  case QCC_DTYPE_BF16:
    return 2;
  case QCC_DTYPE_F32:
  case QCC_DTYPE_I32:
  case QCC_DTYPE_U32:
    return 4;
  case QCC_DTYPE_I64:
  case QCC_DTYPE_F64:
  case QCC_DTYPE_U64:
    return 8;
  default:
    return 0;
  }
}

QCC_EXPORT int32_t qcc_run(const qcc_tensor *inputs, int64_t num_inputs,
                           qcc_tensor *outputs, int64_t num_outputs, char *err,
                           size_t err_len) {
  qcc_msg msg;
  msg.len = 0;
  msg.text[0] = '\0';

  int32_t status = checkCpu("qcc_run", &msg);
  if (status == QCC_OK)
    status = checkCall(inputs, num_inputs, outputs, num_outputs, &msg);
  if (status != QCC_OK) {
    msgCopyOut(&msg, err, err_len);
    return status;
  }

  /* Small models (the common case) need no heap allocation at all. */
  int64_t numTensors = num_inputs + num_outputs;
  qcc_memref stackDescs[QCC_STACK_TENSORS];
  void *stackArgs[QCC_STACK_TENSORS];
  qcc_memref *descs = stackDescs;
  void **args = stackArgs;
  if (numTensors > QCC_STACK_TENSORS) {
    descs = malloc((size_t)numTensors * sizeof(qcc_memref));
    args = malloc((size_t)numTensors * sizeof(void *));
    if (!descs || !args) {
      free(descs);
      free(args);
      msgAppend(&msg, "qcc_run: out of memory for %lld tensor descriptors",
                (long long)numTensors);
      msgCopyOut(&msg, err, err_len);
      return QCC_ERR_INTERNAL;
    }
  }

  for (int64_t i = 0; i < num_inputs; ++i)
    fillDescriptor(&descs[i], inputs[i].data, inputs[i].rank, inputs[i].shape);
  for (int64_t i = 0; i < num_outputs; ++i)
    fillDescriptor(&descs[num_inputs + i], outputs[i].data, outputs[i].rank,
                   outputs[i].shape);
  for (int64_t i = 0; i < numTensors; ++i)
    args[i] = &descs[i];

  __qcc_model_invoke(args);

  if (descs != stackDescs) {
    free(descs);
    free(args);
  }
  msgCopyOut(&msg, err, err_len);
  return QCC_OK;
}

/* memrefCopy, which the generated code may call, is in MemrefCopy.c. */

QCC_EXPORT int32_t qcc_output_shape(const qcc_tensor *inputs,
                                    int64_t num_inputs, int64_t index,
                                    int64_t *shape, char *err,
                                    size_t err_len) {
  qcc_msg msg;
  msg.len = 0;
  msg.text[0] = 0;
  int64_t values[QCC_MAX_SYMBOLS];
  int32_t status = QCC_OK;
  if (index < 0 || index >= __qcc_model_meta.num_outputs || !shape) {
    msgAppend(&msg, "qcc_output_shape: output index %lld out of range or "
                    "NULL shape", (long long)index);
    status = QCC_ERR_INVALID_ARGUMENT;
  }
  if (status == QCC_OK)
    status = checkInputs(inputs, num_inputs, 0, values, &msg);
  if (status == QCC_OK)
    outputShape(index, values, shape);
  msgCopyOut(&msg, err, err_len);
  return status;
}
