"""Limits on what a request may send, enforced while it is being received (issue 9).

An upload is streamed by Django's handlers to memory (up to FILE_UPLOAD_MAX_MEMORY_SIZE) or to a
temporary file; :class:`LimitedUploadHandler` stands first among them and stops a request as soon
as it is known to be larger than FINSAM_UPLOAD_MAX_BYTES: from its declared length before any of
it is read, or, when no length is declared, at the first chunk over the limit. The request then
gets the page of :func:`finsam.core.views.bad_request` (413, in Swedish), not a form that
silently lost its file.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """An uploaded file larger than FINSAM_UPLOAD_MAX_BYTES."""


class HostileInput(BadRequest):
    """A request no form could have sent; the message is for the user (Swedish)."""


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The other fields of a form are limited by DATA_UPLOAD_MAX_MEMORY_SIZE.
        if content_length and content_length > settings.FINSAM_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise UploadTooLarge("Upload larger than FINSAM_UPLOAD_MAX_BYTES (declared length).")
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.FINSAM_UPLOAD_MAX_BYTES:
            raise UploadTooLarge("Upload larger than FINSAM_UPLOAD_MAX_BYTES.")
        return raw_data

    def file_complete(self, file_size):
        return None
