"""The README documents every setting exactly as SETTINGS declares it, and shows the two set-up commands."""
import importlib.util

from conftest import ROOT


def _table():
    spec = importlib.util.spec_from_file_location("settings_table", ROOT / "scripts" / "settings_table.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.table()


def test_readme_settings_table_matches_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _table() in readme, "README settings table is stale: run .venv/bin/python scripts/settings_table.py --write"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/serve.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
