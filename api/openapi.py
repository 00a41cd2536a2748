"""The schema class of every view (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, with the
``Idempotency-Key`` header on the writes that take one. Apart from ``api.schema`` (the served
document and its post-processing), which imports drf-spectacular's views: those read this
setting as they are defined."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any string up to 200 characters, new for each operation: a retry with the same "
    "key and body replays the first success (`Idempotent-Replayed: true`) instead of doing it "
    "again; the same key with another body answers 422, and 409 `busy` while the first is "
    "still running. Kept 24 hours.",
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with the ``Idempotency-Key`` header on the writes that take one
    (``api.idempotency.idempotent``; ``api.schema`` adds their 422 answer)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        name = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(self.view, name, None)
        if getattr(handler, "idempotent", False):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters
