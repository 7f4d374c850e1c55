"""Judge routing: the pure decision rule of CONTRACTS §2.6 plus the sensitive-topic override."""

from __future__ import annotations

import math

from state.records import Decision


def route(
    confidence: object,
    risk_category: str,
    *,
    sensitive: bool,
    approve_threshold: float = 0.90,
    review_threshold: float = 0.70,
) -> Decision:
    """Decide approve / review / reject; invalid scores fail closed (reject).

    Order: an invalid score rejects; high risk below the review band rejects; a sensitive topic
    goes to review whatever the confidence; then the threshold bands, where any risk containing
    "high" blocks auto-approval.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        return "reject"
    score = float(confidence)
    if math.isnan(score) or not 0.0 <= score <= 1.0:
        return "reject"
    high = "high" in risk_category.lower()
    if high and score < review_threshold:
        return "reject"
    if sensitive:
        return "review"
    if score >= approve_threshold and not high:
        return "approve"
    if score >= review_threshold:
        return "review"
    return "reject"
