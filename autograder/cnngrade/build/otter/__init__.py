"""``cnn-grade build-otter OUT_DIR``: an otter-grader 7 ``autograder.zip`` that scores like ``cnn-grade``.

What is in the zip::

    tests/<question_id>.py     one otter test file per question (exception format, OK_FORMAT = False),
                               one @test_case per hidden pytest test, same points, hidden unless "visible"
    tests/_runtime/            runtime.py (what the test files call) and spec.json (its settings)
    files/cnngrade_bundle/     the engine: autograder/cnngrade, the hidden suite, the reference solution,
                               assignments/<id>/ and otter_spec.json (the test cases, for the plugin)
    otter_config.json, requirements.txt, environment.yml, setup.sh, run_autograder, run_otter.py

The modules, one job each: ``runtime`` (runs in the grading environment: manifests, the engine run,
verdicts), ``test_files`` (the zip's tests/), ``collect`` (the hidden suite as test cases),
``environment`` (requirements, environment.yml, setup.sh), ``entry_points`` (run_autograder,
run_otter.py), ``plugin`` (:class:`~.plugin.EnginePlugin`), ``archive`` (the zip), ``local_run``
(the container's way without a container; ``python -m cnngrade.build.otter``). This file imports
none of them: the container imports ``plugin`` (and so ``runtime``) alone, with no pytest and no engine.

Where the verdicts come from. Every test case looks its verdict up in ONE isolated engine run on the
submission file (``python -m cnngrade.cli grade SUBMISSION --json /dev/fd/N``, the bundle on
PYTHONPATH), cached under ``<autograder>/cnngrade_otter/<sha256 of the submission>.json``. The engine
compares in its own process and runs the student's code only in its worker, so patching numpy or
pytest in the submission changes nothing. The JSON comes back through a pipe, not a file, so no
process of the student can overwrite it.

Two modes, one zip:

* ``otter run`` (no plugin; otter's CLI cannot import one from the zip): otter first executes the
  submission in a Jupyter kernel, then loads the test files in that same kernel; they verify the
  bundle against a digest taken at build time and run the engine. NOT protected against a deliberate
  attack: code that runs in the kernel before the tests can rewrite the tests or the bundle, forge the
  cache, or patch otter itself (its Checker, GradingResults, the results pickle). The digest only catches
  accidental changes. A hang or ``os._exit`` at import hangs or kills otter's kernel.
* Gradescope and ``otter grade`` (the container runs ``run_otter.py``, which puts the bundle on sys.path
  and registers :class:`~.plugin.EnginePlugin`): in the otter process, before any student code runs, the plugin
  checks the bundle and tests/ against digests kept in run_otter.py, runs the engine (before_grading),
  replaces the submission by an empty notebook so that the kernel never runs student code
  (before_execution), and rebuilds every result from the engine's verdicts (after_grading). The only
  process that runs student code is the engine's worker; what it can still do (it runs as the same
  user, with no filesystem isolation) is the engine's sandbox's business.
"""
