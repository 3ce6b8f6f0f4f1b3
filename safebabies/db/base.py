"""`ENGINE = "safebabies.db"`: Django's PostgreSQL backend with the schema editor below."""

from django.db.backends.postgresql import base, schema


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _create_like_index_sql(self, model, field):  # type: ignore[no-untyped-def]
        """No `varchar_pattern_ops` twin (package docstring): only the plain index."""
        return None


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
