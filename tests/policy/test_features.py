"""The feature catalogue: every feature the policy engine needs is described, typed and, for codes, listed."""

from fupin.policy.features import FEATURES, FeatureType

REQUIRED = """income_per_capita income_per_capita_last_year income_change_ratio net_income members members_with_labour
members_weak_labour members_without_labour labour_capacity_all_lost anyone_uninsured child_out_of_school
housing_unsafe housing_grade safe_drinking_water food_clothing_secure out_of_pocket out_of_pocket_ratio
dibao_members tekun_members seriously_ill_members disabled_members months_monitored measures_in_place
household_type status monitoring_category no_labour_household relocated""".split()


def test_the_catalogue_has_every_required_feature_described():
    assert set(REQUIRED) <= set(FEATURES)
    for name, feature in FEATURES.items():
        assert feature.name == name and name.isidentifier() and name == name.lower()
        assert feature.label and feature.description
        assert bool(feature.choices) == (feature.type is FeatureType.TEXT), name


def test_the_documented_boundaries():
    assert "≥ 6 且 ≤ 15" in FEATURES["child_out_of_school"].description
    assert "满 16 周岁不算" in FEATURES["child_out_of_school"].description
    assert "≤ 0" in FEATURES["out_of_pocket_ratio"].description
    assert "恒为 0" in FEATURES["measures_in_place"].description
    assert FEATURES["housing_grade"].choices == ("1", "2", "3")
