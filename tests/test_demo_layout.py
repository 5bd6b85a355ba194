"""Each app owns its demo data (a demo.py beside its models); the project's core reaches into none."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import servicedesk.demo

DOMAIN_APPS = (
    "incidents",
    "contacts",
    "sla",
    "changes",
    "catalogue",
    "knowledge",
    "portal",
    "reports",
    "audit",
)


@pytest.mark.parametrize(
    ("module", "entry"),
    [
        ("servicedesk.demo", "seed_organisation"),
        ("incidents.demo", "seed_ticket_history"),
        ("incidents.demo", "seed_call_options"),
        ("sla.demo", "seed_ola_targets"),
        ("sla.demo", "seed_clocks"),
        ("changes.demo", "seed_changes"),
        ("catalogue.demo", "seed_catalogue"),
        ("knowledge.demo", "seed_articles"),
        ("portal.demo", "seed_own_cases"),
    ],
)
def test_each_apps_demo_data_sits_beside_it(module, entry):
    assert callable(getattr(importlib.import_module(module), entry))


def test_the_core_demo_data_imports_no_domain_app():
    tree = ast.parse(Path(servicedesk.demo.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert not {name for name in imported if name.split(".")[0] in DOMAIN_APPS}
