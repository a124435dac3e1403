// RUN: %python -c "import numpy as np; np.savez('%t.npz', x=np.random.RandomState(0).randn(8, 4, 8).astype(np.float32))"
// Float weights: 2 x 256 bytes. int4 per channel: 32 + 32 scale bytes per
// layer, int8: 64 + 32. A budget of 160 bytes allows one int8 layer: the
// one whose int4 error is largest (@w2, with an outlier row).
// RUN: qcc-opt %s --qcc-mixed-precision="data=%t.npz size-budget=160B min-elements=1 group-size=8" 2>/dev/null | FileCheck %s
// CHECK: module attributes {qcc.mixed_precision = {budget_bytes = 160 : i64, float_bytes = 512 : i64, layers = {mm1 = 4 : i64, mm2 = 8 : i64}, weight_bytes = 160 : i64}}
// CHECK: qcc.matmul {{.*}}qcc.bits = #qcc.bits<4>
// CHECK: qcc.matmul {{.*}}qcc.bits = #qcc.bits<8>
// The whole float size keeps both in float; excluded layers are not chosen.
// RUN: qcc-opt %s --qcc-mixed-precision="data=%t.npz size-budget=1 min-elements=1 group-size=8" 2>/dev/null | FileCheck %s --check-prefix=FLOAT
// FLOAT: layers = {mm1 = 32 : i64, mm2 = 32 : i64}
// RUN: qcc-opt %s --qcc-mixed-precision="data=%t.npz size-budget=0.8 min-elements=1 group-size=8 exclude=mm2" 2>/dev/null | FileCheck %s --check-prefix=EXCL
// EXCL: layers = {mm1 = 8 : i64}
// RUN: not qcc-opt %s --qcc-mixed-precision="data=%t.npz size-budget=100B min-elements=1" 2>&1 | FileCheck %s --check-prefix=SMALL
// SMALL: error: qcc-mixed-precision: the budget of 100 weight bytes is below the smallest this model can be made (128 bytes with every layer at int4)
// RUN: not qcc-opt %s --qcc-mixed-precision="data=%t.npz" 2>&1 | FileCheck %s --check-prefix=NOBUDGET
// NOBUDGET: error: qcc-mixed-precision: needs the entry function, samples (data=) and a budget (size-budget=)
func.func @main(%x: tensor<4x8xf32> {qcc.name = "x"}) -> tensor<4x8xf32> {
  %w1 = arith.constant dense<[[0.81, -0.31, -0.26, -0.54, 0.43, -1.15, 0.87, -0.38], [0.16, -0.12, 0.73, -1.03, -0.16, -0.19, 0.57, -0.55], [-0.09, -0.44, 0.02, 0.29, -0.55, 0.57, 0.45, 0.25], [0.45, -0.34, -0.06, -0.47, -0.13, 0.27, -0.35, -0.20], [-0.34, -0.42, -0.34, -0.01, -0.56, 0.12, 0.83, 0.37], [-0.10, -0.44, -0.37, 0.85, 0.03, -0.32, 0.10, 1.05], [0.06, 0.31, 0.15, -0.18, -0.57, -0.17, -0.10, 0.29], [0.42, 0.47, 0.14, 0.44, -0.38, 0.63, 0.26, -0.15]]> : tensor<8x8xf32>
  %w2 = arith.constant dense<[[0.24, -0.04, 0.57, 0.76, 1.09, -0.70, -0.72, -0.25], [0.08, 0.44, 0.16, -1.01, -0.15, 0.41, 0.12, 0.38], [-0.11, -0.10, 0.09, 0.21, 0.10, 0.06, -0.34, 0.19], [0.60, 5.60, 6.00, 0.90, -1.90, -3.20, 2.10, 0.40], [-0.17, 0.02, -0.31, 0.35, -0.22, 0.61, 0.20, 0.30], [-0.55, 0.08, 0.37, -0.48, -0.13, 0.02, -0.69, 0.16], [0.42, -0.43, 0.18, -0.66, -0.02, -0.81, 0.56, 0.20], [-0.01, -0.39, 0.64, 0.98, -0.93, 0.62, 0.81, 0.17]]> : tensor<8x8xf32>
  %0 = qcc.matmul %x, %w1 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32> loc("mm1")
  %1 = qcc.relu %0 : tensor<4x8xf32>
  %2 = qcc.matmul %1, %w2 : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32> loc("mm2")
  return %2 : tensor<4x8xf32>
}
