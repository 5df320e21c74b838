"""The commands as README.md and their own --help describe them: every command shows
examples of itself, every example (in a command's help and in the README) is one the
command accepts, and the README's table of commands is the CLI's, no more, no less."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archive.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
# Where an example's command line ends and the shell takes over.
SHELL = {">", ">>", "<", "|", "||", "&&", ";", "&"}


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command the CLI runs, by the words that name it (`sites list` is two)."""
    paths = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def arguments(line: str) -> list[str]:
    """The words an example gives `archive`, up to a pipe, redirection or comment."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    end = next((n for n, word in enumerate(words) if word in SHELL), len(words))
    assert words[0] == "archive", line
    return words[1:end]


def parsed(line: str) -> tuple[str, ...]:
    """The command an example runs; click's UsageError if the command would refuse it."""
    ctx = main.make_context("archive", arguments(line))
    command, path = main, []
    while isinstance(command, click.Group):
        # what a group leaves for its command (click 8.2 made the attribute private)
        protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
        rest = [*protected, *ctx.args]
        name, command, args = command.resolve_command(ctx, rest)
        path.append(name)
        ctx = command.make_context(name, args, parent=ctx)
    return tuple(path)


def help_examples(path: tuple[str, ...]) -> list[str]:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.output.splitlines() if line.strip().startswith("archive ")]


def readme_table() -> set[tuple[str, ...]]:
    """The commands the README's table of commands names (the words before options and
    placeholders: `archive crawl SITE_ID...` is `crawl`)."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    named = set()
    for row in section.splitlines():
        if row.startswith("| `archive "):
            for span in re.findall(r"`archive ([^`]*)`", row.split(" | ")[0]):
                words = []
                for word in span.split():
                    if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                        break
                    words.append(word)
                named.add(tuple(words))
    return named


def readme_examples() -> list[str]:
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", README, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("archive ")]


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_shows_examples_of_itself_that_it_accepts(path):
    examples = help_examples(path)
    assert examples, f"`archive {' '.join(path)} --help` has no example"
    for example in examples:
        assert parsed(example) == path, example


def test_the_readme_table_of_commands_is_the_cli():
    table, cli = readme_table(), set(command_paths())
    assert sorted(cli - table) == [], "commands missing from the README's table"
    assert sorted(table - cli) == [], "commands in the README's table that the CLI does not have"


def test_every_example_in_the_readme_is_accepted():
    examples = readme_examples()
    assert len(examples) > 10
    for example in examples:
        parsed(example)  # raises click's UsageError naming what the command refuses


def test_an_example_the_command_would_refuse_is_caught():
    with pytest.raises(click.UsageError, match="No such option"):
        parsed("archive export --no-such-option")
    with pytest.raises(click.UsageError, match="No such command"):
        parsed("archive sites remove x")


def test_importing_the_cli_imports_no_scrapy():
    """The CLI and the library never import Scrapy (or Twisted); only `archive crawl`
    does, when it runs."""
    timing = subprocess.run([sys.executable, "-X", "importtime", "-c", "import archive.cli"],
                            capture_output=True, text=True, check=True).stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in timing.splitlines() if line.startswith("import time:")}
    assert "archive.cli" in imported
    assert sorted(m for m in imported if m.split(".")[0] in ("scrapy", "twisted", "crawler")) == []
    every_module = ("import importlib, pkgutil, sys, archive\n"
                    "for m in pkgutil.walk_packages(archive.__path__, 'archive.'): importlib.import_module(m.name)\n"
                    "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'crawler'}))")
    assert subprocess.run([sys.executable, "-c", every_module], capture_output=True, text=True,
                          check=True).stdout == "[]\n"
