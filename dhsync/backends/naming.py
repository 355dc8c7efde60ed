"""`adjective-animal` version names, as DHCore's NamesGenerator gives `metadata.version`.

DHCore draws from word lists shipped with the server; these are shorter lists in the same spirit.
Uniqueness is not promised (DHCore does not promise it either): the id identifies a version.
"""

from __future__ import annotations

import os
import random

ADJECTIVES: tuple[str, ...] = (
    "agile", "amber", "ancient", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp",
    "curious", "daring", "dazzling", "eager", "elegant", "fancy", "fearless", "fluffy", "gentle",
    "gifted", "glad", "golden", "graceful", "happy", "hardy", "honest", "humble", "jolly", "keen",
    "kind", "lively", "lucky", "mellow", "merry", "mighty", "modest", "nimble", "noble", "patient",
    "placid", "polite", "proud", "quick", "quiet", "rapid", "shiny", "silent", "sleek", "smart",
    "snowy", "steady", "sunny", "swift", "tender", "tidy", "vivid", "warm", "wise", "witty", "zesty",
)

ANIMALS: tuple[str, ...] = (
    "alpaca", "badger", "beaver", "bison", "bobcat", "camel", "cheetah", "cobra", "condor", "crane",
    "dingo", "dolphin", "eagle", "falcon", "ferret", "finch", "fox", "gazelle", "gecko", "gibbon",
    "heron", "hippo", "ibex", "jackal", "jaguar", "koala", "lemur", "leopard", "lynx", "marmot",
    "meerkat", "mole", "moose", "narwhal", "newt", "ocelot", "otter", "owl", "panda", "panther",
    "parrot", "pelican", "puffin", "quail", "rabbit", "raven", "salmon", "seal", "sparrow", "swan",
    "tapir", "tiger", "toucan", "turtle", "viper", "walrus", "weasel", "wolf", "yak", "zebra",
)

# Not SystemRandom: a name is no secret, and a system call per version cost a few percent of an apply.
# Seeded from os.urandom, again in a forked child, so that two processes do not draw the same sequence.
_rng = random.Random(os.urandom(16))
os.register_at_fork(after_in_child=lambda: _rng.seed(os.urandom(16)))


def version_name() -> str:
    return f"{_rng.choice(ADJECTIVES)}-{_rng.choice(ANIMALS)}"
