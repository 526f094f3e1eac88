"""A long-lived expert worker: newline-delimited JSON requests on stdin, one JSON answer per line on stdout.

Run as `python -m expert_worker`. The Node side owns the wall-clock deadline (it kills and replaces a worker that
overruns); this process adds resource limits and in-process network hardening before any model code is loaded.
"""
from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any, TextIO

from .hardening import disable_network
from .runtime import EvaluationError, ModelLoadError, ModelRuntime, ToolkitRequestRefused, evict_module

# Runtimes by "name@version"; a worker keeps every model it has loaded (models are small, versions immutable).
runtimes: dict[str, ModelRuntime] = {}
load_failures: dict[str, str] = {}


# Files a worker may hold open, bytes it may write to one file, processes its user may start (0: no fork, no
# subprocess; the kernel does not apply it to root, which is why workers run as an unprivileged user).
MAX_OPEN_FILES = 64
MAX_FILE_BYTES = 1024 * 1024
MAX_PROCESSES = 0


def _lower(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY and value > hard:
        value = hard
    resource.setrlimit(kind, (value, value))


def apply_limits() -> None:
    memory_mb = int(os.environ.get("BAI_EXPERT_MEMORY_MB", "0"))
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _lower(resource.RLIMIT_NOFILE, MAX_OPEN_FILES)
    _lower(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    _lower(resource.RLIMIT_CORE, 0)
    _lower(resource.RLIMIT_NPROC, MAX_PROCESSES)


def arm_cpu_budget(seconds: int) -> None:
    """RLIMIT_CPU counts the whole life of the process, so each request moves the soft limit to now + budget.

    A backstop only: the Node deadline normally kills first. Past the soft limit the kernel sends SIGXCPU,
    whose default action ends the process, which is what we want for a loop in C (CLIPS) that ignores Python.
    """
    if seconds <= 0:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + seconds
    if hard != resource.RLIM_INFINITY and soft > hard:
        soft = hard
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def runtime_for(model: dict[str, Any]) -> ModelRuntime:
    key = f"{model['name']}@{model['version']}"
    if key in load_failures:
        raise ModelLoadError(load_failures[key])
    runtime = runtimes.get(key)
    if runtime is None:
        try:
            runtime = ModelRuntime(key, model)
        except ModelLoadError as err:
            load_failures[key] = str(err)
            evict_module(key)
            raise
        runtimes[key] = runtime
    return runtime


def handle(message: dict[str, Any]) -> dict[str, Any]:
    op = message.get("op")
    if op == "ping":
        return {"pid": os.getpid()}
    if op == "load":
        return runtime_for(message["model"]).describe()
    if op == "evaluate":
        runtime = runtime_for(message["model"])
        risks = runtime.evaluate(message["facts"], message.get("correlation") or {}, message.get("request") or {})
        return {"risks": risks}
    if op == "evaluate_toolkit":
        return runtime_for(message["model"]).evaluate_toolkit(message["request_text"])
    raise ValueError(f"unknown op {op!r}")


def serve(requests: TextIO, answers: TextIO, cpu_budget: int) -> None:
    for line in requests:
        if not line.strip():
            continue
        answer: dict[str, Any] = {"id": None}
        # A line this process cannot decode is answered (with a null id), never fatal. The Node side checks size
        # and depth first; this is the second line of defence.
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError("a request must be a JSON object")
        except (ValueError, RecursionError, MemoryError) as err:
            answer["error"] = {"code": "BAD_REQUEST", "message": f"the worker could not read the request: {type(err).__name__}"}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
            continue
        try:
            answer["id"] = message.get("id")
            arm_cpu_budget(cpu_budget)
            answer["result"] = handle(message)
        except ModelLoadError as err:
            answer["error"] = {"code": "MODEL_LOAD_FAILED", "message": str(err)}
        except EvaluationError as err:
            answer["error"] = {"code": "EVALUATION_FAILED", "message": str(err)}
        except MemoryError:
            # The heap may be in any state now: answer, then let the Node side replace this worker.
            answer["error"] = {"code": "MEMORY_LIMIT_EXCEEDED", "message": "the model exceeded the worker memory limit"}
            answer["fatal"] = True
        except ToolkitRequestRefused as err:
            answer["error"] = {"code": "BAD_REQUEST", "message": str(err)}
        except RecursionError as err:
            answer["error"] = {"code": "EVALUATION_FAILED", "message": f"recursion too deep: {err}"}
        except (ValueError, KeyError, TypeError) as err:
            answer["error"] = {"code": "BAD_REQUEST", "message": f"the worker could not read the request: {err}"}
        try:
            line_out = json.dumps(answer, allow_nan=False, separators=(",", ":"))
        except (ValueError, TypeError, RecursionError) as err:
            line_out = json.dumps({"id": answer["id"], "error": {
                "code": "EVALUATION_FAILED", "message": f"the answer cannot be written as JSON: {err}"}})
        answers.write(line_out + "\n")
        answers.flush()
        if answer.get("fatal"):
            sys.exit(3)


def main() -> None:
    # Answers go to a private duplicate of stdout; fd 1 then points at stderr, so whatever CLIPS or user code
    # prints can never corrupt the protocol stream.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Requests come from a private duplicate of stdin; fd 0 then reads /dev/null, so a model's CLIPS `(read)` or
    # `(readline)` (CLIPS reads fd 0 for its stdin) gets EOF instead of reading, or waiting on, the request pipe.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8", errors="surrogateescape")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    apply_limits()
    disable_network()
    cpu_budget = int(os.environ.get("BAI_EXPERT_CPU_SECONDS", "0"))
    serve(requests, answers, cpu_budget)


if __name__ == "__main__":
    main()
