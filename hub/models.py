"""Every model, imported in one place so that Alembic sees the whole schema."""

from hub import domain_modules

MODEL_MODULES = domain_modules("models")
