"""`--lang ro` on every command, over the bundled example `inclusionkit examples export` writes:
Romanian words in what each prints and writes, and none of the English the catalogue translates.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from inclusionkit._i18n._extract import catalogue_messages
from inclusionkit.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = [
    REPO / "src/inclusionkit/_i18n/locale/ro/LC_MESSAGES/inclusionkit.po",
    REPO
    / "plugins/inclusionkit-xlsx/src/inclusionkit_xlsx/locale/ro/LC_MESSAGES/inclusionkit_xlsx.po",
    REPO
    / "plugins/inclusionkit-html/src/inclusionkit_html/locale/ro/LC_MESSAGES/inclusionkit_html.po",
]


def _english_phrases() -> list[str]:
    """The catalogues' English that must not show in Romanian output: each text of two words
    or more whose Romanian differs, and the words around a text's placeholders (12 characters
    or more), which are said the same way wherever the text is used."""
    phrases: set[str] = set()
    for po in CATALOGUES:
        for (_, english), romanian in catalogue_messages(po).items():
            if english == romanian:
                continue
            for part in re.split(r"\{[^}]*\}", english):
                part = part.strip(" :;,.()'\"…\n")
                if len(part) >= 12 and " " in part and part not in romanian:
                    phrases.add(part)
    return sorted(phrases)


ENGLISH = _english_phrases()


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main([*args, "--lang", "ro"])
    out, err = capsys.readouterr()
    return code, out + err


def _assert_romanian(text: str, *words: str) -> None:
    for word in words:
        assert word in text, f"{word!r} not in the output"
    leaked = [phrase for phrase in ENGLISH if phrase in text]
    assert leaked == [], leaked


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled example's files (project.json, participants.csv, registru.csv/.xlsx, …)."""
    folder = tmp_path_factory.mktemp("example")
    assert main(["examples", "export", "dreptul-la-munca", str(folder)]) == 0
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_catalogue_gives_phrases_to_look_for() -> None:
    """The check below has something to check: the catalogues' English phrases."""
    assert "participations counted" in ENGLISH
    assert "is missing" not in ENGLISH  # too short to tell


def test_report_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """report: a Romanian CSV (headers, women/men, entries/leavers), summary and excluded file;
    the xlsx and html reports in Romanian too."""
    excluded = tmp_path / "excluse.csv"
    code, text = _run(
        ["report", str(example / "participants.csv"), "--excluded", str(excluded)], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "Indicator,An,Flux,Gen,Valoare", "femei", "bărbați", "intrări")
    _assert_romanian(text, "participări luate în calcul")
    written = excluded.read_text(encoding="utf-8")
    _assert_romanian(written, "Motiv", "lipsește nivelul ISCED")
    code, text = _run(
        ["report", str(example / "participants.csv"), "-o", str(tmp_path / "r.xlsx")], capsys
    )
    assert code == 0, text
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[:3] == ["Indicatori", "Excluși", "Verificări"]
    cells = " ".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value
    )
    _assert_romanian(cells, "Raport de indicatori", "femei", "lipsește nivelul ISCED")
    code, text = _run(
        ["report", str(example / "participants.csv"), "-o", str(tmp_path / "r.html")], capsys
    )
    assert code == 0, text
    _assert_romanian((tmp_path / "r.html").read_text(encoding="utf-8"), "femei", "Raport")
    code, text = _run(
        [
            "report",
            str(example / "participants.csv"),
            "--layout",
            "sfc2021",
            "--allow-other-period",
        ],
        capsys,
    )
    assert code == 0, text
    _assert_romanian(text, "Prioritate", "mai puțin dezvoltată", "avertisment", "proiecte")


def test_validate_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate: each problem's place and meaning, the summary and the rejected file's headers."""
    code, text = _run(["validate", str(example / "registru.csv")], capsys)
    assert code == 2
    _assert_romanian(text, "linia", "coloana", "lipsește", "eroare", "problemă(e) găsite")
    code, text = _run(["validate", str(example / "registru.xlsx"), "--summary"], capsys)
    assert code == 2
    _assert_romanian(text, "problemă / număr / înțeles", "lipsește statutul pe piața muncii")
    rejected = tmp_path / "respinse.csv"
    code, text = _run(
        ["validate", str(example / "participants.csv"), "--rejected", str(rejected)], capsys
    )
    assert code == 2
    _assert_romanian(text, "rânduri", "acceptate", "respinse")
    _assert_romanian(rejected.read_text(encoding="utf-8"), "Rând,Coduri,Mesaj", "Gen")
    code, text = _run(["validate", str(example / "project.json")], capsys)
    assert code == 0, text
    _assert_romanian(text, "proiect valid")


def test_progress_and_technical_report_in_romanian(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """progress: Romanian headers, units and statuses; the technical report's Anexa 9 headers."""
    project = str(example / "project.json")
    participants = str(example / "participants.csv")
    code, text = _run(["progress", project, "--participations", participants], capsys)
    assert code == 0, text
    _assert_romanian(text, "Indicator", "Țintă", "Stadiu", "persoane")
    code, text = _run(
        ["progress", project, "--participations", participants, "--format", "csv"], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "Unitate de măsură", "persoane")
    code, text = _run(
        ["progress", project, "--participations", participants, "--period", "2015-Q1"], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "Raport tehnic", "Grup ţintă")


def test_privacy_commands_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pseudonymise, retention and followup say what they did in Romanian."""
    target = tmp_path / "pseudonimizat.csv"
    code, text = _run(
        [
            "pseudonymise",
            str(example / "register.csv"),
            str(target),
            "--key-file",
            str(example / "partners.key"),
        ],
        capsys,
    )
    assert code == 0, text
    _assert_romanian(text, "pseudonimizate", "din CNP", "coloane eliminate")
    code, text = _run(
        ["retention", str(example / "participants.csv"), "--until", "2030-01-01"], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "expirate până la")
    code, text = _run(
        ["followup", str(example / "participants.csv"), "--window", "2015-01-01..2015-12-31"],
        capsys,
    )
    assert code == 0, text
    _assert_romanian(text, "momentul de șase luni", "Data ieșirii")


def test_register_commands_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """register init, import, log, export, submit, diff, history and retention in Romanian."""
    db = str(tmp_path / "registru.sqlite")
    code, text = _run(["register", "init", db], capsys)
    assert code == 0, text
    _assert_romanian(text, "registru creat")
    code, text = _run(["register", "log", db], capsys)
    _assert_romanian(text, "niciun import")
    table = pd.read_csv(example / "participants.csv")
    own = tmp_path / "agentia.csv"
    table[table["partner"] == "agentia"].to_csv(own, index=False)
    code, text = _run(["register", "import", db, str(own), "--partner", "agentia"], capsys)
    assert code == 0, text
    _assert_romanian(text, "adăugate", "respinse")
    code, text = _run(["register", "export", db, str(tmp_path / "export.csv")], capsys)
    assert code == 0, text
    _assert_romanian(text, "rânduri de participare")
    code, text = _run(["register", "submit", db, "--period", "2015", "--rules", "esf-2007"], capsys)
    assert code == 0, text
    _assert_romanian(text, "Indicator,", "femei", "transmis")
    code, text = _run(["register", "history", db, "--participant", "nobody"], capsys)
    _assert_romanian(text, "nicio modificare")
    code, text = _run(["register", "diff", db, "2015"], capsys)
    assert code == 0, text
    _assert_romanian(text)


def test_the_other_commands_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """template, mapping, convert, rulesets, formats, plugins, examples and demo: Romanian
    words where they print words, and an error in Romanian."""
    code, text = _run(["template", str(tmp_path / "registru.csv")], capsys)
    assert code == 0, text
    _assert_romanian(text, "registru gol")
    assert "Data nașterii" in (tmp_path / "registru.csv").read_text(encoding="utf-8-sig")
    code, text = _run(["mapping", "suggest", str(example / "registru.xlsx")], capsys)
    assert code == 0, text
    _assert_romanian(text)
    code, text = _run(
        ["convert", str(example / "participants.csv"), str(tmp_path / "p.parquet")], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "am scris")
    code, text = _run(["rulesets", "esf-2014"], capsys)
    assert code == 0, text
    _assert_romanian(text, "Denumire", "șomeri", "realizare")
    code, text = _run(["formats"], capsys)
    _assert_romanian(text, "Extensii", "Citește")
    code, text = _run(["plugins"], capsys)
    _assert_romanian(text, "Versiune")
    code, text = _run(["examples", "list"], capsys)
    _assert_romanian(text, "dreptul-la-munca")
    code, text = _run(["demo", "-o", str(tmp_path / "demo")], capsys)
    assert code == 0, text
    _assert_romanian(text, "Progresul față de ținte", "Am scris")
    code, text = _run(["report", str(tmp_path / "nothing.csv")], capsys)
    assert code == 2
    _assert_romanian(text, "inclusionkit: eroare:", "fișierul nu există")
    bad = tmp_path / "incomplet.csv"
    bad.write_text("participant_id,gender\nA,female\n", encoding="utf-8")
    code, text = _run(["report", str(bad)], capsys)
    assert code == 2
    # (the detail names header spellings the reader knows, 'Project code' among them)
    for words in ("problemă(e) găsite:", "linia 1", "coloana", "lipsește coloana canonică"):
        assert words in text


def test_every_command_is_run_here() -> None:
    """Each command of the command line is one of those run above in Romanian."""
    source = Path(__file__).read_text(encoding="utf-8")
    assert [name for name in COMMANDS if f'"{name}"' not in source] == []


def test_the_group_option_and_the_locale_choose_romanian(
    example: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`inclusionkit --lang ro validate …` and LANG=ro_RO.UTF-8 speak Romanian; the command's
    own --lang wins over both."""
    project = str(example / "project.json")
    assert main(["--lang", "ro", "validate", project]) == 0
    assert "proiect valid" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "ro_RO.UTF-8")
    assert main(["validate", project]) == 0
    assert "proiect valid" in capsys.readouterr().out
    assert main(["validate", project, "--lang", "en"]) == 0
    assert "valid project" in capsys.readouterr().out


def test_the_languages_page_commands_run_verbatim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of docs/languages.md runs as written, in order (a VAR=value prefix sets
    the environment): exit 0, or 2 where its comment says so, and speaks Romanian."""
    monkeypatch.chdir(tmp_path)
    text = (REPO / "docs" / "languages.md").read_text(encoding="utf-8")
    lines = [
        line
        for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)
        for line in block.splitlines()
        if re.match(r"(\w+=\S+ )*inclusionkit ", line)
    ]
    assert len(lines) == 4
    for line in lines:
        command, _, comment = line.partition("  #")
        words = shlex.split(command)
        with monkeypatch.context() as env:
            while "=" in words[0]:
                name, _, value = words.pop(0).partition("=")
                env.setenv(name, value)
            code = main(words[1:])
        out, err = capsys.readouterr()
        assert code == (2 if "exit 2" in comment else 0), f"{command}: {err}"
        if "examples export" not in command:
            _assert_romanian(out + err, "ț")


# -- the messages raised deep in the library ----------------------------------------------------


def _register_with(example: Path, folder: Path, name: str, edit: dict[str, object]) -> Path:
    """The example's participants.csv with columns changed (``None`` drops one), as ``name``."""
    table = pd.read_csv(example / "participants.csv", dtype=str, keep_default_na=False)
    for column, value in edit.items():
        if value is None:
            table = table.drop(columns=column)
        else:
            table[column] = value
    path = folder / name
    table.head(6).to_csv(path, index=False)
    return path


def test_unmapped_and_missing_columns_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A column matching nothing beside a missing one: validate and report both name them, at the
    header's line, with the closest names and the headers to use, in Romanian."""
    path = _register_with(example, tmp_path, "ambele.csv", {"gender": None, "Culoare ochi": "x"})
    code, text = _run(["validate", str(path)], capsys)
    assert code == 2, text
    _assert_romanian(
        text,
        "linia 1, coloana 'Culoare ochi': antetul 'Culoare ochi' nu corespunde niciunei "
        "coloane cunoscute; cele mai apropiate nume canonice",
        "--ignore-columns 'Culoare ochi'",
        "linia 1, coloana 'gender': lipsește coloana canonică 'gender' (un antet precum",
    )
    only = _register_with(example, tmp_path, "nemapat.csv", {"Culoare ochi": "x"})
    for command in ("validate", "report"):
        code, text = _run([command, str(only)], capsys)
        assert code == 2, text
        _assert_romanian(text, "linia 1, coloana 'Culoare ochi': antetul 'Culoare ochi'")


def test_bad_cells_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cells that do not read (a date, a two-digit year, a boolean) and a CNP as participant id,
    said in Romanian; the personal cells (a birth date, the CNP) are never quoted."""
    path = _register_with(
        example,
        tmp_path,
        "celule.csv",
        {"entry_date": "31.02.2015", "exit_date": "01.03.15", "rural": "poate"},
    )
    code, text = _run(["validate", str(path)], capsys)
    assert code == 2, text
    _assert_romanian(
        text,
        "'31.02.2015': nu se poate citi ca dată (se așteaptă AAAA-LL-ZZ sau ZZ.LL.AAAA)",
        "'01.03.15' are anul din două cifre, deci secolul nu se cunoaște",
        "'poate': nu se poate citi ca valoare da/nu",
    )
    cnp = _register_with(example, tmp_path, "cnp.csv", {"participant_id": "1900131410016"})
    code, text = _run(["validate", str(cnp)], capsys)
    assert code == 2, text
    _assert_romanian(text, "id-ul participantului este un CNP valid")
    assert "1900131410016" not in text


def test_file_problems_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown extension, an output that is an input, a JSON document that does not parse:
    each refusal in Romanian."""
    odd = tmp_path / "registru.dat"
    odd.write_bytes(b"\x00\x01\x02")
    code, text = _run(["report", str(odd)], capsys)
    assert code == 2, text
    _assert_romanian(text, "niciun format nu citește fișiere '.dat'")
    source = example / "participants.csv"
    code, text = _run(["report", str(source), "-o", str(source)], capsys)
    assert code == 2, text
    _assert_romanian(text, "este o intrare a acestei comenzi")
    project = tmp_path / "proiect.json"
    project.write_text('{"code": 1,', encoding="utf-8")
    code, text = _run(["validate", str(project)], capsys)
    assert code == 2, text
    _assert_romanian(text, "JSON invalid la linia 1")


def test_table_limit_in_romanian(
    example: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table over the size limit is refused in Romanian, with the variable that raises it."""
    monkeypatch.setenv("INCLUSIONKIT_MAX_INPUT_BYTES", "100")
    code, text = _run(["validate", str(example / "participants.csv")], capsys)
    assert code == 2, text
    _assert_romanian(
        text, "refuzat", "depășește limita de 100 octeți pentru tabele", "MAX_INPUT_BYTES=<octeți>"
    )


def test_project_problems_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project's own mistakes (a period ending before it starts) are said in Romanian."""
    document = (example / "project.json").read_text(encoding="utf-8")
    import json

    project = json.loads(document)
    project["period"]["end"] = "2000-01-01"
    path = tmp_path / "proiect.json"
    path.write_text(json.dumps(project), encoding="utf-8")
    code, text = _run(["validate", str(path)], capsys)
    assert code == 2, text
    _assert_romanian(text, "se termină (2000-01-01) înainte să înceapă")


def test_mapping_messages_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mapping suggest's reasons, a mapping file not found and a header listed twice."""
    edit = {"roma": None, "Etnie rroma": "Da", "gender": None, "Sexul": "F"}
    path = _register_with(example, tmp_path, "etnie.csv", edit)
    code, text = _run(["mapping", "suggest", str(path)], capsys)
    assert code == 0, text
    _assert_romanian(text, "Propus de `inclusionkit mapping suggest`")
    assert "se scrie ca" in text or "valorile sale sunt" in text
    code, text = _run(["validate", str(path), "--mapping", str(tmp_path / "lipsă.json")], capsys)
    assert code == 2, text
    _assert_romanian(text, "fișierul de corespondență nu există")
    twice = tmp_path / "dublu.json"
    twice.write_text('{"columns": {"Sex": "gender", "sex ": "gender"}}', encoding="utf-8")
    code, text = _run(["validate", str(path), "--mapping", str(twice)], capsys)
    assert code == 2, text
    _assert_romanian(text, "apare de două ori (antetele se potrivesc ignorând majusculele")


def test_workbook_problems_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The xlsx reader's refusals and its column places, from the plugin's catalogue."""
    empty = tmp_path / "gol.xlsx"
    empty.write_bytes(b"")
    code, text = _run(["validate", str(empty)], capsys)
    assert code == 2, text
    _assert_romanian(text, "fișierul este gol (0 octeți); cereți o copie nouă")
    csv_named = tmp_path / "text.xlsx"
    csv_named.write_text("a,b\n1,2\n", encoding="utf-8")
    code, text = _run(["validate", str(csv_named)], capsys)
    assert code == 2, text
    _assert_romanian(text, "acesta este un fișier CSV (text) numit .xlsx")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Registru"
    table = pd.read_csv(example / "participants.csv", dtype=str, keep_default_na=False)
    sheet.append([*table.columns, "Culoare ochi"])
    sheet.append([*table.iloc[0], "căprui"])
    path = tmp_path / "registru.xlsx"
    book.save(path)
    code, text = _run(["validate", str(path)], capsys)
    assert code == 2, text
    letter = openpyxl.utils.get_column_letter(len(table.columns) + 1)
    _assert_romanian(
        text,
        f"foaia 'Registru', rândul 1, coloana 'Culoare ochi': antetul 'Culoare ochi' "
        f"(coloana {letter}) nu corespunde",
    )


def test_register_messages_in_romanian(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The register's summaries, the headers and words of log, history and diff, and its
    refusals (no such register, a period submitted twice, a period it cannot read)."""
    db = str(tmp_path / "registru.sqlite")
    code, text = _run(["register", "log", db], capsys)
    assert code == 2, text
    _assert_romanian(text, "registrul nu există; creați-l cu `inclusionkit register init`")
    assert _run(["register", "init", db], capsys)[0] == 0
    table = pd.read_csv(example / "participants.csv", dtype=str, keep_default_na=False)
    own = table[table["partner"] == "agentia"]
    first, second = tmp_path / "agentia.csv", tmp_path / "agentia-2.csv"
    own.to_csv(first, index=False)
    changed = own.head(len(own) - 2).copy()
    changed.iloc[0, changed.columns.get_loc("isced")] = "3"
    changed.to_csv(second, index=False)
    code, text = _run(["register", "import", db, str(first), "--partner", "agentia"], capsys)
    assert code == 0, text
    _assert_romanian(text, "importul 1 (agentia, actualizare):", "adăugate", "neschimbate")
    assert _run(["register", "submit", db, "--period", "2015"], capsys)[0] == 0
    code, text = _run(["register", "submit", db, "--period", "2015"], capsys)
    assert code == 2, text
    _assert_romanian(text, "a fost deja transmis; este înghețat")
    code, text = _run(
        ["register", "import", db, str(second), "--partner", "agentia", "--mode", "full"], capsys
    )
    assert code == 0, text
    _assert_romanian(text, "importul 2 (agentia, complet):", "retrase")
    code, text = _run(["register", "diff", db, "2015"], capsys)
    assert code == 0, text
    _assert_romanian(
        text, "schimbate de la transmitere", "datele s-au schimbat", "modificare", "retras"
    )
    code, text = _run(["register", "log", db], capsys)
    assert code == 0, text
    _assert_romanian(text, "momentul", "utilizator", "adăugate", "complet")
    code, text = _run(["register", "history", db], capsys)
    assert code == 0, text
    _assert_romanian(text, "valoare veche", "valoare nouă", "adăugat")
    code, text = _run(["register", "submit", db, "--period", "2015-13"], capsys)
    assert code == 2, text
    _assert_romanian(text, "perioada '2015-13' nu poate fi citită")
