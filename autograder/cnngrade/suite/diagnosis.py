"""Known bugs: recognise a classic mistake by replaying a failed call through its variants.

An assignment's known-bugs module (named in assignment.toml) fills a ``KnownBugs`` registry::

    KNOWN_BUGS = KnownBugs()

    @KNOWN_BUGS.variant("conv2d_forward", "kernel_flipped", "커널을 뒤집었나요? ...", "Did you flip ...?")
    def _flipped(ref, a):
        return rerun(ref.conv2d_forward, a, weight=a["weight"][..., ::-1, ::-1])

When a hidden test fails on a wrong value, the grader (in its own process, with the trusted
reference solution) recomputes the same call as each variant would. If the student's answer
matches one, the feedback names the bug in Korean and English, without revealing the hidden input
or the expected values.
"""

import inspect
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KnownBug:
    id: str
    function: str
    korean: str
    english: str
    compute: object

    @property
    def hint(self):
        return f"진단: {self.korean}\nDiagnosis: {self.english}"


def rerun(function, arguments, **changes):
    """``function`` called with the failed call's bound arguments, some changed: those of them it
    takes, so a variant of a backward pass can rerun the forward pass with the same options."""
    merged = {**arguments, **changes}
    return function(**{name: merged[name] for name in inspect.signature(function).parameters if name in merged})


def _same(actual, candidate):
    if isinstance(candidate, tuple) and isinstance(actual, tuple):
        return len(actual) == len(candidate) and all(_same(a, c) for a, c in zip(actual, candidate))
    if isinstance(candidate, np.ndarray) or isinstance(actual, np.ndarray):
        actual, candidate = np.asarray(actual), np.asarray(candidate)
        return (actual.shape == candidate.shape and actual.dtype.kind in "fiu"
                and np.allclose(actual.astype(float), candidate.astype(float), rtol=1e-6, atol=1e-8))
    return actual == candidate


class KnownBugs:
    """The variants of an assignment's functions, by function name."""

    def __init__(self):
        self.variants = {}

    def variant(self, function, bug_id, korean, english):
        """Register ``compute(ref, arguments)``: what ``function`` returns with this bug, or None
        when the bug makes no difference for these arguments."""

        def register(compute):
            self.variants.setdefault(function, []).append(KnownBug(bug_id, function, korean, english, compute))
            return compute

        return register

    def ids(self):
        return {bug.id for bugs in self.variants.values() for bug in bugs}

    def diagnose(self, reference, function, args, kwargs, actual):
        """The known bug whose output equals the student's ``actual`` for this call, or None."""
        variants = self.variants.get(function, [])
        if not variants:
            return None
        try:
            bound = inspect.signature(getattr(reference, function)).bind(*args, **kwargs)
        except TypeError:
            return None
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        correct = getattr(reference, function)(**arguments)
        for bug in variants:
            try:
                candidate = bug.compute(reference, arguments)
            except Exception:  # a variant that does not apply to this input
                continue
            if candidate is not None and not _same(correct, candidate) and _same(actual, candidate):
                return bug
        return None


NO_KNOWN_BUGS = KnownBugs()
