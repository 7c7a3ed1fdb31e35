"""Operator policy data: the schema, the loader, and the promise the deadline engine reads.

Pure: no aiogram, no database. `load_policy` is the one way to read a `policies/*.yaml` file.
"""

from bot.policy.check import Problem
from bot.policy.loader import PolicyError, load_policy, parse_policy
from bot.policy.promise import promise_from_policy
from bot.policy.schema import TOPIC_IDS, Fact, LocalizedText, Policy, Topic

__all__ = [
    "TOPIC_IDS",
    "Fact",
    "LocalizedText",
    "Policy",
    "PolicyError",
    "Problem",
    "Topic",
    "load_policy",
    "parse_policy",
    "promise_from_policy",
]
