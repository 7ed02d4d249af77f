"""Filled in with the dialect's document generator."""


def complete(api, path, operations, methods, func) -> None:
    return None
