"""Tests for keyed pseudonymisation: ids, CNP checks, name matching, keys, and what leaves."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import itertools
import secrets
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from inclusionkit import InclusionKitError, write_participations
from inclusionkit._participations import DTYPES, empty_table
from inclusionkit._privacy import MIN_KEY_BYTES, load_key, normalise_name, pseudonymise
from inclusionkit._privacy._pseudonymise import check_key
from inclusionkit.ro import cnp_check_digit

# A fixed random key (secrets.token_hex(32)), so expected ids are reproducible.
KEY = bytes.fromhex("5064e72d8f61457777419f3284189051b0cc38ac218b84d4552800171058d07f")
TODAY = dt.date(2025, 1, 1)


def cnp(first12: str) -> str:
    """A valid CNP from its first 12 digits."""
    return first12 + cnp_check_digit(first12)


ANA = cnp("290051740001")  # female, born 1990-05-17, county 40 (București)
ION = cnp("185030212345")  # male, born 1985-03-02, county 12 (Cluj)


def expected_id(message: bytes, key: bytes = KEY) -> str:
    """The id the scheme defines, computed with the standard library's HMAC."""
    return "ik1_" + hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def register(**columns: list[object]) -> pd.DataFrame:
    """A small register: the given columns plus a project code."""
    length = len(next(iter(columns.values())))
    return pd.DataFrame({"project_code": ["P1"] * length, **columns})


def test_id_is_hmac_sha256_of_the_cnp() -> None:
    """The id is ``ik1_`` + the first 32 hex digits of HMAC-SHA-256(key, "cnp:" + CNP)."""
    result = pseudonymise(register(cnp=[ANA, ION]), KEY, today=TODAY)
    assert list(result.table["participant_id"]) == [
        expected_id(b"cnp:" + ANA.encode()),
        expected_id(b"cnp:" + ION.encode()),
    ]


def test_same_key_same_id_other_key_other_id() -> None:
    """The same person gets the same id under the same key and an unrelated one under another."""
    frame = register(cnp=[ANA])
    first = pseudonymise(frame, KEY, today=TODAY).table["participant_id"].iloc[0]
    again = pseudonymise(frame, KEY, today=TODAY).table["participant_id"].iloc[0]
    other = pseudonymise(frame, secrets.token_bytes(32), today=TODAY).table["participant_id"]
    assert first == again
    assert other.iloc[0] != first


def test_cnp_spacing_and_hyphens_do_not_matter() -> None:
    """A CNP typed in groups ("2 900517 400011") gives the same id as the plain digits."""
    spaced = f" {ANA[0]} {ANA[1:7]}-{ANA[7:]} "
    result = pseudonymise(register(cnp=[ANA, spaced]), KEY, today=TODAY)
    ids = result.table["participant_id"]
    assert ids.iloc[0] == ids.iloc[1]


def test_invalid_cnp_is_rejected_not_hashed() -> None:
    """A CNP with a wrong check digit rejects the row with the reason; it is never hashed."""
    wrong = ANA[:12] + str((int(ANA[12]) + 1) % 10)
    result = pseudonymise(register(cnp=[ANA, wrong, "123"]), KEY, today=TODAY)
    assert list(result.table.index) == [0]
    assert list(result.rejected["reason"]) == ["cnp.check_digit", "cnp.length"]
    assert list(result.rejected["cnp"]) == [wrong, "123"]


def test_cnp_fills_empty_gender_and_birth_date_only() -> None:
    """The CNP's sex and birth date fill empty cells and never overwrite declared values."""
    frame = register(
        cnp=[ANA, ION],
        gender=[None, "non_binary"],
        birth_date=pd.to_datetime([None, "1985-03-03"]),
    )
    table = pseudonymise(frame, KEY, today=TODAY).table
    assert list(table["gender"]) == ["female", "non_binary"]
    assert list(table["birth_date"]) == [pd.Timestamp("1990-05-17"), pd.Timestamp("1985-03-03")]
    assert table["birth_date"].dtype == DTYPES["birth_date"]


def test_without_cnp_the_name_and_birth_date_are_hashed() -> None:
    """A row without a CNP is hashed from its normalised name words and birth date."""
    frame = register(
        cnp=[None],
        nume=["Popescu"],
        prenume=["Ana"],
        birth_date=pd.to_datetime(["1990-05-17"]),
    )
    table = pseudonymise(frame, KEY).table
    assert table["participant_id"].iloc[0] == expected_id(b"name:ana popescu|1990-05-17")


def test_name_forms_of_one_person_agree_across_registers() -> None:
    """Case, diacritics, cedillas, hyphens, spacing and word order do not change the id."""
    born = pd.to_datetime(["1985-03-02"])
    partner_a = register(nume=["Ştefănescu-Pop"], prenume=["Ana  Maria"], birth_date=born)
    partner_b = register(name=["ana maria STEFANESCU pop"], birth_date=born)
    partner_c = register(first_name=["Ana-Maria"], last_name=["Ștefănescu Pop"], birth_date=born)
    ids = {
        pseudonymise(frame, KEY).table["participant_id"].iloc[0]
        for frame in (partner_a, partner_b, partner_c)
    }
    assert len(ids) == 1


def test_normalise_name() -> None:
    """The matching form folds case, diacritics and punctuation, and sorts the words."""
    assert normalise_name("  Ţuţea, ION-Ştefan ") == "ion stefan tutea"
    assert normalise_name("") == ""


def test_row_without_any_identity_is_rejected() -> None:
    """A row with no CNP and no name (or no birth date) cannot be pseudonymised: rejected."""
    frame = register(
        cnp=[None, None],
        nume=["Popescu", None],
        birth_date=pd.to_datetime([None, "1990-01-01"]),
    )
    result = pseudonymise(frame, KEY)
    assert result.table.empty
    assert list(result.rejected["reason"]) == ["identity.missing", "identity.missing"]


def test_a_table_without_identity_columns_is_an_error() -> None:
    """Pseudonymising a table with neither a CNP nor a name column says so."""
    with pytest.raises(InclusionKitError, match="nothing to pseudonymise"):
        pseudonymise(empty_table(), KEY)


def test_identifying_columns_are_dropped_by_name_or_word() -> None:
    """Identifying columns go, matched case-insensitively by name or by a word of the name."""
    frame = register(
        CNP=[ANA],
        Nume=["Popescu"],
        **{"Telefon mobil": ["0722"], "e_mail": ["a@b.ro"], "cnp_mama": ["x"], "services": ["s"]},
    )
    result = pseudonymise(frame, KEY, extra_identifying=("services",), today=TODAY)
    assert set(result.dropped_columns) == {
        "CNP",
        "Nume",
        "Telefon mobil",
        "e_mail",
        "cnp_mama",
        "services",
    }
    assert list(result.table.columns) == ["participant_id", "project_code", "gender", "birth_date"]


def test_canonical_columns_are_never_dropped() -> None:
    """Canonical columns stay even when a word of their name is listed as identifying."""
    frame = register(cnp=[ANA])
    table = pseudonymise(frame, KEY, extra_identifying=("project", "code"), today=TODAY).table
    assert "project_code" in table.columns


cnp_cells = st.sampled_from([ANA, ION, "", None, "123", ANA[:12] + "0", "29005174000a1"])


@given(st.lists(st.tuples(cnp_cells, st.sampled_from(["Popescu", None])), max_size=25))
def test_accepted_plus_rejected_is_the_input(rows: list[tuple[str | None, str | None]]) -> None:
    """Every input row is in exactly one of the two outputs, under its original index."""
    frame = register(
        cnp=[c for c, _ in rows],
        nume=[n for _, n in rows],
        birth_date=pd.to_datetime(["1990-05-17"] * len(rows)),
    )
    frame.index = pd.RangeIndex(100, 100 + len(rows))
    result = pseudonymise(frame, KEY, today=TODAY)
    together = sorted([*result.table.index, *result.rejected.index])
    assert together == list(frame.index)
    assert result.from_cnp + result.from_name == len(result.table)
    assert result.table["participant_id"].notna().all()


def test_no_identifier_or_key_in_the_written_output(tmp_path: Path) -> None:
    """The written table holds no CNP, name, phone, nor the key in hex or raw form."""
    frame = empty_table().reindex(range(2))
    frame["project_code"] = "P1"
    frame["cnp"] = [ANA, ION]
    frame["nume"] = ["Zamfirescu", "Vlădescu"]
    frame["telefon"] = ["0722123456", "0744987654"]
    key = secrets.token_bytes(32)
    table = pseudonymise(frame, key, today=TODAY).table
    for suffix in (".csv", ".parquet"):
        path = tmp_path / f"out{suffix}"
        write_participations(table, path)
        data = path.read_bytes()
        for secret in (ANA, ION, "Zamfirescu", "Vlădescu", "0722123456", key.hex()):
            assert secret.encode() not in data
        assert key not in data
    buffer = io.StringIO()
    table.to_csv(buffer)
    assert ANA not in buffer.getvalue()


def test_key_shorter_than_32_bytes_is_refused() -> None:
    """A short key, or a key that is not bytes, is an error that says how to make one."""
    with pytest.raises(InclusionKitError, match=r"secrets\.token_hex"):
        pseudonymise(register(cnp=[ANA]), b"short")
    with pytest.raises(InclusionKitError, match="must be bytes"):
        pseudonymise(register(cnp=[ANA]), "0" * 64)  # type: ignore[arg-type]


def test_load_key_reads_hex_text(tmp_path: Path) -> None:
    """A key file of 64 hex digits (and a newline) decodes to 32 bytes."""
    path = tmp_path / "key.txt"
    path.write_text(KEY.hex() + "\n")
    assert load_key(path) == KEY


def test_load_key_reads_raw_bytes(tmp_path: Path) -> None:
    """A binary key file is taken byte for byte."""
    raw = b"\xff\x00" + secrets.token_bytes(40)
    path = tmp_path / "key.bin"
    path.write_bytes(raw)
    assert load_key(path) == raw


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"abcd" * 4, "at least 32"),
        (b"abc" * 31, "odd number"),
        (b"correct horse battery staple and more words", "passphrase"),
        (b"\x01\x02", "at least 32"),
    ],
)
def test_load_key_refuses_weak_keys(tmp_path: Path, content: bytes, message: str) -> None:
    """Short keys, odd hex and typed passphrases are refused with a clear message."""
    path = tmp_path / "key.txt"
    path.write_bytes(content)
    with pytest.raises(InclusionKitError, match=message):
        load_key(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(40), "weak"),  # 40 NUL bytes
        (b"00" * 32, "weak"),  # the same, as hex
        (b"ab" * 32, "weak"),  # hex of a repeated byte
        (b"\xfe\xff" * 20, "weak"),  # a repeated pair
        (bytes(range(32)), "weak"),  # a counting sequence: 32 values, one step
        (bytes(range(200, 248)), "weak"),
        (secrets.token_bytes(65), "at most 64"),
        (b"\x00" * 100_000_000, "too long"),  # 100 MB of zeros, refused before reading it
        (secrets.token_bytes(5000), "too long"),
        (b"", "is empty"),
        (b"\n  \n", "is empty"),
    ],
)
def test_load_key_refuses_keys_anyone_could_guess(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """Weak, overlong and empty key files are refused, each saying how to make a good key."""
    path = tmp_path / "key.bin"
    path.write_bytes(content)
    with pytest.raises(InclusionKitError, match=message) as caught:
        load_key(path)
    assert "secrets.token_hex(32)" in str(caught.value)


def test_check_key_refuses_weak_bytes_given_directly() -> None:
    """pseudonymise() with weak key bytes (not from a file) is refused the same way."""
    for weak in (bytes(32), b"k" * 32, bytes(range(32)), secrets.token_bytes(100)):
        with pytest.raises(InclusionKitError, match=r"secrets\.token_hex"):
            pseudonymise(register(cnp=[ANA]), weak)


@given(st.lists(st.integers(0, 255), min_size=32, max_size=64, unique=True).map(bytes))
def test_random_looking_keys_are_accepted(key: bytes) -> None:
    """A key of many different bytes in no sequence is accepted as it is."""
    steps = {(b - a) % 256 for a, b in itertools.pairwise(key)}
    assume(len(steps) >= 8)
    assert check_key(key) == key


def test_fresh_random_keys_are_never_refused() -> None:
    """1000 keys from secrets.token_bytes(32) all pass: the weakness test has no false alarm."""
    for _ in range(1000):
        key = secrets.token_bytes(32)
        assert check_key(key) == key


def test_load_key_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    """A missing key file is an error naming the file and the command that makes a key."""
    with pytest.raises(InclusionKitError, match=r"key file not found.*token_hex\(32\)"):
        load_key(tmp_path / "nope.txt")
    assert MIN_KEY_BYTES == 32


def test_two_partners_count_shared_people_once() -> None:
    """Two registers pseudonymised with one key merge so each person counts once."""
    born = pd.to_datetime(["1990-05-17", "1985-03-02"])
    lead = register(cnp=[ANA, ION], nume=["Popescu", "Ionescu"], birth_date=born)
    partner = register(
        cnp=[ION, None],
        nume=["Ionescu", "Marin"],
        prenume=["Ion", "Elena"],
        birth_date=pd.to_datetime(["1985-03-02", "1979-11-30"]),
    )
    merged = pd.concat(
        [pseudonymise(lead, KEY, today=TODAY).table, pseudonymise(partner, KEY, today=TODAY).table]
    )
    assert len(merged) == 4
    assert merged["participant_id"].nunique() == 3
