"""The list of corpus messages: each builder registers itself under a file name."""

from . import payloads
from .builder import hash_str

CASES = []


def case(name):
    """Register a function returning one message's bytes as `<name>.eml`.

    Each builder gets its own random stream seeded by its name, so adding or reordering
    messages never changes the bytes of the others.
    """
    def register(fn):
        def build():
            payloads.reseed(hash_str(name))
            return fn()
        CASES.append((name, build))
        return fn
    return register
