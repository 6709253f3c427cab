"""Placeholder until the flow engine lands (issue 3)."""


def load_flows() -> dict[str, object]:
    return {}
