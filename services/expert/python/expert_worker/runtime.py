"""One loaded model: a CLIPS environment with the toolkit's built-in functions and the model's Python functions.

The environment is built once per model version and `reset` before every evaluation: reset removes every fact,
restores deffacts and defglobals, so an evaluation sees exactly the facts of its own request (the determinism rule).
"""
from __future__ import annotations

import importlib.util
import inspect
import math
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import clips

from . import toolkit
from .clips_fixes import release_facts_properly
from .correlation import CorrelationMatrix

release_facts_properly()

RISK_TEMPLATE = "risk-data"
# Templates whose slots the Node side checks request keys against (the toolkit's fact shapes).
REPORTED_TEMPLATES = ("position-data", "indicator-data", RISK_TEMPLATE)
# A hook in functions.py, not registered into CLIPS: returns extra facts computed in Python (the ML half).
PREPARE_HOOK = "prepare_facts"
# Defined by the worker in each model environment; the double dash keeps it clear of model names.
RISK_ROWS_FUNCTION = "bai--risk-rows"


# CLIPS functions that reach the host (processes, files, loading code) or build and run code from text, which
# would reach the others indirectly. A model whose CLIPS source calls one does not load. Python functions are
# contained by the worker sandbox instead (see services/expert/README.md, "Safety model").
DENIED_FUNCTIONS = frozenset({
    "system", "open", "close", "remove", "rename", "load", "load*", "batch", "batch*", "bload", "bsave", "save",
    "eval", "build", "funcall", "assert-string", "dribble-on", "dribble-off", "chdir",
    "save-facts", "load-facts", "bsave-facts", "bload-facts", "save-instances", "load-instances",
    "restore-instances", "bsave-instances", "bload-instances", "set-dynamic-constraint-checking",
    "exit", "halt-on-error",
})
_CLIPS_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|\(\s*([^\s()";&|~<>]+)')


def denied_calls(source: str) -> list[str]:
    """Denied function names called in CLIPS source (strings and comments skipped), sorted."""
    found = set()
    for match in _CLIPS_TOKEN.finditer(source):
        name = match.group(1)
        if name is not None and name.lower() in DENIED_FUNCTIONS:
            found.add(name)
    return sorted(found)


class ModelLoadError(Exception):
    """The model's CLIPS or Python does not load; the message names the problem."""


class EvaluationError(Exception):
    """The model failed while running (CLIPS runtime error or a Python function raised)."""


class ToolkitRequestRefused(Exception):
    """A request the toolkit itself could not evaluate (it would answer HTTP 500)."""


class _ErrorCapture:
    """What CLIPS wrote to its error channel since the last take, so failures reach the caller instead of stdout.

    Reads clipspy's own error router (every Environment has one) rather than adding a second Python router:
    CLIPS asks every router about every character it reads from a string (assert_string, eval), so each extra
    Python router costs a callback per character.
    """

    def __init__(self, env: clips.Environment) -> None:
        from clips.common import environment_data

        self.router = environment_data(env._env, "routers")["python-error-router"]  # noqa: SLF001

    def take(self) -> str:
        return " ".join(self.router.last_message.split())


@dataclass
class EvaluationContext:
    """Per-evaluation data the built-in functions read; replaced before each run."""

    correlation: CorrelationMatrix = field(default_factory=CorrelationMatrix)
    python_failure: str | None = None
    out_of_memory: bool = False


def clips_float_text(value: float) -> str:
    """A FLOAT as CLIPS prints it (15 significant digits, `.0` kept on whole values): 30.0 stays "30.0"."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    text = f"{value:.15g}"
    if all(c in "-0123456789" for c in text):
        text += ".0"
    return text


def _to_json_value(value: Any) -> Any:
    """A CLIPS slot value as JSON: symbols and strings as text, nil as null, integers as numbers, floats as the
    text CLIPS prints for them (JSON and JavaScript cannot keep 30.0 apart from 30)."""
    if isinstance(value, clips.Symbol):
        return None if str(value) == "nil" else str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return clips_float_text(value)
    if isinstance(value, (list, tuple)):  # multifield
        return [_to_json_value(v) for v in value]
    return str(value)


def _decode(tagged: Any) -> Any:
    """A typed value from the Node side: null (nil), ["i", digits], ["f", number], ["s", symbol], ["t", string]."""
    if tagged is None:
        return clips.Symbol("nil")
    kind, raw = tagged
    if kind == "i":
        return int(raw)
    if kind == "f":
        return float(raw)
    if kind == "s":
        return clips.Symbol(raw)
    if kind == "t":
        return str(raw)
    raise ValueError(f"unknown value tag {kind!r}")


def _render(value: Any) -> str:
    """CLIPS source text of a decoded value; symbols were checked to be plain on the Node side."""
    if isinstance(value, clips.Symbol):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _to_clips_value(value: Any) -> Any:
    """A Python value returned by a model function or hook, as CLIPS expects it."""
    if value is None:
        return clips.Symbol("nil")
    if isinstance(value, bool):
        return clips.Symbol("TRUE" if value else "FALSE")
    if isinstance(value, str):
        return clips.Symbol(value)
    return value


class ModelRuntime:
    def __init__(self, key: str, model: dict[str, Any]) -> None:
        self.key = key
        self.directory = model["dir"]
        self.clp_path = model.get("clp") or os.path.join(self.directory, "model.clp")
        self.functions_path = model.get("functions", os.path.join(self.directory, "functions.py"))
        self.toolkit_mode = model.get("mode") == "toolkit"
        self.verbiage: dict[str, str] = dict(model.get("explanations") or {})
        self.toolkit_correlation = toolkit.ToolkitCorrelation({})
        self.context = EvaluationContext()
        self.env = clips.Environment()
        self.errors = _ErrorCapture(self.env)
        self.prepare_hook: Callable[[dict[str, Any]], Any] | None = None
        self.risk_slots: list[str] | None = None
        self._define_builtins()
        self._load_python()
        self._load_clips()

    # -- loading ---------------------------------------------------------------------------------------------

    def _define_builtins(self) -> None:
        if self.toolkit_mode:
            self._define_toolkit_builtins()
            return
        context = self.context

        def check_pos_corr(asset_a: Any, asset_b: Any) -> clips.Symbol:
            return clips.Symbol("TRUE" if context.correlation.is_positive(str(asset_a), str(asset_b)) else "FALSE")

        def check_neg_corr(asset_a: Any, asset_b: Any) -> clips.Symbol:
            return clips.Symbol("TRUE" if context.correlation.is_negative(str(asset_a), str(asset_b)) else "FALSE")

        self.env.define_function(check_pos_corr)
        self.env.define_function(check_neg_corr)
        self.env.define_function(toolkit.regex_match, name="regex_match")

    def _define_toolkit_builtins(self) -> None:
        """The toolkit's three functions, with its semantics (Python booleans, pandas-style matrix lookups)."""

        def check_pos_corr(asset_a: Any, asset_b: Any) -> Any:
            return toolkit.as_toolkit_call(self.toolkit_correlation.positive, asset_a, asset_b)

        def check_neg_corr(asset_a: Any, asset_b: Any) -> Any:
            return toolkit.as_toolkit_call(self.toolkit_correlation.negative, asset_a, asset_b)

        def regex_match(pattern: Any, text: Any) -> Any:
            return toolkit.as_toolkit_call(toolkit.regex_match, pattern, text)

        self.env.define_function(regex_match)
        self.env.define_function(check_pos_corr)
        self.env.define_function(check_neg_corr)

    def _load_python(self) -> None:
        path = self.functions_path
        if not path or not os.path.exists(path):
            return
        module_name = "bai_model_" + re.sub(r"[^A-Za-z0-9_]", "_", self.key)
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ModelLoadError(f"functions.py cannot be imported from {path}")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException as err:  # a user module may raise anything, SystemExit included
            raise ModelLoadError(f"functions.py failed to import: {type(err).__name__}: {err}") from None
        for name, function in inspect.getmembers(module, inspect.isfunction):
            # Only functions the model defines itself: not imports, not private helpers, not the hook.
            if name.startswith("_") or function.__module__ != module_name:
                continue
            if name == PREPARE_HOOK:
                self.prepare_hook = function
                continue
            self.env.define_function(self._guarded(name, function), name=name)

    def _guarded(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Records the first exception a model function raises; CLIPS would only print it and go on."""
        context = self.context

        def call(*args: Any) -> Any:
            try:
                return _to_clips_value(function(*args))
            except BaseException as err:
                if isinstance(err, MemoryError):
                    context.out_of_memory = True
                if context.python_failure is None:
                    context.python_failure = f"{name}: {type(err).__name__}: {err}"
                raise

        return call

    def _load_clips(self) -> None:
        path = self.clp_path
        if not os.path.exists(path):
            raise ModelLoadError(f"{os.path.basename(path)} is missing")
        with open(path, encoding="utf-8", errors="replace") as source:
            denied = denied_calls(source.read())
        if denied:
            raise ModelLoadError(f"model.clp calls functions expert models may not use: {', '.join(denied)}")
        try:
            self.env.load(path)
        except clips.CLIPSError as err:
            detail = self.errors.take() or " ".join(str(err).split())
            raise ModelLoadError(f"model.clp does not parse: {detail}") from None
        self.errors.take()  # warnings from a successful load are not failures
        if self.toolkit_mode:
            return  # the toolkit reads risks from printed facts, whatever the template
        try:
            risk_template = self.env.find_template(RISK_TEMPLATE)
        except LookupError:
            raise ModelLoadError(f"model.clp defines no '{RISK_TEMPLATE}' template to report risks with") from None
        slots = list(risk_template.slots)
        if all(not slot.multifield for slot in slots):
            self.risk_slots = [slot.name for slot in slots]
            fields = " ".join(f"?f:{name}" for name in self.risk_slots)
            self.env.build(f"(deffunction {RISK_ROWS_FUNCTION} () (bind ?rows (create$)) "
                           f"(do-for-all-facts ((?f {RISK_TEMPLATE})) TRUE (bind ?rows (create$ ?rows {fields}))) ?rows)")

    def describe(self) -> dict[str, Any]:
        """Slots of the toolkit templates the model defines, for request validation on the Node side."""
        templates: dict[str, list[str]] = {}
        for name in REPORTED_TEMPLATES:
            try:
                template = self.env.find_template(name)
            except LookupError:
                continue
            templates[name] = [slot.name for slot in template.slots]
        return {"templates": templates, "python": self.prepare_hook is not None or bool(
            self.functions_path and os.path.exists(self.functions_path))}

    # -- evaluating ------------------------------------------------------------------------------------------

    def evaluate_toolkit(self, request_text: str) -> dict[str, Any]:
        if not self.toolkit_mode:
            raise EvaluationError("the model is not a toolkit-mode model")

        def set_correlation(matrix: toolkit.ToolkitCorrelation) -> None:
            self.toolkit_correlation = matrix

        try:
            return toolkit.evaluate(self.env, self.errors, request_text, self.verbiage, set_correlation)
        except toolkit.ToolkitRequestError as err:
            raise ToolkitRequestRefused(str(err)) from None

    def evaluate(self, facts: list[dict[str, Any]], correlation: dict[str, Any],
                 request: dict[str, Any]) -> list[dict[str, Any]]:
        self.context.correlation = CorrelationMatrix(correlation)
        self.context.python_failure = None
        self.context.out_of_memory = False
        self.errors.take()
        self.env.reset()
        with toolkit.QuietAsserts(self.env, self.errors) as output:
            for fact in facts:
                self._assert(fact, output)
            # A fact that went in but failed matching against the rules (a rule's test on a bad value).
            problem = output.since(0)
        if toolkit.is_rule_network_error(problem):
            raise EvaluationError(f"CLIPS runtime error while matching the request's facts: {problem}")
        if self.prepare_hook is not None:
            try:
                derived = self.prepare_hook(request)
            except MemoryError:
                raise
            except BaseException as err:
                raise EvaluationError(f"{PREPARE_HOOK}: {type(err).__name__}: {err}") from None
            for template_name, slots in derived or []:
                self._assert_derived(str(template_name), slots)
        self.env.run()
        if self.context.out_of_memory:
            # CLIPS swallowed the MemoryError; re-raise it so the worker answers and gets replaced.
            raise MemoryError()
        if self.context.python_failure is not None:
            raise EvaluationError(f"a Python function failed: {self.context.python_failure}")
        problem = self.errors.take()
        if problem:
            raise EvaluationError(f"CLIPS runtime error: {problem}")
        return self._collect_risks()

    def _collect_risks(self) -> list[dict[str, Any]]:
        if self.risk_slots is None:  # a risk-data template with multislots: the slower, general path
            return [{slot: _to_json_value(value) for slot, value in fact}
                    for fact in self.env.facts() if fact.template.name == RISK_TEMPLATE]
        # One call returns every risk's slot values flattened, about 3x faster than a Python wrapper per fact.
        flat = self.env.eval(f"({RISK_ROWS_FUNCTION})")
        width = len(self.risk_slots)
        return [dict(zip(self.risk_slots, (_to_json_value(v) for v in flat[i:i + width])))
                for i in range(0, len(flat), width)]

    def _assert(self, fact: dict[str, Any], output: Any) -> None:
        """Asserts one fact built by the Node side (typed values, see facts.ts); never parses request text."""
        before = output.size()
        try:
            if "template" in fact:
                template = self.env.find_template(fact["template"])
                template.assert_fact(**{slot: _decode(v) for slot, v in fact["slots"].items()})
            else:
                # Ordered facts have no explicit template to build from: render them from already typed values.
                values = " ".join(_render(_decode(v)) for v in fact["values"])
                self.env.assert_string(f"({fact['ordered']} {values})")
        except (LookupError, clips.CLIPSError, TypeError, ValueError, OverflowError) as err:
            name = fact.get("template") or fact.get("ordered")
            detail = output.since(before) or " ".join(str(err).split())
            raise EvaluationError(f"the {name} fact was refused: {detail}") from None

    def _assert_derived(self, template_name: str, slots: dict[str, Any]) -> None:
        try:
            template = self.env.find_template(template_name)
            template.assert_fact(**{k: _to_clips_value(v) for k, v in slots.items()})
        except (LookupError, clips.CLIPSError, TypeError, ValueError) as err:
            detail = self.errors.take() or str(err)
            raise EvaluationError(f"{PREPARE_HOOK} returned a fact CLIPS refused ({template_name}): {detail}") from None


def evict_module(key: str) -> None:
    sys.modules.pop("bai_model_" + re.sub(r"[^A-Za-z0-9_]", "_", key), None)
