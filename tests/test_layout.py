"""The layout reads as the pipeline: stage packages, no import circle between modules, no module too long to read
in one go, and the numbers that decide answers in one module."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
STAGES = {"ingest", "index", "answering", "backends", "serving"}
MAX_LINES = 420


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Every assistant module PATH imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in modules and m != name}


def test_no_import_circle():
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    graph = {n: {m for m in deps if m != "assistant"} for n, deps in graph.items()}  # the package face re-exports
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        state[n] = 1
        for m in graph.get(n, ()):
            assert state.get(m) != 1, "import circle: " + " -> ".join(trail[trail.index(m):] + [m]) \
                if m in trail else f"import circle through {n} -> {m}"
            if m not in state:
                visit(m, trail + [m])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])


def test_file_list_reads_as_the_pipeline():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert STAGES <= packages
    loose = {p.stem for p in PACKAGE.glob("*.py")}
    assert loose <= {"__init__", "__main__", "config", "errors", "contract", "cli", "doctor"}, loose


def test_no_module_is_too_long_to_read_in_one_go():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_fitted_decision_weighs_exactly_the_signals_the_judge_computes(assistant):
    from assistant.answering.calibration import Decision, fitted

    prep = assistant._prepare("巡视组从哪天开始进驻？", None, None, assistant.backend)
    decision = Decision.load()
    assert set(decision.weights) == set(prep.assessment.signals), "refit: python scripts/fit_calibration.py"
    report = fitted("fit", {})
    assert report.get("split") == "train" and report["cross_validated"]["false_refusal"] <= 0.05
    assert 0 < decision.threshold < decision.model_threshold <= 1


def test_careful_mode_ships_fitted_on_the_same_signals():
    """A refit that changes the signals drops careful mode's decisions (scripts/fit_calibration.py says so): the
    shipped calibration must carry them again, refitted with --careful, or careful mode silently falls back."""
    from assistant.answering.calibration import Decision

    default = set(Decision.load().weights)
    for name in ("careful", "careful_several"):
        decision = Decision.load(name)
        assert decision is not None and set(decision.weights) == default | {"model"}, \
            f"{name}: refit with python scripts/fit_calibration.py --careful"
