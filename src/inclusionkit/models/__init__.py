"""The domain model: projects, partners, objectives, indicators, activities, persons."""

from inclusionkit.models._participation import Beneficiary, Participation
from inclusionkit.models._project import (
    Achievement,
    Activity,
    Deliverable,
    Indicator,
    Location,
    Objective,
    Organisation,
    Partner,
    Period,
    Project,
    TargetGroup,
    Text,
)
from inclusionkit.models._vocabulary import (
    ACTIVITY_KINDS,
    DELIVERABLE_KINDS,
    Gender,
    IndicatorKind,
    LabourStatus,
    OrganisationKind,
    PartnerRole,
    ProgressStatus,
    Unit,
)

__all__ = [
    "ACTIVITY_KINDS",
    "DELIVERABLE_KINDS",
    "Achievement",
    "Activity",
    "Beneficiary",
    "Deliverable",
    "Gender",
    "Indicator",
    "IndicatorKind",
    "LabourStatus",
    "Location",
    "Objective",
    "Organisation",
    "OrganisationKind",
    "Participation",
    "Partner",
    "PartnerRole",
    "Period",
    "ProgressStatus",
    "Project",
    "TargetGroup",
    "Text",
    "Unit",
]
