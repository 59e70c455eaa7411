"""Print the README's settings table from assistant.config.SETTINGS (the one place settings are declared).

Usage: .venv/bin/python scripts/settings_table.py   (paste between the SETTINGS markers in README.md,
or run with --write to replace them in place). tests/test_docs.py fails when README and SETTINGS disagree.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import ENV_PREFIX, SETTINGS  # noqa: E402

BEGIN, END = "<!-- SETTINGS:BEGIN -->", "<!-- SETTINGS:END -->"


def table() -> str:
    rows = ["| setting | environment | flag | default | what it does |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        shown = str(s.default).lower() if isinstance(s.default, bool) else s.default
        default = f"`{shown}`" if s.default != "" else "(empty)"
        help_text = s.help.replace("|", "\\|")
        rows.append(f"| `{s.name}` | `{ENV_PREFIX}{s.name.upper()}` | `--{s.name.replace('_', '-')}` | {default} | "
                    f"{help_text} |")
    return "\n".join(rows)


def main() -> None:
    if "--write" in sys.argv:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), f"{BEGIN}\n{table()}\n{END}", text, flags=re.S)
        readme.write_text(new, encoding="utf-8")
    else:
        print(table())


if __name__ == "__main__":
    main()
