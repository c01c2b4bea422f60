import click

from core.plugins import Manifest, hookimpl

manifest = Manifest(name="bad_command", version="1.0")


@hookimpl
def register_commands(cli):
    cli.add_command(click.Command("export-all", callback=lambda: None))
