"""`option`: click.option whose help text stays translatable (``help=_l("...")``).

click tidies an option's help with inspect.cleandoc when the option is made, at import time,
which turns a lazy string into its English text. This option keeps the lazy string, so that
`--help` is shown in the language of the company (or of the command's app context).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import click


class TranslatedOption(click.Option):
    """A click.Option that keeps its help text as given and reads it when help is shown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy_help = kwargs.get("help")

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self._lazy_help is not None:
            self.help = str(self._lazy_help)
        return super().get_help_record(ctx)


option = partial(click.option, cls=TranslatedOption)
