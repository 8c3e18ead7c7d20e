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


def test_every_exception_and_warning_lives_in_one_module() -> None:
    """Every exception and warning class of the package is defined in inclusionkit._errors
    (a code-specific RomanianCodeError subclass beside its data), and re-exported unchanged."""
    import ast
    from pathlib import Path

    import inclusionkit
    from inclusionkit import _errors, plugin, ro

    root = Path(inclusionkit.__file__).parent
    allowed_elsewhere = {"InvalidCNPError", "ProjectCodeError", "UnknownRegionError"}
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ClassDef)
                and not node.name.startswith("_")
                and node.name.endswith(("Error", "Warning", "Exception"))
            ):
                found.append((path.relative_to(root).as_posix(), node.name))
    outside = [
        (where, name)
        for where, name in found
        if where != "_errors.py" and name not in allowed_elsewhere
    ]
    assert outside == []
    for name in ("InclusionKitError", "ValidationError", "PluginError", "PluginWarning"):
        assert getattr(inclusionkit, name) is getattr(_errors, name)
        assert getattr(plugin, name) is getattr(_errors, name)
    assert ro.RomanianCodeError is _errors.RomanianCodeError
    assert issubclass(plugin.PluginWarning, inclusionkit.InclusionKitWarning)
    assert issubclass(plugin.ImporterWarning, inclusionkit.InclusionKitWarning)
