"""Every word the report prints, in English and Romanian, and dates and numbers per language.

The words are English here; their Romanian is the plugin's message catalogue,
``locale/ro/LC_MESSAGES/inclusionkit_html.po`` (read only when a report is in Romanian).

Dates and numbers are formatted here rather than through the ``locale`` module: locales are
process-wide, and a machine may not have ``ro_RO`` installed, while the report must come out the
same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from inclusionkit import ProblemCode
from inclusionkit.plugin import N_, Translator, translate

LANGUAGES: Final = ("en", "ro")

TRANSLATOR: Final = Translator("inclusionkit_html", Path(__file__).parent / "locale")
"""The plugin's catalogue."""

_TEXTS: Final[Mapping[str, str]] = {
    # key: the English, the message id of its translation (locale/ro/LC_MESSAGES)
    "report": N_("Project progress report"),
    "indicator_report": N_("Indicator report"),
    "code": N_("Project code"),
    "programme": N_("Programme"),
    "period": N_("Implementation period"),
    "ongoing": N_("ongoing"),
    "regions": N_("Regions"),
    "as_of": N_("Data as of"),
    "all_records": N_("all records"),
    "title_other": N_("Title in Romanian"),
    "about": N_("About the project"),
    "target_groups": N_("Target groups"),
    "contents": N_("Contents"),
    # partners
    "partners": N_("Partners"),
    "organisation": N_("Organisation"),
    "role": N_("Role"),
    "city": N_("City"),
    "role.lead": N_("Lead partner (beneficiary)"),
    "role.partner": N_("Partner"),
    "role.associate": N_("Associate"),
    "role.funder": N_("Funder"),
    # progress
    "progress": N_("Progress against targets"),
    "progress_chart": N_("Achieved as a share of each target (100 % = target)"),
    "progress_intro": N_(
        "Each bar is an indicator's achieved value as a share of the way from its "
        "baseline to its target. Colour, fill pattern and the words at the end of each "
        "bar give the status, so the chart also reads in black and white."
    ),
    "baseline_zero": N_("Every baseline is zero."),
    "objective": N_("Objective"),
    "indicator": N_("Indicator"),
    "name": N_("Name"),
    "unit": N_("Unit"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "achieved": N_("Achieved"),
    "percent": N_("% of target"),
    "status": N_("Status"),
    "source": N_("Source"),
    "status.exceeded": N_("exceeded"),
    "status.met": N_("met"),
    "status.behind": N_("behind"),
    "status.on track": N_("on track"),
    "status.not achieved": N_("not achieved"),
    "status.not started": N_("not started"),
    "source.computed": N_("computed"),
    "source.reported": N_("reported"),
    "source.none": N_("no value"),
    "no_value": N_("no value"),
    "no_indicators": N_("The project has no indicators with targets."),
    # ESF indicators
    "esf": N_("Common indicators by gender"),
    "esf_intro": N_("Computed from the participation table with the rule set {rules}."),
    "esf_outputs": N_("Output indicators by gender"),
    "esf_results": N_("Result indicators by gender"),
    "esf_entities": N_("Project-level indicators"),
    "suppressed": N_("suppressed"),
    "suppression_note": N_(
        "To protect participants' privacy, cells counting from 1 to {below} persons, and "
        "the cells from which such a cell could be worked out, are not shown "
        "(“suppressed”). Zeros are shown."
    ),
    "no_suppression": N_("Disclosure control is off: every cell is shown."),
    "no_participations": N_(
        "No participation table was given, so the common indicators, the records not "
        "counted and their provenance are not part of this report."
    ),
    "gender.female": N_("women"),
    "gender.male": N_("men"),
    "gender.non_binary": N_("non-binary"),
    "gender.total": N_("total"),
    "persons": N_("persons"),
    "value": N_("Value"),
    # activities
    "activities": N_("Activities over time"),
    "activities_chart": N_("Activities started per month"),
    "activities_axis": N_("activities"),
    "no_activities": N_("The project records no activities."),
    "kind": N_("Kind"),
    "number": N_("Number"),
    "first": N_("From"),
    "last": N_("Until"),
    "hours": N_("Hours"),
    "attendance": N_("Head count"),
    "total": N_("Total"),
    "activities_after": N_("{count} activities starting after {date} are left out."),
    # excluded records
    "excluded": N_("Records not counted"),
    "excluded_intro": N_(
        "Participations with a required field empty or invalid count in no indicator. "
        "Only the number of records per reason is shown; the records themselves are not."
    ),
    "excluded_none": N_("Every participation was counted."),
    "reason": N_("Reason"),
    "records": N_("Records"),
    # provenance
    "provenance": N_("Provenance"),
    "ruleset": N_("Rule set"),
    "ruleset_version": N_("Rule set version"),
    "reporting_date": N_("Reporting date"),
    "input_rows": N_("Rows read"),
    "rows_after_as_of": N_("Rows entering after the reporting date (left out)"),
    "participations": N_("Participations"),
    "merged_rows": N_("Re-entry rows merged"),
    "counted": N_("Participations counted"),
    "not_counted": N_("Participations not counted"),
    "not_computed": N_("Indicators not computed"),
    "progress_sources": N_("Progress values"),
    "progress_sources_value": N_(
        "{computed} computed from records, {reported} reported, {none} without a value"
    ),
    "made_with": N_("Made with"),
    "none": N_("none"),
    # units
    "unit.persons": N_("persons"),
    "unit.participants": N_("participants"),
    "unit.organisations": N_("organisations"),
    "unit.hours": N_("hours"),
    "unit.events": N_("events"),
    "unit.documents": N_("documents"),
    "unit.plans": N_("plans"),
    "unit.projects": N_("projects"),
    "unit.percent": N_("percent"),
    "unit.number": N_("number"),
    # activity kinds (the built-in list; plugin kinds are shown from their snake_case name)
    "activity.conference": N_("conference"),
    "activity.seminar": N_("seminar"),
    "activity.international_conference": N_("international conference"),
    "activity.training": N_("training"),
    "activity.discussion_group": N_("discussion group"),
    "activity.consultancy": N_("consultancy"),
    "activity.mentoring": N_("mentoring"),
    "activity.exchange_of_experience": N_("exchange of experience"),
    "activity.information_session": N_("information session"),
    "activity.counselling": N_("counselling"),
    "activity.vocational_guidance": N_("vocational guidance"),
    "activity.qualification_course": N_("qualification course"),
}

_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "ro": (
        "ianuarie",
        "februarie",
        "martie",
        "aprilie",
        "mai",
        "iunie",
        "iulie",
        "august",
        "septembrie",
        "octombrie",
        "noiembrie",
        "decembrie",
    ),
}
_SHORT_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    # The abbreviations of the Romanian Academy's orthographic dictionary (DOOM).
    "ro": (
        "ian.",
        "feb.",
        "mar.",
        "apr.",
        "mai",
        "iun.",
        "iul.",
        "aug.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
    ),
}
# Thousands and decimal separators: 1,666.5 in English, 1.666,5 in Romanian.
_SEPARATORS: Final[Mapping[str, tuple[str, str]]] = {"en": (",", "."), "ro": (".", ",")}


class Labels:
    """The report's words in one language: ``labels["partners"]``, or ``{{ L.partners }}``."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return TRANSLATOR.translate(_TEXTS[key], self.lang)

    def __getattr__(self, key: str) -> str:
        # Attribute access for templates (``L.partners``); a missing word is a bug, not a blank.
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def get_or(self, key: str, fallback: str) -> str:
        """The word for ``key``, or ``fallback`` when there is none (an open vocabulary)."""
        return self[key] if key in _TEXTS else fallback

    def role_name(self, role: str) -> str:
        """A partner role's label."""
        return self.get_or(f"role.{role}", role)

    def status_name(self, status: str) -> str:
        """A progress status's label."""
        return self.get_or(f"status.{status}", status)

    def unit_name(self, unit: str) -> str:
        """A unit's label."""
        return self.get_or(f"unit.{unit}", unit)

    def gender_name(self, gender: str) -> str:
        """A gender category's label."""
        return self.get_or(f"gender.{gender}", gender.replace("_", " "))

    def activity_name(self, kind: str) -> str:
        """An activity kind's label; kinds that plugins add show as words from their name."""
        return self.get_or(f"activity.{kind}", kind.replace("_", " "))

    def reason_text(self, reason: str) -> str:
        """Why a participation was not counted: the problem code's message in the report's
        language (the core catalogue's, as every output says it); another code as itself."""
        try:
            member = ProblemCode.lookup(reason)
        except KeyError:
            return reason
        return translate(member.message, self.lang)

    def format_date(self, value: dt.date | None) -> str:
        """A date in words: 1 April 2014, 1 aprilie 2014."""
        if value is None:
            return ""
        return f"{value.day} {_MONTHS[self.lang][value.month - 1]} {value.year}"

    def format_month(self, year: int, month: int) -> str:
        """A month for a chart axis: Apr 2014, apr. 2014."""
        return f"{_SHORT_MONTHS[self.lang][month - 1]} {year}"

    def format_number(self, value: float | int | None, decimals: int = 1) -> str:
        """A number with the language's separators; whole numbers without decimals."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        thousands, point = _SEPARATORS[self.lang]
        number = float(value)
        text = f"{int(number):,}" if number.is_integer() else f"{number:,.{decimals}f}"
        # Swap through a placeholder so "," and "." can trade places.
        return text.replace(",", "\0").replace(".", point).replace("\0", thousands)

    def format_percent(self, value: float | None) -> str:
        """A percentage: 99.4% in English, 99,4 % in Romanian (a space before % in Romanian)."""
        if value is None or math.isnan(value):
            return ""
        return f"{self.format_number(value)}{'' if self.lang == 'en' else ' '}%"
