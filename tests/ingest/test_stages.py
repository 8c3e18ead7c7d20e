"""Each stage of the ingestion pipeline on its own: decode, map, clean, type."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusionkit import InclusionKitError, ValidationError
from inclusionkit._contract import COLUMNS
from inclusionkit._ingest import (
    decode_legacy,
    decode_text,
    default_mapping,
    is_utf8,
    layout,
    legacy_encoding,
    map_headers,
    physical_lines,
    prepare,
    sniff,
    strict_arrow_dates,
)
from inclusionkit._ingest._clean import clean_array, clean_text
from inclusionkit._ingest._decode import (
    _crlf_only,
    file_line_starts,
    file_lines,
    first_row_line,
    row_lines,
)
from inclusionkit._ingest._mapping import validate_mapping, value_words
from inclusionkit._ingest._raw import RawTable
from inclusionkit._ingest._type import TEXT_CODES, gathered_booleans, to_frame, type_column
from inclusionkit.ro._text import fix_diacritics_arrow

BY_NAME = {column.name: column for column in COLUMNS}


def test_layout_reads_excel_sep_line_and_the_more_frequent_separator() -> None:
    """'sep=;' names the separator and is skipped; otherwise ';' wins only when more frequent."""
    assert layout(b"sep=;\r\na,b;c\n").delimiter == ";"
    assert layout(b"\xef\xbb\xbfsep=,\na;b\n").skip_lines == 1
    assert layout(b"a;b;c,d\n").delimiter == ";"
    assert layout(b"a,b;c\n").delimiter == ","


def test_is_utf8_forgives_a_letter_cut_at_the_end_of_a_long_sample_only() -> None:
    """A sample cut inside 'ș' is UTF-8; a short whole file with a bad byte is not."""
    cut = ("a" * 65535 + "ș").encode("utf-8")[:65536]
    assert is_utf8(cut)
    assert not is_utf8("Ştefan".encode("cp1250"), whole=True)


def test_physical_lines_count_blank_lines_and_multiline_cells() -> None:
    """Row i starts where the file says, not at i + 2."""
    text = 'h1,h2\na,b\n\n"x\ny",z\nc,d\n'
    assert physical_lines(text, ",", 0) == [2, 4, 6]


def test_carriage_returns_that_end_lines_are_told_from_others() -> None:
    """Bytes with no carriage return, or each before a newline, have Windows line ends or none;
    a carriage return elsewhere (inside a line, or ending the bytes) does not."""
    assert _crlf_only(b"a,b\nc,d\n")
    assert _crlf_only(b"")
    assert _crlf_only(b"a,b\r\nc,d\r\n")
    assert not _crlf_only(b"a\rb\nc,d\n")
    assert not _crlf_only(b"a,b\r\nc\r")


def test_sniff_tells_binary_formats_from_their_first_bytes() -> None:
    """PAR1 is Parquet, a JSON bracket is JSON, plain text is nothing in particular."""
    assert sniff(b"PAR1....") == "parquet"
    assert sniff(b'  [{"a": 1}]') == "json"
    assert sniff(b"participant_id,project_code\n") is None


def test_clean_trims_fixes_cedillas_and_undoes_formula_quotes() -> None:
    """Spaces, cedilla letters and the CSV formula quote go; a plain quote stays."""
    assert clean_text(" Asociaţia ") == "Asociația"
    assert clean_text("'=HYPERLINK(1)", quoted_formulas=True) == "=HYPERLINK(1)"
    assert clean_text("'=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert clean_text("'-5", quoted_formulas=True) == "'-5"  # a number is not a formula
    assert clean_text("   ") is None
    values = pa.array([" female", "Şanse ", "'=1+1", "  ", None])
    assert clean_array(values, quoted_formulas=True).to_pylist() == [
        "female",
        "Șanse",
        "=1+1",
        None,
        None,
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=" \t\u00a0\u2003'=-+aşŞ1.", max_size=6),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 3),
    st.booleans(),
    st.booleans(),
)
def test_clean_array_skips_only_steps_its_cells_do_not_need(
    cells: list[str | None], cut: int, trim: bool, quoted: bool
) -> None:
    """Skipping the trim, the unquoting or the emptying when the bytes say so changes nothing."""
    array = pa.array(cells, pa.string()).slice(min(cut, len(cells) - 1))
    expected = [
        None if cell is None else clean_text(cell, trim=trim, quoted_formulas=quoted)
        for cell in array.to_pylist()
    ]
    assert clean_array(array, trim=trim, quoted_formulas=quoted).to_pylist() == expected


def test_clean_array_returns_clean_text_as_it_is() -> None:
    """A column without spaces around, quotes in front or empty cells is not copied."""
    clean = pa.array(["P001", None, "Asociația"])
    assert clean_array(clean, quoted_formulas=True) is clean


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=40), st.integers(0, 20))
def test_booleans_reach_pandas_as_pandas_itself_converts_them(
    cells: list[bool | None], cut: int
) -> None:
    """to_frame's unpacked bitmaps give pandas' own BooleanArray, sliced and chunked too."""
    array = pa.array(cells, pa.bool_())
    middle = len(cells) // 2
    chunked = pa.chunked_array([array.slice(0, middle), array.slice(middle)], pa.bool_())
    table = pa.table({"rural": chunked.slice(min(cut, len(cells)))})
    got = to_frame(table)["rural"].array
    expected = pd.BooleanDtype().__from_arrow__(table.column("rural"))
    assert (
        got.to_numpy(dtype=object, na_value=None).tolist()
        == expected.to_numpy(dtype=object, na_value=None).tolist()
    )
    assert got.dtype == expected.dtype


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=40),
    st.integers(0, 20),
    st.data(),
)
def test_booleans_gathered_by_numpy_are_arrows_take(
    cells: list[bool | None], cut: int, data: st.DataObject
) -> None:
    """gathered_booleans gives Arrow's own take of the rows, sliced and chunked columns too."""
    array = pa.array(cells, pa.bool_())
    middle = len(cells) // 2
    chunked = pa.chunked_array([array.slice(0, middle), array.slice(middle)], pa.bool_())
    column = chunked.slice(min(cut, len(cells) - 1))
    rows = np.array(
        data.draw(st.lists(st.integers(0, len(column) - 1), max_size=50)), dtype=np.int64
    )
    got = gathered_booleans(column, rows)
    want = column.take(pa.array(rows, pa.int64())).combine_chunks()
    assert got.equals(want)
    got.validate(full=True)


def test_cedilla_scan_leaves_clean_text_untouched() -> None:
    """Text without ş/ţ is returned as the same array (no copy); with them it is fixed."""
    clean = pa.array(["ă", "î", "Ș"])
    assert fix_diacritics_arrow(clean) is clean
    assert fix_diacritics_arrow(pa.array(["ţară"])).to_pylist() == ["țară"]


def test_the_built_in_mapping_satisfies_the_mapping_schema() -> None:
    """default_mapping.json is valid (the library reads it without validating it each time)."""
    text = (resources.files("inclusionkit._ingest") / "default_mapping.json").read_text("utf-8")
    validate_mapping(json.loads(text), source="default_mapping.json")


def test_map_headers_finds_romanian_headers_and_refuses_two_for_one_column() -> None:
    """'Data nașterii' fills birth_date; 'Sex' and 'Gen' together are a duplicate."""
    headers = map_headers(
        ["ID participant", "DATA NASTERII", "Observații"],
        default_mapping(),
        source="r.csv",
        location="line 1",
    )
    assert headers.columns == {"participant_id": "ID participant", "birth_date": "DATA NASTERII"}
    assert headers.extras == ("Observații",)
    with pytest.raises(ValidationError, match="both fill 'gender'") as info:
        map_headers(["Sex", "Gen"], default_mapping(), source="r.csv", location="line 1")
    assert info.value.problems[0].code == "column.duplicate"


@pytest.mark.parametrize(
    "header", ["Etnie romă", "Etnie roma", "Etnie rromă", "ETNIE RROMA", "Roma", "rom", "Rrom"]
)
def test_roma_headers_fill_the_roma_column(header: str) -> None:
    """Roma are Roma: the usual spellings of a Roma ethnicity header fill roma, not minority."""
    headers = map_headers([header], default_mapping(), source="r.csv", location="line 1")
    assert headers.columns == {"roma": header}


def test_type_maps_each_distinct_text_once() -> None:
    """ISCED words, Da/Nu and region names become canonical values; bad cells are flagged."""
    mapping = default_mapping()
    isced = type_column(
        pa.array(["ISCED 3", "2", "3.0", "nine", None]),
        BY_NAME["isced"],
        value_words(mapping, "isced", "isced"),
    )
    assert isced.values.to_pylist() == [3, 2, 3, None, None]
    assert isced.bad is not None
    assert isced.bad.tolist() == [False, False, False, True, False]
    rural = type_column(
        pa.array(["Da", " nu", "ADEVĂRAT", None]),
        BY_NAME["rural"],
        value_words(mapping, "rural", "rural"),
    )
    assert rural.values.to_pylist() == [True, False, True, None]
    region = type_column(
        pa.array(["Sud-Muntenia", "ro11", "Atlantis"]),
        BY_NAME["region"],
        value_words(mapping, "region", "region"),
    )
    assert region.values.to_pylist() == ["RO31", "RO11", "Atlantis"]
    assert set(region.unknown) == {"Atlantis"}


_FEW_TEXT = ("project_code", "gender", "labour_status", "region", "partner")
_DIRTY_TEXTS = [
    "F",
    " femeie",
    "female",
    "Bărbat ",
    "M",
    "nu",
    "",
    "  ",
    "altceva",
    "angajat",
    " Şomer",
    "unemployed",
    "Nord-Est",
    "nord-est ",
    "Bucuresti-Ilfov",
    "București-Ilfov",
    "RO11",
    "'=POCU/1",
    "POCU/1",
    " POCU/1 ",
    "Asociaţia X",
    "Asociația X",
]
"""Texts spelt many ways: each few-distinct text column types several of them alike."""


def _dirty_column() -> st.SearchStrategy[list[str | None]]:
    text = st.one_of(
        st.none(),
        st.sampled_from(_DIRTY_TEXTS),
        st.text(alphabet=" \t'=-aşŞFM1.", max_size=5),
    )
    return st.lists(text, min_size=0, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    cells=_dirty_column(),
    name=st.sampled_from(_FEW_TEXT),
    form=st.sampled_from(["plain", "encoded", "repeated"]),
    mapped=st.booleans(),
    quoted=st.booleans(),
)
def test_typed_text_decodes_to_each_cell_typed_alone(
    cells: list[str | None], name: str, form: str, mapped: bool, quoted: bool
) -> None:
    """Typed few-distinct text is a dictionary of unique texts whose decoded rows are each cell's
    typed text alone (as the typed values spread over the rows were), whether the input is plain,
    encoded, or a dictionary with repeated, null and unused texts (unified row groups)."""
    column = BY_NAME[name]
    mapping = default_mapping() if mapped else None
    words = value_words(mapping, name, name)

    def typed(array: pa.Array) -> pa.Array:
        return type_column(array, column, words, quoted_formulas=quoted, regions=mapped).values

    raw = pa.array(cells, pa.string())
    if form == "encoded":
        raw = raw.dictionary_encode()
    elif form == "repeated":
        dictionary = pa.array([*cells, "Nord-Est"], pa.string())
        raw = pa.DictionaryArray.from_arrays(pa.array(range(len(cells)), pa.int32()), dictionary)
    got = typed(raw)
    assert got.type == TEXT_CODES
    assert len(pc.unique(got.dictionary)) == len(got.dictionary)
    assert got.dictionary.null_count == 0
    want = [typed(pa.array([cell], pa.string())).to_pylist()[0] for cell in cells]
    assert got.to_pylist() == want


@settings(max_examples=80, deadline=None)
@given(
    cells=_dirty_column(),
    name=st.sampled_from([*_FEW_TEXT, "participant_id"]),
    cut=st.integers(0, 30),
    mapped=st.booleans(),
    quoted=st.booleans(),
    large=st.booleans(),
)
def test_text_typed_as_read_is_the_text_typed_as_a_dictionary(
    cells: list[str | None], name: str, cut: int, mapped: bool, quoted: bool, large: bool
) -> None:
    """For a frame (as_read), plain text in chunks types to the cells, bad cells and unknown
    values that the dictionary typing gives; when every distinct text is its own typed text
    (as the samples of one spelling are) the column comes back as read, not copied."""
    column = BY_NAME[name]
    mapping = default_mapping() if mapped else None
    words = value_words(mapping, name, name)
    text_type = pa.large_string() if large else pa.string()
    cut = min(cut, len(cells))
    raw = pa.chunked_array(
        [pa.array(cells[:cut], text_type), pa.array(cells[cut:], text_type)], text_type
    )

    def typed(as_read: bool) -> Any:
        return type_column(
            raw, column, words, quoted_formulas=quoted, regions=mapped, as_read=as_read
        )

    plain, coded = typed(True), typed(False)
    assert plain.values.to_pylist() == coded.values.to_pylist()
    assert (plain.bad is None) == (coded.bad is None)
    assert sorted(plain.unknown) == sorted(coded.unknown)
    for text, rows in coded.unknown.items():
        assert plain.unknown[text].tolist() == rows.tolist()
    if name != "participant_id" and all(
        typed_alone == cell
        for cell, typed_alone in zip(cells, coded.values.to_pylist(), strict=True)
    ):
        assert plain.values is raw  # the text as read, not a dictionary
    frame = to_frame(pa.table({name: plain.values}))
    assert frame[name].tolist() == [pd.NA if v is None else v for v in coded.values.to_pylist()]


def test_prepare_keeps_few_distinct_text_as_unique_dictionaries() -> None:
    """Texts that type alike share one code; ids stay plain text; a missing column or a default
    is a dictionary too; to_frame gives the frame the plain texts give."""
    table = pa.table(
        {
            "participant_id": ["p1", "p2 ", "p3", "p4"],
            "project_code": pa.array(["POCU/1", " POCU/1", "POCU/2", None]).dictionary_encode(),
            "gender": ["F", "femeie", " female", "altceva"],
            "birth_date": ["1990-01-01"] * 4,
            "entry_date": ["2020-01-01"] * 4,
            "labour_status": ["angajat", "employed", None, ""],
            "isced": ["3", "3", "2", "1"],
            "region": ["Nord-Est", "nord-est ", "RO21", None],
        }
    )
    raw = RawTable(table=table, source="t.csv", defaults={"partner": "Asociația X"})
    typed, problems, _ = prepare(raw, mapping=default_mapping())
    assert not problems
    assert pa.types.is_string(typed.schema.field("participant_id").type)
    for name in _FEW_TEXT:
        values = typed.column(name).combine_chunks()
        assert values.type == TEXT_CODES, name
        assert len(pc.unique(values.dictionary)) == len(values.dictionary), name
    assert typed.column("gender").combine_chunks().dictionary.to_pylist() == ["female", "altceva"]
    assert typed.column("region").to_pylist() == ["RO21", "RO21", "RO21", None]
    assert typed.column("partner").to_pylist() == ["Asociația X"] * 4
    assert typed.column("exit_date").null_count == 4
    plain = typed
    for index, field in enumerate(typed.schema):
        if pa.types.is_dictionary(field.type):
            plain = plain.set_column(index, field.name, typed.column(index).cast(pa.string()))
    frame = to_frame(typed)
    pd.testing.assert_frame_equal(frame, to_frame(plain), check_exact=True)
    assert frame["gender"].array._pa_array.type == pa.large_string()


def test_strict_dates_refuse_impossible_days() -> None:
    """30 February and month 13 are bad; ISO and D.M.YYYY are read."""
    parsed, bad = strict_arrow_dates(pa.array(["2014-02-30", "1.9.2014", "2014-13-01", None]))
    assert bad.tolist() == [True, False, True, False]
    assert parsed.type == pa.date32()
    assert parsed.to_pylist()[1].isoformat() == "2014-09-01"
    assert np.asarray(bad).dtype == bool


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.just(""),
            st.tuples(st.integers(0, 39), st.integers(0, 14), st.integers(1, 9999)).map(
                lambda dmy: f"{dmy[0]:02d}.{dmy[1]:02d}.{dmy[2]:04d}"
            ),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 3),
)
def test_dates_written_dd_mm_yyyy_read_as_python_reads_them(
    cells: list[str | None], cut: int
) -> None:
    """A column of DD.MM.YYYY dates (the fast path) gives Python's dates; others are bad."""
    array = pa.array(cells, pa.string()).slice(min(cut, len(cells) - 1))
    parsed, bad = strict_arrow_dates(array)
    for cell, value, wrong in zip(array.to_pylist(), parsed.to_pylist(), bad.tolist(), strict=True):
        if not cell:
            assert (value, wrong) == (None, False)
            continue
        day, month, year = (int(part) for part in cell.split("."))
        try:
            expected = dt.date(year, month, day)
        except ValueError:
            assert (value, wrong) == (None, True)
        else:
            assert (value, wrong) == (expected, False)


def test_dotted_dates_written_otherwise_take_the_general_path() -> None:
    """1.2.2015, spaces around, a letter: the same dates and bad cells as ever."""
    parsed, bad = strict_arrow_dates(
        pa.array(["01.02.2015", "1.2.2015", " 03.04.2015", "0a.01.2015"])
    )
    assert [v and v.isoformat() for v in parsed.to_pylist()] == [
        "2015-02-01",
        "2015-02-01",
        "2015-04-03",
        None,
    ]
    assert bad.tolist() == [False, False, False, True]


def test_a_time_in_a_date_cell_is_the_day_it_names() -> None:
    """ISO dates written with a time of day (all cells, or some) type to the days they name,
    as a timestamp does; the frame has them at midnight."""
    column = next(c for c in COLUMNS if c.name == "entry_date")
    for cells in (["2015-01-01 10:00", "1969-12-31T23:59:59"], ["2015-01-01 10:00", "2015-01-02"]):
        typed = type_column(pa.array(cells), column, {})
        assert typed.bad is None
        assert typed.values.type == pa.date32()
        frame = to_frame(pa.table({"entry_date": typed.values}))
        assert frame["entry_date"].dtype == np.dtype("datetime64[s]")
    assert frame["entry_date"].tolist() == [pd.Timestamp("2015-01-01"), pd.Timestamp("2015-01-02")]


def test_typed_dates_are_date32_and_reach_pandas_as_datetime64_seconds() -> None:
    """Dates typed from text, timestamps or date32 are date32; to_frame gives datetime64[s]
    with NaT for a missing date, before 1970 too, whatever the chunks."""
    column = next(c for c in COLUMNS if c.name == "birth_date")
    days = [-36_500, None, 0, 19_000]
    sources = [
        pa.chunked_array([pa.array(days[:2], pa.date32()), pa.array(days[2:], pa.date32())]),
        pa.array([None if d is None else d * 86_400 + 3_600 for d in days], pa.timestamp("s")),
        pa.array(["1870-01-25", None, "1970-01-01", "2022-01-08"]),
        pa.array(["25.01.1870", None, "01.01.1970", "08.01.2022"]),
    ]
    expected = pd.Series(
        np.array([-36_500, "NaT", 0, 19_000], dtype="datetime64[D]").astype("datetime64[s]"),
        name="birth_date",
    )
    for source in sources:
        typed = type_column(source, column, {})
        assert typed.values.type == pa.date32()
        frame = to_frame(pa.table({"birth_date": typed.values}))
        pd.testing.assert_series_equal(frame["birth_date"], expected, check_exact=True)
        frame.loc[1, "birth_date"] = np.datetime64("2000-01-01", "s")  # writable


_DOTTED_OR_BAD = st.one_of(
    st.none(),
    st.just(""),
    st.tuples(st.integers(1, 31), st.integers(1, 13), st.integers(1900, 2030)).map(
        lambda dmy: f"{dmy[0]:02d}.{dmy[1]:02d}.{dmy[2]:04d}"
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_DOTTED_OR_BAD, min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=4),
)
def test_dotted_dates_in_chunks_type_as_in_one_chunk(
    cells: list[str | None], cuts: list[int]
) -> None:
    """A DD.MM.YYYY date column in several chunks (as Arrow's CSV reader gives it; a chunk may
    be empty or all empty cells) types to the same dates and bad cells as in one chunk."""
    bounds = sorted({0, len(cells), *(min(cut, len(cells)) for cut in cuts)})
    chunked = pa.chunked_array(
        [pa.array(cells[a:b], pa.string()) for a, b in itertools.pairwise(bounds)],
        pa.string(),
    )
    column = next(c for c in COLUMNS if c.name == "birth_date")
    whole = type_column(pa.array(cells, pa.string()), column, {})
    parts = type_column(chunked, column, {})
    assert parts.values.type == whole.values.type
    assert parts.values.to_pylist() == whole.values.to_pylist()
    assert (parts.bad is None) == (whole.bad is None)
    if whole.bad is not None:
        assert parts.bad is not None
        assert parts.bad.tolist() == whole.bad.tolist()


def test_every_column_to_frame_makes_can_be_written_to() -> None:
    """No column of the frame to_frame makes is a read-only view of Arrow's memory (dates
    without a missing value, an extra column of numbers): a cell can be set."""
    table = pa.table(
        {
            "birth_date": pa.array([0, 86_400], pa.timestamp("s")),
            "isced": pa.array([1, None], pa.int8()),
            "rural": pa.array([True, False]),
            "score": pa.array([1.5, 2.5]),
        }
    )
    frame = to_frame(table)
    frame.loc[0, "birth_date"] = np.datetime64("2000-01-01", "s")
    frame.loc[0, "isced"] = 3
    frame.loc[0, "rural"] = False
    frame.loc[0, "score"] = 3.0
    assert frame.loc[0].tolist() == [pd.Timestamp("2000-01-01"), 3, False, 3.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.booleans()), max_size=70),
    st.lists(st.integers(0, 70), max_size=4),
    st.integers(0, 9),
)
def test_to_frame_booleans_numbers_and_dates_are_arrows_values(
    cells: list[bool | None], cuts: list[int], skip: int
) -> None:
    """to_frame's booleans, ISCED numbers and dates (unpacked into memory from Arrow's pool) are
    the cells pyarrow's own conversion gives, nulls as missing, whatever the chunks and slices
    (a chunk starting mid-byte, a length not a multiple of 8, an all-null chunk)."""
    bounds = sorted({0, len(cells), *(min(cut, len(cells)) for cut in cuts)})

    def chunked(values: list[object], data_type: pa.DataType) -> pa.ChunkedArray:
        # Each chunk a slice of a longer array, so its offset is not 0.
        pad: list[object] = [None] * skip
        return pa.chunked_array(
            [
                pa.array(pad + values[a:b], data_type).slice(skip)
                for a, b in itertools.pairwise(bounds)
            ],
            data_type,
        )

    numbers = [None if c is None else int(c) * 3 - 1 for c in cells]
    days = [None if c is None else 10_000 + int(c) * 7 for c in cells]
    table = pa.table(
        {
            "rural": chunked(list(cells), pa.bool_()),
            "isced": chunked(list(numbers), pa.int8()),
            "birth_date": chunked(list(days), pa.date32()),
        }
    )
    frame = to_frame(table)
    assert frame["rural"].tolist() == [pd.NA if c is None else c for c in cells]
    assert frame["isced"].tolist() == [pd.NA if n is None else n for n in numbers]
    expected = [
        pd.NaT if d is None else pd.Timestamp(dt.date(1970, 1, 1) + dt.timedelta(days=d))
        for d in days
    ]
    assert frame["birth_date"].tolist() == expected
    assert [str(t) for t in frame.dtypes] == ["boolean", "Int8", "datetime64[s]"]
    if len(cells):  # the cells can be set
        frame.loc[0, "rural"] = True
        frame.loc[0, "isced"] = 5
        assert frame.loc[0, ["rural", "isced"]].tolist() == [True, 5]


def test_to_frame_keeps_a_repeated_column_name_in_its_places() -> None:
    """A table that names two columns alike gives a frame with both, in order, each its type."""
    table = pa.table(
        [pa.array(["a", "b"]), pa.array([True, None]), pa.array(["c", None])],
        names=["note", "rural", "note"],
    )
    frame = to_frame(table)
    assert frame.columns.tolist() == ["note", "rural", "note"]
    assert frame.iloc[:, 0].tolist() == ["a", "b"]
    assert frame.iloc[:, 2].tolist() == ["c", pd.NA]
    assert str(frame.dtypes.iloc[1]) == "boolean"


def _old_legacy_choice(data: bytes) -> str | None:
    """The choice decode_legacy made by decoding the whole text and scoring its letters."""
    romanian = set("ăâîșțşţĂÂÎȘȚŞŢ")
    best: tuple[int, str] | None = None
    for encoding in ("cp1250", "iso-8859-2"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = 0
        for char in set(text):
            if char.isascii():
                continue
            count = text.count(char)
            if char in romanian:
                score += 3 * count
            elif char.isalpha():
                score += count
            elif "\x80" <= char <= "\x9f":
                score -= 10 * count
            else:
                score -= count
        if best is None or score > best[0]:
            best = (score, encoding)
    return None if best is None else best[1]


@given(data=st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_the_legacy_encoding_of_a_file_is_chosen_from_its_byte_counts_as_from_its_text(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """legacy_encoding (a count of a file's bytes, read in blocks) chooses the encoding that
    scoring the whole decoded text chose, and decode_legacy agrees; neither is an error."""
    path = tmp_path_factory.mktemp("legacy") / "file.csv"
    path.write_bytes(data)
    expected = _old_legacy_choice(data)
    if expected is None:
        with pytest.raises(InclusionKitError, match="not text in UTF-8"):
            legacy_encoding(path, "file.csv")
        return
    assert legacy_encoding(path, "file.csv") == expected
    assert decode_legacy(data)[1] == expected


@given(
    lines=st.lists(st.sampled_from(["", "a,b", "ă;ş", "x", "1,2,3", '"q, r",s', " "]), max_size=12),
    skip=st.integers(0, 2),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "cp1250"]),
    ending=st.sampled_from(["\n", "\r\n"]),
)
@settings(max_examples=300, deadline=None)
def test_the_lines_of_rows_are_found_in_the_bytes_as_in_the_text(
    lines: list[str], skip: int, bom: bool, encoding: str, ending: str
) -> None:
    """physical_lines of a file's bytes (no quotes, no carriage returns), and file_lines of the
    file read in blocks, give the lines that decoding it first gives, with a BOM, empty lines,
    Windows line ends and lines skipped."""
    text = ending.join(lines)
    data = text.encode(encoding)
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    assert physical_lines(data, ",", skip) == physical_lines(decode_text(data), ",", skip)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.csv"
        path.write_bytes(data)
        expected = physical_lines(decode_text(data), ",", skip)
        assert file_lines(path, ",", skip) == expected
        assert file_lines(path, ",", skip, block=4) == expected  # lines cut between blocks
        # When the rows follow one another line by line, the first row's line says them all.
        first = first_row_line(path, skip)
        assert first_row_line(path, skip, block=4) == first
        if first is not None:
            assert expected == list(range(first, first + len(expected)))
        starts = file_line_starts(path, ",", skip)
        rows = np.arange(len(expected) + 2)  # and rows beyond the file's: row + 2 + skip
        assert row_lines(starts, rows, 2 + skip).tolist() == [
            *expected,
            *(rows[len(expected) :] + 2 + skip).tolist(),
        ]


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_of_one_line_a_row_is_known_by_its_first_row_line(
    tmp_path: Path, ending: str, bom: bytes
) -> None:
    """A file without quotes or empty lines (Unix or Windows line ends, a BOM or not, a
    ``sep=`` line, cut between \\r and \\n across blocks) has its rows from line 2 (3) on;
    an empty line or a quote inside says nothing (each row's line is then found)."""
    path = tmp_path / "file.csv"
    path.write_bytes(bom + ending.join(["id,n", "a,1", "b,2", "c,3", ""]).encode())
    for block in (3, 4, 5, 1 << 20):
        assert first_row_line(path, 0, block=block) == 2
        assert first_row_line(path, 1, block=block) == 3
    path.write_bytes(bom + ending.join(["id,n", "a,1", "", "c,3"]).encode())
    assert first_row_line(path, 0) is None
    assert file_line_starts(path, ",", 0).tolist() == [2, 4]  # type: ignore[union-attr]
    path.write_bytes(bom + ending.join(["id,n", '"a",1']).encode())
    assert first_row_line(path, 0) is None
    path.write_bytes(bom + b"id,n\ra,1\n")  # a carriage return alone: the parser decides
    assert first_row_line(path, 0) is None
