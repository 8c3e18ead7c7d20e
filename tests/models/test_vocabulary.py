"""The closed vocabularies of the participation table live once, in the model's vocabulary."""

from __future__ import annotations

import inclusionkit
from inclusionkit.models import Gender, LabourStatus
from inclusionkit.models._vocabulary import (
    COLUMN_VOCABULARIES,
    GENDERS,
    ISCED_LEVELS,
    LABOUR_STATUSES,
    REGION_CODES,
)
from inclusionkit.ro import REGIONS


def test_vocabularies_are_the_enums_and_the_regions() -> None:
    """Genders and labour statuses are the enums' values; regions are the NUTS-2 codes."""
    assert tuple(Gender) == GENDERS
    assert tuple(LabourStatus) == LABOUR_STATUSES
    assert tuple(REGIONS) == REGION_CODES
    assert tuple(range(9)) == ISCED_LEVELS
    assert set(COLUMN_VOCABULARIES) == {"gender", "labour_status", "region"}


def test_the_contract_columns_agree_with_the_vocabularies() -> None:
    """A canonical column that lists its values lists exactly its vocabulary."""
    for column in inclusionkit.COLUMNS:
        if column.values:
            assert column.values == COLUMN_VOCABULARIES[column.name], column.name


def test_vulnerable_groups_are_the_verified_posdru_list() -> None:
    """The six verified POSDRU 6.x groups, each named in Romanian and English; roma and
    disability count through their columns, the others have none yet."""
    import pytest

    from inclusionkit.models import (
        VULNERABLE_GROUP_NAMES,
        VulnerableGroup,
        vulnerable_group_filter,
    )

    assert set(VULNERABLE_GROUP_NAMES) == set(VulnerableGroup)
    assert VULNERABLE_GROUP_NAMES[VulnerableGroup.ROMA] == (
        "persoane de etnie romă",
        "persons of Roma ethnicity",
    )
    assert vulnerable_group_filter("roma") == {"is_true": "roma"}
    assert vulnerable_group_filter("disability") == {"is_true": "disability"}
    with pytest.raises(ValueError, match="no column"):
        vulnerable_group_filter("women_at_risk")
