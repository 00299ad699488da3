"""Server-side sorting of list endpoints: ``?sorting=-capability_kw&sorting=name``.

Each domain lists its sortable properties as a ``StrEnum``; a leading ``-`` sorts descending.

The module keeps its annotations eager: FastAPI reads the dependency's, which use a local value.
"""

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Query

from gzkit.errors import Invalid

E = TypeVar("E", bound=StrEnum)

# (property, descending) pairs, most significant first.
Sorting = list[tuple[E, bool]]


def sorting_dependency(
    properties: type[E], default: list[str]
) -> Callable[[list[str] | None], Awaitable[Sorting[E]]]:
    """A dependency parsing ``?sorting=`` into :data:`Sorting`; 422 naming an unknown property.

    Parameters
    ----------
    properties : StrEnum class
        The sortable properties.
    default : list of str
        Used when the query has no ``sorting``, e.g. ``["-submitted_at"]``.
    """
    allowed = ", ".join(p.value for p in properties)

    async def dependency(
        sorting: Annotated[
            list[str] | None,
            Query(description=f"Sort keys, `-` for descending; any of: {allowed}."),
        ] = None,
    ) -> Sorting[E]:
        parsed: Sorting[E] = []
        for key in sorting or default:
            descending = key.startswith("-")
            name = key.removeprefix("-")
            if name not in properties._value2member_map_:
                raise Invalid(f"cannot sort by {name!r}; sortable: {allowed}", ("query", "sorting"))
            parsed.append((properties(name), descending))
        return parsed

    return dependency
