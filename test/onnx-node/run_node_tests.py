#!/usr/bin/python3
"""Run the ONNX backend node tests (Debian's libonnx-testdata) through qcc.

For every test directory DATA/<test>/ (model.onnx, test_data_set_*/input_*.pb,
output_*.pb): compile model.onnx with qcc into a temporary directory, then for every
test_data_set_* run qcc-run with the inputs (positional, in the model's order) and
--expect the outputs, with the ONNX backend test tolerances (rtol 1e-3, atol 1e-7)
unless TOLERANCE_OVERRIDES says otherwise.

Each test ends in one status:
  pass            compiled, and every data set matched
  unsupported-op  qcc said "unsupported ONNX op '<op>'" (the op is recorded)
  compile-error   qcc failed otherwise (or crashed, or could not be executed)
  run-error       qcc-run failed (exit 1, or crashed) on some data set
  mismatch        qcc-run exit 2: an output differs beyond the tolerance
  timeout         qcc (120 s) or qcc-run (60 s per data set) ran too long

test/onnx-node/expected_pass.txt lists the tests that passed when it was last refreshed
(--update-expected). A test on that list that is run and does not pass is a regression:
the exit status is 1 if there is any. Tests not on the list (not yet supported ops,
known mismatches, ...) are tracked in status.md and are not failures.

Usage (always with Debian's /usr/bin/python3):
  run_node_tests.py                       all 932 tests, -j $(nproc)
  run_node_tests.py --sample 4            the deterministic ~1/4 sample CI runs
  run_node_tests.py --filter 'conv|pool'  tests whose name matches a regex
  run_node_tests.py --update-expected     refresh expected_pass.txt and status.md
  run_node_tests.py --json OUT.json --report OUT.md
"""
import argparse
import collections
import concurrent.futures
import datetime
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
DEFAULT_EXPECTED = os.path.join(HERE, "expected_pass.txt")
DEFAULT_REPORT = os.path.join(HERE, "status.md")

# The ONNX backend test defaults (onnx/backend/test/case/node/__init__.py).
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-7

# Per-test tolerance overrides: test name -> (rtol, atol), each with the reason it is
# needed. Keep this small: a loosened tolerance can hide a real bug. (None needed yet;
# e.g. transcendentals through libm can differ from numpy's in the last bits, so an
# O(1)-valued output may need an absolute floor like atol 1e-6.)
TOLERANCE_OVERRIDES = {
    # ONNX 1.12's expected bfloat16 values truncate the float32 mantissa;
    # qcc (like current ONNX and ONNX Runtime) rounds to nearest even, so
    # results may differ by one bfloat16 ulp (2^-8 relative).
    "test_cast_FLOAT_to_BFLOAT16": (1e-2, 0.0),
}

COMPILE_TIMEOUT = 120
RUN_TIMEOUT = 60

STATUSES = ["pass", "unsupported-op", "compile-error", "run-error", "mismatch", "timeout"]
UNSUPPORTED_RE = re.compile(r"unsupported ONNX op '([^']+)'")


def stable_hash(name):
    return zlib.crc32(name.encode("utf-8"))


def in_sample(name, n):
    """Deterministic 1-in-n sample: stable across runs, machines and added tests."""
    return n <= 1 or stable_hash(name) % n == 0


def read_expected(path):
    if not path or not os.path.exists(path):
        return []
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def first_error_line(text, prefix):
    """The first 'PREFIX: error: ...' line of text, else its first non-empty line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if l.startswith(prefix + ": error:"):
            return l
    for l in lines:
        if "error" in l.lower():
            return l
    return lines[0] if lines else ""


def describe_rc(rc):
    if rc < 0:
        try:
            return "killed by " + signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


def shorten(s, n=200):
    s = " ".join(s.split())
    s = s.replace("|", "\\|")
    return s if len(s) <= n else s[: n - 3] + "..."


def run_one(name, test_dir, args):
    """Compile and run one test. Returns a result dict."""
    t0 = time.monotonic()
    res = {"test": name, "status": None, "detail": "", "op": None, "data_sets": 0}
    rtol, atol = TOLERANCE_OVERRIDES.get(name, (args.rtol, args.atol))
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))

    def done(status, detail="", op=None):
        res.update(status=status, detail=detail, op=op,
                   seconds=round(time.monotonic() - t0, 3))
        return res

    with tempfile.TemporaryDirectory(prefix="qcc-node-") as tmp:
        so = os.path.join(tmp, "model.so")
        cmd = [args.qcc, os.path.join(test_dir, "model.onnx"), "-o", so] + args.qcc_flag
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=args.compile_timeout, text=True, errors="replace")
        except subprocess.TimeoutExpired:
            return done("timeout", "qcc ran over %d s" % args.compile_timeout)
        except OSError as e:
            return done("compile-error", "cannot execute %s: %s" % (args.qcc, e.strerror))
        out = p.stderr + p.stdout
        if p.returncode != 0:
            m = UNSUPPORTED_RE.search(out)
            if m and p.returncode > 0:
                return done("unsupported-op", first_error_line(out, "qcc"), m.group(1))
            msg = first_error_line(out, "qcc")
            if p.returncode < 0 or not msg:
                msg = ("qcc " + describe_rc(p.returncode) + (": " + msg if msg else ""))
            return done("compile-error", msg)
        if not os.path.exists(so):
            return done("compile-error", "qcc exited 0 but wrote no %s" % os.path.basename(so))

        if not data_sets:
            return done("run-error", "no test_data_set_* directory")
        for ds in data_sets:
            inputs = sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                            key=lambda f: int(re.search(r"input_(\d+)\.pb$", f).group(1)))
            outputs = sorted(glob.glob(os.path.join(ds, "output_*.pb")),
                             key=lambda f: int(re.search(r"output_(\d+)\.pb$", f).group(1)))
            cmd = [args.qcc_run, so]
            for f in inputs:
                cmd += ["--input", f]
            for f in outputs:
                cmd += ["--expect", f]
            cmd += ["--rtol", repr(rtol), "--atol", repr(atol)]
            dsn = os.path.basename(ds)
            try:
                p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=args.run_timeout, text=True, errors="replace")
            except subprocess.TimeoutExpired:
                return done("timeout", "%s: qcc-run ran over %d s" % (dsn, args.run_timeout))
            except OSError as e:
                return done("run-error", "cannot execute %s: %s" % (args.qcc_run, e.strerror))
            out = p.stderr + p.stdout
            if p.returncode == 2:
                lines = [l.strip() for l in out.splitlines()
                         if l.strip() and "all " not in l[:4]]
                msg = "; ".join(lines[:2]) or "outputs differ"
                return done("mismatch", "%s: %s" % (dsn, msg))
            if p.returncode != 0:
                msg = first_error_line(out, "qcc-run")
                if p.returncode < 0 or not msg:
                    msg = "qcc-run " + describe_rc(p.returncode) + (": " + msg if msg else "")
                return done("run-error", "%s: %s" % (dsn, msg))
            res["data_sets"] += 1
    return done("pass", "%d data set%s" % (res["data_sets"], "" if res["data_sets"] == 1 else "s"))


def write_report(path, results, args, total_available, expected):
    by_status = collections.Counter(r["status"] for r in results)
    ops = collections.Counter(r["op"] for r in results if r["status"] == "unsupported-op")
    expected = set(expected)
    lines = []
    lines.append("# ONNX backend node tests")
    lines.append("")
    lines.append("Generated by `test/onnx-node/run_node_tests.py` over Debian's "
                 "`libonnx-testdata` (`%s`); do not edit by hand." % args.data)
    scope = "all %d tests" % total_available if len(results) == total_available else \
        "%d of %d tests" % (len(results), total_available)
    if args.filter:
        scope += ", filter `%s`" % args.filter
    if args.sample > 1:
        scope += ", sample 1 in %d" % args.sample
    lines.append("Run: %s; tolerance rtol %g, atol %g (overrides: %s)." % (
        scope, args.rtol, args.atol,
        ", ".join("`%s`" % k for k in sorted(TOLERANCE_OVERRIDES)) or "none"))
    lines.append("")
    lines.append("## Summary")
    lines.append("")
    lines.append("| status | tests |")
    lines.append("|---|---:|")
    for s in STATUSES:
        lines.append("| %s | %d |" % (s, by_status.get(s, 0)))
    lines.append("| **total** | %d |" % len(results))
    lines.append("")
    if ops:
        lines.append("## Unsupported ops")
        lines.append("")
        lines.append("| op | tests |")
        lines.append("|---|---:|")
        for op, n in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append("| `%s` | %d |" % (op, n))
        lines.append("")
    lines.append("## Tests")
    lines.append("")
    lines.append("| test | status | detail |")
    lines.append("|---|---|---|")
    for r in sorted(results, key=lambda r: r["test"]):
        status = r["status"]
        if status != "pass" and r["test"] in expected:
            status += " (regression)"
        detail = r["detail"]
        if r["status"] == "unsupported-op":
            detail = "`%s`" % r["op"]
        lines.append("| %s | %s | %s |" % (r["test"], status, shorten(detail)))
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def update_expected(path, results, old_expected):
    """Tests run now: listed iff they passed. Tests not run keep their old membership."""
    ran = {r["test"]: r["status"] for r in results}
    keep = {t for t in old_expected if t not in ran}
    now = {t for t, s in ran.items() if s == "pass"}
    names = sorted(keep | now)
    with open(path, "w") as f:
        f.write("# ONNX backend node tests (libonnx-testdata 1.12) that qcc passes.\n")
        f.write("# A listed test that fails is a regression and fails scripts/test.sh.\n")
        f.write("# Regenerate: /usr/bin/python3 test/onnx-node/run_node_tests.py "
                "--update-expected\n")
        for n in names:
            f.write(n + "\n")
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog=__doc__.split("\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qcc", default=os.path.join(ROOT, "build", "bin", "qcc"))
    ap.add_argument("--qcc-run", default=os.path.join(ROOT, "build", "bin", "qcc-run"))
    ap.add_argument("--qcc-flag", action="append", default=[], metavar="FLAG",
                    help="extra qcc argument (repeatable), e.g. --qcc-flag=-O0")
    ap.add_argument("--data", default=DEFAULT_DATA, help="node test directory (%(default)s)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--filter", help="only tests whose name matches this regex (re.search)")
    ap.add_argument("--sample", type=int, default=1, metavar="N",
                    help="run a deterministic 1-in-N sample (crc32 of the test name)")
    ap.add_argument("--expected", default=DEFAULT_EXPECTED,
                    help="tests expected to pass (%(default)s)")
    ap.add_argument("--update-expected", action="store_true",
                    help="rewrite --expected with the tests that pass now (tests not run "
                         "keep their entry) and write the report (default status.md)")
    ap.add_argument("--report", help="write a markdown status table here")
    ap.add_argument("--json", help="write per-test results and counts as JSON here")
    ap.add_argument("--rtol", type=float, default=DEFAULT_RTOL)
    ap.add_argument("--atol", type=float, default=DEFAULT_ATOL)
    ap.add_argument("--compile-timeout", type=float, default=COMPILE_TIMEOUT)
    ap.add_argument("--run-timeout", type=float, default=RUN_TIMEOUT)
    ap.add_argument("--timeout", type=float, metavar="S",
                    help="set both --compile-timeout and --run-timeout")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    ap.add_argument("--list", action="store_true", help="list the selected tests and exit")
    args = ap.parse_args()
    if args.timeout:
        args.compile_timeout = args.run_timeout = args.timeout

    if not os.path.isdir(args.data):
        print("run_node_tests: error: no node tests at %s (apt-get install libonnx-testdata)"
              % args.data, file=sys.stderr)
        return 1
    all_tests = sorted(d for d in os.listdir(args.data)
                       if os.path.isfile(os.path.join(args.data, d, "model.onnx")))
    tests = all_tests
    if args.filter:
        rx = re.compile(args.filter)
        tests = [t for t in tests if rx.search(t)]
    tests = [t for t in tests if in_sample(t, args.sample)]
    if args.list:
        print("\n".join(tests))
        return 0
    expected = read_expected(args.expected)
    missing = sorted(set(expected) - set(all_tests))
    if missing:
        print("run_node_tests: warning: %d tests in %s do not exist: %s"
              % (len(missing), args.expected, " ".join(missing[:10])), file=sys.stderr)
    for tool in (args.qcc, args.qcc_run):
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            print("run_node_tests: warning: %s is not an executable file; every test will "
                  "fail" % tool, file=sys.stderr)

    print("node tests: running %d of %d (%s%s), -j %d, %s" % (
        len(tests), len(all_tests),
        "sample 1 in %d" % args.sample if args.sample > 1 else "all",
        ", filter %r" % args.filter if args.filter else "", args.jobs, args.qcc), flush=True)

    t0 = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(run_one, t, os.path.join(args.data, t), args): t for t in tests}
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            try:
                r = fut.result()
            except Exception as e:  # a bug in this script: record it, keep going
                r = {"test": futs[fut], "status": "run-error", "op": None,
                     "detail": "runner exception: %r" % e, "data_sets": 0}
            results.append(r)
            if args.verbose:
                print("  %-14s %s  %s" % (r["status"], r["test"], r["detail"]), flush=True)
            elif i % 100 == 0 or i == len(tests):
                print("  [%d/%d] %.0f s" % (i, len(tests), time.monotonic() - t0), flush=True)
    results.sort(key=lambda r: r["test"])
    elapsed = time.monotonic() - t0

    expected_set = set(expected)
    by_status = collections.Counter(r["status"] for r in results)
    passed = [r for r in results if r["status"] == "pass"]
    regressions = [r for r in results if r["test"] in expected_set and r["status"] != "pass"]
    new_passes = [r["test"] for r in passed if r["test"] not in expected_set]
    ops = collections.Counter(r["op"] for r in results if r["status"] == "unsupported-op")

    print("node tests by status: " + ", ".join(
        "%s %d" % (s, by_status.get(s, 0)) for s in STATUSES) + " (%.0f s)" % elapsed)
    if ops:
        print("unsupported ops: " + ", ".join(
            "%s (%d)" % kv for kv in sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))))
    if new_passes and not args.update_expected:
        print("%d tests pass that are not in %s (run with --update-expected): %s%s" % (
            len(new_passes), os.path.relpath(args.expected), " ".join(new_passes[:20]),
            " ..." if len(new_passes) > 20 else ""))
    if regressions:
        print("REGRESSIONS (in %s, not passing now):" % os.path.relpath(args.expected))
        for r in regressions:
            print("  %s: %s: %s" % (r["test"], r["status"], r["detail"]))

    report = args.report or (DEFAULT_REPORT if args.update_expected else None)
    if args.update_expected:
        names = update_expected(args.expected, results, expected)
        print("wrote %s (%d tests)" % (args.expected, len(names)))
    if report:
        os.makedirs(os.path.dirname(os.path.abspath(report)), exist_ok=True)
        write_report(report, results, args, len(all_tests),
                     read_expected(args.expected) if args.update_expected else expected)
        print("wrote %s" % report)

    counts = {
        "run": len(results),
        "passed": len(passed),
        "failed": len(results) - len(passed),
        "regressions": len(regressions),
        "unsupported": by_status.get("unsupported-op", 0),
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "new_passes": len(new_passes),
    }
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                       "qcc": args.qcc, "data": args.data, "sample": args.sample,
                       "filter": args.filter, "seconds": round(elapsed, 1),
                       "counts": counts,
                       "regressions": [r["test"] for r in regressions],
                       "unsupported_ops": dict(ops),
                       "results": results}, f, indent=1)
            f.write("\n")

    # With --update-expected the list now matches the run, so nothing regressed.
    if args.update_expected:
        regressions = []
    print("node tests: %d passed, %d failed (%d regressions, %d not yet supported)" % (
        counts["passed"], counts["failed"], len(regressions), counts["unsupported"]))
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
