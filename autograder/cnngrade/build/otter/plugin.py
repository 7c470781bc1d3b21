"""The otter plugin of the grading container (Gradescope, ``otter grade``; registered by run_otter.py).

In the otter process, before any student code runs, it checks the bundle and tests/ against the
digests kept in run_otter.py, runs the engine (before_grading), replaces the submission by an empty
notebook so that the kernel never runs student code (before_execution), and rebuilds every result
from the engine's verdicts (after_grading).
"""

import json
import os

from . import runtime

PLUGIN_NAME = f"{__name__}.EnginePlugin"  # how run_otter.py names it to otter


NEUTRAL_CELL = ("# cnngrade: this submission was graded by the isolated cnngrade engine before this kernel\n"
                "# started; the kernel does not execute it.\n")


class EnginePlugin:
    """Runs the engine in otter's own process, keeps student code out of the kernel, owns the results.

    Duck-typed like ``otter.plugins.AbstractOtterPlugin`` (otter calls the events by name), so that
    importing this module does not import otter.
    """

    def __init__(self, submission_path, submission_metadata, plugin_config):
        self.submission_path = os.path.abspath(submission_path)
        self.submission_metadata = submission_metadata
        self.plugin_config = plugin_config or {}
        self.report = None
        self.spec = None

    def _fail(self, message):
        from otter.run.run_autograder.utils import OtterRuntimeError

        raise OtterRuntimeError(f"cnngrade: {message}")

    def before_grading(self, config):
        submission_dir = os.path.dirname(self.submission_path)
        autograder_dir = os.path.dirname(submission_dir)
        bundle = os.path.join(autograder_dir, "source", "files", self.plugin_config.get("bundle", runtime.BUNDLE))
        checks = [(bundle, self.plugin_config.get("bundle_manifest"))]
        checks += [(tests, self.plugin_config.get("tests_manifest"))
                   for tests in (os.path.join(autograder_dir, "source", "tests"), os.path.join(submission_dir, "tests"))]
        for folder, manifest in checks:
            problems = runtime.manifest_problems(folder, manifest or {}) if manifest else ["no manifest"]
            if problems:
                self._fail(f"{folder} does not match the manifest taken when the autograder was built: "
                           + ", ".join(problems[:5]))
        with open(os.path.join(bundle, runtime.SPEC_FILE), encoding="utf-8") as stream:
            self.spec = json.load(stream)
        try:
            self.report = runtime.engine_report(self.submission_path, bundle, self.spec,
                                                os.path.join(autograder_dir, runtime.CACHE_DIR))
        except RuntimeError as error:
            self._fail(str(error))

    def before_execution(self, submission):
        import nbformat

        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NEUTRAL_CELL)])

    def after_grading(self, results):
        from otter.test_files import GradingResults
        from otter.test_files.abstract_test import TestCase, TestCaseResult
        from otter.test_files.exception_test import ExceptionTestFile

        files = []
        for question in sorted(self.spec["questions"], key=lambda entry: entry["id"]):
            cases, outcomes = [], []
            for case in question["cases"]:
                test_case = TestCase(name=case["name"], body=None, hidden=case["hidden"], points=case["points"],
                                     success_message=None, failure_message=None)
                verdict = runtime.find_verdict(self.report, question["id"], case["name"])
                passed = verdict is not None and verdict.get("status") == "passed"
                if passed:
                    message = "✅ Test case passed"
                elif verdict is None:
                    message = "❌ Test case failed\nthe grader reported no result for this test"
                else:
                    message = "❌ Test case failed\n" + runtime.verdict_message(verdict)
                cases.append(test_case)
                outcomes.append(TestCaseResult(test_case=test_case, message=message, passed=passed))
            test_file = ExceptionTestFile(question["id"], f"tests/{question['id']}.py", cases, all_or_nothing=False)
            test_file.test_case_results = outcomes
            files.append(test_file)
        # Every result is rebuilt from the engine's verdicts, through GradingResults' own constructor:
        # an error the kernel raised (it never ran the submission) is dropped with the kernel's results,
        # and otter has no public way to drop it otherwise.
        GradingResults.__init__(results, files, notebook=results.notebook)
        if self.report.get("output"):
            results.set_output(self.report["output"])
        results.set_plugin_data(PLUGIN_NAME, {
            "score": self.report.get("score"), "grading_status": self.report.get("grading_status")})

    def generate_report(self):
        if self.report is None:
            return None
        return (f"cnngrade engine: {self.report.get('score')} / {self.report.get('max_score')} "
                f"({self.report.get('grading_status')}); sandbox level: {self.report.get('sandbox')}; "
                "the kernel did not execute the submission.")
