"""A mutant: one hand-written change that breaks one promise of the README's
Security or Delivery semantics section, and the tests that must catch it.
The mutants themselves are in mutants_security.py and mutants_delivery.py;
tools/mutants.py runs them. A promise added to those sections gets a mutant
there.
"""

from __future__ import annotations

from dataclasses import dataclass

SECURITY = "Security"
DELIVERY = "Delivery semantics"


@dataclass(frozen=True)
class Mutant:
    name: str
    promise: str  # what the change breaks, in the README's words
    section: str
    path: str  # inside the smswire package
    original: str  # found exactly once in that file
    mutated: str
    tests: tuple[str, ...]  # paths or node ids, relative to the checkout
