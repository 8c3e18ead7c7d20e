"""Export a bundled example's files, so every command of the README and the docs runs verbatim.

``inclusionkit examples export dreptul-la-munca DIR`` writes, for an example with participations:

- ``project.json``: the project, as bundled;
- ``participants.csv`` and ``programme.parquet``: its participation table (canonical columns);
- ``registru.csv``: the same table as a Romanian NGO keeps it: Romanian headers, ``;``,
  ``DD.MM.YYYY`` dates, ``F``/``M``, ``Da``/``Nu``, Windows-1250;
- ``registru.xlsx``: the participation table as a workbook (when an exporter writes one);
- ``register.csv``: a register before pseudonymisation, with a CNP and names and no participant
  id, every identity SYNTHETIC (CNPs valid by their check digit, names ``Participant 0001``);
- ``partners.key``: a fresh random pseudonymisation key (owner-only), for ``--key-file``.

An example without participations gets ``project.json`` only. Existing files are replaced.
"""

from __future__ import annotations

import os
import secrets
from importlib import resources
from pathlib import Path

import numpy as np

from inclusionkit._atomic import atomic_path
from inclusionkit._contract import BOOL_COLUMNS
from inclusionkit._errors import InclusionKitError
from inclusionkit._i18n._tables import COLUMN_HEADERS, STATUS_VALUES
from inclusionkit._pandas import pd
from inclusionkit._sanitise import frame_to_csv

_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def romanian_headers(columns: list[str]) -> dict[str, str]:
    """The Romanian header of each canonical column (those of the blank register template)."""
    headers = COLUMN_HEADERS["ro"]
    return {column: headers.get(column, column) for column in columns}


def export_example(name: str, directory: str | os.PathLike[str]) -> list[Path]:
    """Write example ``name``'s files into ``directory`` (created if need be); return them."""
    from inclusionkit import get_plugin_manager, write
    from inclusionkit.examples import load

    example = load(name)
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise InclusionKitError(f"{folder}: is a file; give a folder to export into")
    folder.mkdir(parents=True, exist_ok=True)
    data = resources.files("inclusionkit.examples").joinpath("data", f"{name}.json")
    written: list[Path] = []

    def text_file(file: str, text: str, encoding: str = "utf-8", private: bool = False) -> None:
        path = folder / file
        with atomic_path(path, private=private) as tmp:
            tmp.write_bytes(text.encode(encoding))
        written.append(path)

    text_file("project.json", data.read_text(encoding="utf-8"))
    table = example.participations
    if table is None:
        return written
    for file in ("participants.csv", "programme.parquet"):
        write(table, folder / file, kind="participations")
        written.append(folder / file)
    register = romanian_register(table)
    # Windows-1250 has the cedilla letters (ş ţ), not the comma-below ones: as such files do.
    legacy = frame_to_csv(register, sep=";").translate(_CEDILLA)
    text_file("registru.csv", legacy, encoding="cp1250")
    if any(
        ".xlsx" in e.extensions and "participations" in e.kinds
        for e in get_plugin_manager().exporters().values()
    ):
        write(table, folder / "registru.xlsx", kind="participations")
        written.append(folder / "registru.xlsx")
    text_file("register.csv", frame_to_csv(identified_register(table)), private=True)
    text_file("partners.key", secrets.token_hex(32) + "\n", private=True)
    return written


def romanian_register(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a Romanian register: Romanian headers and values, dates as DD.MM.YYYY."""
    frame = table.copy()
    for column in frame.columns:
        values = frame[column]
        if column in BOOL_COLUMNS:
            frame[column] = values.map({True: "Da", False: "Nu"}, na_action="ignore")
        elif column.endswith("_date"):
            frame[column] = pd.to_datetime(values).dt.strftime("%d.%m.%Y")
        elif column == "gender":
            frame[column] = values.astype("string").map(
                {"female": "F", "male": "M"}, na_action="ignore"
            )
        elif column == "labour_status":
            frame[column] = values.astype("string").map(STATUS_VALUES["ro"], na_action="ignore")
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.rename(columns=romanian_headers(list(frame.columns)))


def identified_register(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a register before pseudonymisation: a SYNTHETIC CNP (from each birth date,
    with a valid check digit) and names, no participant id."""
    from inclusionkit.ro import cnp_check_digit

    people = table.drop_duplicates("participant_id").reset_index(drop=True)
    number = np.arange(1, len(people) + 1)
    births = pd.to_datetime(people["birth_date"]).fillna(pd.Timestamp("1990-01-01"))
    female = (people["gender"].astype("string").fillna("") == "female").to_numpy()
    first12 = [
        f"{(2 if f else 1) + (4 if b.year >= 2000 else 0)}{b:%y%m%d}40{n % 1000:03d}"
        for f, b, n in zip(female, births, number, strict=True)
    ]
    cnps = {
        pid: digits + str(cnp_check_digit(digits))
        for pid, digits in zip(people["participant_id"], first12, strict=True)
    }
    names = {
        pid: f"Participant {n:04d}" for pid, n in zip(people["participant_id"], number, strict=True)
    }
    frame = table.copy()
    frame.insert(0, "CNP", frame["participant_id"].map(cnps))
    frame.insert(1, "Nume", frame["participant_id"].map(names))
    frame.insert(2, "Prenume", "Exemplu")
    return frame.drop(columns=["participant_id"])
