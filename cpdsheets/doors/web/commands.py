"""`cpdsheets serve` and `cpdsheets accounts add|token`: the service's commands on the CLI.

Help texts are shown in both languages (typer shows one help to every reader); what a command prints
is in its ``--lang`` (Chinese unless English is asked for), from ``SERVE_LINES``.

Only typer is imported here; the service's libraries (the `serve` extra) are imported when a command
runs, and their absence is one line saying how to install them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ...contract.texts import Lang, both_languages
from .texts import SERVE_HELP, SERVE_LINES


def _help(code: str, sep: str = " / ", **params: Any) -> str:
    """A help text or a line of the serve and accounts commands in both languages, Chinese first
    (typer shows one help text to every reader); ``sep`` is the join the line has always had."""
    return both_languages(SERVE_HELP[code], sep, **params)


def _metavar(code: str) -> str:
    """A value's placeholder in --help, in Chinese as the other commands' (文件, 日期)."""
    return SERVE_HELP[f"metavar.{code}"].zh


def _say(code: str, lang: Lang, *, err: bool = False, **params: Any) -> None:
    """One line of the command, in the language it was asked for."""
    typer.echo(SERVE_LINES.render(code, lang, **params), err=err)


DataOption = Annotated[Path, typer.Option("--data", metavar=_metavar("folder"), help=_help("data"))]
DbOption = Annotated[Optional[str], typer.Option("--db", metavar="URL", help=_help("db"))]
LangOption = Annotated[Lang, typer.Option("--lang", metavar="zh|en", help=_help("lang"))]


def _needs_serve_extra(lang: Lang) -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        _say("missing-libraries", lang, err=True, name=exc.name)
        raise typer.Exit(2)


def _store(data: Path, db: str | None, lang: Lang) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from .database import Store

    try:
        return Store.open(data, db)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        _say("cannot-open-database", lang, err=True, line=line)
        raise typer.Exit(2)


def add_commands(app: typer.Typer, command_cls: Any) -> None:
    accounts = typer.Typer(help=_help("accounts"), no_args_is_help=True,
                           add_completion=False, rich_markup_mode=None)
    app.add_typer(accounts, name="accounts")

    @app.command(cls=command_cls, help=_help("serve"))
    def serve(
        data: DataOption = Path("cpdsheets-data"),
        host: Annotated[str, typer.Option("--host", metavar=_metavar("address"), help=_help("serve.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", metavar=_metavar("port"), help=_help("serve.port"))] = 8000,
        db: DbOption = None,
        workers: Annotated[Optional[int], typer.Option("--workers", min=1, metavar="N", help=_help("serve.workers", "/ "))] = None,
        max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, metavar="MB",
                                                   help=_help("serve.max-upload-mb"))] = 20,
        secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help=_help("serve.secure-cookies"))] = False,
        lang: LangOption = "zh",
    ) -> None:
        _needs_serve_extra(lang)
        import uvicorn

        from .app import create_app
        from .settings import Settings

        settings = Settings(data=data, db=db, workers=workers, max_upload_mb=max_upload_mb,
                            secure_cookies=secure_cookies)
        try:
            application = create_app(settings)
        except Exception as exc:  # a database that cannot be reached, a data folder that cannot be written
            line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            _say("cannot-start", lang, err=True, line=line)
            raise typer.Exit(2)
        demo = application.state.service.store.demo_account(SERVE_LINES.render("demo-school", lang))
        if demo:
            _say("demo-account", lang, user=demo[0], password=demo[1])
            _say("district-account", lang, data=data)
        _say("listening", lang, host=host, port=port, data=data)
        sys.stdout.flush()
        uvicorn.run(application, host=host, port=port, log_level="info", timeout_graceful_shutdown=30)

    @accounts.command("add", cls=command_cls, help=_help("accounts.add", "/ "))
    def add(
        user: Annotated[str, typer.Argument(metavar=_metavar("user"), help=_help("accounts.add.user"))],
        school: Annotated[str, typer.Option("--school", metavar=_metavar("name"), help=_help("accounts.add.school"))],
        data: DataOption = Path("cpdsheets-data"),
        district: Annotated[bool, typer.Option("--district", help=_help("accounts.add.district"))] = False,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help=_help("accounts.add.password-stdin"))] = False,
        db: DbOption = None,
        lang: LangOption = "zh",
    ) -> None:
        _needs_serve_extra(lang)
        from .database import AccountError

        if not password_stdin:
            _say("password-stdin", lang, err=True)
            raise typer.Exit(2)
        password = sys.stdin.readline().rstrip("\r\n")
        store = _store(data, db, lang)
        try:
            account = store.add_account(user, password, school, district=district)
        except AccountError as exc:
            typer.echo(exc.message(lang), err=True)
            raise typer.Exit(2)
        finally:
            store.close()
        _say("district-account-added" if account.is_district else "school-account-added", lang, user=user,
             school=school)

    @accounts.command("token", cls=command_cls, help=_help("accounts.token", "/ "))
    def token(
        user: Annotated[str, typer.Argument(metavar=_metavar("user"), help=_help("accounts.token.user"))],
        data: DataOption = Path("cpdsheets-data"),
        db: DbOption = None,
        lang: LangOption = "zh",
    ) -> None:
        _needs_serve_extra(lang)
        from .database import AccountError

        store = _store(data, db, lang)
        try:
            typer.echo(store.new_token(user))
        except AccountError as exc:
            typer.echo(exc.message(lang), err=True)
            raise typer.Exit(2)
        finally:
            store.close()
