"""The base of errors whose message is already fit for the user (names the file, says what to do).
Library code raises subclasses; the edges (CLI, desktop) show the message as it is."""


class UserError(Exception):
    pass
