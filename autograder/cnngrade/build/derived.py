"""Sources made from a base file plus a small change: bundled examples and the project's test fixtures.

A change is written once, as the lines it changes, instead of a copy of the whole file:

    # base: loops_student
    # <<< replace
    <lines of the base, verbatim, found exactly once>
    # === with
    <the lines that take their place>
    # >>>

``# base:`` names a bundled example (a file of the assignment's examples folder, without
``.py``); without it the base is the reference solution. Lines outside the replace blocks
(headers, functions that override the base's) are kept apart as the change's ``rest``.

``python -m cnngrade.build.derived [--check]`` writes (or checks) every bundled example that
has a change in ``assignments/<id>/example_changes/``: such an example stays a real file that
students and instructors can read, and a test fails when the committed file is stale.
"""

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import assignment as assignment_module

REPLACE, WITH, END = "# <<< replace", "# === with", "# >>>"
_BASE = re.compile(r"^#\s*base:\s*(\S+)\s*$")
CHANGES_FOLDER = "example_changes"
CHANGE_SUFFIX = ".change"


@dataclass(frozen=True)
class Change:
    base: str | None  # a bundled example's name, or None for the reference solution
    edits: tuple  # (old, new) text pairs, applied in order
    rest: str  # every line outside the replace blocks

    def base_path(self, definition):
        if self.base is None:
            return Path(definition.solution)
        return Path(definition.examples) / f"{self.base}.py"

    def apply(self, base_text, origin):
        """The base with every edit made; an edit whose text is not in the base exactly once is refused."""
        text = base_text
        for old, new in self.edits:
            found = text.count(old)
            if found != 1:
                first = old.strip().splitlines()[0] if old.strip() else "(empty)"
                raise ValueError(f"{origin}: the text to replace starting {first!r} occurs {found} times "
                                 f"in its base {self.base or 'reference solution'} (must be once)")
            text = text.replace(old, new)
        return text


def parse(text, origin):
    """Read a change; malformed blocks are refused with the line where they go wrong."""
    base, edits, rest = None, [], []
    old = new = None
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        marker = line.rstrip()
        if marker == REPLACE and old is None:
            old = []
        elif marker == WITH and old is not None and new is None:
            new = []
        elif marker == END and new is not None:
            edits.append(("".join(old), "".join(new)))
            old = new = None
        elif marker in (REPLACE, WITH, END):
            raise ValueError(f"{origin}:{number}: {marker!r} out of order")
        elif new is not None:
            new.append(line)
        elif old is not None:
            old.append(line)
        else:
            match = _BASE.match(marker)
            if match:
                base = match.group(1)
            rest.append(line)
    if old is not None:
        raise ValueError(f"{origin}: a {REPLACE!r} block is not closed by {END!r}")
    return Change(base, tuple(edits), "".join(rest))


def example_changes(definition):
    """{path of the generated example: its change file} for the assignment's examples."""
    folder = Path(definition.examples).parent / CHANGES_FOLDER
    return {Path(definition.examples) / f"{path.stem}.py": path
            for path in sorted(folder.glob(f"*{CHANGE_SUFFIX}"))}


def render_example(definition, change_path):
    change = parse(change_path.read_text(encoding="utf-8"), change_path)
    if change.base is None:
        raise ValueError(f"{change_path}: an example's change names its base (# base: <example>)")
    if any(line.strip() and not line.lstrip().startswith("#") for line in change.rest.splitlines()):
        raise ValueError(f"{change_path}: only comments may stand outside the replace blocks")
    return change.apply(change.base_path(definition).read_text(encoding="utf-8"), change_path)


def stale_examples(definition):
    return [target for target, change_path in example_changes(definition).items()
            if not target.exists() or target.read_text(encoding="utf-8") != render_example(definition, change_path)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cnngrade.build.derived", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", default=assignment_module.DEFAULT_ASSIGNMENT)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed example is stale")
    args = parser.parse_args(argv)
    definition = assignment_module.load(args.assignment)
    if args.check:
        stale = stale_examples(definition)
        for target in stale:
            print(f"{target} is stale: run `python -m cnngrade.build.derived`", file=sys.stderr)
        return 1 if stale else 0
    for target, change_path in example_changes(definition).items():
        target.write_text(render_example(definition, change_path), encoding="utf-8")
        print(f"wrote {target} from {change_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
