"""One reader for what people type: numbers, dates and coordinates, by the page's or the file's locale.

A Vietnamese page or file writes 1.200 for twelve hundred and 1,5 for one and a half; an English one the other
way round. Where the locale is known, a text is read that way or refused saying so ("1.5" on a Vietnamese page);
where it is not (the JSON API, a workbook that does not tell), a text that reads one way is read so, and one that
reads two ways (1.200) is refused as doubtful: a number is never guessed silently. The site form, the JSON API,
the import and the hand-entered figures all read through here.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Iterable

from babel.numbers import NumberFormatError, parse_decimal

from geo.catalogue import DAY_FORMAT
from geo.coordinates import parse_coordinate
from geo.errors import N_

LOCALES = ("vi", "en")
NOT_A_NUMBER = N_("Phải là một số, nhận được “%(value)s”")
# Why a number could not be read by a known way of writing numbers.
NOT_THAT_WAY = {
    "vi": N_("Không đọc được số “%(value)s”: số viết kiểu Việt Nam (1.200 là một nghìn hai trăm, 1,5 là một phẩy "
             "năm)"),
    "en": N_("Không đọc được số “%(value)s”: số viết kiểu tiếng Anh (1,200 là một nghìn hai trăm, 1.5 là một phẩy "
             "năm)"),
}
TWO_WAYS = N_("Số “%(value)s” đọc được hai cách (%(vi)s hoặc %(en)s); hãy viết rõ, ví dụ 1200 hoặc 1,5")
NOT_WHOLE = N_("Phải là số nguyên: “%(value)s”")
BAD_DATE = N_("Ngày không hợp lệ “%(value)s”; viết dạng dd/mm/yyyy")
# A number whose separator can only be a decimal one, in each way of writing: 1,5 or 1.234,5 (vi); 1.5 (en).
_DECIMAL = {"vi": re.compile(r"-?(\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,})"),
            "en": re.compile(r"-?(\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,})")}
# Larger than any figure of a site, and than a float holds exactly: refused as no number.
_LARGEST = Decimal("1e15")
# Excel counts days from 30/12/1899; serials in this range are dates of 1954–2119, not counts.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = range(20000, 80000)


class Unreadable(ValueError):
    """A value that cannot be read, with the reason (a msgid) and its parameters."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason % params if params else reason)
        self.reason, self.params = reason, params


class RefusedText(str):
    """A text as typed that a reader refused, carrying why: it still shows and stores as the text it is."""

    reason: str
    params: dict[str, Any]

    def __new__(cls, typed: str, error: Unreadable) -> "RefusedText":
        refused = super().__new__(cls, typed)
        refused.reason, refused.params = error.reason, error.params
        return refused


def _readings(text_: str) -> dict[str, Decimal]:
    readings = {}
    for locale in LOCALES:
        try:
            readings[locale] = parse_decimal(text_, locale=locale, strict=True)
        except NumberFormatError:
            continue
    return readings


def read_number(value: Any, locale: str | None = None) -> Decimal | None:
    """A number typed or stored: a number as it is, a text by the locale ('vi', 'en' or None when unknown);
    None when empty. Raises Unreadable when it is not a number, or reads two ways and the locale does not say."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Unreadable(NOT_A_NUMBER, value=value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) >= _LARGEST:
            raise Unreadable(NOT_A_NUMBER, value=value)
        return number
    text_ = str(value).strip().replace("\u00a0", "").replace(" ", "")
    # Babel reads NaN, Infinity and 1e309 too: nobody types those for a figure.
    readings = {locale: number for locale, number in _readings(text_).items()
                if number.is_finite() and abs(number) < _LARGEST}
    if locale in LOCALES:
        # A page or file that says how it writes numbers is taken at its word: "1.5" on a Vietnamese one is refused.
        if locale not in readings:
            raise Unreadable(NOT_THAT_WAY[locale], value=value)
        return readings[locale]
    if not readings:
        raise Unreadable(NOT_A_NUMBER, value=value)
    if len(set(readings.values())) == 1:
        return next(iter(readings.values()))
    raise Unreadable(TWO_WAYS, value=value, vi=readings["vi"], en=readings["en"])


def read_whole(value: Any, locale: str | None = None) -> int | None:
    """A count (households, a year): a whole number; "12,5" is refused, "1.350" on a Vietnamese page is 1350."""
    number = read_number(value, locale)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise Unreadable(NOT_WHOLE, value=value)
    return int(number)


def file_locale(separator: str | None, number_texts: Iterable[str]) -> str | None:
    """How a file writes numbers: 'vi' for a semicolon CSV (Excel on a Vietnamese Windows) or a file where a
    decimal comma is seen, 'en' where only a decimal point is seen or for a comma CSV with no sign; None when
    the file does not tell (a workbook with no such number, or both ways seen)."""
    if separator == ";":
        return "vi"
    seen = {locale for text_ in number_texts for locale, pattern in _DECIMAL.items() if pattern.fullmatch(text_)}
    if len(seen) == 1:
        return seen.pop()
    return "en" if separator == "," and not seen else None


def read_date(value: Any) -> dt.date | None:
    """A date from 'dd/mm/yyyy', 'yyyy-mm-dd', a workbook's date or datetime, or an Excel day number (45352);
    None when empty. Raises Unreadable otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in _EXCEL_SERIALS:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise Unreadable(BAD_DATE, value=value)
    text_ = str(value).strip()
    # A date cell of a workbook read as text comes with a midnight time: '2024-03-01 00:00:00'.
    if len(text_) == 19 and text_.endswith(" 00:00:00"):
        text_ = text_[:10]
    for fmt in ("%Y-%m-%d", DAY_FORMAT, "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text_, fmt).date()
        except ValueError:
            continue
    if text_.isdigit():
        return read_date(int(text_))
    raise Unreadable(BAD_DATE, value=value)


def read_coordinate(value: Any, axis: str) -> float:
    """A latitude or longitude ('lat' or 'lon') in decimal degrees, with a point or a comma (a coordinate has no
    thousands), or in degrees, minutes and seconds; BadParameter naming the axis otherwise."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = repr(float(value))
    return parse_coordinate("" if value is None else str(value), axis)
