"""Toolkit compatibility mode: a model evaluated exactly as BalanceAI's open-source risk toolkit evaluates it.

The toolkit builds each fact as text from Python's `str()` of the JSON value and asserts it with CLIPS's parser;
a fact CLIPS refuses (e.g. a key that is not a slot of the template) is dropped and the run goes on. It reads the
risks back from the printed `risk-data` facts and fills explanations from its verbiage placeholders. This module
reproduces those rules (behaviour, not code: see services/expert/README.md, "Toolkit compatibility mode"), with
three deliberate differences:

- nothing is kept between requests (the toolkit keeps the last correlation matrix and instrument names);
- a value that would make CLIPS call a function while parsing the fact (`=(...)`) is refused, not evaluated;
- where the toolkit would crash (HTTP 500) the caller gets a typed error or a warning instead.
"""
from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Callable

import clips
from clips._clips import lib

RISK_NAME = "risk-is"
RISK_TEMPLATE = "risk-data"
DEAL_SLOT = "ot_pos_dealid"
POSITIONS = "position-data"
INDICATORS = "indicator-data"
SKIPPED_KEYS = ("identified_habits",)
# The toolkit's fixed words for timeframes in explanations.
TIMEFRAME_WORDS = {"DAY": "daily", "HOUR_4": "4 hour", "MINUTE_15": "15 minute", "HOUR": "1 hour"}
MIN_CORRELATION = 0.65


class ToolkitRequestError(Exception):
    """A document the toolkit itself cannot evaluate (it would answer HTTP 500); names the field."""


def py_str(value: Any) -> str:
    """Python's str() of a JSON value, as the toolkit writes it into a fact."""
    return str(value)


def sanitise(text: str) -> str:
    """The toolkit's cleaning of position values: spaces become `_`, parentheses and `$` are removed."""
    return text.replace(" ", "_").replace("(", "").replace(")", "").replace("$", "")


_CLIPS_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_FUNCTION_CALL = re.compile(r"=\s*\(")


def calls_function(fact_text: str) -> bool:
    """True when CLIPS would evaluate a function while parsing this fact: `=(` outside a string.

    Complete strings are removed first; text after an unterminated quote counts as code, which only ever refuses
    more (such a fact does not parse anyway).
    """
    if "=" not in fact_text:
        return False
    return _FUNCTION_CALL.search(_CLIPS_STRING.sub("", fact_text)) is not None


class ToolkitCorrelation:
    """The toolkit's matrix test, where the matrix is a pandas DataFrame built from {column: {row: value}}.

    A pair (a, b) is looked up when a is a column and b a row; the value read is the cell at row a, column b
    (the toolkit's `at[a, b]`). A missing cell is NaN (never correlated); a row label that does not exist raises,
    as pandas does, which stops the CLIPS run in the toolkit.
    """

    def __init__(self, matrix: Any) -> None:
        if matrix is None:
            matrix = {}
        if not isinstance(matrix, dict) or not all(isinstance(row, dict) for row in matrix.values()):
            raise ToolkitRequestError("ot_correlation_matrix must be an object of asset → asset → coefficient")
        self.columns = matrix
        self.rows: set[str] = set()
        for row in matrix.values():
            self.rows.update(str(k) for k in row.keys())

    def _sign(self, asset_a: str, asset_b: str) -> int:
        if asset_a == asset_b:
            return 0
        if asset_a in self.columns and asset_b in self.rows:
            if asset_a not in self.rows or asset_b not in self.columns:
                raise KeyError(asset_a if asset_a not in self.rows else asset_b)
            value = self.columns[asset_b].get(asset_a, math.nan)
            if value is None:
                value = math.nan
            if value > MIN_CORRELATION:
                return 1
            if value < -MIN_CORRELATION:
                return -1
        return 0

    def positive(self, asset_a: Any, asset_b: Any) -> bool:
        return self._sign(str(asset_a), str(asset_b)) == 1

    def negative(self, asset_a: Any, asset_b: Any) -> bool:
        return self._sign(str(asset_a), str(asset_b)) == -1


def regex_match(pattern: Any, text: Any) -> tuple[Any, ...]:
    """The toolkit's regex_match: `re.match` from the start; the whole match then every group, as a multifield."""
    found = re.match(str(pattern), str(text))
    if found is None:
        return ()
    return (found.group(),) + tuple("" if g is None else g for g in found.groups())


def as_toolkit_call(function: Callable[..., Any], *args: Any) -> Any:
    """A Python function called from CLIPS as the toolkit's clipspy (0.3) calls it: an exception is not an error
    but the function's value, the text "ExceptionName: message" (a CLIPS string), and the run goes on."""
    try:
        return function(*args)
    except Exception as err:  # noqa: BLE001 - the toolkit's semantics
        return f"{type(err).__name__}: {err}"


class FactPlan:
    """The fact texts of one request, in the toolkit's order, and the instrument names its explanations use."""

    def __init__(self) -> None:
        self.facts: list[tuple[str, str]] = []  # (where, text)
        self.instrument_names: dict[str, Any] = {}

    def scalar(self, where: str, key: str, value: Any) -> None:
        self.facts.append((where, f"({key} {py_str(value)})"))

    def position(self, where: str, entry: Any) -> None:
        if isinstance(entry, str):
            return  # the toolkit skips text entries
        if not isinstance(entry, dict):
            raise ToolkitRequestError(f"{where} must be an object")
        parts = []
        for key, value in entry.items():
            text = sanitise(py_str(value))
            parts.append(f"({key} {text})")
            if key == "ot_instr_name":
                self.instrument_names[text] = value
        self.facts.append((where, f"( {POSITIONS} {''.join(parts)})"))

    def indicator(self, where: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise ToolkitRequestError(f"{where} must be an object")
        parts = "".join(f"({key} {py_str(value)})" for key, value in entry.items())
        self.facts.append((where, f"({INDICATORS} {parts})"))

    def section(self, where: str, section: Any) -> None:
        if not isinstance(section, dict):
            raise ToolkitRequestError(f"{where} must be an object")
        for key, value in section.items():
            if key in SKIPPED_KEYS:
                continue
            if key != POSITIONS:
                self.scalar(f"{where}.{key}", key, value)
                continue
            positions = value
            if isinstance(positions, str):
                continue  # iterating text gives one-character text entries, each skipped
            if not isinstance(positions, list):
                raise ToolkitRequestError(f"{where}.{POSITIONS} must be a list")
            for i, entry in enumerate(positions):
                self.position(f"{where}.{POSITIONS}[{i}]", entry)


def plan_facts(document: dict[str, Any]) -> FactPlan:
    plan = FactPlan()
    if "ot_risk_input" in document:
        plan.section("ot_risk_input", document["ot_risk_input"])
    else:
        plan.section("request", document)  # the toolkit's older flat documents
    if "ot_user_profile" in document:
        plan.section("ot_user_profile", document["ot_user_profile"])
    if "ot_indicators" in document:
        indicators = document["ot_indicators"]
        if not isinstance(indicators, list):
            raise ToolkitRequestError("ot_indicators must be a list")
        for i, entry in enumerate(indicators):
            plan.indicator(f"ot_indicators[{i}]", entry)
    return plan


def risk_tokens(fact_text: str) -> list[str]:
    """A printed fact as the toolkit reads it: parentheses removed, split on white space."""
    return fact_text.replace("(", "").replace(")", "").split()


def read_risk(fact_text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(name, [(slot, text)...]) of a risk-data fact, as the toolkit pairs its tokens; None for other facts."""
    tokens = risk_tokens(fact_text)
    if not tokens:
        return None
    if tokens[0] == RISK_NAME and len(tokens) == 2:
        raise ToolkitRequestError("the model asserted an ordered risk-is fact, which the toolkit cannot report")
    if tokens[0] != RISK_TEMPLATE:
        return None
    name = None
    for i, token in enumerate(tokens[:-1]):
        if token == RISK_NAME:
            name = tokens[i + 1]
    if name is None:
        raise ToolkitRequestError("the model asserted a risk-data fact without risk-is")
    pairs: list[tuple[str, str]] = []
    for i in range(3, len(tokens), 2):
        if i + 1 >= len(tokens):
            raise ToolkitRequestError(f"the risk-data fact {fact_text} has an odd number of tokens")
        pairs.append((tokens[i], tokens[i + 1]))
    return name, pairs


# Placeholders in the toolkit's order: (placeholder, how to fill it). Each fills its first occurrence only.
def _rounded(slot: str) -> Callable[[dict[str, str], dict[str, str]], str]:
    return lambda params, _names: str(round(float(params[slot]), 4))


def _slot(slot: str) -> Callable[[dict[str, str], dict[str, str]], str]:
    return lambda params, _names: params[slot]


def _named(slot: str) -> Callable[[dict[str, str], dict[str, Any]], str]:
    def fill(params: dict[str, str], names: dict[str, Any]) -> str:
        value = names[params[slot]]
        if not isinstance(value, str):
            raise TypeError(f"instrument name {value!r} is not text")
        return value
    return fill


PLACEHOLDERS: list[tuple[str, Callable[[dict[str, str], dict[str, str]], str]]] = [
    ("{loss}", _rounded("param_6")),
    ("{gain}", _rounded("param_6")),
    ("{deal1}", _slot("ot_pos_dealid")),
    ("{name1}", _slot("name_1")),
    ("{deal2}", _slot("param_1")),
    ("{name2}", _slot("param_3")),
    ("{diver}", _slot("param_2")),
    ("{perc}", _slot("param_2")),
    ("{rrr}", _slot("param_2")),
    ("{name1}", _named("param_5")),
    ("{name2}", _named("param_6")),
    ("{timeframe}", _named("param_6")),
    ("{quantity}", _slot("param_2")),
]


def explain(template: str | None, name: str, params: dict[str, str], names: dict[str, str]) -> str:
    """The toolkit's verbiage: the risk's text with its placeholders filled (the risk name without a text).

    A placeholder counts only as a whole word, or followed by `,` or `.`, in the original text. Where the
    toolkit would fail (a slot or instrument name it cannot find) a ToolkitRequestError names the risk.
    """
    if template is None:
        return name
    words = set(template.split())
    text = template
    for placeholder, fill in PLACEHOLDERS:
        if not ({placeholder, placeholder + ",", placeholder + "."} & words):
            continue
        try:
            value = fill(params, names)
        except (KeyError, ValueError, TypeError) as err:
            raise ToolkitRequestError(f"the explanation of {name} needs {err} for {placeholder}") from None
        text = re.sub(re.escape(placeholder), value.replace("\\", "\\\\"), text, count=1)
    return text


class _DirectErrors:
    """CLIPS's error output while asserting, read without a Python router.

    CLIPS asks every router about every character it reads from a fact's text, and clipspy's error router is a
    Python callback: for the toolkit's text facts that is most of an evaluation's time. While facts are asserted
    the router is switched off and CLIPS's own output (file descriptors 1 and 2, which the worker keeps off its
    answer stream anyway) goes to an in-memory file, read only when it grew. Single-threaded, as the worker is.
    """

    def __init__(self) -> None:
        self.fd = os.memfd_create("bai-clips-errors")

    def __enter__(self) -> "_DirectErrors":
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        self.saved = (os.dup(1), os.dup(2))
        os.dup2(self.fd, 1)
        os.dup2(self.fd, 2)
        return self

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def since(self, offset: int) -> str:
        size = self.size()
        if size <= offset:
            return ""
        return " ".join(os.pread(self.fd, min(size - offset, 4096), offset).decode("utf-8", "replace").split())

    def __exit__(self, *_exc: Any) -> None:
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        os.close(self.saved[0])
        os.close(self.saved[1])


_direct_errors: _DirectErrors | None = None
_ROUTER = b"python-error-router"


def is_rule_network_error(output: str) -> bool:
    """CLIPS's error output holds an error raised while matching a fact against the rules (not a warning)."""
    return "[DRIVE1]" in output


class QuietAsserts:
    """While facts are asserted: clipspy's error router off, CLIPS's error output read from memory (see above)."""

    def __init__(self, env: clips.Environment, errors: Any) -> None:
        global _direct_errors
        if _direct_errors is None:
            _direct_errors = _DirectErrors()
        self.env = env
        self.errors = errors
        self.output = _direct_errors

    def __enter__(self) -> _DirectErrors:
        lib.DeactivateRouter(self.env._env, _ROUTER)  # noqa: SLF001
        try:
            return self.output.__enter__()
        except BaseException:
            lib.ActivateRouter(self.env._env, _ROUTER)  # noqa: SLF001
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            self.output.__exit__(*exc)
        finally:
            lib.ActivateRouter(self.env._env, _ROUTER)  # noqa: SLF001
            self.errors.take()


def _assert_facts(env: clips.Environment, errors: Any, plan: "FactPlan", warnings: list[str]) -> bool:
    """Asserts the plan's facts; answers whether a fact went in but failed matching (the 6.31 halt)."""
    halted = False
    with QuietAsserts(env, errors) as output:
        for where, text in plan.facts:
            if calls_function(text):
                warnings.append(f"{where} dropped: a value would call a CLIPS function")
                continue
            before = output.size()
            try:
                env.assert_string(text)
            except clips.CLIPSError as err:
                warnings.append(f"{where} dropped: {output.since(before) or ' '.join(str(err).split())}")
            else:
                # The fact went in, but matching it against the rules failed (e.g. arithmetic on a symbol such
                # as None). The toolkit's CLIPS (6.31) then halts: its run fires no rule at all. CLIPS 6.4 would
                # go on, so the halt is reproduced here.
                problem = output.since(before)
                if is_rule_network_error(problem):
                    halted = True
                    warnings.append(f"{where}: {problem}; as in the toolkit, no rule fires after this error")
                elif problem:
                    warnings.append(f"{where}: {problem}")  # e.g. a number CLIPS cannot hold: a warning only
    return halted


def _risk_fact_texts(env: clips.Environment) -> list[str]:
    """The printed facts the toolkit's reading can report on, in fact order: those of `risk-data` and ordered `risk-is`
    facts (which it refuses). Every other fact would print with a relation `read_risk` ignores, so it is not printed
    at all; and printing happens with clipspy's router off, which CLIPS would ask about every character printed.
    """
    found: list[tuple[int, Any]] = []
    for name in (RISK_TEMPLATE, RISK_NAME):
        try:
            template = env.find_template(name)
        except LookupError:
            continue
        found.extend((fact.index, fact) for fact in template.facts())
    found.sort(key=lambda item: item[0])
    lib.DeactivateRouter(env._env, _ROUTER)  # noqa: SLF001
    try:
        return [str(fact) for _, fact in found]
    finally:
        lib.ActivateRouter(env._env, _ROUTER)  # noqa: SLF001


def evaluate(env: clips.Environment, errors: Any, request_text: str, verbiage: dict[str, str],
             set_correlation: Callable[[ToolkitCorrelation], None]) -> dict[str, Any]:
    """Runs one toolkit request on a loaded model environment; answers risks (in fact order) and warnings."""
    try:
        document = json.loads(request_text)
    except (ValueError, RecursionError) as err:
        raise ToolkitRequestError(f"request_json is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise ToolkitRequestError("request_json must be a JSON object")
    warnings: list[str] = []
    env.reset()
    errors.take()
    set_correlation(ToolkitCorrelation(document.get("ot_correlation_matrix")))
    plan = plan_facts(document)
    halted = _assert_facts(env, errors, plan, warnings)
    try:
        if not halted:
            env.run()
    except clips.CLIPSError as err:
        warnings.append(f"the run stopped early: {errors.take() or ' '.join(str(err).split())}")
    problem = errors.take()
    if problem:
        warnings.append(f"CLIPS reported: {problem}")
    names: dict[str, Any] = dict(plan.instrument_names)
    names.update(TIMEFRAME_WORDS)  # the toolkit writes its timeframe words over instrument names
    risks = []
    for text in _risk_fact_texts(env):
        text = "(" + text.split("(", 1)[1] if "(" in text else text
        found = read_risk(text)
        if found is None:
            continue
        name, pairs = found
        params = dict(pairs)
        risks.append({"name": name, "params": pairs, "explanation": explain(verbiage.get(name), name, params, names)})
    user_id = document.get("ot_user_id", -1)
    return {
        "risks": risks,
        "warnings": warnings,
        "user_id": user_id,
        "indicators": document.get("ot_indicators", []),
    }
