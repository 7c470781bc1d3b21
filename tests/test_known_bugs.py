"""The bug diagnosis recognises classic mistakes and never accuses a correct answer."""

import numpy as np
import pytest

from cnngrade.grading import load_known_bugs, load_reference
from conftest import load_fixtures


@pytest.fixture(scope="module")
def ref(definition):
    return load_reference(str(definition.solution))


@pytest.fixture(scope="module")
def known_bugs(definition):
    return load_known_bugs(definition)


def test_every_fixture_diagnosis_names_a_registered_variant(definition, known_bugs):
    named = {fixture.diagnosis for fixture in load_fixtures("buggy", definition) if fixture.diagnosis}
    assert named and named <= known_bugs.ids()


def test_correct_answers_are_never_diagnosed(ref, known_bugs):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 2, 7, 6)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    for options in [dict(stride=2, padding=(1, 0)), dict(padding="same"), dict(dilation=2)]:
        right = ref.conv2d_forward(x, w, b, **options)
        assert known_bugs.diagnose(ref, "conv2d_forward", (x, w, b), options, right) is None


@pytest.mark.parametrize("kwargs, buggy, bug_id", [
    ({"stride": 1}, lambda r, x, w, b: r.conv2d_forward(x, w[..., ::-1, ::-1], b), "kernel_flipped"),
    ({"padding": (2, 0)}, lambda r, x, w, b: r.conv2d_forward(x, w, b, padding=(0, 2)), "padding_axes_swapped"),
    ({"stride": 2}, lambda r, x, w, b: r.conv2d_forward(x, w, b), "stride_ignored"),
    ({"dilation": 2}, lambda r, x, w, b: r.conv2d_forward(x, w, b), "dilation_ignored"),
    ({"padding": 1}, lambda r, x, w, b: r.conv2d_forward(x, w, None, padding=1), "bias_ignored"),
])
def test_conv_bugs_are_named(ref, known_bugs, kwargs, buggy, bug_id):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 2, 8, 8)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    bug = known_bugs.diagnose(ref, "conv2d_forward", (x, w, b), kwargs, buggy(ref, x, w, b))
    assert bug is not None and bug.id == bug_id
    assert "진단" in bug.hint and "Diagnosis" in bug.hint


def test_max_pool_tie_bug_is_named(ref, known_bugs):
    x = np.zeros((1, 1, 4, 4))
    dout = np.ones((1, 1, 2, 2))
    all_ties = np.full_like(x, 1.0)
    bug = known_bugs.diagnose(ref, "max_pool2d_backward", (dout, x, 2), {}, all_ties)
    assert bug is not None and bug.id == "all_tied_maxima"
