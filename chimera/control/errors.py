"""Errors a driver of campaign threads reports: a review not found or decided, a busy run."""

from __future__ import annotations


class ReviewNotFound(LookupError):
    """No such review for this tenant."""


class AlreadyDecided(RuntimeError):
    """The review was decided before; nothing was done."""


class RunInProgress(RuntimeError):
    """Another process is driving this campaign's run right now."""


class CampaignNotFound(LookupError):
    """The campaign id is not this tenant's (it may be free, or another tenant's: never said)."""


class DecisionRefused(ValueError):
    """The run refused a review answer (e.g. an edit the policy forbids); the review still waits."""
