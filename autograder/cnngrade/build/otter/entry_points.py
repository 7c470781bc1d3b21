"""The zip's entry points, otter's own templates with our additions: ``run_autograder`` and ``run_otter.py``.

``run_autograder`` (what Gradescope and ``otter grade`` start) gets the lines that lock /autograder;
``run_otter.py`` turns bytecode off first and registers :class:`~cnngrade.build.otter.plugin.EnginePlugin`.
"""

from .environment import AUTOGRADER_DIR
from .plugin import PLUGIN_NAME
from .runtime import BUNDLE


def run_autograder():
    from otter.generate import OTTER_ENV_NAME

    return _render_run_autograder(otter_template("common/run_autograder"), OTTER_ENV_NAME)


def run_otter_py(plugin_config):
    """run_otter.py; ``plugin_config`` (the build-time manifests) is what the plugin gets from otter."""
    return _render_run_otter(otter_template("common/run_otter.py"), plugin_config)


def otter_template(name):
    """One of otter's own templates, rendered as ``otter assign``/``otter generate`` render it."""
    # otter is imported only to build: `cnn-grade` imports this module at start-up
    from otter.generate import JINJA_ENV, MINIFORGE_VERSION, OTTER_ENV_NAME, OTTR_VERSION

    return JINJA_ENV.get_template(name).render(
        autograder_dir=AUTOGRADER_DIR, otter_env_name=OTTER_ENV_NAME, ottr_version=OTTR_VERSION,
        channel_priority_strict=False, has_r_requirements=False, miniforge_version=MINIFORGE_VERSION)


_RUN_OTTER_CALL = 'run_autograder("/autograder")'
# First thing in run_otter.py, before any import: with bytecode on (Gradescope and otter's image do not
# set PYTHONDONTWRITEBYTECODE), importing the engine would write __pycache__ into files/cnngrade_bundle,
# and the files there are what the manifest check is about. The environment variable carries the same
# to otter's kernel and every other child process.
_RUN_OTTER_NO_BYTECODE = '''import os as _os_bytecode
import sys as _sys_bytecode

_sys_bytecode.dont_write_bytecode = True
_os_bytecode.environ["PYTHONDONTWRITEBYTECODE"] = "1"

'''
_RUN_OTTER_PRELUDE = '''
# ---- added by `cnn-grade build-otter` -----------------------------------------------------------
# In the grading container (Gradescope, otter grade) this file is the entry point, so the engine
# plugin is registered here and not in otter_config.json: `otter run` cannot import it from the zip.
import json as _json
import os as _os
import sys as _sys

AUTOGRADER_DIR = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))  # /autograder
_sys.path.insert(0, _os.path.join(AUTOGRADER_DIR, "source", "files", {bundle!r}, "autograder"))
CNNGRADE_PLUGIN = {{{plugin_name!r}: {plugin_config!r}}}


def _valid_submission_metadata():
    """otter grade's image has an empty submission_metadata.json, which otter's plugin loader cannot parse."""
    path = _os.path.join(AUTOGRADER_DIR, "submission_metadata.json")
    try:
        with open(path, encoding="utf-8") as stream:
            _json.load(stream)
    except (OSError, ValueError):
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("{{}}")
# ---------------------------------------------------------------------------------------------------
'''


def _render_run_otter(template_text, plugin_config):
    if _RUN_OTTER_CALL not in template_text or 'if __name__ == "__main__":' not in template_text:
        raise RuntimeError("otter's run_otter.py template changed; update cnngrade.build.otter.entry_points")
    head, main = template_text.split('if __name__ == "__main__":', 1)
    main = main.replace(_RUN_OTTER_CALL, "_valid_submission_metadata()\n    "
                                         "run_autograder(AUTOGRADER_DIR, plugins=[CNNGRADE_PLUGIN])")
    prelude = _RUN_OTTER_PRELUDE.format(bundle=BUNDLE, plugin_name=PLUGIN_NAME, plugin_config=plugin_config)
    return (_RUN_OTTER_NO_BYTECODE + head.rstrip() + "\n\n" + prelude + "\n\nif __name__ == \"__main__\":"
            + main)


# Inserted after the shebang of otter's run_autograder. Why each line: README, "Security model",
# "In the grading container".
_RUN_AUTOGRADER_HARDENING = '''
# ---- added by `cnn-grade build-otter` -----------------------------------------------------------
# Gradescope and otter grade run this script as root. The student's code runs only in the engine's
# worker, under a uid of its own, which must not read or write anything of the grading: the engine
# gives the worker its own copy of the submission in a private folder, so all of /autograder (this
# script, source/ with run_otter.py, tests/, otter_config.json and the bundle, submission/, results/
# and the engine's cache) becomes root's alone.
chown -R root:root /autograder
chmod -R go-rwx /autograder
# That uid must still be able to run the Python environment, or the engine cannot drop to it and runs
# the student's code as root. Otter's image keeps the environment under /root (mode 700): make /root
# traversable but not listable, and the folders down to the environment readable.
chmod 711 /root
for folder in /root/miniforge3 /root/miniforge3/envs /root/miniforge3/envs/{env_name}; do
    if [ -d "$folder" ]; then chmod go+rx,go-w "$folder"; fi
done
# ---------------------------------------------------------------------------------------------------
'''


def _render_run_autograder(template_text, env_name):
    shebang, newline, rest = template_text.partition("\n")
    if not shebang.startswith("#!") or "run_otter.py" not in rest:
        raise RuntimeError("otter's run_autograder template changed; update cnngrade.build.otter.entry_points")
    return shebang + newline + _RUN_AUTOGRADER_HARDENING.format(env_name=env_name).lstrip("\n") + rest
