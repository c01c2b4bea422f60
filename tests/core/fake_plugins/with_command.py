import click

from core.plugins import Job, Manifest, hookimpl

manifest = Manifest(name="with_command", version="1.0")

RUNS: list[str] = []


@hookimpl
def register_commands(cli):
    @cli.group("with_command")
    def group():
        """The with_command plugin's commands."""

    @group.command("hello")
    @click.argument("name")
    def hello(name):
        """Greet someone."""
        click.echo(f"hello {name}")


@hookimpl
def scheduled_jobs():
    return [Job("with_command.tick", "*/5 * * * *", lambda: RUNS.append("tick"))]
