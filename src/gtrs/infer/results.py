"""Former home of the result writers, now ``gtrs.writers.results``. Kept as an alias."""
from gtrs.writers.results import (  # noqa: F401
    OUTPUT_FORMATS,
    PEOPLE_SCHEMA,
    PEOPLE_SCHEMA_VERSION,
    MeshResult,
    PeopleJsonWriter,
)
