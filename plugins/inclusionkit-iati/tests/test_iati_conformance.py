"""The IATI 2.03 conformance corpus: every should-pass file imports, no should-fail file crashes.

The corpus lives outside the repository, in ``../shared/conformance/iati-2.03/`` beside the
repository root. Without it these tests are skipped, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inclusionkit_iati import read_iati, schema_errors
from inclusionkit_iati._import import parse_safely
from inclusionkit_iati._validate import XSD_DIR

from inclusionkit import (
    InclusionKitError,
    Project,
    ValidationError,
    load_project,
    project_to_dict,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = (REPO_ROOT / "../shared/conformance/iati-2.03").resolve()
NO_CORPUS = f"the IATI 2.03 conformance corpus is not at {CORPUS}"


def _files(folder: str) -> list[Path]:
    return sorted((CORPUS / folder).glob("*.xml")) if CORPUS.is_dir() else []


def _params(folder: str) -> list[object]:
    files = _files(folder)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS), id="no-corpus")]
    return [pytest.param(path, id=path.name) for path in files]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)
@pytest.mark.parametrize("name", ["iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd"])
def test_shipped_xsd_is_the_official_copy(name: str) -> None:
    """The XSD shipped in the package is byte for byte the corpus's official 2.03 schema."""
    assert (XSD_DIR / name).read_bytes() == (CORPUS / name).read_bytes()


@pytest.mark.parametrize("path", _params("should-pass"))
def test_should_pass_file_imports(path: Path) -> None:
    """A should-pass file imports as at least one project that is valid but for its code."""
    _, root = parse_safely(path)
    assert schema_errors(root) == []  # the corpus is what it says, and our validator agrees
    result = read_iati(path)
    assert result.projects
    for project in result.projects:
        problems = _problems(project)
        # IATI activities are mostly not ESF projects: an unknown project code is the one
        # problem an import may leave, and it is a warning.
        assert problems <= {"project.code"}
        if problems:
            assert any("project code" in w for w in result.warnings)


@pytest.mark.parametrize("path", _params("should-fail"))
def test_should_fail_file_is_refused_or_warned(path: Path) -> None:
    """A should-fail file gives a clear InclusionKitError or projects with warnings, no crash."""
    error: str | None = None
    try:
        result = read_iati(path)
    except InclusionKitError as exc:
        error = str(exc)
    if error is not None:
        assert error.startswith(f"{path}: ")  # the message names the file
        return
    assert result.projects
    assert result.warnings
    # Whatever else was guessed, the file's own invalidity is reported.
    assert any("not valid against the IATI 2.03 schema" in w for w in result.warnings)


def _problems(project: Project) -> set[str]:
    try:
        load_project(project_to_dict(project))
    except ValidationError as exc:
        return {problem.code for problem in exc.problems}
    return set()


@pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)
def test_corpus_outcomes_are_counted() -> None:
    """Every should-pass file gives projects; should-fail files are mostly read with warnings."""
    passed = [read_iati(path) for path in _files("should-pass")]
    assert len(passed) == len(_files("should-pass")) > 0
    refused = 0
    for path in _files("should-fail"):
        try:
            read_iati(path)
        except InclusionKitError:
            refused += 1
    # The schema's should-fail cases are mostly one wrong element in an otherwise fine activity:
    # leniency means most still import. Files without an activity, a date or well-formed XML
    # cannot.
    assert 0 < refused < len(_files("should-fail")) // 10
