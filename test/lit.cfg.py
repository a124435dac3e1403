# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "qcc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "onnx-node", "fixtures", "python", "models"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qcc_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.qcc_tools_dir, append_path=False)
llvm_config.with_environment("PATH", ["/usr/bin", "/bin"], append_path=True)

# Debian's python with numpy/onnx/torch, not whatever is first on PATH.
python = "/usr/bin/python3"
config.substitutions.append(("%python", python))
config.substitutions.append(("%qcc_src", config.qcc_src_root))
config.substitutions.append(("%cc", "cc"))
config.substitutions.append(
    ("%mlir_translate", os.path.join(config.llvm_tools_dir, "mlir-translate")))
config.substitutions.append(("%clang", os.path.join(config.llvm_tools_dir, "clang")))
config.substitutions.append(("%qcc_lib", config.qcc_lib_dir))
config.substitutions.append(
    ("%qcc_plugin", os.path.join(config.qcc_lib_dir, "QccPlugin.so")))
config.substitutions.append(
    ("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))
config.environment["PYTHONPATH"] = os.path.join(config.qcc_src_root, "python")
config.environment["QCC_BIN"] = os.path.join(config.qcc_tools_dir, "qcc")

tools = ["qcc", "qcc-opt", "qcc-run", "qcc-calib-stats", "FileCheck", "not",
         "count"]
llvm_config.add_tool_substitutions(
    tools, [config.qcc_tools_dir, config.llvm_tools_dir])

if os.path.exists("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
    config.substitutions.append(
        ("%onnx_node", "/usr/share/libonnx-testdata/data/node"))
if os.path.exists(os.path.join(config.qcc_obj_root, "ort", "node_modules",
                               "onnxruntime-node")) and shutil.which("node"):
    config.available_features.add("ort")
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")

# What this CPU has, for the tests that must differ by machine (each says
# why): a .so for AVX-512 / AMX refused on a CPU without them.
try:
    with open("/proc/cpuinfo") as f:
        cpu_flags = next((l.split(":", 1)[1].split() for l in f
                          if l.startswith("flags")), [])
except OSError:
    cpu_flags = []
for flag, feature in (("avx512f", "host-avx512f"), ("amx_tile", "host-amx"),
                      ("avx2", "host-avx2")):
    if flag in cpu_flags:
        config.available_features.add(feature)

# AArch64 cross-compilation: the cross runtime and runner (built when
# gcc/g++-aarch64-linux-gnu are installed) and qemu-user.
if (os.path.exists(os.path.join(config.qcc_lib_dir, "aarch64-linux-gnu",
                                "libqcc_model_rt.a"))
        and os.path.exists(os.path.join(config.qcc_tools_dir, "aarch64-linux-gnu",
                                        "qcc-run"))
        and shutil.which("qemu-aarch64") and shutil.which("aarch64-linux-gnu-gcc")):
    config.available_features.add("aarch64-cross")

# QCC_OPTIONS (default qcc flags, e.g. --mcpu=x86-64-v3 to run the suite
# with the code an AVX2-only machine gets) reaches every qcc the tests run.
if "QCC_OPTIONS" in os.environ:
    config.environment["QCC_OPTIONS"] = os.environ["QCC_OPTIONS"]
