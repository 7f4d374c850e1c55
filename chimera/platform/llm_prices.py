"""What a model's tokens cost: a per-model price table, USD per 1000 input and output tokens.

The built-in table holds public list prices of common hosted models; the setting
`CHIMERA_LLM_PRICES` adds models or overrides entries (specs/economics.md §3.4). A model is
found by its name as the integration reports it (`gpt-4.1-mini`), by `provider:model`, or as a
dated snapshot of a listed name (`gpt-4o-2024-08-06`, `claude-3-5-haiku-20241022`). A model
that is not found has no price: its cost is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

_SNAPSHOT = re.compile(r"^-(\d{4}-?\d{2}-?\d{2}|latest)$")
COST_PLACES = Decimal("0.0000000001")
"""Costs are kept to 10 decimals (the `llm_usage.cost_usd` column)."""


class TokenPrice(BaseModel):
    """A model's price in USD per 1000 tokens."""

    model_config = ConfigDict(frozen=True)

    input_per_1k: Decimal = Field(ge=0, description="USD per 1000 input (prompt) tokens.")
    output_per_1k: Decimal = Field(ge=0, description="USD per 1000 output (completion) tokens.")

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        """The USD cost of these tokens, to 10 decimals."""
        spent = input_tokens * self.input_per_1k + output_tokens * self.output_per_1k
        return (spent / 1000).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def _per_million(input_usd: str, output_usd: str) -> TokenPrice:
    """A price quoted per million tokens (as providers list them), stored per 1000."""
    return TokenPrice(
        input_per_1k=Decimal(input_usd) / 1000, output_per_1k=Decimal(output_usd) / 1000
    )


DEFAULT_LLM_PRICES: Mapping[str, TokenPrice] = {
    "gpt-4.1": _per_million("2.00", "8.00"),
    "gpt-4.1-mini": _per_million("0.40", "1.60"),
    "gpt-4.1-nano": _per_million("0.10", "0.40"),
    "gpt-4o": _per_million("2.50", "10.00"),
    "gpt-4o-mini": _per_million("0.15", "0.60"),
    "o4-mini": _per_million("1.10", "4.40"),
    "claude-opus-4-1": _per_million("15.00", "75.00"),
    "claude-opus-4": _per_million("15.00", "75.00"),
    "claude-sonnet-4-5": _per_million("3.00", "15.00"),
    "claude-sonnet-4": _per_million("3.00", "15.00"),
    "claude-3-7-sonnet": _per_million("3.00", "15.00"),
    "claude-3-5-sonnet": _per_million("3.00", "15.00"),
    "claude-haiku-4-5": _per_million("1.00", "5.00"),
    "claude-3-5-haiku": _per_million("0.80", "4.00"),
    "gemini-2.5-pro": _per_million("1.25", "10.00"),
    "gemini-2.5-flash": _per_million("0.30", "2.50"),
    "gemini-2.5-flash-lite": _per_million("0.10", "0.40"),
    "gemini-2.0-flash": _per_million("0.10", "0.40"),
}
"""List prices (USD per 1M tokens, standard tier, short prompts) as published by OpenAI,
Anthropic and Google in 2025; check them against your contract and override as needed."""


def price_table(overrides: Mapping[str, TokenPrice]) -> dict[str, TokenPrice]:
    """The built-in table with `overrides` added (an override replaces a built-in entry)."""
    return {**DEFAULT_LLM_PRICES, **overrides}


def find_price(table: Mapping[str, TokenPrice], model: str) -> TokenPrice | None:
    """The price of `model` in `table`, or None when it has none.

    An exact name (or `provider:model` key) wins; else the longest listed name of which `model`
    is a dated snapshot (`<name>-YYYY-MM-DD`, `<name>-YYYYMMDD`, `<name>-latest`).
    """
    bare = {key.split(":", 1)[-1]: price for key, price in table.items()}
    if model in table:
        return table[model]
    if model in bare:
        return bare[model]
    name = model.split(":", 1)[-1]
    snapshots = [k for k in bare if name.startswith(k) and _SNAPSHOT.match(name[len(k) :])]
    return bare[max(snapshots, key=len)] if snapshots else bare.get(name)
