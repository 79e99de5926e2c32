"""English is available for every word the app shows: each message marked in geo/ and webmap/ (as babel.cfg
extracts them) has an English translation in one of the catalogues, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "webmap" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def marked_messages() -> list[tuple[str, int, tuple[str, ...]]]:
    """Every marked message of the code and templates: file, line, its forms (singular and plural)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for folder in ("geo", "webmap"):
        for name, line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map, options_map, keywords=KEYWORDS):
            forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
            found.append((f"{folder}/{name}", line, forms))
    return found


def english() -> dict[str, tuple[str, ...]]:
    """msgid → its English forms, over every catalogue."""
    out: dict[str, tuple[str, ...]] = {}
    for po in sorted(CATALOGUES.glob("*.po")):
        with open(po, "rb") as handle:
            for message in read_po(handle):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    out[key] = (message.string,) if isinstance(message.string, str) else tuple(message.string)
    return out


def test_every_marked_message_has_its_english():
    messages, translated = marked_messages(), english()
    assert len(messages) > 500  # the extraction found the app's words
    missing = [f"{name}:{line} {forms[0]!r}" for name, line, forms in messages
               if not all(translated.get(forms[0], ("",)))]
    assert missing == []


def test_each_english_message_keeps_the_placeholders_of_its_vietnamese():
    translated = english()
    wrong = []
    for name, line, forms in marked_messages():
        for text in translated.get(forms[0], ()):
            if text and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(forms[0])):
                wrong.append(f"{name}:{line} {forms[0]!r} → {text!r}")
    assert wrong == []
