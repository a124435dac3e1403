#!/usr/bin/env bash
# Build qcc, export the example PyTorch models, compile them with qcc and check the
# compiled models' outputs against PyTorch's:
#   bash examples/run_example.sh
# Exits non-zero if any output differs beyond rtol 1e-4 / atol 1e-5.
set -e -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=/usr/bin/python3
GEN=examples/generated
RTOL=1e-4
ATOL=1e-5

echo "== setup (dependencies + build)"
bash scripts/setup.sh

echo "== exporting the example models (PyTorch -> ONNX)"
"$PY" examples/make_models.py "$GEN"

status=0
for m in mlp cnn; do
  dir="$GEN/$m"
  out="$dir/out"
  rm -rf "$out" "$dir/model.so"
  echo
  echo "== $m: qcc $dir/model.onnx -o $dir/model.so"
  build/bin/qcc "$dir/model.onnx" -o "$dir/model.so"
  echo "== $m: qcc-run (input test_data_set_0/input_0.pb, expect output_0.pb)"
  rc=0
  build/bin/qcc-run "$dir/model.so" --input "$dir/test_data_set_0/input_0.pb" \
    --expect "$dir/test_data_set_0/output_0.pb" --rtol "$RTOL" --atol "$ATOL" \
    --print --output-dir "$out" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$m: FAILED (qcc-run exit $rc)"
    status=1
  fi
  # The model's single output is "logits"; qcc-run wrote it to $out/logits.npy.
  if [ -f "$out/logits.npy" ]; then
    echo "== $m: qcc vs PyTorch (first values)"
    "$PY" test/e2e/compare_npy.py "$out/logits.npy" "$dir/test_data_set_0/output_0.pb" \
      --rtol "$RTOL" --atol "$ATOL" --show 10 --label-a qcc --label-b pytorch || status=1
  else
    echo "$m: no output written to $out"
    status=1
  fi
done

echo
if [ "$status" -eq 0 ]; then
  echo "examples: mlp and cnn match PyTorch (rtol $RTOL, atol $ATOL)"
else
  echo "examples: FAILED"
fi
exit "$status"
