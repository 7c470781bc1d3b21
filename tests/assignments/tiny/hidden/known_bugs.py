"""The tiny assignment's one classic bug."""

from cnngrade.suite.diagnosis import KnownBugs, rerun

KNOWN_BUGS = KnownBugs()


@KNOWN_BUGS.variant("softmax", "wrong_axis", "다른 축으로 정규화했나요?", "Did you normalise over another axis?")
def _softmax_other_axis(ref, a):
    if a["x"].ndim < 2:
        return None
    return rerun(ref.softmax, a, axis=0 if a["axis"] in (-1, a["x"].ndim - 1) else -1)
