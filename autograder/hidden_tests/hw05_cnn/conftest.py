"""Settings shared by the hidden suite. Fixtures (submission, reference, rng) come from the
grading plugin, so this suite runs only under the grader, never against an unisolated import."""

from hypothesis import HealthCheck, Phase, settings

# Derandomized and bounded: the same submission always gets the same cases, no shrinking
# (a shrinking run would call a hanging submission again and again).
settings.register_profile(
    "grading",
    derandomize=True,
    max_examples=15,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("grading")
