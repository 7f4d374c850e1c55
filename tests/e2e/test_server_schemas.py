"""The server publishes the campaign graph's input, output and Context schemas with a
description on every field, so LangGraph Studio renders useful forms.

Proves specs/technical.md §7.3.
"""

from __future__ import annotations

import pytest
from langgraph_sdk import get_client

from tests.e2e.conftest import KEY_XYZ

pytestmark = pytest.mark.slow


async def test_assistant_schemas_describe_every_input_and_context_field(server_url: str) -> None:
    """specs/technical.md §7.3"""
    client = get_client(url=server_url, api_key=KEY_XYZ)
    [assistant] = await client.assistants.search(
        graph_id="campaign", metadata={"created_by": "system"}
    )
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    inputs = schemas["input_schema"]["properties"]
    assert set(inputs) == {"tenant_id", "agent_id", "campaign_id", "goal"}
    assert all(field.get("description") for field in inputs.values()), inputs
    context = schemas["context_schema"]["properties"]
    assert {"approve_threshold", "review_threshold", "max_parallel_workers", "model"} <= set(
        context
    )
    assert all(field.get("description") for field in context.values()), context
    assert context["approve_threshold"]["default"] == 0.9
    assert "anthropic:" in context["model"]["description"], "the model picker lists choices"
    output = schemas["output_schema"]["properties"]
    assert output["report"]["description"]
