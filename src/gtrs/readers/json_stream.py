"""Reading a file whose top level is one JSON array one element at a time, so that a list of
100,000 people needs the memory of one block and one element, not of the whole document."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


class JsonArrayError(ValueError):
    """The file is not one JSON array (the message says where and why; the caller adds the file)."""


JSON_BLOCK = 1 << 20  # characters read at a time by iter_json_array
NUMBER_CHARACTERS = "0123456789+-.eE"
MAX_ELEMENT_CHARS = 16 << 20  # an element still not decoded after this many characters is malformed


def iter_json_array(path: Path, block: int = JSON_BLOCK) -> Iterator[object]:
    """The elements of a file whose top level is one JSON array, decoded one at a time from blocks of
    the file (memory: one block and one element). Malformed JSON raises ``JsonArrayError`` with the
    line, after the elements before it."""
    decoder = json.JSONDecoder()
    lines_before = 0  # newlines in the text already dropped from the buffer, for messages
    with open(path, encoding="utf-8-sig") as f:

        def more() -> str:
            try:
                return f.read(block)
            except UnicodeDecodeError as e:
                raise JsonArrayError(f"not UTF-8 text (byte {e.start} of a block)") from None

        def fail(message: str, at: int) -> JsonArrayError:
            return JsonArrayError(f"not valid JSON (line {lines_before + buf.count(chr(10), 0, at) + 1}: {message})")

        buf, pos, ended = more(), 0, False
        while _skip_space(buf, 0) == len(buf) and not ended:  # leading whitespace may fill whole blocks
            chunk = more()
            ended = not chunk
            buf += chunk
        pos = _skip_space(buf, pos)
        if not buf.startswith("[", pos):
            raise fail("expected a list", pos)
        pos += 1
        first = True
        while True:
            while True:  # the next element (or the end of the list) must be in the buffer
                pos = _skip_space(buf, pos)
                if pos < len(buf) or ended:
                    break
                chunk = more()
                ended = not chunk
                buf += chunk
            if pos >= len(buf):
                raise fail("the list is not closed (the file ends early)", pos)
            if buf[pos] == "]":
                if buf[pos + 1:].strip() or f.read().strip():
                    raise fail("extra data after the list", pos + 1)
                return
            if not first:
                if buf[pos] != ",":
                    raise fail("expected ',' between list elements", pos)
                pos = _skip_space(buf, pos + 1)
            while True:
                pos = _skip_space(buf, pos)  # raw_decode does not skip whitespace (a block may end in it)
                try:
                    element, end = decoder.raw_decode(buf, pos)
                    # A number cut by the block's end ("1." of "1.5") decodes short: accept an element
                    # only when what follows cannot continue it.
                    number = isinstance(element, (int, float)) and not isinstance(element, bool)
                    if end < len(buf) and not (number and buf[end] in NUMBER_CHARACTERS):
                        break
                    # Only a number running up to the buffer's end can be cut; ended, nothing is.
                    if ended or buf[end:].strip(NUMBER_CHARACTERS):
                        raise fail("the list is not closed (the file ends early)" if end == len(buf)
                                   else "a malformed number", end)
                except JsonArrayError:
                    raise
                except json.JSONDecodeError as e:
                    if ended or len(buf) - pos > MAX_ELEMENT_CHARS:  # not a cut by the block's end: a real error
                        raise fail(e.msg, e.pos) from None
                except RecursionError:
                    raise JsonArrayError("JSON nested too deeply to be keypoints") from None
                except ValueError as e:  # e.g. an integer literal with thousands of digits
                    raise JsonArrayError(f"not usable JSON ({e})") from None
                chunk = more()
                ended = not chunk
                buf += chunk
            yield element
            first = False
            if end > block:  # drop what is decoded, so the buffer stays about one block
                lines_before += buf.count("\n", 0, end)
                buf, pos = buf[end:], 0
            else:
                pos = end


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
