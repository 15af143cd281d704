"""Helpers shared by the subcommands (argument handling only; no computation)."""

from __future__ import annotations

import argparse

from ..exceptions import InputError
from ..environment import Environment, Market
from ..numbers import parse_assignments


def resolve_market(env: Environment, file_market: Market | None, text: str | None) -> Market:
    """The market from ``--market t1=1/2,...`` if given, else the file's ``[market]``.

    Raises :class:`InputError` naming ``--market`` when neither is there.
    """
    if text:
        return Market.from_mapping(env, parse_assignments(text, "--market"))
    if file_market is None:
        raise InputError(
            "market: none given (the file has no [market] table); pass --market "
            + ",".join(f"{t}=..." for t in env.types)
        )
    return file_market


def positive_int(text: str) -> int:
    """argparse type of counts such as ``--workers N``: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value
