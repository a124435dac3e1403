"""PEP 517 build backend of the qcc package: setuptools.build_meta, taken
from the interpreter that runs pip.

pip's default, isolated build hides the interpreter's site-packages and
would download setuptools (and wheel) from the package index, so an offline
`pip install ./python` would fail although Debian's python3-setuptools and
python3-wheel (or a virtual environment's setuptools) are installed. This
shim makes those visible again, after everything pip put in the isolated
environment, and asks pip for nothing it can import. Only where the
interpreter lacks them does it ask pip for setuptools>=61 / wheel, which
then needs an index (or --find-links). With --no-build-isolation it is
setuptools.build_meta and nothing else.
"""
import importlib
import os
import site
import sys

_SETUPTOOLS_MIN = (61, 0)  # [project] metadata in pyproject.toml


def _reveal_interpreter_packages():
    """Appends the interpreter's site-packages that pip's isolation removed."""
    added = False
    for d in site.getsitepackages():
        if d not in sys.path and os.path.isdir(d):
            sys.path.append(d)
            added = True
    if added:
        importlib.invalidate_caches()


def _version(module) -> tuple:
    parts = []
    for p in getattr(module, "__version__", "0").split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _missing():
    """Requirements neither pip's build environment nor the interpreter meets."""
    _reveal_interpreter_packages()
    missing = []
    try:
        import setuptools
        if _version(setuptools) < _SETUPTOOLS_MIN:
            missing.append("setuptools>=%d" % _SETUPTOOLS_MIN[0])
    except ImportError:
        missing.append("setuptools>=%d" % _SETUPTOOLS_MIN[0])
    try:
        import wheel  # noqa: F401  (setuptools < 70.1 builds wheels with it)
    except ImportError:
        missing.append("wheel")
    return missing


def _meta():
    _reveal_interpreter_packages()
    from setuptools import build_meta
    return build_meta


def get_requires_for_build_wheel(config_settings=None):
    return _missing()


def get_requires_for_build_sdist(config_settings=None):
    return [r for r in _missing() if r != "wheel"]


def get_requires_for_build_editable(config_settings=None):
    return _missing()


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _meta().prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _meta().build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    return _meta().build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _meta().prepare_metadata_for_build_editable(metadata_directory, config_settings)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _meta().build_editable(wheel_directory, config_settings, metadata_directory)
