"""Romanian codes and names: CNP, development regions and counties, ESF project codes, diacritics.

- :func:`parse_cnp`, :func:`is_valid_cnp`, :func:`cnp_check_digit` and the vectorised
  :func:`check_cnp_column` check personal numeric codes and read sex and birth date from them;
- :data:`REGIONS`, :data:`COUNTIES`, :func:`region`, :func:`county`, :func:`locate`,
  :func:`region_of` and :func:`category_of_region` map names and towns to NUTS-2 regions;
- :func:`parse_project_code` reads POSDRU, POCU and SMIS project codes;
- :func:`fix_diacritics`, :func:`fix_diacritics_series` and :func:`fold` handle Romanian text.

Every error is a :class:`RomanianCodeError` (an ``InclusionKitError`` and a ``ValueError``).
See ``docs/romanian-codes.md``.
"""

from inclusionkit.ro._cnp import (
    CNP,
    InvalidCNPError,
    Sex,
    check_cnp_column,
    cnp_check_digit,
    is_valid_cnp,
    parse_cnp,
)
from inclusionkit.ro._codes import (
    EXPECTED_FORMS,
    Programme,
    ProjectCode,
    ProjectCodeError,
    parse_project_code,
)
from inclusionkit.ro._geography import (
    COUNTIES,
    NUTS_VERSION,
    REGIONS,
    County,
    Region,
    RegionCategory,
    Town,
    UnknownRegionError,
    category_of_region,
    county,
    locate,
    region,
    region_of,
)
from inclusionkit.ro._text import RomanianCodeError, fix_diacritics, fix_diacritics_series, fold

__all__ = [
    "CNP",
    "COUNTIES",
    "EXPECTED_FORMS",
    "NUTS_VERSION",
    "REGIONS",
    "County",
    "InvalidCNPError",
    "Programme",
    "ProjectCode",
    "ProjectCodeError",
    "Region",
    "RegionCategory",
    "RomanianCodeError",
    "Sex",
    "Town",
    "UnknownRegionError",
    "category_of_region",
    "check_cnp_column",
    "cnp_check_digit",
    "county",
    "fix_diacritics",
    "fix_diacritics_series",
    "fold",
    "is_valid_cnp",
    "locate",
    "parse_cnp",
    "parse_project_code",
    "region",
    "region_of",
]
