"""Uploaded CSV files: the size limit, checked before the body is read."""

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TOO_LARGE = "The file is larger than 10 MB; nothing was uploaded."


def upload_too_large(request) -> bool:
    """Whether the request declares a body over the limit: refused on that, before the
    body is read, nothing reaches the disk."""
    # The multipart envelope around the file takes a few hundred bytes; allow a little.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django refuses a malformed length itself
    return declared > MAX_UPLOAD_BYTES + 8 * 1024
