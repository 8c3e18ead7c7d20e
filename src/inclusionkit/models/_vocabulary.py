"""Controlled vocabularies of the domain model.

Closed lists (a partner's role, an indicator's kind) are ``StrEnum``s: their string value is what
JSON documents and tables carry. Open lists (activity and deliverable kinds) are tuples of
built-in names that plugins may extend through the ``register_vocabulary`` hook.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from inclusionkit.ro import REGIONS


class OrganisationKind(enum.StrEnum):
    """What sort of body an organisation is (the seeds name each of these)."""

    NGO = "ngo"
    PUBLIC_INSTITUTION = "public_institution"
    SOCIAL_PARTNER = "social_partner"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    FARMERS_ASSOCIATION = "farmers_association"
    CRAFTSMENS_ASSOCIATION = "craftsmens_association"
    COMPANY = "company"
    PLATFORM = "platform"
    OTHER = "other"


class PartnerRole(enum.StrEnum):
    """An organisation's role in one project; ``lead`` is the ESF "beneficiary"."""

    LEAD = "lead"
    PARTNER = "partner"
    ASSOCIATE = "associate"
    FUNDER = "funder"


class IndicatorKind(enum.StrEnum):
    """Whether an indicator measures what was done (output) or what changed (result)."""

    OUTPUT = "output"
    RESULT = "result"


class Unit(enum.StrEnum):
    """The unit an indicator's target and achieved value are expressed in."""

    PERSONS = "persons"
    PARTICIPANTS = "participants"
    ORGANISATIONS = "organisations"
    HOURS = "hours"
    EVENTS = "events"
    DOCUMENTS = "documents"
    PLANS = "plans"
    PROJECTS = "projects"
    PERCENT = "percent"
    NUMBER = "number"


class Gender(enum.StrEnum):
    """Gender categories of ESF reporting (non-binary from 2021 on)."""

    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"


class LabourStatus(enum.StrEnum):
    """Labour-market status at entry, as the participation table contract defines it."""

    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED = "unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    INACTIVE_IN_EDUCATION = "inactive_in_education"
    INACTIVE = "inactive"


GENDERS: tuple[str, ...] = tuple(str(g) for g in Gender)
"""Every value of the participation table's ``gender`` column."""

LABOUR_STATUSES: tuple[str, ...] = tuple(str(s) for s in LabourStatus)
"""Every value of the participation table's ``labour_status`` column."""

ISCED_LEVELS: tuple[int, ...] = tuple(range(9))
"""The ISCED 2011 levels ``isced`` may hold (0 early childhood to 8 doctoral)."""


REGION_CODES: tuple[str, ...] = tuple(REGIONS)
"""The NUTS-2 codes of Romania's regions, the values of the participation table's ``region``."""

COLUMN_VOCABULARIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"gender": GENDERS, "labour_status": LABOUR_STATUSES, "region": REGION_CODES}
)
"""The closed vocabularies of the participation table's text columns: the one home of these
lists (validation, completeness and the column coding of the engine all read them here)."""


class ProgressStatus(enum.StrEnum):
    """Where an indicator stands against its target: ``behind`` or ``on track`` judge a running
    project against its due milestone (``behind`` also when no milestone is due), ``not
    achieved`` a finished project below target."""

    NOT_STARTED = "not started"
    BEHIND = "behind"
    ON_TRACK = "on track"
    MET = "met"
    EXCEEDED = "exceeded"
    NOT_ACHIEVED = "not achieved"


PROJECT_FOCUS: tuple[str, ...] = ("women_in_employment",)
"""What a project can declare it targets (``Project.focus``): ``women_in_employment``, the
sustainable participation and progress of women in employment (CO21, Regulation (EU) No
1304/2013, Annex I)."""


@enum.unique
class VulnerableGroup(enum.StrEnum):
    """The vulnerable groups of the POSDRU 6.x strategic calls (the DCI POSDRU as quoted by
    sesincluziune.ro, "Cui ne adresam"; ro-programmes.md §1.2, verified), which POCU axis 4
    continued. :data:`VULNERABLE_GROUP_COLUMNS` gives the canonical column recording each, when
    the contract has one."""

    ROMA = "roma"
    DISABILITY = "disability"
    LEAVING_CHILD_PROTECTION = "leaving_child_protection"
    WOMEN_AT_RISK = "women_at_risk"
    REFUGEES_ASYLUM_SEEKERS = "refugees_asylum_seekers"
    GUARANTEED_MINIMUM_INCOME = "guaranteed_minimum_income"


VULNERABLE_GROUP_NAMES: dict[VulnerableGroup, tuple[str, str]] = {
    VulnerableGroup.ROMA: ("persoane de etnie romă", "persons of Roma ethnicity"),
    VulnerableGroup.DISABILITY: ("persoane cu dizabilități", "persons with disabilities"),
    VulnerableGroup.LEAVING_CHILD_PROTECTION: (
        "tineri peste 18 ani care părăsesc sistemul instituționalizat de protecție a copilului",
        "young people over 18 leaving the institutional child-protection system",
    ),
    VulnerableGroup.WOMEN_AT_RISK: ("femei în situații de risc", "women at risk"),
    VulnerableGroup.REFUGEES_ASYLUM_SEEKERS: (
        "refugiați și solicitanți de azil",
        "refugees and asylum seekers",
    ),
    VulnerableGroup.GUARANTEED_MINIMUM_INCOME: (
        "persoane care trăiesc din venitul minim garantat",
        "persons living on the guaranteed minimum income",
    ),
}
"""Each group's name in Romanian and English."""

VULNERABLE_GROUP_COLUMNS: dict[VulnerableGroup, str] = {
    VulnerableGroup.ROMA: "roma",
    VulnerableGroup.DISABILITY: "disability",
}
"""The canonical participation column recording a group; a project indicator counts it with
``{"is_true": column}`` (:func:`inclusionkit.models.vulnerable_group_filter`). The other groups
have no column of the contract: record them in an extra column of the table."""


def vulnerable_group_filter(group: str) -> dict[str, str]:
    """The filter counting the participations of a vulnerable group (``{"is_true": "roma"}``);
    raises :class:`ValueError` for a group the contract has no column for."""
    member = VulnerableGroup(group)
    column = VULNERABLE_GROUP_COLUMNS.get(member)
    if column is None:
        raise ValueError(
            f"the participation table has no column for the vulnerable group {group!r}; record "
            "it in an extra column and count it with a rule set's extra_columns"
        )
    return {"is_true": column}


ACTIVITY_KINDS: tuple[str, ...] = (
    "conference",
    "seminar",
    "international_conference",
    "training",
    "discussion_group",
    "consultancy",
    "mentoring",
    "exchange_of_experience",
    "information_session",
    "counselling",
    "vocational_guidance",
    "qualification_course",
)
"""Built-in activity kinds; plugins add more through the vocabulary hook."""

DELIVERABLE_KINDS: tuple[str, ...] = (
    "local_inclusion_plan",
    "good_practice_portfolio",
    "innovative_project",
    "methodology",
    "study",
    "platform",
    "report",
    "other",
)
"""Built-in deliverable kinds; plugins add more through the vocabulary hook."""
