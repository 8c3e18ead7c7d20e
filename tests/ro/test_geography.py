"""Tests for the development regions, counties and town lookup in inclusionkit.ro."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusionkit.ro import (
    COUNTIES,
    NUTS_VERSION,
    REGIONS,
    UnknownRegionError,
    category_of_region,
    county,
    fold,
    locate,
    region,
    region_of,
)

# esf-indicators.md §5.4, copied independently of the module's table.
REGION_COUNTIES = {
    "RO11": {"Bihor", "Bistrița-Năsăud", "Cluj", "Maramureș", "Satu Mare", "Sălaj"},
    "RO12": {"Alba", "Brașov", "Covasna", "Harghita", "Mureș", "Sibiu"},
    "RO21": {"Bacău", "Botoșani", "Iași", "Neamț", "Suceava", "Vaslui"},
    "RO22": {"Brăila", "Buzău", "Constanța", "Galați", "Tulcea", "Vrancea"},
    "RO31": {"Argeș", "Călărași", "Dâmbovița", "Giurgiu", "Ialomița", "Prahova", "Teleorman"},
    "RO32": {"București", "Ilfov"},
    "RO41": {"Dolj", "Gorj", "Mehedinți", "Olt", "Vâlcea"},
    "RO42": {"Arad", "Caraș-Severin", "Hunedoara", "Timiș"},
}

COUNTY_SEATS = {
    "Alba Iulia": "Alba",
    "Arad": "Arad",
    "Pitești": "Argeș",
    "Bacău": "Bacău",
    "Oradea": "Bihor",
    "Bistrița": "Bistrița-Năsăud",
    "Botoșani": "Botoșani",
    "Brașov": "Brașov",
    "Brăila": "Brăila",
    "Buzău": "Buzău",
    "Reșița": "Caraș-Severin",
    "Călărași": "Călărași",
    "Cluj-Napoca": "Cluj",
    "Constanța": "Constanța",
    "Sfântu Gheorghe": "Covasna",
    "Târgoviște": "Dâmbovița",
    "Craiova": "Dolj",
    "Galați": "Galați",
    "Giurgiu": "Giurgiu",
    "Târgu Jiu": "Gorj",
    "Miercurea Ciuc": "Harghita",
    "Deva": "Hunedoara",
    "Slobozia": "Ialomița",
    "Iași": "Iași",
    "Buftea": "Ilfov",
    "Baia Mare": "Maramureș",
    "Drobeta-Turnu Severin": "Mehedinți",
    "Târgu Mureș": "Mureș",
    "Piatra Neamț": "Neamț",
    "Slatina": "Olt",
    "Ploiești": "Prahova",
    "Satu Mare": "Satu Mare",
    "Zalău": "Sălaj",
    "Sibiu": "Sibiu",
    "Suceava": "Suceava",
    "Alexandria": "Teleorman",
    "Timișoara": "Timiș",
    "Tulcea": "Tulcea",
    "Vaslui": "Vaslui",
    "Râmnicu Vâlcea": "Vâlcea",
    "Focșani": "Vrancea",
    "București": "București",
}

LARGE_TOWNS = {
    "Turda": "Cluj",
    "Mediaș": "Sibiu",
    "Făgăraș": "Brașov",
    "Lugoj": "Timiș",
    "Hunedoara": "Hunedoara",
    "Petroșani": "Hunedoara",
    "Sighetu Marmației": "Maramureș",
    "Roman": "Neamț",
    "Pașcani": "Iași",
    "Bârlad": "Vaslui",
    "Tecuci": "Galați",
    "Medgidia": "Constanța",
    "Mangalia": "Constanța",
    "Câmpina": "Prahova",
    "Voluntari": "Ilfov",
    "Otopeni": "Ilfov",
    "Popești-Leordeni": "Ilfov",
}

CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def test_nuts_version_is_2021() -> None:
    """The region table is declared as NUTS 2021."""
    assert NUTS_VERSION == "2021"


def test_regions_and_their_counties_match_the_reference() -> None:
    """The eight regions hold exactly the counties the reference lists."""
    assert list(REGIONS) == list(REGION_COUNTIES)
    for code, names in REGION_COUNTIES.items():
        item = REGIONS[code]
        assert {c.name for c in item.counties} == names
        assert all(c.region == code for c in item.counties)
        assert item.nuts1 == code[:3]


def test_all_41_counties_and_bucharest() -> None:
    """COUNTIES has 42 entries, each with a NUTS-3 code under its region's code."""
    assert len(COUNTIES) == 42
    assert all(c.nuts3.startswith(c.region) and len(c.nuts3) == 5 for c in COUNTIES.values())
    assert len({c.nuts3 for c in COUNTIES.values()}) == 42


def test_cnp_county_codes_cover_the_reference_list() -> None:
    """The CNP county codes are 01-48, 51 and 52, each used by exactly one county."""
    codes = [code for c in COUNTIES.values() for code in c.cnp_codes]
    assert sorted(codes) == sorted([f"{n:02d}" for n in range(1, 49)] + ["51", "52"])
    assert COUNTIES["București"].cnp_codes == tuple(str(n) for n in range(40, 49))
    assert COUNTIES["Călărași"].cnp_codes == ("51",)


def test_names_use_comma_below_diacritics() -> None:
    """No region, county or seat name contains the cedilla letters ş ţ."""
    names = [r.name for r in REGIONS.values()]
    names += [n for c in COUNTIES.values() for n in (c.name, c.seat)]
    assert not any(set(name) & set("şţŞŢ") for name in names)
    assert REGIONS["RO32"].name == "București-Ilfov"


def test_only_bucharest_ilfov_is_more_developed() -> None:
    """RO32 is the one "more developed" region; the other seven are "less developed"."""
    assert {code: r.category for code, r in REGIONS.items()} == {
        code: "more developed" if code == "RO32" else "less developed" for code in REGIONS
    }
    assert category_of_region("RO32") == "more developed"
    assert category_of_region("Nord-Est") == "less developed"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("RO32", "RO32"),
        ("ro32", "RO32"),
        ("București-Ilfov", "RO32"),
        ("Bucureşti-Ilfov", "RO32"),
        ("Bucuresti Ilfov", "RO32"),
        ("Bucharest-Ilfov", "RO32"),
        ("Sud-Muntenia", "RO31"),
        ("Sud Muntenia", "RO31"),
        ("SUD - MUNTENIA", "RO31"),
        ("Nord-Vest", "RO11"),
        ("nord vest", "RO11"),
        ("North-West", "RO11"),
        ("Regiunea Nord-Est", "RO21"),
        ("Regiunea de Dezvoltare Sud-Est", "RO22"),
        ("Sud-Vest Oltenia", "RO41"),
        ("Sud-Vest", "RO41"),
        ("Centru", "RO12"),
        ("Vest", "RO42"),
    ],
)
def test_region_accepts_codes_and_name_variants(spelling: str, code: str) -> None:
    """Codes and names are matched regardless of case, diacritics, spaces and hyphens."""
    assert region(spelling).code == code


def test_unknown_region_suggests_close_names() -> None:
    """A misspelt region raises UnknownRegionError with the intended name as a suggestion."""
    with pytest.raises(UnknownRegionError, match=r"unknown region 'Nord-Vst'") as info:
        region("Nord-Vst")
    assert info.value.reason == "region"
    assert info.value.suggestions[0] == "Nord-Vest"
    assert isinstance(info.value, ValueError)


def test_unknown_region_without_suggestion_says_what_is_expected() -> None:
    """With nothing close, the message lists what a region may be given as."""
    with pytest.raises(UnknownRegionError, match="expected a NUTS-2 code") as info:
        region("Atlantis")
    assert info.value.suggestions == ()
    assert info.value.value == "Atlantis"


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Cluj", "Cluj"),
        ("CLUJ", "Cluj"),
        ("RO113", "Cluj"),
        ("12", "Cluj"),
        ("Caras Severin", "Caraș-Severin"),
        ("Județul Caraș-Severin", "Caraș-Severin"),
        ("jud. Mureș", "Mureș"),
        ("Timiş", "Timiș"),
        ("Bistrita Nasaud", "Bistrița-Năsăud"),
        ("Bucuresti", "București"),
        ("Bucharest", "București"),
        ("Municipiul București", "București"),
        ("43", "București"),
        ("47", "București"),
        ("23", "Ilfov"),
        ("51", "Călărași"),
        ("Vîlcea", "Vâlcea"),
    ],
)
def test_county_accepts_names_and_codes(spelling: str, name: str) -> None:
    """Counties are found by tolerant name, NUTS-3 code or CNP county code."""
    assert county(spelling).name == name


@pytest.mark.parametrize("value", ["Clujj", "70", "RO119", ""])
def test_unknown_county(value: str) -> None:
    """Misspelt names and placeholder CNP codes are not counties."""
    with pytest.raises(UnknownRegionError) as info:
        county(value)
    assert info.value.reason == "county"


@pytest.mark.parametrize(("city", "county_name"), sorted({**COUNTY_SEATS, **LARGE_TOWNS}.items()))
def test_locate_county_seats_and_large_towns(city: str, county_name: str) -> None:
    """Every county seat and the listed large towns resolve to their county and region."""
    found = locate(city)
    assert found.city == city
    assert found.county.name == county_name
    assert found.region.code == found.county.region
    assert county_name in {c.name for c in found.region.counties}


def test_every_county_seat_is_in_the_table() -> None:
    """Each county's seat field names a town locate() finds in that county."""
    assert {c.seat: c.name for c in COUNTIES.values()} == COUNTY_SEATS


@pytest.mark.parametrize(
    ("spelling", "city"),
    [
        ("Timisoara", "Timișoara"),
        ("TIMIŞOARA", "Timișoara"),
        ("cluj napoca", "Cluj-Napoca"),
        ("Cluj", "Cluj-Napoca"),
        ("Iasi", "Iași"),
        ("Bucharest", "București"),
        ("Mun. Brașov", "Brașov"),
        ("Municipiul Sibiu", "Sibiu"),
        ("oraș Otopeni", "Otopeni"),
        ("Tîrgu Mureş", "Târgu Mureș"),
        ("Rîmnicu Vîlcea", "Râmnicu Vâlcea"),
        ("Targu-Jiu", "Târgu Jiu"),
        ("Popesti Leordeni", "Popești-Leordeni"),
        ("Drobeta Turnu Severin", "Drobeta-Turnu Severin"),
        ("Turnu Severin", "Drobeta-Turnu Severin"),
        ("Sighetu-Marmatiei", "Sighetu Marmației"),
    ],
)
def test_locate_is_tolerant(spelling: str, city: str) -> None:
    """Town names match regardless of case, diacritics, old orthography, prefixes and hyphens."""
    assert locate(spelling).city == city


def test_region_of_is_a_shortcut() -> None:
    """region_of(city) is locate(city).region."""
    assert region_of("Timișoara").code == "RO42"
    assert region_of("Voluntari").code == "RO32"
    assert region_of("Iași") == locate("Iași").region


def test_unknown_city_suggests_a_close_match() -> None:
    """A misspelt town raises UnknownRegionError(reason="city") naming the likely town."""
    with pytest.raises(UnknownRegionError, match=r"did you mean 'Timișoara'\?") as info:
        locate("Timisora")
    assert info.value.reason == "city"
    assert info.value.value == "Timisora"


@given(st.sampled_from(sorted({**COUNTY_SEATS, **LARGE_TOWNS})), st.data())
def test_locate_ignores_spelling_noise(city: str, data: st.DataObject) -> None:
    """Changing case, using cedillas or dropping diacritics never changes the town found."""
    variant = data.draw(
        st.sampled_from(
            [
                city.upper(),
                city.lower(),
                city.translate(CEDILLA),
                fold(city),
                city.replace(" ", "-"),
                f"  {city}  ",
            ]
        )
    )
    assert locate(variant).city == city
