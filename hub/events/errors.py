"""The events domain's exceptions: one per concern and reason, WITHOUT HTTP status (the edges map them, see
:mod:`hub.events.edge`). ``code`` is the stable reason the API reports; ``field`` the form field to blame."""

from __future__ import annotations


class EventsError(Exception):
    """A rule of Open Factory Week or pitch nights stops the action (a conflict with the current state)."""

    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code, self.message, self.field = code, message, field


class NotAllowed(EventsError):
    """The actor may not do this."""


class Invalid(EventsError):
    """The input breaks a rule (a party size, a decision that does not exist)."""


class BookingError(EventsError):
    """A booking or cancellation that cannot happen."""


class BookingClosed(BookingError):
    """The slot does not take bookings (or cancellations) now: not yet open, closed, started, walk-in only."""


class BookingInvalid(BookingError, Invalid):
    """The party does not fit the rules: its size, the seats one mailbox may hold, the slot's room."""


class PartyExceedsFreeSeats(BookingError):
    """The party is larger than the seats still free: the visitor chooses (book the free seats, or wait for the
    whole party) instead of being put on the waiting list without being asked. ``details`` carries the choice."""

    def __init__(self, code: str, message, free_seats: int, party_size: int):
        super().__init__(code, message, "party_size")
        self.free_seats, self.party_size = free_seats, party_size

    @property
    def details(self) -> dict:
        """What the API adds to its error: the free seats and each choice with what it would become."""
        choices = [{"if_short": "waitlist", "party_size": self.party_size, "status": "waitlisted"}]
        if self.free_seats > 0:
            choices.insert(0, {"if_short": "partial", "party_size": self.free_seats, "status": "confirmed"})
        return {"free_seats": self.free_seats, "party_size": self.party_size, "choices": choices}


class BookingNotFound(BookingError):
    """No such slot or confirmation link."""


class BookingBusy(BookingError):
    """The database stayed locked through every retry: ask the visitor to try again (never a 5xx)."""


class ParticipationError(EventsError):
    """A factory's application cannot be made or decided (e.g. the application window is closed)."""


class ParticipationNotAllowed(ParticipationError, NotAllowed):
    """Only a factory's members apply; only organisers decide."""


class ParticipationInvalid(ParticipationError, Invalid):
    """An unknown decision."""


class PitchError(EventsError):
    """A pitch-night action cannot happen (e.g. the call for pitches is closed)."""


class PitchNotAllowed(PitchError, NotAllowed):
    """The actor may not submit, review or decide this."""


class PitchInvalid(PitchError, Invalid):
    """Scores, decisions or a running order that break the rules."""
