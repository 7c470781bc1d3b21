"""A runtime module shipped beside generated otter test files, and the lines that load it.

The otter test files that the builds generate (the autograder zip's hidden-suite cases, the student
bundle's ``otter check`` tests) do their work in a real module of this package, written and linted
here. It is copied to ``tests/_runtime/runtime.py``, where otter does not look for test files (it globs
``tests/*.py``), and each test file loads it by path through :data:`LOADER`.
"""

import shutil
from pathlib import Path

FOLDER = "_runtime"
FILE_NAME = "runtime.py"

# otter runs a test file with exec(), first without its path (to read OK_FORMAT), so the runtime is
# loaded on the first test case, not when the file is run.
LOADER = '''
import importlib.util
import inspect
import os

from otter.test_files import test_case

# otter execs this file without __file__; its code object still knows the path
_RUNTIME = os.path.join(os.path.dirname(os.path.abspath(inspect.currentframe().f_code.co_filename)),
                        {folder!r}, {file_name!r})
_LOADED = []


def _runtime():
    """{description}, loaded on first use."""
    if not _LOADED:
        spec = importlib.util.spec_from_file_location({module_name!r}, _RUNTIME)
        module = importlib.util.module_from_spec(spec)
        with open(_RUNTIME, encoding="utf-8") as stream:
            # compiled here and not by the import system, which would write a __pycache__ beside it
            exec(compile(stream.read(), _RUNTIME, "exec"), module.__dict__)
        _LOADED.append(module)
    return _LOADED[0]
'''


def loader(module, module_name):
    """The lines of a test file that load ``module``'s shipped copy as ``module_name``."""
    return LOADER.format(folder=FOLDER, file_name=FILE_NAME, module_name=module_name,
                         description=f"{FOLDER}/{FILE_NAME} beside this file ({module.__name__})")


def ship(module, tests_dir):
    """Copy ``module``'s source to ``tests_dir/_runtime/runtime.py``; returns that folder."""
    folder = Path(tests_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(module.__file__, folder / FILE_NAME)
    return folder
