"""The posting plan: when an agent may publish (SOUL.md `posting:`), with per-platform defaults.

Windows and quiet hours are local times in the agent's time zone (`HH:MM-HH:MM`, `24:00` allowed as
an end, a window may wrap past midnight). Cadence is per platform: posts per local day and the
minimum spacing between two posts; replies have one per-hour cap across platforms.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def _span(value: str) -> str:
    match = _SPAN.fullmatch(value)
    if match is None or (match[3] == "24" and match[4] != "00"):
        raise ValueError(f"{value!r} is not a local time span HH:MM-HH:MM (end may be 24:00)")
    if value[:5] == value[6:]:
        raise ValueError(f"{value!r} is an empty time span")
    return value


# Zones are loaded from disk once, when a persona is validated (off the event loop), and kept:
# slot math then runs on the loop without file access.
_ZONES: dict[str, ZoneInfo] = {}


def _zone(value: str) -> str:
    if value not in _ZONES:
        try:
            _ZONES[value] = ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
    return value


Span = Annotated[str, AfterValidator(_span)]
"""A local time span `HH:MM-HH:MM`."""


def span_minutes(span: str) -> tuple[int, int]:
    """Start and end of a span in minutes after local midnight (end > start, maybe past 1440)."""
    start = int(span[0:2]) * 60 + int(span[3:5])
    end = int(span[6:8]) * 60 + int(span[9:11])
    return start, end if end > start else end + 1440


def span_start(span: str) -> time:
    """The local start time of a span."""
    return time(int(span[0:2]), int(span[3:5]))


class PlatformCadence(BaseModel):
    """When and how often an agent posts on one platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    windows: Annotated[list[Span], Field(min_length=1, max_length=12)]
    max_per_day: Annotated[int, Field(ge=1, le=1000)]
    min_spacing_minutes: Annotated[int, Field(ge=0, le=1440)]


DEFAULT_CADENCE: dict[str, PlatformCadence] = {
    "tiktok": PlatformCadence(windows=["07:00-23:00"], max_per_day=3, min_spacing_minutes=120),
    "instagram": PlatformCadence(windows=["08:00-22:00"], max_per_day=2, min_spacing_minutes=180),
    "twitter": PlatformCadence(windows=["07:00-24:00"], max_per_day=10, min_spacing_minutes=30),
    "x": PlatformCadence(windows=["07:00-24:00"], max_per_day=10, min_spacing_minutes=30),
}
FALLBACK_CADENCE = PlatformCadence(windows=["08:00-22:00"], max_per_day=3, min_spacing_minutes=120)


class PostingPlan(BaseModel):
    """SOUL.md `posting:`; every field is optional and defaults per platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[str, AfterValidator(_zone), Field(validate_default=True)] = "UTC"
    quiet_hours: Span | None = None
    replies_per_hour: Annotated[int, Field(ge=1, le=1000)] = 20
    platforms: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]{2,32}$")], PlatformCadence] = {}

    def cadence(self, platform: str) -> PlatformCadence:
        """The cadence of `platform`: the SOUL.md entry, else the platform's default."""
        return self.platforms.get(platform) or DEFAULT_CADENCE.get(platform, FALLBACK_CADENCE)

    @property
    def zone(self) -> ZoneInfo:
        """The agent's time zone."""
        return _ZONES.get(self.timezone) or ZoneInfo(self.timezone)
