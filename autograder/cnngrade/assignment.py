"""The assignment definition (assignments/<id>/assignment.toml), read once, used everywhere."""

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS_DIR = PROJECT_ROOT / "assignments"


@dataclass(frozen=True)
class Question:
    id: str
    points: int
    functions: tuple
    title_ko: str
    title_en: str

    @property
    def title(self):
        return f"{self.title_ko} / {self.title_en}"


@dataclass(frozen=True)
class Limits:
    call_seconds: float
    retry_seconds: float
    import_seconds: float
    total_seconds: float
    memory_mb: int
    max_processes: int
    output_bytes: int
    file_mb: int


@dataclass(frozen=True)
class Assignment:
    id: str
    title_ko: str
    title_en: str
    submission_file: str
    source: Path  # the assignment.toml this was read from
    root: Path
    solution: Path
    template: Path
    hidden_tests: Path
    examples: Path
    truth: Path  # the module computing the hidden suite's expected values (suite/truth.py)
    known_bugs: object  # Path of the module of classic-bug variants (suite/diagnosis.py), or None
    limits: Limits
    forbidden_modules: tuple
    questions: tuple

    @property
    def total_points(self):
        return sum(question.points for question in self.questions)

    def question(self, question_id):
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def all_names(self):
        """Every function and constant the submission is asked to define."""
        return {name for question in self.questions for name in question.functions}

    @cached_property
    def question_of(self):
        return {name: question.id for question in self.questions for name in question.functions}

    def hidden_paths(self):
        """Directories the submission must never import from or read."""
        own = [self.solution.parent, self.hidden_tests, self.truth.parent]
        project = [self.root / name for name in ("autograder", "solutions", "tests", "assignments")]
        return tuple(dict.fromkeys(own + project))


def the_only_assignment():
    """The project's assignment when assignments/ holds exactly one (else name it)."""
    found = sorted(path.parent for path in ASSIGNMENTS_DIR.glob("*/assignment.toml"))
    if len(found) != 1:
        raise ValueError(f"{ASSIGNMENTS_DIR} holds {len(found)} assignments; name one with --assignment")
    return found[0]


def load(name_or_path=None):
    """Load an assignment by id (a folder of assignments/), by its folder or by its TOML file;
    by default the project's only one.

    Its paths are relative to ``root`` (relative to the TOML file's folder; default: that folder)."""
    path = Path(name_or_path if name_or_path is not None else the_only_assignment())
    if path.is_dir():
        path = path / "assignment.toml"
    elif not path.suffix:
        path = ASSIGNMENTS_DIR / str(name_or_path) / "assignment.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    meta = data["assignment"]
    root = (path.parent / meta.get("root", ".")).resolve()
    questions = tuple(
        Question(q["id"], int(q["points"]), tuple(q["functions"]), q["title_ko"], q["title_en"])
        for q in data["questions"]
    )
    ids = [question.id for question in questions]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate question ids")
    return Assignment(
        id=meta["id"], title_ko=meta["title_ko"], title_en=meta["title_en"],
        submission_file=meta["submission_file"], source=path.resolve(), root=root,
        solution=root / meta["solution"], template=root / meta["template"],
        hidden_tests=root / meta["hidden_tests"], examples=root / meta["examples"],
        truth=root / meta["truth"], known_bugs=root / meta["known_bugs"] if "known_bugs" in meta else None,
        limits=Limits(**data["limits"]),
        forbidden_modules=tuple(data["integrity"]["forbidden_modules"]),
        questions=questions,
    )
