"""Services: the only layer that does I/O. Each function takes a database session, checks its
input, composes the pure core (crypto, tally engine, record) and appends to the record.
Bad input is refused with a `ServiceError` that says what was wrong, in English and Chinese,
and changes nothing."""
