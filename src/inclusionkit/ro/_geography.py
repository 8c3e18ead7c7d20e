"""Romania's NUTS-2 development regions, its counties and the towns that locate a participant.

Source: esf-indicators.md §5.4 (SFC2021 programme documents for PIDS and PEO, "NUTS regions
covered"). Names are matched tolerantly: case, diacritics (comma-below or cedilla, or none),
spaces and hyphens do not matter.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from inclusionkit.ro._text import RomanianCodeError, fix_diacritics, fold

# The region table below is NUTS 2021. A later revision may split RO32 into București and Ilfov;
# that was discussed but not confirmed, so such a change must come in as a new table under a new
# version rather than as an edit of this one.
NUTS_VERSION = "2021"
"""The NUTS version of :data:`REGIONS` and :data:`COUNTIES`."""

RegionCategory = Literal["less developed", "more developed"]
"""An ESF "category of region"; Romania has no "transition" region."""


class UnknownRegionError(RomanianCodeError):
    """A region, county or city name or code is not known; ``reason`` says which kind was sought.

    ``reason`` is ``"region"``, ``"county"`` or ``"city"``; ``suggestions`` holds close matches
    (possibly none), best first.
    """

    def __init__(self, value: object, *, reason: str, suggestions: Iterable[str] = ()) -> None:
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        expected = {
            "region": "a NUTS-2 code RO11..RO42 or a development region name such as 'Nord-Vest'",
            "county": "a county name such as 'Cluj', a NUTS-3 code such as 'RO113' "
            "or a CNP county code such as '12'",
            "city": "the name of a county seat or a larger town",
        }[reason]
        message = f"unknown {reason} {value!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            message += f"; expected {expected}"
        super().__init__(message, value=value, reason=reason)


@attrs.frozen(kw_only=True)
class County:
    """A county (județ) or the capital, with its NUTS-3 code and its CNP county codes.

    ``seat`` is the county seat (reședința de județ). ``cnp_codes`` are the two-digit codes in
    positions 8-9 of a CNP; București has one per sector, including the sectors 7 and 8 that were
    abolished in 1979.
    """

    name: str
    nuts3: str
    region: str
    cnp_codes: tuple[str, ...]
    seat: str


@attrs.frozen(kw_only=True)
class Region:
    """A NUTS-2 development region with its ESF "category of region" and its counties."""

    code: str
    name: str
    name_en: str
    nuts1: str
    category: RegionCategory
    # Left out of the repr: eight long County reprs would hide the region's own fields.
    counties: tuple[County, ...] = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class Town:
    """A town and where it is: its canonical name, its county and its development region
    (named apart from :class:`inclusionkit.Location`, a project's place of work)."""

    city: str
    county: County
    region: Region


# (NUTS-3, name, CNP county codes, county seat), in NUTS order so each region's counties are
# contiguous.
_COUNTY_ROWS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("RO111", "Bihor", ("05",), "Oradea"),
    ("RO112", "Bistrița-Năsăud", ("06",), "Bistrița"),
    ("RO113", "Cluj", ("12",), "Cluj-Napoca"),
    ("RO114", "Maramureș", ("24",), "Baia Mare"),
    ("RO115", "Satu Mare", ("30",), "Satu Mare"),
    ("RO116", "Sălaj", ("31",), "Zalău"),
    ("RO121", "Alba", ("01",), "Alba Iulia"),
    ("RO122", "Brașov", ("08",), "Brașov"),
    ("RO123", "Covasna", ("14",), "Sfântu Gheorghe"),
    ("RO124", "Harghita", ("19",), "Miercurea Ciuc"),
    ("RO125", "Mureș", ("26",), "Târgu Mureș"),
    ("RO126", "Sibiu", ("32",), "Sibiu"),
    ("RO211", "Bacău", ("04",), "Bacău"),
    ("RO212", "Botoșani", ("07",), "Botoșani"),
    ("RO213", "Iași", ("22",), "Iași"),
    ("RO214", "Neamț", ("27",), "Piatra Neamț"),
    ("RO215", "Suceava", ("33",), "Suceava"),
    ("RO216", "Vaslui", ("37",), "Vaslui"),
    ("RO221", "Brăila", ("09",), "Brăila"),
    ("RO222", "Buzău", ("10",), "Buzău"),
    ("RO223", "Constanța", ("13",), "Constanța"),
    ("RO224", "Galați", ("17",), "Galați"),
    ("RO225", "Tulcea", ("36",), "Tulcea"),
    ("RO226", "Vrancea", ("39",), "Focșani"),
    ("RO311", "Argeș", ("03",), "Pitești"),
    ("RO312", "Călărași", ("51",), "Călărași"),
    ("RO313", "Dâmbovița", ("15",), "Târgoviște"),
    ("RO314", "Giurgiu", ("52",), "Giurgiu"),
    ("RO315", "Ialomița", ("21",), "Slobozia"),
    ("RO316", "Prahova", ("29",), "Ploiești"),
    ("RO317", "Teleorman", ("34",), "Alexandria"),
    ("RO321", "București", tuple(str(n) for n in range(40, 49)), "București"),
    # Ilfov's seat Buftea is a town (oraș), not a municipiu: the county long had its offices in
    # București.
    ("RO322", "Ilfov", ("23",), "Buftea"),
    ("RO411", "Dolj", ("16",), "Craiova"),
    ("RO412", "Gorj", ("18",), "Târgu Jiu"),
    ("RO413", "Mehedinți", ("25",), "Drobeta-Turnu Severin"),
    ("RO414", "Olt", ("28",), "Slatina"),
    ("RO415", "Vâlcea", ("38",), "Râmnicu Vâlcea"),
    ("RO421", "Arad", ("02",), "Arad"),
    ("RO422", "Caraș-Severin", ("11",), "Reșița"),
    ("RO423", "Hunedoara", ("20",), "Deva"),
    ("RO424", "Timiș", ("35",), "Timișoara"),
)

# (code, Romanian name, English name, category)
_REGION_ROWS: tuple[tuple[str, str, str, RegionCategory], ...] = (
    ("RO11", "Nord-Vest", "North-West", "less developed"),
    ("RO12", "Centru", "Centre", "less developed"),
    ("RO21", "Nord-Est", "North-East", "less developed"),
    ("RO22", "Sud-Est", "South-East", "less developed"),
    ("RO31", "Sud-Muntenia", "South-Muntenia", "less developed"),
    ("RO32", "București-Ilfov", "Bucharest-Ilfov", "more developed"),
    ("RO41", "Sud-Vest Oltenia", "South-West Oltenia", "less developed"),
    ("RO42", "Vest", "West", "less developed"),
)

# Further spellings seen in documents that are not the region's Romanian or English name.
_REGION_ALIASES: dict[str, str] = {
    "Sud-Vest": "RO41",
    "South-West": "RO41",
    "Oltenia": "RO41",
    "Muntenia": "RO31",
    "Center": "RO12",
}

# Larger towns (municipii and orașe) that are not county seats, by county. A town name shared
# with another town or a commune elsewhere is left out rather than guessed.
_TOWNS: dict[str, tuple[str, ...]] = {
    "Alba": ("Aiud", "Blaj", "Cugir", "Ocna Mureș", "Sebeș", "Câmpeni"),
    "Arad": ("Pecica",),
    "Argeș": ("Câmpulung", "Curtea de Argeș", "Mioveni", "Topoloveni"),
    "Bacău": ("Onești", "Moinești", "Comănești", "Buhuși"),
    "Bihor": ("Beiuș", "Marghita", "Salonta"),
    "Bistrița-Năsăud": ("Beclean", "Năsăud", "Sângeorz-Băi"),
    "Botoșani": ("Dorohoi", "Darabani", "Săveni", "Flămânzi"),
    "Brașov": ("Făgăraș", "Săcele", "Codlea", "Zărnești", "Râșnov", "Predeal", "Rupea"),
    "Brăila": ("Însurăței",),
    "Buzău": ("Râmnicu Sărat", "Nehoiu", "Pogoanele"),
    "Caraș-Severin": ("Caransebeș", "Bocșa", "Oravița", "Moldova Nouă", "Anina"),
    "Călărași": ("Oltenița", "Lehliu-Gară"),
    "Cluj": ("Turda", "Dej", "Câmpia Turzii", "Gherla", "Huedin"),
    "Constanța": (
        "Medgidia",
        "Mangalia",
        "Năvodari",
        "Cernavodă",
        "Ovidiu",
        "Eforie",
        "Murfatlar",
        "Techirghiol",
    ),
    "Covasna": ("Târgu Secuiesc", "Covasna", "Baraolt", "Întorsura Buzăului"),
    "Dâmbovița": ("Moreni", "Găești", "Pucioasa", "Titu", "Fieni"),
    "Dolj": ("Băilești", "Calafat", "Filiași", "Segarcea", "Dăbuleni", "Bechet"),
    "Galați": ("Tecuci", "Târgu Bujor", "Berești"),
    "Giurgiu": ("Bolintin-Vale",),
    "Gorj": ("Motru", "Rovinari", "Bumbești-Jiu", "Târgu Cărbunești"),
    "Harghita": ("Odorheiu Secuiesc", "Gheorgheni", "Toplița", "Borsec"),
    "Hunedoara": (
        "Hunedoara",
        "Petroșani",
        "Orăștie",
        "Brad",
        "Petrila",
        "Uricani",
        "Simeria",
        "Hațeg",
        "Călan",
    ),
    "Ialomița": ("Fetești", "Urziceni", "Țăndărei"),
    "Iași": ("Pașcani", "Hârlău", "Târgu Frumos", "Podu Iloaiei"),
    "Ilfov": (
        "Voluntari",
        "Otopeni",
        "Popești-Leordeni",
        "Bragadiru",
        "Chitila",
    ),
    "Maramureș": (
        "Sighetu Marmației",
        "Vișeu de Sus",
        "Baia Sprie",
        "Târgu Lăpuș",
        "Seini",
    ),
    "Mehedinți": ("Orșova", "Strehaia", "Vânju Mare"),
    "Mureș": ("Sighișoara", "Reghin", "Târnăveni", "Luduș", "Sovata"),
    "Neamț": ("Roman", "Târgu Neamț", "Roznov"),
    "Olt": ("Caracal", "Corabia", "Drăgănești-Olt", "Scornicești"),
    "Prahova": (
        "Câmpina",
        "Băicoi",
        "Bușteni",
        "Comarnic",
        "Mizil",
        "Sinaia",
        "Vălenii de Munte",
        "Boldești-Scăeni",
    ),
    "Satu Mare": ("Carei", "Negrești-Oaș", "Tășnad"),
    "Sălaj": ("Șimleu Silvaniei", "Jibou", "Cehu Silvaniei"),
    "Sibiu": ("Mediaș", "Cisnădie", "Agnita", "Avrig", "Tălmaciu"),
    "Suceava": (
        "Fălticeni",
        "Rădăuți",
        "Câmpulung Moldovenesc",
        "Vatra Dornei",
        "Gura Humorului",
        "Siret",
    ),
    "Teleorman": ("Roșiorii de Vede", "Turnu Măgurele", "Zimnicea", "Videle"),
    "Timiș": ("Lugoj", "Sânnicolau Mare", "Jimbolia", "Buziaș", "Deta"),
    "Tulcea": ("Babadag", "Isaccea", "Măcin", "Sulina"),
    "Vaslui": ("Bârlad", "Huși"),
    "Vâlcea": ("Drăgășani", "Călimănești", "Horezu", "Brezoi"),
    "Vrancea": ("Adjud", "Mărășești", "Panciu"),
}

# Short or older spellings people use for a town, mapped to its canonical name.
_CITY_ALIASES: dict[str, str] = {
    "Bucharest": "București",
    "Cluj": "Cluj-Napoca",
    "Turnu Severin": "Drobeta-Turnu Severin",
    "Drobeta": "Drobeta-Turnu Severin",
    "Sf Gheorghe": "Sfântu Gheorghe",
    "Sfîntu Gheorghe": "Sfântu Gheorghe",
    "Miercurea-Ciuc": "Miercurea Ciuc",
    "Sighet": "Sighetu Marmației",
    "Piatra-Neamț": "Piatra Neamț",
}

# Administrative words that prefix names in documents ("Județul Cluj", "mun. Turda"); they carry
# no information for the lookup.
_PREFIXES = re.compile(
    r"^(?:regiunea(?: de dezvoltare)?|judetul|jud|municipiul|mun|orasul|oras|or)\s+"
)
_PUNCTUATION = re.compile(r"[.,;:'\"()]")
# Old orthography (before 1993) wrote î inside words where today's has â ("Tîrgu", "Rîmnicu");
# at the start and end of a word both spellings use î, so only inner ones are rewritten.
_INNER_I_CIRCUMFLEX = re.compile(r"(?<=\w)î(?=\w)")


def _key(text: str) -> str:
    lowered = fix_diacritics(text).casefold()
    lowered = _INNER_I_CIRCUMFLEX.sub("â", lowered)
    return _PREFIXES.sub("", fold(_PUNCTUATION.sub(" ", lowered)))


def _build() -> tuple[dict[str, Region], dict[str, County], dict[str, County]]:
    counties = {
        name: County(name=name, nuts3=nuts3, region=nuts3[:4], cnp_codes=cnp_codes, seat=seat)
        for nuts3, name, cnp_codes, seat in _COUNTY_ROWS
    }
    regions = {
        code: Region(
            code=code,
            name=name,
            name_en=name_en,
            nuts1=code[:3],
            category=category,
            counties=tuple(item for item in counties.values() if item.region == code),
        )
        for code, name, name_en, category in _REGION_ROWS
    }
    town_county = {item.seat: item for item in counties.values()}
    for county_name, towns in _TOWNS.items():
        town_county.update(dict.fromkeys(towns, counties[county_name]))
    return regions, counties, town_county


def _spellings(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {_key(spelling): canonical for spelling, canonical in pairs}


_REGIONS, _COUNTIES, _TOWN_COUNTY = _build()

REGIONS: Mapping[str, Region] = types.MappingProxyType(_REGIONS)
"""The eight NUTS-2 development regions by code ("RO11" .. "RO42"), in NUTS order."""

COUNTIES: Mapping[str, County] = types.MappingProxyType(_COUNTIES)
"""The 41 counties and București by name (with diacritics), in NUTS-3 order."""

_REGION_KEYS = _spellings(
    [
        *(
            (spelling, item.code)
            for item in _REGIONS.values()
            for spelling in (item.code, item.name, item.name_en)
        ),
        *_REGION_ALIASES.items(),
    ]
)
_REGION_NAMES = {code: item.name for code, item in _REGIONS.items()}
_COUNTY_KEYS = _spellings(
    [
        *(
            (spelling, item.name)
            for item in _COUNTIES.values()
            for spelling in (item.name, item.nuts3, *item.cnp_codes)
        ),
        ("Bucharest", "București"),
    ]
)
_CITY_KEYS = _spellings([*((town, town) for town in _TOWN_COUNTY), *_CITY_ALIASES.items()])


def _lookup(
    value: str, keys: Mapping[str, str], *, reason: str, shown: Mapping[str, str] | None = None
) -> str:
    key = _key(value) if isinstance(value, str) else ""
    try:
        return keys[key]
    except KeyError:
        close = difflib.get_close_matches(key, keys, n=3, cutoff=0.75)
        # Several spellings of one name can be close; suggest each canonical name once.
        found = dict.fromkeys(keys[match] for match in close)
        suggestions = [shown[item] if shown else item for item in found]
        raise UnknownRegionError(value, reason=reason, suggestions=suggestions) from None


def region(code_or_name: str) -> Region:
    """Return the development region for a NUTS-2 code or a region name.

    Accepts ``"RO32"``, ``"ro32"``, ``"București-Ilfov"``, ``"Bucuresti Ilfov"``,
    ``"Bucharest-Ilfov"``, ``"Sud Muntenia"``, ``"Regiunea Nord-Vest"`` and the like; raises
    :class:`UnknownRegionError` (with close matches as suggestions) for anything else.
    """
    return _REGIONS[_lookup(code_or_name, _REGION_KEYS, reason="region", shown=_REGION_NAMES)]


def county(name_or_code: str) -> County:
    """Return the county for a name (``"Cluj"``, ``"Județul Caraș Severin"``), a NUTS-3 code
    (``"RO113"``) or a CNP county code (``"12"``; ``"40"``-``"48"`` give București).

    Raises :class:`UnknownRegionError` with ``reason="county"`` for anything else.
    """
    return _COUNTIES[_lookup(name_or_code, _COUNTY_KEYS, reason="county")]


def locate(city: str) -> Town:
    """Return the county and development region of a county seat or a larger town.

    Matching tolerates case, diacritics, spaces, hyphens and prefixes such as "mun." or
    "Municipiul". Raises :class:`UnknownRegionError` with ``reason="city"`` (and close matches
    as suggestions) for a town that is not in the table, which holds every county seat and the
    larger towns, not every locality.
    """
    town = _lookup(city, _CITY_KEYS, reason="city")
    found = _TOWN_COUNTY[town]
    return Town(city=town, county=found, region=_REGIONS[found.region])


def region_of(city: str) -> Region:
    """Return the development region of a town; a shortcut for ``locate(city).region``."""
    return locate(city).region


def category_of_region(code: str) -> RegionCategory:
    """Return the ESF category of a region given by code or name ("more developed" for RO32)."""
    return region(code).category
