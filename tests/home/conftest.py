"""The home domain reads every other domain: reuse the succession fixtures (a published anonymous listing, a
successor profile, disclosure requests) rather than building listings again."""

from tests.succession.conftest import (  # noqa: F401  (fixtures)
    _fast_password_hashes,
    crowd,
    disclose,
    make_listing,
    make_profile,
    owner,
    secret_factory,
)
