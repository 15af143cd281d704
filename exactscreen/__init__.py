"""exactscreen: exact checks of screening, segmentation and persuasion theory.

The data flow is one way: environment -> LP -> mechanism -> analysis -> report.
"""

from .environment import OUTSIDE, Environment, InputError, Market, load_toml, loads_toml
from .numbers import Certainty, ExactNumberError, to_fraction

__version__ = "0.1.0"

__all__ = [
    "OUTSIDE",
    "Certainty",
    "Environment",
    "ExactNumberError",
    "InputError",
    "Market",
    "load_toml",
    "loads_toml",
    "to_fraction",
]
