"""Array and bitmap helpers the in-process indexes share (works, bookmarks): docs are uint32 positions."""

import array
from collections.abc import Iterator

import numpy as np
from pyroaring import BitMap


def bitmap_of(docs) -> BitMap:
    # pyroaring reads an array.array much faster than a numpy array.
    return BitMap(array.array("I", np.asarray(docs, dtype=np.uint32).tobytes()))


def docs_of(bitmap: BitMap) -> np.ndarray:
    return np.frombuffer(bitmap.to_array(), dtype=np.uint32).astype(np.int64)


def grouped(keys: np.ndarray, values: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(key, values with that key) for each distinct key, values kept in their order."""
    if not len(keys):
        return
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    bounds = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(keys)]))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield keys[start].item(), values[start:end]


def offsets(lists: list[list]) -> np.ndarray:
    """CSR offsets of `lists`: where each one starts in their concatenation, and the end."""
    lengths = np.fromiter((len(items) for items in lists), dtype=np.int64, count=len(lists))
    return np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


def chunks(ids: list, size: int) -> Iterator[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def first_in_order(order: np.ndarray, matched: BitMap, end: int, doc_count: int) -> list[int]:
    """The first `end` docs of `order` that are in `matched`, read in growing chunks: cheaper than sorting the
    matched docs when they are a dense share of the index."""
    found: list[int] = []
    position = 0
    chunk = max(256, int(end * doc_count / max(len(matched), 1) * 1.25))
    while len(found) < end and position < len(order):
        for doc in order[position : position + chunk].tolist():
            if doc in matched:
                found.append(doc)
                if len(found) == end:
                    break
        position += chunk
        chunk *= 2
    return found
