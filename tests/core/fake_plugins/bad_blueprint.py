from flask import Blueprint

from core.plugins import Manifest, hookimpl

manifest = Manifest(name="bad_blueprint", version="1.0")


@hookimpl
def blueprints():
    return [Blueprint("something_else", __name__, url_prefix="/bad_blueprint")]
