"""Deferred texts: English for programs, said in the reader's language where they are shown."""

from __future__ import annotations

import pickle

from inclusionkit._errors import Problem
from inclusionkit._i18n import Deferred, deferred, using_language
from inclusionkit._ingest._mapping import missing_problem, unmapped_problem
from inclusionkit._problems import describe


def test_a_deferred_text_is_its_english() -> None:
    """Its value is the English with the placeholders filled, whatever the run's language."""
    with using_language("ro"):
        text = deferred("the header {header!r} has no letters or digits to match on", header="-")
    assert text == "the header '-' has no letters or digits to match on"
    assert (
        text.in_language("ro") == "antetul '-' nu are litere sau cifre după care să fie recunoscut"
    )


def test_fields_that_are_deferred_are_said_in_the_same_language() -> None:
    """A hint inside a message is translated with it; a plain value is kept as written."""
    problem = missing_problem("gender", None, source="r.csv", location="line 1")
    assert isinstance(problem.message, Deferred)
    assert problem.message.in_language("ro").startswith("lipsește coloana canonică 'gender'")
    unmapped = unmapped_problem("Gen persoana", "", None, source="r.csv", location="line 1")
    assert "cele mai apropiate nume canonice" in unmapped.message.in_language("ro")  # type: ignore[attr-defined]


def test_describe_says_a_deferred_message_in_romanian() -> None:
    """describe() gives the place and the whole message in Romanian, and str() stays English."""
    problem = Problem(
        code="column.missing",
        message=deferred(
            "the canonical column {column!r} is missing{hint}; add it or map yours "
            "in a mapping file{extra}",
            column="isced",
            hint="",
            extra="",
        ),
        source="r.csv",
        location="line 1",
        column="isced",
    )
    assert describe(problem, "ro") == (
        "r.csv, linia 1, coloana 'isced': lipsește coloana canonică 'isced'; adăugați-o sau "
        "puneți-o în corespondență cu a dumneavoastră într-un fișier de corespondență"
    )
    assert str(problem).startswith("r.csv, line 1, column 'isced': the canonical column")


def test_a_deferred_text_survives_pickling() -> None:
    """A problem sent to another process keeps its translation."""
    text = pickle.loads(pickle.dumps(deferred("tables")))
    assert isinstance(text, Deferred)
    assert text.in_language("ro") == "tabele"
