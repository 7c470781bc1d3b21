"""What hidden tests import: the ``graded`` decorator and the comparison helpers."""

from .plugin import graded

__all__ = ["graded"]
