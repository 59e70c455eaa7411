"""One base class for every error a user may see; front ends print its message, never a traceback."""


class AssistantError(Exception):
    """Base of all errors the assistant reports to a person."""


class ConfigError(AssistantError):
    """A setting, config file or flag is invalid."""


class ReadError(AssistantError):
    """A report file cannot be read or decoded."""


class QuestionError(AssistantError):
    """The question (or its history) cannot be answered as given: empty, too long, malformed."""


class IndexStoreError(AssistantError):
    """The index cannot be opened, built or written."""
