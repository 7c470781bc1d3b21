"""The one report of a graded submission, and its exact plain-data form.

Every output format (terminal table, results.json, feedback.md, JUnit, grades.csv, class summary)
is made from a ``GradeReport``. A batch stores ``to_dict()`` next to the outputs, and a resumed batch
reads it back with ``from_dict()``: ``GradeReport.from_dict(report.to_dict()) == report``, so the
class outputs of a resumed batch are those of a fresh one.
"""

from dataclasses import asdict, dataclass, field, fields


@dataclass
class TestOutcome:
    __test__ = False  # not a pytest test class, whatever its name

    nodeid: str
    name: str
    question: str
    points: float
    visibility: str
    status: str = "pending"  # pending (collected, not run: earns nothing) | passed | failed | error
    message: str = ""
    summary: str = ""  # one line for tables
    fault: str = ""  # the SubmissionFault kind when the submission's call failed
    diagnosis: str = ""  # the id of the known bug the answer matched (known_bugs.py)
    duration: float = 0.0
    detail: str = ""  # what was wrong, without the hint (Korean line, English line)
    hint: str = ""  # the test's hint, shared by the cases of one question
    bug_hint: str = ""  # the diagnosis of the matched known bug
    requires: tuple = ()  # node ids of the value tests this test's points depend on

    @property
    def earned(self):
        return self.points if self.status == "passed" else 0.0

    @classmethod
    def from_dict(cls, data):
        return cls(**dict(data, requires=tuple(data["requires"])))


@dataclass
class QuestionScore:
    id: str
    title: str
    score: float
    max_score: float


@dataclass
class GradeReport:
    """Everything known about one graded submission; every output format is made from this."""

    submission: str
    assignment_id: str
    tests: list  # TestOutcome, in suite order
    questions: list  # QuestionScore, in the order of assignment.toml
    execution_time: float
    import_error: str = ""
    # The worker's stdout/stderr, capped at the assignment's output_bytes. For the instructor only
    # (results.json ``submission_output``): a submission may print the hidden inputs it was given.
    output: str = ""
    grader_errors: list = field(default_factory=list)
    integrity: list = field(default_factory=list)  # integrity.scan findings (dicts)
    sandbox: str = ""  # isolation.level(): the mechanisms in force, e.g. landlock-7+uid+mntns+netns, or process
    notes: list = field(default_factory=list)  # bilingual notes for the student (e.g. "save as UTF-8")

    @property
    def score(self):
        return sum(question.score for question in self.questions)

    @property
    def max_score(self):
        return sum(question.max_score for question in self.questions)

    def question_score(self, question_id):
        return next(question.score for question in self.questions if question.id == question_id)

    @property
    def status(self):
        if self.grader_errors:
            return "grader_error"
        return "import_error" if self.import_error else "graded"

    def to_dict(self):
        """Plain JSON data; ``from_dict`` gives back an equal report."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        known = {item.name for item in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"not fields of a GradeReport: {sorted(unknown)}")
        return cls(**dict(data, tests=[TestOutcome.from_dict(test) for test in data["tests"]],
                          questions=[QuestionScore(**question) for question in data["questions"]]))
