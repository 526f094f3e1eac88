"""A correction to clipspy 1.0.6 that every worker applies before it loads a model.

clipspy's `Fact` wrapper retains its fact (`RetainFact`) and its `__del__` releases it with
`lib.ReleaseFact(env, fact)`, but CLIPS 6.4's `ReleaseFact` takes the fact alone: the call raises `TypeError`,
which that `__del__` swallows. So every fact a Python wrapper ever touched (`assert_fact`, `assert_string`,
`facts()`) stayed retained after `reset` retracted it: its memory was never freed and CLIPS's list of retracted
facts grew with every evaluation, so a worker used ~6.5 KiB more and got slower with each request (0.8 ms per
evaluation of the built-in model when fresh, ~8 ms after 2,000 evaluations, and at BAI_EXPERT_MEMORY_MB a
MEMORY_LIMIT_EXCEEDED). See the worker-lifetime test in test/robustness.test.ts.
"""
from __future__ import annotations

import clips.facts
from clips._clips import ffi, lib


def _release_fact(self: clips.facts.Fact) -> None:
    try:
        lib.ReleaseFact(self._fact)  # noqa: SLF001
    except (AttributeError, TypeError):
        pass  # interpreter shutdown: the module's globals may already be gone


def release_facts_properly() -> bool:
    """Installs the one-argument release when this CLIPS's ReleaseFact takes one argument; answers whether it did."""
    if len(ffi.typeof(lib.ReleaseFact).args) != 1:
        return False
    clips.facts.Fact.__del__ = _release_fact  # type: ignore[method-assign]
    return True
