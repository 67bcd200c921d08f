"""The technique catalog: one small module per technique (see ``registry``)."""

from dindscope.techniques.base import Technique
from dindscope.techniques.registry import ALL, BY_ID, get, ordered

__all__ = ["ALL", "BY_ID", "Technique", "get", "ordered"]
