"""Generate the bundled example data of ``inclusionkit.examples`` (seeded and deterministic).

Each example is built from two parts:

- the faithful model of a seed project, hand-written in ``scripts/example_sources/<name>.json``
  (title, code, period, partners, locations, objectives with their targets and rules, reported
  results, notes explaining every modelling choice), copied unchanged;
- SYNTHETIC, ILLUSTRATIVE records added here (organisations, activities, deliverables and, for
  ``dreptul-la-munca``, a participation table of 900 persons), drawn from
  ``numpy.random.default_rng`` with a fixed seed so that they are consistent with the seed's
  figures and the same on every run. They are not data of the real projects.

Usage::

    .venv/bin/python scripts/generate_examples.py           # into src/inclusionkit/examples/data
    .venv/bin/python scripts/generate_examples.py /tmp/out  # somewhere else

Running it twice gives byte-identical files; ``tests/examples`` checks the committed files
against a fresh run.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inclusionkit import (
    COLUMN_NAMES,
    load_project,
    normalise_participations,
    read_participations,
    write_participations,
)
from inclusionkit._participations import DTYPES
from inclusionkit.ro import region as ro_region

SEED = 20100101
"""The fixed seed; each example draws from its own stream ``default_rng([SEED, n])``."""

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).resolve().parent / "example_sources"
DEFAULT_OUTPUT = ROOT / "src" / "inclusionkit" / "examples" / "data"
SCHEMA_URL = "https://inclusionkit.org/schemas/project.schema.json"

KEY_ORDER = (
    "code",
    "title",
    "programme",
    "description",
    "period",
    "locations",
    "partners",
    "objectives",
    "target_groups",
    "activities",
    "deliverables",
    "organisations",
    "notes",
)

SYNTHETIC_TAG = "synthetic"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly drawn day in ``[start, end]``."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _days(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    """``n`` drawn days in ``[start, end]``, sorted."""
    return sorted(_day(rng, start, end) for _ in range(n))


def _split(rng: np.random.Generator, total: int, parts: int, minimum: int) -> list[int]:
    """Split ``total`` into ``parts`` whole numbers, each at least ``minimum``, summing exactly."""
    rest = total - parts * minimum
    if rest < 0:
        raise ValueError(f"cannot split {total} into {parts} parts of at least {minimum}")
    extra = rng.multinomial(rest, [1.0 / parts] * parts)
    return [minimum + int(x) for x in extra]


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the end of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _activity(
    id: str,
    kind: str,
    start: dt.date,
    *,
    title: tuple[str, str] | None = None,
    end: dt.date | None = None,
    city: str | None = None,
    hours: int | None = None,
    attendance: int | None = None,
    partner: str | None = None,
    organisations: Sequence[str] = (),
) -> dict[str, Any]:
    """A project-document activity with its keys in a fixed order and empty values left out."""
    record: dict[str, Any] = {"id": id, "kind": kind}
    if title is not None:
        record["title"] = {"ro": title[0], "en": title[1]}
    record["start"] = start.isoformat()
    if end is not None and end != start:
        record["end"] = end.isoformat()
    if city is not None:
        record["city"] = city
    if hours is not None:
        record["hours"] = int(hours)
    if attendance is not None:
        record["attendance"] = int(attendance)
    if partner is not None:
        record["partner"] = partner
    if organisations:
        record["organisations"] = list(organisations)
    return record


def _deliverable(
    id: str,
    kind: str,
    date: dt.date,
    *,
    title: tuple[str, str],
    city: str | None = None,
    partner: str | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": id,
        "kind": kind,
        "date": date.isoformat(),
        "title": {"ro": title[0], "en": title[1]},
    }
    if city is not None:
        record["city"] = city
    if partner is not None:
        record["partner"] = partner
    return record


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """The document with ``$schema`` first and the top-level keys in a fixed order."""
    unknown = set(document) - set(KEY_ORDER) - {"$schema"}
    if unknown:
        raise ValueError(f"unexpected top-level keys {sorted(unknown)}")
    out: dict[str, Any] = {"$schema": SCHEMA_URL}
    out.update((key, document[key]) for key in KEY_ORDER if key in document)
    return out


def _json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _load_source(name: str) -> dict[str, Any]:
    source: dict[str, Any] = json.loads((SOURCES / f"{name}.json").read_text(encoding="utf-8"))
    return source


# --------------------------------------------------------------------------------------------
# dialog-social: 120 platform members, events, consultations, consultancy hours, deliverables
# --------------------------------------------------------------------------------------------

# Composition of the 15 synthetic platform members of each of the eight cities (8 x 15 = 120),
# following the seed's list: social partners, members of the regional pacts, chambers of
# commerce and industry, farmers' and craftsmen's associations (and NGOs, the civil society).
_MEMBER_KINDS: tuple[tuple[str, int, str, str], ...] = (
    ("social_partner", 5, "partener social", "social partner"),
    ("ngo", 4, "ONG", "NGO"),
    ("chamber_of_commerce", 1, "cameră de comerț și industrie", "chamber of commerce and industry"),
    ("farmers_association", 2, "asociație de fermieri", "farmers' association"),
    ("craftsmens_association", 2, "asociație de meșteșugari", "craftsmen's association"),
    ("public_institution", 1, "instituție publică", "public institution"),
)

_DS_DELIVERY_PARTNERS = ("cries", "iit", "apel", "reper21")


def _platform_members(
    rng: np.random.Generator, cities: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The 120 synthetic platform members, and the 8 civil-society organisations among them."""
    members: list[dict[str, Any]] = []
    mentored: list[dict[str, Any]] = []
    number = 0
    for city in cities:
        first_ngo = True
        for kind, count, kind_ro, kind_en in _MEMBER_KINDS:
            for _ in range(count):
                number += 1
                tags = ["platform-member", SYNTHETIC_TAG]
                # Members of the regional pacts for employment and social inclusion.
                if kind in {"social_partner", "public_institution", "ngo"} and rng.random() < 0.4:
                    tags.append("regional-pact")
                if kind == "ngo":
                    tags.append("civil-society")
                    if first_ngo:
                        tags.append("consultancy-mentoring")
                member = {
                    "id": f"DS-M{number:03d}",
                    "name": f"Membru sintetic {number:03d} – {kind_ro}, {city}",
                    "name_en": f"Synthetic member {number:03d} – {kind_en}, {city}",
                    "kind": kind,
                    "city": city,
                    "tags": tags,
                    # Only the mentored civil-society organisations are supported directly.
                    "supported": kind == "ngo" and first_ngo,
                }
                members.append(member)
                if kind == "ngo" and first_ngo:
                    mentored.append(member)
                    first_ngo = False
    return members, mentored


def dialog_social(source: dict[str, Any]) -> dict[str, Any]:
    """The ``dialog-social`` project document: the seed facts plus synthetic records."""
    rng = np.random.default_rng([SEED, 1])
    document = copy.deepcopy(source)
    cities = [location["city"] for location in document["locations"]]
    members, mentored = _platform_members(rng, cities)
    activities: list[dict[str, Any]] = []

    # 8 national launch conferences, one per city, in the first half of 2010.
    for n, (city, day) in enumerate(
        zip(cities, _days(rng, _date("2010-03-01"), _date("2010-06-30"), 8), strict=True), 1
    ):
        activities.append(
            _activity(
                f"DS-CONF-{n:02d}",
                "conference",
                day,
                title=(
                    f"Conferință națională de lansare a proiectului – {city}",
                    f"National project launch conference – {city}",
                ),
                city=city,
                attendance=int(rng.integers(45, 91)),
                partner="cries",
            )
        )

    # Trainings in the methodology of local inclusion plans: 40 persons over the eight cities.
    trained = _split(rng, 40, len(cities), 3)
    for n, (city, day, persons) in enumerate(
        zip(cities, _days(rng, _date("2010-09-06"), _date("2011-03-25"), 8), trained, strict=True),
        1,
    ):
        activities.append(
            _activity(
                f"DS-TRAIN-{n:02d}",
                "training",
                day,
                end=day + dt.timedelta(days=2),
                title=(
                    f"Instruire în metodologia planurilor locale de incluziune socială – {city}",
                    f"Training in the local social inclusion plan methodology – {city}",
                ),
                city=city,
                hours=24,
                attendance=persons,
                partner="cries",
            )
        )

    # Consultation meetings on the local plans: 3 per city, at least 800 persons in total.
    consulted_total = 800 + int(rng.integers(20, 90))
    consulted = _split(rng, consulted_total, 3 * len(cities), 25)
    n = 0
    for city in cities:
        for day in _days(rng, _date("2011-01-10"), _date("2011-12-16"), 3):
            n += 1
            activities.append(
                _activity(
                    f"DS-CONS-{n:02d}",
                    "discussion_group",
                    day,
                    title=(
                        f"Consultare privind planul local de incluziune socială – {city}",
                        f"Consultation on the local social inclusion plan – {city}",
                    ),
                    city=city,
                    attendance=consulted[n - 1],
                    partner=str(rng.choice(_DS_DELIVERY_PARTNERS)),
                )
            )

    # Information sessions: 4 per city, over 1600 persons in total ("peste 1600").
    informed_total = 1600 + int(rng.integers(10, 100))
    informed = _split(rng, informed_total, 4 * len(cities), 35)
    n = 0
    for city in cities:
        for day in _days(rng, _date("2011-06-01"), _date("2013-10-31"), 4):
            n += 1
            activities.append(
                _activity(
                    f"DS-INFO-{n:02d}",
                    "information_session",
                    day,
                    title=(
                        f"Sesiune de informare: metode și proiecte de bune practici – {city}",
                        f"Information session: good-practice methods and projects – {city}",
                    ),
                    city=city,
                    attendance=informed[n - 1],
                    partner=str(rng.choice(_DS_DELIVERY_PARTNERS)),
                )
            )

    # 8 national seminars, one per city, in 2012.
    for n, (city, day) in enumerate(
        zip(cities, _days(rng, _date("2012-03-01"), _date("2012-10-31"), 8), strict=True), 1
    ):
        activities.append(
            _activity(
                f"DS-SEM-{n:02d}",
                "seminar",
                day,
                title=(f"Seminar național – {city}", f"National seminar – {city}"),
                city=city,
                attendance=int(rng.integers(30, 61)),
                partner="cries",
            )
        )

    # Exchanges of experience: 35 persons in two exchanges; the seed does not say where.
    first = int(rng.integers(15, 21))
    for n, (day, persons) in enumerate(
        zip(
            [
                _day(rng, _date("2012-05-01"), _date("2012-05-31")),
                _day(rng, _date("2012-10-01"), _date("2012-10-31")),
            ],
            [first, 35 - first],
            strict=True,
        ),
        1,
    ):
        activities.append(
            _activity(
                f"DS-EXCH-{n:02d}",
                "exchange_of_experience",
                day,
                end=day + dt.timedelta(days=3),
                title=(
                    "Schimb de experiență privind metodele de bune practici în incluziunea socială",
                    "Exchange of experience on good-practice methods in social inclusion",
                ),
                attendance=persons,
                partner="iris",
            )
        )

    # 640 hours of consultancy and mentoring for the members of 8 civil-society organisations.
    hours = _split(rng, 640, len(mentored), 60)
    for n, (organisation, total) in enumerate(zip(mentored, hours, strict=True), 1):
        consultancy = round(total * rng.uniform(0.5, 0.7))
        start = _day(rng, _date("2012-02-01"), _date("2012-06-29"))
        mentoring_start = _day(rng, _date("2013-01-07"), _date("2013-04-30"))
        partner = str(rng.choice(_DS_DELIVERY_PARTNERS))
        for kind, amount, begin, months, words in (
            ("consultancy", consultancy, start, 7, ("Consultanță", "Consultancy")),
            ("mentoring", total - consultancy, mentoring_start, 5, ("Mentorat", "Mentoring")),
        ):
            activities.append(
                _activity(
                    f"DS-{kind.upper()}-{n:02d}",
                    kind,
                    begin,
                    end=begin + dt.timedelta(days=30 * months),
                    title=(
                        f"{words[0]} în elaborarea și implementarea proiectelor – "
                        f"{organisation['name']}",
                        f"{words[1]} in developing and implementing projects – "
                        f"{organisation['name_en']}",
                    ),
                    city=organisation["city"],
                    hours=amount,
                    partner=partner,
                    organisations=[organisation["id"]],
                )
            )

    # The international closing conference.
    activities.append(
        _activity(
            "DS-INTL-01",
            "international_conference",
            _day(rng, _date("2013-11-04"), _date("2013-12-13")),
            title=(
                "Conferința internațională de încheiere a proiectului",
                "International closing conference of the project",
            ),
            city="Timișoara",
            attendance=int(rng.integers(90, 141)),
            partner="cries",
        )
    )

    deliverables: list[dict[str, Any]] = []
    for n, (city, day) in enumerate(
        zip(cities, _days(rng, _date("2011-10-03"), _date("2012-06-29"), 8), strict=True), 1
    ):
        deliverables.append(
            _deliverable(
                f"DS-PLAN-{n:02d}",
                "local_inclusion_plan",
                day,
                title=(
                    f"Plan local de incluziune socială – {city}",
                    f"Local social inclusion plan – {city}",
                ),
                city=city,
                partner="cries",
            )
        )
    deliverables.append(
        _deliverable(
            "DS-PORTFOLIO",
            "good_practice_portfolio",
            _day(rng, _date("2013-06-03"), _date("2013-09-30")),
            title=(
                "Portofoliu de bune practici în domeniul incluziunii sociale",
                "Portfolio of good practice in social inclusion",
            ),
            partner="cries",
        )
    )
    for n, (organisation, day) in enumerate(
        zip(mentored, _days(rng, _date("2013-03-01"), _date("2013-10-31"), 8), strict=True), 1
    ):
        deliverables.append(
            _deliverable(
                f"DS-PROJ-{n:02d}",
                "innovative_project",
                day,
                title=(
                    f"Proiect inovator în domeniul incluziunii sociale – {organisation['name']}",
                    f"Innovative social inclusion project – {organisation['name_en']}",
                ),
                city=organisation["city"],
            )
        )

    kinds = Counter(member["kind"] for member in members)
    document["organisations"] = members
    document["activities"] = activities
    document["deliverables"] = deliverables
    document["notes"] = [
        *document["notes"],
        "SYNTHETIC, ILLUSTRATIVE RECORDS: every organisation, activity and deliverable below was "
        "generated by scripts/generate_examples.py (numpy default_rng, fixed seed) to be "
        "consistent with the seed's figures; none is a record of the real project. Names, "
        "dates, attendance counts, hours and the partner named on each record are invented. "
        "Synthetic organisations carry the tag 'synthetic'.",
        f"Synthetic organisations: 120 platform members (tag 'platform-member'), 15 per city: "
        f"{kinds['social_partner']} social partners, {kinds['ngo']} NGOs, "
        f"{kinds['chamber_of_commerce']} chambers of commerce and industry, "
        f"{kinds['farmers_association']} farmers' and {kinds['craftsmens_association']} "
        f"craftsmen's associations, {kinds['public_institution']} public institutions; some are "
        "tagged 'regional-pact'. One NGO per city (8 in all) is tagged 'consultancy-mentoring': "
        "the civil-society organisations whose members received consultancy and mentoring, the "
        "only organisations the operation supports directly (supported true; entity indicators "
        "count them).",
        f"Synthetic activities: 8 launch conferences (2010) and 8 national seminars (2012), one "
        f"per city; trainings for 40 persons; 24 consultation meetings (kind discussion_group) "
        f"for {consulted_total} persons; 32 information sessions for {informed_total} persons "
        f"(the seed: over 1600); 2 exchanges of experience for 35 persons; consultancy and "
        f"mentoring totalling 640 hours over the 8 organisations; one international closing "
        f"conference (2013). Synthetic deliverables: 8 local inclusion plans (one per city), "
        f"1 good-practice portfolio, 8 innovative projects (one per mentored organisation).",
    ]
    return _ordered(document)


# --------------------------------------------------------------------------------------------
# dreptul-la-munca: 900 participations, services and the four discussion groups
# --------------------------------------------------------------------------------------------

_REGIONS = ("RO32", "RO31", "RO11")
_REGION_WEIGHTS = (0.40, 0.35, 0.25)
_RURAL_SHARE = {"RO32": 0.10, "RO31": 0.55, "RO11": 0.40}
_DLM_PARTNERS = ("forum-group", "agentia", "cpe", "eduteco")
_LABOUR = (
    "unemployed",
    "long_term_unemployed",
    "inactive",
    "inactive_in_education",
    "employed",
    "self_employed",
)
_LABOUR_WEIGHTS = (0.34, 0.30, 0.28, 0.03, 0.04, 0.01)
_ISCED_WEIGHTS = {
    "roma": (0.18, 0.27, 0.33, 0.17, 0.03, 0.02),
    "disability": (0.05, 0.15, 0.35, 0.35, 0.05, 0.05),
}
_TRADES = (
    ("Lucrător în comerț", "Retail worker"),
    ("Ajutor bucătar", "Kitchen assistant"),
    ("Zidar-pietrar-tencuitor", "Bricklayer, stonemason and plasterer"),
    ("Îngrijitor bătrâni la domiciliu", "Home carer for the elderly"),
)
_COURSE_HOURS = 360
_N_ROMA = 800
_N_DISABILITY = 100
_N_INCOMPLETE = 5


def _participants(
    rng: np.random.Generator, code: str, period_end: dt.date
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The synthetic participation table and, per person, the services received."""
    groups = rng.permutation(["roma"] * _N_ROMA + ["disability"] * _N_DISABILITY)
    rows: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for index, group in enumerate(groups):
        roma = group == "roma"
        entry = _day(rng, _date("2014-06-02"), _date("2015-04-30"))
        # Working-age adults; the Roma group is younger on average.
        shape, years = ((1.6, 2.6), 45) if roma else ((2.0, 2.0), 44)
        age = 18 + int(rng.beta(*shape) * years)
        oldest = _add_years(entry, -(age + 1))
        span = (_add_years(entry, -age) - oldest).days
        birth = oldest + dt.timedelta(days=int(rng.integers(1, span + 1)))
        region = str(rng.choice(_REGIONS, p=_REGION_WEIGHTS))
        labour = str(rng.choice(_LABOUR, p=_LABOUR_WEIGHTS))
        employed_at_entry = labour in {"employed", "self_employed"}

        # Services: counselling on entry; then vocational guidance; most then take a course.
        early_dropout = rng.random() < 0.04
        guided = not early_dropout
        course = guided and rng.random() < 0.62
        qualified = False
        guidance_day = course_start = course_end = None
        trade = None
        if early_dropout:
            exit_day = entry + dt.timedelta(days=int(rng.integers(7, 42)))
        else:
            guidance_day = entry + dt.timedelta(days=int(rng.integers(7, 21)))
            if course:
                trade = int(rng.integers(0, len(_TRADES)))
                course_start = entry + dt.timedelta(days=int(rng.integers(21, 46)))
                course_end = course_start + dt.timedelta(days=int(rng.integers(75, 101)))
                if rng.random() < 0.07:  # left the course
                    exit_day = course_start + dt.timedelta(days=int(rng.integers(10, 60)))
                else:
                    qualified = True
                    exit_day = course_end + dt.timedelta(days=int(rng.integers(0, 11)))
            else:
                exit_day = entry + dt.timedelta(days=int(rng.integers(30, 95)))
        exit_day = min(exit_day, period_end)

        if employed_at_entry:
            employed_at_exit = True
        else:
            employed_at_exit = bool(rng.random() < (0.20 if qualified else 0.10))
        # Employment six months after leaving is known only when that falls within the project.
        observed = _add_months(exit_day, 6) <= period_end
        employed_6m: bool | None = None
        improved_6m: bool | None = None
        if observed:
            chance = 0.85 if employed_at_exit else (0.22 if qualified else 0.12)
            employed_6m = bool(rng.random() < chance)
            if employed_at_entry:
                improved_6m = bool(rng.random() < 0.3)

        rows.append(
            {
                "participant_id": f"DLM-{index + 1:04d}",
                "project_code": code,
                "gender": str(rng.choice(["female", "male"], p=[0.52, 0.48])),
                "birth_date": birth,
                "entry_date": entry,
                "exit_date": exit_day,
                "labour_status": labour,
                "isced": int(rng.choice(6, p=_ISCED_WEIGHTS[group])),
                "jobless_household": bool(rng.random() < (0.25 if employed_at_entry else 0.55)),
                "dependent_children": bool(rng.random() < 0.6),
                "single_adult_household": bool(rng.random() < 0.08),
                # The Roma are a minority; a few persons with disabilities belong to another
                # minority (so that counting roma and counting minority differ).
                "minority": roma or index % 25 == 0,
                "roma": roma,
                "migrant": False,
                "foreign_background": False,
                "third_country_national": False,
                "disability": not roma,
                "other_disadvantaged": None,
                "homeless": bool(rng.random() < 0.03),
                "rural": bool(rng.random() < _RURAL_SHARE[region]),
                "job_searching_at_exit": False if employed_at_exit else bool(rng.random() < 0.5),
                "education_at_exit": bool(rng.random() < 0.03),
                "qualification_at_exit": qualified,
                "employed_at_exit": employed_at_exit,
                "employed_6m": employed_6m,
                "improved_situation_6m": improved_6m,
                "region": region,
                "partner": str(rng.choice(_DLM_PARTNERS)),
            }
        )
        services.append(
            {
                "entry": entry,
                "guidance": guidance_day,
                "course_start": course_start,
                "course_end": course_end,
                "trade": trade,
            }
        )

    # Age boundaries (the indicator rules' edge cases): DLM-0001 turns 25 on the day of entry,
    # DLM-0002 turns 25 the day after, DLM-0003 turns 55 and DLM-0004 turns 18 on entry.
    for index, years, shift in ((0, 25, 0), (1, 25, 1), (2, 55, 0), (3, 18, 0)):
        entry = rows[index]["entry_date"]
        rows[index]["birth_date"] = _add_years(entry, -years) + dt.timedelta(days=shift)

    # A handful of incomplete records (a required field left empty), never a boundary case.
    incomplete = sorted(int(i) for i in rng.choice(np.arange(4, len(rows)), _N_INCOMPLETE, False))
    for k, index in enumerate(incomplete):
        rows[index]["isced" if k < 3 else "labour_status"] = None

    frame = pd.DataFrame.from_records(rows, columns=list(COLUMN_NAMES))
    for name, dtype in DTYPES.items():
        if name in {"birth_date", "entry_date", "exit_date"}:
            frame[name] = pd.to_datetime(frame[name]).astype(dtype)
        else:
            frame[name] = pd.array(frame[name].tolist(), dtype=dtype)
    for row, service in zip(rows, services, strict=True):
        service["partner"] = row["partner"]
        service["region"] = row["region"]
    return normalise_participations(frame), services


def _service_activities(services: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counselling, vocational guidance and qualification courses aggregated from the persons."""
    activities: list[dict[str, Any]] = []
    region_names = {code: ro_region(code).name for code in _REGIONS}
    for kind, day_key, prefix, words in (
        ("counselling", "entry", "DLM-COUNS", ("Servicii de consiliere", "Counselling services")),
        (
            "vocational_guidance",
            "guidance",
            "DLM-GUID",
            ("Servicii de orientare profesională", "Vocational guidance services"),
        ),
    ):
        n = 0
        for partner in _DLM_PARTNERS:
            for region in _REGIONS:
                days = [
                    s[day_key]
                    for s in services
                    if s["partner"] == partner and s["region"] == region and s[day_key]
                ]
                if not days:
                    continue
                n += 1
                activities.append(
                    _activity(
                        f"{prefix}-{n:02d}",
                        kind,
                        min(days),
                        end=max(days),
                        title=(
                            f"{words[0]} – {region_names[region]}",
                            f"{words[1]} – {region_names[region]}",
                        ),
                        attendance=len(days),
                        partner=partner,
                    )
                )
    n = 0
    for region in _REGIONS:
        for trade, (trade_ro, trade_en) in enumerate(_TRADES):
            for in_2015 in (False, True):
                cohort = [
                    s
                    for s in services
                    if s["region"] == region
                    and s["trade"] == trade
                    and (s["course_start"] >= dt.date(2015, 1, 1)) == in_2015
                ]
                if not cohort:
                    continue
                n += 1
                activities.append(
                    _activity(
                        f"DLM-COURSE-{n:02d}",
                        "qualification_course",
                        min(s["course_start"] for s in cohort),
                        end=max(s["course_end"] for s in cohort),
                        title=(
                            f"Curs de calificare „{trade_ro}” – {region_names[region]}",
                            f"Qualification course “{trade_en}” – {region_names[region]}",
                        ),
                        hours=_COURSE_HOURS,
                        attendance=len(cohort),
                    )
                )
    return activities


def dreptul_la_munca(source: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame]:
    """The ``dreptul-la-munca`` project document and its synthetic participation table."""
    rng = np.random.default_rng([SEED, 2])
    document = copy.deepcopy(source)
    period_end = _date(document["period"]["end"])
    frame, services = _participants(rng, document["code"], period_end)

    for activity in document["activities"]:
        if activity["kind"] == "discussion_group":
            activity["attendance"] = int(rng.integers(12, 26))
    document["activities"] = [*document["activities"], *_service_activities(services)]

    incomplete = frame[frame["isced"].isna() | frame["labour_status"].isna()]
    courses = sum(1 for s in services if s["trade"] is not None)
    document["notes"] = [
        *document["notes"],
        "SYNTHETIC, ILLUSTRATIVE RECORDS: the participation table "
        "(dreptul-la-munca.participations.csv), the attendance of the four discussion groups "
        "and every counselling, vocational guidance and qualification course activity were "
        "generated by scripts/generate_examples.py (numpy default_rng, fixed seed) to be "
        "consistent with the seed's figures; none is a record of the real project or of a "
        "real person.",
        "Synthetic participation table: 900 persons DLM-0001..DLM-0900 (800 with roma true, "
        "the Roma, who are also a minority; 100 with disability true, a few of whom belong to "
        "another minority: minority true, roma false), entering between 2014-06-02 and "
        "2015-04-30 and all leaving by 2015-10-31; mostly unemployed, long-term unemployed or "
        "inactive; "
        "ISCED mostly 0-3; regions RO32/RO31/RO11; the enrolling partner drawn at random. "
        "Results: a qualification upon leaving for those who finished a course; employment "
        "six months after leaving is known only for persons who left by 2015-04-30 (observed "
        "within the project); 'other_disadvantaged' was not collected (empty).",
        f"Synthetic edge cases: DLM-0001 turns 25 on the day of entry, DLM-0002 the day after, "
        f"DLM-0003 turns 55 and DLM-0004 turns 18 on entry. {len(incomplete)} records are "
        f"deliberately incomplete (ISCED or labour status empty: "
        f"{', '.join(incomplete['participant_id'].tolist())}) so that the example exercises the "
        f"completeness rule: they are counted in no indicator and are listed as incomplete.",
        f"Synthetic services: counselling on entry for all 900; vocational guidance for those "
        f"who did not drop out in the first weeks; {courses} persons in qualification courses "
        f"({_COURSE_HOURS} hours, four trades, one cohort per region, trade and year of start, "
        f"attributed to no partner because the seed does not say who ran them). Counselling "
        f"and guidance are recorded per enrolling partner and region with head counts that "
        f"match the table.",
    ]
    return _ordered(document), frame


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def generate(output: Path) -> list[Path]:
    """Write every example's data files into ``output``; return the paths written."""
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    documents: dict[str, dict[str, Any]] = {
        "dialog-social": dialog_social(_load_source("dialog-social"))
    }
    document, frame = dreptul_la_munca(_load_source("dreptul-la-munca"))
    documents["dreptul-la-munca"] = document

    for name, doc in documents.items():
        load_project(doc)  # raises with every problem if the document is not valid
        path = output / f"{name}.json"
        path.write_text(_json_text(doc), encoding="utf-8", newline="\n")
        written.append(path)

    path = output / "dreptul-la-munca.participations.csv"
    write_participations(frame, path)
    path.chmod(0o644)  # the atomic writer creates private (0600) files; data files are public
    back = read_participations(path)
    pd.testing.assert_frame_equal(back, frame)
    written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"directory to write into (default: {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    for path in generate(args.output):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
