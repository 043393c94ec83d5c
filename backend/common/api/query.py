"""Query-string parameters, read as strictly as bodies are."""

from django.utils.translation import gettext as _
from rest_framework import serializers


class QuerySerializer(serializers.Serializer):
    """A serializer for ``request.query_params``. DRF reads an empty HTML-form value
    (``?until=``) of an optional field as *not given*, so a typo'd or half-built query
    would quietly mean something else; here it is a 400 naming the parameter."""

    def to_internal_value(self, data):
        empty = {
            name: [_("Give a value, or leave the parameter out.")]
            for name, field in self.fields.items()
            if not field.read_only
            and name in data
            and data.get(name) == ""
            and not getattr(field, "allow_blank", False)
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)
