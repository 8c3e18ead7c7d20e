"""Tests for the CNP checks in inclusionkit.ro: one value at a time and a whole column at once."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusionkit._errors import InclusionKitError
from inclusionkit.ro import (
    CNP,
    InvalidCNPError,
    RomanianCodeError,
    check_cnp_column,
    cnp_check_digit,
    is_valid_cnp,
    parse_cnp,
)

# A fixed "today" keeps every test independent of the day it runs.
TODAY = dt.date(2026, 6, 15)

COUNTY_CODES = [f"{n:02d}" for n in (*range(1, 49), 51, 52, 70, 80, 81, 82, 83)]
FIRST_DIGIT_CENTURY = {1: 1900, 2: 1900, 3: 1800, 4: 1800, 5: 2000, 6: 2000}


def with_check_digit(first12: str) -> str:
    """Complete 12 digits to a CNP with the library's check digit."""
    return first12 + cnp_check_digit(first12)


@st.composite
def valid_cnps(draw: st.DrawFn) -> tuple[str, int, dt.date]:
    """A valid CNP with the first digit and birth date it was built from."""
    first = draw(st.integers(1, 9))
    if first in FIRST_DIGIT_CENTURY:
        start = dt.date(FIRST_DIGIT_CENTURY[first], 1, 1)
        end = min(dt.date(start.year + 99, 12, 31), TODAY)
    else:
        # Within the last 100 years the latest non-future reading of YYMMDD is the date itself.
        start, end = TODAY.replace(year=TODAY.year - 100) + dt.timedelta(days=1), TODAY
    born = draw(st.dates(start, end))
    county = draw(st.sampled_from(COUNTY_CODES))
    if county in ("47", "48") and born >= dt.date(1979, 12, 19):
        county = "40"
    serial = draw(st.integers(1, 999))
    first12 = f"{first}{born:%y%m%d}{county}{serial:03d}"
    return with_check_digit(first12), first, born


def corrupt(draw: st.DrawFn, value: str) -> str:
    """Damage a CNP in one of the ways real data does."""
    kind = draw(st.sampled_from(["recheck", "digit", "char", "drop", "insert", "pad", "swap"]))
    i = draw(st.integers(0, len(value) - 1))
    if kind == "recheck":
        # A new check digit lets the damage reach the century, date and county checks.
        i = min(i, 8)
        return with_check_digit(value[:i] + draw(st.sampled_from("0123456789")) + value[i + 1 : 12])
    if kind == "digit":
        return value[:i] + draw(st.sampled_from("0123456789")) + value[i + 1 :]
    if kind == "char":
        return value[:i] + draw(st.sampled_from("aO-. \u0663")) + value[i + 1 :]
    if kind == "drop":
        return value[:i] + value[i + 1 :]
    if kind == "insert":
        return value[:i] + draw(st.sampled_from("0123456789")) + value[i:]
    if kind == "pad":
        return (
            draw(st.sampled_from([" ", "\t", "\u00a0"])) + value + draw(st.sampled_from(["", " "]))
        )
    j = draw(st.integers(0, len(value) - 1))
    chars = list(value)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


@st.composite
def cnp_like(draw: st.DrawFn) -> str:
    """Valid CNPs, damaged CNPs and short random digit strings, in about equal shares."""
    value, _, _ = draw(valid_cnps())
    kind = draw(st.sampled_from(["valid", "corrupt", "random"]))
    if kind == "valid":
        return value
    if kind == "corrupt":
        return corrupt(draw, value)
    return draw(st.text(alphabet="0123456789 ", max_size=15))


# --- hand-computed check digits ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first12", "check"),
    [
        # 1 9 0 0 1 0 1 1 2 0 0 1 x 2 7 9 1 4 6 3 5 8 2 7 9
        # = 2+63+0+0+4+0+3+5+16+0+0+9 = 102; 102 mod 11 = 3
        ("190010112001", "3"),
        # 6 0 4 0 2 2 9 4 0 1 2 3 x weights
        # = 12+0+36+0+8+12+27+20+0+2+14+27 = 158; 158 mod 11 = 4
        ("604022940123", "4"),
        # 2 8 5 0 7 1 5 3 5 0 0 6 x weights
        # = 4+56+45+0+28+6+15+15+40+0+0+54 = 263; 263 mod 11 = 10, written as 1
        ("285071535006", "1"),
    ],
)
def test_check_digit_matches_hand_computation(first12: str, check: str) -> None:
    """The check digit is the weighted sum mod 11 (10 becomes 1), as computed by hand."""
    assert cnp_check_digit(first12) == check
    assert is_valid_cnp(first12 + check, today=TODAY)


def test_parse_reads_every_field() -> None:
    """A hand-built CNP yields its sex, birth date, county code and name, and serial."""
    assert parse_cnp("1900101120013", today=TODAY) == CNP(
        value="1900101120013",
        sex="male",
        birth_date=dt.date(1990, 1, 1),
        county_code="12",
        county="Cluj",
        serial="001",
    )


def test_parse_reads_a_female_born_in_2000s_in_bucharest() -> None:
    """First digit 6 is a woman born in the 2000s; code 40 is București."""
    cnp = parse_cnp("6040229401234", today=TODAY)
    assert (cnp.sex, cnp.birth_date, cnp.county) == ("female", dt.date(2004, 2, 29), "București")
    assert not cnp.foreign


def test_remainder_ten_example_is_valid() -> None:
    """The CNP whose weighted sum leaves 10 is valid with check digit 1."""
    cnp = parse_cnp("2850715350061", today=TODAY)
    assert (cnp.sex, cnp.birth_date, cnp.county) == ("female", dt.date(1985, 7, 15), "Timiș")


def test_parse_strips_surrounding_whitespace() -> None:
    """Blanks around the digits are ignored and not kept in ``value``."""
    assert parse_cnp("  1900101120013\t", today=TODAY).value == "1900101120013"


def test_digits_three_and_four_are_the_1800s() -> None:
    """First digits 3 and 4 encode births in 1800-1899."""
    born = parse_cnp(with_check_digit("385031212001"), today=TODAY).birth_date
    assert born == dt.date(1885, 3, 12)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("190010112001", "length"),
        ("19001011200133", "length"),
        ("19001011200a3", "digits"),
        ("190010112001\u0663", "digits"),
        ("0900101120013", "century_digit"),
        (with_check_digit("190130112001"), "date"),
        (with_check_digit("190003212001"), "date"),
        (with_check_digit("190010012001"), "date"),
        (with_check_digit("530010112001"), "date"),
        (with_check_digit("190010100001"), "county"),
        (with_check_digit("190010149001"), "county"),
        (with_check_digit("190010199001"), "county"),
        (with_check_digit("190010147001"), "county"),
        ("1900101120010", "check_digit"),
    ],
)
def test_each_invalid_reason(value: str, reason: str) -> None:
    """Each failed check raises InvalidCNPError with its own reason slug."""
    with pytest.raises(InvalidCNPError) as info:
        parse_cnp(value, today=TODAY)
    assert info.value.reason == reason
    assert info.value.value == value
    assert repr(value) in str(info.value)
    assert not is_valid_cnp(value, today=TODAY)


def test_error_is_a_value_error_and_an_inclusionkit_error() -> None:
    """Callers can catch CNP errors as ValueError, InclusionKitError or RomanianCodeError."""
    with pytest.raises(ValueError, match=r"invalid CNP '123': expected 13 digits") as info:
        parse_cnp("123")
    assert isinstance(info.value, InclusionKitError)
    assert isinstance(info.value, RomanianCodeError)


@pytest.mark.parametrize(
    ("first12", "valid"),
    [
        ("504022940123", True),  # 2004 is a leap year
        ("500022940123", True),  # 2000 is a leap year (divisible by 400)
        ("100022940123", False),  # 1900 is not (divisible by 100, not by 400)
        ("103022940123", False),  # 1903 is not
        ("196022940123", True),  # 1996 is
    ],
)
def test_february_29(first12: str, valid: bool) -> None:
    """29 February is a birth date only in leap years."""
    value = with_check_digit(first12)
    assert is_valid_cnp(value, today=TODAY) is valid
    assert bool(check_cnp_column(pd.Series([value]), today=TODAY)["valid"].iloc[0]) is valid


def test_birth_date_in_the_future_is_invalid() -> None:
    """A birth date after ``today`` fails with reason date; on that day it is accepted."""
    value = with_check_digit("526061540001")
    with pytest.raises(InvalidCNPError, match="not a valid birth date") as info:
        parse_cnp(value, today=dt.date(2026, 6, 14))
    assert info.value.reason == "date"
    assert parse_cnp(value, today=dt.date(2026, 6, 15)).birth_date == dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("first12", "today", "born"),
    [
        ("705031526001", TODAY, dt.date(2005, 3, 15)),
        ("847031526001", TODAY, dt.date(1947, 3, 15)),
        ("705031526001", dt.date(2004, 1, 1), dt.date(1905, 3, 15)),
        ("700022926001", TODAY, dt.date(2000, 2, 29)),
    ],
)
def test_foreign_resident_century_is_latest_non_future(
    first12: str, today: dt.date, born: dt.date
) -> None:
    """For first digits 7-9 the birth year is the latest of 19YY/20YY not after today."""
    cnp = parse_cnp(with_check_digit(first12), today=today)
    assert cnp.birth_date == born
    assert cnp.foreign


def test_foreign_feb_29_with_no_valid_century_is_invalid() -> None:
    """00-02-29 before 2000 existed can only be 1900-02-29, which is no date."""
    with pytest.raises(InvalidCNPError) as info:
        parse_cnp(with_check_digit("700022926001"), today=dt.date(1999, 12, 31))
    assert info.value.reason == "date"


def test_first_digit_nine_has_no_sex() -> None:
    """First digit 9 (foreigner) encodes no sex; 7 is male and 8 female."""
    assert parse_cnp(with_check_digit("905031526001"), today=TODAY).sex is None
    assert parse_cnp(with_check_digit("705031526001"), today=TODAY).sex == "male"
    assert parse_cnp(with_check_digit("805031526001"), today=TODAY).sex == "female"


@pytest.mark.parametrize("code", ["70", "80", "81", "82", "83"])
def test_placeholder_county_codes_are_accepted_without_a_county(code: str) -> None:
    """Codes 70 and 80-83 pass but name no county (county is None)."""
    cnp = parse_cnp(with_check_digit(f"1900101{code}001"), today=TODAY)
    assert (cnp.county_code, cnp.county) == (code, None)


@pytest.mark.parametrize("code", ["41", "46", "23", "51", "52"])
def test_sector_and_late_county_codes_are_accepted(code: str) -> None:
    """București sectors, Ilfov and the later counties Călărași and Giurgiu are valid codes."""
    assert is_valid_cnp(with_check_digit(f"1900101{code}001"), today=TODAY)


def test_abolished_sectors_only_before_19_december_1979() -> None:
    """Sector codes 47 and 48 are valid up to 18 Dec 1979 and invalid from 19 Dec 1979."""
    assert parse_cnp(with_check_digit("179121847001"), today=TODAY).county == "București"
    with pytest.raises(InvalidCNPError, match="abolished") as info:
        parse_cnp(with_check_digit("179121948001"), today=TODAY)
    assert info.value.reason == "county"


def test_cnp_check_digit_rejects_bad_input() -> None:
    """The check-digit helper wants exactly 12 ASCII digits."""
    with pytest.raises(InvalidCNPError) as info:
        cnp_check_digit("12345")
    assert info.value.reason == "length"
    with pytest.raises(InvalidCNPError) as info:
        cnp_check_digit("12345678901x")
    assert info.value.reason == "digits"


def test_non_strings() -> None:
    """is_valid_cnp is False for non-strings; parse_cnp raises TypeError for them."""
    assert not is_valid_cnp(1900101120013)
    assert not is_valid_cnp(None)
    with pytest.raises(TypeError):
        parse_cnp(1900101120013)  # type: ignore[arg-type]


@given(valid_cnps(), st.integers(1, 9))
def test_changing_the_check_digit_always_fails(
    generated: tuple[str, int, dt.date], shift: int
) -> None:
    """Any other last digit makes a valid CNP fail with reason check_digit."""
    value, _, _ = generated
    other = str((int(value[-1]) + shift) % 10)
    with pytest.raises(InvalidCNPError) as info:
        parse_cnp(value[:-1] + other, today=TODAY)
    assert info.value.reason == "check_digit"


@given(valid_cnps())
def test_sex_and_birth_date_round_trip(generated: tuple[str, int, dt.date]) -> None:
    """The sex and birth date a CNP was built from are what parse_cnp reads back."""
    value, first, born = generated
    cnp = parse_cnp(value, today=TODAY)
    assert cnp.birth_date == born
    assert cnp.sex == (None if first == 9 else ("male" if first % 2 else "female"))
    assert cnp.value == value


# --- the vectorised column check -----------------------------------------------------------


def expected_row(value: str | None) -> tuple[bool, str | None, str | None, dt.date | None]:
    """What parse_cnp says about one value, in the shape of a check_cnp_column row."""
    if value is None:
        return False, "missing", None, None
    try:
        cnp = parse_cnp(value, today=TODAY)
    except InvalidCNPError as error:
        return False, error.reason, None, None
    return True, None, cnp.sex, cnp.birth_date


def actual_rows(frame: pd.DataFrame) -> list[tuple[bool, str | None, str | None, dt.date | None]]:
    """The rows of a check_cnp_column result with pandas missing values turned into None."""
    return [
        (
            bool(valid),
            None if pd.isna(reason) else reason,
            None if pd.isna(sex) else sex,
            None if pd.isna(born) else born.date(),
        )
        for valid, reason, sex, born in frame.itertuples(index=False)
    ]


@settings(max_examples=300)
@given(st.lists(cnp_like() | st.none(), max_size=40))
def test_column_agrees_with_parse_cnp(values: list[str | None]) -> None:
    """check_cnp_column gives, row by row, the verdict, reason, sex and date of parse_cnp."""
    frame = check_cnp_column(pd.Series(values, dtype=object), today=TODAY)
    assert actual_rows(frame) == [expected_row(value) for value in values]


def test_column_shape_and_dtypes() -> None:
    """The result keeps the input's index and has the four documented columns and dtypes."""
    values = pd.Series(["1900101120013", None, "", "1900101120010"], index=[10, 20, 30, 40])
    frame = check_cnp_column(values, today=TODAY)
    assert list(frame.index) == [10, 20, 30, 40]
    assert list(frame.columns) == ["valid", "reason", "sex", "birth_date"]
    assert frame["valid"].dtype == bool
    assert frame["reason"].dtype == pd.StringDtype()
    assert frame["sex"].dtype == pd.StringDtype()
    assert frame["birth_date"].dtype == np.dtype("datetime64[ns]")
    assert frame["valid"].tolist() == [True, False, False, False]
    assert frame["reason"].tolist() == [pd.NA, "missing", "missing", "check_digit"]
    assert frame["birth_date"].iloc[0] == pd.Timestamp(1990, 1, 1)
    assert frame["birth_date"].iloc[1:].isna().all()


def test_column_handles_nan_and_empty_input() -> None:
    """NaN counts as missing, and an empty Series gives an empty result."""
    assert check_cnp_column(pd.Series([np.nan]))["reason"].tolist() == ["missing"]
    assert check_cnp_column(pd.Series([], dtype="string")).empty


def test_column_accepts_integer_cnps() -> None:
    """A column read as integers still checks, since a CNP never starts with 0."""
    frame = check_cnp_column(pd.Series([1900101120013, 1900101120010]), today=TODAY)
    assert frame["reason"].tolist() == [pd.NA, "check_digit"]


@pytest.mark.parametrize(
    "dtype", [object, "str", pd.StringDtype("python"), pd.StringDtype("pyarrow")]
)
def test_column_works_for_every_string_storage_and_slices(dtype: object) -> None:
    """Object, python- and Arrow-backed columns, sliced or reordered, give the same verdicts."""
    values = [with_check_digit(f"1900101120{n:02d}") for n in range(1, 40)]
    values[7] = values[7][:-1] + str((int(values[7][-1]) + 1) % 10)
    series = pd.Series(values, dtype=dtype)
    for part in (series, series.iloc[10:], series.iloc[3:20:2], series.iloc[[7, 3, 5]]):
        frame = check_cnp_column(part, today=TODAY)
        assert list(frame.index) == list(part.index)
        assert frame["valid"].tolist() == [is_valid_cnp(v, today=TODAY) for v in part]


def test_column_of_a_million_rows() -> None:
    """A million-row column (valid and invalid values) is checked in one vectorised pass."""
    rng = np.random.default_rng(2026)
    first12 = pd.Series(
        np.char.mod("%012d", rng.integers(10**11, 10**12, size=1_000_000)).astype(object)
    )
    sample = first12.iloc[:1000].map(with_check_digit)
    values = pd.concat([sample, first12.iloc[1000:] + "7"], ignore_index=True)
    frame = check_cnp_column(values, today=TODAY)
    assert len(frame) == 1_000_000
    assert frame["valid"].iloc[:1000].eq(sample.map(lambda v: is_valid_cnp(v, today=TODAY))).all()
