"""Every model, imported in one place so that Alembic sees the whole schema."""

from hub.auth.models import ApiToken, Organisation, User  # noqa: F401
from hub.factories.models import Factory, FactoryCapability, FactoryPhoto  # noqa: F401
from hub.mail.models import EmailMessage  # noqa: F401
from hub.needs.models import Need, NeedAttachment, NeedGrant  # noqa: F401
