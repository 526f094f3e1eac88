"""The toolkit's correlation test: an asset pair is correlated above +0.65 or below -0.65 in the supplied matrix."""
from __future__ import annotations

from typing import Any

THRESHOLD = 0.65


class CorrelationMatrix:
    """An asset x asset matrix as sent in `ot_correlation_matrix`: {asset_a: {asset_b: coefficient}}."""

    def __init__(self, matrix: dict[str, Any] | None = None) -> None:
        self.matrix = matrix or {}

    def coefficient(self, asset_a: str, asset_b: str) -> float:
        """The pair's coefficient, 0 for the same asset or a pair the matrix does not hold (as the toolkit does)."""
        if asset_a == asset_b:
            return 0.0
        for outer, inner in ((asset_a, asset_b), (asset_b, asset_a)):
            row = self.matrix.get(outer)
            if isinstance(row, dict):
                value = row.get(inner)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return float(value)
        return 0.0

    def is_positive(self, asset_a: str, asset_b: str) -> bool:
        return self.coefficient(asset_a, asset_b) > THRESHOLD

    def is_negative(self, asset_a: str, asset_b: str) -> bool:
        return self.coefficient(asset_a, asset_b) < -THRESHOLD
