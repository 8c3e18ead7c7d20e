"""The crosswalk between the indicator sets of 2007-2013, 2014-2020 and 2021-2027."""

from __future__ import annotations

from inclusionkit import _contract
from inclusionkit._pandas import pd
from inclusionkit._rules._ruleset import read_builtin

CROSSWALK_COLUMNS: tuple[str, ...] = (
    "concept",
    "esf_2007",
    "esf_2014",
    "esf_2021",
    "fidelity",
    "note",
)
FIDELITIES: tuple[str, ...] = ("exact", "approximate", "none")


def crosswalk() -> pd.DataFrame:
    """One row per concept: its indicator in each period and how faithfully they correspond.

    Columns: ``concept``, ``esf_2007`` / ``esf_2014`` / ``esf_2021`` (indicator codes of the
    ``esf-2007``, ``esf-2014`` and ``esf-2021`` rule sets; ``A + B`` is a sum, ``A - B`` a
    difference; missing when the period has no such indicator), ``fidelity`` (``exact``,
    ``approximate`` or ``none``) and ``note`` (the caveat). Source: the project's research notes
    (``esf-indicators.md`` section 4).
    """
    document = read_builtin("crosswalk")
    frame = pd.DataFrame(document["rows"], columns=list(CROSSWALK_COLUMNS))
    frame["note"] = frame["note"].replace("", None)
    return frame.astype(dict.fromkeys(CROSSWALK_COLUMNS, _contract.DTYPES["project_code"]))
