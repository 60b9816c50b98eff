"""``Asset.interpretation``: the generator's reading of the prompt, parsed tolerantly (an extension field)."""

from __future__ import annotations

import pytest

import gizmo_notebook
from gizmo_notebook.client import Asset, Interpretation


def test_interpretation_parses_to_a_typed_value() -> None:
    asset = Asset.from_dict(
        {
            "id": "ast_1",
            "status": "ready",
            "interpretation": {
                "family": "lamp",
                "understood": ["desk lamp", "two hinges"],
                "ignored": ["red"],
                "notes": [],
                "fallback": False,
                "confidence": 0.9,  # a field this client does not know yet
            },
        }
    )
    assert asset.interpretation == Interpretation("lamp", ("desk lamp", "two hinges"), ("red",), (), False)
    assert asset.raw["interpretation"]["confidence"] == 0.9
    assert gizmo_notebook.Interpretation is Interpretation


@pytest.mark.parametrize(
    "value",
    [None, "lamp", [], {}, {"family": ""}, {"family": 3}, {"understood": ["x"]}],
)
def test_absent_or_unusable_interpretation_is_none(value: object) -> None:
    body = {"id": "ast_1", "status": "ready"}
    if value is not None:
        body["interpretation"] = value
    assert Asset.from_dict(body).interpretation is None


def test_junk_items_are_dropped_and_fallback_must_be_true() -> None:
    reading = Asset.from_dict(
        {"id": "a", "status": "ready",
         "interpretation": {"family": "generic", "understood": "banana", "ignored": ["banana", 7, None], "fallback": "yes"}}
    ).interpretation  # fmt: skip
    assert reading == Interpretation("generic", (), ("banana",), (), False)
