"""What the student bundle's ``otter check`` tests run: the public tests, once, and one class's verdict.

Shipped as ``tests/_runtime/runtime.py`` of the student bundle (:mod:`cnngrade.build.shipped_runtime`)
and loaded there by path, so it imports only the standard library. The bundle's folder is the one
above ``tests/``.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
from xml.etree import ElementTree

PUBLIC_TESTS = "test_public.py"


def public_results(folder):
    """({test class: [(test name, failure message or None)]}, pytest's output) of one run of the public
    tests in ``folder``, cached by the interpreter and the folder's .py files."""
    digest = hashlib.sha256(sys.executable.encode())
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as stream:
                digest.update(name.encode() + b"\0" + stream.read())
    cache = os.path.join(tempfile.gettempdir(), "cnn-otter-check")
    os.makedirs(cache, exist_ok=True)
    report = os.path.join(cache, digest.hexdigest() + ".xml")
    output = ""
    if not os.path.isfile(report):
        partial = f"{report}.{os.getpid()}.tmp"
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", PUBLIC_TESTS, "-q", "-p", "no:cacheprovider",
             "-o", "junit_family=xunit2", "--junitxml", partial],
            cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
        output = (completed.stdout + completed.stderr)[-3000:]
        if not os.path.isfile(partial):
            raise AssertionError(f"pytest {PUBLIC_TESTS}을(를) 실행하지 못했습니다 / did not run:\n{output}")
        os.replace(partial, report)
    results = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        message = None
        if problem is not None:
            message = (problem.get("message") or "").strip() or (problem.text or "").strip()[-1500:]
        owner = (case.get("classname") or "").rsplit(".", 1)[-1]
        results.setdefault(owner, []).append((case.get("name"), message))
    return results, output


def check_public_class(test_class, question):
    """One otter check case: raises AssertionError, bilingual, unless every test of ``test_class`` passed."""
    folder = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/_runtime/..
    results, output = public_results(folder)
    if test_class not in results:
        raise AssertionError(f"{PUBLIC_TESTS}::{test_class}이(가) 실행되지 않았습니다 (수집 오류?) / "
                             f"did not run (a collection error?)\n{output}")
    failures = [(name, message) for name, message in results[test_class] if message is not None]
    if failures:
        shown = "\n\n".join(f"- {name}\n{message}" for name, message in failures[:3])
        more = f"\n\n... 실패 {len(failures) - 3}개 더 / {len(failures) - 3} more failures" if len(failures) > 3 else ""
        raise AssertionError(
            f"[{question}] 공개 테스트 {len(failures)}/{len(results[test_class])}개 실패 / "
            f"{len(failures)} of {len(results[test_class])} public tests failed "
            f"(pytest -q -k {test_class}):\n\n{shown}{more}")
