"""Tests for the exception hierarchy and Problem formatting."""

from inclusionkit import InclusionKitError, Problem, ValidationError


def test_problem_str_names_file_location_and_column() -> None:
    """A problem renders as 'file, location, column: message'."""
    problem = Problem(
        code="cell.date", message="bad", source="a.csv", location="line 3", column="entry_date"
    )
    assert str(problem) == "a.csv, line 3, column 'entry_date': bad"


def test_validation_error_lists_every_problem() -> None:
    """A ValidationError's message counts and lists all of its problems."""
    problems = [Problem(code="x", message=f"problem {i}") for i in range(3)]
    error = ValidationError(problems, source="p.json")
    assert isinstance(error, InclusionKitError)
    assert "3 problems" in str(error)
    assert all(f"problem {i}" in str(error) for i in range(3))
