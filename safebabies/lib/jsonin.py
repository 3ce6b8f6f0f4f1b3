"""JSON from a request, bounded: a document nested deeper than MAX_DEPTH is refused as
malformed (a ValueError, like any other bad JSON), never a RecursionError and a 500."""

import json
from typing import Any

MAX_DEPTH = 32  # the deepest our requests go is 3 or 4 (a list of objects holding a list)


class TooDeep(ValueError):
    pass


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, refusing a document nested deeper than MAX_DEPTH with a ValueError."""
    try:
        data = json.loads(text, **kwargs)
    except RecursionError:
        raise TooDeep(f"nested deeper than {MAX_DEPTH} levels") from None
    _check_depth(data)
    return data


def _check_depth(data: Any) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Any
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise TooDeep(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def nul_at(data: Any) -> str | None:
    """Where a NUL character is in a parsed document (the top-level key holding it, or
    "__all__"), or None. PostgreSQL refuses NUL in text: a body holding one must be a 400 that
    names the field, not a DataError and a 500."""
    stack: list[tuple[Any, str]] = [(data, "__all__")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return where
        elif isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and "\x00" in key:
                    return where
                stack.append((child, key if where == "__all__" else where))
        elif isinstance(value, list):
            stack.extend((child, where) for child in value)
    return None
