"""Every word the report prints, in English and Romanian, and dates and numbers per language.

Dates and numbers are formatted here rather than through the ``locale`` module: locales are
process-wide, and a machine may not have ``ro_RO`` installed, while the report must come out the
same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Final

LANGUAGES: Final = ("en", "ro")

_TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    # key: (English, Romanian)
    "report": ("Project progress report", "Raport de progres al proiectului"),
    "indicator_report": ("Indicator report", "Raport de indicatori"),
    "code": ("Project code", "Cod proiect"),
    "programme": ("Programme", "Program"),
    "period": ("Implementation period", "Perioada de implementare"),
    "ongoing": ("ongoing", "în desfășurare"),
    "regions": ("Regions", "Regiuni"),
    "as_of": ("Data as of", "Date la"),
    "all_records": ("all records", "toate înregistrările"),
    "title_other": ("Title in Romanian", "Titlul în engleză"),
    "about": ("About the project", "Despre proiect"),
    "target_groups": ("Target groups", "Grupuri țintă"),
    "contents": ("Contents", "Cuprins"),
    # partners
    "partners": ("Partners", "Parteneri"),
    "organisation": ("Organisation", "Organizație"),
    "role": ("Role", "Rol"),
    "city": ("City", "Localitate"),
    "role.lead": ("Lead partner (beneficiary)", "Beneficiar (lider de parteneriat)"),
    "role.partner": ("Partner", "Partener"),
    "role.associate": ("Associate", "Asociat"),
    "role.funder": ("Funder", "Finanțator"),
    # progress
    "progress": ("Progress against targets", "Progresul față de ținte"),
    "progress_chart": (
        "Achieved as a share of each target (100 % = target)",
        "Realizat ca procent din fiecare țintă (100 % = ținta)",
    ),
    "progress_intro": (
        "Each bar is an indicator's achieved value as a share of the way from its baseline to "
        "its target. Colour, fill pattern and the words at the end of each bar give the status, "
        "so the chart also reads in black and white.",
        "Fiecare bară arată valoarea realizată a unui indicator ca procent din distanța dintre "
        "valoarea de referință și țintă. Culoarea, hașura și cuvintele de la capătul barei "
        "arată stadiul, astfel încât graficul se citește și alb-negru.",
    ),
    "baseline_zero": (
        "Every baseline is zero.",
        "Toate valorile de referință sunt zero.",
    ),
    "objective": ("Objective", "Obiectiv"),
    "indicator": ("Indicator", "Indicator"),
    "name": ("Name", "Denumire"),
    "unit": ("Unit", "Unitate"),
    "baseline": ("Baseline", "Valoare de referință"),
    "target": ("Target", "Țintă"),
    "achieved": ("Achieved", "Realizat"),
    "percent": ("% of target", "% din țintă"),
    "status": ("Status", "Stadiu"),
    "source": ("Source", "Sursă"),
    "status.exceeded": ("exceeded", "depășit"),
    "status.met": ("met", "atins"),
    "status.behind": ("behind", "sub țintă"),
    "status.on track": ("on track", "în grafic"),
    "status.not achieved": ("not achieved", "neatins"),
    "status.not started": ("not started", "neînceput"),
    "source.computed": ("computed", "calculat"),
    "source.reported": ("reported", "raportat"),
    "source.none": ("no value", "fără valoare"),
    "no_value": ("no value", "fără valoare"),
    "no_indicators": (
        "The project has no indicators with targets.",
        "Proiectul nu are indicatori cu ținte.",
    ),
    # ESF indicators
    "esf": ("Common indicators by gender", "Indicatori comuni pe gen"),
    "esf_intro": (
        "Computed from the participation table with the rule set {rules}.",
        "Calculați din tabelul participărilor cu setul de reguli {rules}.",
    ),
    "esf_outputs": ("Output indicators by gender", "Indicatori de realizare pe gen"),
    "esf_results": ("Result indicators by gender", "Indicatori de rezultat pe gen"),
    "esf_entities": ("Project-level indicators", "Indicatori la nivel de proiect"),
    "suppressed": ("suppressed", "confidențial"),
    "suppression_note": (
        "To protect participants' privacy, cells counting from 1 to {below} persons, and the "
        "cells from which such a cell could be worked out, are not shown (“suppressed”). Zeros "
        "are shown.",
        "Pentru protecția vieții private a participanților, celulele cu 1 până la {below} "
        "persoane și celulele din care acestea ar putea fi deduse nu sunt afișate "
        "(„confidențial”). Valorile zero sunt afișate.",
    ),
    "no_suppression": (
        "Disclosure control is off: every cell is shown.",
        "Controlul dezvăluirii este dezactivat: toate celulele sunt afișate.",
    ),
    "no_participations": (
        "No participation table was given, so the common indicators, the records not counted "
        "and their provenance are not part of this report.",
        "Nu a fost furnizat un tabel al participărilor, așa că indicatorii comuni, "
        "înregistrările neluate în calcul și proveniența lor nu fac parte din acest raport.",
    ),
    "gender.female": ("women", "femei"),
    "gender.male": ("men", "bărbați"),
    "gender.non_binary": ("non-binary", "non-binar"),
    "gender.total": ("total", "total"),
    "persons": ("persons", "persoane"),
    "value": ("Value", "Valoare"),
    # activities
    "activities": ("Activities over time", "Activitățile în timp"),
    "activities_chart": ("Activities started per month", "Activități începute pe lună"),
    "activities_axis": ("activities", "activități"),
    "no_activities": (
        "The project records no activities.",
        "Proiectul nu are activități înregistrate.",
    ),
    "kind": ("Kind", "Tip"),
    "number": ("Number", "Număr"),
    "first": ("From", "De la"),
    "last": ("Until", "Până la"),
    "hours": ("Hours", "Ore"),
    "attendance": ("Head count", "Număr de participanți"),
    "total": ("Total", "Total"),
    "activities_after": (
        "{count} activities starting after {date} are left out.",
        "{count} activități care încep după {date} sunt omise.",
    ),
    # excluded records
    "excluded": ("Records not counted", "Înregistrări neluate în calcul"),
    "excluded_intro": (
        "Participations with a required field empty or invalid count in no indicator. Only the "
        "number of records per reason is shown; the records themselves are not.",
        "Participările cu un câmp obligatoriu gol sau invalid nu intră în niciun indicator. "
        "Se arată doar numărul de înregistrări pe motiv, nu și înregistrările.",
    ),
    "excluded_none": (
        "Every participation was counted.",
        "Toate participările au fost luate în calcul.",
    ),
    "reason": ("Reason", "Motiv"),
    "records": ("Records", "Înregistrări"),
    "reason.gender.missing": ("gender is missing", "genul lipsește"),
    "reason.gender.unknown": ("gender is not a known value", "genul nu are o valoare cunoscută"),
    "reason.birth_date.missing": ("birth date is missing", "data nașterii lipsește"),
    "reason.birth_date.after_entry": (
        "birth date is after the entry date",
        "data nașterii este după data intrării",
    ),
    "reason.entry_date.missing": ("entry date is missing", "data intrării lipsește"),
    "reason.labour_status.missing": (
        "labour-market status is missing",
        "statutul pe piața muncii lipsește",
    ),
    "reason.labour_status.unknown": (
        "labour-market status is not a known value",
        "statutul pe piața muncii nu are o valoare cunoscută",
    ),
    "reason.isced.missing": (
        "education level (ISCED) is missing",
        "nivelul de educație (ISCED) lipsește",
    ),
    "reason.isced.out_of_range": (
        "education level (ISCED) is not between 0 and 8",
        "nivelul de educație (ISCED) nu este între 0 și 8",
    ),
    # provenance
    "provenance": ("Provenance", "Proveniența datelor"),
    "ruleset": ("Rule set", "Set de reguli"),
    "ruleset_version": ("Rule set version", "Versiunea setului de reguli"),
    "reporting_date": ("Reporting date", "Data raportării"),
    "input_rows": ("Rows read", "Rânduri citite"),
    "rows_after_as_of": (
        "Rows entering after the reporting date (left out)",
        "Rânduri cu intrare după data raportării (omise)",
    ),
    "participations": ("Participations", "Participări"),
    "merged_rows": ("Re-entry rows merged", "Rânduri de reintrare comasate"),
    "counted": ("Participations counted", "Participări luate în calcul"),
    "not_counted": ("Participations not counted", "Participări neluate în calcul"),
    "not_computed": ("Indicators not computed", "Indicatori necalculați"),
    "progress_sources": ("Progress values", "Valorile progresului"),
    "progress_sources_value": (
        "{computed} computed from records, {reported} reported, {none} without a value",
        "{computed} calculate din înregistrări, {reported} raportate, {none} fără valoare",
    ),
    "made_with": ("Made with", "Generat cu"),
    "none": ("none", "niciunul"),
    # units
    "unit.persons": ("persons", "persoane"),
    "unit.participants": ("participants", "participanți"),
    "unit.organisations": ("organisations", "organizații"),
    "unit.hours": ("hours", "ore"),
    "unit.events": ("events", "evenimente"),
    "unit.documents": ("documents", "documente"),
    "unit.plans": ("plans", "planuri"),
    "unit.projects": ("projects", "proiecte"),
    "unit.percent": ("percent", "procente"),
    "unit.number": ("number", "număr"),
    # activity kinds (the built-in list; plugin kinds are shown from their snake_case name)
    "activity.conference": ("conference", "conferință"),
    "activity.seminar": ("seminar", "seminar"),
    "activity.international_conference": ("international conference", "conferință internațională"),
    "activity.training": ("training", "instruire"),
    "activity.discussion_group": ("discussion group", "grup de discuții"),
    "activity.consultancy": ("consultancy", "consultanță"),
    "activity.mentoring": ("mentoring", "mentorat"),
    "activity.exchange_of_experience": ("exchange of experience", "schimb de experiență"),
    "activity.information_session": ("information session", "sesiune de informare"),
    "activity.counselling": ("counselling", "consiliere"),
    "activity.vocational_guidance": ("vocational guidance", "orientare profesională"),
    "activity.qualification_course": ("qualification course", "curs de calificare"),
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
        self.lang = lang
        self._index = LANGUAGES.index(lang)

    def __getitem__(self, key: str) -> str:
        return _TEXTS[key][self._index]

    def __getattr__(self, key: str) -> str:
        # Attribute access for templates (``L.partners``); a missing word is a bug, not a blank.
        try:
            return _TEXTS[key][self._index]
        except KeyError:
            raise AttributeError(key) from None

    def get_or(self, key: str, fallback: str) -> str:
        """The word for ``key``, or ``fallback`` when there is none (an open vocabulary)."""
        entry = _TEXTS.get(key)
        return fallback if entry is None else entry[self._index]

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
        """Why a participation was not counted; an unknown reason code shows as itself."""
        return self.get_or(f"reason.{reason}", reason)

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
