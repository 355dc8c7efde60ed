"""Pydantic building blocks shared by the entity models: strict parsing, names, resources, cron."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from dhsync.model.refs import NAME_MAX_LENGTH, NAME_PATTERN


class StrictModel(BaseModel):
    """Unknown fields are errors (unlike the SDK, which drops them) and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=NAME_MAX_LENGTH, min_length=1)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]

# DHCore 0.15's quantity pattern. YAML integers (`cpu: 2`) are accepted and written as strings, a
# fraction (`0.5`) is refused with the spelling DHCore accepts.
QUANTITY_PATTERN = r"^\d+([a-zA-Z]+)?$"
_K8S_SUFFIXES = ("", "m", "k", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_LEADING_DIGITS = re.compile(r"^\d+")
_NUMBER = re.compile(r"\d+")  # compiled once: these run for every quantity and schedule of a repository


def _quantity_from_yaml(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"DHCore rejects fractional quantities like {value}; use a whole number with a "
                         f"unit, e.g. `{int(value * 1000)}m` for CPU or `{int(value * 1024)}Mi` for memory")
    return value


def _known_suffix(value: str) -> str:
    suffix = _LEADING_DIGITS.sub("", value)
    if suffix not in _K8S_SUFFIXES:
        raise ValueError(f"`{value}` has unit `{suffix}`, which Kubernetes does not know; "
                         "use m, k, M, G, Ki, Mi, Gi, Ti …")
    return value


Quantity = Annotated[
    str,
    StringConstraints(pattern=QUANTITY_PATTERN),
    BeforeValidator(_quantity_from_yaml),
    AfterValidator(_known_suffix),
]

# The pattern DHCore's 2025-02 schemas used for `schedule`; ranges are checked on top of it.
CRON_PATTERN = (
    r"((((\d+,)+\d+|(\d+(\/|-|#)\d+)|\d+L?|\*(\/\d+)?|L(-\d+)?|\?|[A-Z]{3}(-[A-Z]{3})?) ?){5,7})"
    r"|(@(annually|yearly|monthly|weekly|daily|hourly))"
)
_CRON_RANGES = ((0, 59, "minute"), (0, 23, "hour"), (1, 31, "day of month"), (1, 12, "month"),
                (0, 7, "day of week"))


def _cron_in_range(value: str) -> str:
    """Ranges per field; the pattern alone lets `61 * * * *` through."""
    if value.startswith("@"):
        return value
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"`{value}` has {len(fields)} fields; a schedule has 5: minute hour day month weekday")
    for text, (low, high, what) in zip(fields, _CRON_RANGES, strict=True):
        if text == "*":
            continue  # the common case, nothing to range-check
        for number in _NUMBER.findall(text.split("/")[0]):
            if not low <= int(number) <= high:
                raise ValueError(f"{what} {number} is out of range {low}-{high} in `{value}`")
    return value


Cron = Annotated[str, StringConstraints(pattern=rf"^({CRON_PATTERN})$"), AfterValidator(_cron_in_range)]


def field_doc(text: str, **kwargs: Any) -> Any:
    return Field(description=text, **kwargs)
