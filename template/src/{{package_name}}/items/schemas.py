"""Request and response bodies of the items API."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Widget"])]
Description = Annotated[str, Field(max_length=1000, examples=["A small widget."])]


class ItemCreate(BaseModel):
    """A new item. Surrounding whitespace is stripped; names are unique."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: Name
    description: Description | None = None


class ItemUpdate(BaseModel):
    """Changes to an item: only the fields sent are changed; `description: null` clears it."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: Name | None = None
    description: Description | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        # Runs only when a name is sent: leaving it out keeps the name, null cannot clear it.
        if value is None:
            raise ValueError("name cannot be null")
        return value


class ItemPublic(BaseModel):
    """An item as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    """One page of items, oldest first, with the total number of items."""

    items: list[ItemPublic]
    total: int
    limit: int
    offset: int
