"""One exception tree for the whole of Commensura.

Every error carries a stable machine-readable ``code`` (dotted, never changed
once published) and a message a person can act on. The HTTP layer maps the
tree to status codes in one place (``api.errors``)::

    CommensuraError
    ├── ConfigurationError          config.*
    ├── InputError                  the caller sent something we cannot use
    │   ├── UnsupportedFormatError  rdf.unsupported_format
    │   ├── RdfSyntaxError          rdf.syntax
    │   ├── RemoteContextError      rdf.remote_context
    │   ├── GraphScopeError         store.graph_scope
    │   ├── QueryError              query.invalid
    │   │   ├── BindingError            query.binding
    │   │   └── ServiceRefusedError     query.service_refused
    │   ├── UnsupportedQueryFormError   query.wrong_form
    │   ├── SourceDataError         source.invalid
    │   ├── DuplicateError          org.exists
    │   ├── PayloadTooLargeError    request.too_large
    │   └── InvalidSubmissionError  submission.invalid (carries the validation report)
    ├── AuthenticationError         auth.invalid_token
    ├── ForbiddenError              auth.forbidden
    │   └── ForbiddenResourceError  submission.forbidden_iri
    ├── NotFoundError               not_found
    └── StoreError                  store.*
        ├── StoreUnavailableError   store.unavailable
        └── ReadOnlyStoreError      store.read_only
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class CommensuraError(Exception):
    """Base of every error Commensura raises on purpose."""

    code: ClassVar[str] = "commensura.error"

    def __init__(self, message: str, *, details: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, object] = dict(details or {})

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view: ``{"code", "message", "details"}``."""
        return {"code": self.code, "message": self.message, "details": self.details}


class ConfigurationError(CommensuraError):
    code = "config.invalid"


class InputError(CommensuraError):
    """The caller sent something that cannot be used as it is."""

    code = "input.invalid"


class UnsupportedFormatError(InputError):
    code = "rdf.unsupported_format"


class RdfSyntaxError(InputError):
    code = "rdf.syntax"


class RemoteContextError(InputError):
    code = "rdf.remote_context"


class GraphScopeError(InputError):
    code = "store.graph_scope"


class QueryError(InputError):
    code = "query.invalid"


class QueryTimeoutError(QueryError):
    """A query that was still running when its deadline passed."""

    code = "query.timeout"


class BindingError(QueryError):
    code = "query.binding"


class ServiceRefusedError(QueryError):
    code = "query.service_refused"


class UnsupportedQueryFormError(InputError):
    code = "query.wrong_form"


class NotFoundError(CommensuraError):
    code = "not_found"


class StoreError(CommensuraError):
    code = "store.error"


class StoreUnavailableError(StoreError):
    code = "store.unavailable"


class ReadOnlyStoreError(StoreError):
    code = "store.read_only"


class MappingError(InputError):
    """A mapping file that cannot be used as written (docs/mapping.md)."""

    code = "mapping.invalid"


class SourceDataError(InputError):
    """A source-data file cannot be imported: missing columns, no usable rows."""

    code = "source.invalid"


class DuplicateError(InputError):
    """Something with that name exists already."""

    code = "org.exists"


class AuthenticationError(CommensuraError):
    """No token, or a token Commensura does not know (or that was revoked)."""

    code = "auth.invalid_token"


class ForbiddenError(CommensuraError):
    """A valid token asking for something its organisation may not do."""

    code = "auth.forbidden"


class PayloadTooLargeError(InputError):
    """A request body over the configured cap."""

    code = "request.too_large"


class ForbiddenResourceError(ForbiddenError):
    """A submission describes resources its organisation may not write."""

    code = "submission.forbidden_iri"


class InvalidSubmissionError(InputError):
    """A submission that does not conform to the shapes; ``details`` holds the report."""

    code = "submission.invalid"
