"""Events: Open Factory Week (editions, programs, slots, bookings, check-in) and pitch nights."""
