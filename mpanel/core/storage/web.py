"""The route that serves the local back-end's signed links (S3 signs its own)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from .base import NotFound, StorageError

blueprint = Blueprint("mpanel_storage", __name__)


@blueprint.route("/storage/signed/<path:key>")
def signed(key):
    from . import backend
    from .local import LocalBackend
    from .signing import check_signature

    store = backend()
    filename = request.args.get("filename", "")
    if not isinstance(store, LocalBackend) or not check_signature(
            store.secret, key, request.args.get("expires"), request.args.get("signature"), filename):
        abort(403)
    try:
        chunks = store.stream(key)
    except NotFound:
        abort(404)
    except StorageError:
        current_app.logger.exception("signed storage link for %s failed", key)
        abort(503)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(chunks, mimetype="application/octet-stream", headers=headers)
