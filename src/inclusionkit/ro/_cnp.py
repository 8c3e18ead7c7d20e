"""The Romanian personal numeric code (CNP, Cod Numeric Personal): validity, sex and birth date.

Structure (esf-indicators.md §5.3): 13 digits ``S AA LL ZZ JJ NNN C``. ``S`` gives sex and
century, ``AA LL ZZ`` the birth date, ``JJ`` the county code, ``NNN`` a serial number and ``C``
the check digit. :func:`parse_cnp` checks one value and :func:`check_cnp_column` a whole column
with the same rules, vectorised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs
import numpy as np
import pyarrow as pa

from inclusionkit._pandas import pd
from inclusionkit.ro._geography import COUNTIES
from inclusionkit.ro._text import RomanianCodeError

Sex = Literal["male", "female"]
"""The sex a CNP encodes: an odd first digit is male, an even one female (9 encodes neither)."""

_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)

# Century of the birth year by first digit; 7, 8 and 9 (foreigners) do not encode it.
_CENTURY: dict[int, int | None] = {
    1: 1900,
    2: 1900,
    3: 1800,
    4: 1800,
    5: 2000,
    6: 2000,
    7: None,
    8: None,
    9: None,
}

# 70 ("any county") and 80-83 ("unknown") are accepted the way python-stdnum accepts them, but
# they name no county, so CNP.county is None for them: that None is the flag.
_PLACEHOLDER_COUNTY_CODES = ("70", "80", "81", "82", "83")
_COUNTY_BY_CNP_CODE: dict[str, str | None] = {
    **{code: item.name for item in COUNTIES.values() for code in item.cnp_codes},
    **dict.fromkeys(_PLACEHOLDER_COUNTY_CODES),
}
# București sectors 7 and 8 were abolished on 19 December 1979, so only earlier births carry them.
_ABOLISHED_SECTOR_CODES = ("47", "48")
_SECTORS_ABOLISHED = dt.date(1979, 12, 19)


class InvalidCNPError(RomanianCodeError):
    """A CNP failed a check; ``reason`` names the first check that failed.

    Reasons, in the order they are checked: ``"missing"`` (empty), ``"length"`` (not 13
    characters), ``"digits"`` (13 characters, not all digits), ``"century_digit"`` (first digit
    0), ``"date"`` (no valid birth date, or one in the future), ``"county"`` (unknown county
    code) and ``"check_digit"``.
    """

    def __init__(self, value: object, *, reason: str, detail: str) -> None:
        self.detail = detail
        super().__init__(f"invalid CNP {value!r}: {detail}", value=value, reason=reason)


@attrs.frozen(kw_only=True)
class CNP:
    """A valid CNP and what it encodes.

    ``county`` is the county of birth (or of residence when the code was issued), never the
    current residence; it is ``None`` for the placeholder codes 70 and 80-83. ``sex`` is ``None``
    for first digit 9. For foreigners (first digit 7, 8 or 9) the century of ``birth_date`` is
    inferred, see :attr:`foreign`.
    """

    value: str
    sex: Sex | None
    birth_date: dt.date
    county_code: str
    county: str | None
    serial: str

    @property
    def foreign(self) -> bool:
        """Whether the code belongs to a foreign resident or foreigner (first digit 7, 8 or 9).

        Their CNP does not encode the century, so the birth year is the latest of 19AA and 20AA
        that is a valid date not in the future: right for children, wrong for someone over 100.
        """
        return self.value[0] in "789"


def cnp_check_digit(first12: str) -> str:
    """Return the check digit (``"0"``-``"9"``) for the first 12 digits of a CNP.

    Raises :class:`InvalidCNPError` (reason ``"length"`` or ``"digits"``) unless ``first12``
    is exactly 12 ASCII digits.
    """
    if len(first12) != 12:
        detail = f"expected the first 12 digits, got {len(first12)} characters"
        raise InvalidCNPError(first12, reason="length", detail=detail)
    if not (first12.isascii() and first12.isdigit()):
        raise InvalidCNPError(first12, reason="digits", detail="expected only the digits 0-9")
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(first12, _WEIGHTS, strict=True)) % 11
    )
    return "1" if remainder == 10 else str(remainder)


def _birth_date(first: int, yymmdd: str, today: dt.date) -> dt.date | None:
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = _CENTURY[first]
    # A foreigner's century is unknown, so try the recent one first: most are young adults.
    centuries = (century,) if century is not None else (2000, 1900)
    for candidate in centuries:
        try:
            born = dt.date(candidate + year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born
    return None


def parse_cnp(value: str, *, today: dt.date | None = None) -> CNP:
    """Check a CNP and return what it encodes; surrounding whitespace is ignored.

    ``today`` (default: the current date) bounds the birth date: a date after it is invalid,
    and for foreigners it decides the century. Raises :class:`InvalidCNPError` whose ``reason``
    names the first failed check.
    """
    if not isinstance(value, str):
        raise TypeError(f"a CNP must be a str, not {type(value).__name__}: {value!r}")
    text = value.strip()
    if not text:
        raise InvalidCNPError(value, reason="missing", detail="the value is empty")
    if len(text) != 13:
        detail = f"expected 13 digits, got {len(text)} characters"
        raise InvalidCNPError(value, reason="length", detail=detail)
    if not (text.isascii() and text.isdigit()):
        raise InvalidCNPError(value, reason="digits", detail="expected only the digits 0-9")
    first = int(text[0])
    if first == 0:
        detail = "the first digit (sex and century) must be 1-9, not 0"
        raise InvalidCNPError(value, reason="century_digit", detail=detail)
    born = _birth_date(first, text[1:7], today or dt.date.today())
    if born is None:
        detail = f"{text[1:7]!r} (YYMMDD) is not a valid birth date up to today"
        raise InvalidCNPError(value, reason="date", detail=detail)
    county_code = text[7:9]
    if county_code not in _COUNTY_BY_CNP_CODE:
        detail = f"{county_code!r} is not a county code"
        raise InvalidCNPError(value, reason="county", detail=detail)
    if county_code in _ABOLISHED_SECTOR_CODES and born >= _SECTORS_ABOLISHED:
        detail = (
            f"county code {county_code!r} (București sector {county_code[1]}) was abolished on "
            f"{_SECTORS_ABOLISHED.isoformat()}, before the birth date {born.isoformat()}"
        )
        raise InvalidCNPError(value, reason="county", detail=detail)
    expected = cnp_check_digit(text[:12])
    if text[12] != expected:
        detail = f"the check digit is {text[12]}, expected {expected}"
        raise InvalidCNPError(value, reason="check_digit", detail=detail)
    sex: Sex | None = None if first == 9 else ("male" if first % 2 else "female")
    return CNP(
        value=text,
        sex=sex,
        birth_date=born,
        county_code=county_code,
        county=_COUNTY_BY_CNP_CODE[county_code],
        serial=text[9:12],
    )


def is_valid_cnp(value: object, *, today: dt.date | None = None) -> bool:
    """Whether ``value`` is a string holding a valid CNP (see :func:`parse_cnp`)."""
    if not isinstance(value, str):
        return False
    try:
        parse_cnp(value, today=today)
    except InvalidCNPError:
        return False
    return True


# --- vectorised -----------------------------------------------------------------------------

# Position in this tuple is the code stored per row while checking a column; 0 means valid.
_REASONS = ("", "missing", "length", "digits", "century_digit", "date", "county", "check_digit")
_REASON = {slug: code for code, slug in enumerate(_REASONS)}

_CENTURY_BASE = np.array([0] + [_CENTURY[d] or 2000 for d in range(1, 10)], dtype=np.int64)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_COUNTY_OK = np.zeros(100, dtype=bool)
_COUNTY_OK[[int(code) for code in _COUNTY_BY_CNP_CODE]] = True
_ABOLISHED = np.zeros(100, dtype=bool)
_ABOLISHED[[int(code) for code in _ABOLISHED_SECTOR_CODES]] = True


def _ymd(date: dt.date) -> int:
    return date.year * 10_000 + date.month * 100 + date.day


def _date_ok(year: Any, month: Any, day: Any, today_ymd: int) -> Any:
    """Whether each (year, month, day) is a calendar date no later than ``today_ymd``."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good_month = (month >= 1) & (month <= 12)
    last_day = _DAYS_IN_MONTH[np.where(good_month, month, 0)] + (leap & (month == 2))
    in_calendar = good_month & (day >= 1) & (day <= last_day)
    return in_calendar & (year * 10_000 + month * 100 + day <= today_ymd)


def _digit_matrix(text: Any) -> Any:
    """The digits of a Series of 13-digit ASCII strings as an (n, 13) int64 array."""
    if len(text) == 0:
        return np.empty((0, 13), dtype=np.int64)
    # Zero-copy for Arrow-backed strings; a python-backed column is converted once.
    arr = pa.array(text, type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    _, offsets, data = arr.buffers()
    # Every value is exactly 13 ASCII bytes, so the values sit back to back in the data buffer.
    start = int(np.frombuffer(offsets, dtype=np.int64)[arr.offset])
    flat = np.frombuffer(data, dtype=np.uint8)[start : start + 13 * len(arr)]
    return flat.reshape(-1, 13).astype(np.int64) - ord("0")


def _strings(slugs: tuple[str | None, ...], codes: Any) -> Any:
    """A pandas string array holding ``slugs[code]`` for each code (``None`` becomes <NA>)."""
    taken = pa.array(slugs, type=pa.large_string()).take(pa.array(codes))
    return pd.array(taken, dtype=pd.StringDtype())


def check_cnp_column(values: pd.Series, today: dt.date | None = None) -> pd.DataFrame:
    """Check every CNP in a pandas Series at once, with the rules of :func:`parse_cnp`.

    Returns a DataFrame with the input's index and the columns ``valid`` (bool), ``reason``
    (string: the :class:`InvalidCNPError` reason slug, ``<NA>`` when valid; missing or blank
    input gives ``"missing"``), ``sex`` (string ``"male"``/``"female"``, ``<NA>`` when invalid
    or not encoded) and ``birth_date`` (``datetime64[ns]``, ``NaT`` when invalid).

    Everything is done with whole-column numpy and pandas string operations, so a million rows
    take well under a second. Read CNP columns as text: a float column renders as
    ``"1900101123456.0"``, which fails with ``"length"``.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    today_ymd = _ymd(today or dt.date.today())
    text = series.astype("string").str.strip()
    lengths = text.str.len().fillna(0).to_numpy(dtype=np.int64)
    all_digits = text.str.fullmatch(r"[0-9]{13}").fillna(False).to_numpy(dtype=bool)

    reason = np.zeros(len(text), dtype=np.int8)
    reason[lengths != 13] = _REASON["length"]
    reason[lengths == 0] = _REASON["missing"]
    reason[(lengths == 13) & ~all_digits] = _REASON["digits"]

    rows = np.flatnonzero(all_digits)
    digits = _digit_matrix(text[all_digits])
    first = digits[:, 0]
    yy = digits[:, 1] * 10 + digits[:, 2]
    month = digits[:, 3] * 10 + digits[:, 4]
    day = digits[:, 5] * 10 + digits[:, 6]

    # Same order of candidates as _birth_date: the coded century, or 20AA then 19AA.
    foreign = first >= 7
    recent = _CENTURY_BASE[first] + yy
    recent_ok = _date_ok(recent, month, day, today_ymd)
    older_ok = foreign & _date_ok(1900 + yy, month, day, today_ymd)
    year = np.where(recent_ok, recent, 1900 + yy)
    date_ok = recent_ok | older_ok
    born_ymd = year * 10_000 + month * 100 + day

    county_code = digits[:, 7] * 10 + digits[:, 8]
    county_ok = _COUNTY_OK[county_code] & ~(
        _ABOLISHED[county_code] & (born_ymd >= _ymd(_SECTORS_ABOLISHED))
    )
    remainder = (digits[:, :12] @ np.array(_WEIGHTS, dtype=np.int64)) % 11
    check_ok = np.where(remainder == 10, 1, remainder) == digits[:, 12]

    found = np.select(
        [first == 0, ~date_ok, ~county_ok, ~check_ok],
        [_REASON[slug] for slug in ("century_digit", "date", "county", "check_digit")],
        default=0,
    )
    reason[rows] = found
    valid = reason == 0

    good = found == 0
    good_rows = rows[good]
    sex_code = np.zeros(len(text), dtype=np.int8)  # 0 unknown, 1 male, 2 female
    sex_code[good_rows] = np.where(first[good] == 9, 0, 2 - first[good] % 2)
    birth = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    birth[good_rows] = (
        (year[good] - 1970).astype("datetime64[Y]") + (month[good] - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day[good] - 1).astype("timedelta64[D]")

    return pd.DataFrame(
        {
            "valid": valid,
            "reason": _strings((None, *_REASONS[1:]), reason),
            "sex": _strings((None, "male", "female"), sex_code),
            "birth_date": birth,
        },
        index=series.index,
    )


def cnp_id_rows(values: Any) -> np.ndarray:
    """The positions of the ids in ``values`` (an Arrow or pandas column) that are valid CNPs.

    A CNP mapped into ``participant_id`` would flow into every output, the rejected rows and
    excluded lists above all: the ingestion pipeline rejects such rows
    (``participant_id.cnp``), saying to pseudonymise first. One vectorised pass
    (:func:`~inclusionkit.ro.check_cnp_column`) over the ids that are 13 digits.
    """
    series = (
        values.to_pandas() if isinstance(values, pa.Array | pa.ChunkedArray) else pd.Series(values)
    )
    text = series.astype("string").str.strip()
    candidates = np.flatnonzero(text.str.fullmatch(r"[0-9]{13}").fillna(False).to_numpy(bool))
    if not len(candidates):
        return candidates
    valid = check_cnp_column(text.iloc[candidates].reset_index(drop=True))["valid"]
    found: np.ndarray = candidates[valid.to_numpy(dtype=bool)]
    return found
