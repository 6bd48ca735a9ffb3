"""The credentials that the database's Secrets Manager secret holds, as RDS writes them.

Apart from loyalty.credentials so that only a function that reads a secret makes this model.
"""

from pydantic import BaseModel, ConfigDict, Field


class DatabaseSecret(BaseModel):
    """The credentials in the secret; other keys RDS keeps there (``engine``, ...) are ignored."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)
    host: str = ""
    port: int = Field(default=5432, ge=1, le=65535)
    dbname: str = Field(default="postgres", min_length=1)
