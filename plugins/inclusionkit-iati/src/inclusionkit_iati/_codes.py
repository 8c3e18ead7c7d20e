"""The IATI 2.03 codelist values this plugin writes and reads, and how they map to the model.

Only the codes the plugin uses are listed, each with its official name (IATI codelists
``OrganisationRole``, ``OrganisationType``, ``ActivityStatus``, ``ActivityDateType``,
``ResultType``, ``IndicatorMeasure``, ``SectorVocabulary``/``Sector`` (OECD DAC 5-digit),
``IndicatorVocabulary``, ``ResultVocabulary``, ``GeographicVocabulary``,
``GeographicLocationReach``, ``GeographicExactness``, ``GeographicLocationClass``,
``LocationType``, ``OtherIdentifierType``, ``DescriptionType``). The mapping choices are
explained in ``docs/formats/iati.md``.
"""

from __future__ import annotations

import types
from collections.abc import Mapping

from inclusionkit.models import IndicatorKind, OrganisationKind, PartnerRole, Unit

IATI_VERSION = "2.03"

# The namespace of the few inclusionkit details IATI has no element for (an organisation's kind,
# an indicator's unit). IATI 2.03 allows extension attributes and elements "in an explicit XML
# namespace"; IATI consumers ignore them, and the import reads them back for a lossless round trip.
IK_NS = "https://inclusionkit.org/ns/iati/1"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(mapping))


# --- OrganisationRole --------------------------------------------------------------------------
ROLE_FUNDING = "1"
ROLE_ACCOUNTABLE = "2"
ROLE_EXTENDING = "3"
ROLE_IMPLEMENTING = "4"
ORGANISATION_ROLES = _frozen(
    {
        ROLE_FUNDING: "Funding",
        ROLE_ACCOUNTABLE: "Accountable",
        ROLE_EXTENDING: "Extending",
        ROLE_IMPLEMENTING: "Implementing",
    }
)
# 1.x files spelt roles as words; 2.03 files should not, but accepting them costs nothing.
ROLE_WORDS = _frozen(
    {
        "funding": ROLE_FUNDING,
        "accountable": ROLE_ACCOUNTABLE,
        "extending": ROLE_EXTENDING,
        "implementing": ROLE_IMPLEMENTING,
    }
)

# The ESF lead beneficiary signs the financing contract (accountable) and carries out the work
# (implementing), so it is written twice; see docs/formats/iati.md for "associate" → extending.
ROLES_OF_PARTNER: Mapping[PartnerRole, tuple[str, ...]] = types.MappingProxyType(
    {
        PartnerRole.LEAD: (ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING),
        PartnerRole.PARTNER: (ROLE_IMPLEMENTING,),
        PartnerRole.ASSOCIATE: (ROLE_EXTENDING,),
        PartnerRole.FUNDER: (ROLE_FUNDING,),
    }
)

# --- OrganisationType --------------------------------------------------------------------------
ORGANISATION_TYPES = _frozen(
    {
        "10": "Government",
        "11": "Local Government",
        "15": "Other Public Sector",
        "21": "International NGO",
        "22": "National NGO",
        "23": "Regional NGO",
        "24": "Partner Country based NGO",
        "30": "Public Private Partnership",
        "40": "Multilateral",
        "60": "Foundation",
        "70": "Private Sector",
        "71": "Private Sector in Provider Country",
        "72": "Private Sector in Aid Recipient Country",
        "73": "Private Sector in Third Country",
        "80": "Academic, Training and Research",
        "90": "Other",
    }
)
# Civil-society bodies (NGOs, social partners, producers' associations, NGO platforms) are
# "National NGO" in IATI's coarse list; chambers of commerce are neither public sector nor NGO in
# Romania (autonomous bodies of public utility), hence "Other".
TYPE_OF_KIND: Mapping[OrganisationKind, str] = types.MappingProxyType(
    {
        OrganisationKind.NGO: "22",
        OrganisationKind.PUBLIC_INSTITUTION: "15",
        OrganisationKind.SOCIAL_PARTNER: "22",
        OrganisationKind.CHAMBER_OF_COMMERCE: "90",
        OrganisationKind.FARMERS_ASSOCIATION: "22",
        OrganisationKind.CRAFTSMENS_ASSOCIATION: "22",
        OrganisationKind.COMPANY: "70",
        OrganisationKind.PLATFORM: "22",
        OrganisationKind.OTHER: "90",
    }
)
# The inverse is coarser: the ik:kind extension attribute restores the exact kind when present.
KIND_OF_TYPE: Mapping[str, OrganisationKind] = types.MappingProxyType(
    {
        "10": OrganisationKind.PUBLIC_INSTITUTION,
        "11": OrganisationKind.PUBLIC_INSTITUTION,
        "15": OrganisationKind.PUBLIC_INSTITUTION,
        "40": OrganisationKind.PUBLIC_INSTITUTION,
        "21": OrganisationKind.NGO,
        "22": OrganisationKind.NGO,
        "23": OrganisationKind.NGO,
        "24": OrganisationKind.NGO,
        "60": OrganisationKind.NGO,
        "70": OrganisationKind.COMPANY,
        "71": OrganisationKind.COMPANY,
        "72": OrganisationKind.COMPANY,
        "73": OrganisationKind.COMPANY,
        "30": OrganisationKind.OTHER,
        "80": OrganisationKind.OTHER,
        "90": OrganisationKind.OTHER,
    }
)

# --- ActivityStatus ----------------------------------------------------------------------------
STATUS_PIPELINE = "1"
STATUS_IMPLEMENTATION = "2"
STATUS_FINALISATION = "3"
STATUS_CLOSED = "4"
ACTIVITY_STATUSES = _frozen(
    {
        STATUS_PIPELINE: "Pipeline/identification",
        STATUS_IMPLEMENTATION: "Implementation",
        STATUS_FINALISATION: "Finalisation",
        STATUS_CLOSED: "Closed",
        "5": "Cancelled",
        "6": "Suspended",
    }
)
# An ESF project's final payment claim and report follow its end by about three months; until
# then the activity is "Finalisation", afterwards "Closed".
FINALISATION_DAYS = 90

# --- ActivityDateType --------------------------------------------------------------------------
DATE_PLANNED_START = "1"
DATE_ACTUAL_START = "2"
DATE_PLANNED_END = "3"
DATE_ACTUAL_END = "4"
ACTIVITY_DATE_TYPES = _frozen(
    {
        DATE_PLANNED_START: "Planned start",
        DATE_ACTUAL_START: "Actual start",
        DATE_PLANNED_END: "Planned End",
        DATE_ACTUAL_END: "Actual end",
    }
)
DATE_WORDS = _frozen(
    {
        "start-planned": DATE_PLANNED_START,
        "start-actual": DATE_ACTUAL_START,
        "end-planned": DATE_PLANNED_END,
        "end-actual": DATE_ACTUAL_END,
    }
)

# --- ResultType --------------------------------------------------------------------------------
RESULT_OUTPUT = "1"
RESULT_OUTCOME = "2"
RESULT_IMPACT = "3"
RESULT_OTHER = "9"
RESULT_TYPES = _frozen(
    {RESULT_OUTPUT: "Output", RESULT_OUTCOME: "Outcome", RESULT_IMPACT: "Impact", "9": "Other"}
)
RESULT_TYPE_OF_KIND: Mapping[IndicatorKind, str] = types.MappingProxyType(
    {IndicatorKind.OUTPUT: RESULT_OUTPUT, IndicatorKind.RESULT: RESULT_OUTCOME}
)
RESULT_WORDS = _frozen(
    {"output": RESULT_OUTPUT, "outcome": RESULT_OUTCOME, "impact": RESULT_IMPACT}
)

# --- IndicatorMeasure --------------------------------------------------------------------------
MEASURE_UNIT = "1"
MEASURE_PERCENTAGE = "2"
INDICATOR_MEASURES = _frozen(
    {
        MEASURE_UNIT: "Unit",
        MEASURE_PERCENTAGE: "Percentage",
        "3": "Nominal",
        "4": "Ordinal",
        "5": "Qualitative",
    }
)
MEASURE_WORDS = _frozen({"unit": MEASURE_UNIT, "percentage": MEASURE_PERCENTAGE})


def measure_of_unit(unit: Unit) -> str:
    """Return the IATI indicator measure of a model unit: percentage for percent, else unit."""
    return MEASURE_PERCENTAGE if unit is Unit.PERCENT else MEASURE_UNIT


# --- Vocabularies ------------------------------------------------------------------------------
VOCABULARY_REPORTING_ORG = "99"  # IndicatorVocabulary / ResultVocabulary "Reporting Organisation"
SECTOR_VOCABULARY_DAC = "1"  # OECD DAC CRS purpose codes (5 digit)
SECTORS_DAC = _frozen(
    {
        "11330": "Vocational training",
        "15150": "Democratic participation and civil society",
        "15160": "Human rights",
        "15170": "Women's rights organisations and movements, and government institutions",
        "16010": "Social protection",
        "16015": "Social services (incl youth development and women+ children)",
        "16020": "Employment creation",
        "16050": "Multisector aid for basic social services",
    }
)
DEFAULT_SECTOR = "16010"

# --- OtherIdentifierType / DescriptionType -----------------------------------------------------
OTHER_ID_INTERNAL = "A1"  # "Reporting Organisation's internal activity identifier"
DESCRIPTION_GENERAL = "1"

# --- Locations ---------------------------------------------------------------------------------
GEO_VOCABULARY_ISO_COUNTRY = "A4"  # GeographicVocabulary: ISO Country (3166-1 alpha-2)
LOCATION_REACH_ACTIVITY = "1"  # GeographicLocationReach: "Activity" (where it happens)
EXACTNESS_APPROXIMATE = "2"  # GeographicExactness: a region, not a point
LOCATION_CLASS_ADMINISTRATIVE = "1"  # GeographicLocationClass: "Administrative Region"
# LocationType (GeoNames feature codes) "RGNE": economic region, "a region of a country
# established for economic development or for statistical purposes": what a Romanian
# development region (NUTS-2) is.
FEATURE_ECONOMIC_REGION = "RGNE"
COUNTRY_ROMANIA = "RO"
