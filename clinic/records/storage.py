"""Where document bytes live: one small interface, a local folder by default.

Files are stored outside `static/` under random keys (never the sender's name), so
nothing is reachable except through serve_document(), which the views call after
their access checks. An object store replaces LocalStorage by implementing the same
four methods and being set as `app.extensions["document_storage"]`.

A file is written before its database row commits; if the transaction then rolls
back, the file is removed (see _forget_uncommitted), so a refused or failed upload
leaves nothing behind.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Response, abort, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from clinic.records.sniff import download_name


class DocumentStorage(Protocol):
    def save(self, stream: BinaryIO) -> str: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files under one folder, fanned out by the key's first two characters."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours (hex); anything else is a bug or an attack
            raise ValueError("invalid storage key")
        return self.folder / key[:2] / key

    def save(self, stream: BinaryIO) -> str:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        stream.seek(0)
        # Written to a temporary name and renamed, so a crash never leaves half a file under the key.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as target:
                shutil.copyfileobj(stream, target, 1024 * 1024)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def get_storage() -> DocumentStorage:
    store = current_app.extensions.get("document_storage")
    if store is None:
        store = current_app.extensions["document_storage"] = LocalStorage(current_app.config["UPLOAD_FOLDER"])
    return store


def store_document(session: Session, stream: BinaryIO) -> str:
    """Save the bytes and remember the key, so a rollback of this transaction removes the file."""
    store = get_storage()
    key = store.save(stream)
    session.info.setdefault("uncommitted_files", []).append((store, key))
    return key


def serve_document(document) -> Response:
    """The file as a download (never shown inline), with its sniffed type. Callers check access first."""
    try:
        stream = get_storage().open(document.storage_key)
    except FileNotFoundError:
        current_app.logger.error("document %s: stored file is missing", document.id)
        abort(404)
    response = file_response(send_file(stream, mimetype=document.content_type, as_attachment=True,
                                       download_name=download_name(document.original_name),
                                       conditional=False, etag=False, max_age=0), document)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


def file_response(response: Response, document) -> Response:
    """send_file's response with the stored type as it is: Werkzeug appends "; charset=utf-8" to any
    text/* type, and ours already carries it (text downloads said charset=utf-8 twice)."""
    response.headers["Content-Type"] = document.content_type
    return response


@event.listens_for(Session, "after_commit")
def _keep_committed(session):
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    session.info.pop("uncommitted_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_uncommitted(session, previous_transaction):
    if previous_transaction.nested or previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    for store, key in session.info.pop("uncommitted_files", []):
        store.delete(key)
