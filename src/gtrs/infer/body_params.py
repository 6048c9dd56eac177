"""Former home of the body-parameter writers, now ``gtrs.writers.body_params``. Kept as an alias."""
from gtrs.writers.body_params import PARAMS_SCHEMA, PARAMS_SCHEMA_VERSION, BodyParams  # noqa: F401
