#!/usr/bin/env bash
# The test command (what .ci/run runs):
#   bash scripts/test.sh
# 1. scripts/setup.sh (Debian packages, cmake configure, ninja build)
# 2. lit: /usr/lib/llvm-22/bin/lit -sv build/test
# 3. scripts/check_so_symbols.py over every model .so lit compiled (1 test)
# 4. ONNX backend node tests: test/onnx-node/run_node_tests.py, in the mode
#    QCC_NODE_TESTS=all|sample|none (default: all, also in CI: the 932 tests take about a minute on 2 cores)
# The very last line is `tests: N passed, M failed`; the exit status is non-zero iff M > 0.
#
# Counting rule:
#   lit:        Passed, Unsupported and XFail (and Skipped/Excluded) count as passed;
#               Failed, Unresolved, XPass and Timeout as failed; if lit itself fails
#               without a failing test (e.g. a configuration error), 1 failed.
#   node tests: every test that passes counts as passed, but only regressions
#               (tests listed in test/onnx-node/expected_pass.txt that do not pass)
#               count as failed. Tests of ops qcc does not support yet, and other
#               known failures, are tracked in the committed table
#               test/onnx-node/status.md, not counted as failures.
set -e -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=/usr/bin/python3
LIT=/usr/lib/llvm-22/bin/lit
RESULTS=test/onnx-node/results          # git-ignored
mkdir -p "$RESULTS"

passed=0
failed=0
finish() {
  echo "tests: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}

echo "== setup"
if ! bash scripts/setup.sh; then
  echo "test: error: scripts/setup.sh failed (dependencies or build); no tests run" >&2
  failed=1
  finish
fi

# ---- lit ------------------------------------------------------------------
echo "== lit"
LIT_JSON="$RESULTS/lit.json"
rm -f "$LIT_JSON"
lit_rc=0
"$LIT" -sv -o "$LIT_JSON" build/test || lit_rc=$?
# Count by each test's result code in lit's JSON report (not lit's exit status:
# this lit does not treat XPASS as a failure).
read -r lit_pass lit_fail < <("$PY" - "$LIT_JSON" <<'PYEOF'
import json, sys
FAILED = {"FAIL", "UNRESOLVED", "XPASS", "TIMEOUT"}
try:
    tests = json.load(open(sys.argv[1]))["tests"]
except Exception:
    print(0, 0); sys.exit()
f = sum(1 for t in tests if t.get("code") in FAILED)
for t in tests:
    if t.get("code") in FAILED:
        print("lit %s: %s" % (t["code"], t["name"]), file=sys.stderr)
print(len(tests) - f, f)
PYEOF
)
if [ "$lit_rc" -ne 0 ] && [ "$lit_fail" -eq 0 ]; then
  # lit failed without reporting a failing test (configuration error, crash, no JSON report).
  echo "test: error: lit exited $lit_rc without a failing test in $LIT_JSON" >&2
  lit_fail=1
fi
echo "lit: $lit_pass passed, $lit_fail failed"
passed=$((passed + lit_pass))
failed=$((failed + lit_fail))

# ---- every compiled model depends on the C library only --------------------
# Each model .so the lit run left in build/test (every e2e model, every
# target) is checked with nm -D / readelf -d: one test.
echo "== so symbols"
if "$PY" scripts/check_so_symbols.py build/test; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# ---- ONNX backend node tests ------------------------------------------------
mode="${QCC_NODE_TESTS:-}"
if [ -z "$mode" ]; then
  mode=all
fi
case "$mode" in
  all)    node_args=() ;;
  sample) node_args=(--sample 4) ;;     # deterministic ~1/4 of the 932 tests
  none)   node_args=() ;;
  *) echo "test: error: QCC_NODE_TESTS must be all, sample or none (got '$mode')" >&2
     failed=$((failed + 1)); finish ;;
esac
if [ "$mode" = none ]; then
  echo "== node tests: skipped (QCC_NODE_TESTS=none)"
else
  echo "== node tests ($mode)"
  NODE_JSON="$RESULTS/results.json"
  rm -f "$NODE_JSON"
  node_rc=0
  "$PY" test/onnx-node/run_node_tests.py "${node_args[@]}" \
    --json "$NODE_JSON" --report "$RESULTS/status.md" || node_rc=$?
  read -r node_pass node_regr < <("$PY" - "$NODE_JSON" <<'PYEOF'
import json, sys
try:
    c = json.load(open(sys.argv[1]))["counts"]
    print(c["passed"], c["regressions"])
except Exception:
    print(0, 0)
PYEOF
)
  if [ "$node_rc" -ne 0 ] && [ "$node_regr" -eq 0 ]; then
    echo "test: error: run_node_tests.py exited $node_rc without reporting a regression" >&2
    node_regr=1
  fi
  echo "node tests counted: $node_pass passed, $node_regr failed (regressions only)"
  passed=$((passed + node_pass))
  failed=$((failed + node_regr))
fi

finish
