"""The demo archive `make run` serves: creators, works and reactions, all written by a generator."""
