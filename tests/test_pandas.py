"""pandas imported on first use: ``inclusionkit._pandas`` and the modules that use it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pandas
import pytest

import inclusionkit
from inclusionkit import _contract, _participations
from inclusionkit._pandas import import_in_background, is_frame, pd

PACKAGE = Path(inclusionkit.__file__).parent
PLUGINS = Path(__file__).parents[1] / "plugins"


def _fresh(code: str) -> str:
    """What ``code`` prints in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _pandas_imports_outside_type_checking(path: Path) -> list[int]:
    """The lines of ``path`` that import pandas other than for mypy (``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # what mypy alone sees is not imported
    return [
        node.lineno
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Import)
            and any(alias.name.split(".")[0] == "pandas" for alias in node.names)
        )
        or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pandas")
    ]


def test_no_module_of_the_package_imports_pandas_itself() -> None:
    """Every module of the package reaches pandas through ``inclusionkit._pandas`` (imported on
    first use), never by an import of its own."""
    offenders = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_pandas.py" and (lines := _pandas_imports_outside_type_checking(path))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "module",
    [
        "inclusionkit_html/__init__.py",
        "inclusionkit_html/_options.py",
        "inclusionkit_plugin_example/__init__.py",
    ],
)
def test_plugins_loaded_by_every_command_import_pandas_when_they_write(module: str) -> None:
    """The plugins every command registers import pandas inside the functions that write, not
    at their top (registering them costs no pandas import)."""
    path = next(PLUGINS.glob(f"*/src/{module}"))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = [
        node
        for node in tree.body
        if isinstance(node, ast.Import) and any(a.name.startswith("pandas") for a in node.names)
    ]
    assert top == []


def test_pd_is_pandas_once_used() -> None:
    """``pd``'s names are pandas' own objects."""
    assert pd.DataFrame is pandas.DataFrame
    assert pd.api.types.is_string_dtype is pandas.api.types.is_string_dtype
    assert pd.testing.assert_frame_equal is pandas.testing.assert_frame_equal


def test_a_name_pandas_lacks_is_an_attribute_error() -> None:
    """A name pandas does not have raises AttributeError, as pandas itself would."""
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = pd.no_such_name  # type: ignore[attr-defined]


def test_importing_the_library_and_using_pd_nowhere_imports_no_pandas() -> None:
    """Importing the participation table's module, its contract and the engine imports no
    pandas: the first use of ``pd`` does."""
    printed = _fresh(
        "import sys\n"
        "import inclusionkit._participations, inclusionkit._rules._report\n"
        "from inclusionkit._pandas import pd\n"
        "before = 'pandas' in sys.modules\n"
        "pd.DataFrame\n"
        "print(before, 'pandas' in sys.modules)"
    )
    assert printed.split() == ["False", "True"]


def test_is_frame_tells_a_frame_without_importing_pandas() -> None:
    """``is_frame`` is true of a DataFrame only, and asking about anything else imports no
    pandas."""
    assert is_frame(pandas.DataFrame({"a": [1]}))
    assert not is_frame(pandas.Series([1]))
    assert not is_frame("participations.csv")
    printed = _fresh(
        "import sys\n"
        "from inclusionkit._pandas import is_frame\n"
        "print(is_frame('x.csv'), 'pandas' in sys.modules)"
    )
    assert printed.split() == ["False", "False"]


def test_import_in_background_imports_pandas_on_a_thread() -> None:
    """In a fresh process the import runs on its own thread and pandas is whole once it ends;
    with pandas imported already there is no thread."""
    printed = _fresh(
        "import sys\n"
        "from inclusionkit._pandas import import_in_background, pd\n"
        "thread = import_in_background()\n"
        "frame = pd.DataFrame({'a': [1, 2]})\n"  # waits for the thread's import, not a second
        "thread.join()\n"
        "print(thread.name, int(frame['a'].sum()), 'pandas' in sys.modules)"
    )
    assert printed.split() == ["inclusionkit-import-pandas", "3", "True"]
    assert import_in_background() is None


def test_the_contract_dtypes_are_made_on_first_use() -> None:
    """The contract's pandas dtypes are pandas' canonical ones, one set of objects whichever
    module hands them out."""
    assert pandas.StringDtype("pyarrow") == _contract.STRING_DTYPE
    assert _contract.DTYPES["participant_id"] is _contract.STRING_DTYPE
    assert _contract.DTYPES["birth_date"] == _contract.DATE_DTYPE
    assert _contract.PANDAS_DTYPES["bool"] == pandas.BooleanDtype()
    assert _participations.DTYPES is _contract.DTYPES
    assert inclusionkit.DTYPES is _contract.DTYPES
    assert set(_contract.DTYPES) == set(_contract.COLUMN_NAMES)


def test_a_name_the_contract_lacks_is_an_attribute_error() -> None:
    """The contract's lazy names are the only ones made on demand."""
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = _contract.no_such_name  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = _participations.no_such_name  # type: ignore[attr-defined]
