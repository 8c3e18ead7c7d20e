"""The register: a project database remembering every import, every correction, every report.

:func:`init_register` creates one (an owner-only SQLite file, or the tables in a PostgreSQL
database given by URL), :func:`open_register` opens one (running pending migrations), and a
:class:`Register` imports partners' tables (:meth:`Register.import_table`), lists the imports
and the history of changes, exports the participations and gives them to the one engine
(``inclusionkit.read("registru.db", kind="participations")``). See ``docs/register.md``.
"""

from inclusionkit._register._store import (
    REGISTER_SUFFIXES,
    ImportResult,
    Register,
    ReportDiff,
    init_register,
    is_register,
    open_register,
    period_end,
)

__all__ = [
    "REGISTER_SUFFIXES",
    "ImportResult",
    "Register",
    "ReportDiff",
    "init_register",
    "is_register",
    "open_register",
    "period_end",
]
