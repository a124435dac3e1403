/*===- ModelGlue.h - contract between generated code and the ABI shim -----===*\
 *
 * Internal to qcc. The object file that qcc generates for a model defines
 * the two symbols below; lib/Runtime/ModelABI.c (linked into every model
 * .so from libqcc_model_rt.a) implements the public C ABI of qcc_runtime.h
 * on top of them. Keeping the validation and error reporting in C means the
 * compiler only has to emit data and one entry point.
 *
\*===----------------------------------------------------------------------===*/
#ifndef QCC_RUNTIME_MODELGLUE_H
#define QCC_RUNTIME_MODELGLUE_H

#include "qcc/Runtime/qcc_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qcc_model_meta {
  int64_t num_inputs;
  int64_t num_outputs;
  const qcc_tensor_info *inputs;  /* num_inputs entries */
  const qcc_tensor_info *outputs; /* num_outputs entries */
  /* Dynamic dimensions (shape entries of -1) are named by symbols: an input
   * dimension binds its symbol at run time, equal symbols must agree, and
   * every dynamic output dimension takes the size of its symbol. */
  int64_t num_symbols;
  const char *const *symbol_names; /* num_symbols entries */
  /* Per tensor, rank entries in order (all inputs, then all outputs): the
   * symbol id of each dimension, -1 for static ones. NULL when the model
   * has no dynamic dimension. */
  const int32_t *input_dim_symbols;
  const int32_t *output_dim_symbols;
  /* The target the code was generated for ("x86_64-unknown-linux-gnu
   * x86-64-v3") and the instruction-set features it may use, a
   * comma-separated list of LLVM feature names from CpuFeatures.def
   * ("avx,avx2,fma,..."); both "" when the compiler recorded no target. */
  const char *target;
  const char *cpu_features;
} qcc_model_meta;

/* Emitted by qcc: the signature of the model. */
extern const qcc_model_meta __qcc_model_meta;

/* Emitted by qcc: runs the model. `args` holds num_inputs + num_outputs
 * pointers, inputs first, each to an MLIR ranked memref descriptor
 *   struct { void *allocated; void *aligned; int64_t offset;
 *            int64_t sizes[rank]; int64_t strides[rank]; }
 * (for rank 0: just the first three fields). Outputs are written into the
 * buffers of the output descriptors. */
extern void __qcc_model_invoke(void **args);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_MODELGLUE_H */
