"""Review: a malformed FANGFEI_DATA_KEY is refused at start, not at the first tip or phone number."""

from __future__ import annotations

import pytest

from config import ConfigError, load_settings
from tests.foundation.test_config import PROD_ENV


@pytest.mark.parametrize(
    "value", ["prod-data-key-typo", "cHJvZC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLWtleSE=,oops", ","]
)
def test_malformed_data_key_is_refused_at_start(value):
    with pytest.raises(ConfigError, match="FANGFEI_DATA_KEY"):
        load_settings(environ={**PROD_ENV, "FANGFEI_DATA_KEY": value})


def test_rotation_list_of_valid_keys_is_accepted():
    key = PROD_ENV["FANGFEI_DATA_KEY"]
    other = "b3RoZXItZGF0YS1rZXktMzItYnl0ZXMtbG9uZy1rZXk="
    assert load_settings(environ={**PROD_ENV, "FANGFEI_DATA_KEY": f"{other},{key}"}).DATA_KEY
